"""The core (Qt-free) figures of ``bench/run.py``: import, NER ratio, stats, label save, export, agreement."""
from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import generate
from generate import BigInfo, Size

ROOT = Path(__file__).resolve().parent.parent
AGREEMENT_TIMEOUT = 600.0  # seconds; the default 1000-resample bootstrap over 1M sentences is slow


@dataclass
class Figure:
    """One printed figure: ``value`` in ``unit`` (None when it could not be measured: say why)."""

    name: str
    value: float | None
    unit: str
    detail: str = ""
    target: str = ""

    def line(self) -> str:
        shown = "n/a" if self.value is None else f"{self.value:.2f}" if self.value < 100 \
            else f"{self.value:.0f}"
        tail = "; ".join(x for x in (self.detail, f"target {self.target}" if self.target else "")
                         if x)
        return f"{self.name:<24} {shown:>10} {self.unit:<12} {tail}"


_LINE = re.compile(r"^(?P<name>[a-z0-9_]+)\s+(?P<value>-?[0-9.]+|n/a)\s+(?P<unit>\S+)\s*(?P<rest>.*)$")


def parse_lines(text: str) -> dict[str, tuple[float | None, str, str]]:
    """The figures in ``run.py``'s output: name -> (value or None, unit, details). Inverse of line()."""
    out: dict[str, tuple[float | None, str, str]] = {}
    for line in text.splitlines():
        m = _LINE.match(line)
        if m and not line.startswith("#"):
            value = None if m["value"] == "n/a" else float(m["value"])
            out[m["name"]] = (value, m["unit"], m["rest"])
    return out


@dataclass
class Context:
    size: Size
    cache: Path
    work: Path  # scratch outputs of this run
    profile: Path | None = None  # write cProfile output of the profiled jobs here
    cold: bool = True  # drop the page cache before the cold open (needs root)

    def big(self) -> BigInfo:
        return generate.big_project(self.size, self.cache, log=_log)

    def scratch(self) -> Path:
        """A writable copy of the big project, made once per run (the cached one stays pristine)."""
        path = self.work / "scratch.annot"
        if not path.exists():
            shutil.copyfile(self.big().path, path)
            # Write the copy out now: otherwise the first fsync of the file (the first WAL
            # checkpoint of label_save, 2.8 s on full) pays for the whole copy.
            with path.open("rb+") as f:
                os.fsync(f.fileno())
        return path


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def python_env() -> dict[str, str]:
    """The environment of child processes: this checkout's code, no user settings."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "bench")])
    return env


def run_cli(args: list[str], timeout: float | None = None) -> float | None:
    """Wall time of ``annotator ARGS`` in a fresh process (output discarded; failure raises).

    None when it ran longer than ``timeout`` seconds (and was killed).
    """
    code = "import sys; from annotator.cli import main; sys.exit(main())"
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-c", code, *args], env=python_env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"annotator {' '.join(args)} failed ({done.returncode}): "
                           f"{done.stderr.strip()[-500:]}")
    return seconds


def profiled(ctx: Context, name: str, fn: Callable[[], Any]) -> Any:
    """``fn()``, under cProfile when ``ctx.profile`` is set (stats saved, top 10 to stderr)."""
    if ctx.profile is None:
        return fn()
    ctx.profile.mkdir(parents=True, exist_ok=True)
    prof = cProfile.Profile()
    result = prof.runcall(fn)
    prof.dump_stats(str(ctx.profile / f"{name}.prof"))
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(prof, stream=out).strip_dirs().sort_stats(key).print_stats(20)
        (ctx.profile / f"{name}.{key}.txt").write_text(out.getvalue(), encoding="utf-8")
    return result


# -- import --------------------------------------------------------------------------------------

def _import(ctx: Context, name: str, lang: str | None, target: str) -> list[Figure]:
    from annotator import Project

    corpus = generate.short_texts(ctx.size, ctx.cache)
    path = ctx.work / f"{name}.annot"
    path.unlink(missing_ok=True)
    with Project.open(path) as p:
        started = time.perf_counter()
        report = profiled(ctx, name, lambda: p.import_files([corpus], ner=False, lang=lang))
        seconds = time.perf_counter() - started
    if not report.ok or report.articles_added != ctx.size.short_texts:
        raise RuntimeError(f"{name}: {report.articles_added} of {ctx.size.short_texts} texts "
                           f"imported, issues: {report.issues[:3]}")
    detail = (f"{report.articles_added:,} texts, {report.sentences:,} sentences in {seconds:.2f} s"
              + (f", --lang {lang}" if lang else ", language detected"))
    return [Figure(name, report.articles_added / seconds, "texts/s", detail, target)]


def job_import_no_ner(ctx: Context) -> list[Figure]:
    return _import(ctx, "import_no_ner", None, ">= 6000")


def job_import_lang_en(ctx: Context) -> list[Figure]:
    return _import(ctx, "import_lang_en", "en", ">= 30000")


_share_barrier: Any = None


def _share_init(barrier: Any) -> None:
    """A bare-NER worker: the pipeline's own spaCy loaded and warmed before the clock starts."""
    global _share_barrier
    from annotator.nlp import entities

    _share_barrier = barrier
    entities._backend("en").run(["Warm-up: Antony Blinken met Olaf Scholz in Berlin."])


