"""The exporter registry and the small base class each format (flavour) fills in."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, ClassVar, TextIO, TypeVar

from .options import ExportError, ExportOptions, ExportResult
from .records import ArticleBundle, RecordBuilder, Record, label_units


def dumps(obj: Any) -> str:
    """The one JSON spelling of exports: UTF-8 text, sorted keys, no spaces (byte-stable), and
    strict JSON: NaN or Infinity (which ``json`` would write, and no JSON reader takes) is an
    error, not a file that no longer loads."""
    try:
        return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                          allow_nan=False)
    except ValueError as exc:
        where = obj.get("id") or obj.get("article_id") if isinstance(obj, dict) else None
        raise ExportError(f"{where or 'a record'} holds NaN or Infinity, which JSON cannot"
                          f" hold ({exc})") from None


@dataclass
class ExportContext:
    project: Any  # annotator.project.Project (not imported: the export package stays light)
    options: ExportOptions
    builder: RecordBuilder
    result: ExportResult

    @property
    def resolves(self) -> bool:
        return self.builder.resolves

    def units(self, rec: Record) -> list[tuple[str | None, Record | None]]:
        return label_units(rec, self.builder.resolves)


class Exporter:
    """One output format. Subclasses set the class attributes and override :meth:`write`.

    The runner calls ``begin()``, ``write(bundle)`` per article (in project order), then
    ``end()``, all inside a temporary file or folder that becomes OUT only on success.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""  # one line for help texts and the GUI's format list
    folder: ClassVar[bool] = False  # writes a folder rather than one file
    suffix: ClassVar[str] = ".jsonl"  # suggested file suffix (the GUI's save dialog)
    #: Formats that hold one label per item need gold, majority or a single annotator.
    single_label: ClassVar[bool] = False
    #: Split used when the user gives none (the hf format always has splits).
    default_split: ClassVar[tuple[float, ...] | None] = None
    #: Keys every line of a JSON Lines format has: how an existing OUT is recognised as ours.
    signature: ClassVar[frozenset[str]] = frozenset()
    #: Takes the native jsonl lines of :mod:`.native` (``write_lines``) when it applies.
    writes_lines: ClassVar[bool] = False

    @classmethod
    def recognises(cls, lines: list[str]) -> bool:
        """Whether a file starting with ``lines`` (its first two) was written by this format:
        the first line is a JSON object spelt as :func:`dumps` spells it, with the format's
        signature keys."""
        if not cls.signature or not lines:
            return False
        first = lines[0].rstrip("\n")
        try:
            obj = json.loads(first)
        except ValueError:
            return False
        return isinstance(obj, dict) and cls.signature <= obj.keys() and dumps(obj) == first

    @classmethod
    def recognises_file(cls, path: Path) -> bool:
        """Whether the file at ``path`` was written by this format, for formats whose files
        are not text (:meth:`recognises` reads their first lines)."""
        return False

    def __init__(self, ctx: ExportContext, root: Path) -> None:
        self.ctx = ctx
        self.root = root
        self.rows = 0
        self._streams: dict[str, IO[Any]] = {}

    # -- the three steps ---------------------------------------------------------------------------

    def begin(self) -> None:
        """Called once before the first article."""

    def write(self, bundle: ArticleBundle) -> None:
        raise NotImplementedError

    def end(self) -> None:
        """Called once after the last article (trailers, side files such as a dataset card)."""

    def write_lines(self, lines: list[bytes]) -> None:
        """Called instead of :meth:`write` by a format that ``writes_lines``: the encoded lines
        of many articles."""
        raise NotImplementedError

    # -- helpers -----------------------------------------------------------------------------------

    def stream(self, rel: str = "") -> TextIO:
        """An output opened on first use: ``""`` is the output file; other names are files inside
        the output folder (sub-folders are created)."""
        fh = self._streams.get(rel)
        if fh is None:
            path = self.path(rel) if rel else self.root
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(path, "w", encoding="utf-8", newline="\n")
            self._streams[rel] = fh
        return fh  # type: ignore[return-value]

    def binary_stream(self, rel: str = "") -> IO[bytes]:
        """Like :meth:`stream`, for a format that writes UTF-8 bytes itself, in large blocks.
        (One output is either a text or a binary stream, never both.)"""
        fh = self._streams.get(rel)
        if fh is None:
            path = self.path(rel) if rel else self.root
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(path, "wb", buffering=1 << 20)
            self._streams[rel] = fh
        return fh

    def line(self, obj: Any, rel: str = "") -> None:
        self.stream(rel).write(dumps(obj) + "\n")
        self.rows += 1

    def write_text(self, rel: str, text: str) -> None:
        path = self.path(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")

    def path(self, rel: str) -> Path:
        """``rel`` inside the output folder, refused unless it stays there: a relative path of
        plain names (names taken from data go through :mod:`.names` first)."""
        parts = PurePosixPath(rel).parts
        if (not parts or "\x00" in rel or "\\" in rel or PurePosixPath(rel).is_absolute()
                or any(p in (".", "..") or ":" in p for p in parts)):
            raise ExportError(f"refusing to write {rel!r}: not a plain path inside the output")
        path = self.root.joinpath(*parts)
        root = os.path.realpath(self.root)
        if os.path.commonpath([root, os.path.realpath(path)]) != root:
            raise ExportError(f"refusing to write {rel!r}: it leads outside the output")
        return path

    def close(self) -> None:
        for fh in self._streams.values():
            fh.close()
        self._streams.clear()

    def files(self) -> list[str]:
        """Files written, relative to OUT (``""`` for OUT itself)."""
        if not self.folder:
            return [""]
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file())

    def note(self, message: str) -> None:
        if message not in self.ctx.result.notes:
            self.ctx.result.notes.append(message)


EXPORTERS: dict[str, type[Exporter]] = {}
E = TypeVar("E", bound=type[Exporter])


def register(cls: E) -> E:
    """Class decorator: ``@register`` on an :class:`Exporter` subclass with a ``name``."""
    if not cls.name or cls.name in EXPORTERS:
        raise ValueError(f"exporter name {cls.name!r} is empty or taken")
    EXPORTERS[cls.name] = cls
    return cls


def exporter_class(name: str) -> type[Exporter]:
    try:
        return EXPORTERS[name]
    except KeyError:
        raise ExportError(f"unknown format {name!r} (known: {', '.join(EXPORTERS)})") from None


def format_names() -> list[str]:
    return list(EXPORTERS)


def formats() -> list[tuple[str, str]]:
    """(name, one-line description) of every registered format, in registration order."""
    return [(cls.name, cls.title) for cls in EXPORTERS.values()]

