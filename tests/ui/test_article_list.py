"""The article list: filters on the seeds, and paging over a very long list."""
from __future__ import annotations

import time

from PySide6.QtCore import QModelIndex
from pytestqt.qtbot import QtBot

from annotator.store import ArticleFilter, ArticleRow
from ui.article_list import PAGE, ArticleTableModel
from ui.main_window import MainWindow


def shown(window: MainWindow, qtbot: QtBot) -> int:
    window.articles.apply_filter()  # skip the typing debounce
    return window.articles.model.rowCount()


def test_filters(window: MainWindow, qtbot: QtBot) -> None:
    panel = window.articles
    assert panel.model.rowCount() == 5 and panel.count.text() == "5 articles"
    panel.lang.setCurrentIndex(panel.lang.findData("ru"))
    assert panel.model.rowCount() == 1
    assert panel.model.article_row(0).lang == "ru"
    panel.lang.setCurrentIndex(0)
    panel.outlet.setCurrentIndex(panel.outlet.findData("TASS"))
    assert panel.model.rowCount() == 1 and panel.model.article_row(0).outlet == "TASS"
    panel.outlet.setCurrentIndex(0)
    qtbot.keyClicks(panel.text, "Tileuberdi")
    qtbot.waitUntil(lambda: panel.model.rowCount() < 5, timeout=2000)  # debounced
    assert 1 <= panel.model.rowCount() < 5
    panel.text.clear()
    assert shown(window, qtbot) == 5
    # Label every unit of the current article: "has unlabelled" drops it.
    s = window.session
    for sentence in s.sentences:
        if not sentence.boilerplate:
            s.set_label(sentence.id, {}, [], True, "")
    row = panel.model.row_of(s.article.id)
    n = sum(1 for x in s.sentences if not x.boilerplate)
    assert panel.model.index(row, 5).data() == f"{n}/{n}"
    panel.unlabelled.setChecked(True)
    assert panel.model.rowCount() == 4
    assert s.article.id not in {panel.model.article_row(i).id for i in range(4)}
    panel.unlabelled.setChecked(False)
    assert panel.model.rowCount() == 5


class FakeProject:
    """Stands in for Project: 100k articles, counting the rows it is asked for."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.fetched = 0

    def count_articles(self, f: ArticleFilter = ArticleFilter(), annotator: str | None = None) -> int:
        return self.n

    def article_rows(self, offset: int, limit: int, f: ArticleFilter = ArticleFilter(),
                     annotator: str | None = None) -> list[ArticleRow]:
        if f.after_rowid is not None:  # rowids are 1-based row numbers here
            offset += f.after_rowid
        rows = [ArticleRow(f"id{i}", f"Article {i}", "Outlet", "2024-01-01", "en", 10, 9,
                           i % 10, i + 1) for i in range(offset, min(self.n, offset + limit))]
        self.fetched += len(rows)
        return rows


def test_long_list_is_paged(qtbot: QtBot) -> None:
    fake = FakeProject(100_000)
    model = ArticleTableModel()
    started = time.perf_counter()
    model.set_source(fake, "alice")  # type: ignore[arg-type]
    assert model.rowCount() == PAGE and fake.fetched == PAGE
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * PAGE
    assert model.ensure_loaded(1000) and model.rowCount() == 6 * PAGE
    assert model.index(1000, 0).data() == "Article 1000"
    assert model.index(1000, 5).data() == "0/9"
    assert time.perf_counter() - started < 1.0
    assert fake.fetched < 2000  # never the whole list
    changes = []
    model.dataChanged.connect(lambda a, b: changes.append((a.row(), a.column(), b.row(), b.column())))
    model.refresh_article("id1000")
    assert changes == [(1000, 5, 1000, 5)]  # one cell, precisely


def test_has_unlabelled_keeps_the_open_article_selected_and_its_progress_current(
        window: MainWindow, qtbot: QtBot) -> None:
    panel, s = window.articles, window.session
    window.step_article(+1)
    article = s.article.id
    panel.unlabelled.setChecked(True)
    assert panel.current_article_id() == article  # still listed, still selected
    units = [x for x in s.sentences if not x.boilerplate]
    for sentence in units:  # finish the article while the filter is on
        s.set_current(sentence.index)
        window.panel.toggle_irrelevant()
    row = panel.model.row_of(article)
    assert row is not None  # not dropped under the annotator's hands
    assert panel.model.index(row, 5).data() == f"{len(units)}/{len(units)}"
