"""The one way to run long work: a thread-pool job with a progress dialog, Cancel and GUI-thread callbacks.

The work function gets an :class:`annotator.Progress` and must not touch widgets; if it needs the
project it opens its *own* ``Project`` by path (sqlite objects belong to the thread that made them).
``on_success`` / ``on_error`` run on the GUI thread once the work has ended.
"""
from __future__ import annotations

import threading
import time
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from annotator.progress import Cancelled, Progress

#: The progress dialog shows a fixed 0..SCALE range: byte counts may exceed a C int.
SCALE = 1000
#: The dialog appears this long after the start and then says something at least this often,
#: even while the work reports nothing (a model loading): never a silent window.
SHOW_AFTER_S = 0.3
TICK_MS = 250


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def describe(fraction: float, elapsed: float, message: str) -> str:
    """The line under the title: what is being done, how far, how long so far and how long left."""
    parts = [f"{_duration(elapsed)} so far"]  # the bar under it shows the percentage
    if 0.02 <= fraction < 1 and elapsed >= 1:
        parts.append(f"about {_duration(elapsed * (1 - fraction) / fraction)} left")
    head = message or "starting…"
    return f"{head}\n{' · '.join(parts)}"  # e.g. "file 3 of 9: a.txt · 40 articles read (5.1/s)"


class BackgroundTask(QObject):
    """One job: ``progressed`` while it runs, ``done`` once its callbacks have run (on the GUI thread)."""

    progressed = Signal(int, int, str)
    _succeeded = Signal(object)
    _failed = Signal(object, str)
    done = Signal()

    def __init__(
        self,
        parent: QWidget,
        fn: Callable[[Progress], Any],
        on_success: Callable[[Any], None] | None,
        on_error: Callable[[BaseException, str], None] | None,
        title: str,
        show_dialog: bool,
    ) -> None:
        super().__init__(parent)
        self.fn = fn
        self.on_success = on_success
        self.on_error = on_error
        self.title = title
        self.finished = False
        self.progress = Progress(callback=self._report)
        self.dialog: QProgressDialog | None = None
        self.started = time.monotonic()
        self.last_value, self.last_message = 0, ""
        self.timer: QTimer | None = None
        if show_dialog:
            self.dialog = QProgressDialog(title, "Cancel", 0, SCALE, parent)
            self.dialog.setWindowTitle(title)
            self.dialog.setObjectName("progress_dialog")
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            # Shown by the timer below (QProgressDialog's own delay waits for a setValue that a
            # loading model may not send for seconds); quick jobs end before it fires.
            self.dialog.setMinimumDuration(10**9)
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.setValue(0)
            metrics = self.dialog.fontMetrics()
            # Wide enough for its title and a file name; never wider than the screen.
            room = parent.screen().availableGeometry().width() - 40 if parent is not None else 800
            self.dialog.setMinimumWidth(min(max(metrics.horizontalAdvance(title) + 120,
                                                metrics.averageCharWidth() * 60), room))
            self.dialog.canceled.connect(self.cancel)
            self.timer = QTimer(self)
            self.timer.setInterval(TICK_MS)
            self.timer.timeout.connect(self._tick)
            self.timer.start()
        self.progressed.connect(self._show_progress)
        self._succeeded.connect(self._finish_ok)
        self._failed.connect(self._finish_error)

    # -- worker thread ------------------------------------------------------------------------------

    def _report(self, done: int, total: int, message: str) -> None:
        # Called in the worker thread: a signal carries it to the GUI thread (queued).
        # No total yet (a job that cannot tell how far it is): -1, a busy bar rather than 0%.
        self.progressed.emit(_scaled(done, total) if total > 0 else -1, SCALE, message)

    def run(self) -> None:
        try:
            result = self.fn(self.progress)
        except Cancelled:
            self._succeeded.emit(None)
        except BaseException as exc:  # the GUI thread reports it; a worker must never die silently
            self._failed.emit(exc, traceback.format_exc())
        else:
            self._succeeded.emit(result)

    # -- GUI thread ---------------------------------------------------------------------------------

    @Slot()
    def cancel(self) -> None:
        self.progress.cancel()
        if self.dialog is not None:
            self.dialog.setLabelText(f"{self.title}: cancelling…")

    @Slot(int, int, str)
    def _show_progress(self, value: int, maximum: int, message: str) -> None:
        self.last_value, self.last_message = value, message
        if self.dialog is not None and not self.finished:
            self._tick()

    @Slot()
    def _tick(self) -> None:
        """Every TICK_MS: the dialog after SHOW_AFTER_S, then the time so far and left."""
        if self.dialog is None or self.finished:
            return
        elapsed = time.monotonic() - self.started
        if elapsed < SHOW_AFTER_S:
            return
        if not self.progress.cancelled:
            text = describe(max(self.last_value, 0) / SCALE, elapsed, self.last_message)
            self.dialog.setLabelText(f"{self.title}\n{text}")
        if self.last_value < 0:
            if self.dialog.maximum() != 0:
                self.dialog.setRange(0, 0)  # Qt's busy indicator
        else:
            if self.dialog.maximum() != SCALE:
                self.dialog.setRange(0, SCALE)
            self.dialog.setValue(min(self.last_value, SCALE - 1))
        if not self.dialog.isVisible():
            self.dialog.show()

    def _close_dialog(self) -> None:
        self.finished = True
        if self.timer is not None:
            self.timer.stop()
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        _running.discard(self)
        _release_retired()

    @Slot(object)
    def _finish_ok(self, result: Any) -> None:
        self._close_dialog()
        try:
            if self.on_success is not None:
                self.on_success(result)
        finally:
            self.done.emit()
            self.deleteLater()

    @Slot(object, str)
    def _finish_error(self, exc: BaseException, details: str) -> None:
        self._close_dialog()
        try:
            if self.on_error is not None:
                self.on_error(exc, details)
        finally:
            self.done.emit()
            self.deleteLater()


