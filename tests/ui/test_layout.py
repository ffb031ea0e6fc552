"""The window at laptop sizes: nothing in the label panel is cut off, the text keeps its room."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow
from ui.settings import open_settings


def _inside(widget: QWidget, area: QWidget) -> bool:
    """The whole of ``widget`` lies within ``area`` (not clipped at its right edge)."""
    right = widget.mapTo(area, QPoint(widget.width() - 1, 0)).x()
    return widget.isVisible() and right < area.width()


def test_label_panel_fits_and_text_keeps_room_on_a_small_screen(qtbot: QtBot,
                                                                project_path: Path) -> None:
    w = MainWindow(open_settings(), "alice", restore_layout=False)
    qtbot.addWidget(w)
    assert w.open_project(project_path)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    assert w.width() == 1280  # the window's minimum width allows a 1280-pixel screen
    w.goto_article_number(3, 1)  # a first sentence with six targets
    QApplication.processEvents()
    assert len(w.panel.rows) >= 5
    viewport = w.label_dock.widget().viewport()  # the scroll area around the panel
    for row in w.panel._row_widgets.values():
        assert all(_inside(b, viewport) for b in row.buttons.values())
    assert all(_inside(box, viewport) for box in w.panel._frame_boxes.values())
    assert w.view.width() >= 450  # the docks share the width; the text is not a strip
    w.resize(1000, 700)  # narrower than the window allows: it stops at its minimum
    QApplication.processEvents()
    for row in w.panel._row_widgets.values():
        assert _inside(row.buttons["FAVOR"], viewport)
    w.close()
