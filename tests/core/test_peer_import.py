"""Other tools' files in: Label Studio (files a real server wrote), doccano, Prodigy, spreadsheets;
the label mapping, stance targets, entity spans, content matching and the per-kind summary."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator import Project
from annotator.cli import main
from annotator.ingest.mapping import LabelMapping, MappingError

DATA = Path(__file__).resolve().parents[1] / "data" / "peer"


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def labels(p: Project) -> dict[tuple[str, str], tuple]:
    names = {t.id: t.name for t in p.targets()}
    out = {}
    for a in p.iter_articles():
        texts = {s.id: s.text for s in p.sentences(a.id)}
        for lab in p.labels(article_id=a.id):
            out[(texts[lab.sentence_id], lab.annotator)] = (
                {names[t]: v for t, v in lab.stance.items()}, sorted(lab.frames), lab.irrelevant)
    return out


@pytest.mark.parametrize("name", ["labelstudio-export.json", "labelstudio-export-min.json",
                                  "labelstudio-export.csv"])
def test_label_studio_exports_made_by_a_real_server(tmp_path: Path, name: str) -> None:
    """Files exported by Label Studio 1.23 (tests/interop made them): 24 labels by 6 names."""
    with Project.open(tmp_path / "p.annot") as p:
        report = p.import_files([DATA / name], ner=False)
        got = labels(p)
        assert not report.issues
        assert report.labels == 24 and report.articles_added == 8
        assert {a for _, a in got} == {"alice", "bob", "carol", "gold", "erin", "labelstudio-1"}
        assert sum(a == "gold" for _, a in got) == 2
        gold = [lab for lab in p.labels(annotator="gold")]
        assert {lab.decided_by for lab in gold} == {"dana"}
        origins = {m.origin for a in p.iter_articles() for m in p.mentions(a.id)}
        assert "annotator:erin" in origins
    tally = {f"{k}: {o}": n for (k, o), n in report.tally.items()}
    assert tally["task text: new article"] == 8


def test_label_studio_min_without_names_is_counted_not_merged(tmp_path: Path) -> None:
    """Rows without labelled_by all belong to Label Studio's user 1: one label per sentence,
    the others counted as skipped (the silent 263 -> 82 of issue 9), and exit 1."""
    rows = json.loads((DATA / "labelstudio-export-min.json").read_text(encoding="utf-8"))
    for r in rows:
        r.pop("labelled_by", None)
    (tmp_path / "min.json").write_text(json.dumps(rows), encoding="utf-8")
    with Project.open(tmp_path / "p.annot") as p:
        report = p.import_files([tmp_path / "min.json"], ner=False)
        assert p.annotators(include_gold=True) == ["labelstudio-1"]
    skipped = report.tally[("annotation", "skipped: a second annotation by the same annotator on "
                            "one sentence")]
    assert report.labels + skipped == len(rows) and skipped > 0 and not report.ok


def test_doccano_shapes_and_frame_names(tmp_path: Path) -> None:
    """doccano's three export shapes; category names map to frames and stances."""
    seq = write(tmp_path / "alice.jsonl", [
        {"id": 1, "text": "EU rejects German call to boycott British lamb.",
         "label": [[0, 2, "ORG"], [11, 17, "NORP"]], "Comments": []},
        {"id": 2, "text": "Peter Blackburn met Angela in Berlin.", "label": [[0, 15, "PERSON"],
                                                                           [30, 36, "GPE"]]}])
    rel = write(tmp_path / "bob.jsonl", [
        {"id": 3, "text": "Google was founded by Larry Page.", "entities": [
            {"id": 0, "start_offset": 0, "end_offset": 6, "label": "ORG"},
            {"id": 1, "start_offset": 22, "end_offset": 32, "label": "PERSON"}],
         "relations": [{"id": 0, "from_id": 0, "to_id": 1, "type": "foundedBy"}]}])
    cls = write(tmp_path / "all.jsonl", [
        {"id": 4, "text": "Taxes will rise to pay for the new hospital.",
         "label": ["Economic", "Health_and_safety"], "user": "carol"},
        {"id": 5, "text": "The minister's plan is a disgrace.", "label": ["Political", "AGAINST"],
         "user": "carol"}])
    with Project.open(tmp_path / "p.annot") as p:
        report = p.import_files([seq, rel, cls], ner=False, mapping=LabelMapping(
            stance_target="The minister"))
        got = labels(p)
        mentions = {(m.text, m.label, m.raw_label, m.origin) for a in p.iter_articles()
                    for m in p.mentions(a.id)}
    assert ("EU", "ORG", "ORG", "annotator:alice") in mentions
    assert ("German", "MISC", "NORP", "annotator:alice") in mentions
    assert ("Peter Blackburn", "PER", "PERSON", "annotator:alice") in mentions
    assert ("Berlin", "LOC", "GPE", "annotator:alice") in mentions
    assert ("Larry Page", "PER", "PERSON", "annotator:bob") in mentions
    assert got[("Taxes will rise to pay for the new hospital.", "carol")] == (
        {}, ["economic", "health_safety"], False)
    assert got[("The minister's plan is a disgrace.", "carol")] == (
        {"The minister": "AGAINST"}, ["political"], False)
    assert report.tally[("doccano relation", "not carried (no relations here)")] == 1
    assert report.articles_added == 5