def _share_run(paragraphs: list[str]) -> float:
    from annotator.nlp import entities

    _share_barrier.wait()  # all shares start together, as they would in one import
    started = time.perf_counter()
    entities._backend("en").run(paragraphs)
    return time.perf_counter() - started


def bare_ner_all_cores(paragraphs: list[str], workers: int) -> float:
    """spaCy alone on ``paragraphs`` split into ``workers`` shares, one process each (models loaded
    before timing): the slowest share's seconds."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers)
    step = -(-len(paragraphs) // workers)
    shares = [paragraphs[i:i + step] for i in range(0, len(paragraphs), step)]
    with context.Pool(workers, initializer=_share_init, initargs=(barrier,)) as pool:
        return max(pool.map(_share_run, shares, chunksize=1))


def job_import_ner(ctx: Context) -> list[Figure]:
    """Import of full English articles with NER, against spaCy alone on the same paragraphs."""
    from annotator import Project
    from annotator.nlp import entities

    corpus = generate.ner_texts(ctx.size, ctx.cache)
    texts = [json.loads(line)["text"] for line in corpus.read_text(encoding="utf-8").splitlines()]
    backend = entities._backend("en")  # the pipeline's own spaCy, with its disabled components
    if backend is None:
        return [Figure(n, None, u, "no English spaCy model installed") for n, u in
                (("import_ner", "texts/s"), ("import_ner_sentences", "sentences/s"),
                 ("ner_bare", "s"), ("ner_ratio", "x"), ("ner_bare_all_cores", "s"),
                 ("ner_ratio_all_cores", "x"))]
    backend.run(["Warm-up: Antony Blinken met Olaf Scholz in Berlin."])
    warm_up = ctx.work / "ner_warmup.jsonl"  # English only: natasha is not part of this figure
    warm_up.write_text(corpus.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    with Project.open(ctx.work / "ner_warmup.annot") as p:  # whatever else loads on first use
        p.import_files([warm_up], ner=True)
    # The pipeline feeds spaCy paragraphs; the generated articles separate them with blank lines.
    paragraphs = [p for t in texts for p in t.split("\n\n")]
    started = time.perf_counter()
    backend.run(paragraphs)
    bare = time.perf_counter() - started
    path = ctx.work / "import_ner.annot"
    path.unlink(missing_ok=True)
    with Project.open(path) as p:
        started = time.perf_counter()
        report = profiled(ctx, "import_ner", lambda: p.import_files([corpus], ner=True))
        seconds = time.perf_counter() - started
    if not report.ok or report.articles_added != len(texts):
        raise RuntimeError(f"import_ner: {report.articles_added} of {len(texts)} imported, "
                           f"issues: {report.issues[:3]}")
    from annotator.import_pipeline import import_workers

    workers = import_workers(corpus.stat().st_size, ner=True)
    bare_all = bare_ner_all_cores(paragraphs, workers) if workers > 1 else bare
    n, s = report.articles_added, report.sentences
    return [
        Figure("import_ner", n / seconds, "texts/s",
               f"{n} English articles, {s:,} sentences, {report.mentions:,} mentions in "
               f"{seconds:.2f} s"),
        Figure("import_ner_sentences", s / seconds, "sentences/s", "same import"),
        Figure("ner_bare", bare, "s", f"spaCy nlp.pipe alone on the same {len(paragraphs):,} "
                                     f"paragraphs ({backend.name})"),
        Figure("ner_ratio", seconds / bare, "x", "whole import / bare NER", "<= 1.15"),
        Figure("ner_bare_all_cores", bare_all, "s", f"the same paragraphs in {max(workers, 1)} "
               "processes (models loaded first): the slowest share"),
        Figure("ner_ratio_all_cores", seconds / bare_all, "x",
               f"whole import ({workers or 'no'} NER workers) / bare NER on all cores", "<= 1.15"),
    ]


# -- the big project ------------------------------------------------------------------------------

def job_import_ner_big(ctx: Context) -> list[Figure]:
    """16 articles with NER into the big project against the same into an empty one: what an
    import reads of a big project before it links (targets, label votes, corrections). A backup
    is made first, so the import's own (once per 30 minutes; 12 s for the full project's 2 GB)
    is not in the figure."""
    from annotator import Project

    big = ctx.big()
    lines = generate.ner_texts(ctx.size, ctx.cache).read_text(encoding="utf-8").splitlines()
    first = ctx.work / "ner_first16.jsonl"
    first.write_text("\n".join(lines[:16]) + "\n", encoding="utf-8")
    warm = ctx.work / "ner_warm1.jsonl"
    warm.write_text(lines[16] + "\n", encoding="utf-8")
    seconds = {}
    for name, path in (("warm", ctx.work / "ner_big_warm.annot"),
                       ("empty", ctx.work / "ner_big_empty.annot"), ("big", ctx.scratch())):
        if name != "big":
            path.unlink(missing_ok=True)
        with Project.open(path) as p:
            if name == "big":  # a backup younger than 30 min, as after a session's first import
                p.backup_now()
            started = time.perf_counter()
            report = p.import_files([warm if name == "warm" else first], ner=True)
            seconds[name] = time.perf_counter() - started
        if not report.ok:
            raise RuntimeError(f"import_ner_big ({name}): {report.issues[:3]}")
    return [
        Figure("import_ner_big", seconds["big"], "s",
               f"16 English articles with NER into the big project ({big.mentions:,} mentions)"),
        Figure("import_ner_big_over_empty", seconds["big"] - seconds["empty"], "s",
               f"big minus the same into an empty project ({seconds['empty']:.2f} s)"),
    ]


def job_stats(ctx: Context) -> list[Figure]:
    big = ctx.big()
    seconds = run_cli(["stats", big.path])
    assert seconds is not None
    return [Figure("stats", seconds, "s", f"annotator stats, fresh process, {big.articles:,} "
                                          f"articles / {big.sentences:,} sentences", "<= 0.5")]


def job_label_save(ctx: Context) -> list[Figure]:
    from annotator import Project

    big = ctx.big()
    path = ctx.scratch()
    rng = random.Random(5)
    times: list[float] = []
    with Project.open(path, create=False) as p:
        frames = p.codebook.frame_ids
        for k in range(ctx.size.label_saves):
            sid = rng.randint(1, big.sentences)
            sentence = p.sentence(sid)
            assert sentence is not None, sid
            stance = {m.target_id: rng.choice(generate.STANCES) for m in sentence.mentions
                      if m.target_id is not None}
            annotator = ("alice", "dave")[k % 2]  # one with many labels, one starting out
            started = time.perf_counter()
            p.set_label(sid, annotator, stance=stance, frames=[rng.choice(frames)])
            times.append(time.perf_counter() - started)
    times.sort()
    floor = _bare_commits(path.parent, ctx.size.label_saves)
    detail = f"{len(times):,} Project.set_label calls on random sentences of {path.name}"
    return [Figure("label_save_p50", _pct(times, 50) * 1000, "ms", detail),
            Figure("label_save_p99", _pct(times, 99) * 1000, "ms",
                   f"max {times[-1] * 1000:.1f} ms", "<= 2"),
            Figure("commit_floor_p50", _pct(floor, 50) * 1000, "ms",
                   "bare sqlite3 one-row commit, WAL, synchronous=FULL, same folder"),
            Figure("commit_floor_p99", _pct(floor, 99) * 1000, "ms",
                   f"max {floor[-1] * 1000:.1f} ms; the disk's fsync: what no label save can beat")]


def _bare_commits(folder: Path, n: int) -> list[float]:
    """Times of ``n`` one-row commits with the store's durability settings, on the same disk:
    the floor under ``label_save`` (at synchronous=FULL each commit waits for the WAL's fsync)."""
    import sqlite3

    path = folder / "floor.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, sentence INT, value TEXT)")
        times = []
        for k in range(n):
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT OR REPLACE INTO t (id, sentence, value) VALUES (?, ?, ?)",
                         (k % 500, k, "frame"))
            conn.execute("COMMIT")
            times.append(time.perf_counter() - started)
    finally:
        conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return sorted(times)


