"""The article view's font size: View menu actions, Ctrl+= / Ctrl++ / Ctrl+- / Ctrl+0, remembered."""
from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from .keys import binding, with_key

SETTING = "view/article_font_pt"
DEFAULT_PT = 10.5  # long reading: a little larger than most desktops' 9-10 pt
MIN_PT = 7.0
MAX_PT = 32.0
STEP_PT = 1.0


def clamp(points: float) -> float:
    return max(MIN_PT, min(MAX_PT, round(points * 2) / 2))


class ArticleFontSize(QObject):
    """Owns the article text's point size: ``changed`` tells the view; the settings keep it."""

    changed = Signal(float)

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        try:
            stored = float(settings.value(SETTING, DEFAULT_PT) or DEFAULT_PT)
        except (TypeError, ValueError):
            stored = DEFAULT_PT
        self.points = clamp(stored)
        self.bigger_action = self._action("&Larger text", "font_bigger", lambda: self.step(+1))
        self.smaller_action = self._action("&Smaller text", "font_smaller", lambda: self.step(-1))
        self.reset_action = self._action("&Normal text size", "font_reset", self.reset)
        self._update_actions()

    def _action(self, text: str, command: str, slot: object) -> QAction:
        action = QAction(text, self)
        action.setObjectName(command)
        # Ctrl++ is typed as Ctrl+Shift+= on most layouts: accept that spelling too.
        keys = binding(command).keys + (("Ctrl+Shift+=",) if command == "font_bigger" else ())
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setToolTip(with_key(binding(command).text, command))
        action.triggered.connect(slot)  # type: ignore[arg-type]
        return action

    def actions(self) -> list[QAction]:
        return [self.bigger_action, self.smaller_action, self.reset_action]

    def add_to(self, menu: QMenu) -> QMenu:
        sub = menu.addMenu("Article &text size")
        sub.setObjectName("font_menu")
        for action in self.actions():
            sub.addAction(action)
        return sub

    def set_points(self, points: float) -> None:
        points = clamp(points)
        if points == self.points:
            return
        self.points = points
        self.settings.setValue(SETTING, points)
        self._update_actions()
        self.changed.emit(points)

    def step(self, direction: int) -> None:
        self.set_points(self.points + STEP_PT * (1 if direction > 0 else -1))

    def reset(self) -> None:
        self.set_points(DEFAULT_PT)

    def _update_actions(self) -> None:
        self.bigger_action.setEnabled(self.points < MAX_PT)
        self.smaller_action.setEnabled(self.points > MIN_PT)
        self.reset_action.setText(f"&Normal text size ({DEFAULT_PT:g} pt; now {self.points:g} pt)")
