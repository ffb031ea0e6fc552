"""Suggestion model figures: learners compared, learning curves (rule and realistic labels),
training time, and keystrokes per sentence with and without suggestions in a simulated session.

    PYTHONPATH=. .venv/bin/python bench/bench_suggest.py [--size 800] [--quick]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import suggest_data  # noqa: E402

from annotator.project import Project  # noqa: E402
from annotator.suggest.evaluate import cross_validate  # noqa: E402
from annotator.suggest.examples import Examples  # noqa: E402
from annotator.suggest.learner import LEARNERS  # noqa: E402
from annotator.suggest.service import SuggestionModel, project_examples  # noqa: E402


def examples(tmp: Path, kind: str, n: int, seed: int) -> Examples:
    path = tmp / f"{kind}-{n}.annot"
    suggest_data.build(path, n, kind, seed=seed)
    with Project.open(path) as p:
        return project_examples(p)


def subset(ex: Examples, ids: set[int]) -> Examples:
    out = Examples(ex.frame_ids)
    for u, f in zip(ex.units, ex.frames):
        if u.id in ids:
            out.units.append(u)
            out.frames.append(f)
    for u, t, v in zip(ex.stance_units, ex.stance_targets, ex.stance_values):
        if u.id in ids:
            out.stance_units.append(u)
            out.stance_targets.append(t)
            out.stance_values.append(v)
    return out


def keystrokes(ex: Examples, start: int, every: int) -> dict[str, float]:
    """Keys per sentence for sentences ``start``.. in order, the model retrained every ``every``
    labels on those before. Without: one key per frame (or I), per target a stance key (Tab
    between targets), one key to move on (N). With: the cheaper of that and A + the fixes (a key
    per wrong frame, Tabs to and a key for each wrong stance) + N."""
    stance_of: dict[int, dict[int, str]] = {}
    for u, t, v in zip(ex.stance_units, ex.stance_targets, ex.stance_values):
        stance_of.setdefault(u.id, {})[t] = v
    without = with_ = exact = 0
    model: SuggestionModel | None = None
    n = 0
    for i in range(start, len(ex.units)):
        if model is None or (i - start) % every == 0:
            model = SuggestionModel.fit(subset(ex, {u.id for u in ex.units[:i]}))
        unit, truth = ex.units[i], set(ex.frames[i])
        targets = list(dict.fromkeys(t for _, _, t in unit.mentions))
        stance = stance_of.get(unit.id, {})
        irrelevant = "__irrelevant__" in truth
        frames = truth - {"__irrelevant__"}
        typed = len(frames) + (1 if irrelevant else 0) + len(stance)
        typed += max(0, max((targets.index(t) for t in stance if t in targets), default=0))
        typed += 1  # N
        s = model.suggest(unit, targets)
        got = set() if s.is_irrelevant else set(s.chosen_frames)
        fix = 1 + len(got ^ frames) + (0 if s.is_irrelevant == irrelevant else 1)
        wrong = [t for t in stance if s.stance.get(t, ("", 0))[0] != stance[t]]
        fix += len(wrong) + max((targets.index(t) for t in wrong if t in targets), default=0)
        fix += 1
        exact += fix == 2
        without += typed
        with_ += min(typed, fix)
        n += 1
    return {"sentences": n, "without": round(without / n, 2), "with": round(with_ / n, 2),
            "exact_share": round(exact / n, 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=int, default=800, help="labelled sentences per set")
    ap.add_argument("--quick", action="store_true", help="skip the learner comparison")
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    args = ap.parse_args()
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        sets = {kind: examples(tmp, kind, args.size, seed) for kind, seed in
                (("rule", 1), ("realistic", 2), ("random", 3))}
        if not args.quick:
            print(f"learners on the realistic set ({args.size} sentences), 5-fold macro-F1:")
            for learner in LEARNERS:
                t0 = time.perf_counter()
                SuggestionModel.fit(sets["realistic"], learner)
                fit = time.perf_counter() - t0
                r = cross_validate(sets["realistic"], learner, curve=False)
                figures[f"learner_{learner}"] = {"frames_f1": r["frames_f1"],
                                                 "stance_f1": r["stance_f1"], "fit_s": round(fit, 2)}
                print(f"  {learner:<14} frames {r['frames_f1']:.3f}  stance {r['stance_f1']:.3f}"
                      f"  fit {fit:.2f} s")
        for kind, ex in sets.items():
            r = cross_validate(ex)
            figures[f"curve_{kind}"] = r
            print(f"{kind}: frames macro-F1 {r['frames_f1']:.3f} (chance "
                  f"{r['chance']['frames']:.3f}), stance {r['stance_f1']:.3f} (chance "
                  f"{r['chance']['stance']:.3f}); CV+curve {r['seconds']} s")
            for k, pts in r["curve"].items():
                print(f"  curve {k}: " + ", ".join(f"{p['n']}: {p['f1']:.3f}" for p in pts
                                                  if p["f1"] is not None))
        big = examples(tmp, "realistic", 3 * args.size, 9)
        for n in (len(big) // 3, len(big)):
            part = subset(big, {u.id for u in big.units[:n]})
            t0, c0 = time.perf_counter(), time.process_time()
            SuggestionModel.fit(part)
            sec, cpu = time.perf_counter() - t0, time.process_time() - c0
            figures[f"train_seconds_{n}"] = round(sec, 2)
            figures[f"train_cpu_seconds_{n}"] = round(cpu, 2)
            print(f"training time, {n} sentences ({len(part.stance_values)} stances): {sec:.2f} s"
                  f" wall, {cpu:.2f} s CPU")
        for kind in ("rule", "realistic"):
            k = keystrokes(sets[kind], start=len(sets[kind]) // 4, every=100)
            figures[f"keys_{kind}"] = k
            print(f"simulated session, {kind} labels ({k['sentences']} sentences after "
                  f"{len(sets[kind]) // 4} labelled, retrained every 100): keys per sentence "
                  f"{k['without']} without suggestions, {k['with']} with; suggestion exactly "
                  f"right {k['exact_share']:.0%}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
