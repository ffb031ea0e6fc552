"""Every file dialog of the app: Qt's own dialog, never sniffing file contents, remembering folders.

Qt's file dialog asks its icon provider for each file's type, and the stock provider finds it with
``QMimeDatabase``, which *opens and reads* files whose name does not decide the type — a project's
``.annot``, ``-wal`` and ``-shm`` among them. Closing any descriptor of a file drops all of this
process's POSIX locks on it, SQLite's included: another process may then take the project for
unused, checkpoint it and delete the WAL that the window is still writing to (labels lost). So the
dialogs here get an icon provider that decides by name and ``stat`` alone, and we always use Qt's
dialog (a platform's native dialog may sniff files in this process too). ``annotator.fileguard``
catches whatever else does it.

Each dialog has a *purpose* ("project", "import", "export", …): the folder last used for it is kept
in the settings and the next dialog of that purpose opens there.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileInfo
from PySide6.QtGui import QAbstractFileIconProvider
from PySide6.QtWidgets import QApplication, QFileDialog, QFileIconProvider, QStyle, QWidget

from .settings import open_settings


class NameOnlyIconProvider(QFileIconProvider):
    """Icons and type names from the file name and kind only: never opens a file."""

    def icon(self, which):  # type: ignore[no-untyped-def, override]
        style = QApplication.style()
        if isinstance(which, QFileInfo):
            if which.isDir():
                return style.standardIcon(QStyle.StandardPixmap.SP_DirIcon)
            return style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        if which == QAbstractFileIconProvider.IconType.Folder:
            return style.standardIcon(QStyle.StandardPixmap.SP_DirIcon)
        if which == QAbstractFileIconProvider.IconType.Drive:
            return style.standardIcon(QStyle.StandardPixmap.SP_DriveHDIcon)
        if which == QAbstractFileIconProvider.IconType.Computer:
            return style.standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)
        return style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)

    def type(self, info: QFileInfo) -> str:  # noqa: A003 - Qt's name
        if info.isDir():
            return "Folder"
        suffix = info.suffix()
        return f"{suffix.upper()} file" if suffix else "File"


_PROVIDER: NameOnlyIconProvider | None = None


def icon_provider() -> NameOnlyIconProvider:
    """One provider for the whole app (a dialog does not own the provider it is given)."""
    global _PROVIDER
    if _PROVIDER is None:
        _PROVIDER = NameOnlyIconProvider()
    return _PROVIDER


def _key(purpose: str) -> str:
    return f"dialogs/{purpose}"


def last_folder(purpose: str, fallback: str | Path | None = None) -> str:
    folder = str(open_settings().value(_key(purpose), "") or "")
    if folder and Path(folder).is_dir():
        return folder
    if fallback and Path(fallback).is_dir():
        return str(fallback)
    return str(Path.home())


def remember(purpose: str, chosen: str) -> None:
    if not chosen:
        return
    path = Path(chosen)
    open_settings().setValue(_key(purpose), str(path if path.is_dir() else path.parent))


def make_dialog(parent: QWidget | None, caption: str, directory: str, filters: str = "") -> QFileDialog:
    dialog = QFileDialog(parent, caption, directory, filters)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setIconProvider(icon_provider())
    return dialog


def _start(purpose: str, suggested: str | Path | None) -> tuple[str, str]:
    """The folder to open in (the one last used, else the suggestion's), and the name to suggest."""
    if not suggested:
        return last_folder(purpose), ""
    s = Path(suggested)
    return last_folder(purpose, s.parent if s.is_absolute() else None), s.name


def _run(dialog: QFileDialog, purpose: str) -> list[str]:
    if dialog.exec() != QFileDialog.DialogCode.Accepted:
        return []
    chosen = dialog.selectedFiles()
    if chosen:
        remember(purpose, chosen[0])
    return chosen


def open_file_names(parent: QWidget | None, caption: str, filters: str, purpose: str) -> list[str]:
    dialog = make_dialog(parent, caption, last_folder(purpose), filters)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    return _run(dialog, purpose)


def open_file_name(parent: QWidget | None, caption: str, filters: str, purpose: str) -> str:
    dialog = make_dialog(parent, caption, last_folder(purpose), filters)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    chosen = _run(dialog, purpose)
    return chosen[0] if chosen else ""


def existing_directory(parent: QWidget | None, caption: str, purpose: str) -> str:
    dialog = make_dialog(parent, caption, last_folder(purpose))
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    chosen = _run(dialog, purpose)
    return chosen[0] if chosen else ""


def save_file_name(parent: QWidget | None, caption: str, suggested: str | Path | None, filters: str,
                   purpose: str) -> str:
    directory, name = _start(purpose, suggested)
    dialog = make_dialog(parent, caption, directory, filters)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    if name:
        dialog.selectFile(name)
    chosen = _run(dialog, purpose)
    return chosen[0] if chosen else ""
