"""Entity-type colours, the show/hide actions per type and the legend that carries them."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QColor, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from annotator.model import ENTITY_LABELS

from . import theme

ENTITY_NAMES = {"PER": "person", "ORG": "organisation", "LOC": "location", "MISC": "other"}


def _kind(label: str) -> str:
    return label if label in ENTITY_NAMES else "other"


def background(label: str) -> QColor:
    """The fill behind an entity of this type (the theme keeps text on it readable)."""
    return theme.colour(f"entity_{_kind(label)}_bg")


def edge(label: str) -> QColor:
    """The strong colour of the type: underline, legend border, chip border."""
    return theme.colour(f"entity_{_kind(label)}_edge")


def current_fill() -> QColor:
    return theme.colour("current_fill")


def current_edge() -> QColor:
    return theme.colour("current_edge")


def labelled_mark() -> QColor:
    return theme.colour("labelled_mark")


def irrelevant_mark() -> QColor:
    return theme.colour("irrelevant_mark")


def boilerplate_text() -> QColor:
    return theme.colour("boilerplate_text")


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
            button.setProperty("legend", True)  # colours per theme: resources/style.qss
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
        for name, text in (("mark_labelled", "labelled"), ("mark_irrelevant", "irrelevant"),
                           ("mark_current", "current sentence")):
            mark = QLabel("\u258c")  # a left half block: the same mark as in the margin
            mark.setObjectName(name)
            self._key_items += [mark, QLabel(text)]
        dim = QLabel("boilerplate")
        dim.setObjectName("legend_key_boilerplate")
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
