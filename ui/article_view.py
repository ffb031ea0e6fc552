"""The article text as plain text with entity highlights, sentence marks and entity context menus."""
from __future__ import annotations

import bisect
import html
from typing import Any, Callable

from PySide6.QtCore import QEvent, QPoint, QRectF, QUrl, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QHelpEvent,
    QMouseEvent,
    QWheelEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFrameFormat,
)
from PySide6.QtWidgets import QMenu, QTextBrowser, QToolTip, QWidget

from annotator.model import ENTITY_LABELS, Article, Label, Mention, Sentence, Target
from annotator.textsafe import visible_in_place

from . import theme
from . import entities

GUTTER = 18  # px left of the text where the labelled marks are drawn


class ArticleView(QTextBrowser):
    """Read-only view of one article. The text is inserted as plain text, never parsed as HTML.

    The document keeps only character formats (entities, dimmed boilerplate); the current
    sentence and the labelled marks are painted over it, so moving or labelling costs a repaint,
    not a rebuild.
    """

    sentence_clicked = Signal(int)  # sentence index
    add_entity_requested = Signal(int, int, str)  # start, end (article offsets), label
    relabel_requested = Signal(int, str)  # mention id, label
    remove_requested = Signal(int)  # mention id
    link_requested = Signal(int)  # mention id: choose or create a target
    unlink_requested = Signal(int)  # mention id
    font_step_requested = Signal(int)  # +1 / -1: Ctrl + mouse wheel (the size is kept by ui.fonts)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("article_view")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setAcceptDrops(False)  # dropped files go to the window (import)
        self.setUndoRedoEnabled(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setMouseTracking(True)
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF(), 10.5))  # long reading: a little larger
        self.setFont(font)
        # Lines of at least ~45 characters: a narrow window takes room from the docks first.
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 45 + GUTTER + 40)
        self.article: Article | None = None
        self.sentences: list[Sentence] = []
        self._starts: list[int] = []
        self._mentions: list[Mention] = []
        self._mention_starts: list[int] = []
        self._labels: dict[int, Label] = {}
        self._current = -1
        self._visible: frozenset[str] = frozenset(ENTITY_LABELS)
        self._utf16: list[int] | None = None  # article offset -> document position, if they differ
        self.target_lookup: Callable[[int | None], Target | None] = lambda _id: None
        self.show_message("Open a project and choose an article.")

    # -- looks ---------------------------------------------------------------------------------------

    def set_point_size(self, points: float) -> None:
        """The article text's size (the minimum width stays that of the normal size)."""
        font = self.font()
        font.setPointSizeF(points)
        self.setFont(font)
        self.document().setDefaultFont(font)
        self.viewport().update()

    def restyle(self) -> None:
        """The theme changed: formats and marks again in its colours."""
        if self.article is not None:
            self._apply_formats()
        self.viewport().update()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            delta = event.angleDelta().y()
            if delta:
                self.font_step_requested.emit(1 if delta > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)

    # -- no remote (or any) resources: the text is data, not a web page ------------------------------

    def loadResource(self, type: int, name: QUrl) -> Any:  # noqa: A002 - Qt's signature
        return None

    def setSource(self, name: QUrl, type: Any = None) -> None:  # noqa: A002
        return  # links never navigate

    # -- content ------------------------------------------------------------------------------------

    def _new_document(self) -> QTextDocument:
        doc = QTextDocument(self)
        doc.setUndoRedoEnabled(False)
        doc.setDocumentMargin(8)
        frame: QTextFrameFormat = doc.rootFrame().frameFormat()
        frame.setLeftMargin(GUTTER)
        doc.rootFrame().setFrameFormat(frame)
        doc.setDefaultFont(self.font())
        return doc

    def _install(self, doc: QTextDocument) -> None:
        """Show ``doc`` and free the one it replaces: ``setDocument`` does not delete a document
        it does not own, and each article's formatted document is ~1.7 MB (200 sentences)."""
        old = self.document()
        ours = old is not doc and old.parent() is self  # (the editor deletes its own default one)
        self.setDocument(doc)
        if ours:
            old.deleteLater()

    def show_message(self, message: str) -> None:
        """No article: a grey hint in its place (what to do next)."""
        self.article, self.sentences, self._starts, self._labels = None, [], [], {}
        self._mentions, self._mention_starts, self._current = [], [], -1
        doc = self._new_document()
        fmt = QTextCharFormat()
        fmt.setForeground(theme.colour("muted"))
        QTextCursor(doc).insertText(message, fmt)
        self._install(doc)

    def set_article(self, article: Article | None, sentences: list[Sentence],
                    labels: dict[int, Label], current: int = -1) -> None:
        self.article = article
        self.sentences = sentences
        self._starts = [s.start for s in sentences]
        self._labels = labels
        self._current = current
        if article is None:
            self.show_message("Choose an article in the list.")
            return
        text = article.text
        # Document positions count UTF-16 units; article offsets count code points.
        if any(ord(c) > 0xFFFF for c in text):
            pos, acc = [0], 0
            for c in text:
                acc += 2 if ord(c) > 0xFFFF else 1
                pos.append(acc)
            self._utf16 = pos
        else:
            self._utf16 = None
        doc = self._new_document()
        cursor = QTextCursor(doc)
        # Plain text ('<b>' stays '<b>'); controls and bidi overrides shown, one for one.
        cursor.insertText(visible_in_place(text), QTextCharFormat())
        self._install(doc)
        self._set_mentions(sentences)
        self._apply_formats()
        self.verticalScrollBar().setValue(0)

    def _set_mentions(self, sentences: list[Sentence]) -> None:
        assert self.article is not None
        seen: dict[int | None, Mention] = {}
        for s in sentences:
            for m in s.mentions:
                seen[m.id] = m
        self._mentions = sorted(seen.values(), key=lambda m: (m.start, m.end))
        self._mention_starts = [m.start for m in self._mentions]

    def update_mentions(self, sentences: list[Sentence]) -> None:
        """Mentions were added, removed or relabelled: re-apply the character formats only."""
        self.sentences = sentences
        self._starts = [s.start for s in sentences]
        if self.article is None:
            return
        self._set_mentions(sentences)
        self._apply_formats()
        self.viewport().update()

    def set_visible_types(self, types: frozenset[str]) -> None:
        self._visible = frozenset(types)
        if self.article is not None:
            self._apply_formats()

    def _apply_formats(self) -> None:
        doc = self.document()
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.setCharFormat(QTextCharFormat())
        dim = QTextCharFormat()
        dim.setForeground(entities.boilerplate_text())
        for s in self.sentences:
            if s.boilerplate:
                self._select(cursor, s.start, s.end)
                cursor.mergeCharFormat(dim)
        for m in self._mentions:
            if m.label not in self._visible:
                continue
            fmt = QTextCharFormat()
            fmt.setBackground(entities.background(m.label))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(entities.edge(m.label))
            if m.target_id is None:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            self._select(cursor, m.start, m.end)
            cursor.mergeCharFormat(fmt)
        cursor.endEditBlock()

    def set_labels(self, labels: dict[int, Label]) -> None:
        self._labels = labels
        self.viewport().update()

    def set_current(self, index: int, scroll: bool = True) -> None:
        self._current = index
        if scroll and 0 <= index < len(self.sentences):
            self.scroll_to_sentence(index)
        self.viewport().update()

    # -- offsets ------------------------------------------------------------------------------------

    def doc_pos(self, offset: int) -> int:
        if self._utf16 is None:
            return offset
        return self._utf16[max(0, min(offset, len(self._utf16) - 1))]

    def text_offset(self, pos: int) -> int:
        if self._utf16 is None:
            return pos
        return max(0, bisect.bisect_right(self._utf16, pos) - 1)

    def _select(self, cursor: QTextCursor, start: int, end: int) -> None:
        cursor.setPosition(self.doc_pos(start))
        cursor.setPosition(self.doc_pos(end), QTextCursor.MoveMode.KeepAnchor)

    def sentence_at_offset(self, offset: int) -> int:
        i = bisect.bisect_right(self._starts, offset) - 1
        if 0 <= i < len(self.sentences) and offset < self.sentences[i].end:
            return i
        return -1

    def mention_at_offset(self, offset: int) -> Mention | None:
        i = bisect.bisect_right(self._mention_starts, offset) - 1
        # Mentions may nest or overlap: look back a little for one that covers the offset.
        for j in range(i, max(-1, i - 8), -1):
            m = self._mentions[j]
            if m.start <= offset < m.end:
                return m
        return None

    def offset_at(self, point: QPoint) -> int:
        return self.text_offset(self.cursorForPosition(point).position())

    # -- geometry and painting -------------------------------------------------------------------------

    def span_rects(self, start: int, end: int) -> list[QRectF]:
        """Viewport rectangles of the text lines covering article offsets [start, end)."""
        doc = self.document()
        layout = doc.documentLayout()
        a, b = self.doc_pos(start), self.doc_pos(end)
        dx, dy = -self.horizontalScrollBar().value(), -self.verticalScrollBar().value()
        rects: list[QRectF] = []
        block = doc.findBlock(a)
        while block.isValid() and block.position() <= b:
            tl = block.layout()
            top_left = layout.blockBoundingRect(block).topLeft()
            for i in range(tl.lineCount()):
                line = tl.lineAt(i)
                ls = block.position() + line.textStart()
                le = ls + line.textLength()
                s, e = max(a, ls), min(b, le)
                if s >= e:
                    continue
                if s == ls and e >= le:  # the whole line, whichever way it runs
                    x1, x2 = line.x(), line.x() + line.naturalTextWidth()
                else:  # right-to-left text puts the end left of the start
                    x1, x2 = sorted((_x(line.cursorToX(s - block.position())),
                                     _x(line.cursorToX(e - block.position()))))
                rects.append(QRectF(top_left.x() + x1 + dx, top_left.y() + line.y() + dy,
                                    max(2.0, x2 - x1), line.height()))
            block = block.next()
        return rects

    def scroll_to_sentence(self, index: int) -> None:
        s = self.sentences[index]
        rects = self.span_rects(s.start, s.end)
        if not rects:
            return
        top = min(r.top() for r in rects)
        bottom = max(r.bottom() for r in rects)
        height = self.viewport().height()
        if top >= 0 and bottom <= height:
            return
        bar = self.verticalScrollBar()
        # Keep some text above the sentence so the reader sees where it comes from.
        bar.setValue(int(bar.value() + top - height / 3))

    def paintEvent(self, event: QPaintEvent) -> None:
        current = self.sentences[self._current] if 0 <= self._current < len(self.sentences) else None
        rects = self.span_rects(current.start, current.end) if current is not None else []
        if rects:
            # Fill under the text (the viewport background is already painted), edge over it.
            p = QPainter(self.viewport())
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(entities.current_fill()))
            for r in rects:
                p.drawRoundedRect(r.adjusted(-2, 0, 2, 0), 3, 3)
            p.end()
        super().paintEvent(event)
        p = QPainter(self.viewport())
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if rects:
            # One outline around the whole sentence: the union of its line boxes.
            outline = QPainterPath()
            for r in rects:
                outline.addRoundedRect(r.adjusted(-2, 0, 2, 0), 3, 3)
            p.setPen(QPen(entities.current_edge(), 1.5))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(outline.simplified())
        self._paint_marks(p, event.rect().top(), event.rect().bottom())
        p.end()

    def _paint_marks(self, p: QPainter, top: int, bottom: int) -> None:
        """A bar in the left margin beside each labelled sentence (grey when 'irrelevant')."""
        if not self._labels:
            return
        x = 8 + 4 - self.horizontalScrollBar().value()  # document margin + a little
        doc = self.document()
        layout = doc.documentLayout()
        dy = -self.verticalScrollBar().value()
        for s in self.sentences:
            label = self._labels.get(s.id)
            if label is None:
                continue
            # Cheap rejection by paragraph before measuring lines: long articles stay fast.
            first = layout.blockBoundingRect(doc.findBlock(self.doc_pos(s.start)))
            if first.top() + dy > bottom:
                break
            last = layout.blockBoundingRect(doc.findBlock(self.doc_pos(max(s.start, s.end - 1))))
            if last.bottom() + dy < top:
                continue
            rects = self.span_rects(s.start, s.end)
            if not rects:
                continue
            y1 = min(r.top() for r in rects)
            y2 = max(r.bottom() for r in rects)
            if y2 < top or y1 > bottom:
                continue
            colour = entities.irrelevant_mark() if label.irrelevant else entities.labelled_mark()
            p.fillRect(QRectF(x, y1 + 1, 4, y2 - y1 - 2), colour)

    # -- mouse ---------------------------------------------------------------------------------------

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            i = self.sentence_at_offset(self.offset_at(event.position().toPoint()))
            if i >= 0:
                self.sentence_clicked.emit(i)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            m = self.mention_at_offset(self.offset_at(event.pos()))
            if m is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), self.mention_tooltip(m), self.viewport())
            return True
        return super().viewportEvent(event)

    def mention_tooltip(self, m: Mention) -> str:
        """Rich text with every piece of data escaped (tooltips guess rich text on their own)."""
        target = self.target_lookup(m.target_id)
        target_text = (f"{html.escape(target.name)} ({html.escape(target.kind)})"
                       if target is not None else "<i>not linked</i>")
        origin = m.origin
        if origin.startswith("annotator:"):
            origin = "added by " + origin.split(":", 1)[1]
        raw = f" ({html.escape(m.raw_label)})" if m.raw_label and m.raw_label != m.label else ""
        return (f"<b>{html.escape(m.text)}</b><br>{html.escape(m.label)}"
                f" — {entities.ENTITY_NAMES.get(m.label, '')}{raw}<br>target: {target_text}"
                f"<br>origin: {html.escape(origin)}")

    # -- context menu ------------------------------------------------------------------------------------

    def selection_span(self) -> tuple[int, int] | None:
        """The selected text as article offsets, trimmed of surrounding blanks."""
        cursor = self.textCursor()
        if not cursor.hasSelection() or self.article is None:
            return None
        start = self.text_offset(cursor.selectionStart())
        end = self.text_offset(cursor.selectionEnd())
        text = self.article.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return (start, end) if start < end else None

    def build_context_menu(self, point: QPoint) -> QMenu:
        menu = QMenu(self)
        span = self.selection_span()
        if span is not None and self.article is not None:
            snippet = self.article.text[span[0]:span[1]]
            snippet = snippet if len(snippet) <= 30 else snippet[:29] + "…"
            for label in ENTITY_LABELS:
                action = menu.addAction(f"Add “{snippet}” as {label}"
                                        f" ({entities.ENTITY_NAMES[label]})")
                action.setObjectName(f"add_{label}")
                action.triggered.connect(
                    lambda _=False, s=span, lab=label: self.add_entity_requested.emit(s[0], s[1], lab))
            menu.addSeparator()
        m = self.mention_at_offset(self.offset_at(point)) if self.article is not None else None
        if m is not None and m.id is not None:
            mid = m.id
            header = menu.addAction(f"{m.text} — {m.label}")
            header.setEnabled(False)
            relabel = menu.addMenu("Relabel as")
            relabel.setObjectName("relabel_menu")
            for label in ENTITY_LABELS:
                action = relabel.addAction(label)
                action.setObjectName(f"relabel_{label}")
                action.setEnabled(label != m.label)
                action.triggered.connect(
                    lambda _=False, lab=label: self.relabel_requested.emit(mid, lab))
            link = menu.addAction("Link to target…")
            link.setObjectName("link")
            link.triggered.connect(lambda: self.link_requested.emit(mid))
            if m.target_id is not None:
                unlink = menu.addAction("Unlink from target")
                unlink.setObjectName("unlink")
                unlink.triggered.connect(lambda: self.unlink_requested.emit(mid))
            remove = menu.addAction("Remove entity")
            remove.setObjectName("remove")
            remove.triggered.connect(lambda: self.remove_requested.emit(mid))
            menu.addSeparator()
        copy = menu.addAction("Copy")
        copy.setEnabled(self.textCursor().hasSelection())
        copy.triggered.connect(self.copy)
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        # Delivered through the viewport: the position is already in viewport coordinates.
        menu = self.build_context_menu(event.pos())
        menu.exec(event.globalPos())
        menu.deleteLater()


def _x(value: Any) -> float:
    """QTextLine.cursorToX returns (x, position) in PySide6; accept a bare float too."""
    return float(value[0] if isinstance(value, tuple) else value)

