"""Notices, before a write, that a project's files were replaced or this process lost its locks.

SQLite's locks on Unix are POSIX record locks, and those belong to the *process*: closing any
descriptor of a file drops all of the process's locks on it, whoever opened that descriptor. A file
dialog that reads the project folder to guess file types is enough. A project in WAL mode then looks
unused to other processes: the next one to close it checkpoints and deletes the ``-wal`` and ``-shm``
files while this process goes on writing into the deleted WAL (its labels vanish at the next kill).

:class:`FileGuard` is armed when a store opens and checked before every write transaction (and on a
timer by the app):

* the project file, its ``-wal`` and ``-shm`` must still be the files that were opened (same device and
  inode); if one was removed or replaced, :class:`FilesChanged` is raised and nothing is written;
* on Linux, ``/proc/locks`` must show this process's read locks that SQLite's unix VFS keeps for an
  open WAL database (the database's SHARED range and the ``-shm`` "DMS" byte). If they are gone they
  are taken again at once through a descriptor that this module keeps open for the life of the process
  (closing it would drop the locks again), then the files are checked once more.

Those lock offsets are part of SQLite's file format on Unix (``PENDING_BYTE + 2`` for 510 bytes in the
database file; byte 128 of the ``-shm`` file, ``UNIX_SHM_DMS``); they are only restored for a database
in WAL mode, where SQLite holds them for as long as a connection is open.
"""
from __future__ import annotations

import errno
import fcntl
import os
import sys
import threading
from dataclasses import dataclass, field

SHARED_FIRST = 0x40000002  # PENDING_BYTE (0x40000000) + 2
SHARED_SIZE = 510
SHM_DMS = 128

_PROC_LOCKS = "/proc/locks"
_keepers: dict[int, int] = {}  # inode -> a read-only descriptor, never closed (see the module doc)
_keepers_lock = threading.Lock()


class FilesChanged(Exception):
    """The project's files on disk are not the ones this connection opened (message for the user)."""


@dataclass
class FileGuard:
    path: str
    wal: bool
    identities: dict[str, tuple[int, int]] = field(default_factory=dict)
    restored: int = 0  # times this process's lost locks were taken again

    @property
    def armed(self) -> bool:
        return bool(self.identities)

    def arm(self) -> None:
        """Remember which files are open (call once the connection has read the database)."""
        self.identities = {}
        for suffix in self._suffixes():
            try:
                st = os.stat(self.path + suffix)
            except OSError:
                if suffix:  # no WAL files yet (read-only media): nothing to watch but the file
                    continue
                raise
            self.identities[suffix] = (st.st_dev, st.st_ino)
        if self.wal and _locks_visible():
            for suffix in ("", "-shm"):
                if suffix in self.identities:
                    _keeper(self.path + suffix, self.identities[suffix][1])

    def disarm(self) -> None:
        self.identities = {}

    def _suffixes(self) -> tuple[str, ...]:
        return ("", "-wal", "-shm") if self.wal else ("",)

    def check(self) -> None:
        """Raise :class:`FilesChanged` if the files were replaced; retake lost locks (Linux)."""
        if not self.identities:
            return
        self._check_identities()
        if self.wal and "-shm" in self.identities and _locks_visible():
            if self._retake_locks():
                self.restored += 1
                self._check_identities()

    def _check_identities(self) -> None:
        for suffix, (dev, ino) in self.identities.items():
            name = self.path + suffix
            try:
                st = os.stat(name)
            except FileNotFoundError:
                raise FilesChanged(self._message(name, "was deleted")) from None
            except OSError as exc:
                raise FilesChanged(self._message(name, f"cannot be checked ({exc.strerror})")) from exc
            if (st.st_dev, st.st_ino) != (dev, ino):
                raise FilesChanged(self._message(name, "was replaced by another file"))

    def _message(self, name: str, what: str) -> str:
        return (f"{name} {what} while the project was open (another program, or a copy or restore "
                f"over it). Nothing more was written to it; reopen the project to go on.")

    def _retake_locks(self) -> bool:
        """Take again the locks SQLite believes it holds; True when any had been lost."""
        held = _held_locks()
        wanted = [("", SHARED_FIRST, SHARED_SIZE), ("-shm", SHM_DMS, 1)]
        lost = False
        for suffix, start, length in wanted:
            ino = self.identities[suffix][1]
            if _covers(held.get(ino, ()), start, start + length - 1):
                continue
            lost = True
            fd = _keeper(self.path + suffix, ino)
            try:
                fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB, length, start, os.SEEK_SET)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EACCES):
                    raise FilesChanged(
                        f"{self.path}: this window's locks on the project were dropped and another "
                        f"program has taken the file over since. Nothing more was written to it; "
                        f"reopen the project to go on.") from exc
                raise
        return lost


def _locks_visible() -> bool:
    return sys.platform.startswith("linux") and os.path.exists(_PROC_LOCKS)


def _keeper(name: str, ino: int) -> int:
    with _keepers_lock:
        fd = _keepers.get(ino)
        if fd is None:
            fd = os.open(name, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            if os.fstat(fd).st_ino != ino:  # replaced between stat and open: do not keep it
                os.close(fd)  # not a descriptor of the file SQLite holds, so no lock is dropped
                raise FilesChanged(f"{name} was replaced by another file while the project was open.")
            _keepers[ino] = fd
        return fd


def _held_locks() -> dict[int, list[tuple[int, int]]]:
    """This process's read/write POSIX locks by inode: (start, end) ranges."""
    pid = str(os.getpid())
    held: dict[int, list[tuple[int, int]]] = {}
    with open(_PROC_LOCKS, encoding="ascii", errors="replace") as fh:
        for line in fh:
            parts = line.split()
            # "1: POSIX  ADVISORY  READ 1234 00:2d:5678 128 128"; waiters have "->" after the number
            if len(parts) < 8 or parts[1] != "POSIX" or parts[4] != pid:
                continue
            try:
                ino = int(parts[5].rsplit(":", 1)[1])
                start = int(parts[6])
                end = int(parts[7]) if parts[7] != "EOF" else sys.maxsize
            except (ValueError, IndexError):
                continue
            held.setdefault(ino, []).append((start, end))
    return held


def _covers(ranges: "list[tuple[int, int]] | tuple[()]", first: int, last: int) -> bool:
    return any(start <= first and last <= end for start, end in ranges)
