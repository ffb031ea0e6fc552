"""The Targets dock: canonical targets with pin/unpin, rename, merge and create."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.model import ENTITY_LABELS, Target
from annotator.project import ProjectError

from . import messages
from .keys import guard_typing
from .richtext import tooltip
from .session import Session

COLUMNS = ("Pin", "Name", "Kind", "Mentions")
_Index = QModelIndex | QPersistentModelIndex
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1  # name and aliases, for the find box


class TargetTableModel(QAbstractTableModel):
    """Adapter over the session's targets; checking 'Pinned' or editing a name writes through."""

    def __init__(self, session: Session, parent: Any = None) -> None:
        super().__init__(parent)
        self.session = session
        self.rows: list[Target] = []

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = (sorted(self.session.targets().values(), key=lambda t: (-t.n_mentions, t.name))
                     if self.session.project is not None else [])
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.column() == 0:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == 1:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        t = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and col == 0:
            return Qt.CheckState.Checked if t.pinned else Qt.CheckState.Unchecked
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == 1:
                return t.name
            if col == 2:
                return t.kind
            if col == 3:
                return t.n_mentions if role == Qt.ItemDataRole.EditRole else str(t.n_mentions)
        if role == Qt.ItemDataRole.ToolTipRole and col == 1:
            return tooltip(t.name, "aliases: " + ", ".join(t.aliases), "double-click to rename",
                           bold_first=True)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return t.id
        if role == SEARCH_ROLE:
            return " | ".join([t.name, *t.aliases])
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        t = self.rows[index.row()]
        assert t.id is not None
        if index.column() == 0 and role == Qt.ItemDataRole.CheckStateRole:
            self.session.set_pinned(t.id, Qt.CheckState(value) == Qt.CheckState.Checked)
            return True
        if index.column() == 1 and role == Qt.ItemDataRole.EditRole:
            name = str(value).strip()
            if name and name != t.name:
                self.session.rename_target(t.id, name)
            return True
        return False


class _GuardedEditor(QStyledItemDelegate):
    """Name editing in the table: single-key shortcuts must not fire while typing a name."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        editor = super().createEditor(parent, option, index)
        guard_typing(editor)
        return editor


class TargetsPanel(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = TargetTableModel(session, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(1)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.proxy.setSortRole(Qt.ItemDataRole.EditRole)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.search = QLineEdit()
        self.search.setObjectName("target_filter")
        self.search.setPlaceholderText("Find a target (name or alias)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        guard_typing(self.search)
        layout.addWidget(self.search)
        self.view = QTableView()
        self.view.setObjectName("targets_table")
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(_GuardedEditor(self.view))
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(3, Qt.SortOrder.DescendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(22)
        header = self.view.horizontalHeader()
        fm = self.view.fontMetrics()  # fixed widths: ResizeToContents re-measures every row
        for col, sample in enumerate(("Pin", "", "MISC", "Mentions")):
            if sample:
                header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(col, fm.horizontalAdvance(sample) + 24)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        self.pin_button = QPushButton("Pin / unpin")
        self.pin_button.setToolTip("Pinned targets are offered on every sentence")
        self.pin_button.clicked.connect(self.toggle_pin_selected)
        self.rename_button = QPushButton("Rename…")
        self.rename_button.clicked.connect(self.rename_selected)
        self.merge_button = QPushButton("Merge 2…")
        self.merge_button.setToolTip("Merge the two selected targets: mentions, aliases and"
                                     " stances move to the one you keep")
        self.merge_button.clicked.connect(self.merge_selected)
        self.new_button = QPushButton("New…")
        self.new_button.clicked.connect(self.create_target)
        for b in (self.pin_button, self.rename_button, self.merge_button, self.new_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        session.targets_changed.connect(self.reload)
        session.project_changed.connect(self.reload)
        self._update_buttons()

    def reload(self) -> None:
        selected = set(self.selected_ids())
        self.model.reload()
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(Qt.ItemDataRole.UserRole) in selected:
                self.view.selectionModel().select(
                    self.proxy.index(row, 0),
                    self.view.selectionModel().SelectionFlag.Select
                    | self.view.selectionModel().SelectionFlag.Rows)
        self._update_buttons()

    def selected_ids(self) -> list[int]:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        return [int(i.data(Qt.ItemDataRole.UserRole)) for i in rows]

    def _update_buttons(self) -> None:
        n = len(self.selected_ids())
        has_project = self.session.project is not None
        self.pin_button.setEnabled(n >= 1)
        self.rename_button.setEnabled(n == 1)
        self.merge_button.setEnabled(n == 2)
        self.new_button.setEnabled(has_project)

    def _warn(self, exc: Exception) -> None:
        messages.warn(self, "Targets", str(exc))

    def toggle_pin_selected(self) -> None:
        for tid in self.selected_ids():
            t = self.session.target(tid)
            if t is not None:
                self.session.set_pinned(tid, not t.pinned)

    def rename_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) != 1:
            return
        t = self.session.target(ids[0])
        if t is None:
            return
        name, ok = QInputDialog.getText(self, "Rename target", "Name:", text=t.name)
        if ok and name.strip():
            try:
                self.session.rename_target(ids[0], name.strip())
            except ProjectError as exc:
                self._warn(exc)

    def merge_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) != 2:
            return
        a, b = (self.session.target(i) for i in ids)
        if a is None or b is None:
            return
        box = QMessageBox(self)
        box.setWindowTitle("Merge targets")
        box.setTextFormat(Qt.TextFormat.PlainText)  # target names are user data
        box.setText(f"Merge “{a.name}” and “{b.name}”.\nWhich name stays? The other target's"
                    " mentions, aliases and stances move to it.")
        keep_a = box.addButton(f"Keep “{a.name}”", QMessageBox.ButtonRole.AcceptRole)
        keep_b = box.addButton(f"Keep “{b.name}”", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is keep_a:
            self.merge(ids[0], ids[1])
        elif box.clickedButton() is keep_b:
            self.merge(ids[1], ids[0])

    def merge(self, keep_id: int, other_id: int) -> None:
        try:
            dropped = self.session.merge_targets(keep_id, other_id)
        except ProjectError as exc:
            self._warn(exc)
            return
        window = self.window()
        if dropped and isinstance(window, QMainWindow):
            window.statusBar().showMessage(
                f"Merged; {dropped} stance{'s' if dropped > 1 else ''} on the merged target "
                "dropped where the kept target had one on the same sentence (Ctrl+Z restores).",
                10000)

    def create_target(self) -> None:
        name, ok = QInputDialog.getText(self, "New target", "Name:")
        if not ok or not name.strip():
            return
        kind, ok = QInputDialog.getItem(self, "New target", "Kind:", list(ENTITY_LABELS), 0, False)
        if ok:
            try:
                self.session.create_target(name.strip(), kind)
            except ProjectError as exc:
                self._warn(exc)
