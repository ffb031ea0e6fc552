"""The storage facade: the only module with SQL. Returns plain dataclasses, never cursors."""
from __future__ import annotations

import json
import os
import random
import sqlite3
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from .errors import ProjectError
from .model import GOLD_ANNOTATOR, STANCE_VALUES, Article, Label, Mention, Sentence, Target
from .fileguard import FileGuard, FilesChanged
from .schema import APPLICATION_ID, SCHEMA_VERSION, TABLES, Header, SchemaError, check_header, migrate, read_header

# Primary key columns of the tables whose rows the event log can restore (undo/redo).
_KEYS: dict[str, tuple[str, ...]] = {
    "labels": ("sentence_id", "annotator_id"),
    "stances": ("sentence_id", "annotator_id", "target_id"),
    "mentions": ("id",),
    "targets": ("id",),
    "target_aliases": ("target_id", "alias"),
    "meta": ("key",),  # annotators' entity corrections ("entity_correction:<surface>")
}
#: Meta keys holding the annotators' entity corrections: prefix + surface form; value a JSON label.
CORRECTION_PREFIX = "entity_correction:"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _same_row(row: dict[str, Any] | None, image: dict[str, Any] | None) -> bool:
    """Whether a stored row matches an event's image of it (absent = ``None``)."""
    if row is None or image is None:
        return row is None and image is None
    return all(row.get(k) == v for k, v in image.items())


class StoreError(Exception):
    """A problem with the project file, with a message meant for the user."""


class ProjectFilesChanged(StoreError):
    """The project's files were replaced or removed while open: nothing more is written to them."""


class HistoryConflict(StoreError):
    """Undo/redo refused: rows the event wrote have been changed since by someone else."""


class NotAProject(StoreError, ProjectError):
    """Refused at opening: the file is not a project this code may open. It was not changed."""


class DiskFull(StoreError):
    """SQLITE_FULL: the disk holding the project (or its temporary files) is full."""


class DiskError(StoreError):
    """SQLITE_IOERR / SQLITE_CANTOPEN: the operating system failed to read or write the file."""


class ProjectBusy(StoreError):
    """SQLITE_BUSY / SQLITE_LOCKED after the busy timeout and the retries."""


class ReadOnlyProject(StoreError):
    """SQLITE_READONLY: the file (or its folder) cannot be written."""


class DamagedProject(StoreError):
    """SQLITE_CORRUPT / SQLITE_NOTADB found while working on an opened project."""


@dataclass(frozen=True)
class ArticleFilter:
    text: str = ""
    lang: str | None = None
    outlet: str | None = None
    unlabelled_only: bool = False  # has unlabelled (non-boilerplate) sentences for the annotator
    after_rowid: int | None = None  # only articles after this one in list order (for "next …")


@dataclass(frozen=True)
class SentencePick:
    """The sentences an export writes: of the articles in ``lang`` and ``outlet`` (None: any),
    labelled by one of ``annotators`` (empty: anyone) unless ``unlabelled``, boilerplate only
    with ``boilerplate``; labels shown are those of ``annotators`` (empty: all)."""

    annotators: tuple[str, ...] = ()
    lang: str | None = None
    outlet: str | None = None
    unlabelled: bool = False
    boilerplate: bool = False


@dataclass
class ExportRows:
    """What :meth:`Store.export_rows` reads for a span of articles, as row tuples (the export's
    fast path builds records from them directly, without Article, Label or Mention objects)."""

    annotators: dict[int, str]  # id -> name
    articles: list[tuple[Any, ...]]  # id, title, outlet, date, url, lang
    sentences: list[tuple[Any, ...]]  # article id, id, idx, start, end, text, lang, boilerplate
    labels: list[tuple[Any, ...]]  # sentence id, annotator id, frames, irrelevant, note, created,
    #                                updated, decided_by, suggestion
    stances: list[tuple[Any, ...]]  # sentence id, annotator id, target id, value
    mentions: list[tuple[Any, ...]]  # article id, start, end, label, raw_label, text, origin,
    #                                  target id; by article, start, end
    suggested: set[int]  # sentences with stored suggestions


@dataclass(frozen=True)
class ArticleRow:
    """One line of the article list: cheap to fetch a page of."""

    id: str
    title: str
    outlet: str | None
    date: str | None
    lang: str
    n_sentences: int
    n_units: int
    n_labelled: int
    rowid: int


@dataclass(frozen=True)
class Event:
    id: int
    ts: str
    annotator: str
    action: str
    summary: str
    undone: int


@dataclass
class Change:
    """One row's before and after image (``None`` = absent), as kept in the event log."""

    table: str
    key: dict[str, Any]
    before: dict[str, Any] | None
    after: dict[str, Any] | None


#: SQLite's busy timeout for statements other than BEGIN (seconds), and how long a write
#: transaction waits for another process's write lock before :class:`ProjectBusy`.
BUSY_TIMEOUT = 2.0
BUSY_WAIT = 7.0
#: WAL pages between automatic checkpoints (16 MiB at 4 KiB pages): see docs/decisions.md.
WAL_CHECKPOINT_PAGES = 4000
#: Pauses between tries of operations that cannot poll (restoring a backup).
BUSY_RETRIES = (0.05, 0.2, 0.8)
#: Times :meth:`Store.read_together` tries to start its connections in one snapshot before it
#: reads on one connection instead (each try fails only if another connection commits meanwhile).
READ_TOGETHER_TRIES = 3


def store_error(exc: sqlite3.Error, path: str, writing: bool = True,
                what: str | None = None) -> StoreError | None:
    """The :class:`StoreError` for an SQLite error about the file itself, else None.

    Constraint and programming errors stay SQLite's: they are about one row, not the file, and
    callers (import, merge) report them per article and go on.
    """
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    primary = code & 0xFF
    name = getattr(exc, "sqlite_errorname", str(code))
    what = what or ("the last change was not saved" if writing else "it could not be read")
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if primary == sqlite3.SQLITE_FULL:
        return DiskFull(f"the disk holding {folder} is full; {what} ({path}). Free some space "
                        "and try again; everything saved before is kept.")
    if primary in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN):
        return DiskError(f"{path}: the disk or network folder failed ({name}: {exc}); {what}. "
                         "Check that the disk is still there, then try again.")
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return ProjectBusy(f"{path} is busy: another program or window kept it locked for "
                           f"{BUSY_WAIT:.0f} s; {what}. Try again in a moment.")
    if primary == sqlite3.SQLITE_READONLY:
        return ReadOnlyProject(f"{path} is read-only ({exc}); nothing was changed. Check the "
                               "permissions of the file and its folder, or work on a copy.")
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return DamagedProject(f"{path} is damaged ({exc}); {what}. Restore a backup "
                              f"('annotator backups {path}').")
    return None


#: The label columns :meth:`Store._labels_from` reads, with the annotator's name.
_LABEL_SELECT = ("SELECT l.sentence_id, a.name, l.frames, l.irrelevant, l.note, l.created,"
                 " l.updated, l.annotator_id, l.decided_by, l.suggestion FROM labels l"
                 " JOIN annotators a ON a.id = l.annotator_id")


def _stance_maps(rows: Iterable[tuple[int, int, int, str]]) -> dict[tuple[int, int], dict[int, str]]:
    """(sentence, annotator id) -> {target id: value}, from stance rows, targets in their order."""
    out: dict[tuple[int, int], dict[int, str]] = {}
    for sid, aid, tid, value in rows:
        stance = out.get((sid, aid))
        if stance is None:
            stance = out[(sid, aid)] = {}
        stance[tid] = value
    return out


class _Connection(sqlite3.Connection):
    """A connection whose errors about the file itself are :class:`StoreError`s."""

    path = ""

    def _mapped(self, run: Callable[[], sqlite3.Cursor]) -> sqlite3.Cursor:
        writing = self.in_transaction  # before: an error may end the transaction
        try:
            return run()
        except sqlite3.DatabaseError as exc:
            mapped = store_error(exc, self.path, writing=writing)
            if mapped is None:
                raise
            raise mapped from exc

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:  # type: ignore[override]
        return self._mapped(lambda: super(_Connection, self).execute(sql, parameters))

    def executemany(self, sql: str, parameters: Any) -> sqlite3.Cursor:  # type: ignore[override]
        return self._mapped(lambda: super(_Connection, self).executemany(sql, parameters))


def connect(target: str, path: str, uri: bool = False, same_thread: bool = True) -> _Connection:
    """An autocommit connection (no implicit BEGIN: :meth:`Store.transaction` starts them all).
    ``same_thread=False``: it may be handed to another thread (used by one thread at a time)."""
    conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT, uri=uri, isolation_level=None,
                           factory=_Connection, check_same_thread=same_thread)
    conn.path = path
    return conn


