"""Adjudication: the queue of labelled sentences, annotators' labels side by side, keys to decide gold."""
from __future__ import annotations

import html
from collections import Counter

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.model import GOLD_ANNOTATOR, Label, Sentence
from annotator.project import Project, gold_actor
from annotator.review import ProjectLabels, ReviewItem, ReviewQueue, differing_fields, review_queue
from ui import theme
from ui.keys import guard_typing

from .gold_dialog import GoldDialog
from .queue_model import FILTERS, ReviewQueueModel


HINT = ("<b>1–9</b> accept that annotator's label as gold · <b>G</b> edit gold · "
        "<b>Del</b> remove gold · <b>Enter</b>/<b>J</b> next · <b>K</b> previous · "
        "<b>R</b> rationale · <b>Ctrl+Z</b> undo")


def _label_key(label: Label) -> tuple[object, ...]:
    return (tuple(sorted(label.stance.items())), tuple(sorted(label.frames)), label.irrelevant)


def same_decision(a: Label, b: Label) -> bool:
    return _label_key(a) == _label_key(b)


def article_titles(data: ProjectLabels) -> dict[str, str]:
    """Article id -> title, as the queue shows them."""
    return {aid: t for aid, (t, _) in data.articles.items()}


class AdjudicationView(QWidget):
    """Works on the project opened on the GUI thread; every decision is committed at once."""

    gold_changed = Signal(int)  # sentence id
    message = Signal(str)

    def __init__(self, project: Project, reviewer: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.reviewer = reviewer
        self.data: ProjectLabels | None = None
        self._sentences: dict[str, list[Sentence]] = {}
        self._frame_names = {f.id: f.name for f in project.codebook.frames}
        self.gold_dialog: GoldDialog | None = None  # while open (tests fill it in)

        self.filter = QComboBox()
        self.filter.addItems(list(FILTERS))
        self.filter.setCurrentText("Disagreements")
        self.filter.setToolTip("Which sentences to go through (F cycles)")
        self.filter.currentTextChanged.connect(self.set_filter)
        self.counts = QLabel("")
        top = QHBoxLayout()
        top.addWidget(QLabel("Show:"))
        top.addWidget(self.filter)
        top.addSpacing(12)
        top.addWidget(self.counts, 1)

        self.model = ReviewQueueModel(project.sentence_texts, {})
        self.queue = QTableView()
        self.queue.setModel(self.model)
        self.queue.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.queue.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.queue.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.queue.verticalHeader().hide()
        self.queue.verticalHeader().setDefaultSectionSize(22)
        self.queue.setWordWrap(False)
        header = self.queue.horizontalHeader()
        header.setStretchLastSection(True)
        for col, width in enumerate((66, 120, 30, 46)):
            self.queue.setColumnWidth(col, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.queue.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._show(cur.row()))

        self.heading = QLabel("")
        self.heading.setProperty("role", "muted")
        self.heading.setWordWrap(True)  # a long title must not widen the window
        self.context = QLabel("")
        self.context.setWordWrap(True)
        self.context.setTextFormat(Qt.TextFormat.RichText)
        self.context.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.context.setObjectName("adjudicate_context")  # looks: resources/style.qss
        self.context.setMinimumHeight(90)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft
                                                        | Qt.AlignmentFlag.AlignVCenter)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.rationale = QLineEdit()
        self.rationale.setPlaceholderText("Rationale for the gold decision (optional; R to type,"
                                          " Enter to save, Esc to leave)")
        guard_typing(self.rationale, on_escape=self.focus_queue)
        self.rationale.returnPressed.connect(self._rationale_entered)
        self.hint = QLabel(HINT)
        self.hint.setProperty("role", "muted")
        self.hint.setWordWrap(True)

        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(6, 0, 0, 0)
        dl.addWidget(self.heading)
        dl.addWidget(self.context)
        dl.addWidget(self.table)
        dl.addWidget(self.rationale)
        dl.addWidget(self.hint)
        dl.addStretch(1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.queue)
        split.addWidget(detail)
        self.queue.setMinimumWidth(320)
        split.setCollapsible(0, False)
        split.setCollapsible(1, False)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([500, 760])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self._make_actions()

    # -- keys ---------------------------------------------------------------------------------------

    def _action(self, keys: list[str], slot: object, text: str) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)  # type: ignore[arg-type]
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        for n in range(1, 10):
            self._action([str(n)], lambda _=False, n=n: self.accept_annotator(n),
                         f"Accept annotator {n}'s label as gold")
        self._action(["G"], self.edit_gold, "Edit the gold label")
        self._action(["Delete", "Backspace"], self.clear_gold, "Remove the gold label")
        self._action(["Return", "Enter", "J"], lambda: self.move(1), "Next sentence")
        self._action(["K"], lambda: self.move(-1), "Previous sentence")
        self._action(["R"], self.rationale.setFocus, "Type a rationale")
        self._action(["F"], self._cycle_filter, "Next filter")
        self._action(["Ctrl+Z"], self.undo, "Undo the last gold decision")

    def focus_queue(self) -> None:
        self.queue.setFocus()

    # -- data ---------------------------------------------------------------------------------------

    def unload(self) -> None:
        """Forget the labels and the queue (the window is closing)."""
        self.data = None
        self.model.set_queue(ReviewQueue([]))

    def show_loading(self) -> None:
        """Until :meth:`load`: say that the labels are being read."""
        self.heading.setText("Reading the labels… (the queue appears when they are read)")
        self.counts.setText("")

    def load(self, data: ProjectLabels, queue: ReviewQueue | None = None,
             titles: dict[str, str] | None = None) -> None:
        """Show ``data``'s review queue (``queue`` and the articles' ``titles``, when the caller
        has built them already: in the background, on a big project)."""
        self.data = data
        self.model._titles = titles if titles is not None else article_titles(data)
        self.model.set_queue(queue if queue is not None else ReviewQueue(review_queue(data)))
        self._update_counts()
        self.select_row(0)

    def set_filter(self, name: str) -> None:
        current = self.current_item()
        self.model.apply_filter(name)
        if self.filter.currentText() != name:
            self.filter.setCurrentText(name)
        row = self.model.row_of(current.sentence_id) if current else -1
        self.select_row(max(row, 0))
        self._update_counts()

    def _cycle_filter(self) -> None:
        i = FILTERS.index(self.model.filter)
        self.set_filter(FILTERS[(i + 1) % len(FILTERS)])

    def _update_counts(self) -> None:
        q = self.model.queue
        self.counts.setText(f"{len(q.items)} labelled sentences · {q.differ} with disagreements"
                            f" ({q.open_differ} undecided) · {q.decided} with gold · showing"
                            f" {self.model.rowCount()}")

    def current_row(self) -> int:
        return self.queue.currentIndex().row()

    def current_item(self) -> ReviewItem | None:
        return self.model.item(self.current_row())

    def select_row(self, row: int) -> None:
        if not self.model.rowCount():
            self._show(-1)
            return
        row = max(0, min(row, self.model.rowCount() - 1))
        index = self.model.index(row, 0)
        self.queue.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.queue.scrollTo(index)
        self._show(row)

    def move(self, delta: int) -> None:
        row = self.current_row()
        if 0 <= row + delta < self.model.rowCount():
            self.select_row(row + delta)
        elif delta > 0:
            self.message.emit("That was the last sentence of this list.")

    # -- decisions ----------------------------------------------------------------------------------

    def annotators(self) -> list[str]:
        return list(self.data.annotators) if self.data else []

    def accept_annotator(self, n: int) -> None:
        item = self.current_item()
        names = self.annotators()
        if item is None:
            return
        if not 1 <= n <= len(names):
            self.message.emit(f"There is no annotator {n} (there are {len(names)}).")
            return
        name = names[n - 1]
        label = item.labels.get(name)
        if label is None:
            self.message.emit(f"{name} did not label this sentence.")
            return
        self._set_gold(item, label.stance, label.frames, label.irrelevant, self.rationale.text())
        self.message.emit(f"Gold: {name}'s label, decided by {self.reviewer}.")

    def _set_gold(self, item: ReviewItem, stance: dict[int, str], frames: list[str],
                  irrelevant: bool, rationale: str) -> None:
        item.gold = self.project.set_gold(item.sentence_id, self.reviewer, stance=dict(stance),
                                          frames=list(frames), irrelevant=irrelevant,
                                          rationale=rationale)
        self._item_changed(item)

    def _item_changed(self, item: ReviewItem) -> None:
        self.model.queue.changed(item)
        row = self.model.row_of(item.sentence_id)
        if row >= 0:
            self.model.item_changed(row)
        if item is self.current_item():
            self._show(self.current_row())
        self._update_counts()
        self.gold_changed.emit(item.sentence_id)

    def proposal(self, item: ReviewItem) -> Label | None:
        """The current gold, else the label most annotators gave (ties: the first annotator's)."""
        if item.gold is not None:
            return item.gold
        if not item.labels:
            return None
        votes = Counter(_label_key(lab) for lab in item.labels.values())
        best = max(votes.values())
        for lab in item.labels.values():
            if votes[_label_key(lab)] == best:
                return lab
        return None

    def edit_gold(self) -> None:
        item = self.current_item()
        if item is None or self.data is None:
            return
        sentence = self._sentence(item)
        dialog = GoldDialog(self.project.codebook, self._targets(item, sentence),
                            self.proposal(item), self.rationale.text(),
                            sentence.text if sentence else "", self)
        self.gold_dialog = dialog
        if dialog.exec():
            self._set_gold(item, dialog.stance(), dialog.chosen_frames(),
                           dialog.irrelevant.isChecked(), dialog.rationale.text())
            self.message.emit(f"Gold edited by {self.reviewer}.")
        self.gold_dialog = None
        # Keys must work again at once: the window and the queue take the focus back.
        self.window().activateWindow()
        self.focus_queue()

    def clear_gold(self) -> None:
        item = self.current_item()
        if item is None or item.gold is None:
            return
        self.project.clear_gold(item.sentence_id, self.reviewer)
        item.gold = None
        self._item_changed(item)
        self.message.emit("Gold label removed.")

    def undo(self) -> None:
        event = self.project.undo(gold_actor(self.reviewer))
        if event is None:
            self.message.emit("No gold decision to undo.")
            return
        queue = self.model.queue
        for sid in sorted(set(self.project.event_scope(event.id)[1])):
            it = queue.item(sid)
            if it is not None:
                it.gold = self.project.label(it.sentence_id, GOLD_ANNOTATOR)
                self._item_changed(it)
        self.message.emit(f"Undone: {event.summary}")

    def _rationale_entered(self) -> None:
        item = self.current_item()
        if item is not None and item.gold is not None and item.gold.note != self.rationale.text():
            g = item.gold
            self._set_gold(item, g.stance, g.frames, g.irrelevant, self.rationale.text())
            self.message.emit("Rationale saved.")
        self.focus_queue()

    # -- the detail pane ----------------------------------------------------------------------------

    def _sentence(self, item: ReviewItem) -> Sentence | None:
        if item.article_id not in self._sentences:
            self._sentences = {item.article_id: self.project.sentences(item.article_id)}
        for s in self._sentences[item.article_id]:
            if s.id == item.sentence_id:
                return s
        return None

    def _targets(self, item: ReviewItem, sentence: Sentence | None) -> list[tuple[int, str]]:
        assert self.data is not None
        stanced = [t for lab in [*item.labels.values(), *([item.gold] if item.gold else [])]
                   for t in lab.stance]
        mentioned = [m.target_id for m in (sentence.mentions if sentence else [])
                     if m.target_id is not None]
        ids = list(dict.fromkeys(stanced + mentioned))
        return [(t, self.data.targets.get(t) or f"target {t}") for t in ids]

    def _context_html(self, item: ReviewItem, sentence: Sentence | None) -> str:
        if sentence is None:
            return ""
        sentences = self._sentences.get(item.article_id, [])
        pos = next((i for i, s in enumerate(sentences) if s.id == sentence.id), 0)

        def grey(s: Sentence) -> str:
            return f"<span style='color:{theme.hex('context_other_text')}'>{html.escape(s.text)}</span>"

        body, last = [], sentence.start
        for m in sorted(sentence.mentions, key=lambda m: m.start):
            if m.start < last:
                continue
            body.append(html.escape(sentence.text[last - sentence.start:m.start - sentence.start]))
            name = self.data.targets.get(m.target_id) if (self.data and m.target_id) else None
            style = f"text-decoration: underline; color:{theme.hex('context_target_text')}" if name else ""
            body.append(f"<span style='{style}' title='{html.escape(name or m.label)}'>"
                        f"{html.escape(m.text)}</span>")
            last = m.end
        body.append(html.escape(sentence.text[last - sentence.start:]))
        parts = []
        if pos > 0:
            parts.append(grey(sentences[pos - 1]))
        parts.append(f"<b>{''.join(body)}</b>")
        if pos + 1 < len(sentences):
            parts.append(grey(sentences[pos + 1]))
        return " ".join(parts)

    def _show(self, row: int) -> None:
        item = self.model.item(row)
        self.table.clear()
        if item is None or self.data is None:
            self.heading.setText("Nothing to review with this filter." if self.data else "")
            self.context.setText("")
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self.rationale.clear()
            return
        sentence = self._sentence(item)
        title, outlet = self.data.articles.get(item.article_id, (item.article_id, None))
        self.heading.setText(f"<b>{html.escape(title)}</b>"
                             f"{' · ' + html.escape(outlet) if outlet else ''}"
                             f" · sentence {item.index + 1} · item {row + 1} of"
                             f" {self.model.rowCount()}")
        self.context.setText(self._context_html(item, sentence))
        self._fill_table(item, sentence)
        self.rationale.setText(item.gold.note if item.gold else "")

    def _fill_table(self, item: ReviewItem, sentence: Sentence | None) -> None:
        targets = self._targets(item, sentence)
        names = self.annotators()
        columns = [name for _, name in targets] + ["Frames", "Irrelevant", "Note"]
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setRowCount(len(names) + 1)
        differs = item.differs or differing_fields(item.labels.values())
        bold = QFont()
        bold.setBold(True)
        for r, name in enumerate([*names, GOLD_ANNOTATOR]):
            label = item.gold if name == GOLD_ANNOTATOR else item.labels.get(name)
            if name == GOLD_ANNOTATOR:
                head = (f"gold (by {item.gold.decided_by})" if item.gold and item.gold.decided_by
                        else "gold")
            else:
                mark = " ✔" if item.gold and label and same_decision(label, item.gold) else ""
                head = f"{r + 1}  {name}{mark}"
            self.table.setVerticalHeaderItem(r, QTableWidgetItem(head))
            cells: list[tuple[str, str | None]] = []
            for tid, _ in targets:
                value = None if label is None else label.stance.get(tid, "—")
                cells.append((value or "", f"stance:{tid}"))
            cells.append(("" if label is None else
                          ", ".join(self._frame_names.get(f, f) for f in label.frames) or "—",
                          "frames"))
            cells.append(("" if label is None else ("yes" if label.irrelevant else "no"),
                          "irrelevant"))
            cells.append(("" if label is None else label.note, None))
            for c, (text, key) in enumerate(cells):
                cell = QTableWidgetItem(text)
                if name == GOLD_ANNOTATOR:
                    if label is not None:
                        cell.setBackground(QBrush(theme.colour("review_decided_bg")))
                        cell.setFont(bold)
                elif label is None:
                    if c == 0:
                        cell.setText("not labelled")
                    cell.setForeground(QBrush(theme.colour("review_missing_text")))
                elif key in differs:
                    cell.setBackground(QBrush(theme.colour("review_differ_bg")))
                self.table.setItem(r, c, cell)
        self.table.resizeColumnsToContents()
        for c in range(self.table.columnCount() - 1):
            self.table.setColumnWidth(c, min(max(self.table.columnWidth(c), 80), 260))
        self.table.resizeRowsToContents()
        # As tall as its rows: the rationale and the keys stay right under the labels.
        height = self.table.horizontalHeader().height() + 2 * self.table.frameWidth() + sum(
            self.table.rowHeight(r) for r in range(self.table.rowCount()))
        # Always room for the horizontal scroll bar: whether it shows depends on widths settled
        # later (a window fitted to a small screen), and when it came it hid the gold row.
        height += self.table.horizontalScrollBar().sizeHint().height()
        self.table.setFixedHeight(height + 2)
