"""The first-run welcome: open the sample corpus, create a project or open one; the keys' cheat-sheet."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator import resources

from .keys import shortcut_text

if TYPE_CHECKING:
    from .main_window import MainWindow

SETTING = "welcome/show"


def should_show(settings: QSettings) -> bool:
    return bool(settings.value(SETTING, True, type=bool))


def sample_project_path() -> Path:
    """Where the sample project is made: the user's data folder for the app (not the bundle)."""
    folder = Path(QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation) or Path.home() / ".annotator")
    return folder / "sample.annot"


def open_sample(window: "MainWindow") -> bool:
    """Open the sample project, importing the shipped corpus into it the first time."""
    path = sample_project_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists()
    if not window.open_project(path):
        return False
    if fresh or window.session.project is not None and not window.articles.model.rowCount():
        window.import_files([str(resources.sample_corpus())])
    return True


class WelcomeDialog(QDialog):
    """Three ways in, and where the keys are explained."""

    def __init__(self, window: "MainWindow", parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.window_ = window
        self.setObjectName("welcome")
        self.setWindowTitle("Welcome to Annotator")
        layout = QVBoxLayout(self)
        head = QLabel("<h2>Welcome to Annotator</h2>")
        layout.addWidget(head)
        text = QLabel(
            "Label the stance toward people, organisations and places, and the frames, of each"
            " sentence of news articles — by keyboard. Everything is kept in one project file"
            " (.annot) and saved as you go.")
        text.setWordWrap(True)
        layout.addWidget(text)
        self.sample_button = QPushButton("Try the &sample corpus (5 articles)")
        self.sample_button.setObjectName("welcome_sample")
        self.sample_button.setToolTip(f"Imports the shipped sample into {sample_project_path()}")
        self.new_button = QPushButton("&Create a project…")
        self.new_button.setObjectName("welcome_new")
        self.open_button = QPushButton("&Open a project…")
        self.open_button.setObjectName("welcome_open")
        for button, slot in ((self.sample_button, self._sample), (self.new_button, self._new),
                             (self.open_button, self._open)):
            button.clicked.connect(slot)
            layout.addWidget(button)
        keys = QLabel(f"Keys: J/K move, 1/2/3 set a stance, Tab picks the target, letters toggle"
                      f" frames, N jumps to the next unlabelled sentence. "
                      f"<a href='#keys'>All keys ({shortcut_text('shortcuts')})</a>")
        keys.setObjectName("welcome_keys")
        keys.setWordWrap(True)
        keys.setTextFormat(Qt.TextFormat.RichText)  # our own text: the one link is ours
        keys.linkActivated.connect(lambda _link: window.show_shortcuts())
        layout.addWidget(keys)
        row = QHBoxLayout()
        self.again = QCheckBox("Show this at start")
        self.again.setObjectName("welcome_again")
        self.again.setChecked(should_show(window.settings))
        self.again.toggled.connect(lambda on: window.settings.setValue(SETTING, on))
        row.addWidget(self.again)
        row.addStretch(1)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        row.addWidget(close)
        layout.addLayout(row)
        self.setMinimumWidth(min(520, window.screen().availableGeometry().width() - 40))

    def _sample(self) -> None:
        self.accept()
        open_sample(self.window_)

    def _new(self) -> None:
        self.accept()
        self.window_.new_project_dialog()

    def _open(self) -> None:
        self.accept()
        self.window_.open_project_dialog()


def show_welcome(window: "MainWindow") -> WelcomeDialog:
    dialog = WelcomeDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.welcome_dialog = dialog  # type: ignore[attr-defined]
    dialog.open()
    return dialog
