"""A full disk: one clear StoreError, the failed change not saved, everything before kept.

Two ways to fill the disk: a real 2 MB tmpfs (needs root and permission to mount; skipped with
the reason otherwise), and ``PRAGMA max_page_count``, which makes SQLite answer SQLITE_FULL
exactly as a full disk does, anywhere.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from annotator import Project
from annotator.cli import main
from annotator.store import DiskFull, StoreError


def articles(folder: Path, n: int, size: int = 40, start: int = 0) -> Path:
    folder.mkdir(exist_ok=True)
    for k in range(start, start + n):
        (folder / f"a{k}.txt").write_text(
            f"Story {k}\n\n" + " ".join(f"Sentence {i} of story {k}." for i in range(size)),
            encoding="utf-8")
    return folder


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs, unmounted afterwards."""
    where = tmp_path / "disk"
    where.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Fill the disk but for about ``leave`` bytes; returns the filler (delete it to free)."""
    filler = disk / "filler"
    st = os.statvfs(disk)
    free = st.f_bavail * st.f_frsize
    with open(filler, "wb") as f:
        f.write(b"\0" * max(free - leave, 0))
    return filler


def test_real_full_disk_stops_an_import_once_and_keeps_what_was_saved(
        tiny_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tiny_disk / "p.annot"
    with Project.open(path) as p:
        assert p.import_files([articles(tmp_path / "first", 3)], ner=False).ok
        sid = p.sentences(p.articles()[0].id)[1].id
        p.set_label(sid, "alice", frames=["economic"])
    filler = fill(tiny_disk, 64 * 1024)
    code = main(["import", str(path), str(articles(tmp_path / "more", 200, size=60)), "--no-ner",
                 "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("is full") == 1 and "problem:" not in err and "Traceback" not in err, err
    assert "the disk holding" in err and "The import stopped" in err
    filler.unlink()
    with Project.open(path, create=False) as p:
        assert p.store.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert p.label(sid, "alice").frames == ["economic"]  # type: ignore[union-attr]
        assert len(p.articles()) >= 3
        # the disk has room again: work goes on
        p.set_label(sid, "alice", frames=["political"])


def test_real_full_disk_label_save_says_so(tiny_disk: Path, tmp_path: Path) -> None:
    path = tiny_disk / "p.annot"
    with Project.open(path) as p:
        assert p.import_files([articles(tmp_path / "in", 3)], ner=False).ok
        ids = [s.id for a in p.articles() for s in p.sentences(a.id)]
        p.set_label(ids[0], "alice", frames=["economic"])
        filler = fill(tiny_disk, 0)
        with pytest.raises(StoreError, match="is full"):
            for k, sid in enumerate(ids * 20):  # until the WAL needs a page the disk lacks
                p.set_label(sid, f"annotator-{k % 7}", note="x" * 2000)
        filler.unlink()
        p.set_label(ids[1], "alice", frames=["legality"])
        assert p.label(ids[0], "alice").frames == ["economic"]  # type: ignore[union-attr]


def test_full_database_gives_disk_full_not_sqlite_error(tmp_path: Path) -> None:
    p = Project.open(tmp_path / "p.annot")
    assert p.import_files([articles(tmp_path / "in", 2)], ner=False).ok
    sid = p.sentences(p.articles()[0].id)[1].id
    p.set_label(sid, "alice", frames=["economic"])
    pages = p.store.conn.execute("PRAGMA page_count").fetchone()[0]
    p.store.conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(DiskFull, match="the disk holding .* is full; the last change was not saved"):
        p.set_label(sid, "alice", note="n" * 20000)
    assert p.label(sid, "alice").frames == ["economic"]  # type: ignore[union-attr]
    assert len(p.history("alice")) == 1  # the failed save left no event behind
    with pytest.raises(DiskFull, match="The import stopped; 0 articles imported before"):
        p.import_files([articles(tmp_path / "more", 50, size=200, start=10)], ner=False)
    assert len(p.articles()) == 2
    p.store.conn.execute(f"PRAGMA max_page_count = {pages * 1000}")
    p.set_label(sid, "alice", note="n" * 20000)
    p.close()


def test_full_database_stops_a_merge_at_once(tmp_path: Path) -> None:
    from annotator.merge import merge_project

    other = Project.open(tmp_path / "other.annot")
    assert other.import_files([articles(tmp_path / "in", 20)], ner=False).ok
    for a in other.articles():
        other.set_label(other.sentences(a.id)[1].id, "carol", note="c" * 3000)
    other.close()
    p = Project.open(tmp_path / "p.annot")
    assert p.import_files([tmp_path / "in"], ner=False).ok
    pages = p.store.conn.execute("PRAGMA page_count").fetchone()[0]
    p.store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(DiskFull):
        merge_project(p, tmp_path / "other.annot")
    p.close()