def test_stance_without_target_is_never_dropped_silently(tmp_path: Path) -> None:
    rows = [{"text": "Alice Smith is right.", "label": ["FAVOR"], "user": "ann"}]
    f = write(tmp_path / "d.jsonl", rows)
    with Project.open(tmp_path / "p.annot") as p:
        report = p.import_files([f], ner=False)
    assert report.tally[("stance", "skipped: no target (give --stance-target NAME, @only or "
                         "@most)")] == 1
    assert not report.ok and report.labels == 0
    # @only: the sentence's only mentioned target.
    with Project.open(tmp_path / "q.annot") as p:
        p.import_files([write(tmp_path / "t.jsonl", [{"text": "Alice Smith is right."}])], ner=False)
        alice = p.create_target("Alice Smith", "PER", "x")
        a = p.articles()[0]
        p.add_mention(a.id, 0, 11, "PER", "x", alice.id)
        report = p.import_files([f], ner=False, mapping=LabelMapping(stance_target="@only"))
        assert report.labels == 1 and report.ok, report.tally
        assert p.labels(annotator="ann")[0].stance == {alice.id: "FAVOR"}


def test_mapping_file_and_spreadsheet(tmp_path: Path) -> None:
    (tmp_path / "map.json").write_text(json.dumps({
        "fields": {"topic": "frames", "junk": "ignore"},
        "values": {"Econ": "frame:economic", "pos": "stance:FAVOR", "spam": "irrelevant"},
        "stance_target": "Joe Biden"}), encoding="utf-8")
    sheet = tmp_path / "coded.csv"
    sheet.write_text("text,topic,sentiment,coder,junk\n"
                     "Biden signs the budget.,Econ; Political,pos,ann,x\n"
                     "Buy cheap watches now!,spam,,ann,y\n"
                     '"Biden, in Paris, talks trade.","Economic, Political",,bea,z\n',
                     encoding="utf-8")
    mapping = LabelMapping.load(tmp_path / "map.json")
    with Project.open(tmp_path / "p.annot") as p:
        report = p.import_files([sheet], ner=False, mapping=mapping)
        got = labels(p)
    assert report.ok, report.tally
    assert got[("Biden signs the budget.", "ann")] == ({"Joe Biden": "FAVOR"},
                                                       ["economic", "political"], False)
    assert got[("Buy cheap watches now!", "ann")] == ({}, [], True)
    assert got[("Biden, in Paris, talks trade.", "bea")] == ({}, ["economic", "political"], False)
    rows = {(r["field"], r["value"]): (r["to"], r["how"]) for r in report.mapping}
    assert rows[("topic", "Econ")] == ("frame economic", "map file")
    assert rows[("junk", "x")] == ("ignore", "field role")


