"""The article list: a paged Qt model over ``Project.article_rows`` and its filter bar."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.project import Project
from annotator.store import ArticleFilter, ArticleRow
from annotator.textsafe import visible

from . import theme
from .keys import guard_typing
from .richtext import tooltip

PAGE = 200
COLUMNS = ("Title", "Outlet", "Date", "Lang", "Sent.", "Done")
COLUMN_TIPS = ("", "", "", "Language", "Sentences", "Your labelled units / units (boilerplate excluded)")
PROGRESS_COLUMN = 5

_Index = QModelIndex | QPersistentModelIndex


class ArticleTableModel(QAbstractTableModel):
    """Rows are fetched a page at a time as the view scrolls (``canFetchMore``/``fetchMore``),
    so a list of 100k articles costs only the pages seen."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.annotator: str | None = None
        self.filter = ArticleFilter()
        self._rows: list[ArticleRow] = []
        self._by_id: dict[str, int] = {}
        self._total = 0

    # -- loading --------------------------------------------------------------------------------------

    def set_source(self, project: Project | None, annotator: str | None) -> None:
        self.project = project
        self.annotator = annotator or None
        self.reload()

    def set_filter(self, f: ArticleFilter) -> None:
        if f != self.filter:
            self.filter = f
            self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._rows, self._by_id = [], {}
        self._total = (self.project.count_articles(self.filter, self.annotator)
                       if self.project is not None else 0)
        self.endResetModel()
        if self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    @property
    def total(self) -> int:
        return self._total

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:
        if self.project is None or parent.isValid():
            return
        page = self.project.article_rows(len(self._rows), PAGE, self.filter, self.annotator)
        if not page:
            self._total = len(self._rows)  # the list shrank under us (another process?)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        for i, r in enumerate(page):
            self._by_id[r.id] = first + i
        self._rows.extend(page)
        self.endInsertRows()

    def ensure_loaded(self, row: int) -> bool:
        """Fetch pages until ``row`` is loaded; False if the list is shorter."""
        while row >= len(self._rows) and self.canFetchMore():
            before = len(self._rows)
            self.fetchMore()
            if len(self._rows) == before:
                break
        return row < len(self._rows)

    def refresh_article(self, article_id: str) -> None:
        """Re-read one row (its progress changed) and say precisely which cell changed."""
        row = self._by_id.get(article_id)
        if row is None or self.project is None:
            return
        # By its rowid, not by its position under the filter: with "has unlabelled", the article
        # just finished no longer passes the filter, and its row must still show it is done.
        by_rowid = ArticleFilter(after_rowid=self._rows[row].rowid - 1)
        fresh = self.project.article_rows(0, 1, by_rowid, self.annotator)
        if fresh and fresh[0].id == article_id:
            self._rows[row] = fresh[0]
            idx = self.index(row, PROGRESS_COLUMN)
            self.dataChanged.emit(idx, idx)

    # -- access ---------------------------------------------------------------------------------------

    def row_of(self, article_id: str) -> int | None:
        return self._by_id.get(article_id)

    def article_row(self, row: int) -> ArticleRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def loaded(self) -> int:
        return len(self._rows)

    # -- Qt model ---------------------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return COLUMN_TIPS[section] or None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (visible(r.title), visible(r.outlet or ""), visible(r.date or ""), r.lang,
                    str(r.n_sentences), f"{r.n_labelled}/{r.n_units}")[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return tooltip(r.title)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (4, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == PROGRESS_COLUMN:
            if r.n_units and r.n_labelled >= r.n_units:
                return theme.colour("done_text")
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return None


class ArticleListPanel(QWidget):
    """Filter bar (text, language, outlet, has-unlabelled) over the paged article table."""

    article_activated = Signal(str)  # article id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ArticleTableModel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        self.text = QLineEdit()
        self.text.setObjectName("filter_text")
        self.text.setPlaceholderText("Filter: words in title, outlet or text")
        self.text.setClearButtonEnabled(True)
        guard_typing(self.text)
        layout.addWidget(self.text)
        row = QHBoxLayout()
        self.lang = QComboBox()
        self.lang.setObjectName("filter_lang")
        self.outlet = QComboBox()
        self.outlet.setObjectName("filter_outlet")
        self.outlet.setMinimumContentsLength(8)
        self.outlet.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.unlabelled = QCheckBox("Has unlabelled")
        self.unlabelled.setObjectName("filter_unlabelled")
        self.unlabelled.setToolTip("Only articles with sentences you have not labelled yet")
        row.addWidget(self.lang)
        row.addWidget(self.outlet, 1)
        row.addWidget(self.unlabelled)
        layout.addLayout(row)
        self.view = QTableView()
        self.view.setObjectName("article_table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        # Fixed starting widths, not ResizeToContents: that re-measures every loaded row on each
        # dataChanged, which made labelling slow once thousands of rows were loaded.
        fm = self.view.fontMetrics()
        samples = ("", "Outlet xx", "2024-12-31", "Lang", "Sent.", "99/99")
        for col, sample in enumerate(samples):
            if col:
                header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(col, fm.horizontalAdvance(sample) + 16)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.view, 1)
        self.count = QLabel("")
        self.count.setObjectName("article_count")
        self.count.setProperty("role", "muted")
        layout.addWidget(self.count)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filter)
        self.text.textChanged.connect(lambda _t: self._debounce.start())
        self.lang.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.outlet.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.unlabelled.toggled.connect(lambda _b: self.apply_filter())
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        self._quiet = False
        self._quiet_rows = False
        self.fill_choices(None)

    # -- choices and filter ------------------------------------------------------------------------------

    def fill_choices(self, project: Project | None) -> None:
        """Refill the language and outlet combos (after opening or importing), keeping the choice."""
        self._quiet = True
        try:
            lang, outlet = self.lang.currentData(), self.outlet.currentData()
            self.lang.clear()
            self.lang.addItem("All languages", None)
            self.outlet.clear()
            self.outlet.addItem("All outlets", None)
            if project is not None:
                for code, n in project.languages().items():
                    self.lang.addItem(f"{code} ({n})", code)
                for name in project.outlets():
                    self.outlet.addItem(name, name)
            self.lang.setCurrentIndex(max(0, self.lang.findData(lang)))
            self.outlet.setCurrentIndex(max(0, self.outlet.findData(outlet)))
        finally:
            self._quiet = False

    def current_filter(self) -> ArticleFilter:
        return ArticleFilter(text=self.text.text().strip(), lang=self.lang.currentData(),
                             outlet=self.outlet.currentData(),
                             unlabelled_only=self.unlabelled.isChecked())

    def apply_filter(self) -> None:
        if self._quiet:
            return
        self._debounce.stop()
        current = self.current_article_id()
        self.model.set_filter(self.current_filter())
        self.update_count()
        if current is not None:  # the open article stays selected when it is still listed
            self.select_article(current, emit=False)

    def update_count(self) -> None:
        shown = self.model.total
        self.count.setText(f"{shown} article{'s' if shown != 1 else ''}")

    def set_source(self, project: Project | None, annotator: str | None) -> None:
        self.fill_choices(project)
        self._debounce.stop()
        self.model.filter = self.current_filter()
        self.model.set_source(project, annotator)
        self.update_count()

    def reload(self) -> None:
        current = self.current_article_id()
        self.model.reload()
        self.update_count()
        if current is not None:
            self.select_article(current, emit=False)

    # -- selection --------------------------------------------------------------------------------------

    def current_article_id(self) -> str | None:
        r = self.model.article_row(self.view.currentIndex().row())
        return r.id if r is not None else None

    def select_row(self, row: int, emit: bool = True) -> bool:
        if not self.model.ensure_loaded(row):
            return False
        self._quiet_select(self.model.index(row, 0), emit)
        return True

    def select_article(self, article_id: str, emit: bool = True) -> bool:
        row = self.model.row_of(article_id)
        if row is None:
            self.view.clearSelection()
            return False
        self._quiet_select(self.model.index(row, 0), emit)
        return True

    def _quiet_select(self, index: QModelIndex, emit: bool) -> None:
        self._quiet_rows = not emit
        try:
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)
        finally:
            self._quiet_rows = False

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._quiet_rows:
            return
        r = self.model.article_row(current.row())
        if r is not None:
            self.article_activated.emit(r.id)

    def neighbour(self, article_id: str | None, delta: int) -> str | None:
        """The id of the article ``delta`` rows away in the (filtered) list."""
        row = self.model.row_of(article_id) if article_id is not None else None
        target = (row + delta) if row is not None else (0 if delta > 0 else -1)
        if target < 0 or not self.model.ensure_loaded(target):
            return None
        r = self.model.article_row(target)
        return r.id if r is not None else None

    def next_unlabelled(self, article_id: str | None) -> str | None:
        """The first article after ``article_id`` in the (filtered) list with units the annotator
        has not labelled (from the top when ``article_id`` is not in the list); it is selected
        quietly. One query finds it; pages are fetched only to scroll the list to it."""
        model = self.model
        if model.project is None:
            return None
        row = model.row_of(article_id) if article_id is not None else None
        current = model.article_row(row) if row is not None else None
        wanted = replace(model.filter, unlabelled_only=True,
                         after_rowid=current.rowid if current is not None else None)
        found = model.project.article_rows(0, 1, wanted, model.annotator)
        if not found:
            return None
        target = found[0]
        # Its row in the list: the list's articles up to and including it.
        after = model.project.count_articles(replace(model.filter, after_rowid=target.rowid),
                                             model.annotator)
        model.ensure_loaded(model.total - after - 1)
        self.select_article(target.id, emit=False)
        return target.id
