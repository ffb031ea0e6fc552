"""Backups: verified copies beside the project, kept by policy, listed, restored through SQLite."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from annotator import Project
from annotator import backup as backups
from annotator.cli import main
from annotator.store import StoreError

from test_disk_full import fill, tiny_disk  # noqa: F401  (the tmpfs fixture)

ROOT = Path(__file__).resolve().parents[2]


def labelled(path: Path) -> tuple[Project, int]:
    (path.parent / "a.txt").write_text("Title\n\nOne sentence here. Another one there.",
                                       encoding="utf-8")
    p = Project.open(path)
    assert p.import_files([path.parent / "a.txt"], ner=False).ok
    sid = p.sentences(p.articles()[0].id)[1].id
    p.set_label(sid, "alice", frames=["economic"])
    return p, sid


def test_backup_now_list_and_restore(tmp_path: Path) -> None:
    p, sid = labelled(tmp_path / "study.annot")
    made = p.backup_now()
    assert made.path.parent == tmp_path / "study.annot.backups"
    assert made.path.name.startswith("study-") and made.path.suffix == ".annot"
    check = sqlite3.connect(f"{made.path.as_uri()}?mode=ro", uri=True)
    assert check.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    check.close()
    assert [b.path for b in p.list_backups()] == [made.path]
    p.set_label(sid, "alice", frames=["political"])
    other = Project.open(p.path, create=False)  # another connection stays open meanwhile
    safety = p.restore_backup(made.path.name)
    assert safety.reason == "before-restore"
    assert p.label(sid, "alice").frames == ["economic"]  # type: ignore[union-attr]
    assert other.label(sid, "alice").frames == ["economic"]  # type: ignore[union-attr]
    p.set_label(sid, "bob", frames=["legality"])  # the project works on after a restore
    p.restore_backup(safety.path)  # and the restore itself can be undone
    assert p.label(sid, "alice").frames == ["political"]  # type: ignore[union-attr]
    assert p.label(sid, "bob") is None
    other.close()
    p.close()


def test_cli_backup_backups_restore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p, sid = labelled(tmp_path / "p.annot")
    p.close()
    assert main(["backup", str(tmp_path / "p.annot")]) == 0
    assert "verified" in capsys.readouterr().out
    assert main(["backups", str(tmp_path / "p.annot"), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 1 and listed[0]["reason"] == ""
    with Project.open(tmp_path / "p.annot") as q:
        q.set_label(sid, "alice", frames=["political"])
    assert main(["restore", str(tmp_path / "p.annot"), listed[0]["name"]]) == 0
    with Project.open(tmp_path / "p.annot") as q:
        assert q.label(sid, "alice").frames == ["economic"]  # type: ignore[union-attr]
    assert main(["restore", str(tmp_path / "p.annot"), "nonesuch.annot"]) == 1
    assert "no such backup" in capsys.readouterr().err


def test_restore_refuses_a_file_that_is_not_a_project(tmp_path: Path) -> None:
    p, sid = labelled(tmp_path / "p.annot")
    junk = tmp_path / "junk.annot"
    junk.write_text("not a backup", encoding="utf-8")
    with pytest.raises(StoreError, match="not a project file"):
        p.restore_backup(junk)
    assert p.label(sid, "alice") is not None
    p.close()


def test_prune_keeps_the_last_ten_and_one_a_day_for_a_week(tmp_path: Path) -> None:
    project = tmp_path / "p.annot"
    folder = backups.backup_folder(project)
    folder.mkdir()
    now = datetime(2026, 5, 9, 12, 0, 0)
    names = []
    for hours in range(0, 24 * 10, 6):  # every 6 hours for 10 days
        taken = now - timedelta(hours=hours)
        names.append(f"p-{taken:%Y%m%d-%H%M%S}.annot")
        (folder / names[-1]).write_bytes(b"x")
    (folder / "p-20260101-000000-before-restore.annot").write_bytes(b"x")
    (folder / "unrelated.txt").write_bytes(b"x")
    backups.prune(project, now=now)
    kept = sorted(f.name for f in folder.iterdir())
    newest_ten = names[:10]
    daily = {f"p-{(now - timedelta(days=d)):%Y%m%d}" for d in range(7)}
    expected = set(newest_ten) | {max(n for n in names if n.startswith(day)) for day in daily}
    expected |= {"p-20260101-000000-before-restore.annot", "unrelated.txt"}
    assert kept == sorted(expected)


def test_maybe_backup_is_due_by_interval_and_changes(tmp_path: Path) -> None:
    p, sid = labelled(tmp_path / "p.annot")
    first = p.maybe_backup(interval=3600)
    assert first is not None
    assert p.maybe_backup(interval=3600) is None  # recent
    assert p.maybe_backup(interval=0) is None  # nothing written since
    p.set_label(sid, "alice", frames=["political"])
    second = p.maybe_backup(interval=0)
    assert second is not None and second.path != first.path
    assert len(p.list_backups()) == 2
    p.close()
    empty = Project.open(tmp_path / "empty.annot")
    assert empty.maybe_backup(interval=0) is None  # nothing to lose yet
    empty.close()


def test_open_with_backup_and_import_make_automatic_backups(tmp_path: Path) -> None:
    p, _ = labelled(tmp_path / "p.annot")
    p.close()
    with Project.open(tmp_path / "p.annot", backup=True) as q:
        assert len(q.list_backups()) == 1 and q.backup_error is None
        (tmp_path / "b.txt").write_text("Other\n\nMore text. Even more.", encoding="utf-8")
        q.import_files([tmp_path / "b.txt"], ner=False)
        assert len(q.list_backups()) == 1  # the one from the open is recent enough


def test_a_failed_backup_on_a_full_disk_leaves_nothing(tiny_disk: Path) -> None:  # noqa: F811
    p, sid = labelled(tiny_disk / "p.annot")
    filler = fill(tiny_disk, 0)
    with pytest.raises(StoreError, match="full.*the backup was not made"):
        p.backup_now()
    folder = backups.backup_folder(p.path)
    assert not folder.exists() or list(folder.iterdir()) == []
    assert p.backup_error is None and p.maybe_backup_quietly(interval=0) is None
    assert p.backup_error is not None and "full" in p.backup_error
    filler.unlink()
    assert p.backup_now().path.is_file()
    assert p.label(sid, "alice") is not None
    p.close()


def test_a_killed_backup_leaves_only_a_partial_that_the_next_one_removes(tmp_path: Path) -> None:
    p, _ = labelled(tmp_path / "p.annot")
    folder = backups.backup_folder(p.path)
    folder.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = folder / f".p-20260101-000000.annot.{dead.pid}.partial"
    stale.write_bytes(b"half a backup")
    p.backup_now()
    assert not stale.exists()
    assert [f.name for f in folder.iterdir() if f.name.endswith(".partial")] == []
    p.close()


def test_backup_before_a_schema_upgrade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator import schema

    p, sid = labelled(tmp_path / "p.annot")
    p.close()
    # A pretend next version (one more table), to see the backup taken before upgrading.
    v = schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "SCHEMA_VERSION", v + 1)
    monkeypatch.setitem(schema._UPGRADES, v + 1, lambda c: c.execute("CREATE TABLE extra (a)"))
    monkeypatch.setitem(schema.TABLES, v + 1, schema.TABLES[v] | {"extra"})
    with Project.open(tmp_path / "p.annot") as q:
        assert q.store.conn.execute("PRAGMA user_version").fetchone()[0] == v + 1
        found = q.list_backups()
        assert [b.reason for b in found] == [f"before-upgrade-v{v}"]
    old = sqlite3.connect(f"{found[0].path.as_uri()}?mode=ro", uri=True)
    assert old.execute("PRAGMA user_version").fetchone()[0] == v
    old.close()



@pytest.mark.parametrize("when", ["before", "during"])
def test_an_interrupted_upgrade_leaves_the_file_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    """``Project.open(interrupt=...)`` (the window's Cancel): true once the backup is made, or
    in the middle of an upgrade's statements, the upgrade is undone and the file stays at its
    version, whole; opening it later upgrades it."""
    from annotator import schema
    from annotator.errors import ProjectError

    p, _ = labelled(tmp_path / "p.annot")
    p.close()
    v = schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "SCHEMA_VERSION", v + 1)
    slow = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)"
            " SELECT count(*) FROM n")
    monkeypatch.setitem(schema._UPGRADES, v + 1, lambda c: (c.execute("CREATE TABLE extra (a)"),
                                                            c.execute(slow).fetchone()))
    monkeypatch.setitem(schema.TABLES, v + 1, schema.TABLES[v] | {"extra"})
    calls = []

    def interrupt() -> bool:
        calls.append(1)  # asked once after the backup, then every 1,000 steps of SQLite's
        return when == "before" or len(calls) > 3

    with pytest.raises(ProjectError, match="the upgrade was cancelled; the file is as it was"):
        Project.open(tmp_path / "p.annot", interrupt=interrupt)
    db = sqlite3.connect(tmp_path / "p.annot")
    assert db.execute("PRAGMA user_version").fetchone()[0] == v
    assert not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'extra'").fetchone()
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    with Project.open(tmp_path / "p.annot") as q:  # no interrupt: upgraded
        assert q.store.conn.execute("PRAGMA user_version").fetchone()[0] == v + 1


MERGE_AND_DIE = """
import os, signal, sys
from annotator import Project
from annotator.merge import merge_project
def progress(done, total, message):
    if done >= 3:
        os.kill(os.getpid(), signal.SIGKILL)  # killed mid-merge
with Project.open(sys.argv[1]) as p:
    merge_project(p, sys.argv[2], progress=progress)
"""


def test_a_killed_merge_leaves_nothing_in_the_temp_folder(tmp_path: Path) -> None:
    import hashlib

    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(10):
        (folder / f"{k}.txt").write_text(f"Story {k}\n\nFirst here. Second there.",
                                         encoding="utf-8")
    with Project.open(tmp_path / "theirs.annot") as t:
        t.import_files([folder], ner=False)
        for a in t.articles():
            t.set_label(t.sentences(a.id)[1].id, "carol", frames=["economic"])
    with Project.open(tmp_path / "ours.annot") as o:
        o.import_files([folder], ner=False)
    theirs = tmp_path / "theirs.annot"
    before = hashlib.sha256(theirs.read_bytes()).hexdigest()
    private = tmp_path / "tmp"
    private.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(private)}
    done = subprocess.run([sys.executable, "-c", MERGE_AND_DIE, str(tmp_path / "ours.annot"),
                           str(theirs)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert list(private.iterdir()) == []
    assert hashlib.sha256(theirs.read_bytes()).hexdigest() == before
    assert sorted(f.name for f in tmp_path.iterdir() if f.name.startswith("theirs")) == [
        "theirs.annot"]  # no -wal or -shm left beside the other annotator's file
    with Project.open(tmp_path / "ours.annot", create=False) as o:
        merged = len(o.labels(annotator="carol"))
    assert 3 <= merged < 10  # what was merged before the kill is kept, nothing half-written
