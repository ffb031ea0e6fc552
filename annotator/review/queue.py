"""The adjudication queue: sentences whose annotators disagree come first."""
from __future__ import annotations

from bisect import bisect_left
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
    # Article order kept inside each group (a sort by key held the GIL ~0.15 s on a big project).
    return [it for it in items if it.disagreement] + [it for it in items if not it.disagreement]




#: The adjudication queue's filters, the default one first shown.
FILTERS = ("All", "Disagreements", "Undecided")
DEFAULT_FILTER = "Disagreements"


class ReviewQueue:
    """The queue's items with what the adjudication view asks of them at every decision — how
    many are decided, an item by its sentence, an item's row under a filter — kept up to date
    in constant (or logarithmic) time, and the rows of each filter. Built away from the GUI
    thread: on a big project a pass over the items takes a good part of a second."""

    def __init__(self, items: list[ReviewItem]) -> None:
        self.items = items
        # Comprehensions, not dict(zip(...)): built in a background thread, and a loop in C
        # over 1M items holds the GIL throughout (a 0.3 s stall of the window).
        self.position = {it.sentence_id: i for i, it in enumerate(items)}  # sentence -> item
        self.differ = sum(1 for it in items if it.disagreement)
        self._decided = {it.sentence_id for it in items if it.decided}
        self._decided_differ = {it.sentence_id for it in items if it.decided and it.disagreement}
        self._rows: dict[str, tuple[list[ReviewItem], Sequence[int]]] = {}
        self.rows(DEFAULT_FILTER)  # what the view shows first, ready before it is shown

    def item(self, sentence_id: int) -> ReviewItem | None:
        at = self.position.get(sentence_id)
        return None if at is None else self.items[at]

    @property
    def decided(self) -> int:
        return len(self._decided)

    @property
    def open_differ(self) -> int:
        """Items whose annotators disagree and that have no gold label yet."""
        return self.differ - len(self._decided_differ)

    def changed(self, item: ReviewItem) -> None:
        """``item``'s gold label was set or removed."""
        for ids, counts in ((self._decided, True), (self._decided_differ, item.disagreement)):
            if counts and item.decided:
                ids.add(item.sentence_id)
            else:
                ids.discard(item.sentence_id)
        self._rows.pop("Undecided", None)  # its rows depend on the decisions

    def rows(self, name: str) -> tuple[list[ReviewItem], Sequence[int]]:
        """The items filter ``name`` shows, in order, and their positions among all the items
        (increasing: :meth:`row_in` finds a sentence's row by bisection, no index to build)."""
        if name not in self._rows:
            # (attributes rather than the properties: on 1M items this runs on the GUI thread
            # when the reviewer switches filters)
            items = self.items
            positions: Sequence[int]
            if name == "All":
                positions = range(len(items))
                rows = items
            elif name in ("Disagreements", "Undecided"):
                if name == "Disagreements":
                    positions = [i for i, it in enumerate(items) if it.differs]
                else:
                    positions = [i for i, it in enumerate(items) if it.gold is None]
                rows = [items[i] for i in positions]
            else:
                raise ValueError(f"no filter {name!r} (filters: {', '.join(FILTERS)})")
            self._rows[name] = rows, positions
        return self._rows[name]

    def row_in(self, positions: Sequence[int], sentence_id: int) -> int:
        """The row of ``sentence_id`` among rows at ``positions`` (from :meth:`rows`), or -1."""
        at = self.position.get(sentence_id)
        if at is None:
            return -1
        row = bisect_left(positions, at)
        return row if row < len(positions) and positions[row] == at else -1
