"""Readers for our native annotation files (sentence and article JSONL); other tools: peer.py.

Article lines carry their text and become ``RawArticle`` s with ``annotations``; the other formats
label sentences of articles already in the project and become :class:`RawLabels`. Either way an
annotation is a plain dict, applied by ``Project`` after the article is in place:

* ``{"kind": "label", "line", "start", "end", "text", "annotator", "stance": {target key: VALUE},
  "frames", "irrelevant", "note", "created", "updated", "decided_by", "targets"}`` where
  ``start``/``end`` are the sentence's offsets in the article (``text``, when given, is checked and
  used to find the sentence if the offsets do not match) and ``targets`` maps target keys to
  ``{"id", "name", "kind"}`` as the exporting project knew them;
* ``{"kind": "mention", "line", "start", "end", "label", "raw_label", "text", "origin", "target",
  "targets"}`` with article offsets (used for an article that has no entities yet).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..export.flat import parse_flat, parse_stance_choice
from ..model import ImportIssue
from .base import RawArticle, file_text, register
from .encoding import decode, jsonl_lines
from .fields import text_fields
from .jsonsafe import MAX_DEPTH, JsonError, check_depth, decoder, loads, too_deep, value_end

Annotation = dict[str, Any]
_SNIFF_BYTES = 1 << 16


@dataclass
class RawLabels:
    """Labels for sentences of an article that should already be in the project."""

    article_id: str
    source: str
    line: int | None
    annotations: list[Annotation] = field(default_factory=list)


# -- sniffing ---------------------------------------------------------------------------------------


def _first_object(path: Path) -> dict[str, Any] | None:
    """The first non-empty line of a JSONL file as an object (None if it is not one)."""
    try:
        with open(path, "rb") as fh:
            for raw in fh:
                if raw.strip():
                    obj = loads(decode(raw)[0])
                    return obj if isinstance(obj, dict) else None
    except (OSError, ValueError):
        return None
    return None


def _is_native_sentences(path: Path) -> bool:
    obj = _first_object(path)
    return obj is not None and all(k in obj for k in ("id", "article_id", "start", "end", "labels")) \
        and "sentences" not in obj


def _is_native_articles(path: Path) -> bool:
    obj = _first_object(path)
    return (obj is not None and isinstance(obj.get("text"), str)
            and isinstance(obj.get("sentences"), list))


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    """doccano keeps extra columns as metadata; depending on version they come back at the top
    level or under ``meta``."""
    meta = obj.get("meta")
    return {**(meta if isinstance(meta, dict) else {}), **obj}


# -- helpers ----------------------------------------------------------------------------------------


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any] | ImportIssue]]:
    text, _, issues = file_text(path)
    for issue in issues:
        yield 0, issue
    for lineno, raw in enumerate(jsonl_lines(text), start=1):
        if not raw.strip():
            continue
        try:
            obj = loads(raw)
        except JsonError as exc:
            yield lineno, ImportIssue(str(path), lineno, f"{exc}; line skipped")
            continue
        if not isinstance(obj, dict):
            yield lineno, ImportIssue(str(path), lineno, "expected a JSON object; line skipped")
            continue
        yield lineno, obj


def _label(line: int | None, start: Any, end: Any, text: Any, annotator: str,
           label: dict[str, Any], targets: Any) -> Annotation:
    return {
        "kind": "label", "line": line, "start": start, "end": end,
        "text": text if isinstance(text, str) else None, "annotator": annotator,
        "stance": dict(label.get("stance") or {}), "frames": list(label.get("frames") or []),
        "irrelevant": bool(label.get("irrelevant")), "note": str(label.get("note") or ""),
        "created": label.get("created"), "updated": label.get("updated"),
        "decided_by": label.get("decided_by"),
        "targets": targets if isinstance(targets, dict) else {},
    }


def _offsets_ok(*values: Any) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values)


class _Grouper:
    """Collects per-sentence annotations into one RawLabels per run of lines of an article."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self.current: RawLabels | None = None

    def add(self, article_id: str, line: int | None, annotation: Annotation) -> Iterator[RawLabels]:
        if self.current is not None and self.current.article_id != article_id:
            yield self.current
            self.current = None
        if self.current is None:
            self.current = RawLabels(article_id, self.path, line)
        self.current.annotations.append(annotation)

    def flush(self) -> Iterator[RawLabels]:
        if self.current is not None:
            yield self.current
            self.current = None


