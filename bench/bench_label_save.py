"""Time one label save (``Project.set_label``) on a small project: p50 / p99 / max in ms.

    PYTHONPATH=. [BENCH_DIR=/dev/shm] .venv/bin/python bench/bench_label_save.py [N]

Each save is one committed transaction (synchronous=FULL, WAL), so the figure includes the
fsync of the WAL; run it on the disk the projects live on.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from annotator import Project


def main(n: int = 2000) -> None:
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for k in range(20):
            (folder / f"a{k}.txt").write_text(
                f"Story {k}\n\n" + " ".join(f"Sentence {i} of story {k} is here." for i in range(30)),
                encoding="utf-8")
        with Project.open(Path(tmp) / "p.annot") as p:
            p.import_files([folder], ner=False)
            ids = [s.id for a in p.articles() for s in p.sentences(a.id)]
            frames = [f.id for f in p.codebook.frames][:3]
            times = []
            for i in range(n):
                t = time.perf_counter()
                p.set_label(ids[i % len(ids)], "alice", frames=[frames[i % 3]])
                times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"set_label x{n}: p50 {statistics.median(times):.3f} ms, "
          f"p99 {times[int(len(times) * 0.99)]:.3f} ms, max {times[-1]:.3f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
