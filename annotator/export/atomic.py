"""All-or-nothing output: write into a hidden temporary beside OUT, then rename it into place.

Temporaries are named ``.<OUT name>.<host>-<pid>-<token>.<new|old>.export-tmp``: ``new`` is an
export being written, ``old`` a previous OUT moved aside while a folder is replaced. The name is
the journal :func:`recover` reads after a kill: an ``old`` whose OUT is missing goes back to
being OUT; other leftovers of dead exports are removed. At every instant OUT (old or new)
exists or is recoverable: on Linux the two folders are swapped in one ``renameat2`` call.
"""
from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import re
import secrets
import shutil
import socket
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .marker import foreign_entries

TEMP_MARK = ".export-tmp"
NEW, OLD = "new", "old"
HOST = hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:4]
TEMP_NAME = re.compile(r"\.(?P<out>.+)\.(?P<host>[0-9a-f]{4})-(?P<pid>\d+)-[0-9a-f]{8}"
                       rf"\.(?P<kind>{NEW}|{OLD}){re.escape(TEMP_MARK)}")
#: Temporaries of versions before the journal: no process id, so they count as stale after a day.
LEGACY_NAME = re.compile(r"\.(?P<out>.+)\.[0-9a-f]{8}(?P<old>\.old)?" + re.escape(TEMP_MARK))
LEGACY_AGE = 24 * 3600


@dataclass
class Cleanup:
    """What :func:`recover` did beside an OUT: leftovers of killed exports."""

    removed: int = 0
    removed_bytes: int = 0
    restored: list[str] = field(default_factory=list)  # OUTs put back from their aside copy
    kept: list[str] = field(default_factory=list)  # leftovers not removed, and why

    def notes(self) -> list[str]:
        out = [f"put back {p}: an earlier export was stopped while replacing it"
               for p in self.restored]
        if self.removed:
            out.append(f"removed {self.removed} temporar{'y' if self.removed == 1 else 'ies'} "
                       f"of stopped exports ({_size_text(self.removed_bytes)})")
        out += [f"left {k}" for k in self.kept]
        return out


def _size_text(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    raise AssertionError  # pragma: no cover


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


@contextmanager
def atomic_output(out: Path, folder: bool, notes: list[str] | None = None) -> Iterator[Path]:
    """Yields a temporary path (a file path, or an empty folder) in OUT's folder.

    When the block ends normally the temporary is fsynced and renamed to ``out`` (an existing
    ``out`` is replaced: the caller has checked it may be); when it raises (an error, a cancel,
    Ctrl-C) the temporary is removed and ``out`` is untouched. A previous folder that could not
    be removed is named in ``notes``.
    """
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = _make_temp(out, folder)
    try:
        yield tmp
        if folder:
            _fsync_tree(tmp)
            kept = replace_folder(tmp, out)
            if kept and notes is not None:
                notes.append(kept)
        else:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, out)
        _fsync_dir(parent)
    except BaseException:
        _remove(tmp)
        raise


def temp_path(out: Path, kind: str) -> Path:
    return out.parent / f".{out.name}.{HOST}-{os.getpid()}-{secrets.token_hex(4)}.{kind}{TEMP_MARK}"


def _make_temp(out: Path, folder: bool) -> Path:
    """A new hidden file or folder beside ``out``, created with the usual permissions (umask)
    rather than tempfile's private ones, since it becomes the output."""
    while True:
        tmp = temp_path(out, NEW)
        try:
            if folder:
                os.mkdir(tmp, 0o777)
            else:
                os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return tmp
        except FileExistsError:
            continue


def replace_folder(tmp: Path, out: Path) -> str | None:
    """Put folder ``tmp`` in ``out``'s place; a previous ``out`` (already checked to be ours)
    is removed afterwards, unless files appeared in it meanwhile (then it is kept, and named)."""
    if not os.path.lexists(out):
        os.rename(tmp, out)
        return None
    if exchange(tmp, out):
        old = tmp  # now holds the previous OUT
    else:
        # Two renames: between them OUT is missing, and the ``old`` name says where it went.
        old = temp_path(out, OLD)
        os.rename(out, old)
        try:
            os.rename(tmp, out)
        except BaseException:
            os.rename(old, out)
            raise
    _fsync_dir(out.parent)
    if foreign_entries(old):
        return (f"kept the previous {out.name} as {old}: files an export did not write appeared"
                " in it during the export")
    shutil.rmtree(old)
    return None


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


# -- swapping two folders in one step (Linux) ------------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_renameat2: object = None  # the libc function, False when there is none


def exchange(a: Path, b: Path) -> bool:
    """Swap paths ``a`` and ``b`` atomically; False where the system cannot (then nothing moved)."""
    global _renameat2
    if _renameat2 is None:
        _renameat2 = False
        if sys.platform.startswith("linux"):
            try:
                _renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", False)
            except OSError:
                pass
    if not _renameat2:
        return False
    fn = _renameat2
    result = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b),  # type: ignore[operator]
                _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False  # an old kernel, or a filesystem without it: two renames instead
    raise OSError(err, os.strerror(err), str(b))


# -- recovery after a kill --------------------------------------------------------------------------


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (True when unsure: a leftover in use must stay)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would send Ctrl+C there
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _windows_pid_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _tree_size(path: Path) -> int:
    if path.is_symlink() or not path.is_dir():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir() or p.is_symlink())


def recover(folder: Path) -> Cleanup:
    """Undo what killed exports left in ``folder``: an OUT moved aside comes back when OUT is
    missing; temporaries of exports no longer running are removed. Only names of ours count,
    and an aside folder is removed only while it holds nothing its marker does not list."""
    cleanup = Cleanup()
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return cleanup
    running = young = 0
    for name in names:
        path = folder / name
        m = TEMP_NAME.fullmatch(name)
        if m is not None:
            if m["host"] != HOST:
                cleanup.kept.append(f"{path}: written from another computer")
                continue
            if pid_alive(int(m["pid"])):
                running += 1
                continue
            out, aside = folder / m["out"], m["kind"] == OLD
        else:
            m = LEGACY_NAME.fullmatch(name)
            if m is None:
                continue
            if time.time() - path.lstat().st_mtime < LEGACY_AGE:
                young += 1
                continue
            out, aside = folder / m["out"], bool(m["old"])
        if aside:
            if not os.path.lexists(out):
                os.rename(path, out)
                cleanup.restored.append(str(out))
                continue
            if path.is_dir() and foreign_entries(path):
                cleanup.kept.append(f"{path}: holds files an export did not write")
                continue
        size = _tree_size(path)
        _remove(path)
        if not os.path.lexists(path):
            cleanup.removed += 1
            cleanup.removed_bytes += size
    if running:
        cleanup.kept.append(f"{running} temporar{'y' if running == 1 else 'ies'} of exports "
                            "still running")
    if young:
        cleanup.kept.append(f"{young} temporar{'y' if young == 1 else 'ies'} of an earlier version"
                            " (removed once a day old)")
    return cleanup
