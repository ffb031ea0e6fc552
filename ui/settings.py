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


def _project_key(project_path: str) -> str:
    import hashlib

    resolved = str(Path(project_path).resolve())
    return "projects/" + hashlib.sha256(resolved.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def project_annotator(settings: QSettings, project_path: str) -> str:
    """The name last used in this project ("" when none): each project remembers its annotator."""
    return str(settings.value(f"{_project_key(project_path)}/annotator", "") or "").strip()


def set_project_annotator(settings: QSettings, project_path: str, name: str) -> None:
    key = _project_key(project_path)
    settings.setValue(f"{key}/path", str(Path(project_path).resolve()))
    settings.setValue(f"{key}/annotator", name.strip())


def remember_position(settings: QSettings, project_path: str, article_id: str, index: int) -> None:
    """Where the annotator is in a project (restored on the next start, and after a crash)."""
    key = _project_key(project_path)
    settings.setValue(f"{key}/path", str(Path(project_path).resolve()))
    settings.setValue(f"{key}/article", article_id)
    settings.setValue(f"{key}/sentence", int(index))
    settings.sync()


def last_position(settings: QSettings, project_path: str) -> tuple[str, int] | None:
    key = _project_key(project_path)
    article = str(settings.value(f"{key}/article", "") or "")
    if not article:
        return None
    try:
        index = int(settings.value(f"{key}/sentence", 0) or 0)
    except (TypeError, ValueError):
        index = 0
    return article, index
