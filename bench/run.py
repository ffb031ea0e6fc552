"""The benchmark entry point: generates (and caches) the projects, prints one line per figure.

    .venv/bin/python bench/run.py --size quick|full|smoke [--only JOB,...] [--keep DIR]
                                  [--json OUT] [--cache DIR] [--warm-only] [--profile DIR]

Each job runs in its own child process (a fresh interpreter, its own peak memory); the figures
that are defined as "fresh process wall time" (stats, agreement, open) time a further process.
Lines look like ``NAME  VALUE UNIT  details; target ...``; progress goes to stderr. Not a test:
nothing here passes or fails on a number (tests/core/test_bench_smoke.py checks the lines exist).
"""
from __future__ import annotations

import argparse
import compileall
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import generate  # noqa: E402
from figures import JOBS as CORE_JOBS  # noqa: E402
from figures import Context, Figure, python_env  # noqa: E402

GUI_JOBS = ("gui_open", "gui_switch", "gui_stall", "gui_export_stall", "gui_review")
ALL_JOBS = (*CORE_JOBS, *GUI_JOBS)
DEFAULT_CACHE = BENCH / ".cache"


def machine() -> dict[str, str]:
    cpu = "unknown"
    mem = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 2**20:.0f} GiB"
                break
    except OSError:
        pass
    return {"nproc": str(os.cpu_count()), "ram": mem, "cpu": cpu,
            "python": platform.python_version(), "date": datetime.date.today().isoformat()}


def run_job(job: str, args: argparse.Namespace, work: Path) -> list[Figure]:
    """One job in a child process; its figures come back as JSON on the last stdout line."""
    cmd = [sys.executable, __file__, "--child", job, "--size", args.size, "--cache",
           str(args.cache), "--work", str(work)]
    if args.profile:
        cmd += ["--profile", str(args.profile)]
    if args.warm_only:
        cmd.append("--warm-only")
    done = subprocess.run(cmd, env=python_env(), stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"job {job} failed (exit {done.returncode})")
    return [Figure(**f) for f in json.loads(done.stdout.strip().splitlines()[-1])]


def child(args: argparse.Namespace) -> int:
    ctx = Context(size=generate.SIZES[args.size], cache=args.cache, work=args.work,
                  profile=args.profile, cold=not args.warm_only)
    if args.child in CORE_JOBS:
        figures = CORE_JOBS[args.child](ctx)
    else:
        import gui_figures

        figures = gui_figures.JOBS[args.child](ctx)
    print(json.dumps([asdict(f) for f in figures]))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=list(generate.SIZES), default="quick")
    ap.add_argument("--only", default=None, metavar="JOB,...",
                    help=f"run only these jobs ({', '.join(ALL_JOBS)})")
    ap.add_argument("--keep", type=Path, default=None, metavar="DIR",
                    help="keep this run's outputs (exports, scratch copy, import projects) in DIR")
    ap.add_argument("--json", type=Path, default=None, metavar="OUT", help="also write figures here")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                    help="generated projects and corpora, reused across runs (default bench/.cache)")
    ap.add_argument("--warm-only", action="store_true", help="do not drop the page cache (cold open)")
    ap.add_argument("--profile", type=Path, default=None, metavar="DIR",
                    help="cProfile import_no_ner and export into DIR (slows them down)")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.cache = args.cache.resolve()
    if args.child:
        return child(args)
    jobs = list(ALL_JOBS)
    if args.only:
        jobs = [j.strip() for j in args.only.split(",") if j.strip()]
        unknown = [j for j in jobs if j not in ALL_JOBS]
        if unknown:
            ap.error(f"unknown job(s) {', '.join(unknown)}; jobs are {', '.join(ALL_JOBS)}")
    # Byte-code, as an installed package has it (pip compiles at install): fresh-process figures
    # must not time the compiler (PYTHONDONTWRITEBYTECODE in the environment would make every
    # start compile the sources again: 0.35 s here).
    for package in ("annotator", "ui"):
        compileall.compile_dir(str(ROOT / package), quiet=1)
    info = machine()
    print(f"# bench --size {args.size} on {info['nproc']} CPUs ({info['cpu']}), {info['ram']} RAM, "
          f"Python {info['python']}, {info['date']}", flush=True)
    work = (args.keep or Path(tempfile.mkdtemp(prefix="annotator-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    (work / "scratch.annot").unlink(missing_ok=True)  # each run writes to a fresh copy
    for leftover in work.glob("scratch.annot-*"):
        leftover.unlink()
    if args.profile:
        args.profile = args.profile.resolve()
    size = generate.SIZES[args.size]
    started = time.monotonic()
    big = generate.big_project(size, args.cache, log=lambda m: print(m, file=sys.stderr,
                                                                      flush=True))
    print(f"# big project: {big.articles:,} articles, {big.sentences:,} sentences, "
          f"{big.mentions:,} mentions, {big.labels:,} labels ({big.path})", flush=True)
    figures: list[Figure] = []
    failed: list[str] = []
    for job in jobs:
        try:
            got = run_job(job, args, work)
        except RuntimeError as exc:
            print(f"# {exc}", flush=True)
            failed.append(job)
            continue
        for f in got:
            print(f.line(), flush=True)
        figures += got
    print(f"# {len(figures)} figures in {time.monotonic() - started:.0f} s"
          + (f"; failed: {', '.join(failed)}" if failed else ""), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "size": args.size, "command":
                                         " ".join(sys.argv), "figures": [asdict(f) for f in
                                                                         figures]}, indent=1),
                             encoding="utf-8")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"# outputs kept in {work}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
