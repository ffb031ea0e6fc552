"""Training examples from a project's labels: one per labelled sentence (frames) and per
(sentence, target) with a stance, the target's mention marked in the text."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from ..model import GOLD_ANNOTATOR, Label

#: Markers put around the target's mention (and before other targets' mentions). Plain words,
#: so both the word and the character n-grams see them; nothing in news text spells them.
TARGET_OPEN, TARGET_CLOSE, OTHER = " qqtgt ", " qqend ", " qqoth "
IRRELEVANT = "__irrelevant__"


@dataclass(frozen=True)
class Unit:
    """A sentence the model reads: its text, language and linked mentions (start, end, target)."""

    id: int
    text: str
    lang: str
    mentions: tuple[tuple[int, int, int], ...] = ()


def frame_input(unit: Unit) -> str:
    return f"qqlang{unit.lang} {unit.text}"


def stance_input(unit: Unit, target_id: int, name: str = "") -> str:
    """The sentence with ``target_id``'s mentions between markers and other targets' flagged;
    a target not mentioned (a pinned one) is named at the end between markers."""
    text, out, pos, found = unit.text, [], 0, False
    for start, end, tid in unit.mentions:
        if start < pos or end > len(text):
            continue
        out.append(text[pos:start])
        if tid == target_id:
            out.append(f"{TARGET_OPEN}{text[start:end]}{TARGET_CLOSE}")
            found = True
        else:
            out.append(f"{OTHER}{text[start:end]}")
        pos = end
    out.append(text[pos:])
    marked = "".join(out)
    if not found:
        marked += f" qqnomention{TARGET_OPEN}{name}{TARGET_CLOSE}"
    return f"qqlang{unit.lang} {marked}"


@dataclass
class Examples:
    """What the model learns from: per labelled sentence its frames (and irrelevant), and the
    stance pairs. ``frame_ids`` are the codebook's, in its order."""

    frame_ids: list[str]
    units: list[Unit] = field(default_factory=list)
    frames: list[list[str]] = field(default_factory=list)  # per unit; IRRELEVANT included
    stance_units: list[Unit] = field(default_factory=list)
    stance_targets: list[int] = field(default_factory=list)
    stance_values: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [*self.frame_ids, IRRELEVANT]

    def __len__(self) -> int:
        return len(self.units)


def chosen_labels(labels: Iterable[Label]) -> dict[int, Label]:
    """One label per sentence: the gold one when adjudicated, else the latest human label."""
    out: dict[int, Label] = {}
    for lab in labels:
        have = out.get(lab.sentence_id)
        if have is not None and have.annotator == GOLD_ANNOTATOR:
            continue
        if (have is None or lab.annotator == GOLD_ANNOTATOR
                or (lab.updated or "") > (have.updated or "")):
            out[lab.sentence_id] = lab
    return out


def build_examples(units: dict[int, Unit], labels: Iterable[Label],
                   frame_ids: Sequence[str], names: dict[int, str] | None = None) -> Examples:
    """Examples from ``labels`` over ``units`` (sentences without a unit, e.g. boilerplate, are
    left out). Frames outside the codebook are ignored (the codebook changed since)."""
    ex = Examples(list(frame_ids))
    known = set(frame_ids)
    for sid, lab in sorted(chosen_labels(labels).items()):
        unit = units.get(sid)
        if unit is None or lab.empty or (not lab.frames and not lab.irrelevant and not lab.stance):
            continue  # a note alone says nothing the model could learn
        ex.units.append(unit)
        ex.frames.append([f for f in lab.frames if f in known]
                         + ([IRRELEVANT] if lab.irrelevant else []))
        for tid, value in sorted(lab.stance.items()):
            ex.stance_units.append(unit)
            ex.stance_targets.append(tid)
            ex.stance_values.append(value)
    return ex
