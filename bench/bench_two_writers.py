"""Two processes writing one project: undo/redo here while another process labels.

    PYTHONPATH=. .venv/bin/python bench/bench_two_writers.py [SECONDS]

Prints rounds, failures (each a "database is locked" before BEGIN IMMEDIATE) and the other
process's saves. ``tests/core/test_concurrency.py`` runs the same duel for 3 s.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "core"))
from test_concurrency import LABELLER, finish, project_with_articles, run_python, wait_for  # noqa: E402


def main(seconds: float = 60) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.annot"
        p = project_with_articles(path, 5)
        ids = [s.id for a in p.articles() for s in p.sentences(a.id)]
        go, stop = Path(tmp) / "go", Path(tmp) / "stop"
        other = run_python(LABELLER, str(path), str(go), str(stop))
        wait_for(go, other)
        rounds, failures = 0, 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                p.set_label(ids[rounds % len(ids)], "alice", frames=["economic"])
                p.undo("alice")
                p.redo("alice")
            except Exception as exc:
                failures += 1
                print(repr(exc), file=sys.stderr)
            rounds += 1
            time.sleep(0.002)
        stop.touch()
        saves = int(finish(other))
        p.close()
    print(f"{seconds:.0f} s: {rounds} set/undo/redo rounds, {failures} failures; "
          f"the other process saved {saves} labels")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 60)
