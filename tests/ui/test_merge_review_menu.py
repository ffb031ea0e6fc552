"""Merging another project's labels from the window, and the Review menu's window."""
from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from annotator import Project
from ui.main_window import MainWindow
from ui.review import ReviewWindow


def menu_texts(w: MainWindow, title: str) -> list[str]:
    menu = next(a.menu() for a in w.menuBar().actions() if a.text() == title)
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_merge_brings_in_another_annotators_labels(window: MainWindow, qtbot: QtBot,
                                                   seeds_project_file: Path, tmp_path: Path) -> None:
    w = window
    assert "&Merge annotations…" in menu_texts(w, "&File")
    article = w.session.article
    assert article is not None
    other = tmp_path / "bob.annot"
    shutil.copy(seeds_project_file, other)
    with Project.open(other) as p:
        units = [s for s in p.sentences(article.id) if not s.boilerplate][:3]
        for s in units:
            p.set_label(s.id, "bob", frames=["political"])
    not_a_project = tmp_path / "notes.txt"
    not_a_project.write_text("hello\n", encoding="utf-8")

    with qtbot.waitSignal(w.merge_finished, timeout=60000) as finished:
        task = w.merge_files([str(other), str(not_a_project)])
        assert task is not None
        assert w.merge_files([str(other)]) is None  # one job at a time
    outcomes = finished.args[0]
    assert outcomes[0].report is not None and outcomes[0].report.labels_added == 3
    assert outcomes[1].report is None and "neither a project file" in (outcomes[1].error or "")

    dialog = w.merge_report_dialog
    assert dialog is not None and dialog.isVisible()
    assert "3 labels added" in dialog.summary.text()
    assert "neither a project file" in dialog.problems.item(0).text()
    assert dialog.problems.count() == 1
    dialog.close()

    # Bob's labels are in this project now: switching to him shows them.
    assert w.switch_annotator("bob")
    assert {s.id for s in units} <= set(w.session.labels)
    assert w.session.label(units[0].id).frames == ["political"]
    row = w.articles.model.row_of(article.id)
    assert row is not None and w.articles.model.index(row, 5).data().startswith("3/")
    assert "Overall 3/" in w.progress_label.text()


def test_review_menu_opens_the_review_window(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    action = w.actions_by_command["review"]
    assert action.shortcut() == QKeySequence("Ctrl+R")
    assert "&Review and adjudicate…" in menu_texts(w, "&Review")
    action.trigger()
    review = w.review_window
    assert isinstance(review, ReviewWindow) and review.isVisible()
    # not qtbot.addWidget: it deletes itself on close, and the test closes it
    assert review.reviewer == "alice" and review.project.path == w.session.project.path
    qtbot.waitUntil(lambda: not review.busy_computing, timeout=60000)
    action.trigger()  # again: the same window comes to the front
    assert w.review_window is review
    review.close()  # it deletes itself (and its project connection); the main window forgets it
    qtbot.waitUntil(lambda: w.review_window is None)
    action.trigger()
    assert isinstance(w.review_window, ReviewWindow) and w.review_window is not review
    second = w.review_window
    qtbot.waitUntil(lambda: not second.busy_computing, timeout=60000)
    second.close()
    qtbot.waitUntil(lambda: w.review_window is None)


def test_cheat_sheet_lists_the_project_keys(window: MainWindow, qtbot: QtBot) -> None:
    dialog = window.show_shortcuts()
    text = dialog.text.toPlainText()
    for needle in ("Ctrl+Shift+E", "Export labels as a dataset", "Ctrl+Shift+M", "Ctrl+R",
                   "Review and adjudicate"):
        assert needle in text
    dialog.close()
