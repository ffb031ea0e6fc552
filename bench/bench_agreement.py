"""Times the agreement computations on synthetic data: 1M units x 3 annotators (prints figures)."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator import agreement as ag  # noqa: E402
from annotator.model import STANCE_VALUES, Label  # noqa: E402
from annotator.review import ProjectLabels, Unit, compute_agreement  # noqa: E402

CATEGORIES = (*STANCE_VALUES, "none")


def timed(name: str, fn: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    if isinstance(result, float):
        shown = f"{result:.4f}"
    elif isinstance(result, tuple):
        shown = f"({result[0]:.4f}, {result[1]:.4f})"
    elif isinstance(result, int):
        shown = f"{result:,} units"
    else:
        shown = ""  # generated data
    print(f"  {name:<58} {seconds:8.2f} s   {shown}")
    return result


def synthetic(n_units: int, n_coders: int, seed: int, missing: float = 0.1,
              agree: float = 0.8) -> np.ndarray:
    """Codes 0..3 (AGAINST, NEUTRAL, FAVOR, none) with NaN for missing; coders copy a truth."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(4, size=n_units, p=[0.2, 0.35, 0.25, 0.2])
    data = np.empty((n_coders, n_units), dtype=np.float64)
    for c in range(n_coders):
        copy = rng.random(n_units) < agree
        data[c] = np.where(copy, truth, rng.integers(0, 4, n_units))
        data[c][rng.random(n_units) < missing] = np.nan
    return data


def frame_sets(n_units: int, n_coders: int, seed: int) -> list[list[Any]]:
    rng = np.random.default_rng(seed)
    frames = [f"f{i}" for i in range(15)]
    truth = [frozenset(rng.choice(frames, size=rng.integers(0, 3), replace=False))
             for _ in range(n_units)]
    rows = []
    for _ in range(n_coders):
        row: list[Any] = []
        for t in truth:
            r = rng.random()
            row.append(None if r < 0.1 else t if r < 0.8 else
                       frozenset(rng.choice(frames, size=rng.integers(0, 3), replace=False)))
        rows.append(row)
    return rows


def report_units(n_units: int, seed: int) -> ProjectLabels:
    """Units as the review module reads them from a project: three annotators, 8 targets."""
    rng = np.random.default_rng(seed)
    frames = ["economic", "political", "security_defense", "other"]
    names = ["alice", "bob", "carol"]
    units = []
    for sid in range(n_units):
        targets = rng.choice(8, size=rng.integers(0, 3), replace=False).tolist()
        truth = {t: STANCE_VALUES[rng.integers(0, 3)] for t in targets}
        f = [frames[rng.integers(0, 4)]]
        labels = {}
        for a in names:
            if rng.random() < 0.15:
                continue
            noisy = {t: (v if rng.random() < 0.85 else STANCE_VALUES[rng.integers(0, 3)])
                     for t, v in truth.items() if rng.random() < 0.95}
            labels[a] = Label(sid, a, noisy, f if rng.random() < 0.85 else [], rng.random() < 0.05)
        units.append(Unit(sid, f"a{sid // 20}", sid % 20, labels, frozenset(targets)))
    return ProjectLabels(units, {}, names, {t: f"target {t}" for t in range(8)},
                         [(f, f) for f in frames], {f"a{i}": (f"article {i}", None)
                                                    for i in range(n_units // 20 + 1)})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--coders", type=int, default=3)
    parser.add_argument("--masi-units", type=int, default=1_000_000)
    parser.add_argument("--report-units", type=int, default=50_000)
    parser.add_argument("--boot", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    n, k = args.units, args.coders
    print(f"agreement bench: {n:,} units x {k} coders, 10% missing, ~80% copy a shared truth")
    data = timed("generate (numeric codes, NaN = missing)", lambda: synthetic(n, k, args.seed))
    labels = np.array(CATEGORIES, dtype=object)

    print("Krippendorff's alpha")
    timed("nominal, numeric array", lambda: ag.krippendorff_alpha(data, "nominal"))
    timed("ordinal, numeric array", lambda: ag.krippendorff_alpha(
        np.where(data == 3, np.nan, data), "ordinal"))
    rows = timed("(label strings with None, as Python lists)", lambda: [
        [None if np.isnan(v) else labels[int(v)] for v in row] for row in data])
    timed("nominal, string labels with categories", lambda: ag.krippendorff_alpha(
        rows, "nominal", CATEGORIES))
    timed("ordinal, string labels (none -> missing)", lambda: ag.krippendorff_alpha(
        [[None if v == "none" else v for v in row] for row in rows], "ordinal", STANCE_VALUES))
    timed(f"bootstrap CI nominal, {args.boot} resamples", lambda: ag.bootstrap_alpha_ci(
        data, "nominal", n_boot=args.boot, seed=1))
    timed(f"bootstrap CI ordinal, {args.boot} resamples", lambda: ag.bootstrap_alpha_ci(
        np.where(data == 3, np.nan, data), "ordinal", n_boot=args.boot, seed=1))

    print("Cohen's kappa, every pair")
    for i in range(k):
        for j in range(i + 1, k):
            a, b = rows[i], rows[j]
            timed(f"coders {i}/{j}: unweighted (4 categories)", lambda a=a, b=b: ag.cohen_kappa(
                a, b, categories=CATEGORIES))
            timed(f"coders {i}/{j}: linear weights (3-point scale)", lambda a=a, b=b: ag.cohen_kappa(
                [None if v == "none" else v for v in a], [None if v == "none" else v for v in b],
                weights="linear", categories=STANCE_VALUES))
    timed("confusion matrix coders 0/1", lambda: ag.confusion_matrix(rows[0], rows[1], CATEGORIES))

    m = args.masi_units
    print(f"MASI alpha over frame sets ({m:,} units, 15 frames)")
    sets = timed("generate frame sets", lambda: frame_sets(m, k, args.seed))
    timed("alpha (MASI)", lambda: ag.krippendorff_alpha_sets(sets, ag.masi_distance))
    timed(f"bootstrap CI (MASI), {args.boot} resamples", lambda: ag.bootstrap_alpha_ci(
        sets, distance=ag.masi_distance, n_boot=args.boot, seed=1))

    r = args.report_units
    print(f"the whole report (annotator.review), {r:,} sentences, 8 targets, 4 frames")
    units = timed("generate units", lambda: report_units(r, args.seed))
    timed("report, no bootstrap", lambda: compute_agreement(units).units)
    timed(f"report, bootstrap {args.boot}", lambda: compute_agreement(units, n_boot=args.boot).units)
    return 0


if __name__ == "__main__":
    sys.exit(main())
