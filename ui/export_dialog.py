"""The Export dialog: ``annotator export``'s options, a background run with Cancel, what it wrote."""
from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from annotator.export import (
    ExportError,
    ExportOptions,
    ExportResult,
    LabelCounts,
    export,
    exporter_class,
    formats,
)
from annotator.export.guard import ForeignOutput, check_output
from annotator.progress import Progress
from annotator.project import Project

from . import theme
from .richtext import tooltip
from .worker import BackgroundTask, run_in_background
from . import file_dialogs
from . import messages

#: What each ``--labels`` mode is called in the dialog.
LABEL_MODES: tuple[tuple[str, str], ...] = (
    ("all", "Every annotator's label"),
    ("gold", "Adjudicated (gold) labels"),
    ("majority", "Majority vote of the annotators"),
)
SETTINGS_GROUP = "export"
MAX_FILES_SHOWN = 20


def _counts_html(counts: LabelCounts) -> str:
    def listing(counter: Any) -> str:
        return ", ".join(f"{html.escape(str(k))} {v}" for k, v in sorted(counter.items())) or "none"

    return (f"{counts.labels} labels on {counts.sentences} sentences<br>"
            f"frames: {listing(counts.frames)}<br>stance: {listing(counts.stance)}<br>"
            f"irrelevant: {counts.irrelevant}")


def result_html(result: ExportResult, labels: str) -> str:
    """What an export wrote, as escaped HTML: files, rows, label counts, splits, ties, notes."""
    e = html.escape
    n_files = len(result.files)
    parts = [
        "<style>td, th { padding: 1px 12px 1px 0; text-align: left; vertical-align: top; }</style>",
        f"<p><b>Wrote {e(result.out)}</b> ({e(result.format)}): {n_files} file"
        f"{'' if n_files == 1 else 's'}, <b>{result.rows} rows</b> from {result.articles} articles"
        f" ({result.sentences} sentences) in {result.seconds:.1f} s.</p>",
    ]
    if result.files and result.files != [result.out]:
        shown = "".join(f"<li>{e(os.path.relpath(f, result.out))}</li>"
                        for f in result.files[:MAX_FILES_SHOWN])
        more = (f"<li>… and {n_files - MAX_FILES_SHOWN} more</li>"
                if n_files > MAX_FILES_SHOWN else "")
        parts.append(f"<p>Files:</p><ul style='margin-top:0'>{shown}{more}</ul>")
    parts.append(f"<p><b>Labels</b> ({e(labels)}):<br>{_counts_html(result.counts)}</p>")
    if result.splits:
        rows = "".join(
            f"<tr><td>{e(name)}</td><td>{split['articles']}</td><td>{split['sentences']}</td>"
            f"<td>{result.split_counts[name].labels}</td></tr>"
            for name, split in result.splits.items())
        parts.append("<p><b>Splits</b> (whole articles):</p><table><tr><th>split</th>"
                     f"<th>articles</th><th>sentences</th><th>labels</th></tr>{rows}</table>")
    if result.tied_sentences:
        examples = "".join(f"<li>{e(x)}</li>" for x in result.tie_examples[:5])
        parts.append(f"<p>{result.tied_sentences} sentences have tied fields, left unresolved,"
                     f" e.g.:</p><ul style='margin-top:0'>{examples}</ul>")
    if result.unresolved_fields:
        parts.append(f"<p>{result.unresolved_fields} fields had a majority below the minimum"
                     " agreement and were left unresolved.</p>")
    for note in result.notes:
        parts.append(f"<p>Note: {e(note)}</p>")
    return "".join(parts)


