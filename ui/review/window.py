"""The Review window: adjudication, the agreement report and the charts, over one project file."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QThreadPool, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.bulk import many_objects, thaw
from annotator.model import GOLD_ANNOTATOR
from annotator.progress import Progress
from annotator.project import Project
from annotator.review import (
    ALL_ANNOTATORS,
    AgreementReport,
    Confusion,
    Distribution,
    OutletComparison,
    ProjectLabels,
    ReviewQueue,
    agreement_report,
    label_distribution,
    outlet_comparison,
    progress_series,
    read_project,
    review_queue,
    stance_confusion,
)
from annotator.review.coded import LabelArrays, read_arrays
from ui.worker import BackgroundTask, run_in_background
from ui import file_dialogs
from ui import messages, theme

from .adjudicate import AdjudicationView, article_titles
from .charts import (
    AgreementChart,
    ChartPanel,
    ConfusionChart,
    DistributionChart,
    OutletChart,
    ProgressChart,
)


@dataclass
class Computed:
    """What the background job hands back to the GUI thread (plain data only)."""

    data: ProjectLabels
    arrays: LabelArrays  # the same labels as arrays (what the confusion chart is counted from)
    report: AgreementReport
    report_text: str  # report.text(): ~0.15 s on a big project, made in the background
    distribution: Distribution
    progress: dict[str, tuple[list[float], list[int]]]
    confusion: Confusion | None  # of the pair asked for (or the first two annotators)
    outlets: OutletComparison  # of the labels asked for (or all annotators')


@dataclass
class Loaded:
    """The adjudication queue, handed to the GUI thread as soon as it is built."""

    data: ProjectLabels
    queue: ReviewQueue
    titles: dict[str, str]  # article id -> title


def compute(path: str, n_boot: int, seed: int, progress: Progress,
            pair: tuple[str, str] | None = None, source: str = ALL_ANNOTATORS,
            on_queue: Callable[[Loaded], None] | None = None) -> Computed:
    """Runs in a worker thread: opens its own connection (sqlite objects belong to one thread).
    Everything the window shows of a project's labels, from one reading of them (the report
    from the store's arrays: the same report as from the units, without building it twice).
    ``on_queue``: given the adjudication queue as soon as it is built (from this thread: a
    signal's ``emit``), before the report and the charts."""
    # Millions of objects on a big project: built without the cyclic collector's full passes,
    # which held the GIL for seconds (the window froze); the window thaws them when it closes.
    with many_objects():
        progress.update(0, 0, "reading the labels")
        with Project.open(path) as project:
            data = read_project(project, progress)
            if on_queue is not None:
                progress.update(0, 0, "the review queue")
                on_queue(Loaded(data, ReviewQueue(review_queue(data)), article_titles(data)))
            progress.update(0, 0, "the agreement")
            names = [a for a in data.annotators if a != GOLD_ANNOTATOR]
            if pair is None or not set(pair) <= set(names):
                pair = (names[0], names[1]) if len(names) >= 2 else None
            arrays = read_arrays(project)
            report = agreement_report(project, n_boot=n_boot, seed=seed, progress=progress,
                                      arrays=arrays)
        if source not in (ALL_ANNOTATORS, GOLD_ANNOTATOR, *names):
            source = ALL_ANNOTATORS
        progress.update(0, 0, "charts")
        distribution, series = label_distribution(data), progress_series(data)
        confusion = stance_confusion(arrays, *pair) if pair is not None else None
        outlets = outlet_comparison(data, source)
        progress.check()
        return Computed(data, arrays, report, report.text(), distribution, series, confusion,
                        outlets)


def outlets_of(path: str, data: ProjectLabels, source: str) -> OutletComparison:
    """Runs in a worker thread: the outlet comparison of ``source``'s labels; the gold labels
    read again (the reviewer changes them while the window is open)."""
    if source == GOLD_ANNOTATOR:
        with Project.open(path) as project:
            gold = {lab.sentence_id: lab for lab in project.labels(annotator=GOLD_ANNOTATOR)}
        data = replace(data, gold=gold)
    return outlet_comparison(data, source)


class ReviewWindow(QMainWindow):
    computed = Signal()  # the report and charts show fresh results
    queue_loaded = Signal()  # the adjudication queue is shown
    _queue_built = Signal(object)  # a Loaded, from the job's thread

    def __init__(self, project_path: str, reviewer: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        reviewer = reviewer.strip()
        if not reviewer or reviewer == GOLD_ANNOTATOR:
            raise ValueError("the reviewer needs a name (not 'gold')")
        self.project = Project.open(project_path)
        self.reviewer = reviewer
        self.result: Computed | None = None
        self.task: BackgroundTask | None = None
        self.chart_tasks: dict[str, BackgroundTask] = {}  # chart name -> its job (one at a time)
        self._drawing = 0  # the result being drawn, chart by chart (see _show_result)
        self._closed = False
        self._stale = False
        self.setWindowTitle(f"Review — {Path(project_path).name} — {reviewer}")

        self.tabs = QTabWidget()
        self.adjudicate = AdjudicationView(self.project, reviewer)
        self.adjudicate.message.connect(lambda m: self.statusBar().showMessage(m, 6000))
        self.adjudicate.gold_changed.connect(self._gold_changed)
        self.tabs.addTab(self.adjudicate, "Adjudicate")
        self.tabs.addTab(self._report_tab(), "Agreement")
        self.charts = QTabWidget()
        self.distribution_chart = DistributionChart()
        self.agreement_chart = AgreementChart()
        self.confusion_chart = ConfusionChart()
        self.progress_chart = ProgressChart()
        self.outlet_chart = OutletChart()
        for chart, name in ((self.agreement_chart, "Agreement"),
                            (self.distribution_chart, "Distributions"),
                            (self.confusion_chart, "Confusion"),
                            (self.progress_chart, "Progress"),
                            (self.outlet_chart, "Outlets")):
            self.charts.addTab(chart, name)
            chart.exported.connect(lambda p: self.statusBar().showMessage(f"Saved {p}", 6000))
        self.confusion_chart.pair_changed.connect(self._show_confusion)
        self.outlet_chart.source_changed.connect(self._show_outlets)
        self.tabs.addTab(self.charts, "Charts")
        from annotator.suggest.service import model_info
        from .model_tab import ModelTab

        self.model_tab = ModelTab()
        self.model_tab.set_info(model_info(self.project))
        self.model_tab.chart.exported.connect(
            lambda p: self.statusBar().showMessage(f"Saved {p}", 6000))
        self.tabs.addTab(self.model_tab, "Model")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.setCentralWidget(self.tabs)
        # Ctrl+Tab / Ctrl+Shift+Tab (and Ctrl+PgDown / PgUp) switch the window's tabs wherever
        # the focus is: a table or a chart's own tabs would otherwise keep the keys.
        for keys, delta in ((("Ctrl+Tab", "Ctrl+PgDown"), +1),
                            (("Ctrl+Shift+Tab", "Ctrl+Backtab", "Ctrl+PgUp"), -1)):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
                shortcut.activated.connect(lambda d=delta: self._step_tab(d))
        theme.changed().connect(self._theme_changed)

        self.busy = QProgressBar()
        self.busy.setMaximumWidth(200)
        self.busy.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        for w in (self.busy, self.cancel_button):
            w.hide()
            self.statusBar().addPermanentWidget(w)

        # Everything is read in the background (on a big project, tens of seconds): the queue
        # says so meanwhile, and the window can be used (and closed) from the start.
        self.adjudicate.show_loading()
        self.adjudicate.focus_queue()
        self._queue_built.connect(self._load_queue)  # queued: the job emits from its thread
        self.recompute(queue=True)
        self.resize(1280, 800)

    def _report_tab(self) -> QWidget:
        tab = QWidget()
        self.bootstrap = QSpinBox()
        self.bootstrap.setRange(0, 100000)
        self.bootstrap.setValue(1000)
        self.bootstrap.setSingleStep(500)
        self.bootstrap.setToolTip("Bootstrap resamples for the 95% intervals (0: none)")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        recompute = QPushButton("Recompute")
        recompute.clicked.connect(self.recompute)
        save = QPushButton("Save report…")
        save.clicked.connect(self._save_report)
        row = QHBoxLayout()
        row.addWidget(QLabel("Bootstrap resamples:"))
        row.addWidget(self.bootstrap)
        row.addWidget(QLabel("seed:"))
        row.addWidget(self.seed)
        row.addWidget(recompute)
        row.addStretch(1)
        row.addWidget(save)
        self.report_text = QPlainTextEdit()
        self.report_text.setReadOnly(True)
        self.report_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.report_text.setFont(font)
        self.report_text.setPlainText("Computing…")
        layout = QVBoxLayout(tab)
        layout.addLayout(row)
        layout.addWidget(self.report_text, 1)
        return tab

    # -- background work ----------------------------------------------------------------------------

    @property
    def busy_computing(self) -> bool:
        return self.task is not None

    def recompute(self, queue: bool | None = None) -> None:
        """Recompute report and charts in the background (a running job is cancelled first);
        ``queue``: also the adjudication queue (by default only while it has not been loaded)."""
        if self.task is not None:
            self.task.progress.cancel()
        if queue is None:
            queue = self.adjudicate.data is None
        path, n_boot, seed = self.project.path, self.bootstrap.value(), self.seed.value()
        chart = self.confusion_chart
        first, second = chart.first.currentText(), chart.second.currentText()
        pair = (first, second) if first and second else None
        source = self.outlet_chart.source.currentText() or ALL_ANNOTATORS
        self._stale = False
        built = self._queue_built.emit if queue else None
        task = run_in_background(self, lambda progress: compute(path, n_boot, seed, progress, pair,
                                                                source, built),
                                 on_success=lambda r: self._computed(task, r),
                                 on_error=lambda e, d: self._failed(task, e, d),
                                 title="Computing agreement", show_dialog=False)
        self.task = task
        task.progressed.connect(self._progressed)
        self.busy.setRange(0, 0)
        self.busy.show()
        self.cancel_button.show()
        self.statusBar().showMessage("Computing agreement and charts…")

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _progressed(self, value: int, maximum: int, message: str) -> None:
        if value < 0:  # no total (reading the labels): Qt's busy bar
            self.busy.setRange(0, 0)
        else:
            self.busy.setRange(0, maximum)
            self.busy.setValue(value)
        if message:
            self.statusBar().showMessage(f"Computing agreement and charts: {message}…")

    def _finished(self, task: BackgroundTask) -> bool:
        """True when ``task`` is the current job (an older, superseded one is ignored)."""
        if task is not self.task:
            return False
        self.task = None
        self.busy.hide()
        self.cancel_button.hide()
        return True

    def _computed(self, task: BackgroundTask, result: Computed | None) -> None:
        if not self._finished(task):
            return
        if result is None:
            self.statusBar().showMessage("Cancelled.", 6000)
            return
        self.result = result
        units = result.report.units

        def shown() -> None:
            self.statusBar().showMessage(f"Agreement computed: {units} units.", 6000)
            self.computed.emit()

        self._show_result(result, shown)

    def _load_queue(self, loaded: Loaded) -> None:
        if self.adjudicate.data is not None or self._closed:  # late: an older job's, or closing
            return
        self.adjudicate.load(loaded.data, loaded.queue, loaded.titles)
        self.adjudicate.focus_queue()
        self.statusBar().showMessage("The queue is ready; computing agreement and charts…")
        self.queue_loaded.emit()

    def _show_result(self, result: Computed, then: Callable[[], None] | None = None) -> None:
        """The report, then the charts one per turn of the event loop (on a big project each
        takes up to ~0.1 s: drawn together they stalled the window), then ``then()``."""
        self.report_text.setPlainText(result.report_text)
        names = list(result.report.annotators)

        def confusion() -> None:
            if "confusion" in self.chart_tasks:  # the user's newer choice is on its way
                return
            self.confusion_chart.set_annotators(names)
            if result.confusion is not None:
                self.confusion_chart.set_pair(result.confusion.a, result.confusion.b)
                self.confusion_chart.set_data(result.confusion)
            else:
                self.confusion_chart.show_message("A confusion matrix needs two annotators.")

        def outlets() -> None:
            if "outlets" not in self.chart_tasks:
                self.outlet_chart.set_sources([ALL_ANNOTATORS, GOLD_ANNOTATOR, *names],
                                              result.outlets.source)
                self.outlet_chart.set_data(result.outlets)

        steps = [lambda: self.agreement_chart.set_data(result.report),
                 lambda: self.distribution_chart.set_data(result.distribution),
                 lambda: self.progress_chart.set_data(result.progress), confusion, outlets]
        self._drawing += 1
        self._draw(self._drawing, steps, then)

    def _draw(self, generation: int, steps: list[Callable[[], None]],
              then: Callable[[], None] | None) -> None:
        if generation != self._drawing:  # a newer result is being drawn
            return
        steps.pop(0)()
        if steps:
            QTimer.singleShot(0, self, lambda: self._draw(generation, steps, then))
        elif then is not None:
            then()

    def _theme_changed(self, _name: str) -> None:
        """Charts are drawn in the theme's colours: draw them again."""
        for panel in self.chart_panels().values():
            panel.graphics.setBackground(theme.hex("chart_bg"))
        if self.result is not None:
            self._show_result(self.result)

    def _step_tab(self, delta: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + delta) % self.tabs.count())

    def _failed(self, task: BackgroundTask, exc: BaseException, details: str) -> None:
        if not self._finished(task):
            return
        self.report_text.setPlainText(f"Could not compute the report: {exc}\n\n{details}")
        self.statusBar().showMessage(f"Failed: {exc}", 10000)

    def _show_confusion(self, a: str, b: str) -> None:
        """The pair chosen: its matrix, computed in the background (seconds on a big project)."""
        if self.result is None:
            return
        result = self.result

        def show(confusion: Confusion) -> None:
            result.confusion = confusion  # (drawn again so when the theme changes)
            self.confusion_chart.set_data(confusion)

        self._chart_job("confusion", self.confusion_chart,
                        lambda progress: stance_confusion(result.arrays, a, b), show)

    def _show_outlets(self, source: str) -> None:
        if self.result is None or not source:
            return
        result, path = self.result, self.project.path

        def show(outlets: OutletComparison) -> None:
            result.outlets = outlets
            self.outlet_chart.set_data(outlets)

        self._chart_job("outlets", self.outlet_chart,
                        lambda progress: outlets_of(path, result.data, source), show)

    def _chart_job(self, name: str, panel: ChartPanel, work: Callable[[Progress], Any],
                   show: Callable[[Any], Any]) -> None:
        """``work`` in the background, then ``show`` its answer on ``panel`` — unless another
        job for the same chart was started meanwhile (the last choice wins)."""
        if name in self.chart_tasks:
            self.chart_tasks[name].progress.cancel()
        panel.show_message("Computing…")

        def done(task: BackgroundTask, answer: Any) -> None:
            if self.chart_tasks.get(name) is task:
                del self.chart_tasks[name]
                if answer is not None:
                    show(answer)

        def failed(task: BackgroundTask, exc: BaseException, details: str) -> None:
            if self.chart_tasks.get(name) is task:
                del self.chart_tasks[name]
                panel.show_message(f"Could not compute this chart: {exc}")

        task = run_in_background(self, work, on_success=lambda a: done(task, a),
                                 on_error=lambda e, d: failed(task, e, d),
                                 title=f"Computing the {name} chart", show_dialog=False)
        self.chart_tasks[name] = task

    def _gold_changed(self, _sentence_id: int) -> None:
        self._stale = True

    def _tab_changed(self, index: int) -> None:
        if index > 0 and self._stale and self.task is None:
            self.recompute()

    def _save_report(self) -> None:
        if self.result is None:
            return
        path = file_dialogs.save_file_name(self, "Save agreement report", "agreement.txt",
                                           "Text (*.txt);;JSON (*.json)", "report")
        if not path:
            return
        report = self.result.report
        text = (json.dumps(report.as_dict(), ensure_ascii=False, indent=2)
                if path.endswith(".json") else self.result.report_text)
        Path(path).write_text(text + "\n", encoding="utf-8")
        self.statusBar().showMessage(f"Saved {path}", 6000)

    # -- for screenshots and tests ------------------------------------------------------------------

    def chart_panels(self) -> dict[str, ChartPanel]:
        return {"agreement": self.agreement_chart, "distribution": self.distribution_chart,
                "confusion": self.confusion_chart, "progress": self.progress_chart,
                "outlets": self.outlet_chart}

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closed = True
        tasks = [t for t in (self.task, *self.chart_tasks.values()) if t is not None]
        for task in tasks:
            task.progress.cancel()
        if tasks:
            # The jobs hold their own connections: let them end before this window's goes away.
            QThreadPool.globalInstance().waitForDone(30000)
        self.project.close()
        # Drop the labels read (gigabytes on a big project) whatever still refers to this
        # window, and let the collector see what compute() froze again.
        self.result = None
        self.adjudicate.unload()
        thaw()
        try:
            theme.changed().disconnect(self._theme_changed)
        except (RuntimeError, TypeError):
            pass
        super().closeEvent(event)


def open_review_window(parent: QWidget | None, project_path: str, reviewer: str) -> QWidget:
    """Open (and show) the Review window for ``project_path``; ``reviewer`` signs gold decisions."""
    try:
        window = ReviewWindow(project_path, reviewer, parent)
    except ValueError as exc:
        messages.warn(parent, "Review", str(exc))
        raise
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # it holds a project connection
    window.show()
    return window
