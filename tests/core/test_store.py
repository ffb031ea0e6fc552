"""The project file: schema versions, refusing foreign or newer files, labels, undo/redo, targets."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator import Project, ProjectError
from annotator.schema import SCHEMA_VERSION

DATA = Path(__file__).resolve().parent.parent / "data"


def small_project(path: Path) -> Project:
    folder = path.parent / "in"
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text(
        "Blinken visits Astana\n\nThe US supports Kazakhstan. Russia was not mentioned.\n\n"
        "Leave a Comment", encoding="utf-8")
    (folder / "b.txt").write_text(
        "Визит Блинкена\n\nГоссекретарь США прибыл в Астану. Он встретился с министром.",
        encoding="utf-8")
    p = Project.open(path)
    report = p.import_files([folder], ner=False)
    assert report.articles_added == 2 and report.ok
    return p


def test_new_file_has_current_schema_wal_and_foreign_keys(tmp_path: Path) -> None:
    with Project.open(tmp_path / "p.annot") as p:
        assert p.store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert p.store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert p.store.wal
        assert p.codebook.name == "pfc"


def test_newer_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.annot"
    Project.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="newer version"):
        Project.open(path)
    assert path.read_bytes() == before


def test_foreign_sqlite_and_garbage_files_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE x (a)")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="not an annotation project"):
        Project.open(other)
    junk = tmp_path / "junk.annot"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(ProjectError, match="not a project file"):
        Project.open(junk)


@pytest.mark.parametrize("fixture", sorted(DATA.glob("project-v*.annot")))
def test_every_old_version_fixture_opens_and_upgrades(fixture: Path, tmp_path: Path) -> None:
    path = tmp_path / fixture.name
    path.write_bytes(fixture.read_bytes())
    with Project.open(path) as p:
        assert p.store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert len(p.articles()) >= 1
        assert p.labels()  # labels survive the upgrade


def test_reimport_is_a_noop(tmp_path: Path) -> None:
    with small_project(tmp_path / "p.annot") as p:
        again = p.import_files([tmp_path / "in"], ner=False)
        assert again.articles_added == 0 and again.articles_skipped == 2
        assert len(p.articles()) == 2


def test_sentences_index_the_text_and_boilerplate_is_marked(tmp_path: Path) -> None:
    with small_project(tmp_path / "p.annot") as p:
        for a in p.articles():
            sents = p.sentences(a.id)
            assert sents and all(a.text[s.start:s.end] == s.text for s in sents)
            assert sents[0].text in ("Blinken visits Astana", "Визит Блинкена")
        en = next(a for a in p.articles() if a.lang == "en")
        assert [s.text for s in p.sentences(en.id) if s.boilerplate] == ["Leave a Comment"]


def test_label_set_replace_clear_undo_redo(tmp_path: Path) -> None:
    with small_project(tmp_path / "p.annot") as p:
        t = p.create_target("United States", "LOC", "alice", aliases=["US"])
        s = p.sentences(p.articles()[0].id)[1]
        p.set_label(s.id, "alice", stance={"US": "FAVOR"}, frames=["political", "economic"])
        lab = p.label(s.id, "alice")
        assert lab is not None and lab.stance == {t.id: "FAVOR"}
        assert lab.frames == ["economic", "political"]  # codebook order
        p.set_label(s.id, "alice", stance={t.id: "AGAINST"}, frames=[], irrelevant=False,
                    note="changed")
        assert p.label(s.id, "alice").stance == {t.id: "AGAINST"}  # type: ignore[union-attr]
        p.set_label(s.id, "bob", irrelevant=True)
        p.undo("alice")
        lab = p.label(s.id, "alice")
        assert lab is not None and lab.stance == {t.id: "FAVOR"} and lab.note == ""
        assert p.label(s.id, "bob") is not None  # bob's label is not alice's undo
        p.redo("alice")
        assert p.label(s.id, "alice").note == "changed"  # type: ignore[union-attr]
        p.set_label(s.id, "alice")  # empty label = removed
        assert p.label(s.id, "alice") is None
        p.undo("alice")
        assert p.label(s.id, "alice").note == "changed"  # type: ignore[union-attr]
        # a new action discards the redo stack
        p.undo("alice")
        p.set_label(s.id, "alice", frames=["morality"])
        assert not p.can_redo("alice")


def test_bad_label_values_are_refused_with_clear_messages(tmp_path: Path) -> None:
    with small_project(tmp_path / "p.annot") as p:
        s = p.sentences(p.articles()[0].id)[1]
        with pytest.raises(ProjectError, match="not in the codebook"):
            p.set_label(s.id, "alice", frames=["nonsense"])
        with pytest.raises(ProjectError, match="no target named"):
            p.set_label(s.id, "alice", stance={"Nobody": "FAVOR"})
        t = p.create_target("Russia", "LOC", "alice")
        with pytest.raises(ProjectError, match="not one of"):
            p.set_label(s.id, "alice", stance={t.id: "LOVE"})
        with pytest.raises(ProjectError, match="no sentence"):
            p.set_label(10**9, "alice", frames=["economic"])
        assert p.labels() == []


def test_labels_survive_reopen_and_a_killed_writer(tmp_path: Path) -> None:
    path = tmp_path / "p.annot"
    with small_project(path) as p:
        s = p.sentences(p.articles()[0].id)[1]
        p.set_label(s.id, "alice", frames=["economic"])
        # No close(): the data must already be committed (a crash loses nothing saved).
        other = Project.open(path)
        assert other.label(s.id, "alice").frames == ["economic"]  # type: ignore[union-attr]
        other.close()


def test_mentions_and_targets_edits_are_undoable(tmp_path: Path) -> None:
    with small_project(tmp_path / "p.annot") as p:
        a = next(a for a in p.articles() if a.lang == "en")
        start = a.text.index("Kazakhstan")
        m = p.add_mention(a.id, start, start + len("Kazakhstan"), "LOC", "alice")
        assert m.origin == "annotator:alice" and m.text == "Kazakhstan"
        kz = p.create_target("Kazakhstan", "LOC", "alice")
        p.link_mention(m.id, kz.id, "alice")  # type: ignore[arg-type]
        us = p.create_target("US", "LOC", "alice")
        usa = p.create_target("United States", "LOC", "alice", aliases=["USA"])
        s = next(s for s in p.sentences(a.id) if "US" in s.text)
        p.set_label(s.id, "bob", stance={us.id: "FAVOR"})  # type: ignore[dict-item]
        p.merge_targets(usa.id, us.id, "alice")  # type: ignore[arg-type]
        merged = p.target(usa.id)  # type: ignore[arg-type]
        assert merged is not None and set(merged.aliases) >= {"United States", "USA", "US"}
        assert p.target(us.id) is None  # type: ignore[arg-type]
        assert p.label(s.id, "bob").stance == {usa.id: "FAVOR"}  # type: ignore[union-attr]
        p.undo("alice")  # un-merge
        assert p.target(us.id) is not None  # type: ignore[arg-type]
        assert p.label(s.id, "bob").stance == {us.id: "FAVOR"}  # type: ignore[union-attr]
        p.relabel_mention(m.id, "ORG", "alice")  # type: ignore[arg-type]
        assert p.store.mention(m.id).label == "ORG"  # type: ignore[union-attr, arg-type]
        p.undo("alice")
        assert p.store.mention(m.id).label == "LOC"  # type: ignore[union-attr, arg-type]
        p.remove_mention(m.id, "alice")  # type: ignore[arg-type]
        assert p.store.mention(m.id) is None  # type: ignore[arg-type]
        p.undo("alice")
        assert p.store.mention(m.id).target_id == kz.id  # type: ignore[union-attr, arg-type]
        p.set_pinned(kz.id, True, "alice")  # type: ignore[arg-type]
        assert p.target(kz.id).pinned  # type: ignore[union-attr, arg-type]
        actions = [e.action for e in p.history("alice")]
        assert actions[0] == "pin_target" and "merge_targets" in actions


def test_split_target(tmp_path: Path) -> None:
    with small_project(tmp_path / "p.annot") as p:
        a = p.articles()[0]
        i = a.text.index("US")
        j = a.text.index("Kazakhstan")
        t = p.create_target("US", "LOC", "alice")
        m1 = p.add_mention(a.id, i, i + 2, "LOC", "alice", target_id=t.id)
        m2 = p.add_mention(a.id, j, j + 10, "LOC", "alice", target_id=t.id)
        new = p.split_target(t.id, [m2.id], "Kazakhstan", "alice")  # type: ignore[arg-type, list-item]
        assert p.store.mention(m2.id).target_id == new.id  # type: ignore[union-attr, arg-type]
        assert p.store.mention(m1.id).target_id == t.id  # type: ignore[union-attr, arg-type]
        with pytest.raises(ProjectError, match="do not belong"):
            p.split_target(t.id, [m2.id], "X", "alice")  # type: ignore[arg-type, list-item]


def test_import_report_keeps_good_rows_and_names_bad_ones(tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl"
    f.write_text('{"text": "Good article one. It has two sentences."}\n{"text": ""}\n'
                 '{"text": "Good article two."}\n', encoding="utf-8")
    with Project.open(tmp_path / "p.annot") as p:
        report = p.import_files([f], ner=False)
        assert report.articles_added == 2 and not report.ok
        assert [(i.line, i.file) for i in report.issues] == [(2, str(f))]


def test_import_can_be_cancelled_and_keeps_what_was_done(tmp_path: Path) -> None:
    from annotator.progress import Progress

    folder = tmp_path / "many"
    folder.mkdir()
    n = 400  # several chunks of short texts (a chunk holds 16-128 of them)
    for i in range(n):
        (folder / f"{i:03}.txt").write_text(f"Title {i}\n\nBody of article number {i}.")
    prog = Progress()
    calls = []

    def cb(done: int, total: int, msg: str) -> None:
        calls.append(done)
        if done > 0:  # the first committed chunk
            prog.cancel()

    prog.callback = cb
    with Project.open(tmp_path / "p.annot") as p:
        report = p.import_files([folder], ner=False, progress=prog)
        assert report.cancelled
        assert 0 < report.articles_added < n
        assert len(p.articles()) == report.articles_added
        rest = p.import_files([folder], ner=False)
        assert rest.articles_added == n - report.articles_added


def test_progress_event_scope_and_after_rowid(tmp_path: Path) -> None:
    from dataclasses import replace

    from annotator.store import ArticleFilter

    with small_project(tmp_path / "p.annot") as p:
        first, second = p.articles()
        units = sum(not s.boilerplate for a in (first, second) for s in p.sentences(a.id))
        assert p.progress("alice") == (0, units)
        s = p.sentences(first.id)[1]
        p.set_label(s.id, "alice", frames=["economic"])
        assert p.progress("alice") == (1, units)
        event = p.undo("alice")
        assert event is not None and p.event_scope(event.id) == ([first.id], [s.id])
        rows = p.article_rows(0, 10)
        after = p.article_rows(0, 10, replace(ArticleFilter(), after_rowid=rows[0].rowid))
        assert [r.id for r in after] == [second.id]


def test_a_read_only_project_gives_a_clear_error_not_sqlite(tmp_path: Path) -> None:
    from annotator.store import StoreError

    p = small_project(tmp_path / "p.annot")
    sid = p.sentences(p.articles()[0].id)[1].id
    p.set_label(sid, "alice", frames=["economic"])
    # What a file without write permission does (chmod does not stop root, who runs CI here).
    p.store.conn.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreError, match="read-only"):
        p.set_label(sid, "alice", frames=["political"])
    with pytest.raises(StoreError, match="read-only"):
        p.undo("alice")
    (tmp_path / "c.txt").write_text("New article\n\nAbout Russia. And more.", encoding="utf-8")
    with pytest.raises(StoreError, match="read-only"):  # stops at once, not one issue per article
        p.import_files([tmp_path / "c.txt"], ner=False)
    assert p.label(sid, "alice").frames == ["economic"]  # type: ignore[union-attr]
    p.close()


def test_undo_never_drops_another_annotators_work(tmp_path: Path) -> None:
    p = small_project(tmp_path / "p.annot")
    s1, s2 = [s.id for s in p.sentences(p.articles()[0].id)[1:3]]
    # zoe creates a target, bob labels with it: zoe's undo would cascade-delete bob's stance.
    t = p.create_target("Tokayev", "PER", "zoe")
    p.set_label(s1, "bob", stance={t.id: "AGAINST"})
    with pytest.raises(ProjectError, match="cannot undo 'create 'Tokayev''"):
        p.undo("zoe")
    assert p.label(s1, "bob").stance == {t.id: "AGAINST"}  # type: ignore[union-attr]
    assert p.can_undo("zoe")  # refused, not consumed
    # Once bob has undone his label, zoe's undo goes through; bob's redo is then refused
    # (its target is gone) instead of failing with sqlite's IntegrityError.
    p.undo("bob")
    assert p.undo("zoe") is not None and p.target(t.id) is None
    with pytest.raises(ProjectError, match="cannot redo"):
        p.redo("bob")
    assert p.redo("zoe") is not None and p.redo("bob") is not None
    assert p.label(s1, "bob").stance == {t.id: "AGAINST"}  # type: ignore[union-attr]
    # zoe merges two targets; bob changes the stance the merge moved: undoing the merge would
    # put back bob's old stance over his new one.
    keep = p.create_target("Kazakhstan", "LOC", "zoe")
    other = p.create_target("Qazaqstan", "LOC", "zoe")
    p.set_label(s2, "bob", stance={other.id: "AGAINST"})
    p.merge_targets(keep.id, other.id, "zoe")
    p.set_label(s2, "bob", stance={keep.id: "FAVOR"})
    with pytest.raises(ProjectError, match="cannot undo 'merge"):
        p.undo("zoe")
    assert p.label(s2, "bob").stance == {keep.id: "FAVOR"}  # type: ignore[union-attr]
    assert p.target(other.id) is None
    p.close()


def test_one_text_twice_in_one_import_is_reported(tmp_path: Path) -> None:
    import json

    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(json.dumps({"title": t, "text": "One body about Russia."})
                           for t in ("First title", "Second title")), encoding="utf-8")
    with Project.open(tmp_path / "p.annot") as p:
        report = p.import_files([f], ner=False)
        assert report.articles_added == 1 and report.articles_skipped == 1
        assert [(i.line, i.message) for i in report.issues] == [
            (2, f"same text as {f}:1; skipped (one article per text)")]
        assert p.articles()[0].title == "First title"
        again = p.import_files([f], ner=False)  # a re-import is not a problem
        assert again.ok and again.articles_skipped == 2


def test_each_reviewer_undoes_only_their_own_gold_decisions(tmp_path: Path) -> None:
    from annotator.project import gold_actor

    with small_project(tmp_path / "p.annot") as p:
        s1, s2 = [s for s in p.sentences(p.articles()[0].id) if not s.boilerplate][:2]
        p.set_gold(s1.id, "rita", frames=["economic"])
        p.set_gold(s2.id, "sam", frames=["political"])
        assert p.undo(gold_actor("rita")) is not None
        assert p.label(s1.id, "gold") is None
        assert p.label(s2.id, "gold").decided_by == "sam"  # type: ignore[union-attr]
        p.clear_gold(s2.id, "sam")
        assert p.label(s2.id, "gold") is None
        p.undo(gold_actor("sam"))
        assert p.label(s2.id, "gold").frames == ["political"]  # type: ignore[union-attr]


def test_merge_reports_stances_it_drops_and_undo_restores_them(tmp_path: Path) -> None:
    with small_project(tmp_path / "p.annot") as p:
        s = p.sentences(p.articles()[0].id)[1]
        us = p.create_target("US", "LOC", "alice")
        usa = p.create_target("United States", "LOC", "alice")
        p.set_label(s.id, "bob", stance={us.id: "FAVOR", usa.id: "AGAINST"})  # type: ignore[dict-item]
        assert p.merge_targets(usa.id, us.id, "alice") == 1  # type: ignore[arg-type]
        assert "1 stance on 'US' dropped" in p.history("alice")[0].summary
        assert p.label(s.id, "bob").stance == {usa.id: "AGAINST"}  # type: ignore[union-attr]
        p.undo("alice")
        assert p.label(s.id, "bob").stance == {us.id: "FAVOR", usa.id: "AGAINST"}  # type: ignore[union-attr]