def test_bad_mapping_files_name_the_file_and_entry(tmp_path: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text('{"values": {"x": "frame"}}', encoding="utf-8")
    with pytest.raises(MappingError, match=r"m\.json.*values\[\"x\"\]"):
        LabelMapping.load(bad)
    bad.write_text('{"fields": {"x": "colour"}}', encoding="utf-8")
    with pytest.raises(MappingError, match="colour"):
        LabelMapping.load(bad)


def test_prodigy_spans_accept_and_answers(tmp_path: Path) -> None:
    f = write(tmp_path / "news.jsonl", [
        {"text": "Angela Merkel visited Paris.", "spans": [
            {"start": 0, "end": 13, "label": "PERSON", "token_start": 0, "token_end": 1},
            {"start": 22, "end": 27, "label": "GPE"}], "answer": "accept",
         "_annotator_id": "news-ann", "_input_hash": 1, "_task_hash": 2,
         "options": [{"id": 1, "text": "Economic"}, {"id": 2, "text": "Political"}], "accept": [2]},
        {"text": "Nothing here.", "answer": "reject", "_annotator_id": "news-ann"}])
    with Project.open(tmp_path / "p.annot") as p:
        report = p.import_files([f], ner=False)
        got = labels(p)
        mentions = {(m.text, m.label) for a in p.iter_articles() for m in p.mentions(a.id)}
    assert got == {("Angela Merkel visited Paris.", "news-ann"): ({}, ["political"], False)}
    assert mentions == {("Angela Merkel", "PER"), ("Paris", "LOC")}
    assert report.tally[("Prodigy answer", "skipped: reject (only accepted answers are labels)")] == 1


def test_a_text_already_present_is_matched_by_content(tmp_path: Path) -> None:
    art = write(tmp_path / "a.jsonl", [{"text": "Headline\n\nAlice Smith met Bob. The economy grew."}])
    with Project.open(tmp_path / "p.annot") as p:
        p.import_files([art], ner=False)
        n = len(p.articles())
        f = write(tmp_path / "d.jsonl", [{"text": "The economy grew.", "label": ["Economic"],
                                          "user": "zoe"}])
        report = p.import_files([f], ner=False)
        assert len(p.articles()) == n and report.labels == 1
        assert report.tally[("task", "matched a sentence by content")] == 1


def test_cli_show_mapping_writes_nothing_and_import_exits_1_on_skips(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "d.jsonl", [{"text": "A.", "label": ["Economic", "Wobbly"], "user": "u"}])
    project = tmp_path / "p.annot"
    assert main(["import", str(project), str(f), "--show-mapping"]) == 0
    out = capsys.readouterr().out
    assert "Economic" in out and "frame economic" in out and "not mapped" in out
    with Project.open(project) as p:
        assert p.articles() == []
    assert main(["import", str(project), str(f), "--no-ner", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "skipped: not mapped" in err and "Wobbly" in err


def test_doccano_export_made_by_a_real_server(tmp_path: Path) -> None:
    """doccano 1.8 wrote this admin.jsonl from our doccano export: 22 labels by five names."""
    with Project.open(tmp_path / "p.annot") as p:
        report = p.import_files([DATA / "doccano-export-admin.jsonl"], ner=False)
        assert report.ok, (report.issues, report.tally)
        assert report.labels == 22
        assert set(p.annotators(include_gold=True)) == {"alice", "bob", "carol", "gold", "zed"}
        assert {lab.decided_by for lab in p.labels(annotator="gold")} == {"dana"}


def test_doccano_rows_share_their_keys(tmp_path: Path) -> None:
    from annotator.export import export
    from test_export import build_project

    src = build_project(tmp_path / "s.annot", n_articles=2)
    from annotator.export import ExportOptions

    export(src, tmp_path / "d.jsonl", "doccano", ExportOptions(include_unlabelled=True))
    keys = {tuple(sorted(json.loads(line))) for line in
            (tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()}
    assert len(keys) == 1


def test_row_choices_win_over_the_automatic_mapping(tmp_path: Path) -> None:
    """The import dialog's per-row choices: (field, value) -> target, then the stance target."""
    src = write(tmp_path / "erin.jsonl", [
        {"text": "Alice Smith praised the budget.", "label": ["pro", "Econ", "spam"]},
        {"text": "Spam about nothing.", "label": ["spam"], "cats": ["spam"]}])
    base = LabelMapping()
    mapping = base.chosen({("label", "Econ"): "frame:economic", ("label", "spam"): "ignore"},
                          "Alice Smith")
    assert mapping.source == "chosen in the import dialog" and not base.pairs
    with pytest.raises(MappingError):
        base.chosen({("label", "x"): "frame"}, None)
    with Project.open(tmp_path / "p.annot") as p:
        report = p.import_files([src], ner=False, mapping=mapping)
        got = labels(p)
    assert report.tally[("choice", "ignored (mapping)")] == 2  # "spam" in both rows' label
    # "spam" in another field (cats) was not chosen: it stays not mapped, skipped and counted.
    assert report.tally[("choice", "skipped: not mapped (see the mapping; --map FILE)")] == 1
    rows = {(r["field"], r["value"]): r for r in report.mapping}
    assert rows[("label", "Econ")]["how"] == "your choice"
    assert rows[("label", "Econ")]["target"] == "frame:economic"
    assert next(v for k, v in got.items() if k[0].startswith("Alice"))[:2] == (
        {"Alice Smith": "FAVOR"}, ["economic"])


def test_our_hf_folder_comes_back_without_its_card(tmp_path: Path) -> None:
    from annotator.export import export
    from annotator.export.marker import MARKER
    from annotator.ingest import EXPORT_MARKER
    from test_export import build_project

    assert EXPORT_MARKER == MARKER
    src = build_project(tmp_path / "src.annot", n_articles=2)
    export(src, tmp_path / "hf", "hf")
    with Project.open(src) as p:
        before = labels(p)
    with Project.open(tmp_path / "fresh.annot") as p:
        report = p.import_files([tmp_path / "hf"], ner=False)
        after = labels(p)
        titles = {a.title for a in p.iter_articles()}
    assert report.ok, (report.issues, report.tally)
    assert not any(t and t.startswith("---") for t in titles)  # README.md is not an article
    assert report.tally[("task", "read (Hugging Face export)")] == len({k[0] for k in before})
    assert after == before
