"""Progress reporting and cancellation as plain Python (the UI and the CLI adapt it)."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable, Protocol


class Cancelled(Exception):
    """Raised inside long work when its ``Progress`` was cancelled."""


class ProgressCallback(Protocol):
    def __call__(self, done: int, total: int, message: str) -> None: ...


@dataclass
class Progress:
    """Reports ``(done, total, message)`` to a callback and carries a cancel flag.

    Long operations call :meth:`step` (or :meth:`update`); it raises :class:`Cancelled` once
    :meth:`cancel` has been called, from any thread.
    """

    callback: Callable[[int, int, str], None] | None = None
    total: int = 0
    done: int = 0
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    @classmethod
    def wrap(cls, progress: "Progress | Callable[[int, int, str], None] | None") -> "Progress":
        if isinstance(progress, Progress):
            return progress
        return cls(callback=progress)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def update(self, done: int, total: int | None = None, message: str = "") -> None:
        self.done = done
        if total is not None:
            self.total = total
        if self.callback is not None:
            self.callback(self.done, self.total, message)
        self.check()

    def tell(self, message: str) -> None:
        """Say what is being done now, without moving on or checking for cancel (nothing new is
        committed yet, so stopping here would gain nothing)."""
        if self.callback is not None:
            self.callback(self.done, self.total, message)

    def step(self, message: str = "", n: int = 1) -> None:
        self.update(self.done + n, None, message)
