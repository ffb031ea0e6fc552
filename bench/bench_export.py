"""Export benchmark: a large synthetic project, timed jsonl and hf exports, rows/s and peak memory.

    .venv/bin/python bench/bench_export.py [--articles 20000] [--keep DIR]

Builds the project with run.py's bulk generator (bench/generate.py: 20–40 sentences an article,
a third of them labelled by three annotators), then runs each export in a fresh
child process so its peak resident memory (ru_maxrss) is its own. Exports a tenth of the
project too: the same peak at 10x the size is what streaming means.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

from generate import Size, build_project  # noqa: E402


def build(path: Path, n_articles: int) -> dict[str, int]:
    """The run.py generator's project: realistic articles, a third labelled by 3 annotators."""
    info = build_project(path, Size("export", n_articles, 0, 0, 0, 0, 0))
    return {"articles": info.articles, "sentences": info.sentences, "labels": info.labels}


def child(project: str, out: str, fmt: str, labels: str, split: str | None) -> None:
    from annotator.export import ExportOptions, export, parse_split

    started = time.perf_counter()
    options = ExportOptions(labels=labels, split=parse_split(split) if split else None)
    result = export(project, out, fmt, options)
    seconds = time.perf_counter() - started
    size = sum(f.stat().st_size for f in Path(out).rglob("*")) if Path(out).is_dir() \
        else Path(out).stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"seconds": seconds, "rows": result.rows, "sentences": result.sentences,
                      "bytes": size, "maxrss_mb": peak}))


def run_child(project: Path, out: Path, fmt: str, labels: str, split: str | None) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", str(project), str(out), fmt, labels, split or ""]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        project, out, fmt, labels, split = sys.argv[2:7]
        child(project, out, fmt, labels, split or None)
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=20_000)
    ap.add_argument("--keep", type=Path, default=None, help="build (or reuse) the project here")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-export-"))
    base = args.keep or work
    base.mkdir(parents=True, exist_ok=True)
    small_n = max(args.articles // 10, 1)
    projects = {}
    for label, n in (("small", small_n), ("large", args.articles)):
        path = base / f"bench-{n}.annot"
        if not path.exists():
            started = time.perf_counter()
            counts = build(path, n)
            print(f"built {path.name}: {counts['articles']} articles, {counts['sentences']} sentences,"
                  f" {counts['labels']} labels in {time.perf_counter() - started:.1f} s"
                  f" ({path.stat().st_size / 2**20:.0f} MiB)")
        projects[label] = path
    runs = [("jsonl", "all", None), ("hf", "majority", "0.8,0.1,0.1")]
    print(f"{'project':>8} {'format':>6} {'labels':>9} {'rows':>9} {'seconds':>8} {'rows/s':>9}"
          f" {'MiB out':>8} {'peak RSS MiB':>13}")
    for label, path in projects.items():
        for fmt, labels, split in runs:
            out = work / f"{label}-{fmt}"
            r = run_child(path, out, fmt, labels, split)
            print(f"{label:>8} {fmt:>6} {labels:>9} {r['rows']:>9} {r['seconds']:>8.1f}"
                  f" {r['rows'] / r['seconds']:>9.0f} {r['bytes'] / 2**20:>8.1f}"
                  f" {r['maxrss_mb']:>13.0f}")
    print(f"(outputs in {work}; remove it when done)")


if __name__ == "__main__":
    main()
