"""Builds the benchmark projects and corpora, cached by size and schema version (bulk SQL, bench only).

The big project is written with ``executemany`` straight into the tables the project's own
schema created (``Project.open`` makes the file): going through ``Store.insert_article`` and
``Store.apply`` would take an hour for 3M sentences and measure the generator, not the product.
Labels are written without events (as if merged from files without history); see
docs/decisions.md.
"""
from __future__ import annotations

import json
import random
import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator

from corpus import CORPUS_VERSION, OUTLETS, TextMaker

from annotator.ingest.base import article_id
from annotator.project import Project
from annotator.schema import SCHEMA_DIGEST, SCHEMA_VERSION
from annotator.store import now

#: Bump when what is generated changes (tables filled, shares, layout of the info file).
GENERATOR_VERSION = 1
ANNOTATORS = ("alice", "bob", "carol")
STANCES = ("AGAINST", "NEUTRAL", "FAVOR")
LONG_SENTENCES, LONG_ENTITIES = 200, 60  # the article the GUI switch figure opens
BATCH = 500  # articles per transaction


@dataclass(frozen=True)
class Size:
    name: str
    articles: int
    short_texts: int  # the import figures' corpus
    ner_texts: int  # the import-with-NER sample (English articles)
    label_saves: int
    switches: int  # GUI article switches
    stall_texts: int  # texts imported while the GUI stall is measured
    labelled_share: float = 1 / 3  # the first third of articles carry the 3 annotators' labels


SIZES = {
    "smoke": Size("smoke", 40, 200, 4, 100, 10, 100),
    # quick imports 3,000 texts, not 10,000: at today's speed 10k alone would take over a minute.
    "quick": Size("quick", 1_000, 3_000, 50, 2_000, 100, 2_000),
    "full": Size("full", 100_000, 10_000, 200, 2_000, 200, 10_000),
}


@dataclass
class BigInfo:
    """What the figures need to know about a generated project (saved beside it as JSON)."""

    path: str
    articles: int
    sentences: int
    mentions: int
    labels: int
    stances: int
    labelled_sentences: int
    long_articles: list[str]  # ids of the 200-sentence, 60-entity articles
    seconds: float

    @classmethod
    def load(cls, path: Path) -> "BigInfo":
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def cache_key(size: Size) -> str:
    return f"{size.name}-s{SCHEMA_VERSION}.{SCHEMA_DIGEST}-g{GENERATOR_VERSION}-c{CORPUS_VERSION}"


def big_project(size: Size, cache: Path, log: Any = print) -> BigInfo:
    """The cached big project for ``size``, built on first use."""
    folder = cache / cache_key(size)
    info_file = folder / "big.json"
    if info_file.exists():
        return BigInfo.load(info_file)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "big.annot"
    for stale in folder.glob("big.annot*"):
        stale.unlink()
    log(f"generating {path} ({size.articles:,} articles) ...")
    info = build_project(path, size)
    info_file.write_text(json.dumps(asdict(info), indent=1), encoding="utf-8")
    log(f"generated {info.articles:,} articles, {info.sentences:,} sentences, "
        f"{info.mentions:,} mentions, {info.labels:,} labels in {info.seconds:.0f} s "
        f"({path.stat().st_size / 2**20:.0f} MiB)")
    return info


def empty_project(cache: Path) -> Path:
    """An empty project (the baseline of the open figure)."""
    path = cache / f"empty-s{SCHEMA_VERSION}.{SCHEMA_DIGEST}.annot"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        with Project.open(path):
            pass
    return path


def short_texts(size: Size, cache: Path, n: int | None = None) -> Path:
    """A JSONL file of ``n`` short texts (3–6 sentences, 20% Russian), no language given."""
    n = size.short_texts if n is None else n
    path = cache / f"short-{n}-c{CORPUS_VERSION}.jsonl"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        maker = TextMaker(seed=7 + n)
        tmp = path.with_suffix(".part")
        with tmp.open("w", encoding="utf-8") as f:
            for i in range(n):
                lang = maker.lang(0.2)
                text, _ = maker.article(lang, maker.rng.randint(3, 6))
                row = {"title": maker.title(lang), "text": text, "outlet": OUTLETS[i % len(OUTLETS)],
                       "date": f"2024-{1 + i % 12:02}-{1 + i % 28:02}"}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        tmp.rename(path)
    return path


def ner_texts(size: Size, cache: Path) -> Path:
    """A JSONL file of full-length English articles for the import-with-NER figure."""
    path = cache / f"ner-{size.ner_texts}-c{CORPUS_VERSION}.jsonl"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        maker = TextMaker(seed=11)
        tmp = path.with_suffix(".part")
        with tmp.open("w", encoding="utf-8") as f:
            for i in range(size.ner_texts):
                text, _ = maker.article("en", maker.rng.randint(20, 40))
                row = {"title": maker.title("en"), "text": text, "outlet": OUTLETS[i % 8]}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        tmp.rename(path)
    return path


# -- the big project ----------------------------------------------------------------------------

