"""Merging project files and native JSONL exports: idempotent, never overwriting, reporting misses."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from annotator import Project
from annotator.cli import main
from annotator.merge import MERGE_ACTOR, MergeError, merge_project
from annotator.model import GOLD_ANNOTATOR, Mention

ARTICLES = {
    "a.txt": "Talks in Astana\n\nRussia criticised the plan. Kazakhstan welcomed the deal. Prices rose.",
    "b.txt": "Trade news\n\nThe ministry praised Russia. Exports grew by a tenth.",
}
EXTRA = {"c.txt": "Only elsewhere\n\nThis article is only in the other file. It has two sentences."}


def make(path: Path, files: dict[str, str]) -> Project:
    folder = path.with_suffix("")
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    p = Project.open(path)
    assert p.import_files([folder], ner=False).ok
    return p


def sentence_ids(p: Project, name: str) -> list[int]:
    title = next(t.split("\n")[0] for f, t in {**ARTICLES, **EXTRA}.items() if f == name)
    art = next(a for a in p.articles() if a.title == title)
    return [s.id for s in p.sentences(art.id)]


def snapshot(p: Project) -> dict[str, Any]:
    """Everything a merge may touch, in comparable form (ids replaced by names and spans)."""
    targets = {t.id: (t.name, t.kind, tuple(sorted(t.aliases))) for t in p.targets()}
    spans = {}
    for a in p.articles():
        for s in p.sentences(a.id):
            spans[s.id] = (a.id, s.start, s.end)
    labels = sorted(
        (spans[lab.sentence_id], lab.annotator, tuple(sorted((targets[t][0], v)
                                                            for t, v in lab.stance.items())),
         tuple(lab.frames), lab.irrelevant, lab.note, lab.updated, lab.decided_by)
        for lab in p.labels())
    mentions = sorted((m.article_id, m.start, m.end, m.label, m.origin,
                       targets[m.target_id][0] if m.target_id else None)
                      for a in p.articles() for m in p.mentions(a.id))
    return {"targets": sorted(targets.values()), "labels": labels, "mentions": mentions,
            "articles": sorted(a.id for a in p.articles())}


@pytest.fixture
def pair(tmp_path: Path):  # type: ignore[no-untyped-def]
    ours = make(tmp_path / "ours.annot", ARTICLES)
    theirs = make(tmp_path / "theirs.annot", {**ARTICLES, **EXTRA})
    # Target ids differ between the files: "theirs" made another target first.
    theirs.create_target("Astana", "LOC", "bob")
    ru_ours = ours.create_target("Russia", "LOC", "alice", aliases=["Moscow"]).id
    ru_theirs = theirs.create_target("russia", "LOC", "bob", aliases=["Russian Federation"]).id
    kz_theirs = theirs.create_target("Kazakhstan", "LOC", "bob").id
    a_ours, a_theirs = sentence_ids(ours, "a.txt"), sentence_ids(theirs, "a.txt")
    b_ours, b_theirs = sentence_ids(ours, "b.txt"), sentence_ids(theirs, "b.txt")

    ours.set_label(a_ours[1], "alice", {ru_ours: "AGAINST"}, ["political"])
    ours.set_label(b_ours[1], "carol", {ru_ours: "FAVOR"}, ["economic"])
    # Same annotator, same sentence, different labels: ours first (older) on a[2] ...
    ours.set_label(a_ours[2], "alice", None, ["economic"])
    theirs.set_label(a_theirs[1], "bob", {ru_theirs: "NEUTRAL"}, ["political"])
    theirs.set_label(a_theirs[2], "bob", {kz_theirs: "FAVOR"}, ["economic"], note="KZ")
    theirs.set_label(a_theirs[2], "alice", None, ["economic", "political"])  # newer: wins
    theirs.set_label(b_theirs[2], "alice", None, [], irrelevant=True)  # ... and theirs older on b[2]
    ours.set_label(b_ours[2], "alice", None, ["economic"])  # newer: ours stays
    theirs.set_gold(a_theirs[1], "dana", {ru_theirs: "NEUTRAL"}, ["political"], rationale="both ok")
    c = sentence_ids(theirs, "c.txt")
    theirs.set_label(c[1], "bob", None, ["other"])
    # An entity edit by bob in theirs: a new mention linked to Kazakhstan.
    art_a = next(a for a in theirs.articles() if a.title == "Talks in Astana")
    start = art_a.text.index("Kazakhstan")
    theirs.add_mention(art_a.id, start, start + len("Kazakhstan"), "LOC", "bob", kz_theirs)
    theirs_path = theirs.path
    theirs.close()
    yield ours, theirs_path
    ours.close()


def test_merge_brings_labels_targets_gold_and_entity_edits(pair: tuple[Project, str]) -> None:
    ours, other = pair
    report = merge_project(ours, other)
    assert report.articles_matched == 2 and report.articles_seen == 3
    # bob a1, bob a2, alice a2 (replaced), gold a1; alice b2 conflict kept; bob c1 missing
    assert report.labels_added == 3 and report.labels_replaced == 1
    names = {t.name for t in ours.targets()}
    assert "Kazakhstan" in names and "russia" not in names  # matched "Russia" case-insensitively
    ru = ours.resolve_target("Russia")
    assert "Russian Federation" in ours.target(ru).aliases  # type: ignore[union-attr]
    a = sentence_ids(ours, "a.txt")
    bob = ours.label(a[1], "bob")
    assert bob is not None and bob.stance == {ru: "NEUTRAL"}
    kz = ours.resolve_target("Kazakhstan")
    assert ours.label(a[2], "bob").stance == {kz: "FAVOR"}  # type: ignore[union-attr]
    gold = ours.label(a[1], GOLD_ANNOTATOR)
    assert gold is not None and gold.decided_by == "dana" and gold.note == "both ok"
    art = next(x for x in ours.articles() if x.title == "Talks in Astana")
    edited = [m for m in ours.mentions(art.id) if m.origin == "annotator:bob"]
    assert len(edited) == 1 and edited[0].target_id == kz and report.mentions_added == 1
    assert ours.history(MERGE_ACTOR)  # logged, undoable per article


def test_never_overwrites_and_newer_wins_for_the_same_annotator(pair: tuple[Project, str]) -> None:
    ours, other = pair
    a, b = sentence_ids(ours, "a.txt"), sentence_ids(ours, "b.txt")
    before_alice_a1 = ours.label(a[1], "alice")
    before_carol = ours.label(b[1], "carol")
    report = merge_project(ours, other)
    assert ours.label(a[1], "alice") == before_alice_a1  # theirs has no alice label there
    assert ours.label(b[1], "carol") == before_carol
    conflicts = {(c.annotator, c.sentence_index, c.kept) for c in report.conflicts}
    assert conflicts == {("alice", 2, "other"), ("alice", 2, "this")}
    assert ours.label(a[2], "alice").frames == ["economic", "political"]  # type: ignore[union-attr]
    kept = ours.label(b[2], "alice")
    assert kept is not None and kept.frames == ["economic"] and not kept.irrelevant
    assert any("conflict: alice" in line for line in report.lines())


def test_merging_twice_changes_nothing(pair: tuple[Project, str]) -> None:
    ours, other = pair
    first = merge_project(ours, other)
    assert first.changed
    once = snapshot(ours)
    events = len(ours.history(MERGE_ACTOR))
    second = merge_project(ours, other)
    assert not second.changed
    assert snapshot(ours) == once
    assert len(ours.history(MERGE_ACTOR)) == events
    assert second.labels_same == first.labels_added + first.labels_replaced
    assert second.mentions_same == 1
    # with articles added, a third merge is a no-op too
    merge_project(ours, other, add_articles=True)
    added = snapshot(ours)
    assert not merge_project(ours, other, add_articles=True).changed
    assert snapshot(ours) == added


def test_unmatched_articles_and_sentences_are_reported(pair: tuple[Project, str], tmp_path: Path) -> None:
    ours, other = pair
    # Make one of theirs' labelled sentences end elsewhere (as a different sentence splitter would).
    conn = sqlite3.connect(other)
    conn.execute("UPDATE sentences SET end = end - 1 WHERE id = (SELECT sentence_id FROM labels"
                 " l JOIN annotators a ON a.id = l.annotator_id WHERE a.name = 'bob' ORDER BY"
                 " sentence_id LIMIT 1)")
    conn.commit()
    conn.close()
    report = merge_project(ours, other)
    assert [m.title for m in report.missing_articles] == ["Only elsewhere"]
    assert report.missing_articles[0].labels == 1
    assert len(report.unmatched_sentences) == 1 and report.unmatched_sentences[0].labels == 2
    text = "\n".join(report.lines())
    assert "--add-articles" in text and "no sentence with the same span" in text

    added = merge_project(ours, other, add_articles=True)
    assert added.articles_added == 1 and not added.missing_articles
    c = sentence_ids(ours, "c.txt")
    assert ours.label(c[1], "bob").frames == ["other"]  # type: ignore[union-attr]


def test_a_failing_article_is_rolled_back_whole(pair: tuple[Project, str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    ours, other = pair
    real_apply = ours.store.apply
    calls = {"n": 0}

    def flaky(annotator: str, action: str, changes: list[Any], summary: str = "") -> Any:
        calls["n"] += 1
        if calls["n"] == 1:  # the first article: its targets and labels are written, then this
            real_apply(annotator, action, changes, summary)
            raise RuntimeError("disk full")
        return real_apply(annotator, action, changes, summary)

    before = snapshot(ours)
    monkeypatch.setattr(ours.store, "apply", flaky)
    report = merge_project(ours, other)
    assert any("disk full" in i for i in report.issues)
    after = snapshot(ours)
    a_ids = {s for s in sentence_ids(ours, "a.txt")}
    art_a = next(a.id for a in ours.articles() if a.title == "Talks in Astana")
    assert [lab for lab in after["labels"] if lab[0][0] == art_a] == \
        [lab for lab in before["labels"] if lab[0][0] == art_a]
    assert "Kazakhstan" not in {t[0] for t in after["targets"]}  # created there, rolled back
    assert report.labels_added == 0 and a_ids
    monkeypatch.undo()
    retry = merge_project(ours, other)
    assert retry.labels_added == 3 and not retry.issues


def test_merge_from_native_jsonl_exports(pair: tuple[Project, str], tmp_path: Path) -> None:
    from annotator.export import ExportOptions, export

    ours, other = pair
    sentences = tmp_path / "theirs.jsonl"
    articles = tmp_path / "theirs-articles.jsonl"
    with Project.open(other) as theirs:
        export(theirs, sentences, "jsonl", ExportOptions(labels="all"))
        export(theirs, articles, "articles", ExportOptions(labels="all"))
    report = merge_project(ours, sentences)
    assert report.labels_added == 3 and report.labels_replaced == 1, report.lines()
    with Project.open(other) as theirs:
        elsewhere = next(a.id for a in theirs.articles() if a.title == "Only elsewhere")
    assert [m.article_id for m in report.missing_articles] == [elsewhere]
    again = merge_project(ours, articles, add_articles=True)
    assert again.articles_added == 1 and again.labels_added == 1  # bob's label on c
    assert report.mentions_added == 0  # sentence lines carry labels, not entity edits
    assert again.mentions_added == 1  # article lines do: bob's mention comes in
    c = sentence_ids(ours, "c.txt")
    assert ours.label(c[1], "bob").frames == ["other"]  # type: ignore[union-attr]
    assert not merge_project(ours, articles, add_articles=True).changed


def test_cli_merge(pair: tuple[Project, str], capsys: pytest.CaptureFixture[str]) -> None:
    ours, other = pair
    path = ours.path
    assert main(["merge", path, other, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "3 added, 1 replaced by newer" in out and "--add-articles" in out
    assert main(["merge", path, other, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["labels_added"] == 0 and data[0]["labels_same"] == 4
    assert main(["merge", path, str(Path(path).parent / "missing.annot")]) == 1
    with pytest.raises(MergeError, match="into itself"):
        merge_project(ours, path)


def test_model_mention_relabelled_elsewhere_is_updated(tmp_path: Path) -> None:
    ours = make(tmp_path / "o.annot", ARTICLES)
    theirs = make(tmp_path / "t.annot", ARTICLES)
    for p in (ours, theirs):
        art = next(a for a in p.articles() if a.title == "Trade news")
        s = art.text.index("Russia")
        p.store.insert_mentions(art.id, [Mention(s, s + 6, "PER", "Russia", "model:x")])
    art = next(a for a in theirs.articles() if a.title == "Trade news")
    theirs.relabel_mention(theirs.mentions(art.id)[0].id, "LOC", "bob")  # type: ignore[arg-type]
    theirs.close()
    report = merge_project(ours, tmp_path / "t.annot")
    assert report.mentions_updated == 1
    m = ours.mentions(art.id)[0]
    assert (m.label, m.origin) == ("LOC", "annotator:bob")
    ours.close()


def test_merge_leaves_the_other_file_byte_identical(tmp_path: Path) -> None:
    import sqlite3

    from annotator import Project
    from annotator.merge import merge_project

    other = tmp_path / "other.annot"
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Title here\n\nThe US supports Kazakhstan.", encoding="utf-8")
    with Project.open(other) as p:
        p.import_files([src], ner=False)
        p.set_label(p.sentences(p.articles()[0].id)[1].id, "bob", frames=["economic"])
    c = sqlite3.connect(other)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.execute("PRAGMA journal_mode = DELETE")
    c.close()
    before = other.read_bytes()
    with Project.open(tmp_path / "main.annot") as p:
        p.import_files([src], ner=False)
        merge_project(p, other)
        assert [lab.annotator for lab in p.labels()] == ["bob"]
    assert other.read_bytes() == before
    assert not Path(str(other) + "-wal").exists()
