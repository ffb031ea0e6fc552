"""What an export is asked to do (ExportOptions) and what it did (ExportResult)."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

LABEL_MODES: tuple[str, ...] = ("all", "gold", "majority")

#: Split names by number of ratios given to ``--split``.
SPLIT_NAMES: dict[int, tuple[str, ...]] = {
    1: ("train",),
    2: ("train", "test"),
    3: ("train", "validation", "test"),
}


class ExportError(Exception):
    """A user-facing problem with an export (bad option, unknown format, unusable output path)."""


def parse_split(text: str) -> tuple[float, ...]:
    """``"0.8,0.1,0.1"`` -> ``(0.8, 0.1, 0.1)``; the ratios must be positive and sum to 1."""
    try:
        ratios = tuple(float(part) for part in text.split(","))
    except ValueError as exc:
        raise ExportError(f"--split wants numbers separated by commas, e.g. 0.8,0.1,0.1 ({exc})")
    check_split(ratios)
    return ratios


def check_split(ratios: tuple[float, ...]) -> None:
    if len(ratios) not in SPLIT_NAMES:
        raise ExportError("--split takes 1 to 3 ratios (train[,validation],test)")
    if any(not math.isfinite(r) or r < 0 for r in ratios) or not math.isclose(sum(ratios), 1.0,
                                                                           abs_tol=1e-6):
        raise ExportError(f"split ratios must be non-negative and sum to 1, not {ratios}")


@dataclass(frozen=True)
class ExportOptions:
    """Which sentences and labels go out.

    ``labels``: ``all`` keeps every annotator's label side by side (the resolved ``label`` is the
    one annotator's when ``annotators`` names exactly one); ``gold`` resolves to the adjudicated
    label; ``majority`` to a per-field vote of the human annotators, a value winning when it has
    strictly more votes than any other and at least ``min_agreement`` of the votes.
    """

    labels: str = "all"
    min_agreement: float = 0.5
    include_unlabelled: bool = False
    include_boilerplate: bool = False
    annotators: tuple[str, ...] = ()  # empty = every annotator (gold included)
    lang: str | None = None  # the article's language
    outlet: str | None = None
    split: tuple[float, ...] | None = None
    seed: int = 0

    def check(self) -> None:
        if self.labels not in LABEL_MODES:
            raise ExportError(f"--labels must be one of {', '.join(LABEL_MODES)}, not {self.labels!r}")
        if not 0.0 < self.min_agreement <= 1.0:
            raise ExportError(f"--min-agreement must be in (0, 1], not {self.min_agreement}")
        if self.split is not None:
            check_split(self.split)

    @property
    def split_names(self) -> tuple[str, ...]:
        return SPLIT_NAMES[len(self.split)] if self.split else ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "labels": self.labels, "min_agreement": self.min_agreement,
            "include_unlabelled": self.include_unlabelled,
            "include_boilerplate": self.include_boilerplate, "annotators": list(self.annotators),
            "lang": self.lang, "outlet": self.outlet,
            "split": list(self.split) if self.split else None, "seed": self.seed,
        }


@dataclass
class LabelCounts:
    """Counts over the label units written (a resolved label, or one annotator's label)."""

    sentences: int = 0
    labels: int = 0  # label units: resolved labels, or one per annotator with --labels all
    irrelevant: int = 0
    frames: Counter[str] = field(default_factory=Counter)
    stance: Counter[str] = field(default_factory=Counter)

    def add_unit(self, unit: dict[str, Any]) -> None:
        """Counts one label unit written (a record's resolved label or one annotator's)."""
        self.labels += 1
        self.irrelevant += bool(unit["irrelevant"])
        frames, stance = self.frames, self.stance  # Counter.update costs more here
        for frame in unit["frames"]:
            frames[frame] += 1
        for value in unit["stance"].values():
            stance[value] += 1

    def add(self, other: LabelCounts) -> None:
        """Counts ``other``'s units too (a worker process's, or a split's)."""
        self.sentences += other.sentences
        self.labels += other.labels
        self.irrelevant += other.irrelevant
        self.frames.update(other.frames)
        self.stance.update(other.stance)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sentences": self.sentences, "labels": self.labels, "irrelevant": self.irrelevant,
            "frames": dict(sorted(self.frames.items())), "stance": dict(sorted(self.stance.items())),
        }


@dataclass
class ExportResult:
    format: str
    out: str
    files: list[str] = field(default_factory=list)
    rows: int = 0  # rows (lines, tasks, records) the format wrote
    articles: int = 0
    sentences: int = 0
    counts: LabelCounts = field(default_factory=LabelCounts)
    splits: dict[str, dict[str, int]] = field(default_factory=dict)  # name -> articles, sentences
    split_counts: dict[str, LabelCounts] = field(default_factory=dict)
    tied_sentences: int = 0
    tie_examples: list[str] = field(default_factory=list)  # "sentence id: field" (first few)
    unresolved_fields: int = 0  # majority fields below --min-agreement (ties excluded)
    notes: list[str] = field(default_factory=list)  # what the format left out, and why
    cleaned: int = 0  # temporaries of killed exports removed beside OUT
    cleaned_bytes: int = 0
    cancelled: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.cancelled

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format, "out": self.out, "files": list(self.files), "rows": self.rows,
            "articles": self.articles, "sentences": self.sentences,
            "labels": self.counts.as_dict(),
            "splits": {name: {**self.splits[name], "labels": self.split_counts[name].as_dict()}
                       for name in self.splits},
            "tied_sentences": self.tied_sentences, "tie_examples": list(self.tie_examples),
            "unresolved_fields": self.unresolved_fields, "notes": list(self.notes),
            "cleaned": self.cleaned, "cleaned_bytes": self.cleaned_bytes,
            "cancelled": self.cancelled, "seconds": round(self.seconds, 3),
        }
