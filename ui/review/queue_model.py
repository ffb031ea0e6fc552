"""The adjudication queue as a Qt table model over plain :class:`annotator.review.ReviewItem` rows."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable

from ui import theme
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from annotator.review import DEFAULT_FILTER, FILTERS, ReviewItem, ReviewQueue

__all__ = ["FILTERS", "ReviewQueueModel", "status_text"]


Index = QModelIndex | QPersistentModelIndex


def status_text(item: ReviewItem) -> str:
    if item.decided:
        return "✔ gold"
    if item.disagreement:
        return "≠ differ"
    return "= agree" if len(item.labels) > 1 else "1 label"


class ReviewQueueModel(QAbstractTableModel):
    """Rows: the filtered items; sentence texts are fetched in pages as rows come into view."""

    COLUMNS = ("Status", "Article", "#", "Labels", "Sentence")
    _PAGE = 300

    def __init__(self, fetch_texts: Callable[[list[int]], dict[int, str]],
                 titles: dict[str, str]) -> None:
        super().__init__()
        self._fetch = fetch_texts
        self._titles = titles
        self.queue = ReviewQueue([])
        self.rows: list[ReviewItem] = []
        self._positions: Sequence[int] = ()  # the rows' positions among all the items
        self.filter = DEFAULT_FILTER
        self._texts: dict[int, str] = {}

    def set_queue(self, queue: ReviewQueue) -> None:
        self.queue = queue
        self.apply_filter(self.filter)

    def apply_filter(self, name: str) -> None:
        self.beginResetModel()
        self.filter = name
        self.rows, self._positions = self.queue.rows(name)
        self.endResetModel()

    def item(self, row: int) -> ReviewItem | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, sentence_id: int) -> int:
        return self.queue.row_in(self._positions, sentence_id)

    def item_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def text(self, row: int) -> str:
        it = self.rows[row]
        if it.sentence_id not in self._texts:
            page = [r.sentence_id for r in self.rows[max(0, row - 50): row + self._PAGE]]
            self._texts.update(self._fetch([sid for sid in page if sid not in self._texts]))
        return self._texts.get(it.sentence_id, "")

    # -- QAbstractTableModel ------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        it = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return status_text(it)
            if col == 1:
                return self._titles.get(it.article_id, it.article_id[:12])
            if col == 2:
                return it.index + 1
            if col == 3:
                return len(it.labels)
            return " ".join(self.text(index.row()).split())
        if role == Qt.ItemDataRole.BackgroundRole:
            if it.decided:
                return QBrush(theme.colour("review_decided_bg"))
            if it.disagreement:
                return QBrush(theme.colour("review_disagree_bg"))
        if role == Qt.ItemDataRole.ToolTipRole and col == 4:
            return self.text(index.row())
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
