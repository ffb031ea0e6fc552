"""bench/run.py at its smoke size prints every core figure with a number (no timing is asserted)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from figures import parse_lines  # noqa: E402

CORE_FIGURES = ("import_no_ner", "import_lang_en", "import_ner", "import_ner_sentences", "ner_bare",
                "ner_ratio", "stats", "label_save_p50", "label_save_p99", "commit_floor_p99", "export_jsonl",
                "agreement", "agreement_no_bootstrap")
CORE_JOBS = "import_no_ner,import_lang_en,import_ner,stats,label_save,export,agreement"


def run_bench(tmp_path: Path, jobs: str) -> str:
    """Runs the smoke size in a private cache; fails with the bench's own output."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--size", "smoke", "--only", jobs,
         "--cache", str(tmp_path / "cache"), "--warm-only", "--json", str(tmp_path / "out.json")],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_every_core_figure_has_a_number(tmp_path: Path) -> None:
    out = run_bench(tmp_path, CORE_JOBS)
    figures = parse_lines(out)
    missing = [name for name in CORE_FIGURES if name not in figures]
    assert not missing, f"no line for {missing}:\n{out}"
    no_number = [name for name in CORE_FIGURES if figures[name][0] is None]
    assert not no_number, f"no number for {no_number}:\n{out}"
    assert figures["import_no_ner"][1] == "texts/s" and figures["label_save_p99"][1] == "ms"
    assert (tmp_path / "out.json").read_text(encoding="utf-8").count('"name"') == len(figures)


def test_parse_lines_reads_what_figure_prints() -> None:
    from figures import Figure

    lines = "\n".join(f.line() for f in (Figure("a_b", 1234.5, "rows/s", "x; y", ">= 1"),
                                          Figure("c", None, "s", "warm only (not root)"),
                                          Figure("d", -0.25, "s")))
    assert parse_lines("# header 1 2\n" + lines) == {
        "a_b": (1234.0, "rows/s", "x; y; target >= 1"), "c": (None, "s", "warm only (not root)"),
        "d": (-0.25, "s", "")}
