"""What readers produce (raw articles and issues) and the registry that picks a reader per file."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Union

from ..model import ImportIssue
from .encoding import normalise_text, read_text_file, replaced_note


@dataclass
class RawArticle:
    """An article as read from a file, before language detection and NLP."""

    text: str
    source: str
    line: int | None = None
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: str | None = None
    lang: str | None = None
    id: str | None = None  # the source's own id, kept in meta
    meta: dict[str, Any] = field(default_factory=dict)
    #: Annotations carried by the file (native JSONL and peer exports), applied after the article.
    annotations: list[dict[str, Any]] = field(default_factory=list)
    #: A short task from another tool: the whole text is one sentence (the unit it was labelled as).
    single_unit: bool = False

    def __post_init__(self) -> None:
        self.text = normalise_text(self.text)

    @property
    def content_id(self) -> str:
        return article_id(self.text)


def article_id(text: str) -> str:
    """The stable article id: a SHA-256 of the normalised text (16 hex digits)."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:16]


def file_text(path: Path) -> tuple[str, str, list[ImportIssue]]:
    """A reader's way in: the file's text, its encoding and an issue if bytes were replaced.
    Raises ``NotText`` for binary files (``read_paths`` reports it) and ``OSError``."""
    text, encoding, replaced = read_text_file(path)
    issues = [ImportIssue(str(path), None, replaced_note(replaced, encoding))] if replaced else []
    return text, encoding, issues


ReadResult = Union[RawArticle, ImportIssue]
Reader = Callable[[Path], Iterator[ReadResult]]


@dataclass
class _Entry:
    name: str
    suffixes: tuple[str, ...]
    read: Reader
    sniff: Callable[[Path], bool] | None = None


_READERS: list[_Entry] = []


def register(name: str, suffixes: tuple[str, ...], sniff: Callable[[Path], bool] | None = None
             ) -> Callable[[Reader], Reader]:
    """Class-free registry: ``@register("csv", (".csv",))`` over a generator function."""

    def deco(fn: Reader) -> Reader:
        _READERS.append(_Entry(name, suffixes, fn, sniff))
        return fn

    return deco


def reader_for(path: Path) -> _Entry | None:
    suffix = path.suffix.lower()
    # Readers with a sniff function get first choice for files with their suffix.
    for entry in sorted(_READERS, key=lambda e: e.sniff is None):
        if suffix in entry.suffixes and (entry.sniff is None or entry.sniff(path)):
            return entry
    return None


def reader_for_name(path: Path) -> bool:
    """Whether some reader takes files with ``path``'s suffix (without opening the file)."""
    return any(path.suffix.lower() in entry.suffixes for entry in _READERS)


def reader_names() -> list[str]:
    return [e.name for e in _READERS]
