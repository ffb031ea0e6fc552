"""Building millions of long-lived Python objects without the cyclic collector stopping the process.

Reading a big project's labels as objects (the review: ~10 million of them for 1M labelled
sentences) makes Python's cyclic garbage collector run full passes over everything alive, each
longer than the last: 1.7 s, then 3.0 and 3.5 s, holding the GIL — the window froze that long
while a background thread read. :func:`many_objects` turns the collector off while they are
built and then freezes everything alive (``gc.freeze``), so later collections skip those objects;
they are still freed by reference counting when dropped. Cycles among frozen objects are not
collected until :func:`thaw` (the owner of the objects calls it once it has dropped them).
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0  # how many many_objects() blocks are open, in any thread
_enabled = True  # whether the collector was on when the first of them began


@contextmanager
def many_objects() -> Iterator[None]:
    """No cyclic collection while the block runs (in any thread: the collector is one per
    process); everything alive at its end frozen. Blocks may nest and overlap across threads."""
    global _depth, _enabled
    with _lock:
        if _depth == 0:
            _enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.freeze()
                if _enabled:
                    gc.enable()


def thaw() -> None:
    """Let the collector see the frozen objects again (once the big ones are dropped: the next
    full collection then goes over what is left)."""
    with _lock:
        if _depth == 0:
            gc.unfreeze()
