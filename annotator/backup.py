"""Automatic and on-demand backups of a project file: where they go, which are kept, restore.

Backups live beside the project, in ``P.backups/`` for a project file ``P`` (``study.annot`` ->
``study.annot.backups/study-20260509-141500.annot``). Each is a whole project file made with
SQLite's online backup while the project stays open, verified with ``PRAGMA quick_check`` before
it gets its name (a failed or killed backup leaves only a ``.partial`` file, removed by the next
backup). Kept: the newest :data:`KEEP_LAST`, plus the newest of each of the last
:data:`KEEP_DAYS` days; backups made before a restore or a schema upgrade are never removed
automatically. The SQL is in :mod:`annotator.store`; this module owns names and the policy.
"""
from __future__ import annotations

import errno
import os
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from .store import Store, StoreError

KEEP_LAST = 10
KEEP_DAYS = 7
#: ``maybe_backup`` makes one at most this often (seconds).
DEFAULT_INTERVAL = 30 * 60

_STAMP = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"-(\d{8}-\d{6})(?:-(\d+))?(?:-([a-z][a-z0-9-]*))?\.annot$")
_PARTIAL = re.compile(r"\.(\d+)\.partial$")


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: datetime  # local time, from the name
    reason: str  # "" for the regular ones, else "before-restore", "before-upgrade-v1", ...
    size: int

    def as_dict(self) -> dict[str, object]:
        return {"path": str(self.path), "name": self.path.name,
                "taken": self.taken.isoformat(timespec="seconds"), "reason": self.reason,
                "bytes": self.size}


def backup_folder(project_path: str | os.PathLike[str]) -> Path:
    p = Path(project_path).absolute()
    return p.with_name(p.name + ".backups")


def list_backups(project_path: str | os.PathLike[str]) -> list[Backup]:
    """The project's backups, newest first (files that are not ours are left out)."""
    folder = backup_folder(project_path)
    if not folder.is_dir():
        return []
    found = []
    for f in folder.iterdir():
        m = _NAME.search(f.name)
        if m is None or not f.is_file():
            continue
        try:
            taken = datetime.strptime(m.group(1), _STAMP)
        except ValueError:
            continue
        found.append((taken, int(m.group(2) or 1), Backup(f, taken, m.group(3) or "",
                                                          f.stat().st_size)))
    found.sort(key=lambda t: (t[0], t[1]), reverse=True)
    return [b for _, _, b in found]


def _clean_partials(folder: Path) -> None:
    """Remove ``.partial`` files of backups whose process is gone (killed mid-backup)."""
    for f in folder.glob("*.partial"):
        m = _PARTIAL.search(f.name)
        if m is None:
            continue
        try:
            os.kill(int(m.group(1)), 0)
            continue  # that process still runs: maybe still writing it
        except OSError as exc:
            if exc.errno == errno.EPERM:
                continue
        f.unlink(missing_ok=True)


def make_backup(store: Store, reason: str = "") -> Backup:
    """Back the project up now; returns the new backup. Raises :class:`StoreError` (nothing
    is left behind) when it cannot be made, e.g. the disk is full."""
    folder = backup_folder(store.path)
    stem = Path(store.path).stem
    try:
        folder.mkdir(exist_ok=True)
        _clean_partials(folder)
    except OSError as exc:
        raise StoreError(f"cannot make a backup in {folder}: {exc.strerror}; the backup was not "
                         "made") from exc
    stamp = datetime.now().strftime(_STAMP)
    tail = f"-{reason}" if reason else ""
    n = 1
    while True:
        name = f"{stem}-{stamp}{f'-{n}' if n > 1 else ''}{tail}.annot"
        if not (folder / name).exists():
            break
        n += 1
    final = folder / name
    partial = folder / f".{name}.{os.getpid()}.partial"
    try:
        store.backup_to(str(partial))
        _fsync(partial)
        os.replace(partial, final)
        _fsync(folder)
    except OSError as exc:
        raise StoreError(f"cannot write the backup {final}: {exc.strerror}; the backup was "
                         "not made") from exc
    finally:
        partial.unlink(missing_ok=True)
    prune(store.path)
    return Backup(final, datetime.strptime(stamp, _STAMP), reason, final.stat().st_size)


def _fsync(path: Path) -> None:
    # Plain file I/O is safe here: no SQLite connection of this process has these paths open
    # (the backup's own connection is closed), so closing this descriptor drops no lock.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prune(project_path: str | os.PathLike[str], now: datetime | None = None) -> list[Path]:
    """Delete regular backups outside the policy (see the module doc); returns what went."""
    regular = [b for b in list_backups(project_path) if not b.reason]
    keep = {b.path for b in regular[:KEEP_LAST]}
    today = (now or datetime.now()).date()
    days: set[object] = set()
    for b in regular:  # newest first: the first seen of a day is that day's newest
        day = b.taken.date()
        if today - day < timedelta(days=KEEP_DAYS) and day not in days:
            days.add(day)
            keep.add(b.path)
    removed = []
    for b in regular:
        if b.path not in keep:
            b.path.unlink(missing_ok=True)
            removed.append(b.path)
    return removed


def maybe_backup(store: Store, interval: float = DEFAULT_INTERVAL) -> Backup | None:
    """A backup if the newest is older than ``interval`` seconds and there is something to
    lose; else None. Cheap when nothing is due (a folder listing), so the app can call it from
    a timer while the user labels."""
    if store.conn.execute("SELECT EXISTS (SELECT 1 FROM articles)").fetchone()[0] == 0:
        return None  # an empty project: nothing to lose
    newest = next(iter(list_backups(store.path)), None)
    if newest is not None:
        age = time.time() - newest.path.stat().st_mtime
        if age < interval or store.commits == store.commits_at_backup:
            return None  # recent enough, or nothing written since this session's last one
    made = make_backup(store)
    store.commits_at_backup = store.commits
    return made


def resolve_backup(project_path: str | os.PathLike[str], name: str | os.PathLike[str]) -> Path:
    """A backup given by path, or by its file name in the project's backups folder."""
    p = Path(name)
    if p.is_file():
        return p
    inside = backup_folder(project_path) / p.name
    if inside.is_file():
        return inside
    raise StoreError(f"{name}: no such backup (see 'annotator backups {project_path}')")


def restore(store: Store, backup: str | os.PathLike[str]) -> Backup:
    """Replace the project's content with ``backup``; the current state is backed up first
    (returned), so a restore can itself be undone by restoring that one."""
    source = resolve_backup(store.path, backup)
    if source.resolve() == Path(store.path).resolve():
        raise StoreError("cannot restore a project from itself")
    safety = make_backup(store, reason="before-restore")
    store.restore_from(str(source))
    return safety
