"""bench/run.py at its smoke size prints every GUI figure (open, switch, import and export stalls, the
Review window) with a number."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "core"))
sys.path.insert(0, str(ROOT / "bench"))

from figures import parse_lines  # noqa: E402
from test_bench_smoke import run_bench  # noqa: E402

WARM = ("open_empty_warm", "open_big_warm", "open_over_empty_warm", "switch_p50", "switch_p99",
        "import_stall_max", "export_stall_max", "review_queue_ready", "review_ready", "review_stall_max", "review_peak_rss")
COLD = ("open_empty_cold", "open_big_cold", "open_over_empty_cold")


def test_every_gui_figure_has_a_number(tmp_path: Path) -> None:
    out = run_bench(tmp_path, "gui_open,gui_switch,gui_stall,gui_export_stall,gui_review")
    figures = parse_lines(out)
    missing = [name for name in WARM + COLD if name not in figures]
    assert not missing, f"no line for {missing}:\n{out}"
    assert all(figures[n][0] is not None for n in WARM), out
    # --warm-only: the cold lines are there and say why they have no number.
    assert all(figures[n][0] is None and "warm only" in figures[n][2] for n in COLD), out
    assert figures["switch_p99"][0] >= figures["switch_p50"][0] > 0
