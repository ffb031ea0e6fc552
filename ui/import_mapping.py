"""The import dialog's mapping step (other tools' names → our labels) and the per-kind import summary."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.codebooks import Codebook
from annotator.ingest.mapping import MOST, ONLY, LabelMapping, MappingError
from annotator.model import ENTITY_LABELS, STANCE_VALUES, ImportReport
from annotator.peer_import import PeerPreview
from annotator.textsafe import visible

from . import file_dialogs, messages, theme
from .worker import BackgroundTask

#: File endings that may hold another tool's tasks (folders may too): only these are read first.
PEER_SUFFIXES = (".json", ".jsonl", ".csv", ".tsv")
NOT_MAPPED = "unknown"
SKIP = "ignore"


def may_hold_peer_tasks(paths: Sequence[str]) -> bool:
    """Whether the mapping step must read ``paths`` first (plain text files never hold tasks)."""
    return any(Path(p).is_dir() or Path(p).suffix.lower() in PEER_SUFFIXES for p in paths)


def target_choices(row: dict[str, Any], codebook: Codebook) -> list[tuple[str, str]]:
    """(shown text, flat target) a mapping row may become, the automatic one included."""
    if row.get("span"):
        out = [(f"entity {label}", f"entity:{label}") for label in ENTITY_LABELS]
        return out + [("skip (drop these spans)", SKIP)]
    out = []
    if row["target"] == NOT_MAPPED:
        out.append(("not mapped: skipped, counted", NOT_MAPPED))
    out.append(("skip (ignore this name)", SKIP))
    auto_target = row["target"].split(":")[1] if row["target"].count(":") == 2 else None
    for value in STANCE_VALUES:
        if auto_target:
            out.append((f"stance {value} toward {auto_target}", f"stance:{auto_target}:{value}"))
        out.append((f"stance {value} (target chosen below)", f"stance:{value}"))
    out += [(f"frame {f.name} ({f.id})", f"frame:{f.id}") for f in codebook.frames]
    out += [("irrelevant", "irrelevant"), ("relevant (no label)", "relevant"),
            ("kept as the note", "note")]
    if row["target"] not in {t for _, t in out}:
        out.insert(0, (row["to"], row["target"]))
    return out


class ImportMappingDialog(QDialog):
    """Shows what other tools' names become, editable per row, and the target of stances that
    come without one. Nothing is written here: :meth:`mapping` is handed to the import."""

    reread_done = Signal()

    def __init__(self, preview: PeerPreview, codebook: Codebook, target_names: Sequence[str],
                 base: LabelMapping | None = None,
                 reread: Callable[[LabelMapping, Callable[[PeerPreview | None], None]],
                                  BackgroundTask | None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import: map the other tool's labels")
        self.codebook = codebook
        self.base = base or LabelMapping()
        self.reread = reread
        self.combos: list[QComboBox] = []
        self.rows: list[dict[str, Any]] = []
        layout = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setObjectName("mapping_header")
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.header.setWordWrap(True)
        layout.addWidget(self.header)

        self.table = QTableWidget(0, 5)
        self.table.setObjectName("mapping_table")
        self.table.setHorizontalHeaderLabels(["Field", "Their name", "Times", "Becomes",
                                              "Decided by"])
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab walks the "Becomes" boxes, row by row
        head = self.table.horizontalHeader()
        for col, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,
                                    QHeaderView.ResizeMode.Interactive,
                                    QHeaderView.ResizeMode.ResizeToContents,
                                    QHeaderView.ResizeMode.Stretch,
                                    QHeaderView.ResizeMode.ResizeToContents)):
            head.setSectionResizeMode(col, mode)
        layout.addWidget(self.table, 1)

        self.stance_box = QGroupBox("Stances the tool gives without a target")
        self.stance_box.setObjectName("stance_target_box")
        grid = QGridLayout(self.stance_box)
        self.stance_group = QButtonGroup(self)
        self.skip_radio = QRadioButton("&Skip them (counted as skipped)")
        self.named_radio = QRadioButton("Toward &this target:")
        self.only_radio = QRadioButton("The sentence's &only mentioned target")
        self.most_radio = QRadioButton("The sentence's &most-mentioned target")
        self.target_name = QComboBox()
        self.target_name.setObjectName("stance_target_name")
        self.target_name.setEditable(True)
        self.target_name.addItems(sorted(target_names, key=str.casefold))
        self.target_name.setCurrentText("")
        self.target_name.lineEdit().setPlaceholderText("a target name (new or existing)")
        self.target_name.currentTextChanged.connect(lambda _t: self.named_radio.setChecked(True))
        for k, radio in enumerate((self.skip_radio, self.named_radio, self.only_radio,
                                   self.most_radio)):
            self.stance_group.addButton(radio, k)
        grid.addWidget(self.skip_radio, 0, 0, 1, 2)
        grid.addWidget(self.named_radio, 1, 0)
        grid.addWidget(self.target_name, 1, 1)
        grid.addWidget(self.only_radio, 2, 0, 1, 2)
        grid.addWidget(self.most_radio, 3, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        layout.addWidget(self.stance_box)
        self._set_stance_target(self.base.stance_target)

        self.problems = QListWidget()
        self.problems.setObjectName("mapping_problems")
        self.problems.setMaximumHeight(90)
        layout.addWidget(self.problems)

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("&Import",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.file_button = QPushButton("Use a mapping &file…")
        self.file_button.setToolTip("A JSON mapping file as for `annotator import --map FILE` "
                                    "(see docs/formats.md); the files are read again with it")
        self.file_button.setEnabled(reread is not None)
        self.buttons.addButton(self.file_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.file_button.clicked.connect(self.choose_mapping_file)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.show_preview(preview)
        self._fit_screen()

    # -- filling -------------------------------------------------------------------------------

    def show_preview(self, preview: PeerPreview) -> None:
        self.preview = preview
        tools = ", ".join(f"{n} from {tool}" for tool, n in preview.tools.most_common())
        self.header.setText(visible(
            f"These files hold {preview.tasks} tasks from other tools ({tools}): "
            f"{preview.annotations} annotations, {preview.predictions} model predictions, "
            f"{preview.spans} entity spans. Check what each of their names becomes here "
            "(Tab moves from row to row; type or use the arrow keys to change one). "
            "Nothing is written until you press Import; mapping: " + self.base.source + "."))
        self.rows = list(preview.rows)
        self.table.setRowCount(len(self.rows))
        self.combos = []
        for r, row in enumerate(self.rows):
            kind = "span label" if row.get("span") else "choice"
            for c, text in enumerate((f"{row['field']} ({kind})", row["value"],
                                      str(row["count"]))):
                item = QTableWidgetItem(visible(text))
                if c == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
            combo = QComboBox()
            combo.setObjectName(f"mapping_choice_{r}")
            combo.setAccessibleName(f"{row['field']} = {row['value']} becomes")
            for shown, target in target_choices(row, self.codebook):
                combo.addItem(shown, target)
            combo.setCurrentIndex(max(0, combo.findData(row["target"])))
            combo.currentIndexChanged.connect(lambda _i, r=r: self._row_changed(r))
            self.table.setCellWidget(r, 3, combo)
            self.combos.append(combo)
            self.table.setItem(r, 4, QTableWidgetItem(row["how"]))
            self._row_changed(r)
        chain: list[QWidget] = [*self.combos, self.skip_radio, self.named_radio,
                                self.target_name, self.only_radio, self.most_radio,
                                self.import_button]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)
        if self.combos:
            self.combos[0].setFocus()
        self.stance_box.setTitle(f"Stances the tool gives without a target ({preview.untargeted}"
                                 " in these files; also those you map to a stance below)")
        self.problems.clear()
        for issue in preview.issues:
            self.problems.addItem(visible(str(issue)))
        self.problems.setVisible(bool(preview.issues))

    def _row_changed(self, r: int) -> None:
        combo = self.combos[r]
        how = self.table.item(r, 4)
        if how is not None:
            how.setText(self.rows[r]["how"] if combo.currentData() == self.rows[r]["target"]
                        else "your choice")
        # A name left unmapped is marked: it will be skipped and counted.
        unmapped = combo.currentData() == NOT_MAPPED
        combo.setStyleSheet(f"QComboBox {{ color: {theme.hex('error')}; }}" if unmapped else "")

    def _set_stance_target(self, choice: str | None) -> None:
        if not choice:
            self.skip_radio.setChecked(True)
        elif choice == ONLY:
            self.only_radio.setChecked(True)
        elif choice == MOST:
            self.most_radio.setChecked(True)
        else:
            self.target_name.setCurrentText(choice)
            self.named_radio.setChecked(True)

    def _fit_screen(self) -> None:
        screen = (self.parentWidget().screen() if self.parentWidget() is not None
                  else QGuiApplication.primaryScreen())
        area = screen.availableGeometry()
        self.resize(min(960, int(area.width() * 0.9)), min(680, int(area.height() * 0.85)))

    # -- reading the choice --------------------------------------------------------------------

    def choose(self, field_name: str, value: str, target: str) -> None:
        """Set one row's target (the keyboard and mouse do the same through its box)."""
        for row, combo in zip(self.rows, self.combos):
            if (row["field"], row["value"]) == (field_name, value):
                k = combo.findData(target)
                if k < 0:
                    raise ValueError(f"{target!r} is not a choice for {field_name} = {value}")
                combo.setCurrentIndex(k)
                return
        raise KeyError(f"no row {field_name} = {value}")

    def stance_target(self) -> str | None:
        if self.named_radio.isChecked():
            return self.target_name.currentText().strip() or None
        return {self.only_radio: ONLY, self.most_radio: MOST}.get(
            self.stance_group.checkedButton())  # type: ignore[call-overload]

    def mapping(self) -> LabelMapping:
        """The mapping the import uses: the base one with every changed row and the stance target."""
        pairs = {(row["field"], row["value"]): combo.currentData()
                 for row, combo in zip(self.rows, self.combos)
                 if combo.currentData() not in (row["target"], NOT_MAPPED)}
        return self.base.chosen(pairs, self.stance_target())

    def accept(self) -> None:
        if self.named_radio.isChecked() and not self.stance_target():
            messages.warn(self, "Import", "Type the name of the target for stances that come "
                          "without one, or choose another option.")
            self.target_name.setFocus()
            return
        super().accept()

    # -- a mapping file ------------------------------------------------------------------------

    def choose_mapping_file(self) -> None:
        path = file_dialogs.open_file_name(self, "Label mapping file",
                                           "Mapping files (*.json);;All files (*)", "mapping")
        if path:
            self.use_mapping_file(path)

    def use_mapping_file(self, path: str) -> BackgroundTask | None:
        """Read the files again with the mapping file ``path`` (in the background)."""
        try:
            base = LabelMapping.load(path, stance_target=self.stance_target())
        except MappingError as exc:
            messages.warn(self, "Mapping file", str(exc))
            return None
        assert self.reread is not None

        def done(preview: PeerPreview | None) -> None:
            if preview is not None:
                self.base = base
                self._set_stance_target(base.stance_target)
                self.show_preview(preview)
            self.setEnabled(True)
            self.reread_done.emit()

        self.setEnabled(False)
        task = self.reread(base, done)
        if task is None:
            self.setEnabled(True)
        return task


