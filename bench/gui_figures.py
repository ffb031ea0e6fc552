"""The GUI figures of ``bench/run.py`` (offscreen Qt): open to first paint, article switch, import stall.

``python bench/gui_figures.py open PROJECT`` is the fresh process the open figure times: it starts
the app as ``annotator gui PROJECT`` does and prints the monotonic clock once the main window,
with the project open, has painted its first frame.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import generate
from figures import Context, Figure, python_env

WINDOW_SIZE = (1600, 1000)


def gui_env(ctx: Context) -> dict[str, str]:
    env = python_env()
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["ANNOTATOR_SETTINGS_DIR"] = str(ctx.work / "gui-settings")  # never the user's settings
    return env


def _setup_in_process(ctx: Context) -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["ANNOTATOR_SETTINGS_DIR"] = str(ctx.work / "gui-settings")


# -- open: a fresh process to first paint -------------------------------------------------------

def probe_open(project: str) -> int:
    """Run the app on ``project`` like ``annotator gui``; print the time of its first frame."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    from ui import app as ui_app
    from ui.main_window import MainWindow

    qapp = ui_app._application()
    painted: dict[str, float] = {}

    class FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
            if not painted and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget):
                window = obj.window()
                if isinstance(window, MainWindow) and window.session.project is not None:
                    painted["first"] = time.monotonic()
                    # The frame is done when the paint sweep returns to the event loop.
                    QTimer.singleShot(0, lambda: (painted.setdefault("frame", time.monotonic()),
                                                  window.close(), qapp.quit()))
            return False

    watcher = FirstPaint()
    qapp.installEventFilter(watcher)
    args = argparse.Namespace(project=project, annotator="bench", screenshot=None, article=None,
                              sentence=None)
    QTimer.singleShot(120_000, qapp.quit)  # never hang a benchmark run
    rc = ui_app.main(args)
    if "frame" not in painted:
        print(f"the main window never painted (exit {rc})", file=sys.stderr)
        return 1
    print(json.dumps(painted))
    return 0