def _articles(size: Size, maker: TextMaker) -> Iterator[tuple[int, str, str, list[Any]]]:
    """(index, lang, text, spans) for every article, the long ones in the middle of the list."""
    long_at = {size.articles // 2, size.articles // 2 + 1}
    for i in range(size.articles):
        if i in long_at:
            text, spans = maker.article("en", LONG_SENTENCES, LONG_ENTITIES)
            yield i, "en", text, spans
            continue
        lang = maker.lang()
        text, spans = maker.article(lang, maker.rng.randint(20, 40))
        yield i, lang, text, spans


def build_project(path: Path, size: Size) -> BigInfo:
    """Write a new project file at ``path`` with ``size.articles`` generated articles."""
    started = time.perf_counter()
    with Project.open(path) as p:
        frames = p.codebook.frame_ids
    maker = TextMaker(seed=1)
    rng = random.Random(2)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")  # a crash only loses the cache, which is rebuilt
    stamp = now()
    with conn:
        conn.executemany("INSERT INTO targets (id, name, kind, pinned) VALUES (?, ?, ?, 0)",
                         [(e.id, e.name, e.kind) for e in maker.entities])
        conn.executemany("INSERT INTO target_aliases (target_id, alias) VALUES (?, ?)",
                         sorted({(e.id, s) for e in maker.entities for s in e.surface.values()}))
        conn.executemany("INSERT INTO annotators (id, name, kind, created) VALUES (?, ?, 'human', ?)",
                         [(k + 1, a, stamp) for k, a in enumerate(ANNOTATORS)])
    counts = dict(articles=0, sentences=0, mentions=0, labels=0, stances=0, labelled_sentences=0)
    long_ids: list[str] = []
    labelled_until = int(size.articles * size.labelled_share)
    sid = mid = 0
    rows: dict[str, list[tuple[Any, ...]]] = {k: [] for k in ("a", "s", "m", "l", "t")}

    def flush() -> None:
        with conn:
            conn.executemany(
                "INSERT INTO articles (id, title, outlet, date, url, lang, text, source, meta,"
                " n_sentences, n_units, added) VALUES (?, ?, ?, ?, NULL, ?, ?, 'bench', '{}', ?, ?, ?)",
                rows["a"])
            conn.executemany(
                "INSERT INTO sentences (id, article_id, idx, start, end, text, lang, boilerplate)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 0)", rows["s"])
            conn.executemany(
                "INSERT INTO mentions (id, article_id, start, end, label, raw_label, text, normal,"
                " origin, target_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'bench', ?)", rows["m"])
            conn.executemany(
                "INSERT INTO labels (sentence_id, annotator_id, frames, irrelevant, note, created,"
                " updated, decided_by) VALUES (?, ?, ?, ?, '', ?, ?, NULL)", rows["l"])
            conn.executemany(
                "INSERT INTO stances (sentence_id, annotator_id, target_id, value)"
                " VALUES (?, ?, ?, ?)", rows["t"])
        for v in rows.values():
            v.clear()

    kinds = {e.id: e.kind for e in maker.entities}
    for i, lang, text, spans in _articles(size, maker):
        aid = article_id(text)
        if len(spans) == LONG_SENTENCES:
            long_ids.append(aid)
        rows["a"].append((aid, maker.title(lang), OUTLETS[i % len(OUTLETS)],
                          f"2024-{1 + i % 12:02}-{1 + i % 28:02}", lang, text, len(spans),
                          len(spans), stamp))
        labelled = i < labelled_until
        for idx, (start, end, s) in enumerate(spans):
            sid += 1
            rows["s"].append((sid, aid, idx, start, end, s.text, lang))
            for m_start, m_end, eid in s.mentions:
                mid += 1
                surface = s.text[m_start:m_end]
                kind = kinds[eid]
                rows["m"].append((mid, aid, start + m_start, start + m_end, kind,
                                  {"PER": "PERSON", "LOC": "GPE"}.get(kind, kind), surface,
                                  surface.removeprefix("the "), eid))
            if labelled:
                counts["labelled_sentences"] += _labels(rows, rng, sid, s.mentions, frames, stamp,
                                                        counts)
        counts["articles"] += 1
        counts["sentences"] += len(spans)
        counts["mentions"] = mid
        if len(rows["a"]) >= BATCH:
            flush()
    flush()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
    return BigInfo(path=str(path), long_articles=long_ids,
                   seconds=time.perf_counter() - started, **counts)


def _labels(rows: dict[str, list[tuple[Any, ...]]], rng: random.Random, sid: int,
            mentions: list[tuple[int, int, int]], frames: list[str], stamp: str,
            counts: dict[str, int]) -> int:
    """Three annotators, each labelling ~90% of the sentences, ~80% copying a shared truth."""
    truth_frame = rng.choice(frames)
    targets = sorted({eid for _, _, eid in mentions})
    truth = {t: rng.choice(STANCES) for t in targets}
    any_label = 0
    for annotator in range(1, len(ANNOTATORS) + 1):
        if rng.random() > 0.9:
            continue
        frame = truth_frame if rng.random() < 0.8 else rng.choice(frames)
        rows["l"].append((sid, annotator, json.dumps([frame]), int(rng.random() < 0.03),
                          stamp, stamp))
        counts["labels"] += 1
        any_label = 1
        for t, value in truth.items():
            if rng.random() < 0.85:
                rows["t"].append((sid, annotator, t,
                                  value if rng.random() < 0.8 else rng.choice(STANCES)))
                counts["stances"] += 1
    return any_label
