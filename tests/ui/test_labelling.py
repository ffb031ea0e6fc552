"""Keyboard labelling in the real window: stance, frames, irrelevant, notes, undo/redo, moving."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from annotator import Project
from ui.main_window import MainWindow


def press(w: MainWindow, qtbot: QtBot, *keys: str) -> None:
    """Type keys at the article view, as a user does (strings like 'j', or Qt key names)."""
    for key in keys:
        if key.startswith("Key_"):
            qtbot.keyClick(w.view, getattr(Qt.Key, key))
        elif key.startswith("Ctrl+"):
            mods = Qt.KeyboardModifier.ControlModifier
            rest = key[5:]
            if rest.startswith("Shift+"):
                mods |= Qt.KeyboardModifier.ShiftModifier
                rest = rest[6:]
            qtbot.keyClick(w.view, getattr(Qt.Key, rest) if rest.startswith("Key_") else rest, mods)
        else:
            qtbot.keyClick(w.view, key)


def next_with_targets(w: MainWindow, qtbot: QtBot, at_least: int = 1) -> int:
    """Press J until the current sentence offers ``at_least`` targets; returns its sentence id."""
    for _ in range(len(w.session.sentences)):
        if len(w.panel.rows) >= at_least and w.session.sentence is not None \
                and w.session.label(w.session.sentence.id) is None:
            return w.session.sentence.id
        press(w, qtbot, "j")
    raise AssertionError("no sentence with targets in this article")


def go_to_language(w: MainWindow, qtbot: QtBot, lang: str) -> None:
    for _ in range(10):
        if w.session.article is not None and w.session.article.lang == lang:
            return
        press(w, qtbot, "]")
    raise AssertionError(f"no {lang} article")


def test_keyboard_labels_persist_and_undo(window: MainWindow, qtbot: QtBot, project_path: Path) -> None:
    w = window
    assert w.session.article is not None and w.session.article.lang == "en"
    s1 = next_with_targets(w, qtbot, at_least=2)
    first, second = (r.target.id for r in w.panel.rows[:2])
    press(w, qtbot, "3", "e")  # FAVOR toward the first target, frame 'economic'
    press(w, qtbot, "Key_Tab", "1")  # AGAINST toward the second
    label = w.session.label(s1)
    assert label is not None
    assert label.stance == {first: "FAVOR", second: "AGAINST"}
    assert label.frames == ["economic"]
    assert w.panel.selected == second
    press(w, qtbot, "j")
    s2 = next_with_targets(w, qtbot)
    press(w, qtbot, "2", "s")
    press(w, qtbot, "j")
    s3 = w.session.sentence.id
    press(w, qtbot, "i")
    assert w.session.label(s3).irrelevant
    press(w, qtbot, "j", "j")
    press(w, qtbot, "Ctrl+Z")  # undo 'irrelevant': the view goes back to that sentence
    assert w.session.label(s3) is None
    assert w.session.sentence.id == s3
    row = w.articles.model.row_of(w.session.article.id)
    assert w.articles.model.index(row, 5).data().startswith("2/")

    go_to_language(w, qtbot, "ru")
    s4 = next_with_targets(w, qtbot)
    ru_target = w.panel.rows[0].target.id
    press(w, qtbot, "3", "g", "g", "g")  # 'g' toggles 'political' on, off, on
    assert w.session.label(s4).frames == ["political"]
    assert "Overall 3/" in w.progress_label.text()
    w.close()

    with Project.open(project_path) as p:
        labels = {lab.sentence_id: lab for lab in p.labels(annotator="alice")}
    assert set(labels) == {s1, s2, s4}
    assert labels[s1].stance == {first: "FAVOR", second: "AGAINST"}
    assert labels[s1].frames == ["economic"]
    assert list(labels[s2].stance.values()) == ["NEUTRAL"] and labels[s2].frames == ["security_defense"]
    assert labels[s4].stance == {ru_target: "FAVOR"} and labels[s4].frames == ["political"]


def test_stance_button_click_again_clears(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    sid = next_with_targets(w, qtbot)
    row = w.panel._row_widgets[w.panel.rows[0].target.id]
    qtbot.mouseClick(row.buttons["AGAINST"], Qt.MouseButton.LeftButton)
    assert list(w.session.label(sid).stance.values()) == ["AGAINST"]
    row = w.panel._row_widgets[w.panel.rows[0].target.id]
    assert row.buttons["AGAINST"].isChecked()
    qtbot.mouseClick(row.buttons["AGAINST"], Qt.MouseButton.LeftButton)
    assert w.session.label(sid) is None  # an empty label is deleted
    press(w, qtbot, "1", "0")
    assert w.session.label(sid) is None


def test_keys_do_not_fire_while_typing_a_note(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    sid = w.session.sentence.id
    press(w, qtbot, "Ctrl+E")
    assert w.panel.note.hasFocus()
    qtbot.keyClicks(w.panel.note, "jk13 in] n")
    assert w.panel.note.text() == "jk13 in] n"
    assert w.session.sentence.id == sid  # no navigation, no stance
    qtbot.keyClick(w.panel.note, Qt.Key.Key_Escape)  # saves and returns to the article
    assert w.view.hasFocus()
    assert w.session.label(sid).note == "jk13 in] n"
    assert w.session.label(sid).stance == {}
    # While typing, the note is also saved after a short pause.
    press(w, qtbot, "j", "Ctrl+E")
    sid2 = w.session.sentence.id
    qtbot.keyClicks(w.panel.note, "later")
    qtbot.waitUntil(lambda: w.session.label(sid2) is not None
                    and w.session.label(sid2).note == "later", timeout=3000)
    qtbot.keyClick(w.panel.note, Qt.Key.Key_Escape)
    # The filter box is guarded the same way.
    w.articles.text.setFocus()
    qtbot.keyClicks(w.articles.text, "jn")
    assert w.session.sentence.id == sid2 and w.articles.text.text() == "jn"


def test_jk_skip_boilerplate_and_articles_move(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    press(w, qtbot, "Ctrl+Key_Down", "Ctrl+Key_Down", "Ctrl+Key_Down", "Ctrl+Key_Down")
    article = w.session.article
    assert article is not None and w.articles.current_article_id() == article.id
    assert any(s.boilerplate for s in w.session.sentences), "the EFE article has a kicker line"
    first = w.session.current
    assert not w.session.sentence.boilerplate
    press(w, qtbot, "k")
    assert w.session.current == first
    seen = []
    for _ in range(len(w.session.sentences) + 2):
        seen.append(w.session.sentence)
        press(w, qtbot, "Key_Down")
    assert not any(s.boilerplate for s in seen)
    assert seen[-1].index == max(s.index for s in w.session.sentences if not s.boilerplate)
    press(w, qtbot, "[")
    assert w.session.article.id != article.id
    press(w, qtbot, "Ctrl+Key_Up")
    assert w.articles.current_article_id() == w.session.article.id


def test_next_unlabelled_crosses_articles(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    first_article = w.session.article.id
    units = [s for s in w.session.sentences if not s.boilerplate]
    for s in units[:-1]:
        w.session.set_label(s.id, {}, [], True, "")
    press(w, qtbot, "n")
    assert w.session.sentence.id == units[-1].id
    press(w, qtbot, "i", "n")
    assert w.session.article.id != first_article
    assert w.session.label(w.session.sentence.id) is None
    assert not w.session.sentence.boilerplate


def test_undo_redo_follow_the_change_across_articles(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    sid = next_with_targets(w, qtbot)
    article = w.session.article.id
    press(w, qtbot, "2")
    press(w, qtbot, "]")
    assert w.session.article.id != article
    assert w.actions_by_command["undo"].isEnabled()
    press(w, qtbot, "Ctrl+Z")
    assert w.session.article.id == article and w.session.sentence.id == sid
    assert w.session.label(sid) is None
    assert w.actions_by_command["redo"].isEnabled()
    press(w, qtbot, "Ctrl+Shift+Z")
    assert list(w.session.label(sid).stance.values()) == ["NEUTRAL"]
    press(w, qtbot, "u")  # the codebook's reserved undo key
    assert w.session.label(sid) is None
    press(w, qtbot, "Ctrl+Y")
    assert w.session.label(sid) is not None


def test_cheat_sheet_lists_keys_and_frames(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_F1)
    dialog = window.shortcuts_dialog
    text = dialog.text.toPlainText()
    for needle in ("J / Down", "Next unlabelled", "Ctrl+Z", "Toggle frame “Economic”", "Tab"):
        assert needle in text
    assert "(J / Down)" in window.actions_by_command["next_sentence"].toolTip()
    dialog.close()


def test_status_bar_counts_the_label_just_made(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    next_with_targets(w, qtbot)
    done, total = w.session.article_progress()
    press(w, qtbot, "3")  # the first label of the article: both counts move at once
    assert w.progress_label.text().startswith(f"Article {done + 1}/{total} labelled")
    press(w, qtbot, "0")  # the label is empty again, so deleted
    assert w.progress_label.text().startswith(f"Article {done}/{total} labelled")


def test_switching_annotator_while_typing_a_note_keeps_it_with_its_author(
        window: MainWindow, qtbot: QtBot, project_path: Path) -> None:
    w = window
    sid = w.session.sentence.id
    press(w, qtbot, "Ctrl+E")
    qtbot.keyClicks(w.panel.note, "alice's thought")
    assert w.switch_annotator("bob")
    assert w.panel.note.text() == ""  # bob sees his own (empty) note
    assert not w.panel.note.hasFocus()
    press(w, qtbot, "Ctrl+E")
    qtbot.keyClick(w.panel.note, Qt.Key.Key_Escape)
    with Project.open(project_path) as p:
        assert [(lab.annotator, lab.note) for lab in p.labels(sentence_id=sid)] == \
            [("alice", "alice's thought")]


def test_next_unlabelled_wraps_to_the_top_of_the_list(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    first_article = w.session.article.id
    skipped = [s for s in w.session.sentences if not s.boilerplate][0]
    press(w, qtbot, "[")  # from the last article of the list ...
    for _ in range(10):
        press(w, qtbot, "]")
    last = w.session.article.id
    assert last != first_article
    for s in w.session.sentences:  # ... with everything there labelled
        if not s.boilerplate:
            w.session.set_label(s.id, {}, [], True, "")
    press(w, qtbot, "n")
    assert w.session.article.id == first_article and w.session.sentence.id == skipped.id
    assert "top of the list" in w.statusBar().currentMessage()
