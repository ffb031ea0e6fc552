"""The native format: JSON Lines, one sentence per line (resources/schemas/sentence.schema.json)."""
from __future__ import annotations

from .base import Exporter, register
from .records import ArticleBundle


@register
class NativeJsonl(Exporter):
    name = "jsonl"
    title = ("native JSONL: one line per sentence with entities, every annotator's label and the"
             " resolved one")
    signature = frozenset({"id", "article_id", "index", "text", "labels", "label", "codebook"})

    def write(self, bundle: ArticleBundle) -> None:
        for rec in bundle.records:
            self.line(rec)