class ExportDialog(QDialog):
    """File → Export…: choose a format, labels, filters, split and output; export in the background.

    The worker exports from the project *path* (``export`` opens its own Project in the thread).
    The choices are remembered in QSettings for the next time.
    """

    export_finished = Signal(object)  # ExportResult (cancelled or not), or None after an error

    def __init__(self, project: Project, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle("Export labels")
        self.project_path = project.path
        self.settings = settings
        self.task: BackgroundTask | None = None
        self.result: ExportResult | None = None
        self.error: str | None = None
        self._close_when_done = False
        self._auto_out = True  # the output path is our suggestion (it follows the format)
        self._labels_mode = "all"  # of the export running or last run

        layout = QVBoxLayout(self)
        boxes = (self._output_box(), self._labels_box(project), self._articles_box(project),
                 self._split_box())
        for box in boxes:  # the report below takes the room; the options never get squeezed
            box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        output, labels, articles, split = boxes
        layout.addWidget(output)
        middle = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(labels)
        left.addStretch(1)
        middle.addLayout(left, 1)
        side = QVBoxLayout()
        side.addWidget(articles)
        side.addWidget(split)
        side.addStretch(1)
        middle.addLayout(side, 1)
        layout.addLayout(middle)
        self.problem = QLabel()
        self.problem.setObjectName("export_problem")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)
        self.problem.setProperty("role", "error")
        layout.addWidget(self.problem)
        self.report = QTextBrowser()
        self.report.setObjectName("export_report")
        self.report.setOpenLinks(False)
        self.report.setMinimumHeight(160)
        self.report.hide()
        layout.addWidget(self.report, 1)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("export_button")
        self.reveal_button = self.buttons.addButton("Show files",
                                                    QDialogButtonBox.ButtonRole.ActionRole)
        self.reveal_button.setToolTip("Open the folder the export was written to")
        self.reveal_button.hide()
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self._export_clicked)
        self.reveal_button.clicked.connect(self._reveal)
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)

        self._restore()
        for signal in (self.format.currentIndexChanged, self.labels.currentIndexChanged,
                       self.annotator.currentIndexChanged, self.split_box.toggled,
                       self.train.valueChanged, self.validation.valueChanged,
                       self.test.valueChanged, self.out.textChanged):
            signal.connect(self._validate)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.labels.currentIndexChanged.connect(self._labels_changed)
        self.out.textEdited.connect(lambda _t: setattr(self, "_auto_out", False))
        self._format_changed()
        self._labels_changed()
        self.resize(self.sizeHint().width() + 40, self.sizeHint().height())

    # -- the option boxes --------------------------------------------------------------------------

    def _output_box(self) -> QGroupBox:
        box = QGroupBox("Output")
        form = QFormLayout(box)
        self.format = QComboBox()
        self.format.setObjectName("export_format")
        for name, title in formats():
            self.format.addItem(name, name)
            self.format.setItemData(self.format.count() - 1, tooltip(title),
                                    Qt.ItemDataRole.ToolTipRole)
        self.format_help = QLabel()
        self.format_help.setTextFormat(Qt.TextFormat.PlainText)
        self.format_help.setWordWrap(True)
        self.format_help.setProperty("role", "muted")
        self.out = QLineEdit()
        self.out.setObjectName("export_out")
        self.out.setMinimumWidth(380)
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose_out)
        row = QHBoxLayout()
        row.addWidget(self.out, 1)
        row.addWidget(choose)
        chooser = QVBoxLayout()
        chooser.setSpacing(2)
        chooser.addWidget(self.format)
        chooser.addWidget(self.format_help)
        form.addRow("Format:", chooser)
        self.out_label = QLabel("Save to:")
        form.addRow(self.out_label, row)
        return box

    def _labels_box(self, project: Project) -> QGroupBox:
        box = QGroupBox("Labels")
        form = QFormLayout(box)
        self.labels = QComboBox()
        self.labels.setObjectName("export_labels")
        for mode, text in LABEL_MODES:
            self.labels.addItem(text, mode)
        self.min_agreement = QDoubleSpinBox()
        self.min_agreement.setRange(0.05, 1.0)
        self.min_agreement.setSingleStep(0.05)
        self.min_agreement.setDecimals(2)
        self.min_agreement.setValue(0.5)
        self.min_agreement.setToolTip("Share of the votes a value needs to win (ties never win)")
        self.annotator = QComboBox()
        self.annotator.setObjectName("export_annotator")
        self.annotator.addItem("All annotators", None)
        for name in project.annotators():
            self.annotator.addItem(name, name)
        self.annotator.setToolTip("Only this annotator's labels (with every annotator's label:"
                                  " the resolved label is theirs)")
        self.include_unlabelled = QCheckBox("Include unlabelled sentences")
        self.include_boilerplate = QCheckBox("Include boilerplate sentences")
        form.addRow("Labels:", self.labels)
        form.addRow("Minimum agreement:", self.min_agreement)
        form.addRow("Annotator:", self.annotator)
        form.addRow(self.include_unlabelled)
        form.addRow(self.include_boilerplate)
        return box

    def _articles_box(self, project: Project) -> QGroupBox:
        box = QGroupBox("Articles")
        form = QFormLayout(box)
        self.lang = QComboBox()
        self.lang.setObjectName("export_lang")
        self.lang.addItem("All languages", None)
        for code, n in project.languages().items():
            self.lang.addItem(f"{code} ({n})", code)
        self.outlet = QComboBox()
        self.outlet.setObjectName("export_outlet")
        self.outlet.addItem("All outlets", None)
        for name in project.outlets():
            self.outlet.addItem(name, name)
        form.addRow("Language:", self.lang)
        form.addRow("Outlet:", self.outlet)
        return box

    def _split_box(self) -> QGroupBox:
        self.split_box = QGroupBox("Split by article")
        self.split_box.setObjectName("export_split")
        self.split_box.setCheckable(True)
        self.split_box.setChecked(False)
        form = QFormLayout(self.split_box)
        self.train, self.validation, self.test = (self._percent(v) for v in (80, 10, 10))
        self.validation.setToolTip("0: two splits, train and test")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("The same articles, ratios and seed give the same split")
        form.addRow("Train:", self.train)
        form.addRow("Validation:", self.validation)
        form.addRow("Test:", self.test)
        form.addRow("Seed:", self.seed)
        return self.split_box

    def _percent(self, value: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(0, 100)
        spin.setSuffix(" %")
        spin.setValue(value)
        return spin

    # -- reacting to choices -----------------------------------------------------------------------

    @property
    def format_name(self) -> str:
        return str(self.format.currentData())

    def _format_changed(self) -> None:
        cls = exporter_class(self.format_name)
        help_text = cls.title[:1].upper() + cls.title[1:] + "."
        if cls.default_split:
            ratios = "/".join(f"{round(r * 100)}" for r in cls.default_split)
            help_text += f" Always split; {ratios} unless you choose a split."
        if cls.single_label:
            help_text += " One label per sentence: gold, majority or one annotator."
        self.format_help.setText(help_text)
        self.out_label.setText("Folder:" if cls.folder else "File:")
        current = self.out.text().strip()
        if self._auto_out or not current:
            self.out.setText(str(self._suggested_out()))
            self._auto_out = True
        else:  # the user's own path: keep its name, give it this format's suffix
            path = Path(current)
            self.out.setText(str(path.with_suffix("" if cls.folder else cls.suffix)))
        self._validate()

    def _suggested_out(self) -> Path:
        cls = exporter_class(self.format_name)
        folder = str(self.settings.value(f"{SETTINGS_GROUP}/folder", "") or "")
        base = Path(folder) if folder and Path(folder).is_dir() else Path(self.project_path).parent
        name = f"{Path(self.project_path).stem}-{self.format_name}"
        return base / (name if cls.folder else name + cls.suffix)

    def _labels_changed(self) -> None:
        self.min_agreement.setEnabled(self.labels.currentData() == "majority")

    def _choose_out(self) -> None:
        cls = exporter_class(self.format_name)
        current = self.out.text().strip() or str(self._suggested_out())
        if cls.folder:
            caption = "Export to a new or empty folder (or an earlier export, replaced whole)"
            filters = "Folder (*)"
        else:
            caption = "Export to a file"
            filters = f"{self.format_name} (*{cls.suffix});;All files (*)"
        path = file_dialogs.save_file_name(self, caption, current, filters, "export")
        if path:
            if not cls.folder and not Path(path).suffix:
                path += cls.suffix
            self.out.setText(path)
            self._auto_out = False

    def options(self) -> ExportOptions:
        """The chosen options (may fail :meth:`ExportOptions.check`)."""
        annotator = self.annotator.currentData()
        return ExportOptions(
            labels=str(self.labels.currentData()),
            min_agreement=self.min_agreement.value(),
            include_unlabelled=self.include_unlabelled.isChecked(),
            include_boilerplate=self.include_boilerplate.isChecked(),
            annotators=(annotator,) if annotator else (),
            lang=self.lang.currentData(),
            outlet=self.outlet.currentData(),
            split=self._split(),
            seed=self.seed.value(),
        )

    def _split(self) -> tuple[float, ...] | None:
        if not self.split_box.isChecked():
            return None
        train, validation, test = (s.value() / 100 for s in (self.train, self.validation, self.test))
        return (train, test) if validation == 0 else (train, validation, test)

    def problem_text(self) -> str:
        """Why the current choices cannot be exported ('' when they can)."""
        if not self.out.text().strip():
            return "Choose where to save the export."
        if self.split_box.isChecked():
            total = self.train.value() + self.validation.value() + self.test.value()
            if total != 100:
                return f"The split adds up to {total} %, not 100 %."
        cls = exporter_class(self.format_name)
        if cls.single_label and self.labels.currentData() == "all" and not self.annotator.currentData():
            return (f"{self.format_name} holds one label per sentence: choose gold or majority"
                    " labels, or one annotator.")
        try:
            self.options().check()
        except ExportError as exc:
            return str(exc)
        return ""

    def _validate(self) -> None:
        problem = self.problem_text()
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.export_button.setEnabled(not problem and self.task is None)

    # -- settings ------------------------------------------------------------------------------------

    def _restore(self) -> None:
        s, g = self.settings, SETTINGS_GROUP

        def choose(combo: QComboBox, key: str) -> None:
            value = s.value(f"{g}/{key}")
            i = combo.findData(value) if value not in (None, "") else -1
            if i >= 0:
                combo.setCurrentIndex(i)

        choose(self.format, "format")
        choose(self.labels, "labels")
        choose(self.annotator, "annotator")
        choose(self.lang, "lang")
        choose(self.outlet, "outlet")
        self.min_agreement.setValue(s.value(f"{g}/min_agreement", 0.5, type=float))
        self.include_unlabelled.setChecked(s.value(f"{g}/include_unlabelled", False, type=bool))
        self.include_boilerplate.setChecked(s.value(f"{g}/include_boilerplate", False, type=bool))
        self.split_box.setChecked(s.value(f"{g}/split", False, type=bool))
        for spin, key in ((self.train, "train"), (self.validation, "validation"),
                          (self.test, "test")):
            spin.setValue(s.value(f"{g}/{key}", spin.value(), type=int))
        self.seed.setValue(s.value(f"{g}/seed", 0, type=int))

    def save_choices(self) -> None:
        s, g = self.settings, SETTINGS_GROUP
        s.setValue(f"{g}/format", self.format_name)
        s.setValue(f"{g}/labels", self.labels.currentData())
        s.setValue(f"{g}/annotator", self.annotator.currentData() or "")
        s.setValue(f"{g}/lang", self.lang.currentData() or "")
        s.setValue(f"{g}/outlet", self.outlet.currentData() or "")
        s.setValue(f"{g}/min_agreement", self.min_agreement.value())
        s.setValue(f"{g}/include_unlabelled", self.include_unlabelled.isChecked())
        s.setValue(f"{g}/include_boilerplate", self.include_boilerplate.isChecked())
        s.setValue(f"{g}/split", self.split_box.isChecked())
        s.setValue(f"{g}/train", self.train.value())
        s.setValue(f"{g}/validation", self.validation.value())
        s.setValue(f"{g}/test", self.test.value())
        s.setValue(f"{g}/seed", self.seed.value())
        out = self.out.text().strip()
        if out:
            s.setValue(f"{g}/folder", str(Path(out).expanduser().parent))

    # -- running -------------------------------------------------------------------------------------

    def _export_clicked(self) -> None:
        """Check the output first (the core's refusals, shown as they are), then ask before
        replacing an earlier export, or — only on a clear Yes — a file an export did not write."""
        out = Path(self.out.text().strip()).expanduser()
        overwrite = False
        try:
            check_output(out, exporter_class(self.format_name).folder, self.project_path)
        except ForeignOutput:
            answer = messages.ask(
                self, "Replace a file?", f"{out} was not written by an export. Replace it with"
                " the export anyway? Its content will be lost.")
            if answer != messages.Button.Yes:
                return
            overwrite = True
        except ExportError as exc:
            self.error = str(exc)
            self._show_message(f"Not exported: {exc}", error=True)
            return
        else:
            if out.exists():
                what = "folder" if out.is_dir() else "file"
                answer = messages.ask(self, "Replace?", f"{out} holds an earlier export."
                                      f" Replace the {what}?", default=messages.Button.Yes)
                if answer != messages.Button.Yes:
                    return
        self.start_export(overwrite)

    def start_export(self, overwrite: bool = False) -> BackgroundTask | None:
        """Export with the current choices in a worker thread; None when they are not valid.
        ``overwrite``: the user agreed to replace a file an export did not write."""
        problem = self.problem_text()
        if problem or self.task is not None:
            return None
        self.save_choices()
        path, out, fmt, options = (self.project_path, str(Path(self.out.text().strip()).expanduser()),
                                   self.format_name, self.options())

        def work(progress: Progress) -> ExportResult:
            # Opens its own Project by path; refuses any OUT the core refuses.
            return export(path, out, fmt, options, progress, overwrite=overwrite)

        self.result, self.error = None, None
        self._labels_mode = options.labels
        if not self.report.isHidden():
            self.report.setPlainText("Exporting…")
        self.reveal_button.hide()
        self.task = run_in_background(self, work, self._done, self._failed, title="Exporting")
        self._validate()
        return self.task

    def _done(self, result: ExportResult | None) -> None:
        self.task = None
        self._validate()
        if result is None or result.cancelled:
            self._show_message(f"Export cancelled; nothing was written ({self.out.text().strip()}"
                               " is as it was).")
        else:
            self.result = result
            self.report.setHtml(result_html(result, self._labels_mode))
            self._show_report()
            self.reveal_button.show()
        self.export_finished.emit(result)
        self._close_if_asked()

    def _failed(self, exc: BaseException, details: str) -> None:
        self.task = None
        self._validate()
        if isinstance(exc, (ExportError, OSError)):
            self.error = str(exc)
            self._show_message(f"Not exported: {exc}", error=True)
        else:
            self.error = f"{type(exc).__name__}: {exc}"
            self._show_message(f"The export failed: {self.error}", error=True)
            box = messages.error_box(self, "Export failed", self.error, details)
            box.open()
        self.export_finished.emit(None)
        self._close_if_asked()

    def _show_message(self, text: str, error: bool = False) -> None:
        colour = theme.hex("error") if error else theme.hex("muted")
        self.report.setHtml(f"<p style='color:{colour}'>{html.escape(text)}</p>")
        self._show_report()

    def _show_report(self) -> None:
        if self.report.isHidden():
            self.report.show()
            self.resize(self.width(), self.height() + self.report.minimumHeight() + 60)

    def _reveal(self) -> None:
        if self.result is not None:
            out = Path(self.result.out)
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(out if out.is_dir() else out.parent)))

    # -- closing -------------------------------------------------------------------------------------

    def _close_if_asked(self) -> None:
        if self._close_when_done:
            self._close_when_done = False
            super().reject()

    def reject(self) -> None:
        """Close; a running export is cancelled first (it leaves no partial output)."""
        if self.task is not None:
            self._close_when_done = True
            self.task.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.task is not None:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)
