"""Message boxes that show user data as plain text (never rich text, never live links).

``QMessageBox.warning(parent, title, text)`` guesses the text format: a message that quotes an
article's ``<a href=…>`` or ``<b>`` renders it, links and all. Every box of the app comes from here:
plain text, with control and bidi characters made visible (``annotator.textsafe.visible``), so a
file called ``gnp.exe`` with a U+202E in it reads as it is.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from annotator.textsafe import visible

#: Set by screenshot mode (nobody can answer a modal box there): boxes are written to stderr and
#: answered with their default instead of waiting forever.
headless = False


def _print(title: str, text: str) -> None:
    import sys

    print(f"{visible(title)}: {visible(text, keep=chr(10))}", file=sys.stderr)

Button = QMessageBox.StandardButton
Icon = QMessageBox.Icon


def message_box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str,
                buttons: QMessageBox.StandardButton = Button.Close, details: str = "",
                informative: str = "") -> QMessageBox:
    box = QMessageBox(icon, visible(title), "", buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(visible(text, keep="\n\t"))
    if informative:
        box.setInformativeText(visible(informative, keep="\n\t"))
    if details:
        box.setDetailedText(visible(details, keep="\n\t"))  # the details pane is plain text
    for label in box.findChildren(QLabel):  # the informative text too: plain, no links
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setOpenExternalLinks(False)
    return box


def warn(parent: QWidget | None, title: str, text: str) -> None:
    if headless:
        return _print(title, text)
    box = message_box(parent, Icon.Warning, title, text, Button.Ok)
    box.exec()


def inform(parent: QWidget | None, title: str, text: str) -> None:
    if headless:
        return _print(title, text)
    box = message_box(parent, Icon.Information, title, text, Button.Ok)
    box.exec()


def ask(parent: QWidget | None, title: str, text: str,
        buttons: QMessageBox.StandardButton = Button.Yes | Button.No,
        default: QMessageBox.StandardButton = Button.No) -> QMessageBox.StandardButton:
    if headless:
        _print(title, text)
        return default
    box = message_box(parent, Icon.Question, title, text, buttons)
    box.setDefaultButton(default)
    return Button(box.exec())


def error_box(parent: QWidget | None, title: str, text: str, details: str = "") -> QMessageBox:
    """A non-blocking error box (``open()`` it); its labels are plain text."""
    box = message_box(parent, Icon.Critical, title, text, Button.Close, details=details)
    return box