def file_uri(path: str | os.PathLike[str], **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return Path(path).resolve().as_uri() + (f"?{query}" if query else "")


def probe(path: str | os.PathLike[str]) -> Header | None:
    """What the file at ``path`` is, learnt without changing it; None if there is no file.

    Never plain Python file I/O: SQLite's locks are POSIX locks, and closing *any* descriptor
    of a file drops all of this process's locks on it, so reading a header with ``open()``
    while another thread has the project open could let a second process overwrite pages under
    it. Nor the raw header bytes: in WAL mode the newest page 1 may be in the ``-wal`` file.
    So SQLite reads it, read-only. When no ``-wal`` exists nobody has the file open, and it is
    read with ``immutable=1``, which creates no ``-wal``/``-shm`` beside a file we then refuse
    (a plain ``mode=ro`` would); if one appears meanwhile, the caller reads it again anyway.
    """
    name = str(path)
    try:
        st = os.stat(name)
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(st.st_mode):
        raise NotAProject(f"{name} is a folder, not a project file")
    previous: object = None
    for attempt in range(4):
        wal = os.path.exists(name + "-wal")
        if st.st_size == 0 and not wal:
            return Header(0, 0, frozenset())
        immutable = not wal and attempt < 3
        result: Header | NotAProject
        try:
            result = _read_probe(name, immutable)
        except NotAProject as exc:
            result = exc
        # An immutable read takes no lock, so a process writing the file at that moment (say,
        # creating this very project) can show it half-written. A whole current project cannot
        # come out of that; anything else is trusted only when read twice the same.
        if not immutable or _whole_project(result) or _same(result, previous):
            break
        previous = result
        time.sleep(0.03)
        try:
            st = os.stat(name)
        except FileNotFoundError:
            return None
    if isinstance(result, NotAProject):
        raise result
    return result


def _whole_project(result: object) -> bool:
    return (isinstance(result, Header) and result.user_version == SCHEMA_VERSION
            and result.application_id == APPLICATION_ID
            and TABLES[SCHEMA_VERSION] <= result.tables)


def _same(a: object, b: object) -> bool:
    if isinstance(a, NotAProject) and isinstance(b, NotAProject):
        return str(a) == str(b)
    return isinstance(a, Header) and a == b


def _read_probe(name: str, immutable: bool) -> Header:
    try:
        conn = connect(file_uri(name, mode="ro", **({"immutable": "1"} if immutable else {})),
                       name, uri=True)
        try:
            return read_header(conn)
        finally:
            conn.close()
    except StoreError as exc:
        cause = exc.__cause__
        code = getattr(cause, "sqlite_errorcode", 0) & 0xFF
        if code == sqlite3.SQLITE_NOTADB:
            raise NotAProject(f"{name} is not a project file (not an SQLite database). The file "
                              "was not changed.") from exc
        if code == sqlite3.SQLITE_CORRUPT:
            raise NotAProject(f"{name} is damaged or cut short ({cause}); it was not changed. "
                              f"Restore a backup ('annotator backups {name}').") from exc
        raise
    except sqlite3.DatabaseError as exc:
        raise NotAProject(f"{name} is not a project file ({exc}). The file was not "
                          "changed.") from exc


def _int_columns(conn: sqlite3.Connection, sql: str, args: Iterable[Any] = ()) -> list[Any]:
    """The one row of ``sql``, each column a comma-joined list of integers, as numpy arrays."""
    import numpy as np  # here: the command line starts without numpy

    row = conn.execute(sql, list(args)).fetchone()
    return [np.fromstring(text or "", dtype=np.int64, sep=",") for text in row]


_HUMAN = "annotator_id IN (SELECT id FROM annotators WHERE kind = 'human')"


def _label_scan(conn: sqlite3.Connection, sample: int) -> list[Any]:
    """Human labels (sentence, annotator, irrelevant, frames code) and the frames spellings."""
    # The frames column repeats a few spellings: code them in SQL, found in a sample first;
    # a spelling the sample missed comes out as -1 and is looked for in the whole table.
    spellings = [r[0] for r in conn.execute(
        "SELECT DISTINCT frames FROM (SELECT frames FROM labels LIMIT ?)", (sample,))]
    while True:
        case = " ".join(f"WHEN ?{i + 1} THEN {i}" for i in range(len(spellings))) or "WHEN NULL THEN -1"
        labels = _int_columns(
            conn, "SELECT group_concat(sentence_id), group_concat(annotator_id), group_concat(irrelevant),"
            f" group_concat(CASE frames {case} ELSE -1 END) FROM labels WHERE {_HUMAN}", spellings)
        if not (labels[3] < 0).any():
            return [*labels, [json.loads(s) for s in spellings]]
        marks = ",".join("?" * len(spellings))
        spellings += [r[0] for r in conn.execute(
            f"SELECT DISTINCT frames FROM labels WHERE frames NOT IN ({marks})", spellings)]


def _stance_scan(conn: sqlite3.Connection) -> list[Any]:
    """Human stances: sentence, annotator, target, value code (its index in STANCE_VALUES)."""
    value = " ".join(f"WHEN '{v}' THEN {i}" for i, v in enumerate(STANCE_VALUES))
    return _int_columns(
        conn, "SELECT group_concat(sentence_id), group_concat(annotator_id), group_concat(target_id),"
        f" group_concat(CASE value {value} END) FROM stances WHERE {_HUMAN}")


def _unit_scan(conn: sqlite3.Connection) -> tuple[list[Any], list[Any]]:
    """Labelled sentences (id, article rowid, index) and (sentence, target) of linked mentions."""
    import numpy as np

    # Labelled sentences and the targets linked to their mentions in one pass over them
    # (a row per mention, or one with target -1): each sentence is looked up once.
    # m.start <= s.end follows from the other two bounds; it bounds the index range.
    sentence, article, index, target = _int_columns(
        conn, "SELECT group_concat(s.id), group_concat(ar.rowid), group_concat(s.idx),"
        " group_concat(coalesce(m.target_id, -1))"
        " FROM (SELECT DISTINCT sentence_id FROM labels) l JOIN sentences s ON s.id = l.sentence_id"
        " JOIN articles ar ON ar.id = s.article_id"
        " LEFT JOIN mentions m ON m.article_id = s.article_id AND m.start >= s.start"
        " AND m.start <= s.end AND m.end <= s.end AND m.target_id IS NOT NULL")
    linked = target >= 0
    by_sentence = np.argsort(sentence, kind="stable")  # (nearly) sorted already: cheap
    ordered = sentence[by_sentence]
    first = by_sentence[np.concatenate([[True], ordered[1:] != ordered[:-1]])] if sentence.size else by_sentence
    return [sentence[first], article[first], index[first]], [sentence[linked], target[linked]]


class Store:
    """One open project file. Not thread-safe: open one ``Store`` per thread (by path).

    ``create``: a blank file (zero bytes, or an SQLite database with nothing in it) becomes a
    project; otherwise it is refused. ``readonly``: read the file in place and never write it
    (merge reads other annotators' files so); an older schema is then upgraded in memory.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = False,
                 readonly: bool = False,
                 before_upgrade: Callable[["Store", int], None] | None = None,
                 interrupt: Callable[[], bool] | None = None) -> None:
        self.path = str(path)
        self.readonly = readonly
        self.immutable = False
        self.guard = FileGuard(self.path, False)  # armed once the file is open and read
        self._annotator_ids: dict[str, int] = {}
        self._uncommitted: list[str] = []  # annotators created in the open transaction
        self._depth = 0
        self.commits = 0  # transactions this store committed (the backup timer looks at it)
        self.commits_at_backup = -1
        self._changes: list[Change] | None = None
        header = probe(self.path)
        if header is None and (readonly or not create):
            raise NotAProject(f"{self.path}: no such project file")
        try:
            if header is not None:
                check_header(header, self.path, create and not readonly)
            if readonly:
                # Nobody has the file open when it has no -wal: read it immutable, which takes no
                # lock and creates no -wal/-shm beside it (mode=ro alone would, and leave them).
                self.immutable = not os.path.exists(self.path + "-wal")
                params = {"mode": "ro", **({"immutable": "1"} if self.immutable else {})}
                self.conn = connect(file_uri(self.path, **params), self.path, uri=True)
            else:
                self.conn = connect(self.path, self.path)
        except SchemaError as exc:
            raise NotAProject(str(exc)) from exc
        try:
            self._setup(create, before_upgrade, interrupt)
        except BaseException:
            self.conn.close()
            raise

    def _setup(self, create: bool, before_upgrade: Callable[["Store", int], None] | None,
               interrupt: Callable[[], bool] | None = None) -> None:
        conn = self.conn
        try:
            # Read again through this connection before anything that writes: the file may have
            # changed since the probe, and journal_mode=WAL rewrites header bytes 18-19.
            # (Polled: two processes opening a new file at once can find each other busy.)
            header = self._poll(lambda: read_header(conn))
            check_header(header, self.path, create and not self.readonly)
            if self.readonly:
                if header.user_version < SCHEMA_VERSION:  # upgrade a copy in memory, never the file
                    memory = connect(":memory:", self.path)
                    conn.backup(memory)
                    conn.close()
                    self.conn = conn = memory
                    migrate(conn, self.path, self.transaction)
                conn.execute("PRAGMA query_only = ON")
                self.wal = False
                return
            conn.execute("PRAGMA foreign_keys = ON")
            mode = self._poll(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            conn.execute("PRAGMA synchronous = FULL")
            # Checkpoint every WAL_CHECKPOINT_PAGES, not SQLite's 1000: a label save writes ~10
            # pages, so the default put a checkpoint (two fsyncs, ~30 ms) in every ~100th save.
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
            cancelled = StoreError(f"{self.path}: the upgrade was cancelled; the file is as it was")

            def hook(version: int) -> None:
                if before_upgrade is not None:
                    before_upgrade(self, version)
                if interrupt is not None and interrupt():
                    raise cancelled  # after the backup, before anything is written

            if interrupt is not None:
                # An upgrade's statements stop when ``interrupt()`` turns true (its transaction
                # is rolled back: the file stays as it was). The backup before it is not stopped.
                conn.set_progress_handler(lambda: 1 if interrupt() else 0, 1000)
            try:
                migrate(conn, self.path, self.transaction, create=create,
                        before_upgrade=hook if before_upgrade or interrupt else None)
            except sqlite3.OperationalError as exc:
                if interrupt is not None and interrupt():
                    raise cancelled from exc
                raise
            finally:
                if interrupt is not None:
                    conn.set_progress_handler(None, 0)
        except SchemaError as exc:
            raise NotAProject(str(exc)) from exc
        self.wal = mode.lower() == "wal"
        self.guard = FileGuard(self.path, self.wal)
        self.guard.arm()

    def close(self) -> None:
        self.guard.disarm()
        self.conn.close()

    def check_files(self) -> None:
        """Raise :class:`ProjectFilesChanged` if the files on disk are no longer the ones opened;
        retake this process's SQLite locks if something in the process dropped them."""
        try:
            self.guard.check()
        except FilesChanged as exc:
            raise ProjectFilesChanged(str(exc)) from exc

    # -- transactions ----------------------------------------------------------------------------

    def _before_write(self) -> None:
        """Runs before every outermost write transaction (and a restore): never write into a
        deleted WAL or a replaced file; retake locks something in this process dropped."""
        self.check_files()

    def _begin(self) -> None:
        """``BEGIN IMMEDIATE``: take the write lock first, so no read inside the transaction can
        go stale (a deferred BEGIN that reads then writes gets SQLITE_BUSY at once when another
        process wrote in between, whatever the busy timeout).

        While another process holds the lock we poll every few milliseconds, for up to
        :data:`BUSY_WAIT` seconds, instead of SQLite's busy handler: its sleeps grow to 100 ms,
        so against a writer that takes the lock again right after each commit (an import) it
        almost never finds the lock free. Other statements keep the busy timeout.
        """
        conn = self.conn
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            self._poll(lambda: conn.execute("BEGIN IMMEDIATE"))
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")

    @staticmethod
    def _poll(step: Callable[[], Any]) -> Any:
        """Run ``step`` until it is not :class:`ProjectBusy`, for up to :data:`BUSY_WAIT` s."""
        deadline = time.monotonic() + BUSY_WAIT
        pause = 0.001
        while True:
            try:
                return step()
            except ProjectBusy:
                if time.monotonic() > deadline:
                    raise
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 1.5, 0.02)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one snapshot of the file (a plain ``BEGIN``: no write lock, writers
        go on), so rows read by several queries belong together; inside a transaction already,
        that one is the snapshot."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("COMMIT")  # nothing written: ends the read snapshot

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes happen in one of these: the outermost is ``BEGIN IMMEDIATE`` … ``COMMIT``,
        nested blocks are savepoints (an error inside one undoes only that block).

        Errors about the file itself (disk full, I/O, busy, read-only, damaged) come out as
        :class:`StoreError` subclasses; nothing of the failed transaction is kept.
        """
        conn = self.conn
        mark = len(self._uncommitted)
        if conn.in_transaction:
            self._depth += 1
            name = f"s{self._depth}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                if conn.in_transaction:  # some errors (disk full) end the whole transaction
                    conn.execute(f"ROLLBACK TO {name}")
                    conn.execute(f"RELEASE {name}")
                self._forget_annotators(mark)
                raise
            else:
                conn.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1
            return
        self._before_write()
        self._begin()
        try:
            yield
            if not conn.in_transaction:  # SQLite rolled it back (an error was swallowed inside)
                raise StoreError(f"{self.path}: the change was rolled back by SQLite; it was "
                                 "not saved.")
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the original error says more; SQLite rolls back on close anyway
            self._forget_annotators(0)
            if isinstance(exc, sqlite3.DatabaseError):
                mapped = store_error(exc, self.path)
                if mapped is not None:
                    raise mapped from exc
            raise
        self._uncommitted.clear()
        self.commits += 1

    def _forget_annotators(self, mark: int) -> None:
        """Drop cached ids of annotators whose creation was rolled back."""
        for name in self._uncommitted[mark:]:
            self._annotator_ids.pop(name, None)
        del self._uncommitted[mark:]

    def data_version(self) -> int:
        """Changes when another connection commits (``PRAGMA data_version``): cached reads of
        targets and the like must be read again."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    # -- backup and restore (the policy is in backup.py) -----------------------------------------

    def backup_to(self, dest: str) -> None:
        """Copy the whole project into the new file ``dest`` with SQLite's online backup, then
        verify the copy (``PRAGMA quick_check``). Other connections may go on writing meanwhile.

        Raises :class:`StoreError` (e.g. :class:`DiskFull`); the caller deletes ``dest`` then.
        """
        what = "the backup was not made"
        try:
            target = sqlite3.connect(dest, isolation_level=None)
            try:
                # No journal for a file nobody else knows of; it is fsynced once, at the end.
                target.execute("PRAGMA journal_mode = OFF")
                target.execute("PRAGMA synchronous = OFF")
                self.conn.backup(target)
                check = target.execute("PRAGMA quick_check").fetchone()[0]
                version = target.execute("PRAGMA user_version").fetchone()[0]
            finally:
                target.close()
        except sqlite3.DatabaseError as exc:
            raise (store_error(exc, dest, what=what) or StoreError(f"{dest}: {exc}; {what}")) from exc
        if check != "ok" or version != self.conn.execute("PRAGMA user_version").fetchone()[0]:
            raise DamagedProject(f"the backup {dest} did not verify ({check}); {what}")

    def restore_from(self, source: str) -> None:
        """Overwrite this project with the backup file ``source`` through SQLite's backup API
        (a write transaction on this file, so other connections see the change whole)."""
        self._before_write()
        try:
            # A backup file is never written after it is made: immutable, nothing created beside it.
            header = probe(source)
            if header is None:
                raise NotAProject(f"{source}: no such backup")
            check_header(header, source, create=False)
            src = connect(file_uri(source, mode="ro", immutable="1"), source, uri=True)
            try:
                check = src.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise DamagedProject(f"the backup {source} is damaged ({check}); nothing "
                                         "was changed")
                for pause in (*BUSY_RETRIES, None):
                    try:
                        src.backup(self.conn)
                        break
                    except sqlite3.OperationalError as exc:
                        if getattr(exc, "sqlite_errorcode", 0) & 0xFF not in (
                                sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or pause is None:
                            raise
                        time.sleep(pause * (1 + random.random()))
            finally:
                src.close()
        except SchemaError as exc:
            raise NotAProject(str(exc)) from exc
        except sqlite3.DatabaseError as exc:
            raise (store_error(exc, self.path) or StoreError(f"{self.path}: {exc}")) from exc
        self._annotator_ids.clear()
        migrate(self.conn, self.path, self.transaction)  # a backup from an older version
        self.commits += 1

    # -- meta ------------------------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- articles and sentences -------------------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
            is not None
        )

    def existing_articles(self, article_ids: Sequence[str]) -> set[str]:
        """Those of ``article_ids`` that are in the project."""
        found: set[str] = set()
        for i in range(0, len(article_ids), 500):
            part = article_ids[i:i + 500]
            found.update(row[0] for row in self.conn.execute(
                f"SELECT id FROM articles WHERE id IN ({', '.join('?' * len(part))})", part))
        return found

    def insert_article(self, article: Article, sentences: list[Sentence]) -> list[int]:
        """Insert an article and its sentences; returns the new sentence ids (in order)."""
        return self.insert_articles([(article, sentences)])[0]

    def insert_articles(self, items: Sequence[tuple[Article, list[Sentence]]]) -> list[list[int]]:
        """Insert articles with their sentences, all or none; each one's new sentence ids."""
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO articles (id, title, outlet, date, url, lang, text, source, meta,"
                " n_sentences, n_units, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(article.id, article.title, article.outlet, article.date, article.url,
                  article.lang, article.text, article.source,
                  json.dumps(article.meta, ensure_ascii=False, sort_keys=True),
                  len(sentences), sum(1 for s in sentences if not s.boilerplate), now())
                 for article, sentences in items],
            )
            # One statement for all the sentences, with the ids SQLite would give them (the next
            # rowids: this transaction holds the write lock, so no one else takes them).
            total = sum(len(sentences) for _, sentences in items)
            if not total:
                return [[] for _ in items]
            first = self._next_rowid("sentences", total)
            out, rows = [], []
            for article, sentences in items:
                ids = list(range(first, first + len(sentences)))
                first += len(sentences)
                out.append(ids)
                rows += [(sid, article.id, s.index, s.start, s.end, s.text, s.lang,
                          int(s.boilerplate)) for sid, s in zip(ids, sentences)]
            self.conn.executemany(
                "INSERT INTO sentences (id, article_id, idx, start, end, text, lang, boilerplate)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            return out

    _MAX_ROWID = 2**63 - 1

    def _next_rowid(self, table: str, count: int) -> int:
        """The first of ``count`` new rowids of ``table`` (one past the largest, as SQLite picks
        them); inside a write transaction only."""
        assert self.conn.in_transaction
        (top,) = self.conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()
        if top + count > self._MAX_ROWID:
            raise StoreError(f"{self.path}: the {table} table has run out of row ids")
        return int(top) + 1

    _ARTICLE_COLS = "id, title, text, lang, outlet, date, url, source, meta, n_sentences"

    def _article(self, row: tuple[Any, ...]) -> Article:
        return Article(
            id=row[0], title=row[1], text=row[2], lang=row[3], outlet=row[4], date=row[5],
            url=row[6], source=row[7], meta=json.loads(row[8]), n_sentences=row[9],
        )

    def article(self, article_id: str) -> Article | None:
        row = self.conn.execute(
            f"SELECT {self._ARTICLE_COLS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return self._article(row) if row else None

    def articles(self) -> list[Article]:
        rows = self.conn.execute(f"SELECT {self._ARTICLE_COLS} FROM articles ORDER BY rowid")
        return [self._article(r) for r in rows]

    def iter_articles(self) -> Iterator[Article]:
        """Streams articles in import order (for exports of any size)."""
        last = 0
        while True:
            rows = self.conn.execute(
                f"SELECT rowid, {self._ARTICLE_COLS} FROM articles WHERE rowid > ?"
                " ORDER BY rowid LIMIT 500",
                (last,),
            ).fetchall()
            if not rows:
                return
            for r in rows:
                yield self._article(r[1:])
            last = rows[-1][0]

    def _filter_sql(self, f: ArticleFilter, annotator_id: int | None) -> tuple[str, list[Any]]:
        where, args = [], []
        if f.text:
            where.append("(a.title LIKE ? OR a.outlet LIKE ? OR a.text LIKE ?)")
            like = f"%{f.text}%"
            args += [like, like, like]
        if f.lang:
            where.append("a.lang = ?")
            args.append(f.lang)
        if f.outlet:
            where.append("a.outlet = ?")
            args.append(f.outlet)
        if f.after_rowid is not None:
            where.append("a.rowid > ?")
            args.append(f.after_rowid)
        if f.unlabelled_only:
            where.append(
                "a.n_units > (SELECT count(*) FROM sentences s JOIN labels l ON l.sentence_id = s.id"
                " WHERE s.article_id = a.id AND s.boilerplate = 0 AND l.annotator_id = ?)"
            )
            args.append(annotator_id if annotator_id is not None else -1)
        return (" WHERE " + " AND ".join(where)) if where else "", args

    def count_articles(self, f: ArticleFilter = ArticleFilter(), annotator: str | None = None) -> int:
        sql, args = self._filter_sql(f, self.annotator_id(annotator) if annotator else None)
        if not sql:
            return self._count("articles")
        return int(self.conn.execute(f"SELECT count(*) FROM articles a{sql}", args).fetchone()[0])

    def article_rows(
        self,
        offset: int,
        limit: int,
        f: ArticleFilter = ArticleFilter(),
        annotator: str | None = None,
    ) -> list[ArticleRow]:
        """A page of the article list, with the annotator's progress (labelled units)."""
        ann = self.annotator_id(annotator) if annotator else None
        sql, args = self._filter_sql(f, ann)
        rows = self.conn.execute(
            "SELECT a.id, a.title, a.outlet, a.date, a.lang, a.n_sentences, a.n_units,"
            " (SELECT count(*) FROM sentences s JOIN labels l ON l.sentence_id = s.id"
            "   WHERE s.article_id = a.id AND s.boilerplate = 0 AND l.annotator_id = ?), a.rowid"
            f" FROM articles a{sql} ORDER BY a.rowid LIMIT ? OFFSET ?",
            [ann if ann is not None else -1, *args, limit, offset],
        )
        return [ArticleRow(*r) for r in rows]

    def outlets(self) -> list[str]:
        return [key for key, _ in self._counts("outlet")]

    def languages(self) -> dict[str, int]:
        return dict(self._counts("lang"))

    def sentences(self, article_id: str, with_mentions: bool = True) -> list[Sentence]:
        rows = self.conn.execute(
            "SELECT id, article_id, idx, start, end, text, lang, boilerplate FROM sentences"
            " WHERE article_id = ? ORDER BY idx",
            (article_id,),
        ).fetchall()
        out = [Sentence(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7])) for r in rows]
        if with_mentions and out:
            mentions = self.mentions(article_id)
            for s in out:
                s.mentions = [m for m in mentions if m.start >= s.start and m.end <= s.end]
        return out

    def has_sentence(self, sentence_id: int) -> bool:
        """Whether the sentence exists (one index lookup; :meth:`sentence` also reads mentions)."""
        return self.conn.execute("SELECT 1 FROM sentences WHERE id = ?",
                                 (sentence_id,)).fetchone() is not None

    def sentence(self, sentence_id: int) -> Sentence | None:
        r = self.conn.execute(
            "SELECT id, article_id, idx, start, end, text, lang, boilerplate FROM sentences"
            " WHERE id = ?",
            (sentence_id,),
        ).fetchone()
        if r is None:
            return None
        s = Sentence(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]))
        s.mentions = [
            m for m in self.mentions(s.article_id) if m.start >= s.start and m.end <= s.end
        ]
        return s

    def iter_sentences(self) -> Iterator[Sentence]:
        """All sentences in article import order then index, without mentions (streaming)."""
        last = (0, -1)
        while True:
            rows = self.conn.execute(
                "SELECT a.rowid, s.id, s.article_id, s.idx, s.start, s.end, s.text, s.lang,"
                " s.boilerplate FROM sentences s JOIN articles a ON a.id = s.article_id"
                " WHERE (a.rowid, s.idx) > (?, ?) ORDER BY a.rowid, s.idx LIMIT 2000",
                last,
            ).fetchall()
            if not rows:
                return
            for r in rows:
                yield Sentence(r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]))
            last = (rows[-1][0], rows[-1][3])

    # -- mentions ----------------------------------------------------------------------------------

    _MENTION_COLS = "id, article_id, start, end, label, raw_label, text, normal, origin, target_id"

    @staticmethod
    def _mention(r: tuple[Any, ...]) -> Mention:
        return Mention(
            id=r[0], article_id=r[1], start=r[2], end=r[3], label=r[4], raw_label=r[5],
            text=r[6], normal=r[7], origin=r[8], target_id=r[9],
        )

    def mentions(self, article_id: str) -> list[Mention]:
        rows = self.conn.execute(
            f"SELECT {self._MENTION_COLS} FROM mentions WHERE article_id = ? ORDER BY start, end",
            (article_id,),
        )
        return [self._mention(r) for r in rows]

    def mention(self, mention_id: int) -> Mention | None:
        r = self.conn.execute(
            f"SELECT {self._MENTION_COLS} FROM mentions WHERE id = ?", (mention_id,)
        ).fetchone()
        return self._mention(r) if r else None

    def insert_mentions(self, article_id: str, mentions: Iterable[Mention]) -> None:
        """Bulk insert of model mentions at import (not logged: import is not undoable)."""
        mentions = list(mentions)
        if not mentions:
            return
        with self.transaction():
            first = self._next_rowid("mentions", len(mentions))
            self.conn.executemany(
                "INSERT INTO mentions (id, article_id, start, end, label, raw_label, text, normal,"
                " origin, target_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(first + i, article_id, m.start, m.end, m.label, m.raw_label, m.text, m.normal,
                  m.origin, m.target_id) for i, m in enumerate(mentions)],
            )
            for i, m in enumerate(mentions):
                m.id = first + i
                m.article_id = article_id

    def target_label_counts(self) -> list[tuple[int, str, str | None, str, int]]:
        """(target id, label, raw label, origin, count) over linked mentions: what label votes read.
        Kept in counts by triggers (schema v5); in the order of a GROUP BY over the four."""
        rows = [(*json.loads(key), n) for key, n in self.conn.execute(
            "SELECT key, n FROM counts WHERE name = 'vote' AND n > 0")]
        rows.sort(key=lambda r: (r[0], r[1], r[2] is not None, r[2] or "", r[3]))
        return [tuple(r) for r in rows]  # type: ignore[misc]

    def entity_corrections(self) -> dict[str, str | None]:
        """Surface form -> the label annotators gave it everywhere (None: not an entity)."""
        return {key[len(CORRECTION_PREFIX):]: json.loads(value) for key, value in self.conn.execute(
            "SELECT key, value FROM meta WHERE key LIKE ? ESCAPE '\\'",
            (CORRECTION_PREFIX.replace("_", "\\_") + "%",))}

    def correction_row(self, surface: str) -> dict[str, Any] | None:
        return self._row("meta", {"key": CORRECTION_PREFIX + surface})

    def mentions_with_text(self, text: str, article_id: str | None = None) -> list[Mention]:
        """Mentions whose surface is exactly ``text``, in one article or the whole project."""
        sql = f"SELECT {self._MENTION_COLS} FROM mentions WHERE text = ?"
        args: list[Any] = [text]
        if article_id is not None:
            sql += " AND article_id = ?"
            args.append(article_id)
        return [self._mention(r) for r in self.conn.execute(sql + " ORDER BY article_id, start", args)]

    def articles_containing(self, text: str) -> list[tuple[str, str]]:
        """(id, text) of articles whose text contains ``text`` (a first filter: the caller checks
        word boundaries)."""
        return [(r[0], r[1]) for r in self.conn.execute(
            "SELECT id, text FROM articles WHERE instr(text, ?) > 0 ORDER BY rowid", (text,))]

    # -- targets -----------------------------------------------------------------------------------

    def targets(self) -> list[Target]:
        aliases: dict[int, list[str]] = {}
        for tid, alias in self.conn.execute(
            "SELECT target_id, alias FROM target_aliases ORDER BY target_id, rowid"
        ):
            aliases.setdefault(tid, []).append(alias)
        counts = dict(self._counts("target_mentions"))  # kept by triggers: no scan of mentions
        rows = self.conn.execute("SELECT id, name, kind, pinned FROM targets ORDER BY id")
        return [
            Target(name=r[1], kind=r[2], aliases=aliases.get(r[0], []), pinned=bool(r[3]),
                   id=r[0], n_mentions=counts.get(r[0], 0))
            for r in rows
        ]

    def target(self, target_id: int) -> Target | None:
        r = self.conn.execute(
            "SELECT id, name, kind, pinned FROM targets WHERE id = ?", (target_id,)
        ).fetchone()
        if r is None:
            return None
        aliases = [
            a for (a,) in self.conn.execute(
                "SELECT alias FROM target_aliases WHERE target_id = ? ORDER BY rowid", (r[0],)
            )
        ]
        n = self.conn.execute(
            "SELECT count(*) FROM mentions WHERE target_id = ?", (r[0],)
        ).fetchone()[0]
        return Target(name=r[1], kind=r[2], aliases=aliases, pinned=bool(r[3]), id=r[0],
                      n_mentions=n)

    def insert_target(self, target: Target) -> int:
        """Insert a target found at import (not logged); sets and returns ``target.id``."""
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO targets (name, kind, pinned) VALUES (?, ?, ?)",
                (target.name, target.kind, int(target.pinned)),
            )
            target.id = int(cur.lastrowid)
            self.add_aliases(target.id, target.aliases)
            return target.id

    def update_target(self, target: Target) -> None:
        """Persist a target the import's resolver renamed, re-kinded or gave new aliases (not logged)."""
        with self.transaction():
            self.conn.execute(
                "UPDATE targets SET name = ?, kind = ? WHERE id = ?",
                (target.name, target.kind, target.id),
            )
            self.add_aliases(int(target.id), target.aliases)  # type: ignore[arg-type]

    def add_aliases(self, target_id: int, aliases: Iterable[str]) -> None:
        with self.transaction():
            self.conn.executemany(
                "INSERT OR IGNORE INTO target_aliases (target_id, alias) VALUES (?, ?)",
                [(target_id, a) for a in aliases],
            )

    # -- annotators ----------------------------------------------------------------------------------

    def annotator_id(self, name: str, create: bool = False) -> int | None:
        if name in self._annotator_ids:
            return self._annotator_ids[name]
        r = self.conn.execute("SELECT id FROM annotators WHERE name = ?", (name,)).fetchone()
        if r is None:
            if not create:
                return None
            # Get-or-create under the write lock: another process may add the same name first.
            with self.transaction():
                kind = "gold" if name == GOLD_ANNOTATOR else "human"
                self.conn.execute(
                    "INSERT INTO annotators (name, kind, created) VALUES (?, ?, ?)"
                    " ON CONFLICT(name) DO NOTHING",
                    (name, kind, now()),
                )
                r = self.conn.execute("SELECT id FROM annotators WHERE name = ?", (name,)).fetchone()
            if self.conn.in_transaction:  # not committed yet: forgotten if it is rolled back
                self._uncommitted.append(name)
        aid = int(r[0])
        self._annotator_ids[name] = aid
        return aid

    def annotators(self, include_gold: bool = False) -> list[str]:
        sql = "SELECT name FROM annotators"
        if not include_gold:
            sql += " WHERE kind = 'human'"
        return [r[0] for r in self.conn.execute(sql + " ORDER BY id")]

    # -- labels --------------------------------------------------------------------------------------

    def _label_rows(self, where: str, args: list[Any]) -> list[Label]:
        rows = self.conn.execute(f"{_LABEL_SELECT}{where} ORDER BY l.sentence_id, a.id",
                                 args).fetchall()
        if not rows:
            return []
        sids = sorted({r[0] for r in rows})

        def stance_rows() -> Iterator[tuple[int, int, int, str]]:
            for chunk in range(0, len(sids), 500):
                part = sids[chunk:chunk + 500]
                yield from self.conn.execute(
                    "SELECT sentence_id, annotator_id, target_id, value FROM stances"
                    f" WHERE sentence_id IN ({','.join('?' * len(part))}) ORDER BY target_id", part)

        return self._labels_from(rows, _stance_maps(stance_rows()))

    def _label_rows_between(self, first: int, last: int) -> list[Label]:
        """:meth:`_label_rows` of the sentences ``first``..``last``, their stances read with one
        range query (in key order: each label's targets in id order, as there), one snapshot."""
        with self.snapshot():
            rows = self.conn.execute(
                f"{_LABEL_SELECT} WHERE l.sentence_id BETWEEN ? AND ?"
                " ORDER BY l.sentence_id, a.id", (first, last)).fetchall()
            stances = _stance_maps(self.conn.execute(
                "SELECT sentence_id, annotator_id, target_id, value FROM stances"
                " WHERE sentence_id BETWEEN ? AND ?"
                " ORDER BY sentence_id, annotator_id, target_id", (first, last)))
        return self._labels_from(rows, stances)

    @staticmethod
    def _labels_from(rows: Iterable[tuple[Any, ...]],
                     stances: dict[tuple[int, int], dict[int, str]]) -> list[Label]:
        """Labels from the label columns of :meth:`_label_rows` and their stances by (sentence,
        annotator id).
        The frames column repeats a few spellings: each is parsed once (lists still per label)."""
        frames: dict[str, list[str]] = {}
        out = []
        for r in rows:
            parsed = frames.get(r[2])
            if parsed is None:
                parsed = frames[r[2]] = json.loads(r[2])
            out.append(Label(
                sentence_id=r[0], annotator=r[1], stance=stances.get((r[0], r[7]), {}),
                frames=list(parsed), irrelevant=bool(r[3]), note=r[4], created=r[5],
                updated=r[6], decided_by=r[8], suggestion=json.loads(r[9]) if r[9] else None,
            ))
        return out

    def labels_by_article(self, batch: int = 500) -> Iterator[tuple[str, list[Label]]]:
        """``(article id, its labels)`` for every article that has labels, in import order (that
        of :meth:`iter_articles`), labels as :meth:`labels` orders them; two queries per
        ``batch`` articles (labels, stances) rather than two per article, for exports."""
        last = 0
        while True:
            span = self.conn.execute(
                "SELECT max(rowid), count(*) FROM (SELECT rowid FROM articles WHERE rowid > ?"
                " ORDER BY rowid LIMIT ?)", (last, batch)).fetchone()
            if not span[1]:
                return
            first, last = last, span[0]
            rows = self.conn.execute(
                "SELECT l.sentence_id, a.name, l.frames, l.irrelevant, l.note, l.created, l.updated,"
                " l.annotator_id, l.decided_by, l.suggestion, ar.id FROM articles ar"
                " JOIN sentences s ON s.article_id = ar.id JOIN labels l ON l.sentence_id = s.id"
                " JOIN annotators a ON a.id = l.annotator_id WHERE ar.rowid > ? AND ar.rowid <= ?"
                " ORDER BY ar.rowid, l.sentence_id, a.id", (first, last)).fetchall()
            if not rows:
                continue
            stances = _stance_maps(self.conn.execute(
                "SELECT st.sentence_id, st.annotator_id, st.target_id, st.value FROM articles ar"
                " JOIN sentences s ON s.article_id = ar.id"
                " JOIN stances st ON st.sentence_id = s.id WHERE ar.rowid > ? AND ar.rowid <= ?"
                " ORDER BY st.target_id", (first, last)))
            start = 0
            for i in range(1, len(rows) + 1):
                if i == len(rows) or rows[i][10] != rows[start][10]:
                    yield rows[start][10], self._labels_from(rows[start:i], stances)
                    start = i

    @staticmethod
    def _picked_articles(pick: SentencePick) -> tuple[str, list[Any]]:
        """SQL true for the articles (``ar``) of ``pick``, and its parameters."""
        where, args = ["1"], []
        if pick.lang is not None:
            where.append("ar.lang = ?")
            args.append(pick.lang)
        if pick.outlet is not None:
            where.append("ar.outlet = ?")
            args.append(pick.outlet)
        return " AND ".join(where), args

    def article_spans(self, pick: SentencePick, batch: int) -> Iterator[tuple[int, int, int]]:
        """``(after rowid, last rowid, articles picked)`` for every ``batch`` articles in import
        order: the steps of an export that reads many articles per query (:meth:`export_rows`)."""
        wanted, args = self._picked_articles(pick)
        last = 0
        while True:
            top, n, picked = self.conn.execute(
                f"SELECT max(rowid), count(*), coalesce(sum({wanted}), 0) FROM (SELECT rowid,"
                " lang, outlet FROM articles ar WHERE rowid > ? ORDER BY rowid LIMIT ?) ar",
                [*args, last, batch]).fetchone()
            if not n:
                return
            yield last, top, picked
            last = top

    @property
    def in_transaction(self) -> bool:
        """True inside a transaction of this connection (its writes not seen by others yet)."""
        return self.conn.in_transaction

    def export_rows(self, pick: SentencePick, first: int, last: int) -> ExportRows:
        """The rows an export of ``pick`` needs from the articles with rowid in (``first``,
        ``last``]: a few queries for many articles (none per article), tuples rather than
        objects, all read from one snapshot (a write committed meanwhile is in all or none)."""
        with self.snapshot():
            return self._export_rows(pick, first, last)

    def _export_rows(self, pick: SentencePick, first: int, last: int) -> ExportRows:
        wanted, args = self._picked_articles(pick)
        args = [first, last, *args]
        sentences = "FROM articles ar JOIN sentences s ON s.article_id = ar.id"
        where = " WHERE ar.rowid > ? AND ar.rowid <= ? AND " + wanted + (
            "" if pick.boilerplate else " AND s.boilerplate = 0")
        shown, ids = "", []
        if pick.annotators:
            shown = " AND annotator_id IN (SELECT value FROM json_each(?))"  # of labels, stances
            ids = [json.dumps([i for i in map(self.annotator_id, pick.annotators) if i is not None])]
        labelled, labelled_args = "", []
        if not pick.unlabelled:
            labelled = f" AND EXISTS (SELECT 1 FROM labels l WHERE l.sentence_id = s.id{shown})"
            labelled_args = ids
        q = self.conn.execute
        rows = q(f"SELECT ar.id, s.id, s.idx, s.start, s.end, s.text, s.lang, s.boilerplate"
                 f" {sentences}{where}{labelled} ORDER BY ar.rowid, s.idx",
                 args + labelled_args).fetchall()
        if not rows:
            return ExportRows({}, [], [], [], [], [], set())
        picked = json.dumps(sorted({r[0] for r in rows}))
        in_picked = json.dumps([r[1] for r in rows])  # the sentences' ids
        return ExportRows(
            annotators=dict(q("SELECT id, name FROM annotators").fetchall()),
            articles=q("SELECT id, title, outlet, date, url, lang FROM articles"
                       " WHERE id IN (SELECT value FROM json_each(?))", [picked]).fetchall(),
            sentences=rows,
            labels=q("SELECT sentence_id, annotator_id, frames, irrelevant, note, created,"
                     " updated, decided_by, suggestion FROM labels WHERE sentence_id IN"
                     f" (SELECT value FROM json_each(?)){shown}", [in_picked, *ids]).fetchall(),
            stances=q("SELECT sentence_id, annotator_id, target_id, value FROM stances"
                      f" WHERE sentence_id IN (SELECT value FROM json_each(?)){shown}",
                      [in_picked, *ids]).fetchall(),
            mentions=q("SELECT article_id, start, end, label, raw_label, text, origin, target_id"
                       " FROM mentions WHERE article_id IN (SELECT value FROM json_each(?))"
                       " ORDER BY article_id, start, end", [picked]).fetchall(),
            suggested={r[0] for r in q("SELECT sentence_id FROM suggestions WHERE sentence_id IN"
                                       " (SELECT value FROM json_each(?))", [in_picked])},
        )

    def labels(
        self,
        *,
        sentence_id: int | None = None,
        article_id: str | None = None,
        annotator: str | None = None,
        include_gold: bool = True,
    ) -> list[Label]:
        where, args = [], []
        if sentence_id is not None:
            where.append("l.sentence_id = ?")
            args.append(sentence_id)
        if article_id is not None:
            where.append("l.sentence_id IN (SELECT id FROM sentences WHERE article_id = ?)")
            args.append(article_id)
        if annotator is not None:
            where.append("a.name = ?")
            args.append(annotator)
        if not include_gold:
            where.append("a.kind = 'human'")
        return self._label_rows((" WHERE " + " AND ".join(where)) if where else "", args)

    def iter_labels(self, batch: int = 2000) -> Iterator[Label]:
        """All labels ordered by sentence id, streamed in batches."""
        last = -1
        while True:
            ids = [
                r[0] for r in self.conn.execute(
                    "SELECT DISTINCT sentence_id FROM labels WHERE sentence_id > ?"
                    " ORDER BY sentence_id LIMIT ?",
                    (last, batch),
                )
            ]
            if not ids:
                return
            yield from self._label_rows_between(ids[0], ids[-1])
            last = ids[-1]

    def label_changes(self, label: Label, annotator_id: int) -> list[Change]:
        """The row changes that make the stored label equal ``label`` (empty label = delete)."""
        sid = label.sentence_id
        changes: list[Change] = []
        old_stances = {
            tid: self._row("stances", {"sentence_id": sid, "annotator_id": annotator_id,
                                       "target_id": tid})
            for (tid,) in self.conn.execute(
                "SELECT target_id FROM stances WHERE sentence_id = ? AND annotator_id = ?",
                (sid, annotator_id),
            ).fetchall()
        }
        key = {"sentence_id": sid, "annotator_id": annotator_id}
        before = self._row("labels", key)
        empty = not (label.stance or label.frames or label.irrelevant or label.note.strip())
        if empty:
            after = None
        else:
            stamp = now()
            after = {
                **key,
                "frames": json.dumps(list(label.frames), ensure_ascii=False),
                "irrelevant": int(label.irrelevant),
                "note": label.note,
                "created": before["created"] if before else (label.created or stamp),
                "updated": label.updated or stamp,
                "decided_by": label.decided_by,
                "suggestion": (json.dumps(label.suggestion, sort_keys=True, ensure_ascii=False)
                               if label.suggestion else None),
            }
        new_stances = {} if empty else dict(label.stance)
        # Stances first when deleting (they reference the label row), last when adding.
        stance_changes = []
        for tid in sorted(set(old_stances) | set(new_stances)):
            skey = {**key, "target_id": tid}
            b = old_stances.get(tid)
            a = {**skey, "value": new_stances[tid]} if tid in new_stances else None
            if b != a:
                stance_changes.append(Change("stances", skey, b, a))
        removing = [c for c in stance_changes if c.after is None]
        adding = [c for c in stance_changes if c.after is not None]
        changes += removing
        if before != after:
            changes.append(Change("labels", key, before, after))
        changes += adding
        return changes

    # -- generic row changes, the event log, undo/redo ----------------------------------------------------

    def _row(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        cond = " AND ".join(f"{k} = ?" for k in key)
        cur = self.conn.execute(f"SELECT * FROM {table} WHERE {cond}", list(key.values()))
        r = cur.fetchone()
        if r is None:
            return None
        return dict(zip([d[0] for d in cur.description], r))

    def _put(self, table: str, key: dict[str, Any], row: dict[str, Any] | None) -> None:
        if row is None:
            cond = " AND ".join(f"{k} = ?" for k in key)
            self.conn.execute(f"DELETE FROM {table} WHERE {cond}", list(key.values()))
            return
        cols = list(row)
        updates = [c for c in cols if c not in _KEYS[table]]
        sql = (
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            f" ON CONFLICT({', '.join(_KEYS[table])}) DO "
            + (f"UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in updates)}" if updates
               else "NOTHING")
        )
        self.conn.execute(sql, [row[c] for c in cols])

    def apply(self, annotator: str, action: str, changes: list[Change], summary: str = "") -> int | None:
        """Write row changes and log them as one undoable event. Returns the event id."""
        if not changes:
            return None
        with self.transaction():
            for c in changes:
                self._put(c.table, c.key, c.after)
            # A new action makes earlier undone events of this annotator non-redoable.
            self.conn.execute(
                "UPDATE events SET undone = 2 WHERE annotator = ? AND undone = 1", (annotator,)
            )
            payload = [
                {"table": c.table, "key": c.key, "before": c.before, "after": c.after}
                for c in changes
            ]
            cur = self.conn.execute(
                "INSERT INTO events (ts, annotator, action, summary, changes) VALUES (?, ?, ?, ?, ?)",
                (now(), annotator, action, summary, json.dumps(payload, ensure_ascii=False)),
            )
            return int(cur.lastrowid)

    def _replay(self, event_id: int, undo: bool) -> None:
        """Write the event's before-images (undo) or after-images (redo).

        Refused (:class:`HistoryConflict`, nothing written) when a row is no longer as the event
        left it (undo) or found it (redo), or when the replay would delete a target others have
        used since: writing the images then would silently drop another annotator's work.
        """
        payload, summary = self.conn.execute(
            "SELECT changes, summary FROM events WHERE id = ?", (event_id,)
        ).fetchone()
        changes = json.loads(payload)
        order = list(reversed(changes)) if undo else changes
        verb = "undo" if undo else "redo"
        expected: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any] | None]] = {}
        for c in order:  # the first image met is the state the row must be in now
            key = (c["table"], json.dumps(c["key"], sort_keys=True))
            expected.setdefault(key, (c["key"], c["after"] if undo else c["before"]))
        stale = [table for (table, _), (key, image) in expected.items()
                 if not _same_row(self._row(table, key), image)]
        if stale:
            raise HistoryConflict(
                f"cannot {verb} '{summary}': {len(stale)} of its rows ({', '.join(sorted(set(stale)))})"
                " were changed since, by another annotator or an import")
        try:
            for c in order:
                image = c["before"] if undo else c["after"]
                if c["table"] == "targets" and image is None:
                    self._check_unused_target(c["key"]["id"], verb, summary)
                self._put(c["table"], c["key"], image)
        except sqlite3.IntegrityError as exc:
            raise HistoryConflict(f"cannot {verb} '{summary}': the project has changed since ({exc})"
                                  ) from exc

    def _check_unused_target(self, target_id: int, verb: str, summary: str) -> None:
        used = self.conn.execute(
            "SELECT (SELECT count(*) FROM stances WHERE target_id = ?),"
            " (SELECT count(*) FROM mentions WHERE target_id = ?)", (target_id, target_id),
        ).fetchone()
        if any(used):
            raise HistoryConflict(
                f"cannot {verb} '{summary}': it would delete target {target_id}, which has since "
                f"been given {used[0]} stances and {used[1]} mentions")

    def undo(self, annotator: str) -> Event | None:
        """Revert the annotator's latest live event; returns it (None when nothing to undo).

        Raises :class:`HistoryConflict` if others have changed what the event wrote since."""
        with self.transaction():
            r = self.conn.execute(
                "SELECT id FROM events WHERE annotator = ? AND undone = 0 ORDER BY id DESC LIMIT 1",
                (annotator,),
            ).fetchone()
            if r is None:
                return None
            self._replay(r[0], undo=True)
            self.conn.execute("UPDATE events SET undone = 1 WHERE id = ?", (r[0],))
        return self.event(r[0])

    def redo(self, annotator: str) -> Event | None:
        """Re-apply the annotator's most recently undone event."""
        with self.transaction():
            r = self.conn.execute(
                "SELECT id FROM events WHERE annotator = ? AND undone = 1 ORDER BY id ASC LIMIT 1",
                (annotator,),
            ).fetchone()
            if r is None:
                return None
            self._replay(r[0], undo=False)
            self.conn.execute("UPDATE events SET undone = 0 WHERE id = ?", (r[0],))
        return self.event(r[0])

    def event(self, event_id: int) -> Event | None:
        r = self.conn.execute(
            "SELECT id, ts, annotator, action, summary, undone FROM events WHERE id = ?",
            (event_id,),
        ).fetchone()
        return Event(*r) if r else None

    def progress(self, annotator: str) -> tuple[int, int]:
        """(labelled, total) non-boilerplate sentences for the annotator over the whole project."""
        total = self._count("units")
        aid = self.annotator_id(annotator)
        if aid is None:
            return 0, int(total)
        row = self.conn.execute("SELECT n FROM counts WHERE name = 'units_labelled' AND key = ?",
                                (aid,)).fetchone()
        done = row[0] if row else 0
        return int(done), int(total)

    def event_targets(self, event_id: int) -> tuple[list[str], list[int]]:
        """The article ids and sentence ids an event touched (to show them after undo/redo)."""
        changes = self.event_changes(event_id)
        sentence_ids = list(dict.fromkeys(
            int(c.key["sentence_id"]) for c in changes if c.table in ("labels", "stances")
        ))
        articles: list[str] = []
        if sentence_ids:
            q = ",".join("?" * len(sentence_ids))
            articles += [r[0] for r in self.conn.execute(
                f"SELECT DISTINCT article_id FROM sentences WHERE id IN ({q})", sentence_ids)]
        for c in changes:
            row = c.after or c.before
            if c.table == "mentions" and row is not None:
                articles.append(row["article_id"])
        return list(dict.fromkeys(articles)), sentence_ids

    def event_changes(self, event_id: int) -> list[Change]:
        (payload,) = self.conn.execute(
            "SELECT changes FROM events WHERE id = ?", (event_id,)
        ).fetchone()
        return [Change(c["table"], c["key"], c["before"], c["after"]) for c in json.loads(payload)]

    def events(self, annotator: str | None = None, limit: int = 100) -> list[Event]:
        sql = "SELECT id, ts, annotator, action, summary, undone FROM events"
        args: list[Any] = []
        if annotator is not None:
            sql += " WHERE annotator = ?"
            args.append(annotator)
        rows = self.conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*args, limit])
        return [Event(*r) for r in rows]

    def can_undo(self, annotator: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM events WHERE annotator = ? AND undone = 0 LIMIT 1", (annotator,)
        ).fetchone() is not None

    def can_redo(self, annotator: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM events WHERE annotator = ? AND undone = 1 LIMIT 1", (annotator,)
        ).fetchone() is not None

    # -- row-change builders for user edits of mentions and targets -----------------------------------

    def next_id(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])

    def mention_row(self, mention_id: int) -> dict[str, Any] | None:
        return self._row("mentions", {"id": mention_id})

    def target_row(self, target_id: int) -> dict[str, Any] | None:
        return self._row("targets", {"id": target_id})

    def alias_rows(self, target_id: int) -> list[dict[str, Any]]:
        return [
            {"target_id": target_id, "alias": a}
            for (a,) in self.conn.execute(
                "SELECT alias FROM target_aliases WHERE target_id = ? ORDER BY rowid", (target_id,)
            )
        ]

    def mention_ids_of_target(self, target_id: int) -> list[int]:
        return [r[0] for r in self.conn.execute(
            "SELECT id FROM mentions WHERE target_id = ? ORDER BY id", (target_id,)
        )]

    def stance_rows_of_target(self, target_id: int) -> list[dict[str, Any]]:
        cur = self.conn.execute("SELECT * FROM stances WHERE target_id = ?", (target_id,))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def stance_row(self, sentence_id: int, annotator_id: int, target_id: int) -> dict[str, Any] | None:
        return self._row("stances", {"sentence_id": sentence_id, "annotator_id": annotator_id,
                                     "target_id": target_id})

    # -- statistics ----------------------------------------------------------------------------------

    def _count(self, name: str) -> int:
        """A count the schema's triggers keep (``counts``): never a scan of a big table."""
        if name == "articles":  # every article has a language: the sum of the languages' counts
            return int(self.conn.execute(
                "SELECT coalesce(sum(n), 0) FROM counts WHERE name = 'lang'").fetchone()[0])
        row = self.conn.execute("SELECT n FROM counts WHERE name = ? AND key = ''", (name,)).fetchone()
        return int(row[0]) if row else 0

    def _counts(self, name: str) -> list[tuple[Any, int]]:
        """(key, n) of a kept count by key, in key order (BINARY, as ``ORDER BY`` of the column)."""
        return [(r[0], int(r[1])) for r in self.conn.execute(
            "SELECT key, n FROM counts WHERE name = ? AND n > 0 ORDER BY key", (name,))]

    def stats(self) -> dict[str, Any]:
        """Project-wide counts, read from the kept counts (constant time, whatever the size)."""
        labels = self.conn.execute(
            "SELECT a.name, a.kind, c.n FROM counts c JOIN annotators a ON a.id = c.key"
            " WHERE c.name = 'labels' AND c.n > 0 ORDER BY a.id"
        ).fetchall()
        outlets: dict[str, int] = {}
        if self._count("no_outlet"):
            outlets[""] = self._count("no_outlet")  # as coalesce(outlet, ''), NULL sorting first
        outlets.update(self._counts("outlet"))
        by_label = dict(self._counts("mention_label"))
        return {
            "articles": self._count("articles"),
            "sentences": self._count("sentences"),
            "boilerplate_sentences": self._count("boilerplate"),
            "entities": sum(by_label.values()),
            "entities_by_label": by_label,
            "targets": self.conn.execute("SELECT count(*) FROM targets").fetchone()[0],
            "languages": self.languages(),
            "outlets": outlets,
            "annotators": self.annotators(),
            "labelled_sentences": self._count("labelled_sentences"),
            "labels_by_annotator": {name: n for name, _, n in labels},
            "gold_sentences": sum(n for _, kind, n in labels if kind == "gold"),
        }

    def article_summaries(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Per article (the first ``limit``, in import order): title, outlet, language, sentence
        and entity counts (for ``stats``)."""
        rows = self.conn.execute(
            "SELECT a.id, a.title, a.outlet, a.date, a.lang, a.n_sentences,"
            " (SELECT count(*) FROM mentions m WHERE m.article_id = a.id)"
            " FROM articles a ORDER BY a.rowid LIMIT ?", (-1 if limit is None else limit,)
        )
        keys = ("id", "title", "outlet", "date", "lang", "sentences", "entities")
        return [dict(zip(keys, r)) for r in rows]

    # -- review queries --------------------------------------------------------------------------------

    def labelled_sentences(self) -> dict[int, tuple[str, int]]:
        """Every sentence with at least one label: id -> (article id, sentence index), in
        article (import) order, then sentence order."""
        return {r[0]: (r[1], r[2]) for r in self.conn.execute(
            "SELECT s.id, s.article_id, s.idx FROM articles ar JOIN sentences s"
            " ON s.article_id = ar.id WHERE s.id IN (SELECT DISTINCT sentence_id FROM labels)"
            " ORDER BY ar.rowid, s.idx"
        )}

    def mentioned_targets(self) -> dict[int, set[int]]:
        """Labelled sentences -> the targets their entity mentions are linked to."""
        out: dict[int, set[int]] = {}
        for sid, tid in self.conn.execute(
            "SELECT DISTINCT s.id, m.target_id FROM sentences s JOIN mentions m"
            " ON m.article_id = s.article_id AND m.start >= s.start AND m.end <= s.end"
            # implied by the other two; it bounds the index range (3.7 -> 1.5 s on 1M sentences)
            " AND m.start <= s.end"
            " WHERE m.target_id IS NOT NULL"
            " AND s.id IN (SELECT DISTINCT sentence_id FROM labels)"
        ):
            out.setdefault(sid, set()).add(tid)
        return out

    #: Labels whose frames spellings are coded before the whole table is read (a guess, checked).
    spelling_sample = 50_000

    def review_arrays(self) -> Any:
        """Human labels, stances, labelled sentences and their linked targets as a
        :class:`annotator.model.ReviewArrays`: three scans, each column a comma-joined string
        SQLite builds and numpy parses (no Python object per row).

        The scans see one snapshot, so every stance and mention belongs to a label and a unit
        read here even while another process saves labels; they run at once where they can
        (:meth:`read_together`)."""
        from .model import ReviewArrays

        # Largest first: on two cores the other two share the second.
        (units, mentions), labels, stances = self.read_together(
            [_unit_scan, lambda conn: _label_scan(conn, self.spelling_sample), _stance_scan])
        return ReviewArrays(*labels, *stances, *units, *mentions)

    def read_together(self, scans: list[Callable[[sqlite3.Connection], Any]]) -> list[Any]:
        """Each ``scan(connection)``'s result, all read from one snapshot of the file.

        With a WAL file, more than one usable core and no transaction open here, each scan runs
        in its own thread over its own connection (sqlite3 lets go of the GIL while SQLite
        steps). The connections start their reads between two readings of ``PRAGMA
        data_version`` and are used only if no other connection committed in between, so all
        of them see the same snapshot. Otherwise the scans run one after another on this
        connection in one :meth:`snapshot`."""
        readers = self._snapshot_readers(len(scans)) if len(scans) > 1 else []
        if not readers:
            with self.snapshot():
                return [scan(self.conn) for scan in scans]
        from concurrent.futures import ThreadPoolExecutor

        try:
            with ThreadPoolExecutor(len(readers), thread_name_prefix="store-read") as pool:
                futures = [pool.submit(scan, reader) for scan, reader in zip(scans, readers)]
                return [future.result() for future in futures]
        finally:
            for reader in readers:
                reader.close()  # ends its read transaction; SQLite keeps this process's locks

    def _snapshot_readers(self, wanted: int) -> list[_Connection]:
        """``wanted`` extra read connections in one read snapshot, or [] where that cannot be
        (see :meth:`read_together`)."""
        from .machine import usable_cores

        if self.readonly or not self.wal or self.conn.in_transaction or usable_cores() < 2:
            return []
        readers: list[_Connection] = []
        try:
            for _ in range(wanted):
                readers.append(connect(self.path, self.path, same_thread=False))
                readers[-1].execute("PRAGMA query_only = ON")
            for _ in range(READ_TOGETHER_TRIES):
                version = self.conn.execute("PRAGMA data_version").fetchone()[0]
                for reader in readers:
                    reader.execute("BEGIN")
                    reader.execute("SELECT count(*) FROM sqlite_master").fetchone()  # starts the read
                if self.conn.execute("PRAGMA data_version").fetchone()[0] == version:
                    return readers
                for reader in readers:  # someone committed between two of them: again
                    reader.execute("COMMIT")
        except StoreError:
            pass  # busy, or the file went away: the caller reads on this connection instead
        for reader in readers:
            reader.close()
        return []

    def article_headers_at(self, rowids: Iterable[int]) -> list[tuple[str, str, str | None]]:
        """(id, title, outlet) of the articles with these rowids, in rowid order."""
        ids = sorted(set(rowids))
        out: list[tuple[str, str, str | None]] = []
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            out += [(r[0], r[1], r[2]) for r in self.conn.execute(
                f"SELECT id, title, outlet FROM articles WHERE rowid IN ({','.join('?' * len(part))})"
                " ORDER BY rowid", part)]
        return out

    def article_headers(self) -> list[tuple[str, str, str | None]]:
        """(id, title, outlet) of every article, in import order (no text: cheap)."""
        return [(r[0], r[1], r[2]) for r in self.conn.execute(
            "SELECT id, title, outlet FROM articles ORDER BY rowid"
        )]

    def sentence_texts(self, sentence_ids: Iterable[int]) -> dict[int, str]:
        ids = list(sentence_ids)
        out: dict[int, str] = {}
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            out.update(self.conn.execute(
                f"SELECT id, text FROM sentences WHERE id IN ({','.join('?' * len(part))})", part
            ).fetchall())
        return out

    # -- export queries --------------------------------------------------------------------------------

    def find_targets(self, name: str) -> list[tuple[int, str, str]]:
        """(id, name, kind) of targets whose canonical name or one of whose aliases is ``name``
        (exact text), lowest id first."""
        return [(r[0], r[1], r[2]) for r in self.conn.execute(
            "SELECT id, name, kind FROM targets WHERE name = ?"
            " OR id IN (SELECT target_id FROM target_aliases WHERE alias = ?) ORDER BY id",
            (name, name),
        )]

    # -- peer imports (issue 9) --------------------------------------------------------------------

    def sentences_with_text(self, texts: Iterable[str]) -> dict[str, list[tuple[str, int, int]]]:
        """(article id, start, end) of every sentence whose text is one of ``texts``: how a task
        from another tool finds its sentence by content. One scan of the table per 500 texts."""
        wanted = sorted(set(texts))
        out: dict[str, list[tuple[str, int, int]]] = {}
        for chunk in range(0, len(wanted), 500):
            part = wanted[chunk:chunk + 500]
            for text, aid, start, end in self.conn.execute(
                    "SELECT text, article_id, start, end FROM sentences WHERE text IN"
                    f" ({','.join('?' * len(part))}) ORDER BY article_id, idx", part):
                out.setdefault(text, []).append((aid, start, end))
        return out

    def put_suggestion(self, sentence_id: int, model: str, label: dict[str, Any],
                       source: str | None) -> bool:
        """A model's suggested label for a sentence (one per model; a newer one replaces it).
        Returns False when the same suggestion is already there."""
        text = json.dumps(label, sort_keys=True, ensure_ascii=False)
        row = self.conn.execute("SELECT label FROM suggestions WHERE sentence_id = ? AND model = ?",
                                (sentence_id, model)).fetchone()
        if row is not None and row[0] == text:
            return False
        with self.transaction():
            self.conn.execute(
                "INSERT INTO suggestions (sentence_id, model, label, source, added)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (sentence_id, model) DO UPDATE SET"
                " label = excluded.label, source = excluded.source, added = excluded.added",
                (sentence_id, model, text, source, now()))
        return True

    def suggestions(self, sentence_id: int | None = None) -> list[dict[str, Any]]:
        """Suggestions as ``{sentence_id, model, label, source}``, by sentence then model."""
        sql = "SELECT sentence_id, model, label, source FROM suggestions"
        args: list[Any] = []
        if sentence_id is not None:
            sql += " WHERE sentence_id = ?"
            args.append(sentence_id)
        return [{"sentence_id": r[0], "model": r[1], "label": json.loads(r[2]), "source": r[3]}
                for r in self.conn.execute(sql + " ORDER BY sentence_id, model", args)]

    # -- the project's own model and its predictions ----------------------------------------------

    def save_project_model(self, codebook: str, n_labels: int, scores: dict[str, Any],
                           params: bytes, keep: int = 3) -> int:
        """Store a newly trained model for ``codebook``; returns its version (1, 2, …).
        Only the ``keep`` newest versions per codebook are kept (labels name their version)."""
        with self.transaction():
            row = self.conn.execute("SELECT MAX(version) FROM project_models WHERE codebook = ?",
                                    (codebook,)).fetchone()
            version = int(row[0] or 0) + 1
            self.conn.execute(
                "INSERT INTO project_models (codebook, version, trained, n_labels, scores, params)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (codebook, version, now(), n_labels, json.dumps(scores, ensure_ascii=False),
                 sqlite3.Binary(params)))
            self.conn.execute("DELETE FROM project_models WHERE codebook = ? AND version <= ?",
                              (codebook, version - keep))
        return version

    def project_model(self, codebook: str, with_params: bool = True) -> dict[str, Any] | None:
        """The newest model of ``codebook`` as ``{version, trained, n_labels, scores, params}``."""
        row = self.conn.execute(
            "SELECT version, trained, n_labels, scores"
            + (", params" if with_params else "")
            + " FROM project_models WHERE codebook = ? ORDER BY version DESC LIMIT 1",
            (codebook,)).fetchone()
        if row is None:
            return None
        out = {"version": row[0], "trained": row[1], "n_labels": row[2],
               "scores": json.loads(row[3])}
        if with_params:
            out["params"] = bytes(row[4])
        return out

    def replace_suggestions(self, model: str, rows: Iterable[tuple[int, dict[str, Any]]]) -> int:
        """Replace every suggestion of ``model`` with ``rows`` of (sentence id, label), in one
        transaction (a peer tool's suggestions, under other model names, stay)."""
        added = now()
        data = [(sid, model, json.dumps(label, sort_keys=True, ensure_ascii=False), None, added)
                for sid, label in rows]
        with self.transaction():
            self.conn.execute("DELETE FROM suggestions WHERE model = ?", (model,))
            self.conn.executemany(
                "INSERT INTO suggestions (sentence_id, model, label, source, added)"
                " VALUES (?, ?, ?, ?, ?)", data)
        return len(data)

    def suggestions_of(self, model: str, sentence_ids: Iterable[int] | None = None
                       ) -> dict[int, dict[str, Any]]:
        """``model``'s suggestions by sentence id (all, or those of ``sentence_ids``)."""
        out: dict[int, dict[str, Any]] = {}
        if sentence_ids is None:
            for sid, label in self.conn.execute(
                    "SELECT sentence_id, label FROM suggestions WHERE model = ?", (model,)):
                out[sid] = json.loads(label)
            return out
        ids = list(sentence_ids)
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            for sid, label in self.conn.execute(
                    "SELECT sentence_id, label FROM suggestions WHERE model = ? AND sentence_id IN"
                    f" ({','.join('?' * len(part))})", [model, *part]):
                out[sid] = json.loads(label)
        return out

    def article_suggestions(self, article_id: str) -> dict[int, dict[str, dict[str, Any]]]:
        """Every model's suggestion for the article's sentences: sentence id -> model -> label."""
        out: dict[int, dict[str, dict[str, Any]]] = {}
        for sid, model, label in self.conn.execute(
                "SELECT g.sentence_id, g.model, g.label FROM suggestions g JOIN sentences s"
                " ON s.id = g.sentence_id WHERE s.article_id = ?", (article_id,)):
            out.setdefault(sid, {})[model] = json.loads(label)
        return out

    def uncertain_unlabelled(self, model: str, annotator: str, limit: int = 1) -> list[int]:
        """Sentences ``annotator`` has not labelled, the model's least certain first."""
        return [r[0] for r in self.conn.execute(
            "SELECT g.sentence_id FROM suggestions g JOIN sentences s ON s.id = g.sentence_id"
            " WHERE g.model = ? AND s.boilerplate = 0 AND NOT EXISTS (SELECT 1 FROM labels l"
            " JOIN annotators a ON a.id = l.annotator_id WHERE l.sentence_id = g.sentence_id"
            " AND a.name = ?)"
            " ORDER BY json_extract(g.label, '$.uncertainty') DESC, g.sentence_id LIMIT ?",
            (model, annotator, limit))]

    def labelled_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(DISTINCT sentence_id) FROM labels").fetchone()[0])

    def sentence_units(self) -> list[tuple[int, str, str]]:
        """Every non-boilerplate sentence as (id, text, lang), by article and position."""
        return [(r[0], r[1], r[2]) for r in self.conn.execute(
            "SELECT id, text, lang FROM sentences WHERE boilerplate = 0 ORDER BY article_id, idx")]

    def sentence_mentions(self) -> dict[int, list[tuple[int, int, int]]]:
        """Linked mentions per sentence: sentence id -> [(start, end, target id)], offsets
        relative to the sentence."""
        out: dict[int, list[tuple[int, int, int]]] = {}
        for sid, start, end, tid in self.conn.execute(
                "SELECT s.id, m.start - s.start, m.end - s.start, m.target_id FROM mentions m"
                " JOIN sentences s ON s.article_id = m.article_id AND m.start >= s.start"
                " AND m.end <= s.end WHERE m.target_id IS NOT NULL ORDER BY s.id, m.start"):
            out.setdefault(sid, []).append((start, end, tid))
        return out


def check_stance(value: str) -> str:
    v = value.upper()
    if v not in STANCE_VALUES:
        raise ValueError(f"stance {value!r} is not one of {', '.join(STANCE_VALUES)}")
    return v


def exists(path: str | os.PathLike[str]) -> bool:
    return Path(path).exists()
