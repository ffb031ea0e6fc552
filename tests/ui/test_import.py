"""Importing from the window: in a worker thread, with a progress dialog, Cancel and a report."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from annotator import Project
from ui.main_window import MainWindow
from ui.settings import open_settings


def make_corpus(folder: Path, n: int, bad: int = 0) -> Path:
    """``n`` small English articles (distinct texts) and ``bad`` empty files, with a manifest."""
    folder.mkdir()
    entries = []
    for i in range(n):
        name = f"gen_{i:03d}.txt"
        (folder / name).write_text(
            f"Generated report number {i}\n\nThe council met on day {i} to discuss the budget."
            f" Members asked about item {i * 7}. The vote was postponed.\n", encoding="utf-8")
        entries.append({"file": name, "outlet": "Gen Daily" if i % 2 else "Gen Weekly",
                        "lang": "en"})
    for j in range(bad):
        (folder / f"empty_{j}.txt").write_text("  \n", encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"articles": entries}), encoding="utf-8")
    return folder


def test_import_runs_in_background_and_reports(window: MainWindow, qtbot: QtBot, tmp_path: Path,
                                               project_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", 30, bad=2)
    progress: list[int] = []
    with qtbot.waitSignal(window.import_finished, timeout=60000) as finished:
        task = window.import_files([str(corpus)], ner=False)
        assert task is not None and task.dialog is not None
        task.progressed.connect(lambda value, _max, _msg: progress.append(value))
        assert window.import_task is task
    report = finished.args[0]
    assert report.articles_added == 30 and not report.cancelled
    assert len(report.issues) == 2 and "empty" in str(report.issues[0])
    assert progress, "progress reached the GUI thread"
    assert task.finished and task.dialog is None  # the progress dialog is closed
    dialog = window.report_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.issues.count() == 2
    assert dialog.issues.item(0).text().startswith(str(corpus / "empty_"))
    assert "30 articles imported" in dialog.summary.text()
    dialog.close()
    assert window.articles.model.total == 35
    assert window.articles.outlet.findData("Gen Daily") >= 0
    assert "Overall 0/" in window.progress_label.text()
    with Project.open(project_path) as p:
        assert p.count_articles() == 35


def test_import_can_be_cancelled(window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "big", 120)
    with qtbot.waitSignal(window.import_finished, timeout=60000) as finished:
        task = window.import_files([str(corpus)], ner=False)
        assert task is not None and task.dialog is not None
        task.dialog.findChild(QPushButton).click()  # the dialog's Cancel button
    report = finished.args[0]
    assert report.cancelled
    assert report.articles_added < 120
    assert window.articles.model.total == 5 + report.articles_added
    assert "cancelled" in window.report_dialog.summary.text()
    window.report_dialog.close()


def test_window_stays_responsive_during_import(window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", 40)
    with qtbot.waitSignal(window.import_finished, timeout=60000):
        window.import_files([str(corpus)], ner=False)
        before = window.session.current
        qtbot.keyClick(window.view, "j")  # the GUI thread is free: keys work during the import
        assert window.session.current != before
        assert window.import_files([str(corpus)]) is None  # one import at a time
    window.report_dialog.close()


def test_dropping_files_imports_them(window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "dropped", 3)
    window.ner_action.setChecked(False)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in sorted(corpus.glob("*.txt"))])
    event = QDropEvent(QPointF(400, 300), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.import_finished, timeout=60000) as finished:
        window.dropEvent(event)
    assert finished.args[0].articles_added == 3
    window.report_dialog.close()


def test_import_with_entities(window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "ner"
    folder.mkdir()
    (folder / "a.txt").write_text("Antony Blinken met officials in Astana on Tuesday.\n\n"
                                  "The United States supports Kazakhstan.\n", encoding="utf-8")
    with qtbot.waitSignal(window.import_finished, timeout=60000) as finished:
        window.import_files([str(folder)], ner=True)
    report = finished.args[0]
    assert report.articles_added == 1 and report.mentions >= 2
    window.report_dialog.close()


def test_closing_the_window_cancels_a_running_import(window: MainWindow, qtbot: QtBot,
                                                     tmp_path: Path, project_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", 120)
    task = window.import_files([str(corpus)], ner=False)
    assert task is not None
    window.close()  # cancels, waits for the worker, drops the callbacks
    assert task.progress.cancelled and task.finished
    with Project.open(project_path) as p:
        assert p.count_articles() < 125  # stopped early; what was imported is kept


def test_no_project_means_nothing_to_import(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr("ui.main_window.messages.inform",
                        lambda _parent, _title, text: shown.append(text))
    w = MainWindow(open_settings(), "alice", restore_layout=False)
    qtbot.addWidget(w)
    assert not w.import_action.isEnabled()
    assert w.import_files(["/nonexistent"]) is None and shown
    qtbot.keyClick(w, "j")  # keys without a project do nothing (and do not fail)
    qtbot.keyClick(w, "3")


def test_an_empty_project_says_how_to_import_and_keys_do_no_harm(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "empty.annot"
    Project.open(path).close()
    w = MainWindow(open_settings(), "alice", restore_layout=False)
    qtbot.addWidget(w)
    assert "No project open" in w.view.toPlainText()
    assert w.open_project(path)
    w.show()
    qtbot.waitExposed(w)
    assert "no articles yet" in w.view.toPlainText() and "Import files" in w.view.toPlainText()
    assert not w.panel.sentence_text.isVisible()
    w.view.setFocus()
    for key in ("j", "n", "]", "1", "e", "i", "u"):  # nothing to act on: nothing happens
        qtbot.keyClick(w.view, key)
    qtbot.keyClick(w.view, Qt.Key.Key_Tab)
    w.ner_action.setChecked(False)
    with qtbot.waitSignal(w.import_finished, timeout=60000):
        w.import_files([str(make_corpus(tmp_path / "corpus", 2))])
    w.report_dialog.close()
    assert w.session.article is not None  # the first imported article opens
    assert w.view.toPlainText().startswith("Generated report")
    assert w.panel.sentence_text.isVisible()
    w.close_project()
    assert "No project open" in w.view.toPlainText()
    w.close()


def _children_alive() -> list[int]:
    """Child processes of this one that still run (zombies and multiprocessing's tracker excluded)."""
    import os

    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines()
                          if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(os.getpid()) and \
                not fields.get("State", "").startswith("Z"):
            out.append(int(status.parent.name))
    # multiprocessing's resource tracker lives as long as this process (it exits with it)
    return [pid for pid in out if b"resource_tracker" not in _cmdline(pid)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_import_with_entity_workers_from_the_window(window: MainWindow, qtbot: QtBot,
                                                    tmp_path: Path, monkeypatch) -> None:
    """The background import starts NER worker processes beside Qt's threads (spawned, not
    forked), finds the same entities, and leaves no process behind."""
    monkeypatch.setenv("ANNOTATOR_NER_WORKERS", "2")
    folder = tmp_path / "ner"
    folder.mkdir()
    for i in range(20):
        (folder / f"a{i}.txt").write_text(
            f"Report {i}: Antony Blinken met officials in Astana on Tuesday.\n\n"
            "The United States supports Kazakhstan.\n", encoding="utf-8")
    before = set(_children_alive())
    with qtbot.waitSignal(window.import_finished, timeout=120000) as finished:
        window.import_files([str(folder)], ner=True)
    report = finished.args[0]
    assert report.ok and report.articles_added == 20 and report.mentions >= 40
    window.report_dialog.close()
    assert set(_children_alive()) <= before


def test_closing_the_window_stops_entity_workers(window: MainWindow, qtbot: QtBot,
                                                 tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ANNOTATOR_NER_WORKERS", "2")
    corpus = make_corpus(tmp_path / "corpus", 200)
    before = set(_children_alive())
    task = window.import_files([str(corpus)], ner=True)
    assert task is not None
    qtbot.waitUntil(lambda: len(set(_children_alive()) - before) >= 2, timeout=30000)
    window.close()  # cancels; the workers are killed, not left to finish
    assert task.progress.cancelled and task.finished
    qtbot.waitUntil(lambda: set(_children_alive()) <= before, timeout=10000)
