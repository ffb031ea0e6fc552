"""bench/kill_loop.py: writers killed with SIGKILL mid-save lose no acknowledged label."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_kill_loop_loses_nothing(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "kill_loop.py"), "--rounds", "3",
                          "--dir", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    figures = dict(line.split()[:2] for line in run.stdout.splitlines() if line.startswith("kill_"))
    assert int(figures["kill_loop_acknowledged"]) > 0
    assert figures["kill_loop_lost"] == "0" and figures["kill_loop_integrity"] == "ok"
