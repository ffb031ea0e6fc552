"""The Targets dock: pin (offered on every sentence), rename, merge."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow


def _row_of(window: MainWindow, name: str) -> int:
    proxy = window.targets.proxy
    for row in range(proxy.rowCount()):
        if proxy.index(row, 1).data() == name:
            return row
    raise AssertionError(name)


def test_pin_rename_merge(window: MainWindow, qtbot: QtBot) -> None:
    s = window.session
    panel = window.targets
    targets = sorted(s.targets().values(), key=lambda t: -t.n_mentions)
    assert panel.proxy.rowCount() == len(targets)
    # A sentence without linked mentions offers no targets until one is pinned.
    empty = None
    for number in range(1, 6):
        window.goto_article_number(number)
        empty = next((x for x in s.sentences if not x.boilerplate
                      and not any(m.target_id for m in x.mentions)), None)
        if empty is not None:
            break
    assert empty is not None
    s.set_current(empty.index)
    assert window.panel.rows == []
    pick = targets[0]
    index = panel.proxy.index(_row_of(window, pick.name), 0)
    assert panel.proxy.setData(index, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert s.target(pick.id).pinned
    assert [(r.target.id, r.why) for r in window.panel.rows] == [(pick.id, "pinned")]
    qtbot.keyClick(window.view, "3")
    assert s.label(empty.id).stance == {pick.id: "FAVOR"}

    index = panel.proxy.index(_row_of(window, pick.name), 1)
    panel.proxy.setData(index, "Renamed Target", Qt.ItemDataRole.EditRole)
    assert s.target(pick.id).name == "Renamed Target"
    assert window.panel.rows[0].target.name == "Renamed Target"

    keep, other = targets[1], targets[2]
    n = keep.n_mentions + other.n_mentions
    panel.merge(keep.id, other.id)
    assert s.target(other.id) is None and s.target(keep.id).n_mentions == n
    assert panel.proxy.rowCount() == len(targets) - 1
    panel.search.setText(other.aliases[0])  # the merged target's aliases now find the kept one
    assert panel.proxy.rowCount() >= 1
    assert keep.id in {panel.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole)
                       for r in range(panel.proxy.rowCount())}
    qtbot.keyClick(window.view, "z", Qt.KeyboardModifier.ControlModifier)  # undo the merge
    assert s.target(other.id) is not None


def test_typing_a_new_name_does_not_trigger_keys(window: MainWindow, qtbot: QtBot) -> None:
    panel = window.targets
    before = window.session.current
    index = panel.proxy.index(0, 1)
    tid = index.data(Qt.ItemDataRole.UserRole)
    panel.view.setFocus()
    panel.view.setCurrentIndex(index)
    panel.view.edit(index)
    editor = panel.view.indexWidget(index) or panel.view.findChild(QLineEdit)
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "jk3 Name")
    assert editor.text() == "jk3 Name"
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next loop turn
    qtbot.waitUntil(lambda: window.session.target(tid).name == "jk3 Name", timeout=2000)
    assert window.session.current == before
