"""Article-level JSONL: full text, entities and the selected sentences' labels (re-importable)."""
from __future__ import annotations

from typing import Any

from .base import Exporter, register
from .records import ArticleBundle, mention_dict

#: Sentence fields kept in an article line (the text is ``article.text[start:end]``).
SENTENCE_FIELDS = ("id", "index", "start", "end", "lang", "boilerplate", "labels", "label")


@register
class ArticleJsonl(Exporter):
    name = "articles"
    title = "article-level JSONL: full text, entities (article offsets) and sentence labels"
    signature = frozenset({"id", "text", "n_sentences", "sentences", "entities", "codebook"})

    def write(self, bundle: ArticleBundle) -> None:
        a = bundle.article
        keys = self.ctx.builder.keys
        obj: dict[str, Any] = {
            "id": a.id, "title": a.title, "outlet": a.outlet, "date": a.date, "url": a.url,
            "lang": a.lang, "meta": a.meta, "text": a.text, "n_sentences": a.n_sentences,
            "sentences": [{k: rec[k] for k in SENTENCE_FIELDS} for rec in bundle.records],
            "entities": [mention_dict(m, 0, keys) for m in bundle.mentions],
            "targets": bundle.targets,
            "codebook": self.ctx.builder.codebook.name,
        }
        if bundle.split is not None:
            obj["split"] = bundle.split
        self.line(obj)
