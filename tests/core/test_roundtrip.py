"""Export -> import into a new project -> export again gives the same labels, in every importable format."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator import Project
from annotator.export import ExportOptions, export
from test_export import build_project, read_jsonl


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("rt") / "source.annot", n_articles=12)


def labels_of(lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {line["id"]: line["labels"] for line in lines}


def entities_of(lines: list[dict[str, Any]]) -> dict[str, Any]:
    keep = ("start", "end", "label", "raw_label", "text", "origin", "target")
    return {line["id"]: [{k: e[k] for k in keep} for e in line["entities"]] for line in lines}


def test_article_file_round_trip_is_exact(source: Path, tmp_path: Path) -> None:
    export(source, tmp_path / "articles.jsonl", "articles", ExportOptions(include_unlabelled=True))
    export(source, tmp_path / "before.jsonl", "jsonl")
    with Project.open(tmp_path / "copy.annot") as p:
        report = p.import_files([tmp_path / "articles.jsonl"], ner=False)
        assert report.ok, report.issues
        assert report.articles_added == 12 and report.labels == 12 * 5 + 6
        assert report.mentions == 24  # entities come from the file when the article has none
        export(p, tmp_path / "after.jsonl", "jsonl")
        # Importing the same file again changes nothing.
        again = p.import_files([tmp_path / "articles.jsonl"], ner=False)
        assert again.ok and again.articles_skipped == 12 and again.labels == 0
        assert len(p.history("gold")) == 6  # one undoable event per article and annotator
    before, after = read_jsonl(tmp_path / "before.jsonl"), read_jsonl(tmp_path / "after.jsonl")
    assert labels_of(before) == labels_of(after)
    assert entities_of(before) == entities_of(after)
    assert (tmp_path / "before.jsonl").read_bytes() == (tmp_path / "after.jsonl").read_bytes()


@pytest.mark.parametrize("fmt,name", [("jsonl", "labels.jsonl"), ("labelstudio", "tasks.json"),
                                      ("doccano", "doccano.jsonl"), ("prodigy", "prodigy.jsonl")])
def test_label_files_apply_to_articles_already_there(source: Path, tmp_path: Path, fmt: str,
                                                     name: str) -> None:
    """Sentence-level files carry no article text: they label articles imported before."""
    export(source, tmp_path / "texts.jsonl", "articles", ExportOptions(annotators=("nobody",),
                                                                       include_unlabelled=True))
    export(source, tmp_path / name, fmt)
    export(source, tmp_path / "before.jsonl", "jsonl")
    with Project.open(tmp_path / "copy.annot") as p:
        assert p.import_files([tmp_path / "texts.jsonl"], ner=False).labels == 0
        report = p.import_files([tmp_path / name], ner=False)
        assert report.ok, report.issues
        assert report.articles_added == 0 and report.labels == 12 * 5 + 6
        assert set(p.annotators()) == {"alice", "bob", "carol"}
        export(p, tmp_path / "after.jsonl", "jsonl")
    assert labels_of(read_jsonl(tmp_path / "before.jsonl")) == labels_of(
        read_jsonl(tmp_path / "after.jsonl"))


def test_labels_join_an_existing_project_by_content(source: Path, tmp_path: Path) -> None:
    """Importing an article file into a project that has the articles adds only the labels."""
    export(source, tmp_path / "gold.jsonl", "articles", ExportOptions(annotators=("gold",)))
    copy = tmp_path / "copy.annot"
    copy.write_bytes(source.read_bytes())
    with Project.open(copy) as p:
        p.set_gold(p.labels(annotator="gold")[0].sentence_id, "erin", frames=["morality"])
        report = p.import_files([tmp_path / "gold.jsonl"], ner=False)
        assert report.ok and report.articles_skipped == 6 and report.labels == 1  # restored
        assert report.mentions == 0


def test_unmatched_lines_are_reported_with_file_and_line(source: Path, tmp_path: Path) -> None:
    export(source, tmp_path / "labels.jsonl", "jsonl")
    lines = (tmp_path / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[1])
    bad["start"] += 1
    bad["end"] += 1
    bad["text"] = "a sentence that is not there"
    stranger = json.loads(lines[2])
    stranger["article_id"] = "0123456789abcdef"
    lines[1], lines[2] = json.dumps(bad), json.dumps(stranger)
    lines.append("{not json")
    (tmp_path / "labels.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    export(source, tmp_path / "texts.jsonl", "articles", ExportOptions(annotators=("nobody",),
                                                                       include_unlabelled=True))
    with Project.open(tmp_path / "copy.annot") as p:
        p.import_files([tmp_path / "texts.jsonl"], ner=False)
        report = p.import_files([tmp_path / "labels.jsonl"], ner=False)
    where = {(Path(i.file).name, i.line) for i in report.issues}
    assert ("labels.jsonl", 2) in where and ("labels.jsonl", 3) in where
    assert ("labels.jsonl", len(lines)) in where
    assert any("not in the project" in i.message for i in report.issues)
    assert any("no sentence at" in i.message for i in report.issues)
    assert report.labels > 0  # the good lines still count


def test_unknown_frames_and_stances_are_issues(source: Path, tmp_path: Path) -> None:
    export(source, tmp_path / "texts.jsonl", "articles", ExportOptions(annotators=("nobody",),
                                                                       include_unlabelled=True))
    export(source, tmp_path / "d.jsonl", "doccano", ExportOptions(annotators=("carol",)))
    rows = read_jsonl(tmp_path / "d.jsonl")
    rows[0]["label"] = ["frame:nonsense"]
    rows[1]["label"] = ["stance:Alice Smith:LOVE"]
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with Project.open(tmp_path / "copy.annot") as p:
        p.import_files([tmp_path / "texts.jsonl"], ner=False)
        report = p.import_files([tmp_path / "d.jsonl"], ner=False)
    # Counted per kind (not a line per row), shown in the mapping, and the import is not ok.
    assert report.tally[("choice", "skipped: not mapped (see the mapping; --map FILE)")] == 2
    unmapped = {r["value"] for r in report.mapping if r["to"] == "not mapped"}
    assert unmapped == {"frame:nonsense", "stance:Alice Smith:LOVE"}
    assert not report.ok
    # Only the unknown values are left out: the rest of those labels (carol's notes) still import.
    assert report.labels == len(rows)


def test_seeds_round_trip(seeds_project: Project, tmp_path: Path) -> None:
    p = seeds_project
    blinken = p.resolve_target("Blinken")
    kz = p.resolve_target("Kazakhstan")
    units = [s for a in p.iter_articles() for s in p.sentences(a.id) if not s.boilerplate]
    for i, s in enumerate(units[:12]):
        p.set_label(s.id, "alice", {blinken: "FAVOR"} if i % 2 else {kz: "NEUTRAL"},
                    ["economic"] if i % 3 else ["security_defense", "political"])
        p.set_label(s.id, "bob", {blinken: "NEUTRAL"}, ["political"], irrelevant=i == 5)
    p.set_gold(units[0].id, "carol", {kz: "NEUTRAL"}, ["political"], rationale="agreed")
    export(p, tmp_path / "articles.jsonl", "articles")
    export(p, tmp_path / "before.jsonl", "jsonl")
    with Project.open(tmp_path / "new.annot") as q:
        report = q.import_files([tmp_path / "articles.jsonl"], ner=False)
        assert report.ok, report.issues
        export(q, tmp_path / "after.jsonl", "jsonl")
    before, after = read_jsonl(tmp_path / "before.jsonl"), read_jsonl(tmp_path / "after.jsonl")
    assert len(before) == 12
    assert labels_of(before) == labels_of(after)
    assert entities_of(before) == entities_of(after)


def test_line_separator_characters_in_text_survive_the_round_trip(tmp_path: Path) -> None:
    # JSON keeps U+2028 / U+0085 unescaped (ensure_ascii=False); str.splitlines would cut there.
    text = "Headline\n\nTalks about Russia.\u2028Kazakhstan agreed. Next\x85 line here."
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"title": "LS", "text": text}, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    with Project.open(tmp_path / "a.annot") as p:
        report = p.import_files([src], ner=False)
        assert report.ok and report.articles_added == 1, report.issues
        first = p.sentences(p.articles()[0].id)[1]
        p.set_label(first.id, "alice", frames=["economic"])
        export(p, tmp_path / "articles.jsonl", "articles")
    with Project.open(tmp_path / "b.annot") as p:
        report = p.import_files([tmp_path / "articles.jsonl"], ner=False)
        assert report.ok, report.issues
        assert report.articles_added == 1 and report.labels == 1
        assert "\u2028" in p.articles()[0].text
