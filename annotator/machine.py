"""What the machine gives this process (cores), asked in one place."""
from __future__ import annotations

import os


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def workers_asked(variable: str) -> int | None:
    """The number of worker processes the environment variable ``variable`` asks for (0: none),
    None when it is unset or not a number (the caller decides)."""
    wanted = os.environ.get(variable, "").strip()
    try:
        return max(0, int(wanted)) if wanted else None
    except ValueError:
        return None
