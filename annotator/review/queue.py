"""The adjudication queue: sentences whose annotators disagree come first."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from ..model import Label
from .units import ProjectLabels

# -- the adjudication queue --------------------------------------------------------------------------


def differing_fields(labels: Iterable[Label]) -> set[str]:
    """Which parts the labels disagree on: "stance:<target id>", "frames", "irrelevant"."""
    labs = list(labels)
    out: set[str] = set()
    if len(labs) < 2:
        return out
    for t in {t for lab in labs for t in lab.stance}:
        if len({lab.stance.get(t) for lab in labs}) > 1:
            out.add(f"stance:{t}")
    if len({frozenset(lab.frames) for lab in labs}) > 1:
        out.add("frames")
    if len({lab.irrelevant for lab in labs}) > 1:
        out.add("irrelevant")
    return out


@dataclass
class ReviewItem:
    sentence_id: int
    article_id: str
    index: int
    labels: dict[str, Label]  # human labels, by annotator
    gold: Label | None
    differs: set[str]

    @property
    def disagreement(self) -> bool:
        return bool(self.differs)

    @property
    def decided(self) -> bool:
        return self.gold is not None


def review_queue(data: ProjectLabels, annotators: Sequence[str] | None = None) -> list[ReviewItem]:
    """Every labelled sentence, disagreements first, then in article order."""
    items = []
    for u in data.units:
        labels = {a: lab for a, lab in u.labels.items() if not annotators or a in annotators}
        if not labels:
            continue
        items.append(ReviewItem(u.sentence_id, u.article_id, u.index, labels,
                                data.gold.get(u.sentence_id), differing_fields(labels.values())))
    # The sort is stable: article order is kept inside each group.
    items.sort(key=lambda it: not it.disagreement)
    return items


