"""Repeating an entity edit on every identical name: Y (article) / Shift+Y (project), one undo step."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from annotator import Project
from ui.main_window import MainWindow
from ui.settings import open_settings

TEXT = ("Ministers met in Zorvania today.\n\n"
        "Zorvania officials said Zorvania would sign. Critics in Zorvania disagreed.\n")


def _window(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "b.txt").write_text("Far from Zorvania, nothing happened.\n", encoding="utf-8")
    path = tmp_path / "p.annot"
    with Project.open(path) as p:
        assert p.import_files([folder], ner=False, lang="en").articles_added == 2
    w = MainWindow(open_settings(), "alice", restore_layout=False)
    qtbot.addWidget(w)
    assert w.open_project(path)
    w.show()
    qtbot.waitExposed(w)
    article = next(a for a in w.session.project.articles() if "Ministers" in a.text)
    w.goto_article(article.id)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.view.setFocus()
    return w


def _mentions(w: MainWindow) -> list[tuple[str, str]]:
    return [(m.text, m.label) for s in w.session.sentences for m in s.mentions]


def test_add_then_a_marks_every_identical_name_in_the_article(qtbot: QtBot, tmp_path: Path) -> None:
    w = _window(qtbot, tmp_path)
    start = TEXT.index("Zorvania")
    w.add_entity(start, start + len("Zorvania"), "LOC")
    assert _mentions(w) == [("Zorvania", "LOC")]
    assert "3 more in this article" in w.statusBar().currentMessage()
    assert w.actions_by_command["propagate_article"].isEnabled()
    qtbot.keyClick(w.view, "y")
    assert _mentions(w) == [("Zorvania", "LOC")] * 4
    assert w.session.project.history("alice")[0].action == "add_mentions"
    qtbot.keyClick(w.view, "z", Qt.KeyboardModifier.ControlModifier)  # ONE step undoes all four
    assert _mentions(w) == []
    assert not w.actions_by_command["propagate_article"].isEnabled()


def test_relabel_then_shift_a_reaches_the_project_and_future_imports(qtbot: QtBot,
                                                                     tmp_path: Path) -> None:
    w = _window(qtbot, tmp_path)
    start = TEXT.index("Zorvania")
    w.add_entity(start, start + len("Zorvania"), "ORG")
    qtbot.keyClick(w.view, "y")
    mid = next(m.id for s in w.session.sentences for m in s.mentions)
    w.view.relabel_requested.emit(mid, "LOC")
    assert "3 more in this article" in w.statusBar().currentMessage()
    qtbot.keyClick(w.view, "Y", Qt.KeyboardModifier.ShiftModifier)
    assert _mentions(w) == [("Zorvania", "LOC")] * 4
    assert w.session.project.store.entity_corrections() == {"Zorvania": "LOC"}
    w.view.setTextCursor(QTextCursor(w.view.document()))
    w.grab().save(str(tmp_path / "propagation.png"))
