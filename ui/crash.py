"""Crash safety of the window: a crash log in the user's data folder, and the next start told of it.

At start :func:`begin` points ``faulthandler`` (a fatal error, an abort, a segfault: the stacks of
every thread) and uncaught Python exceptions into ``crash/annotator-YYYYmmdd-HHMMSS-PID.log`` in the
app's data folder, and marks the session as running in the settings. A clean quit (:func:`end`)
removes the mark and an empty log. If the mark is still there at the next start, the previous
session ended unexpectedly: :func:`previous_crash` names its log, and the app says so, reopens the
project at the last sentence (kept in the settings as the annotator moves) and saves any kept changes.
"""
from __future__ import annotations

import faulthandler
import os
import platform
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from PySide6.QtCore import QSettings, QStandardPaths

MARK = "session/running"
LOG = "session/log"

_log_file: IO[str] | None = None


@dataclass(frozen=True)
class Crash:
    log: Path
    pid: int


def crash_folder() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    folder = Path(base or Path.home() / ".local" / "share" / "annotator") / "crash"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _alive(pid: int) -> bool:
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def previous_crash(settings: QSettings) -> Crash | None:
    """The session that is marked running but whose process is gone (read before :func:`begin`)."""
    mark = str(settings.value(MARK, "") or "")
    if not mark:
        return None
    try:
        pid = int(mark)
    except ValueError:
        return None
    if _alive(pid):  # another window of the app is running now: not a crash
        return None
    return Crash(Path(str(settings.value(LOG, "") or "")), pid)


def begin(settings: QSettings) -> Path:
    """Start logging crashes of this process; returns the log's path."""
    global _log_file
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = crash_folder() / f"annotator-{stamp}-{os.getpid()}.log"
    _log_file = open(path, "w", encoding="utf-8", buffering=1)  # noqa: SIM115 - lives with the process
    from PySide6 import __version__ as pyside

    _log_file.write(f"Annotator session {stamp}, pid {os.getpid()}, Python {platform.python_version()},"
                    f" PySide6 {pyside}, {platform.platform()}\n")
    faulthandler.enable(file=_log_file, all_threads=True)
    previous_hook = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if _log_file is not None:
            _log_file.write("".join(traceback.format_exception(kind, exc, tb)))
        previous_hook(kind, exc, tb)

    sys.excepthook = hook
    settings.setValue(MARK, str(os.getpid()))
    settings.setValue(LOG, str(path))
    settings.sync()
    return path


def end(settings: QSettings) -> None:
    """A clean quit: no crash to tell of next time; an empty log is removed."""
    global _log_file
    if str(settings.value(MARK, "") or "") == str(os.getpid()):
        settings.remove(MARK)
        settings.remove(LOG)
        settings.sync()
    if _log_file is not None:
        faulthandler.disable()
        name = _log_file.name
        _log_file.close()
        _log_file = None
        try:
            with open(name, encoding="utf-8") as fh:
                if len(fh.read().splitlines()) <= 1:
                    os.unlink(name)
        except OSError:
            pass
