"""Spreadsheets with labels (CSV/TSV): a text column and label columns, one row per text and coder.

Label columns are recognised by name: ``stance``/``sentiment`` (and ``stance:<target>``),
``frame``/``frames``/``framing``, ``irrelevant``/``relevance``, ``label``/``labels``/``category``
/``class``, ``note``/``comment``. A ``target`` column names the stance's target, an
``annotator``/``coder``/``user`` column the annotator (else the file name). A cell may hold
several values separated by ``;``, ``|`` or ``#`` (commas too, when the whole value is not one
name: frame names contain commas). Other columns are article metadata, as in plain CSV.
"""
from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path
from typing import Iterator

from ..model import ImportIssue
from .base import register
from .encoding import decode
from .mapping import active, norm
from .peer import ARTICLE_FIELDS, PeerAnnotation, PeerTask

TEXT_COLUMNS = ("text", "sentence", "tweet", "content", "body")
LABEL_COLUMNS = ("label", "labels", "category", "categories", "class")
ANNOTATOR_COLUMNS = ("annotator", "coder", "user", "username")
_SPLIT = re.compile(r"\s*[;|#]\s*")


def _delimiter(path: Path, header: str) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    return max((",", ";", "\t"), key=lambda d: len(next(csv.reader([header], delimiter=d), [])))


def _columns(path: Path) -> tuple[list[str], str]:
    try:
        with open(path, "rb") as fh:
            head = decode(fh.read(1 << 16))[0].lstrip("\ufeff")
    except OSError:
        return [], ","
    first = head.split("\n", 1)[0].rstrip("\r")
    delimiter = _delimiter(path, first)
    return next(csv.reader([first], delimiter=delimiter), []), delimiter


def label_columns(header: list[str]) -> list[str]:
    roles = active()
    return [c for c in header if norm(c) in LABEL_COLUMNS or roles.role(c) != "auto"]


def _text_column(header: list[str]) -> str | None:
    lower = {norm(c): c for c in header}
    return next((lower[n] for n in TEXT_COLUMNS if n in lower), None)


def _is_sheet(path: Path) -> bool:
    header, _ = _columns(path)
    return _text_column(header) is not None and bool(label_columns(header)) and \
        "annotation_id" not in header


@register("sheet", (".csv", ".tsv"), sniff=_is_sheet)
def read_sheet(path: Path) -> Iterator[PeerTask | ImportIssue]:
    text, _ = decode(path.read_bytes())
    header, delimiter = _columns(path)
    text_col = _text_column(header)
    labels = label_columns(header)
    lower = {norm(c): c for c in header}
    who = next((lower[n] for n in ANNOTATOR_COLUMNS if n in lower), None)
    target_col = lower.get("target")
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    line = 2
    try:
        for row in reader:
            here, line = line, reader.line_num + 1
            if None in row:
                yield ImportIssue(str(path), here, "more fields than the header; row skipped")
                continue
            body = row.get(text_col or "") or ""
            if not body.strip():
                yield ImportIssue(str(path), here, f'empty "{text_col}" cell; row skipped')
                continue
            task = PeerTask(text=body, source=str(path), line=here, tool="spreadsheet",
                            article={k: row[c] for k in ARTICLE_FIELDS
                                     if (c := lower.get(k)) and row.get(c)})
            if target_col and row.get(target_col):
                task.meta["target"] = row[target_col].strip()
            ann = PeerAnnotation(annotator=(row.get(who) or "").strip() if who else "")
            ann.annotator = ann.annotator or path.stem
            for col in labels:
                cell = (row.get(col) or "").strip()
                if not cell:
                    continue
                if active().role(col) == "note":
                    ann.notes.append(cell)
                    continue
                parts = [p for p in _SPLIT.split(cell) if p]
                ann.choices += [(col, p) for p in parts]
            for col in header:
                if col in labels or col in (text_col, who, target_col) or not row.get(col):
                    continue
                if norm(col) not in ARTICLE_FIELDS:
                    task.meta[col] = row[col]
            if ann.choices or ann.notes:
                task.annotations.append(ann)
            yield task
    except csv.Error as exc:
        yield ImportIssue(str(path), reader.line_num, f"CSV error: {exc}; rest of file skipped")
