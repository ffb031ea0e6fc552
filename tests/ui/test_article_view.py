"""The article view: plain text only, entity highlights and toggles, marks, clicks, entity edits."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QContextMenuEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotator import Project
from ui.article_view import ArticleView
from ui.main_window import MainWindow
from ui.settings import open_settings


HOSTILE = ('Breaking <b>x</b><img src="http://example.com/a.png"> and '
           '<a href="http://example.com">link</a> &amp; more.\n\n'
           'A second sentence with an emoji 🙂 before Moscow. Then a third one.\n')


def _point_of(view: ArticleView, offset: int) -> QPoint:
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.doc_pos(offset))
    rect = view.cursorRect(cursor)
    return QPoint(rect.x() + 2, rect.center().y())


def _window_on_article(qtbot: QtBot, tmp_path: Path, name: str, text: str) -> MainWindow:
    """The real window, shown, on a new project holding one article with ``text`` (no NER)."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    path = tmp_path / f"{name}.annot"
    with Project.open(path) as p:
        assert p.import_files([folder], ner=False).articles_added == 1
    w = MainWindow(open_settings(), "alice", restore_layout=False)
    qtbot.addWidget(w)
    assert w.open_project(path)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_article_text_is_never_html(qtbot: QtBot, tmp_path: Path) -> None:
    w = _window_on_article(qtbot, tmp_path, "hostile", HOSTILE)
    text = w.view.toPlainText()
    assert '<b>x</b><img src="http://example.com/a.png">' in text
    assert '<a href="http://example.com">link</a> &amp; more.' in text
    doc = w.view.document()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            assert not fmt.isImageFormat() and not fmt.isAnchor()
            it += 1
        block = block.next()
    assert w.view.loadResource(int(QTextDocument.ResourceType.ImageResource),
                               QUrl("http://example.com/a.png")) is None
    # Offsets survive characters outside the BMP (two UTF-16 units in the document).
    article = w.session.article
    start = article.text.index("Moscow")
    cursor = QTextCursor(doc)
    cursor.setPosition(w.view.doc_pos(start))
    cursor.setPosition(w.view.doc_pos(start + 6), QTextCursor.MoveMode.KeepAnchor)
    assert cursor.selectedText() == "Moscow"
    assert w.title.text().startswith("Breaking <b>x</b>")
    w.close()


def test_entities_are_highlighted_and_toggle(window: MainWindow, qtbot: QtBot) -> None:
    view = window.view
    m = next(m for s in window.session.sentences for m in s.mentions if m.label == "LOC")
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.doc_pos(m.start) + 1)
    assert cursor.charFormat().background().color().name() == "#d3f4d1"
    window.toggles.actions["LOC"].setChecked(False)  # the legend button / View menu action
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.doc_pos(m.start) + 1)
    assert cursor.charFormat().background().style() == Qt.BrushStyle.NoBrush
    window.toggles.actions["LOC"].setChecked(True)
    tip = view.mention_tooltip(m)
    assert "LOC" in tip and "target:" in tip and "origin:" in tip


def test_tooltip_escapes_entity_text(window: MainWindow) -> None:
    m = next(m for s in window.session.sentences for m in s.mentions)
    m.text = "<img src=x>"
    assert "&lt;img src=x&gt;" in window.view.mention_tooltip(m)


def test_click_makes_a_sentence_current(window: MainWindow, qtbot: QtBot) -> None:
    view = window.view
    target = next(s for s in window.session.sentences if s.index > window.session.current + 1
                  and not s.boilerplate)
    view.set_current(target.index)  # scrolls it into view
    QApplication.processEvents()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=_point_of(view, target.start + 3))
    assert window.session.current == target.index
    assert window.panel.sentence.id == target.id
    rects = view.span_rects(target.start, target.end)
    assert rects and all(r.height() > 0 for r in rects)


