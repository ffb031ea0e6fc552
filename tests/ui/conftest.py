"""UI fixtures: the real main window on a private copy of the seeds project; no threads left behind."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow
from ui.settings import open_settings
from ui.worker import running_tasks


@pytest.fixture(scope="session", autouse=True)
def app_looks(qapp: QApplication) -> None:
    """The app's theme (palette and stylesheet), as ``annotator gui`` sets it. (Fitting windows to
    the screen is tested in a child process with a screen of its own: test_desktop.py.)"""
    from ui import theme

    theme.apply("light")


@pytest.fixture(autouse=True)
def no_threads_left(qapp: QApplication) -> Iterator[None]:
    """Fail fast when a test leaves background work running (or a job's callbacks pending)."""
    yield
    pool = QThreadPool.globalInstance()
    assert pool.waitForDone(5000), f"{pool.activeThreadCount()} worker thread(s) still running"
    assert not running_tasks(), f"background tasks never finished: {running_tasks()}"


@pytest.fixture
def project_path(seeds_project_file: Path, tmp_path: Path) -> Path:
    """A private copy of the seeds project (with entities), safe to write."""
    path = tmp_path / "seeds.annot"
    shutil.copy(seeds_project_file, path)
    return path


@pytest.fixture
def window(qtbot: QtBot, project_path: Path) -> Iterator[MainWindow]:
    """The real main window, shown, active, with the seeds copy open as annotator 'alice'."""
    settings = open_settings()
    settings.clear()
    w = MainWindow(settings, "alice", restore_layout=False)
    qtbot.addWidget(w)
    assert w.open_project(project_path)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.view.setFocus()
    yield w
    if w.isVisible():
        w.close()
