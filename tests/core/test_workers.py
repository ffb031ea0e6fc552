"""NER in worker processes: the same mentions as in this process, a dead worker costs only time,
cancel and close leave no process behind, and a caller's unguarded script is not run again."""
from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator import Project
from annotator.nlp import entities
from annotator.workers import WorkerPool
from annotator.progress import Progress

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
NER_EVAL = ROOT / "tests" / "data" / "ner_eval"

pytestmark = pytest.mark.skipif(not (entities.model_available("en") and entities.model_available("ru")),
                                reason="the English and Russian NER models are not installed")


def _articles() -> list[tuple[str, str]]:
    """Seeds (one Russian) and the NER evaluation texts in both languages, as (text, lang)."""
    items = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        items.append((text, "ru" if sum("а" <= c.lower() <= "я" for c in text) > 100 else "en"))
    for name, lang in (("en_dev.txt", "en"), ("ru_dev.txt", "ru")):
        for block in re.split(r"^### .*$", (NER_EVAL / name).read_text(encoding="utf-8"),
                              flags=re.MULTILINE):
            text = re.sub(r"\[([^|\]]+)\|[^\]]*\]", r"\1", block).strip()  # gold marks off
            if text:
                items.append((text, lang))
    return items


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is not running either
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or "zombie" not in status.read_text()


def _mentions(batches: list[list[list]]) -> list:
    return [[(m.start, m.end, m.label, m.text, m.normal, m.origin, m.raw_label) for m in ms]
            for batch in batches for ms in batch]


def _batched(size: int) -> tuple[list[list[tuple[str, str]]], list[list[list]]]:
    """The articles in batches of ``size``, and each batch's mentions found in this process."""
    items = _articles()
    batches = [items[i:i + size] for i in range(0, len(items), size)]
    return batches, [entities.find_entities_batch(b) for b in batches]


def test_workers_find_the_same_mentions_as_this_process() -> None:
    batches, here = _batched(4)
    with WorkerPool(2) as pool:
        tickets = [pool.submit(b, entities.find_entities_batch) for b in batches]
        there = [pool.result(t) for t in reversed(tickets)][::-1]  # any order of asking
        pids = [w.process.pid for w in pool._idle]
    assert _mentions(there) == _mentions(here)
    assert any(_mentions(here)), "no mentions at all: the comparison would prove nothing"
    assert not pool.deaths
    assert pids and not any(_alive(pid) for pid in pids)


def test_a_killed_worker_costs_time_not_mentions() -> None:
    batches, here = _batched(2)
    with WorkerPool(2) as pool:
        tickets = [pool.submit(b, entities.find_entities_batch) for b in batches]
        victim = next(iter(pool._busy.values())).process.pid
        os.kill(victim, signal.SIGKILL)
        there = [pool.result(t) for t in tickets]
    assert _mentions(there) == _mentions(here)
    assert len(pool.deaths) == 1 and "killed by signal 9" in pool.deaths[0]


def test_all_workers_dead_the_rest_is_done_here() -> None:
    items = _articles()[:6]
    with WorkerPool(1) as pool:
        pid = pool._idle[0].process.pid
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
        got = pool.result(pool.submit(items, entities.find_entities_batch))
    assert _mentions([got]) == _mentions([entities.find_entities_batch(items)])
    assert len(pool.deaths) == 1


def _dump(path: Path) -> list:
    db = sqlite3.connect(path)
    try:
        return [db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
                for t in ("sentences", "mentions", "targets", "target_aliases")]
    finally:
        db.close()


def test_an_import_with_workers_writes_what_an_import_without_writes(tmp_path: Path,
                                                                     monkeypatch) -> None:
    corpus = tmp_path / "ner_eval.jsonl"
    base = [t for t, _ in _articles()]
    texts = [f"Edition {i}.\n\n{base[i % len(base)]}" for i in range(45)]  # 3 chunks in flight
    corpus.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    files = [str(SEEDS), str(corpus)]
    dumps = []
    for workers in ("0", "2"):
        monkeypatch.setenv("ANNOTATOR_NER_WORKERS", workers)
        path = tmp_path / f"w{workers}.annot"
        messages: list[str] = []
        with Project.open(path) as p:
            report = p.import_files(files, ner=True, progress=lambda d, t, m: messages.append(m))
        assert report.ok and report.articles_added == 5 + len(texts), report.issues
        assert any("entity worker processes" in m for m in messages) == (workers == "2")
        dumps.append(_dump(path))
    assert dumps[0] == dumps[1]
    assert dumps[0][1], "no mentions"


def test_cancel_while_workers_run_keeps_what_was_committed_and_leaves_no_process(
        tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ANNOTATOR_NER_WORKERS", "2")
    corpus = tmp_path / "many.jsonl"
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    with corpus.open("w", encoding="utf-8") as f:  # 80 distinct articles: 5 chunks
        for i in range(80):
            f.write(json.dumps({"text": f"Report {i}.\n\n{texts[i % len(texts)]}"}) + "\n")
    progress = Progress()
    progress.callback = lambda d, t, m: progress.cancel() if "(article 32 of" in m else None
    before = set(_children())
    with Project.open(tmp_path / "p.annot") as p:
        report = p.import_files([corpus], ner=True, progress=progress)
        assert report.cancelled
        assert report.articles_added == len(p.articles()) < 80
        assert report.articles_added >= 16  # the chunks committed before the cancel stay
    assert set(_children()) <= before


def _children() -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(os.getpid())], capture_output=True,
                         text=True)
    return [int(p) for p in out.stdout.split() if _alive(int(p)) and not _helper(int(p))]


def _helper(pid: int) -> bool:
    """``ps`` itself, or multiprocessing's resource tracker (it lives as long as this process)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # gone already
    return cmdline.startswith(b"ps\0") or b"resource_tracker" in cmdline


def test_a_script_without_a_main_guard_runs_once(tmp_path: Path) -> None:
    """Spawn would run the caller's script again in each worker; the pool keeps it from that."""
    script = tmp_path / "unguarded.py"
    marker = tmp_path / "runs.txt"
    script.write_text(
        "from annotator import Project\n"
        f"open({str(marker)!r}, 'a').write('run\\n')\n"
        f"with Project.open({str(tmp_path / 'p.annot')!r}) as p:\n"
        f"    r = p.import_files([{str(SEEDS)!r}], ner=True)\n"
        "print(r.articles_added, r.ok)\n", encoding="utf-8")
    env = dict(os.environ, ANNOTATOR_NER_WORKERS="2")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["5", "True"]
    assert marker.read_text().count("run") == 1


def test_mentions_do_not_depend_on_the_batch() -> None:
    """The pool splits chunks into small batches; that is only safe while the models give each
    text the same mentions whatever else is in its batch (spaCy's batched matrices could, in
    principle, round differently). A new model that breaks this fails here."""
    items = _articles()
    whole = entities.find_entities_batch(items)
    alone = [entities.find_entities_batch([item])[0] for item in items]
    pairs = [ms for i in range(0, len(items), 3) for ms in entities.find_entities_batch(items[i:i + 3])]
    assert _mentions([whole]) == _mentions([alone]) == _mentions([pairs])
