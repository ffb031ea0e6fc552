"""The native format: JSON Lines, one sentence per line (resources/schemas/sentence.schema.json)."""
from __future__ import annotations

import orjson

from .base import Exporter, dumps, register
from .records import ArticleBundle, Record

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


def encode_line(rec: Record) -> bytes:
    """One record as :func:`~annotator.export.base.dumps` spells it, plus ``\\n``, as UTF-8.

    orjson writes the same bytes as ``dumps`` for strings, ints, booleans, None, lists and dicts
    with string keys, but not for floats (``1e-05`` against ``0.00001``) nor NaN (``null``, where
    ``dumps`` refuses). Floats can only come from stored suggestions (confidences, a model's
    ``version``), so records that carry one take ``dumps``; so does anything orjson refuses.
    """
    if "suggested" not in rec and not any(lab["suggestion"] is not None
                                          for lab in rec["labels"].values()):
        try:
            return orjson.dumps(rec, option=_OPTIONS)
        except orjson.JSONEncodeError:
            pass  # e.g. an int over 64 bits or a lone surrogate: as dumps has it (or its error)
    return (dumps(rec) + "\n").encode("utf-8")


@register
class NativeJsonl(Exporter):
    name = "jsonl"
    title = ("native JSONL: one line per sentence with entities, every annotator's label and the"
             " resolved one")
    signature = frozenset({"id", "article_id", "index", "text", "labels", "label", "codebook"})
    writes_lines = True

    def write(self, bundle: ArticleBundle) -> None:
        self.binary_stream().write(b"".join(map(encode_line, bundle.records)))
        self.rows += len(bundle.records)

    def write_lines(self, lines: list[bytes]) -> None:
        self.binary_stream().write(b"".join(lines))
        self.rows += len(lines)
