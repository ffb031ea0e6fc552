"""Honest figures: cross-validated macro-F1 for frames and stance, chance levels, a learning curve."""
from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

from ..model import STANCE_VALUES
from .examples import IRRELEVANT, Examples, frame_input, stance_input
from .learner import DEFAULT_LEARNER, TextModel

#: Fewer labels than this and no figure is given (five folds of two or three sentences say nothing).
MIN_EXAMPLES = 20
FOLDS = 5
#: The learning curve is measured on this many of the folds (each point refits the model).
CURVE_FOLDS = 2
CURVE_POINTS = (20, 50, 100, 200, 400, 800, 1600, 3200, 6400)


def frame_matrix(ex: Examples) -> np.ndarray:
    cols = {c: j for j, c in enumerate(ex.columns)}
    y = np.zeros((len(ex.units), len(cols)), dtype=np.int8)
    for i, fs in enumerate(ex.frames):
        for f in fs:
            y[i, cols[f]] = 1
    return y


def frames_f1(y_true: np.ndarray, y_pred: np.ndarray, ex: Examples) -> float:
    """Macro-F1 over the codebook's frames that occur in the labels (irrelevant not counted)."""
    used = [j for j, c in enumerate(ex.columns) if c != IRRELEVANT and y_true[:, j].any()]
    if not used:
        return float("nan")
    from sklearn.metrics import f1_score  # scikit-learn loads on use, not at start

    return float(f1_score(y_true[:, used], y_pred[:, used], average="macro", zero_division=0))


def stance_f1(y_true: list[str], y_pred: list[str]) -> float:
    present = [v for v in STANCE_VALUES if v in set(y_true)]
    if len(present) < 2:
        return float("nan")
    from sklearn.metrics import f1_score

    return float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0))


def chance(ex: Examples) -> dict[str, float]:
    """Expected macro-F1 of guessing at the labels' own rates (each frame with its prevalence,
    stance values in proportion): what a model that learnt nothing scores on average."""
    y = frame_matrix(ex)
    used = [j for j, c in enumerate(ex.columns) if c != IRRELEVANT and y[:, j].any()]
    frames = float(np.mean([y[:, j].mean() for j in used])) if used else float("nan")
    present = {v for v in ex.stance_values}
    stance = 1.0 / len(present) if len(present) >= 2 else float("nan")
    return {"frames": frames, "stance": stance}


def _fit_frames(ex: Examples, idx: np.ndarray, y: np.ndarray, learner: str) -> TextModel:
    return TextModel(learner).fit_binary([frame_input(ex.units[i]) for i in idx], y[idx],
                                         ex.columns)


def _fit_stance(ex: Examples, idx: np.ndarray, learner: str) -> TextModel:
    return TextModel(learner).fit_classes(
        [stance_input(ex.stance_units[i], ex.stance_targets[i]) for i in idx],
        [ex.stance_values[i] for i in idx], STANCE_VALUES)


def _folds(n: int, groups: list[int] | None, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import GroupKFold, KFold

    k = min(FOLDS, n)
    if groups is not None and len(set(groups)) >= k:
        # Rows of one sentence (several targets) stay in one fold; shuffled by a seeded relabel.
        rng = np.random.default_rng(seed)
        uniq = sorted(set(groups))
        perm = dict(zip(uniq, rng.permutation(len(uniq))))
        return list(GroupKFold(k).split(np.zeros(n), groups=[perm[g] for g in groups]))
    return list(KFold(k, shuffle=True, random_state=seed).split(np.zeros(n)))


def cross_validate(ex: Examples, learner: str = DEFAULT_LEARNER, seed: int = 0,
                   curve: bool = True, check: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """Five-fold macro-F1 of frames and stance, the chance levels, and (``curve``) F1 against
    the number of training examples (sentences for frames, (sentence, target) pairs for
    stance), each point the mean over the first :data:`CURVE_FOLDS` test folds."""
    t0 = time.perf_counter()
    out: dict[str, Any] = {"learner": learner, "folds": FOLDS, "n_frames": len(ex.units),
                           "n_stance": len(ex.stance_values), "chance": chance(ex),
                           "frames_f1": None, "stance_f1": None, "curve": {}}
    y = frame_matrix(ex)
    rng = np.random.default_rng(seed)
    # kind -> point number -> [(training examples, F1)] over the curve's folds
    points: dict[str, dict[int, list[tuple[int, float]]]] = {"frames": {}, "stance": {}}
    if len(ex.units) >= MIN_EXAMPLES:
        pred = np.zeros_like(y)
        for fold, (train, test) in enumerate(_folds(len(ex.units), None, seed)):
            check()
            model = _fit_frames(ex, train, y, learner)
            pred[test] = (model.proba([frame_input(ex.units[i]) for i in test]) >= 0.5)
            if curve and fold < CURVE_FOLDS:
                order = rng.permutation(train)
                sizes = [p for p in CURVE_POINTS if p < len(train)] + [len(train)]
                for k, n in enumerate(sizes):
                    check()
                    part = order[:n]
                    m = model if n == len(train) else _fit_frames(ex, part, y, learner)
                    p = m.proba([frame_input(ex.units[i]) for i in test]) >= 0.5
                    points["frames"].setdefault(k, []).append(
                        (n, frames_f1(y[test], p.astype(np.int8), ex)))
        out["frames_f1"] = _num(frames_f1(y, pred, ex))
    if len(ex.stance_values) >= MIN_EXAMPLES and len(set(ex.stance_values)) >= 2:
        groups = [u.id for u in ex.stance_units]
        pred_s: list[str] = [""] * len(ex.stance_values)
        for fold, (train, test) in enumerate(_folds(len(ex.stance_values), groups, seed)):
            check()
            model = _fit_stance(ex, train, learner)
            for i, row in zip(test, model.proba([stance_input(ex.stance_units[i],
                                                              ex.stance_targets[i])
                                                 for i in test])):
                pred_s[i] = STANCE_VALUES[int(np.argmax(row))]
            if curve and fold < CURVE_FOLDS:
                order = rng.permutation(train)
                sizes = [p for p in CURVE_POINTS if p < len(train)] + [len(train)]
                for k, n in enumerate(sizes):
                    check()
                    part = order[:n]
                    m = model if n == len(train) else _fit_stance(ex, part, learner)
                    got = [STANCE_VALUES[int(np.argmax(r))] for r in m.proba(
                        [stance_input(ex.stance_units[i], ex.stance_targets[i]) for i in test])]
                    points["stance"].setdefault(k, []).append(
                        (n, stance_f1([ex.stance_values[i] for i in test], got)))
        out["stance_f1"] = _num(stance_f1(ex.stance_values, pred_s))
    # The last point of each fold is its whole training part (folds differ by a row or two).
    out["curve"] = {kind: [{"n": int(round(np.mean([n for n, _ in pts]))),
                            "f1": _mean([f for _, f in pts])}
                           for _, pts in sorted(by_point.items())
                           if len(pts) == len(next(iter(by_point.values())))]
                    for kind, by_point in points.items()}
    out["seconds"] = round(time.perf_counter() - t0, 2)
    return out


def _mean(values: list[float]) -> float | None:
    good = [v for v in values if v == v]
    return round(float(np.mean(good)), 4) if good else None


def _num(v: float) -> float | None:
    return None if v != v else round(v, 4)