def _open_once(ctx: Context, project: str) -> float:
    started = time.monotonic()
    done = subprocess.run([sys.executable, __file__, "open", project], env=gui_env(ctx),
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"open probe failed on {project}: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["frame"] - started


def drop_caches() -> str | None:
    """Empty the page cache; returns why not when it cannot (not root, no /proc/sys)."""
    if os.geteuid() != 0:
        return "not root"
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError as exc:
        return f"cannot drop caches: {exc}"
    return None


def job_gui_open(ctx: Context) -> list[Figure]:
    big = ctx.big().path
    empty = str(generate.empty_project(ctx.cache))
    figures: list[Figure] = []
    why_not = None if ctx.cold else "--warm-only given"
    cold: dict[str, list[float]] = {"empty": [], "big": []}
    runs = 1 if ctx.size.name == "smoke" else 3
    for _ in range(runs if ctx.cold else 0):  # alternating, so both see the same machine
        for label, project in (("empty", empty), ("big", big)):
            if why_not is None:
                why_not = drop_caches()
            if why_not is None:
                cold[label].append(_open_once(ctx, project))
    warm: dict[str, list[float]] = {}
    for label, project in (("empty", empty), ("big", big)):
        _open_once(ctx, project)  # warms the page cache and Python's bytecode cache
        warm[label] = sorted(_open_once(ctx, project) for _ in range(runs))
    for label in ("empty", "big"):
        times = warm[label]
        figures.append(Figure(f"open_{label}_warm", statistics.median(times), "s",
                              f"fresh process to first paint, median of {len(times)} "
                              f"({times[0]:.2f}-{times[-1]:.2f} s)"))
    figures.append(Figure("open_over_empty_warm", statistics.median(warm["big"])
                          - statistics.median(warm["empty"]), "s", "big minus empty", "<= 1"))
    medians = {k: statistics.median(v) for k, v in cold.items() if v}
    for label in ("empty", "big"):
        times = sorted(cold[label])
        figures.append(Figure(f"open_{label}_cold", medians.get(label), "s",
                              f"page cache dropped first, median of {len(times)} "
                              f"({times[0]:.2f}-{times[-1]:.2f} s)" if times
                              else f"warm only ({why_not})"))
    over = medians["big"] - medians["empty"] if len(medians) == 2 else None
    figures.append(Figure("open_over_empty_cold", over, "s", "big minus empty" if over is not None
                          else f"warm only ({why_not})", "<= 1"))
    return figures


# -- in-process figures ---------------------------------------------------------------------------

def _window(ctx: Context, project: str) -> Any:
    _setup_in_process(ctx)
    from PySide6.QtWidgets import QApplication

    from ui import app as ui_app
    from ui.main_window import MainWindow
    from ui.settings import open_settings

    ui_app._application()
    settings = open_settings()
    settings.clear()
    window = MainWindow(settings, "alice", restore_layout=False)
    window.persist_layout = False
    if not window.open_project(project):
        raise RuntimeError(f"the window could not open {project}")
    window.resize(*WINDOW_SIZE)
    window.show()
    for _ in range(3):
        QApplication.processEvents()
    return window


def job_gui_switch(ctx: Context) -> list[Figure]:
    """Switch between the two 200-sentence, 60-entity articles; time load + layout + paint."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    big = ctx.big()
    window = _window(ctx, big.path)
    a, b = big.long_articles
    window.goto_article(a)
    QApplication.processEvents()
    times = []
    for k in range(ctx.size.switches):
        started = time.perf_counter()
        window.goto_article(b if k % 2 == 0 else a)
        QApplication.processEvents()  # the posted layout and paint events
        QApplication.processEvents()
        times.append(time.perf_counter() - started)
        # What the app's event loop does between events (processEvents alone never does it):
        # objects given to deleteLater are deleted.
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    shown = window.session.sentences
    entities = sum(len(s.mentions) for s in shown)
    window.close()
    times.sort()
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    models = [m for m in ("spacy", "natasha") if m in sys.modules]
    detail = f"{len(times)} switches, article of {len(shown)} sentences / {entities} entities"
    return [Figure("switch_p50", statistics.median(times) * 1000, "ms", detail),
            Figure("switch_p99", times[min(len(times) - 1, round(0.99 * len(times)))] * 1000, "ms",
                   f"max {times[-1] * 1000:.0f} ms"),
            Figure("annotating_peak_rss", peak, "MiB", "the window's process after the switches; "
                   f"models loaded: {', '.join(models) or 'none'}", "<= 200")]


def _gaps_while(start: Callable[[Callable[[], None]], None]) -> tuple[list[float], float]:
    """The gaps (sorted, s) of a 10 ms QTimer in the GUI thread from ``start(finished)`` — which
    starts the background work and arranges for ``finished()`` when it ends — to its end, and
    the seconds it took."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QEventLoop()
    timer.start()
    started = time.perf_counter()
    ticks.append(started)
    start(loop.quit)
    QTimer.singleShot(600_000, loop.quit)
    loop.exec()
    ended = time.perf_counter()
    ticks.append(ended)
    timer.stop()
    for _ in range(3):
        QApplication.processEvents()
    return sorted(b - a for a, b in zip(ticks, ticks[1:])), ended - started


def _stall(name: str, gaps: list[float], what: str) -> Figure:
    return Figure(name, gaps[-1] * 1000, "ms",
                  f"10 ms timer, {len(gaps)} ticks while {what}; "
                  f"p99 gap {gaps[min(len(gaps) - 1, round(0.99 * len(gaps)))] * 1000:.0f} ms",
                  "<= 100")


def job_gui_stall(ctx: Context) -> list[Figure]:
    """The longest gap of a 10 ms QTimer while MainWindow.import_files runs in the background."""
    corpus = generate.short_texts(ctx.size, ctx.cache, ctx.size.stall_texts)
    window = _window(ctx, str(ctx.scratch()))
    reports: list[Any] = []

    def start(finished: Callable[[], None]) -> None:
        window.import_finished.connect(lambda r: (reports.append(r), finished()))
        if window.import_files([str(corpus)], ner=False) is None:
            raise RuntimeError("MainWindow.import_files did not start")

    gaps, seconds = _gaps_while(start)
    window.close()
    report = reports[0] if reports else None
    if report is None or not report.ok:
        raise RuntimeError(f"the background import failed: {report}")
    return [_stall("import_stall_max", gaps, f"{report.articles_added:,} texts imported (no NER) "
                   f"into {Path(ctx.scratch()).name} in {seconds:.1f} s")]


def job_gui_export_stall(ctx: Context) -> list[Figure]:
    """The longest gap of a 10 ms QTimer while File → Export writes the big project's native
    jsonl in the background (with its worker processes where the export uses them)."""
    from ui.export_dialog import ExportDialog

    window = _window(ctx, ctx.big().path)
    dialog = ExportDialog(window.session.project, window.settings, window)
    out = ctx.work / "gui_export.jsonl"
    out.unlink(missing_ok=True)
    dialog.out.setText(str(out))

    def start(finished: Callable[[], None]) -> None:
        task = dialog.start_export()
        if task is None:
            raise RuntimeError(f"the export did not start: {dialog.problem_text()}")
        task.done.connect(finished)

    gaps, seconds = _gaps_while(start)
    result = dialog.result
    dialog.close()
    window.close()
    if result is None or not result.ok:
        raise RuntimeError(f"the background export failed: {dialog.error}")
    out.unlink(missing_ok=True)
    return [_stall("export_stall_max", gaps, f"File → Export wrote {result.rows:,} rows (native "
                   f"jsonl) in {seconds:.1f} s")]


def job_gui_review(ctx: Context) -> list[Figure]:
    """Review → Review and adjudicate… on the big project: the seconds from the click until the
    queue, the report and the charts are in, the longest stall of the window meanwhile, and the
    process's peak RSS after it (models not loaded)."""
    import resource

    from ui.review import ReviewWindow, open_review_window

    window = _window(ctx, ctx.big().path)
    review: list[ReviewWindow] = []
    queued: list[float] = []

    def start(finished: Callable[[], None]) -> None:
        started = time.perf_counter()
        opened = open_review_window(window, ctx.big().path, "bench")
        assert isinstance(opened, ReviewWindow)
        review.append(opened)
        opened.queue_loaded.connect(lambda: queued.append(time.perf_counter() - started))
        opened.computed.connect(finished)

    gaps, seconds = _gaps_while(start)
    if not review or review[0].result is None:
        raise RuntimeError("the review window did not compute its report")
    result = review[0].result
    rows = review[0].adjudicate.model.rowCount()
    review[0].close()
    window.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [Figure("review_queue_ready", queued[0] if queued else None, "s",
                   "the same until the adjudication queue is shown (the report and charts follow)"),
            Figure("review_ready", seconds, "s",
                   f"Review window on {result.report.labelled:,} labelled sentences: queue "
                   f"({rows:,} shown), report (bootstrap {result.report.bootstrap}) and charts"),
            _stall("review_stall_max", gaps, f"the Review window read and computed in "
                   f"{seconds:.1f} s"),
            Figure("review_peak_rss", peak, "MiB", "the window's process after the review")]


JOBS = {"gui_open": job_gui_open, "gui_switch": job_gui_switch, "gui_stall": job_gui_stall,
        "gui_export_stall": job_gui_export_stall, "gui_review": job_gui_review}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "open":
        sys.exit(probe_open(sys.argv[2]))
    sys.exit(f"usage: {sys.argv[0]} open PROJECT")
