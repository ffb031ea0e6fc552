"""File → Merge annotations…: choose the files, merge them in a worker, show the MergeReports."""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from annotator.merge import MergeError, MergeReport, merge_project
from annotator.progress import Cancelled, Progress
from annotator.project import Project

from . import file_dialogs, theme
from .richtext import tooltip

MERGE_FILTER = "Projects and native exports (*.annot *.jsonl);;All files (*)"
#: Rows shown per table: a report can list thousands; the saved report has them all.
MAX_ROWS = 2000
_STEP = 1000  # progress units per file


@dataclass
class MergeOutcome:
    """One file's merge: its report, or why it could not be read at all."""

    source: str
    report: MergeReport | None = None
    error: str | None = None


def merge_files(project_path: str, paths: Sequence[str], add_articles: bool,
                progress: Progress) -> list[MergeOutcome]:
    """Merge ``paths`` one after the other into the project at ``project_path``.

    Runs in a worker thread: it opens its own Project. A cancel stops the file being merged
    after its current article (merged articles are kept) and skips the files after it.
    """
    outcomes: list[MergeOutcome] = []
    n = len(paths)
    with Project.open(project_path) as project:
        for i, path in enumerate(paths):
            name = Path(path).name

            def report(done: int, total: int, message: str, i: int = i, name: str = name) -> None:
                # Raises Cancelled once cancelled: merge_project stops after the current article.
                scaled = i * _STEP + (done * _STEP // total if total else 0)
                progress.update(scaled, n * _STEP, f"{name}: {message}" if message else name)

            try:
                result = merge_project(project, path, progress=report, add_articles=add_articles)
            except MergeError as exc:
                outcomes.append(MergeOutcome(str(path), error=str(exc)))
                continue
            except Cancelled:
                break
            outcomes.append(MergeOutcome(str(path), report=result))
            if result.cancelled:
                break
    return outcomes


class MergeDialog(QDialog):
    """Choose project files or native JSONL exports to merge, and whether to copy in articles."""

    def __init__(self, parent: QWidget | None = None, paths: Sequence[str] = ()) -> None:
        super().__init__(parent)
        self.setObjectName("merge_dialog")
        self.setWindowTitle("Merge annotations")
        self.resize(640, 360)
        layout = QVBoxLayout(self)
        intro = QLabel("Bring in the labels, entity edits and targets of other project files"
                       " (.annot) or native JSONL exports (jsonl or articles format). Another"
                       " annotator's label is never overwritten; when the same annotator labelled"
                       " a sentence in both, the newer label is kept and the pair is reported.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.files = QListWidget()
        self.files.setObjectName("merge_files")
        self.files.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        layout.addWidget(self.files, 1)
        row = QHBoxLayout()
        add = QPushButton("Add files…")
        add.clicked.connect(self._choose)
        self.remove = QPushButton("Remove")
        self.remove.clicked.connect(self._remove)
        row.addWidget(add)
        row.addWidget(self.remove)
        row.addStretch(1)
        layout.addLayout(row)
        self.add_articles = QCheckBox("Copy in articles this project does not have (else they are"
                                      " listed as not merged)")
        layout.addWidget(self.add_articles)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = self.buttons.addButton("Merge", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.files.itemSelectionChanged.connect(self._update)
        self.add_paths(paths)

    def _choose(self) -> None:
        paths = file_dialogs.open_file_names(self, "Files to merge", MERGE_FILTER, "merge")
        self.add_paths(paths)

    def add_paths(self, paths: Sequence[str]) -> None:
        known = set(self.paths())
        for p in paths:
            if p not in known:
                self.files.addItem(p)
                known.add(p)
        self._update()

    def _remove(self) -> None:
        for item in self.files.selectedItems():
            self.files.takeItem(self.files.row(item))
        self._update()

    def _update(self) -> None:
        self.merge_button.setEnabled(self.files.count() > 0)
        self.remove.setEnabled(bool(self.files.selectedItems()))

    def paths(self) -> list[str]:
        return [self.files.item(i).text() for i in range(self.files.count())]


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], name: str) -> QTableWidget:
    table = QTableWidget(min(len(rows), MAX_ROWS), len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    for r, row in enumerate(rows[:MAX_ROWS]):
        for c, value in enumerate(row):
            item = QTableWidgetItem("" if value is None else str(value))
            item.setToolTip(tooltip(item.text()))
            if isinstance(value, int):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    for c in range(len(headers)):
        header.resizeSection(c, min(header.sectionSize(c), 280))
    header.setStretchLastSection(True)
    return table


def _short_id(article_id: str) -> str:
    return article_id[:12]


def _n(count: int, word: str, plural: str | None = None) -> str:
    """'1 article', '3 articles'."""
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _when(stamp: str | None) -> str:
    """An ISO time stamp to the second, as people read it: '2024-03-04 09:12:55'."""
    return (stamp or "")[:19].replace("T", " ")


class MergeReportDialog(QDialog):
    """What a merge did, per file: counts, conflicts, what could not be merged and problems."""

    def __init__(self, outcomes: Sequence[MergeOutcome], title_of: Callable[[str], str],
                 parent: QWidget | None = None, cancelled: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("merge_report")
        self.outcomes = list(outcomes)
        reports = [o.report for o in self.outcomes if o.report is not None]
        cancelled = cancelled or any(r.cancelled for r in reports)
        self.setWindowTitle("Merge cancelled" if cancelled else "Merge finished")
        self.resize(900, 520)
        layout = QVBoxLayout(self)

        conflicts = [(o.source, c) for o in self.outcomes if o.report for c in o.report.conflicts]
        entity_conflicts = [(o.source, m) for o in self.outcomes if o.report
                            for m in o.report.mention_conflicts]
        missing = [(o.source, a) for o in self.outcomes if o.report
                   for a in o.report.missing_articles]
        unmatched = [(o.source, u) for o in self.outcomes if o.report
                     for u in o.report.unmatched_sentences]
        problems = [f"{o.source}: {o.error}" for o in self.outcomes if o.error] + [
            f"{o.source}: {i}" for o in self.outcomes if o.report for i in o.report.issues]

        added = sum(r.labels_added for r in reports)
        replaced = sum(r.labels_replaced for r in reports)
        articles_added = sum(r.articles_added for r in reports)
        lines = [f"Merged {len(reports)} of {_n(len(self.outcomes), 'file')}: "
                 f"{_n(added, 'label')} added, {replaced} replaced by newer ones"
                 + (f", {_n(articles_added, 'article')} added." if articles_added else ".")]
        if conflicts or entity_conflicts:
            lines.append(f"Conflicts: {_n(len(conflicts), 'label')} (the newer one was kept),"
                         f" {_n(len(entity_conflicts), 'entity', 'entities')} (this file's kept).")
        if missing or unmatched:
            lines.append(f"Not merged: {_n(len(missing), 'article')} not in this project,"
                         f" {_n(len(unmatched), 'labelled sentence')} without a match here.")
        if cancelled:
            lines.append("The merge was cancelled: the articles merged before it are kept.")
        if problems:
            lines.append(f"{_n(len(problems), 'problem')}: see Problems.")
        summary = "\n".join(lines)
        self.summary = QLabel(summary)
        self.summary.setObjectName("merge_summary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.tabs = QTabWidget()
        self.details = QTextBrowser()
        self.details.setObjectName("merge_details")
        self.details.setOpenLinks(False)
        self.details.setHtml(self._details_html())
        self.tabs.addTab(self.details, "Per file")
        self.conflicts = _table(
            ("Article", "Sentence", "Annotator", "Kept", "Updated here", "Updated there", "From"),
            [(title_of(c.article_id), c.sentence_index + 1, c.annotator,
              "ours" if c.kept == "this" else "theirs (newer)",
              _when(c.this_updated), _when(c.other_updated), Path(src).name)
             for src, c in conflicts],
            "merge_conflicts")
        self._tab(self.conflicts, "Conflicts", len(conflicts))
        if entity_conflicts:
            self.entity_conflicts = _table(
                ("Article", "Entity", "Offsets", "Kept (this file)", "Other file", "From"),
                [(title_of(m.article_id), m.text, f"{m.start}–{m.end}", m.this, m.other,
                  Path(src).name) for src, m in entity_conflicts],
                "merge_entity_conflicts")
            self._tab(self.entity_conflicts, "Entity conflicts", len(entity_conflicts))
        self.unmatched = _table(
            ("Why", "Article", "Sentence or offsets", "Labels", "From"),
            [("article not in this project", a.title or _short_id(a.article_id), "",
              a.labels, Path(src).name) for src, a in missing]
            + [("no sentence with that span here", title_of(u.article_id),
                f"{u.start}–{u.end}: {u.text[:80]}", u.labels, Path(src).name)
               for src, u in unmatched],
            "merge_unmatched")
        self._tab(self.unmatched, "Not merged", len(missing) + len(unmatched))
        self.problems = QListWidget()
        self.problems.setObjectName("merge_problems")
        self.problems.addItems(problems)
        self._tab(self.problems, "Problems", len(problems))
        layout.addWidget(self.tabs, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        save = buttons.addButton("Save report…", QDialogButtonBox.ButtonRole.ActionRole)
        save.clicked.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _tab(self, widget: QWidget, name: str, count: int) -> None:
        index = self.tabs.addTab(widget, f"{name} ({count})")
        self.tabs.setTabEnabled(index, count > 0)

    def _details_html(self) -> str:
        e = html.escape
        parts = ["<style>td { padding: 1px 14px 1px 0; } td.n { text-align: right; }</style>"]
        for o in self.outcomes:
            parts.append(f"<h3>{e(Path(o.source).name)}</h3><p style='color:{theme.hex('muted')}'>"
                         f"{e(o.source)}</p>")
            if o.report is None:
                parts.append(f"<p style='color:{theme.hex('error')}'>Not merged. {e(o.error or '')}</p>")
                continue
            r = o.report
            rows = [
                ("Articles", f"{r.articles_matched} of {r.articles_seen} matched"
                 + (f", {r.articles_added} added" if r.articles_added else "")),
                ("Labels", f"{r.labels_added} added, {r.labels_replaced} replaced by newer,"
                 f" {r.labels_same} already here, {len(r.conflicts)} conflicts"),
                ("Targets", f"{r.targets_matched} matched, {r.targets_created} created,"
                 f" {r.aliases_added} aliases added"),
                ("Entity edits", f"{r.mentions_added} added, {r.mentions_updated} updated,"
                 f" {r.mentions_same} already here, {len(r.mention_conflicts)} conflicts"),
                ("Not merged", f"{_n(len(r.missing_articles), 'article')} not in this project"
                 f" ({_n(sum(a.labels for a in r.missing_articles), 'label')}),"
                 f" {_n(len(r.unmatched_sentences), 'labelled sentence')} without a match"),
            ]
            if r.cancelled:
                rows.append(("Cancelled", "the articles merged before it are kept"))
            parts.append("<table>" + "".join(f"<tr><td><b>{e(k)}</b></td><td>{e(v)}</td></tr>"
                                             for k, v in rows) + "</table>")
        return "".join(parts)

    def text(self) -> str:
        """The whole report as plain text (every row, as the command line prints it)."""
        lines: list[str] = []
        for o in self.outcomes:
            lines += o.report.lines() if o.report else [f"not merged {o.source}: {o.error}"]
        return "\n".join(lines) + "\n"

    def _save(self) -> None:
        path = file_dialogs.save_file_name(self, "Save the merge report", "merge-report.txt",
                                           "Text (*.txt);;All files (*)", "report")
        if path:
            Path(path).write_text(self.text(), encoding="utf-8")
