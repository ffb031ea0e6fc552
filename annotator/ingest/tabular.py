"""JSONL and CSV article files: a ``text`` field plus optional title, outlet, date, url, lang, id."""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any, Iterator

from ..model import ImportIssue
from .base import RawArticle, ReadResult, file_text, register
from .encoding import jsonl_lines
from .fields import text_fields
from .jsonsafe import JsonError, loads

FIELDS = ("title", "outlet", "date", "url", "lang", "id")


def row_to_article(row: dict[str, Any], path: Path, line: int) -> Iterator[ReadResult]:
    """One record to a ``RawArticle`` (and an issue per field left out), or an issue naming the
    file and line."""
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        yield ImportIssue(str(path), line, 'missing or empty "text" field; row skipped')
        return
    values, extra, problems = text_fields(row, FIELDS)
    for problem in problems:
        yield ImportIssue(str(path), line, problem)
    meta = {k: v for k, v in row.items() if k not in FIELDS and k != "text" and v not in (None, "")}
    yield RawArticle(text=text, source=str(path), line=line, meta={**meta, **extra}, **values)


@register("jsonl", (".jsonl", ".ndjson"))
def read_jsonl(path: Path) -> Iterator[ReadResult]:
    text, _, issues = file_text(path)
    yield from issues
    for lineno, raw in enumerate(jsonl_lines(text), start=1):
        if not raw.strip():
            continue
        try:
            row = loads(raw)
        except JsonError as exc:
            yield ImportIssue(str(path), lineno, f"{exc}; row skipped")
            continue
        if not isinstance(row, dict):
            yield ImportIssue(str(path), lineno, "expected a JSON object; row skipped")
            continue
        yield from row_to_article(row, path, lineno)


def _delimiter(path: Path, text: str) -> str:
    """Tab for .tsv; for .csv the first of , ; tab that gives a "text" column (spreadsheets in
    many locales save CSV with semicolons)."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    header = text.split("\n", 1)[0]
    for delimiter in (",", ";", "\t"):
        if "text" in next(csv.reader([header], delimiter=delimiter), []):
            return delimiter
    return ","


@register("csv", (".csv", ".tsv"))
def read_csv(path: Path) -> Iterator[ReadResult]:
    text, _, issues = file_text(path)
    yield from issues
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # articles are long fields
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(path, text))
    if reader.fieldnames is None or "text" not in reader.fieldnames:
        yield ImportIssue(str(path), 1, 'the header row has no "text" column; file skipped')
        return
    start = 2
    try:
        for row in reader:
            if None in row:
                yield ImportIssue(str(path), start, "more fields than the header; row skipped")
            else:
                yield from row_to_article(row, path, start)
            start = reader.line_num + 1
    except csv.Error as exc:
        yield ImportIssue(str(path), reader.line_num, f"CSV error: {exc}; rest of file skipped")
