"""The native jsonl export with its lines built in worker processes: the same bytes and counts as
built in the exporting process, a killed worker costs only time, a cancel leaves no output and
no process, and a worker's error reaches the caller as it would in-process."""
from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest

from annotator import Progress, ProjectError
from annotator.export import ExportOptions, export, native
from annotator.workers import WorkerPool

from test_export_native import GOLDEN_SEEDS, OPTIONS, project  # noqa: F401 - the fixture

_ORIGINAL = native.native_lines


def run(path: Path, out: Path, options: ExportOptions, workers: int,
        progress: Progress | None = None) -> tuple[bytes, dict[str, Any]]:
    os.environ[native.WORKERS_ENV] = str(workers)
    try:
        result = export(path, out, "jsonl", options, progress, overwrite=True)
    finally:
        del os.environ[native.WORKERS_ENV]
    data = out.read_bytes() if out.exists() else b""
    return data, {k: v for k, v in result.as_dict().items() if k not in ("seconds", "notes")} | {
        "notes": result.notes, "cancelled": result.cancelled}


@pytest.fixture
def one_article_spans(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every span one article: many batches for the workers, taken back in order."""
    monkeypatch.setattr(native, "native_lines", lambda *a, **k: _ORIGINAL(*a, **{**k, "batch": 1}))


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_workers_write_and_count_what_this_process_does(project: Path, tmp_path: Path,  # noqa: F811
                                                         name: str, one_article_spans: None) -> None:
    here = run(project, tmp_path / "out.jsonl", OPTIONS[name], 0)
    there = run(project, tmp_path / "out.jsonl", OPTIONS[name], 2)
    assert there == here
    if name != "nobody":
        assert here[1]["rows"] > 0


def test_workers_on_the_seed_reports(tmp_path: Path, one_article_spans: None) -> None:
    """NER mentions, gold, stored suggestions with float confidences (the builder's records, in
    the workers too)."""
    path = tmp_path / "seeds.annot"
    shutil.copy(GOLDEN_SEEDS, path)
    here = run(path, tmp_path / "out.jsonl", ExportOptions(), 0)
    assert run(path, tmp_path / "out.jsonl", ExportOptions(), 2) == here
    assert here[1]["rows"] == 65


def test_a_killed_worker_costs_time_not_lines(project: Path, tmp_path: Path,  # noqa: F811
                                              one_article_spans: None) -> None:
    here = run(project, tmp_path / "out.jsonl", ExportOptions(), 0)
    killed: list[int] = []

    def kill_one(done: int, total: int, message: str) -> None:
        if not killed:
            victim = multiprocessing.active_children()[0]
            killed.append(victim.pid or 0)
            os.kill(victim.pid or 0, signal.SIGKILL)
            victim.join(5)

    data, result = run(project, tmp_path / "out.jsonl", ExportOptions(), 2, Progress(kill_one))
    assert killed and data == here[0]
    assert {k: v for k, v in result.items() if k != "notes"} == \
        {k: v for k, v in here[1].items() if k != "notes"}
    assert len(result["notes"]) == 1 and f"worker {killed[0]} stopped (killed by signal 9)" in \
        result["notes"][0] and "written by the main process" in result["notes"][0]
    assert not multiprocessing.active_children()


def test_a_cancel_leaves_no_output_and_no_worker(project: Path, tmp_path: Path,  # noqa: F811
                                                 one_article_spans: None) -> None:
    progress = Progress()
    seen: list[int] = []

    def cancel_third(done: int, total: int, message: str) -> None:
        seen.append(done)
        if len(seen) == 3:
            progress.cancel()

    progress.callback = cancel_third
    out = tmp_path / "out.jsonl"
    data, result = run(project, out, ExportOptions(), 2, progress)
    assert result["cancelled"] and not out.exists() and seen == [1, 2, 3]
    assert not list(tmp_path.iterdir())
    assert not multiprocessing.active_children()


def test_the_default_is_workers_only_for_a_big_export(project: Path) -> None:  # noqa: F811
    from annotator import Project

    with Project.open(project) as p:
        assert native.export_workers(p, native.WORKERS_MIN_ARTICLES - 1) == 0
        assert native.export_workers(p, native.WORKERS_MIN_ARTICLES) == (
            0 if len(os.sched_getaffinity(0)) < 2 else len(os.sched_getaffinity(0)))
        with p.store.transaction():  # its own writes are not seen by other connections
            assert native.export_workers(p, native.WORKERS_MIN_ARTICLES) == 0


def refuse(items: list[str]) -> list[str]:
    raise ProjectError(f"cannot read {items[0]}")


def fail(items: list[str]) -> list[str]:
    raise ValueError("a bug")


def test_a_workers_error_is_raised_as_in_this_process() -> None:
    with WorkerPool(1) as pool:
        with pytest.raises(ProjectError, match="cannot read x"):
            pool.result(pool.submit(["x"], refuse))
        with pytest.raises(RuntimeError, match="fail failed in a worker process: ValueError: a bug"):
            pool.result(pool.submit(["x"], fail))
