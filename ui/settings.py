"""Where the app keeps its settings (QSettings), and the few values stored there."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

ORGANISATION = "news-annotator"
APPLICATION = "annotator"
SETTINGS_DIR_ENV = "ANNOTATOR_SETTINGS_DIR"
MAX_RECENT = 10


def open_settings() -> QSettings:
    """The app's settings; an INI file under $ANNOTATOR_SETTINGS_DIR when set (tests set it)."""
    folder = os.environ.get(SETTINGS_DIR_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return QSettings(str(Path(folder) / f"{APPLICATION}.ini"), QSettings.Format.IniFormat)
    return QSettings(ORGANISATION, APPLICATION)


def annotator_name(settings: QSettings) -> str:
    return str(settings.value("annotator", "") or "").strip()


def set_annotator_name(settings: QSettings, name: str) -> None:
    settings.setValue("annotator", name.strip())


def recent_projects(settings: QSettings) -> list[str]:
    value = settings.value("recent_projects", [])
    if isinstance(value, str):  # QSettings gives a bare string for a one-item list in INI files
        value = [value]
    return [str(v) for v in (value or []) if v]


def add_recent_project(settings: QSettings, path: str) -> list[str]:
    path = str(Path(path).resolve())
    recent = [path] + [p for p in recent_projects(settings) if p != path]
    settings.setValue("recent_projects", recent[:MAX_RECENT])
    return recent[:MAX_RECENT]


def remove_recent_project(settings: QSettings, path: str) -> None:
    settings.setValue("recent_projects", [p for p in recent_projects(settings) if p != path])
