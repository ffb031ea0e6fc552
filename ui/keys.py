"""The keyboard map (one table for shortcuts, tooltips and the cheat-sheet) and the typing guard."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class Binding:
    command: str  # the name MainWindow's actions are registered under
    keys: tuple[str, ...]  # QKeySequence strings, the first is the one shown in menus
    text: str  # what the key does, for menus, tooltips and the cheat-sheet
    group: str


#: Fixed bindings. Frame keys come from the project's codebook and are added at run time.
BINDINGS: tuple[Binding, ...] = (
    Binding("next_sentence", ("J", "Down"), "Next sentence (boilerplate is skipped)", "Move"),
    Binding("prev_sentence", ("K", "Up"), "Previous sentence (boilerplate is skipped)", "Move"),
    Binding("next_unlabelled", ("N",), "Next unlabelled sentence, across articles", "Move"),
    Binding("prev_unlabelled", ("P",), "Previous unlabelled sentence in this article", "Move"),
    Binding("next_article", ("]", "Ctrl+Down"), "Next article in the list", "Move"),
    Binding("prev_article", ("[", "Ctrl+Up"), "Previous article in the list", "Move"),
    Binding("next_target", ("Tab",), "Select the next target of the sentence", "Label"),
    Binding("prev_target", ("Shift+Tab",), "Select the previous target", "Label"),
    Binding("stance_against", ("1",), "Stance AGAINST the selected target", "Label"),
    Binding("stance_neutral", ("2",), "Stance NEUTRAL toward the selected target", "Label"),
    Binding("stance_favor", ("3",), "Stance FAVOR of the selected target", "Label"),
    Binding("stance_clear", ("0",), "Clear the stance toward the selected target", "Label"),
    Binding("irrelevant", ("I",), "Toggle 'irrelevant' for the sentence", "Label"),
    Binding("note", ("Ctrl+E",), "Edit the note (Esc or Enter returns to the article)", "Label"),
    Binding("propagate_article", ("Y",), "Repeat the last entity add/relabel/remove on every"
            " identical name in this article (one undo step)", "Edit"),
    Binding("propagate_project", ("Shift+Y",), "Repeat the last entity edit on every identical"
            " name in the project; future imports follow it too", "Edit"),
    Binding("undo", ("Ctrl+Z", "U"), "Undo your last change", "Edit"),
    Binding("redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo", "Edit"),
    Binding("shortcuts", ("F1",), "This keyboard cheat-sheet", "Help"),
    Binding("new", ("Ctrl+N",), "New project", "Project"),
    Binding("open", ("Ctrl+O",), "Open a project", "Project"),
    Binding("import", ("Ctrl+I",), "Import article files", "Project"),
    Binding("export", ("Ctrl+Shift+E",), "Export labels as a dataset", "Project"),
    Binding("merge", ("Ctrl+Shift+M",), "Merge annotations from other project files or exports",
            "Project"),
    Binding("review", ("Ctrl+R",), "Review and adjudicate disagreements (a new window)", "Project"),
    Binding("close", ("Ctrl+W",), "Close the project", "Project"),
    Binding("quit", ("Ctrl+Q",), "Quit", "Project"),
)

STANCE_COMMANDS = {"stance_against": "AGAINST", "stance_neutral": "NEUTRAL", "stance_favor": "FAVOR"}


def binding(command: str) -> Binding:
    for b in BINDINGS:
        if b.command == command:
            return b
    raise KeyError(command)


def shortcut_text(command: str) -> str:
    """The keys of a command as shown to people: 'J / Down'."""
    return " / ".join(native_text(k) for k in binding(command).keys)


def native_text(key: str) -> str:
    """A key as the platform writes it ('Ctrl+Down' on Linux, '⌘↓' on macOS)."""
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText) or key


def with_key(text: str, command: str) -> str:
    """A tooltip that names the key: 'Next sentence (J / Down)'."""
    return f"{text} ({shortcut_text(command)})"


class TypingGuard(QObject):
    """Keeps single-key shortcuts from firing while the user types in a text field.

    Qt asks the focus widget first (a ShortcutOverride event); accepting it for keys without
    Ctrl/Alt/Meta makes them ordinary key presses for the field. Esc hands focus back.
    """

    def __init__(self, parent: QObject | None = None, on_escape: object = None) -> None:
        super().__init__(parent)
        self.on_escape = on_escape

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            mods = event.modifiers() & ~(Qt.KeyboardModifier.ShiftModifier
                                         | Qt.KeyboardModifier.KeypadModifier)
            if mods == Qt.KeyboardModifier.NoModifier:
                event.accept()
                return True
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Escape and callable(self.on_escape)):
            self.on_escape()
            return True
        return False


def guard_typing(widget: QWidget, on_escape: object = None) -> TypingGuard:
    guard = TypingGuard(widget, on_escape)
    widget.installEventFilter(guard)
    return guard
