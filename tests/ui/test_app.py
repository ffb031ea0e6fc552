"""Starting the app: screenshot mode, remembered annotator and recent projects, private settings."""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from annotator.project import Project
from ui import app
from ui.main_window import MainWindow
from ui.settings import SETTINGS_DIR_ENV, annotator_name, open_settings, recent_projects


def test_settings_are_private_to_the_tests() -> None:
    settings = open_settings()
    assert settings.fileName().startswith(os.environ[SETTINGS_DIR_ENV])


def test_screenshot_mode_writes_a_png(project_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    args = argparse.Namespace(project=str(project_path), screenshot=str(out), article=4,
                              sentence=3, annotator="alice")
    assert app.main(args) == 0
    image = QImage(str(out))
    assert not image.isNull() and image.width() >= 1200 and image.height() >= 800
    assert out.stat().st_size > 10_000


def test_annotator_and_recent_projects_are_remembered(
        qtbot: QtBot, project_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = open_settings()
    settings.clear()
    w = MainWindow(settings, "alice", restore_layout=False)
    qtbot.addWidget(w)
    assert w.open_project(project_path)
    assert recent_projects(settings)[0] == str(project_path.resolve())
    assert "alice" in w.annotator_label.text() and str(project_path) in w.path_label.text()
    w.session.set_current(w.session.first_unit())
    sid = w.session.sentence.id
    w.session.set_label(sid, {}, [], True, "")
    assert w.switch_annotator("bob")
    assert annotator_name(settings) == "bob" and "bob" in w.annotator_label.text()
    assert w.session.label(sid) is None  # bob's labels, not alice's
    assert "Overall 0/" in w.progress_label.text()
    refused: list[str] = []
    monkeypatch.setattr("ui.main_window.messages.warn",
                        lambda _parent, _title, text: refused.append(text))
    assert not w.switch_annotator("gold")  # kept for adjudicated labels
    assert refused and w.session.annotator == "bob"
    w.close()
    assert settings.value("window/state") is not None


def test_bad_project_file_is_refused(qtbot: QtBot, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.annot"
    bad.write_bytes(b"this is not sqlite" * 100)
    warnings: list[str] = []
    monkeypatch.setattr("ui.main_window.messages.warn",
                        lambda _parent, _title, text: warnings.append(text))
    w = MainWindow(open_settings(), "alice", restore_layout=False)
    qtbot.addWidget(w)
    assert not w.open_project(bad)
    assert warnings and w.session.project is None


def test_the_window_starts_without_the_heavy_libraries() -> None:
    """scikit-learn, scipy and spaCy load when suggestions or entities are first used, not at
    start (scikit-learn alone took the app's start from 0.85 s to 3.5 s)."""
    import subprocess
    import sys

    code = ("import sys, ui.main_window; "
            "print(','.join(m for m in ('sklearn', 'scipy', 'spacy', 'natasha') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == ""


def _opening_an_old_project(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                            ) -> tuple[MainWindow, Path, threading.Event]:
    """A window opening a copy of a schema-v3 project, its upgrade held back (as slow as on a
    big project) until the returned event is set."""
    old = tmp_path / "old.annot"
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "project-v3.annot", old)
    assert Project.needs_upgrade(old)
    release = threading.Event()
    real = Project.open

    def slow_open(*args, **kwargs):  # type: ignore[no-untyped-def]
        if threading.current_thread() is not threading.main_thread():
            release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(Project, "open", slow_open)
    settings = open_settings()
    settings.clear()
    w = MainWindow(settings, "alice", restore_layout=False)
    qtbot.addWidget(w)
    assert w.open_project(old)
    return w, old, release


def test_an_older_project_is_upgraded_in_the_background_then_opened(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a project an older version made upgrades it in a background job with a progress
    dialog (a backup and a recount: seconds on a big project), then opens it; meanwhile the
    window says it is busy."""
    from annotator.schema import SCHEMA_VERSION

    w, old, release = _opening_an_old_project(qtbot, tmp_path, monkeypatch)
    assert w.session.project is None and w.running_job() == "the upgrade of the project file"
    assert not w.open_project(old)  # busy: a second open is refused, with a message
    qtbot.waitUntil(lambda: w.open_task is not None and w.open_task.dialog is not None
                    and w.open_task.dialog.isVisible(), timeout=5000)
    assert "older version" in w.open_task.dialog.labelText()
    release.set()
    qtbot.waitUntil(lambda: w.session.project is not None, timeout=20_000)
    assert w.running_job() is None and not Project.needs_upgrade(old)
    db = sqlite3.connect(old)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()
    assert list((tmp_path / "old.annot.backups").glob("*.annot"))  # the backup before it
    w.close()


def test_cancelling_the_upgrade_leaves_the_file_as_it_was(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w, old, release = _opening_an_old_project(qtbot, tmp_path, monkeypatch)
    task = w.open_task
    assert task is not None
    task.cancel()  # the Cancel button
    release.set()
    qtbot.waitUntil(lambda: w.open_task is None, timeout=20_000)
    assert w.session.project is None and "left as it was" in w.statusBar().currentMessage()
    db = sqlite3.connect(old)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 3
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    w.close()
