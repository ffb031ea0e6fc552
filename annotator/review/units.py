"""Sentences with two or more annotators' labels, read from a project (the input of every review view)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ..model import GOLD_ANNOTATOR, STANCE_VALUES, Label
from ..progress import Progress

#: The category of a target that an annotator gave no stance to, on a sentence they labelled.
NO_STANCE = "none"
STANCE_CATEGORIES: tuple[str, ...] = (*STANCE_VALUES, NO_STANCE)
#: Stance as a number for means: AGAINST -1, NEUTRAL 0, FAVOR +1.
STANCE_SCORE = {"AGAINST": -1.0, "NEUTRAL": 0.0, "FAVOR": 1.0}


# -- units ------------------------------------------------------------------------------------------


@dataclass
class Unit:
    """A sentence with the human labels it got (gold left out) and the targets mentioned in it."""

    sentence_id: int
    article_id: str
    index: int
    labels: dict[str, Label]
    mentioned: frozenset[int] = frozenset()


@dataclass
class ProjectLabels:
    """Everything the report, the review queue and the charts read from a project, read once."""

    units: list[Unit]  # every labelled sentence, in article order, with its human labels
    gold: dict[int, Label]
    annotators: list[str]
    targets: dict[int, str]  # id -> name
    frames: list[tuple[str, str]]  # codebook (id, name)
    articles: dict[str, tuple[str, str | None]]  # id -> (title, outlet), in import order


def read_project(project: Any, progress: Progress | None = None) -> ProjectLabels:
    """Read labels, targets and articles from ``project`` (a :class:`annotator.project.Project`)."""
    store = project.store
    headers = store.article_headers()
    where = store.labelled_sentences()
    mentioned = store.mentioned_targets()
    by_sentence: dict[int, dict[str, Label]] = defaultdict(dict)
    gold: dict[int, Label] = {}
    for n, label in enumerate(store.iter_labels()):
        if label.annotator == GOLD_ANNOTATOR:
            gold[label.sentence_id] = label
        else:
            by_sentence[label.sentence_id][label.annotator] = label
        if progress is not None and n % 5000 == 0:
            progress.check()
    # In article order, then sentence order: the order ``where`` comes in (no sort of 1M units).
    units = [
        Unit(sid, aid, index, by_sentence[sid], frozenset(mentioned.get(sid, ())))
        for sid, (aid, index) in where.items() if sid in by_sentence
    ]
    return ProjectLabels(
        units=units, gold=gold, annotators=project.annotators(),
        targets={t.id: t.name for t in project.targets() if t.id is not None},
        frames=[(f.id, f.name) for f in project.codebook.frames],
        articles={aid: (title, outlet) for aid, title, outlet in headers},
    )


