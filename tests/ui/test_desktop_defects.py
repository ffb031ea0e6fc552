"""The small defects a new user hit (issue 11), each pinned by a test."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytest import MonkeyPatch
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow


def test_frame_definition_is_not_carried_to_another_sentence(window: MainWindow,
                                                             qtbot: QtBot) -> None:
    window.goto_article_number(1, 2)
    frame = window.session.project.codebook.frames[0]
    qtbot.keyClick(window.view, frame.key)  # typing a frame's key shows its definition
    assert frame.definition[:20] in window.panel.definition.text()
    qtbot.keyClick(window.view, Qt.Key.Key_J)
    assert frame.definition[:20] not in window.panel.definition.text()
    assert "Point at a frame" in window.panel.definition.text()


def test_undo_keeps_the_selected_target(window: MainWindow, qtbot: QtBot) -> None:
    assert window.goto_article_number(3, 1)  # a sentence with several targets
    rows = window.panel.rows
    assert len(rows) >= 3
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    chosen = window.panel.selected
    assert chosen == rows[2].target.id
    qtbot.keyClick(window.view, Qt.Key.Key_3)
    assert window.session.label(window.session.sentence.id).stance[chosen] == "FAVOR"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert chosen not in (window.session.label(window.session.sentence.id) or
                          type("L", (), {"stance": {}})).stance
    assert window.panel.selected == chosen  # still the one the annotator was on
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert window.panel.selected == chosen


def test_ctrl_tab_switches_the_review_windows_tabs(window: MainWindow, qtbot: QtBot) -> None:
    review = window.open_review()
    assert review is not None
    qtbot.waitExposed(review)
    tabs = review.tabs  # type: ignore[attr-defined]
    assert tabs.currentIndex() == 0
    focus = review.focusWidget() or review
    qtbot.keyClick(focus, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert tabs.currentIndex() == 1
    qtbot.keyClick(review.focusWidget() or review, Qt.Key.Key_Backtab,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert tabs.currentIndex() == 0
    qtbot.keyClick(review.focusWidget() or review, Qt.Key.Key_Backtab,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert tabs.currentIndex() == tabs.count() - 1  # wraps around
    review.close()


def test_first_click_on_merge_asks_which_name_stays(window: MainWindow, qtbot: QtBot,
                                                    monkeypatch: MonkeyPatch) -> None:
    panel = window.targets_dock.widget()
    view = panel.view
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: asked.append(box.text()) or 0)
    first = view.visualRect(panel.proxy.index(0, 1)).center()
    second = view.visualRect(panel.proxy.index(1, 1)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=first)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ControlModifier, pos=second)
    assert panel.merge_button.isEnabled()
    qtbot.mouseClick(panel.merge_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and asked[0].startswith("Merge “")


def test_adding_an_entity_says_so(window: MainWindow) -> None:
    window.goto_article_number(1, 1)
    sentence = window.session.sentence
    taken = {(m.start, m.end) for m in sentence.mentions}
    word_end = sentence.start + sentence.text.index(" ")
    assert (sentence.start, word_end) not in taken
    window.add_entity(sentence.start, word_end, "ORG")
    said = window.statusBar().currentMessage()  # the entity and what can follow (propagation)
    assert f"“{sentence.text[:word_end - sentence.start]}”" in said and "Add the same" in said


def test_switching_articles_frees_the_documents_it_replaces(window: MainWindow, qtbot) -> None:
    """Each article is shown in a new formatted document; the replaced ones are freed (they were
    kept as the view's children: ~1.7 MB per switch on a 200-sentence article, without end)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QApplication

    for k in range(30):
        assert window.goto_article_number(1 + k % 3, 1)
        QApplication.processEvents()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # as the event loop does
    documents = window.view.findChildren(QTextDocument)
    assert len(documents) <= 2, len(documents)
    assert window.view.document() in documents
