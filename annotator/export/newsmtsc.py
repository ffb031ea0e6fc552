"""NewsMTSC-style target-dependent sentiment (JSONL): one line per sentence, target and label."""
from __future__ import annotations

from typing import Any

from .base import Exporter, register
from .records import ArticleBundle

#: NewsMTSC's polarity scale: 2.0 negative, 4.0 neutral, 6.0 positive.
POLARITY = {"AGAINST": 2.0, "NEUTRAL": 4.0, "FAVOR": 6.0}


@register
class NewsMTSC(Exporter):
    name = "newsmtsc"
    title = "NewsMTSC JSONL: sentence, target mention (from/to) and polarity, per stance label"
    signature = frozenset({"primary_gid", "sentence_normalized", "targets", "sentence_id"})

    def begin(self) -> None:
        self.unplaced = 0

    def write(self, bundle: ArticleBundle) -> None:
        for rec in bundle.records:
            by_target: dict[str, list[dict[str, Any]]] = {}
            for e in rec["entities"]:
                if e["target"] is not None:
                    by_target.setdefault(e["target"], []).append(e)
            for annotator, label in self.ctx.units(rec):
                if label is None:
                    continue
                for key, value in sorted(label["stance"].items()):
                    mentions = by_target.get(key)
                    if not mentions:
                        self.unplaced += 1  # stance toward a target the sentence does not name
                        continue
                    first, *more = mentions
                    self.line({
                        "primary_gid": f"{rec['id']}:{key}:{annotator}",
                        "sentence_normalized": rec["text"],
                        "targets": [{
                            "Input.gid": f"{rec['id']}:{key}",
                            "from": first["start"], "to": first["end"], "mention": first["text"],
                            "polarity": POLARITY[value],
                            "further_mentions": [{"from": m["start"], "to": m["end"],
                                                  "mention": m["text"]} for m in more],
                        }],
                        "target": key, "target_id": rec["targets"][key]["id"],
                        "annotator": annotator, "sentence_id": rec["id"],
                        **({"split": rec["split"]} if "split" in rec else {}),
                    })

    def end(self) -> None:
        if self.unplaced:
            self.note(f"{self.unplaced} stance labels left out: their target is not mentioned "
                      "in the sentence (NewsMTSC needs a mention)")
