"""Export: options and filters, majority vote, the JSON Schema, determinism, atomic writes, the CLI."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from annotator import Progress, Project
from annotator.cli import main
from annotator.export import ExportError, ExportOptions, export, format_names
from annotator.export.atomic import TEMP_MARK

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "resources" / "schemas" / "sentence.schema.json").read_text())

FRAMES = ("economic", "legality", "political")


def build_project(path: Path, n_articles: int = 30) -> Path:
    """A small project without NER: articles in two languages and three outlets, two targets,
    labels by alice, bob and carol, and gold labels; built in well under a second."""
    rows = []
    for i in range(n_articles):
        if i % 10 == 9:
            text = (f"Заголовок {i}\n\nАлиса Смит встретилась с Бобом Джонсом в Москве {i} мая. "
                    "Экономика выросла. Боб Джонс назвал это справедливым.\n\nLeave a Comment")
            lang = "ru"
        else:
            text = (f"Headline number {i}\n\nAlice Smith met Bob Jones in Paris on day {i}. "
                    f"The economy grew by {i} percent. Bob Jones said it was fair.\n\nLeave a Comment")
            lang = "en"
        rows.append({"text": text, "lang": lang, "outlet": "ABC"[i % 3],
                     "date": f"2024-01-{i % 28 + 1:02d}"})
    source = path.parent / f"{path.stem}-articles.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with Project.open(path) as p:
        report = p.import_files([source], ner=False)
        assert report.ok, report.issues
        alice = p.create_target("Alice Smith", "PER", "alice", aliases=["Алиса Смит"])
        bob = p.create_target("Bob Jones", "PER", "alice", aliases=["Боб Джонс"])
        for i, a in enumerate(p.iter_articles()):
            names = [("Alice Smith", alice.id), ("Bob Jones", bob.id)] if a.lang == "en" else \
                [("Алиса Смит", alice.id), ("Боб Джонс", bob.id)]
            for name, tid in names:
                start = a.text.index(name)
                p.add_mention(a.id, start, start + len(name), "PER", "alice", tid)
            units = [s for s in p.sentences(a.id) if not s.boilerplate]
            frame = FRAMES[i % 3]
            named = [k for k, s in enumerate(units) if "Alice" in s.text or "Алиса" in s.text]
            first, second = units[named[0]], units[named[0] + 1]
            # 2 of 3 favour Alice; all three say `frame`; only bob adds legality.
            p.set_label(first.id, "alice", {alice.id: "FAVOR"}, [frame])
            p.set_label(first.id, "bob", {alice.id: "FAVOR"}, [frame, "legality"] if frame != "legality"
                        else [frame, "economic"])
            p.set_label(first.id, "carol", {alice.id: "AGAINST"}, [frame], note="unsure")
            # alice and bob disagree: a tie on every field.
            p.set_label(second.id, "alice", {}, ["political"])
            p.set_label(second.id, "bob", irrelevant=True)
            if i % 2 == 0:
                p.set_gold(first.id, "dana", {alice.id: "FAVOR", bob.id: "NEUTRAL"}, [frame],
                           rationale="two of three")
    return path


@pytest.fixture(scope="session")
def labelled_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("labelled") / "labelled.annot")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if TEMP_MARK in p.name)


# -- the native format and its schema ---------------------------------------------------------------


@pytest.mark.parametrize("labels", ["all", "gold", "majority"])
def test_every_native_line_matches_the_schema(labelled_file: Path, tmp_path: Path, labels: str) -> None:
    out = tmp_path / "out.jsonl"
    options = ExportOptions(labels=labels, include_unlabelled=True, include_boilerplate=True,
                            split=(0.8, 0.1, 0.1))
    result = export(labelled_file, out, "jsonl", options)
    lines = read_jsonl(out)
    assert len(lines) == result.rows == result.sentences
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for line in lines:
        errors = sorted(validator.iter_errors(line), key=str)
        assert not errors, (line["id"], errors[0].message)
        assert line["id"] == f"{line['article_id']}:{line['index']}"
        for e in line["entities"]:
            assert line["text"][e["start"]:e["end"]] == e["text"]
        for label in line["labels"].values():
            assert set(label["stance"]) <= set(line["targets"])


def test_sentence_offsets_index_the_article_text(labelled_file: Path, tmp_path: Path) -> None:
    export(labelled_file, tmp_path / "a.jsonl", "articles", ExportOptions(include_unlabelled=True))
    export(labelled_file, tmp_path / "s.jsonl", "jsonl", ExportOptions(include_unlabelled=True))
    texts = {a["id"]: a["text"] for a in read_jsonl(tmp_path / "a.jsonl")}
    for line in read_jsonl(tmp_path / "s.jsonl"):
        assert texts[line["article_id"]][line["start"]:line["end"]] == line["text"]
    for article in read_jsonl(tmp_path / "a.jsonl"):
        for e in article["entities"]:
            assert article["text"][e["start"]:e["end"]] == e["text"]


def test_default_export_has_labelled_non_boilerplate_sentences(labelled_file: Path,
                                                                 tmp_path: Path) -> None:
    with Project.open(labelled_file) as p:
        labelled = {lab.sentence_id for lab in p.iter_labels()}
        sentences = [s for a in p.iter_articles() for s in p.sentences(a.id)]
    assert any(s.boilerplate for s in sentences)
    export(labelled_file, tmp_path / "d.jsonl")
    ids = {line["id"] for line in read_jsonl(tmp_path / "d.jsonl")}
    assert ids == {f"{s.article_id}:{s.index}" for s in sentences if s.id in labelled}
    export(labelled_file, tmp_path / "u.jsonl", options=ExportOptions(include_unlabelled=True))
    assert len(read_jsonl(tmp_path / "u.jsonl")) == sum(not s.boilerplate for s in sentences)
    export(labelled_file, tmp_path / "b.jsonl",
           options=ExportOptions(include_unlabelled=True, include_boilerplate=True))
    assert len(read_jsonl(tmp_path / "b.jsonl")) == len(sentences)


def test_filters_by_language_outlet_and_annotator(labelled_file: Path, tmp_path: Path) -> None:
    export(labelled_file, tmp_path / "ru.jsonl", options=ExportOptions(lang="ru"))
    ru = read_jsonl(tmp_path / "ru.jsonl")
    assert ru and {line["article_lang"] for line in ru} == {"ru"}
    export(labelled_file, tmp_path / "b.jsonl", options=ExportOptions(outlet="B"))
    assert {line["outlet"] for line in read_jsonl(tmp_path / "b.jsonl")} == {"B"}
    export(labelled_file, tmp_path / "carol.jsonl", options=ExportOptions(annotators=("carol",)))
    carol = read_jsonl(tmp_path / "carol.jsonl")
    assert carol and all(set(line["labels"]) == {"carol"} for line in carol)
    # With one annotator named, her label is the resolved one.
    assert all(line["label"]["source"] == "carol" and line["label"]["note"] == "unsure"
               for line in carol)


def test_gold_labels(labelled_file: Path, tmp_path: Path) -> None:
    result = export(labelled_file, tmp_path / "g.jsonl", options=ExportOptions(labels="gold"))
    lines = read_jsonl(tmp_path / "g.jsonl")
    assert len(lines) == 15 == result.counts.labels
    for line in lines:
        assert line["label"]["source"] == "gold" and line["label"]["decided_by"] == "dana"
        assert line["label"]["stance"] == {"Alice Smith": "FAVOR", "Bob Jones": "NEUTRAL"}
        assert line["labels"]["gold"]["note"] == "two of three"


def test_majority_vote_ties_and_min_agreement(labelled_file: Path, tmp_path: Path) -> None:
    result = export(labelled_file, tmp_path / "m.jsonl", options=ExportOptions(labels="majority"))
    lines = read_jsonl(tmp_path / "m.jsonl")
    first = [line for line in lines if line["label"]["n_annotators"] == 3]
    second = [line for line in lines if line["label"]["n_annotators"] == 2]
    assert len(first) == len(second) == 30
    for line in first:  # gold is not a voter
        assert line["label"]["stance"] == {"Alice Smith": "FAVOR"}
        assert len(line["label"]["frames"]) == 1 and line["label"]["unresolved"] == {}
    for line in second:
        assert line["label"]["unresolved"] == {"frame:political": "tie", "irrelevant": "tie"}
        assert line["label"]["frames"] == [] and line["label"]["irrelevant"] is False
    assert result.tied_sentences == 30 and len(result.tie_examples) == 10
    assert result.unresolved_fields == 0

    strict = export(labelled_file, tmp_path / "s.jsonl",
                    options=ExportOptions(labels="majority", min_agreement=0.7))
    for line in read_jsonl(tmp_path / "s.jsonl"):
        if line["label"]["n_annotators"] == 3:
            assert line["label"]["stance"] == {}
            assert line["label"]["unresolved"]["stance:Alice Smith"] == "below min agreement"
    assert strict.unresolved_fields == 60  # the stance and bob's extra frame, on 30 sentences


def test_label_counts_in_the_result(labelled_file: Path, tmp_path: Path) -> None:
    result = export(labelled_file, tmp_path / "c.jsonl")
    assert result.counts.labels == 30 * 3 + 15 + 30 * 2
    assert result.counts.stance["FAVOR"] == 30 * 2 + 15
    assert result.counts.irrelevant == 30
    assert result.as_dict()["labels"]["frames"]["political"] >= 30


# -- determinism ------------------------------------------------------------------------------------


def snapshot(out: Path) -> dict[str, bytes]:
    if out.is_file():
        return {"": out.read_bytes()}
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("fmt", format_names())
def test_same_project_and_options_give_identical_bytes(labelled_file: Path, tmp_path: Path,
                                                       fmt: str) -> None:
    options = ExportOptions(labels="majority", split=(0.6, 0.2, 0.2), seed=3, include_unlabelled=True)
    export(labelled_file, tmp_path / "one", fmt, options)
    export(labelled_file, tmp_path / "two", fmt, options)
    first, second = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert first and first == second


# -- atomic output ----------------------------------------------------------------------------------


class Boom(Exception):
    pass


@pytest.mark.parametrize("fmt", ["jsonl", "hf", "semeval2023", "labelstudio"])
def test_an_interrupted_export_leaves_nothing(labelled_file: Path, tmp_path: Path, fmt: str) -> None:
    written: list[int] = []

    def explode(done: int, total: int, message: str) -> None:
        if message == "writing":
            written.append(done)
            if len(written) == 10:  # a third of the way through
                raise Boom()

    out = tmp_path / "out"
    with pytest.raises(Boom):
        export(labelled_file, out, fmt, ExportOptions(labels="gold"), explode)
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_a_cancelled_export_keeps_the_previous_output(labelled_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "hf"
    export(labelled_file, out, "hf")
    before = snapshot(out)
    progress = Progress()

    def cancel_midway(done: int, total: int, message: str) -> None:
        if done == total // 2:
            progress.cancel()

    progress.callback = cancel_midway
    result = export(labelled_file, out, "hf", ExportOptions(labels="majority"), progress)
    assert result.cancelled and not result.files
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []
    # A finished export replaces the folder whole.
    export(labelled_file, out, "hf", ExportOptions(labels="gold"))
    assert snapshot(out) != before and leftovers(tmp_path) == []


def test_unusable_outputs_and_options_are_refused(labelled_file: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "folder").mkdir()
    with pytest.raises(ExportError, match="is a file"):
        export(labelled_file, tmp_path / "file", "hf")
    with pytest.raises(ExportError, match="is a folder"):
        export(labelled_file, tmp_path / "folder", "jsonl")
    with pytest.raises(ExportError, match="unknown format"):
        export(labelled_file, tmp_path / "x", "parquet")
    with pytest.raises(ExportError, match="sum to 1"):
        export(labelled_file, tmp_path / "x", options=ExportOptions(split=(0.5, 0.6)))
    with pytest.raises(ExportError, match="one label per item"):
        export(labelled_file, tmp_path / "x", "semeval2023")
    with pytest.raises(ExportError, match="no such project"):
        export(tmp_path / "missing.annot", tmp_path / "x")
    assert not (tmp_path / "missing.annot").exists()
    assert (tmp_path / "file").read_text() == "x" and leftovers(tmp_path) == []


# -- the command line -------------------------------------------------------------------------------


def test_cli_export_prints_what_it_wrote(labelled_file: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ds"
    code = main(["export", str(labelled_file), str(out), "--format", "hf", "--labels", "majority",
                 "--split", "0.8,0.1,0.1", "--seed", "1", "--quiet"])
    printed = capsys.readouterr().out
    assert code == 0
    assert f"wrote {out} (hf)" in printed and "train.jsonl" in printed
    assert "ties: 30 sentences" in printed and "labels (majority)" in printed
    code = main(["export", str(labelled_file), str(tmp_path / "x.jsonl"), "--json", "--quiet",
                 "--annotator", "alice", "--annotator", "bob"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["rows"] == 60 and data["files"] == [str(tmp_path / "x.jsonl")]
    code = main(["export", str(labelled_file), str(tmp_path / "y"), "--format", "semeval2023",
                 "--quiet"])
    assert code == 2 and "one label per item" in capsys.readouterr().err
    assert not (tmp_path / "y").exists()


def test_mistyped_filters_do_not_pass_silently(labelled_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    result = export(labelled_file, out, options=ExportOptions(annotators=("carol", "carl")))
    assert result.rows > 0
    assert result.notes == ["no annotator named 'carl' (annotators: alice, bob, carol, gold)"]
    result = export(labelled_file, out, options=ExportOptions(lang="EN"))
    assert result.rows == 0 and any("no article is in language 'EN'" in n for n in result.notes)
    result = export(labelled_file, out, options=ExportOptions(outlet="b"))
    assert result.rows == 0 and any("no article is from outlet 'b'" in n for n in result.notes)


@pytest.mark.parametrize("options", [ExportOptions(), ExportOptions(labels="gold"),
                                     ExportOptions(labels="majority"),
                                     ExportOptions(annotators=("carol",)),
                                     ExportOptions(annotators=("nobody",))])
def test_articles_without_rows_are_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            options: ExportOptions) -> None:
    """An export of labelled sentences reads no sentences of an article that has no row to write,
    and writes the same bytes as when it reads them all (the record builder's path: the native
    fast path reads no article alone, see test_export_native.py)."""
    from annotator.export import native
    from annotator.export.records import RecordBuilder
    from annotator.store import Store

    monkeypatch.setattr(native, "applies", lambda builder, options: False)

    path = build_project(tmp_path / "p.annot", n_articles=10)
    extra = tmp_path / "unlabelled.jsonl"
    extra.write_text("".join(json.dumps({"text": f"Nobody labels article {i}. It has two sentences.",
                                         "lang": "en"}) + "\n" for i in range(6)), encoding="utf-8")
    with Project.open(path) as p:  # 10 labelled articles, 6 without labels
        assert p.import_files([extra], ner=False).ok
    read: list[int] = []
    original = Store.sentences

    def counting(self: Store, article_id: int, *args: Any, **kwargs: Any) -> Any:
        read.append(article_id)
        return original(self, article_id, *args, **kwargs)

    monkeypatch.setattr(Store, "sentences", counting)
    fast = export(path, tmp_path / "fast.jsonl", "jsonl", options)
    fast_reads = len(read)
    monkeypatch.setattr(RecordBuilder, "_may_have_rows", lambda self, by_sentence: True)
    read.clear()
    slow = export(path, tmp_path / "slow.jsonl", "jsonl", options)
    assert (tmp_path / "fast.jsonl").read_bytes() == (tmp_path / "slow.jsonl").read_bytes()
    assert (fast.rows, fast.articles) == (slow.rows, slow.articles)
    assert fast_reads <= fast.articles < len(read) == 16
