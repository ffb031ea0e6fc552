"""The Review window: adjudication, the agreement report and the charts, over one project file."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QThreadPool, Qt, Signal
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

from annotator.model import GOLD_ANNOTATOR
from annotator.progress import Progress
from annotator.project import Project
from annotator.review import (
    ALL_ANNOTATORS,
    AgreementReport,
    Distribution,
    OutletComparison,
    ProjectLabels,
    compute_agreement,
    label_distribution,
    outlet_comparison,
    progress_series,
    read_project,
    stance_confusion,
)
from ui.worker import BackgroundTask, run_in_background
from ui import file_dialogs
from ui import messages, theme

from .adjudicate import AdjudicationView
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
    report: AgreementReport
    distribution: Distribution
    progress: dict[str, tuple[list[float], list[int]]]


def compute(path: str, n_boot: int, seed: int, progress: Progress) -> Computed:
    """Runs in a worker thread: opens its own connection (sqlite objects belong to one thread)."""
    with Project.open(path) as project:
        data = read_project(project, progress)
    report = compute_agreement(data, n_boot=n_boot, seed=seed, progress=progress)
    return Computed(data, report, label_distribution(data), progress_series(data))


class ReviewWindow(QMainWindow):
    computed = Signal()  # the report and charts show fresh results

    def __init__(self, project_path: str, reviewer: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        reviewer = reviewer.strip()
        if not reviewer or reviewer == GOLD_ANNOTATOR:
            raise ValueError("the reviewer needs a name (not 'gold')")
        self.project = Project.open(project_path)
        self.reviewer = reviewer
        self.result: Computed | None = None
        self.task: BackgroundTask | None = None
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

        self.adjudicate.load(read_project(self.project))
        self.adjudicate.focus_queue()
        self.recompute()
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

    def recompute(self) -> None:
        """Recompute report and charts in the background (a running job is cancelled first)."""
        if self.task is not None:
            self.task.progress.cancel()
        path, n_boot, seed = self.project.path, self.bootstrap.value(), self.seed.value()
        self._stale = False
        task = run_in_background(self, lambda progress: compute(path, n_boot, seed, progress),
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

    def _progressed(self, value: int, maximum: int, _message: str) -> None:
        self.busy.setRange(0, maximum)
        self.busy.setValue(value)

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
        self._show_result(result)
        self.statusBar().showMessage(f"Agreement computed: {result.report.units} units.", 6000)
        self.computed.emit()

    def _show_result(self, result: Computed) -> None:
        self.report_text.setPlainText(result.report.text())
        self.agreement_chart.set_data(result.report)
        self.distribution_chart.set_data(result.distribution)
        self.progress_chart.set_data(result.progress)
        names = list(result.report.annotators)
        self.confusion_chart.set_annotators(names)
        if len(names) >= 2:
            self._show_confusion(names[0], names[1])
        else:
            self.confusion_chart.show_message("A confusion matrix needs two annotators.")
        sources = [ALL_ANNOTATORS, GOLD_ANNOTATOR, *names]
        current = self.outlet_chart.source.currentText() or ALL_ANNOTATORS
        self.outlet_chart.set_sources(sources, current if current in sources else ALL_ANNOTATORS)
        self._show_outlets(self.outlet_chart.source.currentText())

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
        if self.result is not None:
            self.confusion_chart.set_data(stance_confusion(self.result.data.units, a, b))

    def _show_outlets(self, source: str) -> None:
        if self.result is not None and source:
            self.outlet_chart.set_data(self._outlets(source))

    def _outlets(self, source: str) -> OutletComparison:
        assert self.result is not None
        data = self.result.data
        if source == GOLD_ANNOTATOR:  # gold changes as the reviewer works: read it fresh
            data = read_project(self.project)
        return outlet_comparison(data, source)

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
                if path.endswith(".json") else report.text())
        Path(path).write_text(text + "\n", encoding="utf-8")
        self.statusBar().showMessage(f"Saved {path}", 6000)

    # -- for screenshots and tests ------------------------------------------------------------------

    def chart_panels(self) -> dict[str, ChartPanel]:
        return {"agreement": self.agreement_chart, "distribution": self.distribution_chart,
                "confusion": self.confusion_chart, "progress": self.progress_chart,
                "outlets": self.outlet_chart}

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.task is not None:
            self.task.progress.cancel()
            # The job holds its own connection: let it end before this window's goes away.
            QThreadPool.globalInstance().waitForDone(30000)
        self.project.close()
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
