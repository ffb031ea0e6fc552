"""Export never deletes or overwrites what it did not write (issue 8): the project's place, other
files, data-made paths, and a replacement that survives a kill at any point."""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator import Project
from annotator.cli import main
from annotator.export import ExportError, ExportOptions, export, format_names
from annotator.export import atomic
from annotator.export.atomic import TEMP_MARK, recover
from annotator.export.base import Exporter, exporter_class
from annotator.export.marker import MARKER
from annotator.export.names import SafeNames
from test_export import build_project, snapshot

ROOT = Path(__file__).resolve().parents[2]
GOLD = ExportOptions(labels="gold")
SINGLE = [n for n in format_names() if not exporter_class(n).folder]
FOLDERS = [n for n in format_names() if exporter_class(n).folder]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("safety") / "study.annot", n_articles=10)


@pytest.fixture
def proj(built: Path, tmp_path: Path) -> Path:
    """A copy of the project in a folder that also holds the user's own files."""
    folder = tmp_path / "proj"
    (folder / "sub").mkdir(parents=True)
    path = folder / "study.annot"
    shutil.copy(built, path)
    (folder / "thesis.docx").write_bytes(b"PK\x03\x04 my thesis")
    (folder / "sub" / "notes.txt").write_text("notes", encoding="utf-8")
    return path


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if TEMP_MARK in p.name)


# -- the project's place ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["hf", "semeval2023"])
def test_the_project_folder_is_refused(proj: Path, fmt: str) -> None:
    before = tree(proj.parent)
    with pytest.raises(ExportError, match="holds the project file"):
        export(proj, proj.parent, fmt, GOLD)
    assert tree(proj.parent) == before and temps(proj.parent) == []
    # Also a folder further up, and a folder reached through a symlink.
    with pytest.raises(ExportError, match="holds the project file"):
        export(proj, proj.parent.parent, fmt, GOLD)
    link = proj.parent.parent / "link"
    link.symlink_to(proj.parent, target_is_directory=True)
    with pytest.raises(ExportError, match="holds the project file"):
        export(proj, link, fmt, GOLD)
    assert tree(proj.parent) == before


