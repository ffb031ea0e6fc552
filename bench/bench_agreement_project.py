"""The agreement report read from a real project file: N sentences x 3 annotators (prints figures).

Usage: .venv/bin/python bench/bench_agreement_project.py [--articles 50000 --sentences 20]
Builds the project with bench_export's builder (each annotator labels ~60% of sentences), then
times reading the labels and computing the report, with and without per-article tables.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_export import build  # noqa: E402

from annotator import Project  # noqa: E402
from annotator.review import compute_agreement, read_project  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=50_000)
    ap.add_argument("--sentences", type=int, default=20)
    ap.add_argument("--boot", type=int, default=100)
    ap.add_argument("--keep", type=Path, default=None, help="build (or reuse) the project here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "agreement.annot"
        if not path.exists():
            t0 = time.perf_counter()
            counts = build(path, args.articles, args.sentences)
            print(f"built {counts} in {time.perf_counter() - t0:.0f} s "
                  f"({path.stat().st_size / 2**20:.0f} MiB)")
        with Project.open(path) as p:
            t0 = time.perf_counter()
            data = read_project(p)
            print(f"read labels: {time.perf_counter() - t0:.1f} s")
        for articles, boot in ((False, 0), (False, args.boot), (True, 0)):
            t0 = time.perf_counter()
            report = compute_agreement(data, n_boot=boot, per_article=articles)
            print(f"report (bootstrap {boot}, per-article tables {'on' if articles else 'off'}): "
                  f"{report.units:,} units in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
