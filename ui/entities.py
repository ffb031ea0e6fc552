"""Entity-type colours, the show/hide actions per type and the legend that carries them."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QColor, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from annotator.model import ENTITY_LABELS

#: Background (light, keeps text readable) and edge (strong, for the legend and underline) per type.
ENTITY_COLOURS: dict[str, tuple[str, str]] = {
    "PER": ("#ffd6cc", "#d9480f"),
    "ORG": ("#cfe2ff", "#1c64d1"),
    "LOC": ("#d3f4d1", "#2b8a3e"),
    "MISC": ("#eadcff", "#7048c8"),
}
ENTITY_NAMES = {"PER": "person", "ORG": "organisation", "LOC": "location", "MISC": "other"}

CURRENT_FILL = QColor(255, 196, 0, 70)
CURRENT_EDGE = QColor("#e08e00")
LABELLED_MARK = QColor("#2f9e44")
IRRELEVANT_MARK = QColor("#adb5bd")
BOILERPLATE_TEXT = QColor("#9aa0a6")


def background(label: str) -> QColor:
    return QColor(ENTITY_COLOURS.get(label, ("#e9ecef", "#495057"))[0])


def edge(label: str) -> QColor:
    return QColor(ENTITY_COLOURS.get(label, ("#e9ecef", "#495057"))[1])


class EntityTypeToggles(QObject):
    """One checkable action per entity type; ``changed`` gives the set of types shown."""

    changed = Signal(object)  # frozenset[str]

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.actions: dict[str, QAction] = {}
        for label in ENTITY_LABELS:
            action = QAction(label, self)
            action.setCheckable(True)
            action.setChecked(True)
            action.setToolTip(f"Show or hide {ENTITY_NAMES[label]} entities ({label})")
            action.toggled.connect(self._emit)
            self.actions[label] = action

    def visible(self) -> frozenset[str]:
        return frozenset(k for k, a in self.actions.items() if a.isChecked())

    def _emit(self) -> None:
        self.changed.emit(self.visible())


class EntityLegend(QWidget):
    """A row of coloured toggle buttons, one per entity type, plus what the margin marks mean."""

    def __init__(self, toggles: EntityTypeToggles, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(QLabel("Entities:"))
        for label, action in toggles.actions.items():
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setObjectName(f"legend_{label}")
            bg, line = ENTITY_COLOURS[label]
            button.setStyleSheet(
                f"QToolButton {{ background: #f8f9fa; color: #868e96; border: 1px dashed #ced4da;"
                f" border-radius: 3px; padding: 1px 6px; }}"
                f"QToolButton:checked {{ background: {bg}; color: black; border: 1px solid {line}; }}"
            )
            row.addWidget(button)
        row.addSpacing(16)
        # The key to the margin marks is a nicety: when the window is narrow it is left out
        # (the space stays, empty) instead of making the whole window wider than the screen.
        self.key = QWidget(self)
        self.key.setObjectName("legend_key")
        self.key.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        key_row = QHBoxLayout(self.key)
        key_row.setContentsMargins(0, 0, 0, 0)
        key_row.setSpacing(4)
        self._key_items: list[QLabel] = []
        for colour, text in ((LABELLED_MARK, "labelled"), (IRRELEVANT_MARK, "irrelevant"),
                             (CURRENT_EDGE, "current sentence")):
            mark = QLabel("\u258c")  # a left half block: the same mark as in the margin
            mark.setStyleSheet(f"color: {colour.name()};")
            self._key_items += [mark, QLabel(text)]
        dim = QLabel("boilerplate")
        dim.setStyleSheet(f"color: {BOILERPLATE_TEXT.name()};")
        dim.setToolTip("Boilerplate lines (navigation, bylines, 'Leave a comment') are dimmed and"
                       " skipped by J/K")
        self._key_items.append(dim)
        for item in self._key_items:
            if item is dim:
                key_row.addSpacing(8)
            key_row.addWidget(item)
        key_row.addStretch(1)
        row.addWidget(self.key, 1)

    def key_shown(self) -> bool:
        return not self._key_items[0].isHidden()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)  # the layout has placed the key already
        layout = self.key.layout()
        assert layout is not None
        needed = (sum(item.sizeHint().width() for item in self._key_items)
                  + layout.spacing() * len(self._key_items) + 8)
        fits = self.key.width() >= needed
        for item in self._key_items:
            item.setVisible(fits)
