"""All-or-nothing output: write into a hidden temporary beside OUT, then rename it into place."""
from __future__ import annotations

import os
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .options import ExportError

TEMP_MARK = ".export-tmp"


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable; not every platform lets a directory be opened.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    for path in sorted({p.parent for p in folder.rglob("*")} | {folder}):
        _fsync_dir(path)


def check_target(out: Path, folder: bool) -> None:
    """Refuse up front what the final rename could not do."""
    if folder and out.exists() and not out.is_dir():
        raise ExportError(f"{out} exists and is a file; this format writes a folder")
    if not folder and out.is_dir():
        raise ExportError(f"{out} is a folder; this format writes a single file")


@contextmanager
def atomic_output(out: Path, folder: bool) -> Iterator[Path]:
    """Yields a temporary path (a file path, or an empty folder) in OUT's folder.

    When the block ends normally the temporary is fsynced and renamed to ``out`` (an existing
    ``out`` is replaced); when it raises (an error, a cancel, Ctrl-C) the temporary is removed
    and ``out`` is untouched.
    """
    check_target(out, folder)
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = _make_temp(out, folder)
    try:
        yield tmp
        if folder:
            _fsync_tree(tmp)
            _replace_folder(tmp, out)
        else:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, out)
        _fsync_dir(parent)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


def _temp_name(out: Path, tag: str) -> Path:
    return out.parent / f".{out.name}.{secrets.token_hex(4)}{tag}{TEMP_MARK}"


def _make_temp(out: Path, folder: bool) -> Path:
    """A new hidden file or folder beside ``out``, created with the usual permissions (umask)
    rather than tempfile's private ones, since it becomes the output."""
    while True:
        tmp = _temp_name(out, "")
        try:
            if folder:
                os.mkdir(tmp, 0o777)
            else:
                os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return tmp
        except FileExistsError:
            continue


def _replace_folder(tmp: Path, out: Path) -> None:
    if not out.exists():
        os.rename(tmp, out)
        return
    # A folder cannot be renamed over a non-empty one: move the old aside first, then drop it.
    old = _temp_name(out, ".old")
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
