"""The counts kept by triggers (schema v3) equal the counts a scan of the tables gives."""
from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from annotator import Project

DATA = Path(__file__).resolve().parents[1] / "data"


def scanned(conn: sqlite3.Connection) -> dict[str, Any]:
    """``Store.stats`` as it was before the counts table: every figure from a scan."""
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "articles": one("SELECT count(*) FROM articles"),
        "sentences": one("SELECT count(*) FROM sentences"),
        "boilerplate_sentences": one("SELECT count(*) FROM sentences WHERE boilerplate = 1"),
        "entities": one("SELECT count(*) FROM mentions"),
        "entities_by_label": dict(conn.execute(
            "SELECT label, count(*) FROM mentions GROUP BY label ORDER BY label").fetchall()),
        "targets": one("SELECT count(*) FROM targets"),
        "languages": dict(conn.execute(
            "SELECT lang, count(*) FROM articles GROUP BY lang ORDER BY lang").fetchall()),
        "outlets": dict(conn.execute(
            "SELECT coalesce(outlet, ''), count(*) FROM articles GROUP BY outlet ORDER BY outlet"
        ).fetchall()),
        "labelled_sentences": one(
            "SELECT count(DISTINCT l.sentence_id) FROM labels l"
            " JOIN annotators a ON a.id = l.annotator_id WHERE a.kind = 'human'"),
        "labels_by_annotator": dict(conn.execute(
            "SELECT a.name, count(*) FROM labels l JOIN annotators a ON a.id = l.annotator_id"
            " GROUP BY a.id ORDER BY a.id").fetchall()),
        "gold_sentences": one(
            "SELECT count(*) FROM labels l JOIN annotators a ON a.id = l.annotator_id"
            " WHERE a.kind = 'gold'"),
    }


def same(p: Project) -> None:
    kept = p.stats()
    want = scanned(p.store.conn)
    for key, value in want.items():
        assert kept[key] == value, key
        if isinstance(value, dict):
            assert list(kept[key]) == list(value), f"{key} order"
    assert p.store.outlets() == [r[0] for r in p.store.conn.execute(
        "SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL ORDER BY outlet")]
    assert p.store.count_articles() == want["articles"]
    total = p.store.conn.execute("SELECT coalesce(sum(n_units), 0) FROM articles").fetchone()[0]
    for name, aid in p.store.conn.execute("SELECT name, id FROM annotators").fetchall():
        done = p.store.conn.execute(
            "SELECT count(*) FROM labels l JOIN sentences s ON s.id = l.sentence_id"
            " WHERE l.annotator_id = ? AND s.boilerplate = 0", (aid,)).fetchone()[0]
        assert p.store.progress(name) == (done, total), name
    assert p.store.progress("nobody") == (0, total)
    per_target = dict(p.store.conn.execute(
        "SELECT target_id, count(*) FROM mentions WHERE target_id IS NOT NULL GROUP BY target_id"))
    assert {t.id: t.n_mentions for t in p.store.targets()} == {
        tid: per_target.get(tid, 0) for (tid,) in p.store.conn.execute("SELECT id FROM targets")}
    # the label votes (v5), in the order of the GROUP BY they replace
    assert p.store.target_label_counts() == [tuple(r) for r in p.store.conn.execute(
        "SELECT target_id, label, raw_label, origin, count(*) FROM mentions"
        " WHERE target_id IS NOT NULL GROUP BY target_id, label, raw_label, origin"
        " ORDER BY target_id, label, raw_label, origin")]


def test_counts_follow_labels_undo_redo_gold_and_mentions(seeds_project: Project) -> None:
    p = seeds_project
    same(p)
    rng = random.Random(7)
    sids = [s.id for a in p.articles() for s in p.sentences(a.id)]
    targets = [t.id for t in p.targets()]
    frames = [f.id for f in p.codebook.frames]
    for step in range(300):
        sid = rng.choice(sids)
        who = rng.choice(["alice", "bob", "carol"])
        roll = rng.random()
        if roll < 0.55:
            p.set_label(sid, who, stance={rng.choice(targets): "FAVOR"} if targets else None,
                        frames=rng.sample(frames, k=rng.randint(0, 2)))
        elif roll < 0.7:
            p.set_label(sid, who)  # the empty label removes it
        elif roll < 0.8:
            p.undo(who)
        elif roll < 0.85:
            p.redo(who)
        elif roll < 0.92:
            p.set_gold(sid, "alice", frames=rng.sample(frames, k=1))
        else:
            article = rng.choice(p.articles())
            ms = p.store.mentions(article.id)
            if ms and rng.random() < 0.5:
                m = rng.choice(ms)
                if rng.random() < 0.5:
                    p.relabel_mention(m.id, rng.choice(["PER", "LOC", "ORG"]), who)
                else:
                    p.remove_mention(m.id, who)
            elif targets and rng.random() < 0.5:
                p.add_mention(article.id, 0, 3, "ORG", who, target_id=rng.choice(targets))
            else:
                p.add_mention(article.id, 0, 3, "ORG", who)
        if step % 25 == 0:
            same(p)
    same(p)
    assert p.stats()["labelled_sentences"] > 0


def test_counts_follow_cascades_and_raw_writes(seeds_project: Project) -> None:
    """Any writer keeps them: a cascade from a deleted article, raw key and column updates."""
    p = seeds_project
    sids = [s.id for a in p.articles() for s in p.sentences(a.id)]
    for sid in sids[:20]:
        p.set_label(sid, "alice", frames=[p.codebook.frames[0].id])
        p.set_label(sid, "bob", irrelevant=True)
    p.set_label(sids[25], "dan", irrelevant=True)
    conn = p.store.conn
    with p.store.transaction():
        conn.execute("UPDATE sentences SET boilerplate = 1 - boilerplate WHERE id % 3 = 0")
        conn.execute("UPDATE articles SET outlet = NULL, n_units = n_units - 1 WHERE rowid = 1")
        conn.execute("UPDATE articles SET outlet = '', lang = 'de' WHERE rowid = 2")
        conn.execute("UPDATE labels SET sentence_id = ? WHERE sentence_id = ? AND annotator_id ="
                     " (SELECT id FROM annotators WHERE name = 'bob')", (sids[-1], sids[0]))
        conn.execute("UPDATE labels SET annotator_id = (SELECT id FROM annotators WHERE name ="
                     " 'dan') WHERE sentence_id = ? AND annotator_id = (SELECT id FROM annotators"
                     " WHERE name = 'alice')", (sids[1],))
    same(p)
    with p.store.transaction():
        conn.execute("DELETE FROM articles WHERE rowid = (SELECT max(rowid) FROM articles)")
        conn.execute("UPDATE mentions SET target_id = (SELECT max(id) FROM targets)"
                     " WHERE id % 4 = 0")
    same(p)
    with p.store.transaction():  # a deleted target: its mentions' target_id is set to NULL
        conn.execute("DELETE FROM targets WHERE id = (SELECT max(id) FROM targets)")
    same(p)


def test_upgrade_from_v2_counts_what_is_there(tmp_path: Path) -> None:
    path = tmp_path / "p.annot"
    shutil.copy(DATA / "project-v2.annot", path)
    with Project.open(path) as p:
        same(p)
        assert p.stats()["articles"] >= 1
