"""One label per sentence from several: the gold label, or a per-field majority vote."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Hashable, Sequence

from ..model import Label

TIE = "tie"
LOW = "below min agreement"

#: A voted field: ("stance", target id), ("frame", frame id) or ("irrelevant", None).
Field = tuple[str, "int | str | None"]


@dataclass
class Resolved:
    source: str  # "gold", "majority" or the annotator's name
    stance: dict[int, str] = field(default_factory=dict)
    frames: list[str] = field(default_factory=list)
    irrelevant: bool = False
    n_annotators: int = 1
    unresolved: dict[Field, str] = field(default_factory=dict)  # field -> TIE or LOW
    decided_by: str | None = None
    note: str = ""  # kept from a single label (gold or one annotator); a vote has none
    created: str | None = None
    updated: str | None = None

    @property
    def has_tie(self) -> bool:
        return TIE in self.unresolved.values()


def from_label(label: Label, source: str | None = None) -> Resolved:
    return Resolved(source=source or label.annotator, stance=dict(label.stance),
                    frames=list(label.frames), irrelevant=label.irrelevant, n_annotators=1,
                    decided_by=label.decided_by, note=label.note, created=label.created,
                    updated=label.updated)


def _vote(values: Sequence[Hashable], min_agreement: float) -> tuple[Hashable, str | None]:
    """The winning value, or (None, reason). One vote per annotator; a lone top value wins if it
    has at least ``min_agreement`` of the votes."""
    counts = Counter(values).most_common()
    top = counts[0][1]
    if len(counts) > 1 and counts[1][1] == top:
        return None, TIE
    if top / len(values) < min_agreement:
        return None, LOW
    return counts[0][0], None


def majority(labels: Sequence[Label], min_agreement: float, frame_order: Sequence[str]) -> Resolved:
    """Per-field vote over the annotators who labelled the sentence.

    Each annotator votes on every field someone used: a stance per target (an annotator who gave
    that target no stance votes "none"), each frame (in or out) and irrelevant (yes or no).
    Unresolved fields (ties, weak majorities) are left out of the label and listed.
    """
    n = len(labels)
    out = Resolved(source="majority", n_annotators=n)
    for tid in sorted({t for lab in labels for t in lab.stance}):
        value, why = _vote([lab.stance.get(tid) for lab in labels], min_agreement)
        if why:
            out.unresolved[("stance", tid)] = why
        elif value is not None:
            out.stance[tid] = str(value)
    used = {f for lab in labels for f in lab.frames}
    order = {f: i for i, f in enumerate(frame_order)}
    for fid in sorted(used, key=lambda f: (order.get(f, len(order)), f)):
        value, why = _vote([fid in lab.frames for lab in labels], min_agreement)
        if why:
            out.unresolved[("frame", fid)] = why
        elif value:
            out.frames.append(fid)
    if any(lab.irrelevant for lab in labels):
        value, why = _vote([lab.irrelevant for lab in labels], min_agreement)
        if why:
            out.unresolved[("irrelevant", None)] = why
        else:
            out.irrelevant = bool(value)
    return out
