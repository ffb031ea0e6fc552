"""The command line on the seeds: import, stats, targets, help, exit codes."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_stats_on_the_seeds(seeds_project_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stats", str(seeds_project_file), "--json")
    assert code == 0
    stats = json.loads(out)
    assert stats["articles"] == 5
    assert stats["languages"] == {"en": 4, "ru": 1}
    manifest = json.loads((SEEDS / "manifest.json").read_text())["articles"]
    arts = stats["articles_list"]
    assert [a["outlet"] for a in arts] == [m["outlet"] for m in manifest]
    assert all(a["entities"] > 0 for a in arts)
    titles = {a["outlet"]: a["title"] for a in arts}
    assert titles["TASS"].startswith("US seeks to minimize impact on Kazakhstan")
    assert titles["EFE"].startswith("Blinken expresses support")
    assert titles["KazTAG"].startswith("Госсекретарь США")
    assert set(stats["entities_by_label"]) <= {"PER", "ORG", "LOC", "MISC"}


def test_blinken_and_tileuberdi_are_one_target_each_across_languages(
    seeds_project_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "targets", str(seeds_project_file), "--json")
    assert code == 0
    targets = json.loads(out)
    for latin, cyrillic in (("blinken", "блинкен"), ("tileuberdi", "тлеуберди")):
        hits = [t for t in targets
                if any(latin in a.lower() or cyrillic in a.lower() for a in t["aliases"])]
        assert len(hits) == 1, hits
        aliases = " ".join(hits[0]["aliases"]).lower()
        assert latin in aliases and cyrillic in aliases
        assert hits[0]["kind"] == "PER"


def test_import_reports_problems_with_exit_code_1(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "rows.jsonl"
    bad.write_text('{"text": "A good article. Short."}\n{oops\n', encoding="utf-8")
    project = tmp_path / "p.annot"
    code, out, err = run(capsys, "import", str(project), str(bad), "--no-ner", "--quiet")
    assert code == 1
    assert "1 articles imported" in out
    assert f"{bad}:2: not valid JSON" in err
    code, out, _ = run(capsys, "import", str(project), str(bad), "--no-ner", "--json", "--quiet")
    report = json.loads(out)
    assert report["articles_skipped"] == 1 and report["issues"][0]["line"] == 2


def test_init_with_codebooks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "init", str(tmp_path / "a.annot"), "--codebook", "semeval2023")
    assert code == 0 and "semeval2023" in out and "14 frames" in out
    bad = tmp_path / "cb.json"
    bad.write_text('{"name": "x"}')
    code, _, err = run(capsys, "init", str(tmp_path / "b.annot"), "--codebook", str(bad))
    assert code == 1 and str(bad) in err


def test_newer_project_gives_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    path = tmp_path / "new.annot"
    run(capsys, "init", str(path))
    c = sqlite3.connect(path)
    c.execute("PRAGMA user_version = 99")
    c.close()
    code, _, err = run(capsys, "stats", str(path))
    assert code == 1 and "newer version" in err


def test_every_command_has_help() -> None:
    exe = shutil.which("annotator", path=str(Path(sys.executable).parent))
    assert exe, "the annotator console script is installed"
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, check=True).stdout
    commands = [c for c in ("init", "import", "stats", "targets", "gui") if c in out]
    assert len(commands) == 5
    for c in commands:
        r = subprocess.run([exe, c, "--help"], capture_output=True, text=True)
        assert r.returncode == 0 and "usage: annotator " + c in r.stdout
    assert subprocess.run([exe, "nonsense"], capture_output=True).returncode == 2


@pytest.mark.parametrize("command", [["stats"], ["targets"], ["agreement", "--quiet"],
                                     ["merge", "OTHER", "--quiet"]])
def test_reading_commands_do_not_create_a_missing_project(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    other = tmp_path / "other.annot"
    main(["init", str(other)])
    missing = tmp_path / "typo.annot"
    argv = [command[0], str(missing)] + [str(other) if a == "OTHER" else a for a in command[1:]]
    code, _, err = run(capsys, *argv)
    assert code == 1 and "no such project file" in err
    assert not missing.exists()


def test_unusable_project_paths_say_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "init", str(tmp_path / "no-such-folder" / "p.annot"))
    assert code == 1 and "does not exist" in err and "no-such-folder" in err
    code, _, err = run(capsys, "stats", str(tmp_path))
    assert code == 1 and "is a folder" in err


def test_a_read_only_project_is_an_error_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    import annotator.store

    path = tmp_path / "p.annot"
    main(["init", str(path)])
    connect = sqlite3.connect

    def read_only(*args, **kwargs):  # type: ignore[no-untyped-def]
        conn = connect(*args, **kwargs)  # like a chmod 444 file (root ignores chmod)
        conn.execute("PRAGMA query_only = ON")
        return conn

    monkeypatch.setattr(annotator.store.sqlite3, "connect", read_only)
    code, _, err = run(capsys, "init", str(path), "--codebook", "semeval2023")
    assert code == 1 and "read-only" in err and "Traceback" not in err
    code, _, _ = run(capsys, "stats", str(path))
    assert code == 0


def test_cli_start_does_not_import_scikit_learn() -> None:
    # `annotator agreement` (and every other command) builds the whole parser; the model's
    # commands are part of it, but scikit-learn is only for training and took seconds to import.
    code = "import sys; from annotator.cli import build_parser; build_parser(); print('sklearn' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_output_closed_by_its_reader_is_a_message_not_a_traceback(seeds_project_file: Path,
                                                                   tmp_path: Path) -> None:
    # `annotator stats P | head`: the reader closes the pipe before the command writes to it.
    path = tmp_path / "seeds.annot"
    shutil.copy(seeds_project_file, path)
    code = "import sys; from annotator.cli import main; sys.exit(main())"
    proc = subprocess.Popen([sys.executable, "-c", code, "stats", str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.close()  # before the interpreter has even started: every write fails
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 141, err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert "the program reading the output closed it" in err
