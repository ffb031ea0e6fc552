"""doccano text classification (JSONL): sentence text and a label list, sentence ids as metadata."""
from __future__ import annotations

from typing import Any

from .base import Exporter, register
from .flat import flat_labels
from .records import ArticleBundle

META_FIELDS = ("article_id", "start", "end", "index", "title", "outlet", "date", "lang")


@register
class Doccano(Exporter):
    name = "doccano"
    title = "doccano JSONL: text + label list (frame:…, stance:target:VALUE, irrelevant)"
    signature = frozenset({"text", "sentence_id", "label", "article_id", "index"})

    def write(self, bundle: ArticleBundle) -> None:
        for rec in bundle.records:
            for annotator, label in self.ctx.units(rec):
                # Fields other than text and label become doccano metadata and come back on export.
                row: dict[str, Any] = {"text": rec["text"], "sentence_id": rec["id"],
                                       **{k: rec[k] for k in META_FIELDS}}
                if "split" in rec:
                    row["split"] = rec["split"]
                row["label"] = flat_labels(label) if label is not None else []
                # Every row has the same keys, "" for none: doccano reads the file as one
                # table, and a key missing from a row became NaN, which it cannot store.
                row["annotator"] = annotator or ""
                for key in ("note", "created", "updated", "decided_by"):
                    row[key] = str(label.get(key) or "") if label is not None else ""
                self.line(row)


@register
class DoccanoSpans(Exporter):
    """doccano sequence labelling: one row per sentence, ``label`` its entity spans as
    ``[start, end, "LABEL"]`` (offsets in ``text``); the same uniform metadata keys."""

    name = "doccano-spans"
    title = "doccano JSONL sequence labelling: text + entity spans [[start, end, \"ORG\"]]"
    signature = frozenset({"text", "sentence_id", "label", "article_id", "index", "origins"})

    def write(self, bundle: ArticleBundle) -> None:
        for rec in bundle.records:
            spans = sorted(rec["entities"], key=lambda e: (e["start"], e["end"]))
            row: dict[str, Any] = {"text": rec["text"], "sentence_id": rec["id"],
                                   **{k: rec[k] for k in META_FIELDS},
                                   "split": rec.get("split", ""),
                                   "label": [[e["start"], e["end"], e["label"]] for e in spans],
                                   # Who found each span (a model, an annotator): doccano keeps
                                   # it as metadata, one string so every row has the same type.
                                   "origins": ";".join(str(e["origin"]) for e in spans)}
            self.line(row)
