"""The project file's schema and its step-by-step migrations (``PRAGMA user_version``)."""
from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass
from typing import Callable, ContextManager

#: The newest schema this code knows. Bump it by adding ``_upgrade_to_N`` below and a fixture
#: file of the previous version under ``tests/data/`` with a test that upgrades it.
SCHEMA_VERSION = 5

#: Written into ``PRAGMA application_id`` so other SQLite files are recognised as "not a project".
APPLICATION_ID = 0x4E534641  # "NSFA": news stance & framing annotator


class SchemaError(Exception):
    """The file is not a project file, or was written by a newer version of the program."""


_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE articles (
    id         TEXT PRIMARY KEY,          -- content hash of the normalised text
    title      TEXT NOT NULL,
    outlet     TEXT,
    date       TEXT,
    url        TEXT,
    lang       TEXT NOT NULL,
    text       TEXT NOT NULL,
    source     TEXT,
    meta       TEXT NOT NULL DEFAULT '{}',
    n_sentences INTEGER NOT NULL DEFAULT 0,
    n_units    INTEGER NOT NULL DEFAULT 0, -- sentences that are not boilerplate
    added      TEXT NOT NULL
);
CREATE TABLE sentences (
    id          INTEGER PRIMARY KEY,
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    text        TEXT NOT NULL,
    lang        TEXT NOT NULL,
    boilerplate INTEGER NOT NULL DEFAULT 0,
    UNIQUE (article_id, idx)
);
CREATE TABLE targets (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL,
    kind   TEXT NOT NULL,
    pinned INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE target_aliases (
    target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    alias     TEXT NOT NULL,
    PRIMARY KEY (target_id, alias)
);
CREATE TABLE mentions (
    id         INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start      INTEGER NOT NULL,
    end        INTEGER NOT NULL,
    label      TEXT NOT NULL,
    raw_label  TEXT,
    text       TEXT NOT NULL,
    normal     TEXT,
    origin     TEXT NOT NULL,
    target_id  INTEGER REFERENCES targets(id) ON DELETE SET NULL
);
CREATE INDEX mentions_article ON mentions (article_id, start);
CREATE INDEX mentions_target ON mentions (target_id);
CREATE TABLE annotators (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    kind    TEXT NOT NULL DEFAULT 'human',  -- 'human' or 'gold' (adjudicated labels)
    created TEXT NOT NULL
);
CREATE TABLE labels (
    sentence_id  INTEGER NOT NULL REFERENCES sentences(id) ON DELETE CASCADE,
    annotator_id INTEGER NOT NULL REFERENCES annotators(id),
    frames       TEXT NOT NULL DEFAULT '[]',   -- JSON list of codebook frame ids
    irrelevant   INTEGER NOT NULL DEFAULT 0,
    note         TEXT NOT NULL DEFAULT '',
    created      TEXT NOT NULL,
    updated      TEXT NOT NULL,
    decided_by   TEXT,                          -- for gold labels: who adjudicated
    PRIMARY KEY (sentence_id, annotator_id)
);
CREATE INDEX labels_annotator ON labels (annotator_id);
CREATE TABLE stances (
    sentence_id  INTEGER NOT NULL,
    annotator_id INTEGER NOT NULL,
    target_id    INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    value        TEXT NOT NULL CHECK (value IN ('AGAINST', 'NEUTRAL', 'FAVOR')),
    PRIMARY KEY (sentence_id, annotator_id, target_id),
    FOREIGN KEY (sentence_id, annotator_id) REFERENCES labels (sentence_id, annotator_id)
        ON DELETE CASCADE
);
CREATE INDEX stances_target ON stances (target_id);
CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    ts        TEXT NOT NULL,
    annotator TEXT NOT NULL,
    action    TEXT NOT NULL,
    summary   TEXT NOT NULL DEFAULT '',
    changes   TEXT NOT NULL,              -- JSON list of row changes: table, key, before, after
    undone    INTEGER NOT NULL DEFAULT 0  -- 0 live, 1 undone (redoable), 2 undone and superseded
);
CREATE INDEX events_annotator ON events (annotator, undone, id);
"""


def _upgrade_to_1(conn: sqlite3.Connection) -> None:
    for statement in _V1.split(";"):
        if statement.strip():
            conn.execute(statement)


_V2 = """
CREATE TABLE suggestions (
    id          INTEGER PRIMARY KEY,
    sentence_id INTEGER NOT NULL REFERENCES sentences(id) ON DELETE CASCADE,
    model       TEXT NOT NULL,             -- the tool's model_version, or the tool's name
    label       TEXT NOT NULL,             -- JSON: stance (target id -> value), frames, irrelevant
    source      TEXT,                      -- file it was imported from
    added       TEXT NOT NULL,
    UNIQUE (sentence_id, model)
);
"""


def _upgrade_to_2(conn: sqlite3.Connection) -> None:
    """Model suggestions (a peer tool's predictions): kept apart from annotators' labels."""
    for statement in _V2.split(";"):
        if statement.strip():
            conn.execute(statement)


# Counts kept up to date by triggers, so ``stats`` and the window's filters never count 3M rows.
# ``counts``: (name, key) -> n. Names: sentences, boilerplate and labelled_sentences (key '';
# sentences with at least one human label), lang and mention_label (key: the language, the
# entity label; their sums are the articles and the mentions: one upsert less per row), outlet (key: the outlet) and no_outlet (articles
# without one), labels (key: the annotator id, an integer), units (key '': the sum of the
# articles' n_units) and units_labelled (key: the annotator id; their labels on sentences that
# are not boilerplate: the window's progress), target_mentions (key: the target id; the targets
# panel's mention counts). Triggers fire for every writer (the
# store, merges, foreign-key cascades, the bench generator), so the counts cannot drift; a row
# whose count fell to 0 stays (readers skip n = 0).
_V3 = """
CREATE TABLE counts (
    name TEXT NOT NULL,
    key  NOT NULL,
    n    INTEGER NOT NULL,
    PRIMARY KEY (name, key)
) WITHOUT ROWID;
CREATE TRIGGER counts_article_insert AFTER INSERT ON articles BEGIN
    INSERT INTO counts VALUES ('units', '', NEW.n_units) ON CONFLICT DO UPDATE SET n = n + NEW.n_units;
    INSERT INTO counts VALUES ('lang', NEW.lang, 1) ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO counts VALUES (iif(NEW.outlet IS NULL, 'no_outlet', 'outlet'),
        coalesce(NEW.outlet, ''), 1) ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER counts_article_delete AFTER DELETE ON articles BEGIN
    UPDATE counts SET n = n - OLD.n_units WHERE name = 'units' AND key = '';
    UPDATE counts SET n = n - 1 WHERE name = 'lang' AND key = OLD.lang;
    UPDATE counts SET n = n - 1 WHERE name = iif(OLD.outlet IS NULL, 'no_outlet', 'outlet')
        AND key = coalesce(OLD.outlet, '');
END;
CREATE TRIGGER counts_article_update AFTER UPDATE OF lang, outlet ON articles BEGIN
    UPDATE counts SET n = n - 1 WHERE name = 'lang' AND key = OLD.lang;
    INSERT INTO counts VALUES ('lang', NEW.lang, 1) ON CONFLICT DO UPDATE SET n = n + 1;
    UPDATE counts SET n = n - 1 WHERE name = iif(OLD.outlet IS NULL, 'no_outlet', 'outlet')
        AND key = coalesce(OLD.outlet, '');
    INSERT INTO counts VALUES (iif(NEW.outlet IS NULL, 'no_outlet', 'outlet'),
        coalesce(NEW.outlet, ''), 1) ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER counts_article_units AFTER UPDATE OF n_units ON articles BEGIN
    INSERT INTO counts VALUES ('units', '', NEW.n_units - OLD.n_units)
        ON CONFLICT DO UPDATE SET n = n + NEW.n_units - OLD.n_units;
END;
CREATE TRIGGER counts_sentence_insert AFTER INSERT ON sentences BEGIN
    INSERT INTO counts VALUES ('sentences', '', 1) ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO counts SELECT 'boilerplate', '', 1 WHERE NEW.boilerplate = 1
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER counts_sentence_delete AFTER DELETE ON sentences BEGIN
    UPDATE counts SET n = n - 1 WHERE name = 'sentences' AND key = '';
    UPDATE counts SET n = n - 1 WHERE name = 'boilerplate' AND key = '' AND OLD.boilerplate = 1;
END;
CREATE TRIGGER counts_sentence_update AFTER UPDATE OF boilerplate ON sentences
WHEN (OLD.boilerplate = 1) IS NOT (NEW.boilerplate = 1) BEGIN
    UPDATE counts SET n = n - 1 WHERE name = 'boilerplate' AND key = '' AND OLD.boilerplate = 1;
    INSERT INTO counts SELECT 'boilerplate', '', 1 WHERE NEW.boilerplate = 1
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER counts_sentence_units AFTER UPDATE OF boilerplate ON sentences
WHEN (OLD.boilerplate = 0) IS NOT (NEW.boilerplate = 0) BEGIN
    INSERT INTO counts SELECT 'units_labelled', annotator_id, iif(NEW.boilerplate = 0, 1, -1)
        FROM labels WHERE sentence_id = NEW.id
        ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER counts_mention_insert AFTER INSERT ON mentions BEGIN
    INSERT INTO counts VALUES ('mention_label', NEW.label, 1) ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO counts SELECT 'target_mentions', NEW.target_id, 1 WHERE NEW.target_id IS NOT NULL
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER counts_mention_delete AFTER DELETE ON mentions BEGIN
    UPDATE counts SET n = n - 1 WHERE name = 'mention_label' AND key = OLD.label;
    UPDATE counts SET n = n - 1 WHERE name = 'target_mentions' AND key = OLD.target_id;
END;
CREATE TRIGGER counts_mention_target AFTER UPDATE OF target_id ON mentions
WHEN OLD.target_id IS NOT NEW.target_id BEGIN
    UPDATE counts SET n = n - 1 WHERE name = 'target_mentions' AND key = OLD.target_id;
    INSERT INTO counts SELECT 'target_mentions', NEW.target_id, 1 WHERE NEW.target_id IS NOT NULL
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER counts_mention_update AFTER UPDATE OF label ON mentions BEGIN
    UPDATE counts SET n = n - 1 WHERE name = 'mention_label' AND key = OLD.label;
    INSERT INTO counts VALUES ('mention_label', NEW.label, 1) ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER counts_label_insert AFTER INSERT ON labels BEGIN
    INSERT INTO counts VALUES ('labels', NEW.annotator_id, 1) ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO counts SELECT 'units_labelled', NEW.annotator_id, 1
        WHERE (SELECT boilerplate FROM sentences WHERE id = NEW.sentence_id) = 0
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO counts SELECT 'labelled_sentences', '', 1
        WHERE (SELECT kind FROM annotators WHERE id = NEW.annotator_id) = 'human'
        AND NOT EXISTS (SELECT 1 FROM labels l JOIN annotators a ON a.id = l.annotator_id
                        WHERE l.sentence_id = NEW.sentence_id AND l.rowid <> NEW.rowid
                        AND a.kind = 'human')
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER counts_label_delete AFTER DELETE ON labels BEGIN
    UPDATE counts SET n = n - 1 WHERE name = 'labels' AND key = OLD.annotator_id;
    UPDATE counts SET n = n - 1 WHERE name = 'units_labelled' AND key = OLD.annotator_id
        AND (SELECT boilerplate FROM sentences WHERE id = OLD.sentence_id) = 0;
    UPDATE counts SET n = n - 1 WHERE name = 'labelled_sentences' AND key = ''
        AND (SELECT kind FROM annotators WHERE id = OLD.annotator_id) = 'human'
        AND NOT EXISTS (SELECT 1 FROM labels l JOIN annotators a ON a.id = l.annotator_id
                        WHERE l.sentence_id = OLD.sentence_id AND a.kind = 'human');
END;
CREATE TRIGGER counts_label_unkey BEFORE UPDATE OF sentence_id, annotator_id ON labels
WHEN OLD.sentence_id IS NOT NEW.sentence_id OR OLD.annotator_id IS NOT NEW.annotator_id BEGIN
    UPDATE counts SET n = n - 1 WHERE name = 'labels' AND key = OLD.annotator_id;
    UPDATE counts SET n = n - 1 WHERE name = 'units_labelled' AND key = OLD.annotator_id
        AND (SELECT boilerplate FROM sentences WHERE id = OLD.sentence_id) = 0;
    UPDATE counts SET n = n - 1 WHERE name = 'labelled_sentences' AND key = ''
        AND (SELECT kind FROM annotators WHERE id = OLD.annotator_id) = 'human'
        AND NOT EXISTS (SELECT 1 FROM labels l JOIN annotators a ON a.id = l.annotator_id
                        WHERE l.sentence_id = OLD.sentence_id AND l.rowid <> OLD.rowid
                        AND a.kind = 'human');
END;
CREATE TRIGGER counts_label_rekey AFTER UPDATE OF sentence_id, annotator_id ON labels
WHEN OLD.sentence_id IS NOT NEW.sentence_id OR OLD.annotator_id IS NOT NEW.annotator_id BEGIN
    INSERT INTO counts VALUES ('labels', NEW.annotator_id, 1) ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO counts SELECT 'units_labelled', NEW.annotator_id, 1
        WHERE (SELECT boilerplate FROM sentences WHERE id = NEW.sentence_id) = 0
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO counts SELECT 'labelled_sentences', '', 1
        WHERE (SELECT kind FROM annotators WHERE id = NEW.annotator_id) = 'human'
        AND NOT EXISTS (SELECT 1 FROM labels l JOIN annotators a ON a.id = l.annotator_id
                        WHERE l.sentence_id = NEW.sentence_id AND l.rowid <> NEW.rowid
                        AND a.kind = 'human')
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
INSERT INTO counts SELECT 'lang', lang, count(*) FROM articles GROUP BY lang;
INSERT INTO counts SELECT 'outlet', outlet, count(*) FROM articles WHERE outlet IS NOT NULL
    GROUP BY outlet;
INSERT INTO counts SELECT 'no_outlet', '', count(*) FROM articles WHERE outlet IS NULL;
INSERT INTO counts SELECT 'sentences', '', count(*) FROM sentences;
INSERT INTO counts SELECT 'boilerplate', '', count(*) FROM sentences WHERE boilerplate = 1;
INSERT INTO counts SELECT 'mention_label', label, count(*) FROM mentions GROUP BY label;
INSERT INTO counts SELECT 'target_mentions', target_id, count(*) FROM mentions
    WHERE target_id IS NOT NULL GROUP BY target_id;
INSERT INTO counts SELECT 'labels', annotator_id, count(*) FROM labels GROUP BY annotator_id;
INSERT INTO counts SELECT 'labelled_sentences', '', count(DISTINCT l.sentence_id) FROM labels l
    JOIN annotators a ON a.id = l.annotator_id WHERE a.kind = 'human';
INSERT INTO counts SELECT 'units', '', coalesce(sum(n_units), 0) FROM articles;
INSERT INTO counts SELECT 'units_labelled', l.annotator_id, count(*) FROM labels l
    JOIN sentences s ON s.id = l.sentence_id WHERE s.boilerplate = 0 GROUP BY l.annotator_id;
"""


def _upgrade_to_3(conn: sqlite3.Connection) -> None:
    """Counts kept by triggers (``stats`` and the window's filters read them, not 3M rows)."""
    _run_script(conn, _V3)


_V4 = """
CREATE TABLE project_models (
    id       INTEGER PRIMARY KEY,
    codebook TEXT NOT NULL,                -- the codebook's name: a model per codebook
    version  INTEGER NOT NULL,             -- 1, 2, ... per codebook
    trained  TEXT NOT NULL,
    n_labels INTEGER NOT NULL,             -- training size (labelled sentences)
    scores   TEXT NOT NULL,                -- JSON: cross-validated F1, learning curve, timing
    params   BLOB NOT NULL,                -- the fitted model as numpy arrays (npz, no pickle)
    UNIQUE (codebook, version)
);
ALTER TABLE labels ADD COLUMN suggestion TEXT
"""
# labels.suggestion is JSON: the model suggestion the label accepted (provenance), else NULL.
# (No SQL comment after ADD COLUMN: SQLite appends the text to the table's CREATE statement.)


def _upgrade_to_4(conn: sqlite3.Connection) -> None:
    """The project's own model (trained from its labels) and labels' suggestion provenance."""
    for statement in _V4.split(";"):
        if statement.strip():
            conn.execute(statement)


# v5: the label votes of the targets (what an import with NER reads when it starts linking:
# a GROUP BY over every linked mention took 8.4 s on a 3M-mention project, and it was read
# again whenever another process had written meanwhile) kept in counts by triggers, keyed by
# json_array(target_id, label, raw_label, origin).
_VOTE_KEY = "json_array({0}.target_id, {0}.label, {0}.raw_label, {0}.origin)"
_V5 = f"""
CREATE TRIGGER counts_vote_insert AFTER INSERT ON mentions WHEN NEW.target_id IS NOT NULL BEGIN
    INSERT INTO counts VALUES ('vote', {_VOTE_KEY.format("NEW")}, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER counts_vote_delete AFTER DELETE ON mentions WHEN OLD.target_id IS NOT NULL BEGIN
    UPDATE counts SET n = n - 1 WHERE name = 'vote' AND key = {_VOTE_KEY.format("OLD")};
END;
CREATE TRIGGER counts_vote_update AFTER UPDATE OF target_id, label, raw_label, origin ON mentions
BEGIN
    UPDATE counts SET n = n - 1 WHERE name = 'vote' AND key = {_VOTE_KEY.format("OLD")}
        AND OLD.target_id IS NOT NULL;
    INSERT INTO counts SELECT 'vote', {_VOTE_KEY.format("NEW")}, 1 WHERE NEW.target_id IS NOT NULL
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
INSERT INTO counts SELECT 'vote', {_VOTE_KEY.format("mentions")}, count(*) FROM mentions
    WHERE target_id IS NOT NULL GROUP BY 2;
DROP INDEX mentions_article;
CREATE INDEX mentions_article ON mentions (article_id, start, end, target_id);
"""
# The index of an article's mentions now holds their end and target too: the review's scan of
# labelled sentences with the targets mentioned in them reads only the index (3.4 -> 1.2 s for
# 1M labelled sentences and 3M mentions); the rebuild takes 3.3 s there, once.


def _upgrade_to_5(conn: sqlite3.Connection) -> None:
    """Label votes kept by triggers; the mentions' article index covers the review's scan."""
    _run_script(conn, _V5)


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    for statement in _statements(script):
        conn.execute(statement)


def _statements(script: str) -> list[str]:
    out, statement = [], ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            out.append(statement)
            statement = ""
    assert not statement.strip(), "incomplete statement"
    return out


#: A fingerprint of every version's statements: what was made with one schema (a cached bench
#: project) is known to be out of date when a version's statements change during development.
SCHEMA_DIGEST = hashlib.sha1("".join((_V1, _V2, _V3, _V4, _V5)).encode()).hexdigest()[:8]

#: The statements that fill the counts table from the tables (a recount checks the kept ones).
COUNT_FILLS: tuple[str, ...] = tuple(
    st for script in (_V3, _V5) for st in _statements(script)
    if st.strip().startswith("INSERT INTO counts"))


_UPGRADES: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _upgrade_to_1, 2: _upgrade_to_2, 3: _upgrade_to_3, 4: _upgrade_to_4, 5: _upgrade_to_5}

#: The tables a file of each schema version must have (a file missing one is damaged or foreign).
TABLES: dict[int, frozenset[str]] = {1: frozenset(re.findall(r"CREATE TABLE (\w+)", _V1))}
TABLES[2] = TABLES[1] | frozenset(re.findall(r"CREATE TABLE (\w+)", _V2))
TABLES[3] = TABLES[2] | frozenset(re.findall(r"CREATE TABLE (\w+)", _V3))
TABLES[4] = TABLES[3] | frozenset(re.findall(r"CREATE TABLE (\w+)", _V4))
TABLES[5] = TABLES[4]


@dataclass(frozen=True)
class Header:
    """What an SQLite file says about itself: the fields that tell a project from anything else."""

    user_version: int
    application_id: int
    tables: frozenset[str]

    @property
    def blank(self) -> bool:
        """An SQLite database with nothing in it (or a zero-length file): no tables, no ids."""
        return not self.tables and self.user_version == 0 and self.application_id == 0


def read_header(conn: sqlite3.Connection) -> Header:
    """Read the identifying fields through ``conn`` (only reads: nothing is written).

    One statement, so one snapshot: read one by one, another process's commit in between could
    show the tables of a new project without its version."""
    version, app_id, names = conn.execute(
        "SELECT (SELECT user_version FROM pragma_user_version),"
        " (SELECT application_id FROM pragma_application_id),"
        " (SELECT group_concat(name, char(10)) FROM sqlite_master WHERE type = 'table')"
    ).fetchone()
    return Header(int(version), int(app_id), frozenset(names.split("\n")) if names else frozenset())


def check_header(header: Header, path: str, create: bool) -> None:
    """Refuse (:class:`SchemaError`) anything that is not a project this code can open.

    A blank database becomes a project only when ``create`` is true (``annotator init`` and the
    commands that create a missing file); for the others it is refused, like a mistyped name.
    """
    if header.blank:
        if not create:
            raise SchemaError(f"{path} is an empty file, not a project; make it one with "
                              f"'annotator init {path}'. The file was not changed.")
        return
    if header.application_id not in (0, APPLICATION_ID):
        raise SchemaError(f"{path} is an SQLite database of another program (application id "
                          f"{header.application_id:#x}), not a project. The file was not changed.")
    if header.user_version > SCHEMA_VERSION:
        raise SchemaError(
            f"{path} was written by a newer version of the annotator (schema version "
            f"{header.user_version}; this program knows up to {SCHEMA_VERSION}). Update the "
            "program to open it; the file was not changed.")
    if header.user_version == 0:
        raise SchemaError(f"{path} is an SQLite database but not an annotation project. "
                          "The file was not changed.")
    missing = sorted(TABLES[header.user_version] - header.tables)
    if missing:
        raise SchemaError(
            f"{path} says it is a project (schema version {header.user_version}) but has no "
            f"{', '.join(missing)} table{'s' if len(missing) > 1 else ''}: it is damaged or not a "
            "project. The file was not changed; restore a backup ('annotator backups').")


def migrate(conn: sqlite3.Connection, path: str,
            transaction: Callable[[], ContextManager[None]], create: bool = False,
            before_upgrade: Callable[[int], None] | None = None) -> int:
    """Bring the file up to :data:`SCHEMA_VERSION`, one version per write transaction.

    ``transaction`` is the store's (``BEGIN IMMEDIATE``): the version is read again after the
    write lock is held, so two processes opening (or creating) one file at once upgrade it once.
    ``before_upgrade(version)`` runs first when an existing project is about to be upgraded (the
    store makes a backup there). Returns the version the file had before. Raises
    :class:`SchemaError` for a file this code must not open (see :func:`check_header`).
    """
    start = read_header(conn)
    check_header(start, path, create)
    if before_upgrade is not None and 0 < start.user_version < SCHEMA_VERSION:
        before_upgrade(start.user_version)
    if start.user_version == SCHEMA_VERSION:
        return start.user_version  # nothing to write (and a read-only file still opens)
    while True:
        with transaction():
            header = read_header(conn)
            check_header(header, path, create)  # another process may have changed it
            version = header.user_version
            if version >= SCHEMA_VERSION:
                return start.user_version
            # A new project is made at the current version in one transaction: no other process
            # may ever see it half-made (at an old version it would then try to upgrade).
            last = SCHEMA_VERSION if version == 0 else version + 1
            for step in range(version + 1, last + 1):
                _UPGRADES[step](conn)
            conn.execute(f"PRAGMA user_version = {last}")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