def test_cli_hf_into_the_project_folder_exits_2_and_keeps_everything(
        proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree(proj.parent)
    code = main(["export", str(proj), str(proj.parent), "--format", "hf", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "holds the project file" in err and "Traceback" not in err
    assert tree(proj.parent) == before
    with Project.open(proj, create=False) as p:
        assert p.stats()["articles"] == 10


@pytest.mark.parametrize("side", ["", "-wal", "-shm", "-journal"])
def test_the_project_file_and_its_sqlite_files_are_refused(proj: Path, side: str) -> None:
    before = proj.read_bytes()
    out = proj.with_name(proj.name + side)
    for overwrite in (False, True):
        with pytest.raises(ExportError, match="project|SQLite"):
            export(proj, out, "jsonl", overwrite=overwrite)
    assert proj.read_bytes() == before
    assert not side or not out.exists()
    with pytest.raises(ExportError, match="lies inside the project file"):
        export(proj, out / "x.jsonl", "jsonl")


def test_cli_out_equal_to_the_project_keeps_the_project(proj: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    before = proj.read_bytes()
    code = main(["export", str(proj), str(proj), "--quiet", "--overwrite"])
    assert code == 2 and "is the project file" in capsys.readouterr().err
    assert proj.read_bytes() == before


def test_a_symlink_to_the_project_is_refused(proj: Path, tmp_path: Path) -> None:
    before = proj.read_bytes()
    link = tmp_path / "data.jsonl"
    link.symlink_to(proj)
    with pytest.raises(ExportError, match="is the project file"):
        export(proj, link, "jsonl", overwrite=True)
    # A hard link is the same file too.
    hard = tmp_path / "hard.jsonl"
    os.link(proj, hard)
    with pytest.raises(ExportError, match="project"):
        export(proj, hard, "csv", overwrite=True)
    assert proj.read_bytes() == before and link.is_symlink()


def test_an_open_project_object_is_guarded_too(proj: Path) -> None:
    with Project.open(proj) as p:
        with pytest.raises(ExportError, match="holds the project file"):
            export(p, proj.parent, "hf")
        with pytest.raises(ExportError, match="is the project file"):
            export(p, proj, "jsonl")


def test_other_sqlite_files_are_never_replaced(built: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    before = other.read_bytes()
    with pytest.raises(ExportError, match="SQLite"):
        export(built, other, "jsonl", overwrite=True)
    assert other.read_bytes() == before


# -- folders ---------------------------------------------------------------------------------------


def test_a_folder_with_foreign_files_is_refused_naming_them(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    (out / "sub").mkdir(parents=True)
    (out / "thesis.docx").write_bytes(b"thesis")
    (out / "sub" / "notes.txt").write_text("notes")
    with pytest.raises(ExportError, match=r"thesis\.docx") as info:
        export(built, out, "hf")
    assert "sub/" in str(info.value)
    assert tree(out) == {"thesis.docx": b"thesis", "sub/notes.txt": b"notes"}
    assert temps(tmp_path) == []
    # A new folder beside those files is fine, and leaves them alone.
    result = export(built, out / "dataset", "hf")
    assert (out / "dataset" / "README.md").is_file() and str(out / "dataset" / MARKER) in result.files
    assert (out / "thesis.docx").read_bytes() == b"thesis"


def test_an_empty_folder_is_used_and_our_folder_replaced(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    out.mkdir()
    export(built, out, "hf", GOLD)
    marker = json.loads((out / MARKER).read_text())
    assert marker["format"] == "hf" and "train.jsonl" in marker["files"]
    assert set(marker["files"]) == {k for k in tree(out) if k != MARKER}
    first = snapshot(out)
    export(built, out, "hf", ExportOptions(labels="majority"))
    assert snapshot(out) != first and temps(tmp_path) == []
    export(built, out, "semeval2023", GOLD)  # another of our formats may replace it too
    assert (out / "en").is_dir() and not (out / "train.jsonl").exists()


def test_a_file_added_to_our_folder_or_an_edited_one_stops_the_replacement(
        built: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    export(built, out, "hf", GOLD)
    (out / "my-analysis.ipynb").write_text("{}")
    with pytest.raises(ExportError, match=r"my-analysis\.ipynb"):
        export(built, out, "hf", GOLD)
    (out / "my-analysis.ipynb").unlink()
    readme = out / "README.md"
    text = readme.read_text()
    time.sleep(0.01)
    readme.write_text(text.replace("Splits", "Splitz"))  # same size, new content
    with pytest.raises(ExportError, match=r"README\.md \(changed"):
        export(built, out, "hf", GOLD)
    readme.write_text(text)  # back as it was written: ours again, whatever its mtime
    export(built, out, "hf", GOLD)
    # A folder without our marker is not ours, even when it looks like an export.
    (out / MARKER).unlink()
    with pytest.raises(ExportError, match="did not write"):
        export(built, out, "hf", GOLD)


def test_a_copied_export_folder_is_still_ours(built: Path, tmp_path: Path) -> None:
    export(built, tmp_path / "ds", "hf", GOLD)
    shutil.copytree(tmp_path / "ds", tmp_path / "copy", copy_function=shutil.copy)  # new mtimes
    export(built, tmp_path / "copy", "hf", GOLD)


# -- single files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", SINGLE)
def test_each_single_file_format_replaces_its_own_output(built: Path, tmp_path: Path,
                                                         fmt: str) -> None:
    out = tmp_path / "out"
    export(built, out, fmt, GOLD)
    export(built, out, fmt, ExportOptions(labels="majority", include_unlabelled=True))
    for other in SINGLE:  # and any other format's
        export(built, out, other, GOLD)
        export(built, out, fmt, GOLD)
    export(built, out, fmt, ExportOptions(lang="xx"))  # no rows: an empty file, or a header
    export(built, out, fmt, GOLD)


def test_a_foreign_file_needs_overwrite(built: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "notes.jsonl"
    out.write_text('{"my": "own data"}\n')
    with pytest.raises(ExportError, match="not written by an export.*--overwrite"):
        export(built, out)
    assert out.read_text() == '{"my": "own data"}\n'
    code = main(["export", str(built), str(out), "--quiet"])
    assert code == 2 and "--overwrite" in capsys.readouterr().err
    # A line that merely has our keys, but not our spelling, is not ours either.
    out.write_text('{"id": "1", "article_id": "a", "index": 0, "text": "t", "labels": {}, '
                   '"label": null, "codebook": "pfc"}\n')
    with pytest.raises(ExportError, match="not written by an export"):
        export(built, out)
    assert main(["export", str(built), str(out), "--quiet", "--overwrite"]) == 0
    assert json.loads(out.read_text().splitlines()[0])["codebook"] == "pfc"


def test_a_symlink_to_our_file_keeps_pointing_at_it(built: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.jsonl"
    export(built, real, "jsonl", GOLD)
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    export(built, link, "jsonl", ExportOptions(labels="majority"))
    assert link.is_symlink() and link.resolve() == real and temps(tmp_path) == []


# -- paths made from data ---------------------------------------------------------------------------


def test_safe_names_are_plain_and_never_collide() -> None:
    names = SafeNames("und")
    values = ["en", "EN", "../../x", "x", "/abs/x", "a\x00b", "con", "", ".", "pt-BR", "x"]
    got = [names(v) for v in values]
    assert got[0] == "en" and got[-2] == "pt-BR" and got[2] == "x" and got[-1] == got[3]
    distinct = got[:-1]
    assert len({g.casefold() for g in distinct}) == len(distinct)
    assert all(g and all(c.isascii() and (c.isalnum() or c in "_-") for c in g) for g in got)
    assert names.renamed["../../x"] == "x" and "en" not in names.renamed


@pytest.mark.parametrize("rel", ["../x", "a/../../x", "/abs/x", "a\x00b", "C:/x", "a\\..\\x", ""])
def test_writers_refuse_paths_that_leave_the_output(tmp_path: Path, rel: str) -> None:
    writer = Exporter.__new__(Exporter)
    writer.root = tmp_path / "root"
    writer.root.mkdir()
    with pytest.raises(ExportError, match="refusing to write"):
        writer.path(rel)
    (writer.root / "esc").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(ExportError, match="leads outside"):
        writer.path("esc/x.txt")


def test_semeval_language_folders_stay_inside_out(tmp_path: Path) -> None:
    langs = ["../../escaped", "/abs/x", "a\x00b", "en", "EN"]
    rows = [{"text": f"Title {i}\n\nAlice met Bob in Paris on day {i}. The economy grew by {i}.",
             "lang": "en"} for i, _lang in enumerate(langs)]
    source = tmp_path / "odd.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    project = tmp_path / "odd.annot"
    with Project.open(project) as p:
        assert p.import_files([source], ner=False).ok
        # Import refuses such codes now; a file from an older version (or edited by hand) may
        # still hold them, and the export must cope.
        with p.store.conn:
            for (article_id,), lang in zip(p.store.conn.execute(
                    "SELECT id FROM articles ORDER BY rowid").fetchall(), langs):
                p.store.conn.execute("UPDATE articles SET lang = ? WHERE id = ?", (lang, article_id))
                p.store.conn.execute("UPDATE sentences SET lang = ? WHERE article_id = ?",
                                     (lang, article_id))
        assert set(p.languages()) == set(langs)
        for a in p.iter_articles():
            for s in p.sentences(a.id):
                p.set_label(s.id, "alice", {}, ["economic"])
    work = tmp_path / "deep" / "er"
    out = work / "semeval"
    result = export(project, out, "semeval2023", ExportOptions(labels="majority"))
    written = sorted(p.relative_to(out).parts[0] for p in out.rglob("*.txt"))
    assert set(written) == {"escaped", "abs_x", "a_b", "en", "EN-2"}
    assert all(Path(f).resolve().is_relative_to(out.resolve()) for f in result.files)
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "deep" / "escaped").exists()
    assert not Path("/abs").exists()
    assert sum("in folder" in n for n in result.notes) == 4  # every renamed language is named
    assert any("'a\\x00b'" in n and "'a_b'" in n for n in result.notes)


def test_a_nul_in_out_is_a_message(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(built), "bad\x00name.jsonl", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "NUL" in err and "Traceback" not in err


# -- kills: the journal and the cleanup -------------------------------------------------------------

KILLER = r"""
import os, signal, sys
from annotator.export import ExportOptions, atomic, export

project, out, fmt, point = sys.argv[1:5]
def die():
    os.kill(os.getpid(), signal.SIGKILL)
progress = None
if point == "aside":  # the two-rename scheme, killed between its renames
    atomic.exchange = lambda a, b: False
    real_rename = os.rename
    def rename(src, dst):
        real_rename(src, dst)
        if str(dst).endswith(".old" + atomic.TEMP_MARK):
            die()
    os.rename = rename
elif point == "swapped":  # killed after the swap, before the old folder is removed
    real_exchange = atomic.exchange
    def exchange(a, b):
        assert real_exchange(a, b)
        die()
    atomic.exchange = exchange
elif point == "writing":
    def progress(done, total, message):
        if message == "writing" and done >= 3:
            die()
export(project, out, fmt, ExportOptions(labels="majority"), progress)
print("finished")
"""


def run_killed(project: Path, out: Path, fmt: str, point: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", KILLER, str(project), str(out), fmt, point],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def test_a_kill_between_the_two_renames_is_undone(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    export(built, out, "hf", GOLD)
    before = snapshot(out)
    run_killed(built, out, "hf", "aside")
    assert not out.exists()  # the window: OUT is aside, under a name that says so
    assert sorted(n.split(".")[-2] for n in temps(tmp_path)) == ["new", "old"]
    cleanup = recover(tmp_path)
    assert cleanup.restored == [str(out)] and snapshot(out) == before
    assert cleanup.removed == 1 and cleanup.removed_bytes > 0 and temps(tmp_path) == []


def test_the_next_export_recovers_then_replaces(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    export(built, out, "hf", GOLD)
    run_killed(built, out, "hf", "aside")
    result = export(built, out, "hf", ExportOptions(labels="majority"))
    assert any(n.startswith(f"put back {out}") for n in result.notes)
    assert result.cleaned == 1 and any("removed 1 temporary" in n for n in result.notes)
    assert temps(tmp_path) == [] and (out / "train.jsonl").is_file()


def test_a_failing_second_rename_puts_the_old_folder_back(built: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "ds"
    export(built, out, "hf", GOLD)
    before = snapshot(out)
    monkeypatch.setattr(atomic, "exchange", lambda a, b: False)
    real_rename = os.rename
    calls: list[str] = []

    def rename(src: object, dst: object) -> None:
        calls.append(str(dst))
        if len(calls) == 2:
            raise OSError("disk gone")
        real_rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError, match="disk gone"):
        export(built, out, "hf", ExportOptions(labels="majority"))
    assert snapshot(out) == before and temps(tmp_path) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_with_the_swap_out_exists_at_every_instant(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    export(built, out, "hf", GOLD)
    run_killed(built, out, "hf", "swapped")
    assert (out / "train.jsonl").is_file() and json.loads((out / MARKER).read_text())
    assert len(temps(tmp_path)) == 1  # the previous folder, swapped out
    result = export(built, out, "hf", GOLD)
    assert result.cleaned == 1 and result.cleaned_bytes > 1000 and temps(tmp_path) == []


def test_temporaries_of_killed_exports_are_removed_and_counted(built: Path, tmp_path: Path) -> None:
    kills = [("jsonl", "a.jsonl"), ("hf", "ds"), ("csv", "a.csv"), ("labelstudio", "a.json"),
             ("hf", "ds"), ("semeval2023", "sem")]  # semeval's article files are on disk at once
    for fmt, name in kills:  # each run clears what the one before it left
        run_killed(built, tmp_path / name, fmt, "writing")
        left = temps(tmp_path)
        assert len(left) == 1 and not (tmp_path / name).exists()
    leftover = tmp_path / left[0]
    size = sum(p.stat().st_size for p in [leftover, *leftover.rglob("*")] if p.is_file())
    result = export(built, tmp_path / "a.jsonl", "jsonl", GOLD)
    assert result.cleaned == 1 and result.cleaned_bytes == size > 0
    assert temps(tmp_path) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]
    assert "removed 1 temporary of stopped exports" in " ".join(result.notes)
    assert result.as_dict()["cleaned_bytes"] == size


def test_a_live_exports_temporary_and_other_files_are_left_alone(built: Path, tmp_path: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        live = tmp_path / f".out.jsonl.{atomic.HOST}-{sleeper.pid}-0123abcd.new{TEMP_MARK}"
        stale = tmp_path / f".out.jsonl.{atomic.HOST}-{dead.pid}-0123abcd.new{TEMP_MARK}"
        remote = tmp_path / f".out.jsonl.ffff-{dead.pid}-0123abcd.new{TEMP_MARK}" \
            if atomic.HOST != "ffff" else tmp_path / f".out.jsonl.eeee-{dead.pid}-0123abcd.new{TEMP_MARK}"
        mine = tmp_path / f".my{TEMP_MARK}"  # not our pattern: the user's
        for p in (live, stale, remote, mine):
            p.write_bytes(b"x" * 100)
        result = export(built, tmp_path / "out.jsonl", "jsonl", GOLD)
        assert result.cleaned == 1 and result.cleaned_bytes == 100
        assert not stale.exists() and live.exists() and remote.exists() and mine.exists()
        assert any("still running" in n for n in result.notes)
        assert any("another computer" in n for n in result.notes)
    finally:
        sleeper.kill()
        sleeper.wait()


def test_an_aside_folder_holding_foreign_files_is_kept(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    export(built, out, "hf", GOLD)
    aside = tmp_path / f".ds.{atomic.HOST}-999999999-0123abcd.old{TEMP_MARK}"
    shutil.copytree(out, aside)
    (aside / "mine.txt").write_text("mine")
    cleanup = recover(tmp_path)
    assert aside.exists() and (aside / "mine.txt").exists() and cleanup.removed == 0
    assert any("did not write" in k for k in cleanup.kept)


def test_temporaries_of_earlier_versions_go_after_a_day(built: Path, tmp_path: Path) -> None:
    old = tmp_path / f".out.jsonl.0123abcd{TEMP_MARK}"
    young = tmp_path / f".out.jsonl.4567abcd{TEMP_MARK}"
    lost = tmp_path / f".gone.89abcdef.old{TEMP_MARK}"  # a folder moved aside, OUT missing
    old.write_bytes(b"x" * 10)
    young.write_bytes(b"y")
    lost.mkdir()
    (lost / "train.jsonl").write_text("{}\n")
    day_ago = time.time() - 2 * atomic.LEGACY_AGE
    for p in (old, lost):
        os.utime(p, (day_ago, day_ago))
    cleanup = recover(tmp_path)
    assert not old.exists() and young.exists() and cleanup.removed == 1
    assert (tmp_path / "gone" / "train.jsonl").is_file() and cleanup.restored == [str(tmp_path / "gone")]