class TallyView(QTreeWidget):
    """An import's tally, one branch per kind (task, annotation, choice, span, field…), skipped
    outcomes marked, then the label mapping used."""

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import_tally")
        self.setColumnCount(2)
        self.setHeaderLabels(["What the files held", "Count"])
        self.setRootIsDecorated(True)
        kinds: dict[str, QTreeWidgetItem] = {}
        for (kind, outcome), n in sorted(report.tally.items()):
            parent_item = kinds.get(kind)
            if parent_item is None:
                parent_item = kinds[kind] = QTreeWidgetItem(self, [kind, ""])
                parent_item.setData(1, Qt.ItemDataRole.UserRole, 0)
            skipped = outcome.startswith("skipped")
            item = QTreeWidgetItem(parent_item, [("⚠ " if skipped else "") + visible(outcome),
                                                 str(n)])
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
            if skipped:
                item.setForeground(0, theme.colour("error"))
                parent_item.setForeground(0, theme.colour("error"))
        for kind, item in kinds.items():
            item.setText(1, str(sum(int(item.child(k).text(1))
                                    for k in range(item.childCount()))))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
        if report.mapping:
            mapped = QTreeWidgetItem(self, ["label mapping used", ""])
            for row in report.mapping:
                child = QTreeWidgetItem(mapped, [visible(
                    f"{row['field']} = {row['value']} → {row['to']} ({row['how']})"),
                    str(row["count"])])
                child.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
                if row["to"] == "not mapped":
                    child.setForeground(0, theme.colour("error"))
        self.expandAll()
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.header().setStretchLastSection(False)

    def lines(self) -> list[str]:
        """Every row as 'kind: outcome = n' (for tests and copying)."""
        out = []
        for k in range(self.topLevelItemCount()):
            top = self.topLevelItem(k)
            for c in range(top.childCount()):
                child = top.child(c)
                out.append(f"{top.text(0)}: {child.text(0)} = {child.text(1)}")
        return out