def test_add_relabel_link_remove_entity_from_context_menu(window: MainWindow, qtbot: QtBot) -> None:
    view = window.view
    s = window.session
    sentence = next(x for x in s.sentences if x.index == s.current)
    words = [(i, i + len(w)) for i, w in _words(s.article.text, sentence.start, sentence.end)]
    covered = {(m.start, m.end) for m in sentence.mentions}
    start, end = next(span for span in words
                      if not any(a < span[1] and span[0] < b for a, b in covered))
    cursor = view.textCursor()
    cursor.setPosition(view.doc_pos(start))
    cursor.setPosition(view.doc_pos(end), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    menu = view.build_context_menu(_point_of(view, start))
    menu.findChild(type(menu.actions()[0]), "add_MISC").trigger()
    added = next(m for x in s.sentences for m in x.mentions if (m.start, m.end) == (start, end))
    assert added.label == "MISC" and added.origin == "annotator:alice"
    view.setTextCursor(QTextCursor(view.document()))  # no selection
    menu = view.build_context_menu(_point_of(view, start + 1))
    menu.findChild(type(menu.actions()[0]), "relabel_ORG").trigger()
    relabelled = next(m for x in s.sentences for m in x.mentions if m.id == added.id)
    assert relabelled.label == "ORG"
    target = s.create_target("Test Org", "ORG")
    window.link_mention(added.id, target.id)
    linked = next(m for x in s.sentences for m in x.mentions if m.id == added.id)
    assert linked.target_id == target.id
    assert any(r.target.id == target.id for r in window.panel.rows)  # offered for stance now
    window.link_mention(added.id, None, new_name="Brand New", new_kind="ORG")
    assert s.target(next(m for x in s.sentences for m in x.mentions
                         if m.id == added.id).target_id).name == "Brand New"
    menu = view.build_context_menu(_point_of(view, start + 1))
    menu.findChild(type(menu.actions()[0]), "remove").trigger()
    assert not any(m.id == added.id for x in s.sentences for m in x.mentions)
    qtbot.keyClick(view, "z", Qt.KeyboardModifier.ControlModifier)  # undo the removal
    assert any(m.id == added.id for x in s.sentences for m in x.mentions)


def _words(text: str, start: int, end: int) -> list[tuple[int, str]]:
    out, i = [], start
    for word in text[start:end].split():
        i = text.index(word, i)
        if word.isalpha() and len(word) > 3:
            out.append((i, word))
        i += len(word)
    return out


def test_data_in_tooltips_is_escaped(window: MainWindow) -> None:
    from ui.richtext import tooltip

    assert tooltip("<b>x</b>", "a & b") == \
        "<p style='white-space: pre-wrap'>&lt;b&gt;x&lt;/b&gt;<br>a &amp; b</p>"
    s = window.session
    tid = next(iter(s.targets()))
    s.rename_target(tid, "<img src=x>")
    row = next(r for r in range(window.targets.proxy.rowCount())
               if window.targets.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole) == tid)
    tip = window.targets.proxy.index(row, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;img src=x&gt;" in tip and "<img" not in tip


def test_current_sentence_box_covers_right_to_left_text(qtbot: QtBot, tmp_path: Path) -> None:
    w = _window_on_article(qtbot, tmp_path, "rtl", (
        "A headline in English\n\n"
        "قال الرئيس إن تركيا تدعم السلام في المنطقة. وأضاف أن موسكو شريك مهم.\n"))
    view = w.view
    arabic = [s for s in w.session.sentences if "موسكو" in s.text or "تركيا" in s.text]
    assert len(arabic) == 2, [s.text for s in w.session.sentences]
    for s in arabic:
        rects = view.span_rects(s.start, s.end)
        width = sum(r.width() for r in rects)
        text_width = view.fontMetrics().horizontalAdvance(s.text.strip())
        assert width > 0.6 * text_width, (s.text, width, text_width)  # not a 2-px sliver
    w.close()


def test_context_menu_is_built_for_the_point_clicked(window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    view = window.view
    points: list[QPoint] = []

    class Menu:
        def exec(self, *_args: object) -> None:
            pass

        def deleteLater(self) -> None:
            pass

    monkeypatch.setattr(view, "build_context_menu", lambda p: points.append(p) or Menu())
    where = QPoint(100, 50)
    QApplication.sendEvent(view.viewport(), QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, where, view.viewport().mapToGlobal(where)))
    assert points == [where]  # not shifted by the frame: the mention's first pixel counts
