"""Prodigy tasks (JSONL): sentence text, entity spans, choice options with the accepted ones."""
from __future__ import annotations

from typing import Any

from ..model import STANCE_VALUES
from .base import Exporter, register
from .flat import FRAME, IRRELEVANT, STANCE, flat_labels, stance_choice
from .records import ArticleBundle, Record

META_FIELDS = ("id", "article_id", "index", "start", "end", "title", "outlet", "date", "lang")


def options(rec: Record, frames: list[tuple[str, str]]) -> list[dict[str, str]]:
    """Every frame of the codebook, irrelevant, and the three stances toward each target the
    sentence mentions or was labelled with."""
    out = [{"id": FRAME + fid, "text": name} for fid, name in frames]
    out.append({"id": IRRELEVANT, "text": "irrelevant"})
    for key in sorted(rec["targets"]):
        out += [{"id": STANCE + stance_choice(key, v), "text": f"{key}: {v.lower()}"}
                for v in STANCE_VALUES]
    return out


@register
class Prodigy(Exporter):
    name = "prodigy"
    title = "Prodigy JSONL: text, entity spans, options and accept (one task per label)"
    signature = frozenset({"text", "meta", "spans", "options"})

    def begin(self) -> None:
        self.frames = [(f.id, f.name) for f in self.ctx.builder.codebook.frames]

    def write(self, bundle: ArticleBundle) -> None:
        for rec in bundle.records:
            base: dict[str, Any] = {
                "text": rec["text"],
                "meta": {k: rec[k] for k in META_FIELDS} | ({"split": rec["split"]}
                                                           if "split" in rec else {}),
                "spans": [{"start": e["start"], "end": e["end"], "label": e["label"],
                           "text": e["text"]} for e in rec["entities"]],
                "options": options(rec, self.frames),
            }
            for annotator, label in self.ctx.units(rec):
                task = dict(base)
                if label is not None:
                    task["accept"] = flat_labels(label)
                    task["answer"] = "accept"
                    task["_annotator_id"] = annotator
                    extra = {k: label[k] for k in ("note", "created", "updated", "decided_by")
                             if label.get(k)}
                    if extra:
                        task["meta"] = {**base["meta"], **extra}
                self.line(task)
