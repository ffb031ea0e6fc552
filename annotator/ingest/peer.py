"""What readers of other tools' files produce: a task (a text) with annotations as the tool had them.

Label Studio, doccano, Prodigy and spreadsheets all come down to a text with, per annotator,
chosen values of named fields and entity spans. Readers keep those names as they are; the
label mapping (:mod:`.mapping`) and the importer (:mod:`annotator.peer_import`) decide what they
become and which sentence of the project they belong to. Nothing here knows the project.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from ..model import ImportIssue


@dataclass
class PeerSpan:
    start: int  # offsets in the task's text
    end: int
    label: str
    text: str | None = None
    field: str = "label"


@dataclass
class PeerAnnotation:
    """One annotator's (or one model's) work on a task."""

    annotator: str
    choices: list[tuple[str, str]] = field(default_factory=list)  # (field name, chosen value)
    spans: list[PeerSpan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gold: bool = False  # Label Studio's ground_truth: becomes annotator "gold"
    decided_by: str | None = None
    created: str | None = None
    updated: str | None = None


@dataclass
class PeerTask:
    """A text from another tool. ``where`` is (article id, start, end) when the task came from
    one of our exports (then the sentence is found by it, else by content)."""

    text: str
    source: str
    line: int | None
    tool: str  # "Label Studio JSON", "doccano sequence labelling", ... (for the summary)
    annotations: list[PeerAnnotation] = field(default_factory=list)
    predictions: list[PeerAnnotation] = field(default_factory=list)
    where: tuple[str, int, int] | None = None
    targets: dict[str, Any] = field(default_factory=dict)  # our export's target info by key
    #: Article fields for a text that becomes a new article (title, outlet, date, url, lang).
    article: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    #: Counted by the importer: (kind, outcome) -> n, e.g. ("annotation", "skipped: cancelled").
    tally: Counter[tuple[str, str]] = field(default_factory=Counter)


ARTICLE_FIELDS = ("title", "outlet", "date", "url", "lang")
#: Data fields our own exports put in a task besides the text (read, never "not carried").
OWN_FIELDS = frozenset({"article_id", "start", "end", "index", "sentence_id", "targets",
                        "stance_options", "split", "article_lang", *ARTICLE_FIELDS})


def where_of(data: dict[str, Any]) -> tuple[str, int, int] | None:
    """Our export's sentence link in a task's data, if it has a valid one."""
    aid, start, end = data.get("article_id"), data.get("start"), data.get("end")
    ok = all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (start, end))
    return (aid, start, end) if isinstance(aid, str) and aid and ok else None


def article_fields(data: dict[str, Any]) -> dict[str, str]:
    return {k: str(data[k]) for k in ARTICLE_FIELDS
            if isinstance(data.get(k), (str, int, float)) and str(data[k]).strip()}


def span_issue(path: str, line: int | None, span: Any, text: str) -> ImportIssue | None:
    """A span that does not fit the task's text (bad offsets): an issue naming file and line."""
    if not isinstance(span, PeerSpan):
        return ImportIssue(path, line, "a span without start/end/label; skipped")
    if not (0 <= span.start < span.end <= len(text)):
        return ImportIssue(path, line, f"span {span.start}-{span.end} ({span.label}) is outside "
                           f"the text ({len(text)} characters); skipped")
    if span.text is not None and text[span.start:span.end] != span.text:
        return ImportIssue(path, line, f"span {span.start}-{span.end} says {span.text!r} but the "
                           f"text there is {text[span.start:span.end]!r}; skipped")
    return None


def linked_task(text: str, path: Path, line: int | None, tool: str,
                fields: dict[str, Any]) -> PeerTask:
    """A task whose ``fields`` (a row, its ``meta`` or Label Studio's ``data``) may hold our
    export's sentence link, target info and article fields."""
    targets = fields.get("targets")
    return PeerTask(text=text, source=str(path), line=line, tool=tool, where=where_of(fields),
                    targets=targets if isinstance(targets, dict) else {},
                    article=article_fields(fields))


def row_tasks(path: Path, tool: str, fields_of: Callable[[dict[str, Any]], dict[str, Any]]
              ) -> Iterator[tuple[PeerTask, dict[str, Any], dict[str, Any]] | ImportIssue]:
    """(task, row, its fields) for each row of a JSONL file with a non-empty ``text``, the task
    linked by ``fields_of(row)`` (see :func:`linked_task`); issues for the other rows."""
    from .annotations import _lines

    for lineno, obj in _lines(path):
        if isinstance(obj, ImportIssue):
            yield obj
        elif not isinstance(obj.get("text"), str) or not obj["text"].strip():
            yield ImportIssue(str(path), lineno, 'missing or empty "text"; line skipped')
        else:
            fields = fields_of(obj)
            yield linked_task(obj["text"], path, lineno, tool, fields), obj, fields
