"""Opening refuses what is not a project without changing a byte of it; empty files need init."""
from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Callable

import pytest

from annotator import Project, ProjectError
from annotator.cli import main
from annotator.schema import APPLICATION_ID, SCHEMA_VERSION
from annotator.store import NotAProject, StoreError


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sqlite_file(path: Path, *statements: str, journal: str = "delete") -> Path:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    for sql in statements:
        conn.execute(sql)
    conn.close()
    return path


def random_db(tmp: Path) -> Path:
    return sqlite_file(tmp / "random.db", "CREATE TABLE x (a, b)", "INSERT INTO x VALUES (1, 2)")


def other_app_db(tmp: Path) -> Path:
    return sqlite_file(tmp / "other.db", "PRAGMA application_id = 1234",
                       "CREATE TABLE x (a)", "INSERT INTO x VALUES ('data')")


def empty_other_app_db(tmp: Path) -> Path:
    return sqlite_file(tmp / "empty-other.db", "PRAGMA application_id = 1234")


def version_1_without_meta(tmp: Path) -> Path:
    return sqlite_file(tmp / "v1.annot", f"PRAGMA application_id = {APPLICATION_ID}",
                       "PRAGMA user_version = 1", "CREATE TABLE articles (id)")


def wal_db_of_another_program(tmp: Path) -> Path:
    return sqlite_file(tmp / "walled.db", "PRAGMA application_id = 77", "CREATE TABLE t (a)",
                       journal="wal")


def text_file(tmp: Path) -> Path:
    path = tmp / "notes.annot"
    path.write_text("these are my notes, not a project\n" * 50, encoding="utf-8")
    return path


def truncated_project(tmp: Path) -> Path:
    path = tmp / "cut.annot"
    with Project.open(path) as p:
        folder = tmp / "in"
        folder.mkdir()
        for k in range(30):
            (folder / f"{k}.txt").write_text(f"Story {k}\n\n" + "A sentence here. " * 200,
                                             encoding="utf-8")
        p.import_files([folder], ner=False)
    data = path.read_bytes()
    assert not Path(f"{path}-wal").exists()
    path.write_bytes(data[: len(data) // 2])
    return path


REFUSED: dict[str, tuple[Callable[[Path], Path], str]] = {
    "random sqlite db": (random_db, "not an annotation project"),
    "other program's db": (other_app_db, "another program"),
    "empty db of another program": (empty_other_app_db, "another program"),
    "version 1 without meta": (version_1_without_meta, "damaged or not a project"),
    "wal db of another program": (wal_db_of_another_program, "another program"),
    "text file": (text_file, "not a project file"),
    "truncated project": (truncated_project, "damaged or cut short"),
}


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_files_that_are_not_projects_are_refused_unchanged(kind: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    make, message = REFUSED[kind]
    path = make(tmp_path)
    before, beside = digest(path), sorted(os.listdir(tmp_path))
    for create in (True, False):
        with pytest.raises(NotAProject, match=message) as info:
            Project.open(path, create=create)
        assert isinstance(info.value, (StoreError, ProjectError))
    for command in (["stats", str(path)], ["import", str(path), str(tmp_path / "none.txt")],
                    ["init", str(path)], ["backup", str(path)]):
        assert main(command) == 1
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, err
    assert digest(path) == before  # not a byte changed (WAL would change bytes 18-19)
    assert sorted(os.listdir(tmp_path)) == beside  # no -wal, -shm or backups folder left


def test_an_empty_file_is_a_project_only_for_init(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.annot"
    path.touch()
    assert main(["stats", str(path)]) == 1
    assert "empty file, not a project; make it one with 'annotator init" in capsys.readouterr().err
    with pytest.raises(NotAProject, match="empty file"):
        Project.open(path, create=False)
    assert path.stat().st_size == 0
    assert main(["init", str(path)]) == 0
    with Project.open(path, create=False) as p:
        assert p.store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert p.codebook.name == "pfc"


def test_an_empty_sqlite_database_is_like_an_empty_file(tmp_path: Path) -> None:
    path = sqlite_file(tmp_path / "blank.annot", "VACUUM")
    before = digest(path)
    with pytest.raises(NotAProject, match="empty file"):
        Project.open(path, create=False)
    assert digest(path) == before
    Project.open(path).close()
    with Project.open(path, create=False) as p:
        assert p.articles() == []


def test_a_missing_file_is_created_only_where_asked(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no such project file"):
        Project.open(tmp_path / "nope.annot", create=False)
    assert not (tmp_path / "nope.annot").exists()
    Project.open(tmp_path / "new.annot").close()
    assert (tmp_path / "new.annot").stat().st_size > 0


def test_opening_a_project_twice_in_one_process_keeps_both_working(tmp_path: Path) -> None:
    """The probe of the second open must not drop the first connection's locks."""
    path = tmp_path / "p.annot"
    (tmp_path / "a.txt").write_text("Title\n\nOne sentence. Two sentences.", encoding="utf-8")
    first = Project.open(path)
    first.import_files([tmp_path / "a.txt"], ner=False)
    sid = first.sentences(first.articles()[0].id)[1].id
    second = Project.open(path, create=False)
    first.set_label(sid, "alice", frames=["economic"])
    assert second.label(sid, "alice") is not None
    second.set_label(sid, "bob", frames=["political"])
    assert first.label(sid, "bob") is not None
    first.close()
    second.close()
