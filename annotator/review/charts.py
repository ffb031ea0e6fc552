"""Chart data: label distributions, progress over time and the outlet comparison."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ..model import GOLD_ANNOTATOR, STANCE_VALUES
from .units import STANCE_SCORE, ProjectLabels

# -- chart data --------------------------------------------------------------------------------------


@dataclass
class Distribution:
    """Per annotator (and gold): how often each frame and each stance value was chosen."""

    annotators: list[str]
    frames: list[tuple[str, str]]
    frame_counts: dict[str, list[int]]
    stance_counts: dict[str, list[int]]  # over STANCE_VALUES
    labels: dict[str, int]


def label_distribution(data: ProjectLabels) -> Distribution:
    frame_ids = [f for f, _ in data.frames]
    frames: dict[str, Counter[str]] = defaultdict(Counter)
    stances: dict[str, Counter[str]] = defaultdict(Counter)
    n: Counter[str] = Counter()
    all_labels = [lab for u in data.units for lab in u.labels.values()] + list(data.gold.values())
    for lab in all_labels:
        n[lab.annotator] += 1
        frames[lab.annotator].update(lab.frames)
        stances[lab.annotator].update(lab.stance.values())
    names = [a for a in data.annotators if a in n] + ([GOLD_ANNOTATOR] if data.gold else [])
    return Distribution(
        names, list(data.frames),
        {a: [frames[a][f] for f in frame_ids] for a in names},
        {a: [stances[a][v] for v in STANCE_VALUES] for a in names},
        dict(n),
    )


def _epoch(stamp: str | None) -> float | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp).timestamp()
    except ValueError:
        return None


#: Points per annotator in the progress chart: far more than a chart's pixels are wide, far fewer
#: than the labels of a big project (900,000 an annotator drew in ~0.2 s, and again at each repaint).
PROGRESS_POINTS = 2000


def progress_series(data: ProjectLabels, points: int = PROGRESS_POINTS
                    ) -> dict[str, tuple[list[float], list[int]]]:
    """Per annotator: label creation times (epoch seconds, sorted) and the running count —
    every label's, or ``points`` of them evenly spaced in the count, the first and the last
    among them (the curve is the same at any size a chart is drawn)."""
    times: dict[str, list[float]] = defaultdict(list)
    for u in data.units:
        for a, lab in u.labels.items():
            t = _epoch(lab.created)
            if t is not None:
                times[a].append(t)
    out = {}
    for a in data.annotators:
        if times.get(a):
            # numpy's sort lets go of the GIL (sorted() of 900,000 floats held it ~0.6 s: the
            # window, drawing while this runs in the background, stalled as long).
            ts = np.sort(np.array(times[a], dtype=np.float64))
            n = int(ts.size)
            if n <= points:
                out[a] = (ts.tolist(), list(range(1, n + 1)))
            else:
                picked = np.unique(np.round(np.arange(points) * ((n - 1) / (points - 1))).astype(np.int64))
                out[a] = (ts[picked].tolist(), (picked + 1).tolist())
    return out


@dataclass
class OutletComparison:
    """Frame shares and mean stance per target, side by side per outlet, from one label source."""

    source: str  # "all annotators", "gold" or an annotator name
    outlets: list[str]
    sentences: dict[str, int]  # labelled sentences per outlet
    frames: list[tuple[str, str]]
    frame_share: dict[str, list[float]]  # outlet -> share of its labels with each frame
    targets: list[tuple[int, str]]
    stance_mean: dict[str, list[float | None]]  # outlet -> mean stance (-1..1) per target
    stance_counts: dict[str, list[list[int]]]  # outlet -> per target counts over STANCE_VALUES


ALL_ANNOTATORS = "all annotators"
NO_OUTLET = "(no outlet)"


def outlet_comparison(data: ProjectLabels, source: str = ALL_ANNOTATORS,
                      max_targets: int = 8) -> OutletComparison:
    """Per outlet: share of labels with each frame, and mean stance toward the top targets.

    ``source`` is ``"all annotators"`` (every human label counts once), ``"gold"`` or a name.
    """
    # Counted in one pass, without a list of every label (freeing one of millions of tuples
    # held the GIL ~0.15 s, a stall of the window drawing while this runs in the background).
    n: Counter[str] = Counter()
    fcount: dict[str, Counter[str]] = defaultdict(Counter)
    scount: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    per_target: Counter[int] = Counter()
    for u in data.units:
        outlet = data.articles.get(u.article_id, ("", None))[1] or NO_OUTLET
        if source == GOLD_ANNOTATOR:
            chosen = [data.gold[u.sentence_id]] if u.sentence_id in data.gold else []
        elif source == ALL_ANNOTATORS:
            chosen = list(u.labels.values())
        else:
            chosen = [u.labels[source]] if source in u.labels else []
        for lab in chosen:
            n[outlet] += 1
            fcount[outlet].update(lab.frames)
            for t, v in lab.stance.items():
                scount[(outlet, t)][v] += 1
                per_target[t] += 1
    outlets = sorted(n, key=lambda o: (o == NO_OUTLET, o))
    frame_ids = [f for f, _ in data.frames]
    top = [t for t, _ in per_target.most_common(max_targets)]
    stance_mean: dict[str, list[float | None]] = {}
    stance_counts: dict[str, list[list[int]]] = {}
    for o in outlets:
        stance_counts[o] = [[scount[(o, t)][v] for v in STANCE_VALUES] for t in top]
        stance_mean[o] = [
            (sum(STANCE_SCORE[v] * c for v, c in zip(STANCE_VALUES, counts)) / sum(counts))
            if sum(counts) else None
            for counts in stance_counts[o]
        ]
    return OutletComparison(
        source, outlets, dict(n), list(data.frames),
        {o: [fcount[o][f] / n[o] if n[o] else 0.0 for f in frame_ids] for o in outlets},
        [(t, data.targets.get(t, f"target {t}")) for t in top], stance_mean, stance_counts,
    )

