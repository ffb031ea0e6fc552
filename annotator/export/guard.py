"""What OUT may be: never a project's place, a folder only when empty or ours, a file only when ours.

Ours means written by an export: a folder holding our marker file and nothing it does not list,
or a file whose first line is one of our formats' (``Exporter.recognises``). ``overwrite`` lets a
single-file export replace another file, never a folder, an SQLite file or a project.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterable

from .marker import foreign_entries
from .options import ExportError

SQLITE_HEADER = b"SQLite format 3\x00"
#: Files SQLite keeps beside a database while it is open (or after a crash).
PROJECT_SIDE_FILES = ("-wal", "-shm", "-journal")
_HEAD_LIMIT = 1 << 24  # 16 MB: a first line longer than that is not recognised
_SHOWN = 8


class ForeignOutput(ExportError):
    """OUT is a file an export did not write; ``overwrite=True`` (``--overwrite``) replaces it."""


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


def project_places(project_path: str | os.PathLike[str]) -> list[Path]:
    """The project file and the files SQLite keeps beside it, symlinks resolved."""
    given = Path(os.path.abspath(project_path))
    places: list[Path] = []
    for path in (given, Path(os.path.realpath(given))):  # SQLite puts its files beside either
        for name in [path] + [path.with_name(path.name + side) for side in PROJECT_SIDE_FILES]:
            real = Path(os.path.realpath(name))
            if real not in places:
                places.append(real)
    return places


def _same(a: Path, b: Path) -> bool:
    """Same path, or (both existing) the same file: hard links and case-insensitive disks."""
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_not_project(out: Path, real: Path, places: Iterable[Path]) -> None:
    """Refuse OUT that is, holds or lies inside the project file or its -wal/-shm/-journal."""
    for place in places:
        if _same(real, place):
            what = ("the project file" if not place.name.endswith(PROJECT_SIDE_FILES)
                    else "a file SQLite keeps beside the project:")
            raise ExportError(f"{out} is {what} {place}; an export never writes there")
        if any(_same(real, parent) for parent in place.parents):
            raise ExportError(f"{out} holds the project file {place}; choose a new or empty folder"
                              " for the export")
        if any(_same(parent, place) for parent in real.parents):
            raise ExportError(f"{out} lies inside the project file {place}")


def check_folder_target(out: Path, real: Path) -> None:
    """A folder export goes into a missing or empty folder, or replaces one that is wholly ours."""
    if not os.path.lexists(real):
        return
    if not real.is_dir():
        raise ExportError(f"{out} exists and is a file; this format writes a folder")
    foreign = foreign_entries(real)
    if foreign:
        raise ExportError(f"{out} holds files an export did not write: {_listing(foreign)}; "
                          "choose a new or empty folder (or move them away)")


def sniff_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def head_lines(path: Path, n: int = 2) -> list[str]:
    """The first ``n`` lines of a text file ([] when it is not UTF-8 text or is unreadable)."""
    lines: list[str] = []
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            for _ in range(n):
                line = fh.readline(_HEAD_LIMIT)
                if not line:
                    break
                lines.append(line)
    except (OSError, UnicodeDecodeError):
        return []
    return lines


def check_file_target(out: Path, real: Path, overwrite: bool) -> None:
    """A single-file export creates OUT, or replaces an empty file or one of our exports; with
    ``overwrite`` any regular file except an SQLite database (a project, most likely)."""
    from .base import EXPORTERS  # the formats recognise their own files

    if not os.path.lexists(real):
        return
    if real.is_dir():
        raise ExportError(f"{out} is a folder; this format writes a single file")
    st = real.stat()
    if not stat.S_ISREG(st.st_mode):
        raise ExportError(f"{out} is not a regular file (a device, socket or pipe); "
                          "an export never replaces one")
    if sniff_sqlite(real):
        raise ExportError(f"{out} is an SQLite database (a project file?); an export never "
                          "replaces one, whatever --overwrite says")
    if st.st_size == 0 or overwrite:
        return
    lines = head_lines(real)
    if any(not cls.folder and (cls.recognises(lines) or cls.recognises_file(real))
           for cls in EXPORTERS.values()):
        return
    raise ForeignOutput(f"{out} exists and was not written by an export; choose another name, "
                        "or pass --overwrite to replace it")


def check_output(out: Path, folder: bool, project_path: str | os.PathLike[str] | None,
                 overwrite: bool = False) -> Path:
    """Every refusal in one place (the CLI, the API and the dialog call it); returns the path
    really written (OUT with symlinks resolved, so a link to a file keeps pointing at it)."""
    if "\x00" in str(out):
        raise ExportError(f"{str(out)!r}: a path cannot hold a NUL character")
    real = Path(os.path.realpath(out))
    if project_path is not None:
        check_not_project(out, real, project_places(project_path))
    if folder:
        check_folder_target(out, real)
    else:
        check_file_target(out, real, overwrite)
    return real