def _pct(sorted_values: list[float], p: float) -> float:
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


def job_export(ctx: Context) -> list[Figure]:
    from annotator import Project
    from annotator.export import ExportOptions, export
    from annotator.export.native import export_workers
    from annotator.store import ArticleFilter

    big = ctx.big()
    out = ctx.work / "export.jsonl"
    started = time.perf_counter()
    result = profiled(ctx, "export", lambda: export(big.path, out, "jsonl",
                                                    ExportOptions(labels="all")))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = out.stat().st_size / 2**20
    out.unlink()
    floor = _export_floor(big.path)
    with Project.open(big.path, create=False) as p:
        workers = export_workers(p, p.count_articles(ArticleFilter()))
    return [Figure("export_jsonl", result.rows / seconds, "rows/s",
                   f"native jsonl --labels all, {result.rows:,} rows, {size:.0f} MiB in "
                   f"{seconds:.1f} s, {workers or 'no'} worker processes, peak RSS {peak:.0f} MiB",
                   ">= 100000"),
            Figure("export_floor", result.rows / floor, "rows/s",
                   f"the same rows read (Store.export_rows) and put through orjson as tuples, "
                   f"{floor:.2f} s: what no export in one process built on sqlite3 + orjson beats")]


def _export_floor(path: str) -> float:
    """Seconds to read what the export reads, one span at a time, and orjson the row tuples."""
    import orjson

    from annotator import Project
    from annotator.export.native import SPAN
    from annotator.store import SentencePick

    with Project.open(path) as p:
        pick = SentencePick()
        started = time.perf_counter()
        for first, last, _ in p.store.article_spans(pick, SPAN):
            rows = p.store.export_rows(pick, first, last)
            orjson.dumps([rows.articles, rows.sentences, rows.labels, rows.stances, rows.mentions])
        return time.perf_counter() - started


def job_agreement(ctx: Context) -> list[Figure]:
    big = ctx.big()
    detail = (f"annotator agreement, fresh process, {big.labelled_sentences:,} labelled "
              f"sentences x 3 annotators")
    no_boot = run_cli(["agreement", big.path, "--quiet", "--bootstrap", "0"], AGREEMENT_TIMEOUT)
    seconds = run_cli(["agreement", big.path, "--quiet"], AGREEMENT_TIMEOUT)
    late = f" (stopped after {AGREEMENT_TIMEOUT:.0f} s)"
    return [Figure("agreement", seconds, "s", detail + " (default --bootstrap 1000)"
                   + (late if seconds is None else ""), "<= 3"),
            Figure("agreement_no_bootstrap", no_boot, "s",
                   "same, --bootstrap 0" + (late if no_boot is None else ""))]


JOBS: dict[str, Callable[[Context], list[Figure]]] = {
    "import_no_ner": job_import_no_ner,
    "import_lang_en": job_import_lang_en,
    "import_ner": job_import_ner,
    "stats": job_stats,
    "label_save": job_label_save,
    "import_ner_big": job_import_ner_big,
    "export": job_export,
    "agreement": job_agreement,
}