class _Job(QRunnable):
    """Runs one task in a pool thread (the pool deletes the job there once ``run`` returns).

    The job lets go of its task as it starts, and the pool thread never drops the last reference
    to a task: it hands it to ``_retired``, which the GUI thread empties once the task's callbacks
    have run. So every task (a QObject of the GUI thread) dies on the GUI thread, and a job that
    outlives its run holds nothing.
    """

    def __init__(self, task: BackgroundTask) -> None:
        super().__init__()
        self.task: BackgroundTask | None = task

    def run(self) -> None:
        task, self.task = self.task, None
        if task is None:
            return
        try:
            task.run()
        finally:
            with _retired_lock:
                _retired.append(task)
            del task


_running: set[BackgroundTask] = set()
_retired: list[BackgroundTask] = []
_retired_lock = threading.Lock()


def _release_retired() -> None:
    """Drop, on the GUI thread, the tasks whose thread is done and whose callbacks have run."""
    with _retired_lock:
        _retired[:] = [t for t in _retired if not t.finished]


def _scaled(done: int, total: int) -> int:
    if total <= 0:
        return 0
    return max(0, min(SCALE, done * SCALE // total))


def run_in_background(
    parent: QWidget,
    fn: Callable[[Progress], Any],
    on_success: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException, str], None] | None = None,
    title: str = "Working…",
    show_dialog: bool = True,
) -> BackgroundTask:
    """Start ``fn(progress)`` in the global thread pool and return its task.

    A cancelled job whose function raises :class:`Cancelled` calls ``on_success(None)``.
    """
    _release_retired()
    task = BackgroundTask(parent, fn, on_success, on_error, title, show_dialog)
    _running.add(task)
    QThreadPool.globalInstance().start(_Job(task))
    return task


def running_tasks() -> list[BackgroundTask]:
    return list(_running)


def cancel_all_and_wait(timeout_ms: int = 30000) -> bool:
    """Cancel every running job, drop its callbacks and wait for the pool to drain.

    Used when the window closes: the callbacks would otherwise run on a closed window.
    """
    tasks = list(_running)
    for task in tasks:
        task.on_success = task.on_error = None
        task.progress.cancel()
    drained = QThreadPool.globalInstance().waitForDone(timeout_ms)
    if drained:
        for task in tasks:
            task._close_dialog()  # its queued "finished" signal may never be delivered now
        _release_retired()
    return drained
