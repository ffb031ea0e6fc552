"""Small dialogs: keyboard cheat-sheet, import report, link-to-target chooser, about."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import annotator
from annotator.codebooks import Codebook
from annotator.model import ENTITY_LABELS, ImportReport, Mention, Target

from .import_mapping import TallyView
from .keys import BINDINGS, native_text
from .richtext import tooltip

_SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1


def cheat_sheet_html(codebook: Codebook | None) -> str:
    """The key table as HTML (all text escaped): fixed bindings plus the codebook's frame keys."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for b in BINDINGS:
        groups.setdefault(b.group, []).append((" / ".join(native_text(k) for k in b.keys), b.text))
    if codebook is not None:
        groups["Frames"] = [(f.key, f"Toggle frame “{f.name}”") for f in codebook.frames]
    parts = ["<style>td { padding: 1px 10px 1px 0; } .k { font-family: monospace;"
             " font-weight: bold; white-space: nowrap; }</style>"]
    for group in ("Move", "Label", "Frames", "Edit", "Project", "Help"):
        rows = groups.get(group)
        if not rows:
            continue
        parts.append(f"<h3>{html.escape(group)}</h3><table>")
        for keys, text in rows:
            parts.append(f"<tr><td class='k'>{html.escape(keys)}</td>"
                         f"<td>{html.escape(text)}</td></tr>")
        parts.append("</table>")
    parts.append(
        "<p>Single keys do nothing while you type in the note or a filter box; Esc returns to"
        " the article. Every change is saved at once; undo is per annotator and survives"
        " closing the app. Boilerplate sentences (dimmed) are skipped by J/K and N but can be"
        " clicked.</p>")
    return "".join(parts)


class ShortcutsDialog(QDialog):
    def __init__(self, codebook: Codebook | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(520, 640)
        layout = QVBoxLayout(self)
        self.text = QTextBrowser()
        self.text.setObjectName("cheat_sheet")
        self.text.setOpenLinks(False)
        self.text.setHtml(cheat_sheet_html(codebook))
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class ImportReportDialog(QDialog):
    """What an import did, with its problems as a readable 'file:line: message' list."""

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import finished" if not report.cancelled else "Import cancelled")
        self.resize(720, 420 if report.issues or report.tally else 160)
        layout = QVBoxLayout(self)
        summary = (f"{report.articles_added} articles imported ({report.sentences} sentences,"
                   f" {report.mentions} entity mentions, {report.labels} labels),"
                   f" {report.articles_skipped} already"
                   f" present, from {report.files} files in {report.seconds:.1f} s.")
        if report.tally:
            summary += (f"\nFrom other tools' files: {report.skipped} item(s) skipped (marked ⚠)."
                        if report.skipped else "\nFrom other tools' files: nothing skipped.")
        if report.cancelled:
            summary += "\nThe import was cancelled; what was imported before is kept."
        if report.issues:
            summary += f"\n{len(report.issues)} problem(s) — the other rows were imported:"
        self.summary = QLabel(summary)
        self.summary.setObjectName("import_summary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tally: TallyView | None = None
        if report.tally:
            self.tally = TallyView(report, self)
            layout.addWidget(self.tally, 2)
            self.resize(760, 560)
        self.issues = QListWidget()
        self.issues.setObjectName("import_issues")
        for issue in report.issues:
            self.issues.addItem(str(issue))
        self.issues.setVisible(bool(report.issues))
        layout.addWidget(self.issues, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)


class LinkTargetDialog(QDialog):
    """Choose the target a mention refers to, or create a new one named after it."""

    def __init__(self, mention: Mention, targets: list[Target], parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Link entity to target")
        self.resize(460, 480)
        self.chosen_id: int | None = None
        self.new_name = ""
        self.new_kind = mention.label
        layout = QVBoxLayout(self)
        what = QLabel(f"“{mention.text}” ({mention.label})")
        what.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(what)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find a target")
        layout.addWidget(self.search)
        self.list = QListWidget()
        self.list.setObjectName("target_choices")
        folded = mention.text.casefold()
        ordered = sorted(targets, key=lambda t: (t.kind != mention.label,
                                                 folded not in (a.casefold() for a in t.aliases),
                                                 -t.n_mentions, t.name))
        for t in ordered:
            item = QListWidgetItem(f"{t.name}  [{t.kind}]  · {t.n_mentions} mentions")
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            item.setData(_SEARCH_ROLE, " ".join([t.name, *t.aliases]).casefold())
            item.setToolTip(tooltip(", ".join(t.aliases)))
            self.list.addItem(item)
        self.list.itemDoubleClicked.connect(lambda _i: self._choose())
        self.search.textChanged.connect(self._filter)
        layout.addWidget(self.list, 1)
        new_box = QGroupBox("…or create a new target")
        form = QFormLayout(new_box)
        self.name = QLineEdit(mention.text)
        self.kind = QComboBox()
        self.kind.addItems(list(ENTITY_LABELS))
        self.kind.setCurrentText(mention.label)
        create = QPushButton("Create and link")
        create.clicked.connect(self._create)
        row = QHBoxLayout()
        row.addWidget(self.kind)
        row.addWidget(create)
        form.addRow("Name:", self.name)
        form.addRow("Kind:", row)
        layout.addWidget(new_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._choose)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _filter(self, text: str) -> None:
        folded = text.casefold()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(folded not in str(item.data(_SEARCH_ROLE)))

    def _choose(self) -> None:
        item = self.list.currentItem()
        if item is not None and not item.isHidden():
            self.chosen_id = int(item.data(Qt.ItemDataRole.UserRole))
            self.accept()

    def _create(self) -> None:
        if self.name.text().strip():
            self.new_name = self.name.text().strip()
            self.new_kind = self.kind.currentText()
            self.accept()


def show_about(parent: QWidget) -> None:
    QMessageBox.about(
        parent, "About the annotator",
        f"<b>News stance &amp; framing annotator</b> {html.escape(annotator.__version__)}<br>"
        "Label sentences of news articles with their stance toward people, countries and"
        " organisations, and with their framing. Everything is kept in one local SQLite"
        " project file.")
