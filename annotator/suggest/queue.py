"""Queue orders from the stored suggestions: where the model and the annotators disagree."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import GOLD_ANNOTATOR
from .service import MODEL_NAME, Suggestion


@dataclass(frozen=True)
class Disagreement:
    sentence_id: int
    annotator: str
    what: str  # "frames economic vs political; Russia AGAINST vs FAVOR"
    confidence: float  # the model's confidence in what it says instead (highest first)


def disagreements(project: Any, annotator: str | None = None) -> list[Disagreement]:
    """Labelled sentences whose label differs from the model's stored suggestion, the model's
    most confident objections first (a reviewer's queue). Gold labels count as labels."""
    store = project.store
    out: list[Disagreement] = []
    labels = [lab for lab in project.iter_labels()
              if annotator is None or lab.annotator == annotator]
    stored = store.suggestions_of(MODEL_NAME, {lab.sentence_id for lab in labels})
    names = {t.id: t.name for t in project.targets()}
    for lab in labels:
        row = stored.get(lab.sentence_id)
        if row is None:
            continue
        s = Suggestion.from_label(row)
        bits, conf = [], 0.0
        frames = [] if s.is_irrelevant else s.chosen_frames
        if not lab.irrelevant and sorted(frames) != sorted(lab.frames):
            bits.append(f"frames {', '.join(lab.frames) or 'none'} vs {', '.join(frames) or 'none'}")
            diff = set(frames) ^ set(lab.frames)
            conf = max([conf] + [abs(2 * s.frames.get(f, 0.0) - 1) for f in diff])
        if lab.irrelevant != s.is_irrelevant and not lab.stance:
            bits.append(f"irrelevant {lab.irrelevant} vs {s.is_irrelevant}")
            conf = max(conf, abs(2 * s.irrelevant - 1))
        for tid, value in lab.stance.items():
            got = s.stance.get(tid)
            if got is not None and got[0] != value:
                bits.append(f"{names.get(tid, tid)} {value} vs {got[0]}")
                conf = max(conf, got[1])
        if bits:
            who = lab.annotator if lab.annotator != GOLD_ANNOTATOR else "gold"
            out.append(Disagreement(lab.sentence_id, who, "; ".join(bits), round(conf, 4)))
    out.sort(key=lambda d: (-d.confidence, d.sentence_id))
    return out
