"""An import without entities analyses its texts (language, sentences, boilerplate) in worker
processes when it is big enough: the project it writes is the same as with none, and an article whose
analysis fails is reported and left out while the others go in."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator import Project

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def _corpus(tmp_path: Path, n: int = 70) -> Path:
    """``n`` distinct articles (the seeds, one Russian, edition-numbered; some short, some with a
    boilerplate line), several chunks."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    corpus = tmp_path / "corpus.jsonl"
    with corpus.open("w", encoding="utf-8") as f:
        for i in range(n):
            text = texts[i % len(texts)]
            if i % 7 == 3:
                text = text[:300]  # cut mid-sentence
            if i % 5 == 1:
                text += "\n\nShare this article on Facebook"
            f.write(json.dumps({"text": f"Edition {i}.\n\n{text}", "title": None if i % 2 else f"T{i}"},
                               ensure_ascii=False) + "\n")
    return corpus


def _dump(path: Path) -> list[object]:
    db = sqlite3.connect(path)
    try:
        articles = db.execute("SELECT id, title, lang, text, n_sentences FROM articles ORDER BY rowid")
        return [articles.fetchall(), db.execute("SELECT * FROM sentences ORDER BY id").fetchall()]
    finally:
        db.close()


@pytest.mark.parametrize("lang", [None, "en"])
def test_an_import_without_entities_writes_the_same_with_workers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str | None) -> None:
    corpus = _corpus(tmp_path)
    dumps = []
    for workers in ("0", "2"):
        monkeypatch.setenv("ANNOTATOR_NER_WORKERS", workers)
        messages: list[str] = []
        with Project.open(tmp_path / f"w{workers}.annot") as p:
            report = p.import_files([corpus], ner=False, lang=lang,
                                    progress=lambda d, t, m: messages.append(m))
        assert report.ok and report.articles_added == 70, report.issues
        assert any("starting 2 worker processes" in m for m in messages) == (workers == "2")
        dumps.append(_dump(tmp_path / f"w{workers}.annot"))
    assert dumps[0] == dumps[1]
    langs = {row[2] for row in dumps[0][0]}  # type: ignore[index]
    assert langs == ({"en", "ru"} if lang is None else {"en"})
    assert any(row[-1] for row in dumps[0][1])  # type: ignore[index,union-attr]  # boilerplate found


def test_an_article_whose_analysis_fails_is_reported_and_the_others_go_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import annotator.nlp.analysis as analysis

    real = analysis.split_sentences

    def split(text: str, lang: str) -> list[tuple[int, int]]:
        if "Edition 4." in text:
            raise ValueError("the splitter gave up")
        return real(text, lang)

    monkeypatch.setattr(analysis, "split_sentences", split)
    monkeypatch.setenv("ANNOTATOR_NER_WORKERS", "0")  # the patch is in this process only
    corpus = _corpus(tmp_path, 20)
    with Project.open(tmp_path / "p.annot") as p:
        report = p.import_files([corpus], ner=False)
        assert report.articles_added == 19 == len(p.articles())
    assert [(i.line, i.message) for i in report.issues] == [(5, "cannot process: the splitter gave up")]
    assert not report.ok


def test_a_row_that_fails_in_a_chunk_written_at_once_is_undone_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk without entities goes in with one statement for its articles and one for their
    sentences; when a row fails, the chunk's statements are undone (no row, no count kept) and
    it goes in article by article: the bad one is reported, the others go in, and the counts
    kept by triggers match the rows."""
    from annotator.store import Store

    real = Store.insert_articles
    calls: list[int] = []

    def insert(self: Store, items):  # type: ignore[no-untyped-def]
        calls.append(len(items))
        if any(article.title == "T4" for article, _ in items):
            raise ValueError("a row the file refused")
        return real(self, items)

    monkeypatch.setattr(Store, "insert_articles", insert)
    monkeypatch.setenv("ANNOTATOR_NER_WORKERS", "0")
    corpus = _corpus(tmp_path, 20)
    with Project.open(tmp_path / "p.annot") as p:
        report = p.import_files([corpus], ner=False)
        assert report.articles_added == 19 == len(p.articles())
        assert report.sentences == len(p.store.conn.execute("SELECT id FROM sentences").fetchall())
        stats = p.stats()
    # chunks of 16 (the seeds are long): the first at once, then one by one; the rest at once
    assert calls == [16] + [1] * 16 + [4]
    assert [(i.line, i.message) for i in report.issues] == [(5, "not imported: a row the file refused")]
    db = sqlite3.connect(tmp_path / "p.annot")
    assert stats["articles"] == db.execute("SELECT count(*) FROM articles").fetchone()[0] == 19
    assert stats["sentences"] == db.execute("SELECT count(*) FROM sentences").fetchone()[0]
    assert not db.execute("SELECT 1 FROM articles WHERE title = 'T4'").fetchone()
    db.close()


def test_sentence_ids_given_at_once_are_the_rows_ids(tmp_path: Path) -> None:
    """The ids insert_articles hands back (chosen before one executemany) are those in the file,
    also after sentences at the end were deleted (SQLite then reuses the ids past the largest)."""
    from annotator.model import Article, Sentence

    def article(n: int, k: int) -> tuple[Article, list[Sentence]]:
        text = " ".join(f"S{i}." for i in range(k))
        return (Article(id=f"a{n}", title=f"t{n}", text=text, lang="en"),
                [Sentence(id=0, article_id=f"a{n}", index=i, start=3 * i, end=3 * i + 3,
                          text=text[3 * i:3 * i + 3], lang="en") for i in range(k)])

    with Project.open(tmp_path / "p.annot") as p:
        first = p.store.insert_articles([article(1, 3), article(2, 0), article(3, 2)])
        with p.store.transaction():
            p.store.conn.execute("DELETE FROM articles WHERE id = 'a3'")
        second = p.store.insert_articles([article(4, 2)])
        rows = p.store.conn.execute("SELECT article_id, idx, id FROM sentences ORDER BY id").fetchall()
    assert first == [[1, 2, 3], [], [4, 5]] and second == [[4, 5]]
    assert rows == [("a1", 0, 1), ("a1", 1, 2), ("a1", 2, 3), ("a4", 0, 4), ("a4", 1, 5)]