def _sentence_link(path: Path, line: int | None, where: dict[str, Any]
                   ) -> tuple[str, int, int] | ImportIssue:
    article_id, start, end = where.get("article_id"), where.get("start"), where.get("end")
    if not isinstance(article_id, str) or not _offsets_ok(start, end):
        return ImportIssue(str(path), line, "no article_id/start/end to find the sentence by; skipped")
    return article_id, start, end


# -- native JSONL -----------------------------------------------------------------------------------


@register("native-sentences", (".jsonl", ".ndjson"), sniff=_is_native_sentences)
def read_native_sentences(path: Path) -> Iterator[RawLabels | ImportIssue]:
    """Our sentence lines: every annotator's label (the resolved ``label`` is not imported)."""
    group = _Grouper(path)
    for lineno, obj in _lines(path):
        if isinstance(obj, ImportIssue):
            yield obj
            continue
        link = _sentence_link(path, lineno, obj)
        labels = obj.get("labels")
        if isinstance(link, ImportIssue):
            yield link
            continue
        if not isinstance(labels, dict):
            yield ImportIssue(str(path), lineno, '"labels" must be an object; line skipped')
            continue
        for annotator, label in sorted(labels.items()):
            if isinstance(label, dict):
                yield from group.add(link[0], lineno, _label(lineno, link[1], link[2], obj.get("text"),
                                                             annotator, label, obj.get("targets")))
    yield from group.flush()


@register("native-articles", (".jsonl", ".ndjson"), sniff=_is_native_articles)
def read_native_articles(path: Path) -> Iterator[RawArticle | ImportIssue]:
    """Our article lines: the article itself, its sentence labels and its entities."""
    for lineno, obj in _lines(path):
        if isinstance(obj, ImportIssue):
            yield obj
            continue
        text = obj.get("text")
        if not isinstance(text, str) or not text.strip():
            yield ImportIssue(str(path), lineno, 'missing or empty "text"; line skipped')
            continue
        targets = obj.get("targets")
        annotations: list[Annotation] = []
        for s in obj.get("sentences") or []:
            if not isinstance(s, dict) or not _offsets_ok(s.get("start"), s.get("end")):
                yield ImportIssue(str(path), lineno, "a sentence without start/end was skipped")
                continue
            for annotator, label in sorted((s.get("labels") or {}).items()):
                if isinstance(label, dict):
                    annotations.append(_label(lineno, s["start"], s["end"], None, annotator, label,
                                              targets))
        for e in obj.get("entities") or []:
            if isinstance(e, dict) and _offsets_ok(e.get("start"), e.get("end")):
                annotations.append({"kind": "mention", "line": lineno, "start": e["start"],
                                    "end": e["end"], "label": e.get("label"),
                                    "raw_label": e.get("raw_label"), "text": e.get("text"),
                                    "origin": e.get("origin"), "target": e.get("target"),
                                    "targets": targets if isinstance(targets, dict) else {}})
        meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
        values, extra, problems = text_fields(obj, ("title", "outlet", "date", "url", "lang"))
        for problem in problems:
            yield ImportIssue(str(path), lineno, problem)
        yield RawArticle(text=text, source=str(path), line=lineno, meta={**meta, **extra},
                         annotations=annotations, **values)


# -- JSON arrays (Label Studio) ---------------------------------------------------------------------


def _tasks(text: str) -> Iterator[tuple[int, Any]]:
    """(line, task) for each element of a JSON array, with the line the element starts on; a
    task nested too deep or holding a number we refuse comes as a :class:`JsonError` instead, and
    the tasks after it are still read. A syntax error raises (the rest cannot be found)."""
    parse = decoder()
    deep = too_deep(text, MAX_DEPTH + 1)  # the array of tasks is one level
    pos = text.index("[") + 1
    line = 1 + text.count("\n", 0, pos)
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            if text[pos] == "\n":
                line += 1
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return
        obj: Any
        try:
            if deep and text[pos] in "[{":
                check_depth(text[pos:value_end(text, pos)])
            obj, end = parse.raw_decode(text, pos)
        except JsonError as exc:  # not a syntax error: step over this task
            obj, end = exc, value_end(text, pos) if text[pos] in "[{" else pos + 1
        yield line, obj
        line += text.count("\n", pos, end)
        pos = end
