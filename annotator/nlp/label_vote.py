"""One label per target: the kind by vote of the models' mentions, annotators' corrections first."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from annotator.model import Mention, Target

#: Kinds a vote may settle; MISC targets (and MISC mentions) are left as they are.
VOTING: tuple[str, ...] = ("PER", "ORG", "LOC")


def is_correction(mention: Mention) -> bool:
    """A mention an annotator added or relabelled (their label is not up for a vote)."""
    return mention.origin.startswith("annotator:")


class LabelVotes:
    """Counts per target of the labels its mentions were found with, and the annotators' choices.

    ``kind(target)`` is the target's kind: the annotators' latest label if any, else the majority of
    the models' labels (ties keep the target's current kind). Pinned targets and targets linked to a
    gazetteer entry (``fixed``) keep their kind.
    """

    def __init__(self) -> None:
        self.model: dict[int, Counter[str]] = {}
        self.corrected: dict[int, str] = {}

    @classmethod
    def from_counts(cls, rows: Iterable[tuple[int, str, str | None, str, int]]) -> LabelVotes:
        """Votes from stored ``(target id, label, raw label, origin, count)`` rows: a model's vote is
        its raw label mapped to ours (the stored label may have been set by an earlier vote), an
        annotator's is the label they set; mentions the gazetteer found do not vote."""
        from annotator.nlp.entities import NATASHA_LABELS, SPACY_LABELS

        votes = cls()
        for tid, label, raw, origin, n in rows:
            if origin == "gazetteer":
                continue
            corrected = origin.startswith("annotator:")
            if not corrected and raw:
                label = (NATASHA_LABELS if origin.startswith("natasha") else SPACY_LABELS).get(raw, label)
            votes.add(tid, label, corrected=corrected, n=n)
        return votes

    def add(self, target_id: int, label: str, corrected: bool = False, n: int = 1) -> None:
        if label not in VOTING:
            return
        if corrected:
            self.corrected[target_id] = label
        else:
            self.model.setdefault(target_id, Counter())[label] += n

    def kind(self, target: Target, fixed: bool = False) -> str:
        if target.id is None or fixed or target.pinned or target.kind not in VOTING:
            return target.kind
        if target.id in self.corrected:
            return self.corrected[target.id]
        votes = self.model.get(target.id)
        if not votes:
            return target.kind
        best = max(votes.values())
        leaders = {label for label, n in votes.items() if n == best}
        return target.kind if target.kind in leaders else sorted(leaders)[0]


def apply_votes(
    mentions: Sequence[Mention],
    targets: Sequence[Target | None],
    votes: LabelVotes,
    fixed: Iterable[int] = (),
) -> list[Target]:
    """Count the mentions' labels, settle each target's kind and relabel mentions that disagree.

    ``targets[i]`` is the target of ``mentions[i]`` (None: no target). A relabelled mention keeps the
    model's label in ``raw_label``. Returns targets whose kind changed (to be saved).
    """
    fixed_ids = set(fixed)
    for m, t in zip(mentions, targets):
        # Names the gazetteer found copy a label: only the models' and the annotators' labels vote.
        if t is not None and t.id is not None and m.origin != "gazetteer":
            votes.add(t.id, m.label, corrected=is_correction(m))
    changed: list[Target] = []
    seen: set[int] = set()
    for m, t in zip(mentions, targets):
        if t is None or t.id is None:
            continue
        if t.id not in seen:
            seen.add(t.id)
            kind = votes.kind(t, fixed=t.id in fixed_ids)
            if kind != t.kind:
                t.kind = kind
                changed.append(t)
        if t.kind in VOTING and m.label != t.kind and not is_correction(m):
            m.label = t.kind
    return changed
