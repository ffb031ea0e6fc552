"""The one worker helper under load: no reference sinks, no abort, in this process and in fresh ones."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from annotator.progress import Progress
from ui.worker import run_in_background

ROOT = Path(__file__).resolve().parents[2]
STRESS = ROOT / "scripts" / "stress_background.py"


def test_background_jobs_keep_true_false_and_none_referenced(qtbot: QtBot) -> None:
    """Python 3.11's True/False/None are counted objects: a binding that drops one reference per
    signal emit or job start (PySide6 6.12.0 did) aborts the app after a few hundred jobs."""
    parent = QWidget()
    qtbot.addWidget(parent)

    def work(progress: Progress) -> None:
        for i in range(3):
            progress.update(i, 3, "step")

    def one_job() -> None:
        loop = QEventLoop()
        run_in_background(parent, work, lambda _r: loop.quit(), lambda _e, _d: loop.quit(),
                          show_dialog=False)
        loop.exec()

    for _ in range(20):  # warm-up: caches and interned objects settle
        one_job()
    before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(300):
        one_job()
    after = sys.getrefcount(True), sys.getrefcount(None)
    assert after[0] >= before[0] - 50 and after[1] >= before[1] - 50, (before, after)


def run_stress(env: dict[str, str], rounds: int, command: list[str] | None = None) -> None:
    cmd = (command or []) + [sys.executable, str(STRESS), "--rounds", str(rounds), "--articles", "30"]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and f"ok {rounds} rounds" in done.stdout, (
        f"exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


@pytest.mark.parametrize("run", range(3))
def test_window_jobs_in_a_fresh_process_offscreen(run: int, tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "ANNOTATOR_SETTINGS_DIR": str(tmp_path / "settings")}
    run_stress(env, rounds=4)


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
@pytest.mark.parametrize("run", range(2))
def test_window_jobs_in_a_fresh_process_under_xvfb(run: int, tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "ANNOTATOR_SETTINGS_DIR": str(tmp_path / "settings")}
    run_stress(env, rounds=3, command=["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"])
