"""Interop tests: the real Label Studio and doccano servers (own virtualenvs), started per module."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """The round trips' counts (what survived, per tool and direction), also in compare.OUT."""
    from compare import OUT, table_lines

    lines = table_lines()
    if lines:
        terminalreporter.section("interop round trips")
        for line in lines:
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"(also in {OUT})")
