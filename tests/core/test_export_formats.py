"""Each format's own shape (Prodigy, doccano, Label Studio, SemEval-2023, NewsMTSC, CSV); spaCy spans."""
from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import spacy

from annotator import Project
from annotator.codebooks import load_codebook
from annotator.export import ExportOptions, export
from annotator.export.flat import parse_flat
from annotator.export.labelstudio import labeling_config
from test_export import build_project, read_jsonl


@pytest.fixture(scope="module")
def project_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("formats") / "formats.annot", n_articles=10)


def test_prodigy_tasks(project_file: Path, tmp_path: Path) -> None:
    export(project_file, tmp_path / "p.jsonl", "prodigy", ExportOptions(include_unlabelled=True))
    tasks = read_jsonl(tmp_path / "p.jsonl")
    answered = [t for t in tasks if "answer" in t]
    assert len(answered) == 10 * 5 + 5 and len(tasks) > len(answered)
    for t in tasks:
        ids = {o["id"] for o in t["options"]}
        assert set(t.get("accept", [])) <= ids
        for span in t["spans"]:
            assert t["text"][span["start"]:span["end"]] == span["text"]
    gold = [t for t in answered if t["_annotator_id"] == "gold"]
    assert gold and gold[0]["meta"]["decided_by"] == "dana"
    assert "stance:Alice Smith:FAVOR" in gold[0]["accept"]


def test_doccano_rows(project_file: Path, tmp_path: Path) -> None:
    export(project_file, tmp_path / "d.jsonl", "doccano", ExportOptions(labels="majority"))
    rows = read_jsonl(tmp_path / "d.jsonl")
    assert len(rows) == 20 and all(r["annotator"] == "majority" for r in rows)
    for r in rows:
        stance, frames, irrelevant, unknown = parse_flat(r["label"])
        assert not unknown and r["sentence_id"] == f"{r['article_id']}:{r['index']}"
        assert set(stance.values()) <= {"FAVOR"}


def test_labelstudio_tasks_and_config(project_file: Path, tmp_path: Path) -> None:
    export(project_file, tmp_path / "ls.json", "labelstudio")
    tasks = json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    assert len(tasks) == 20
    for task in tasks:
        options = {o["value"] for o in task["data"]["stance_options"]}
        for ann in task["annotations"]:
            assert ann["ground_truth"] == (ann["annotator"] == "gold")
            for r in ann["result"]:
                if r["from_name"] == "stance":
                    assert set(r["value"]["choices"]) <= options
        for pred in task["predictions"]:
            for r in pred["result"]:
                v = r["value"]
                assert task["data"]["text"][v["start"]:v["end"]] == v["text"]
    config = ET.fromstring(labeling_config(load_codebook("pfc")))
    frames = [c.get("value") for c in config.iter("Choice")]
    assert frames[:15] == load_codebook("pfc").frame_ids and "irrelevant" in frames
    assert {c.get("name") for c in config.iter("Choices")} == {"frames", "stance", "irrelevant"}


def test_semeval2023_folder_maps_frames(project_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sem"
    result = export(project_file, out, "semeval2023",
                    ExportOptions(labels="gold", split=(0.5, 0.5)))
    semeval = load_codebook("semeval2023")
    label_files = sorted(out.rglob("*-labels-subtask-2.txt"))
    assert {f.name for f in label_files} <= {"train-labels-subtask-2.txt", "test-labels-subtask-2.txt"}
    seen = 0
    for f in label_files:
        for line in f.read_text(encoding="utf-8").splitlines():
            article_id, frames = line.split("\t")
            assert frames and set(frames.split(",")) <= set(semeval.frame_ids)
            folder = f.parent / f.name.replace("labels", "articles").removesuffix(".txt")
            text = (folder / f"article{article_id}.txt").read_text(encoding="utf-8")
            assert text.split("\n")[1] == ""  # title, empty line, body
            seen += 1
    assert seen == result.articles == result.rows == 5


def test_newsmtsc_lines(project_file: Path, tmp_path: Path) -> None:
    result = export(project_file, tmp_path / "n.jsonl", "newsmtsc", ExportOptions(labels="gold"))
    lines = read_jsonl(tmp_path / "n.jsonl")
    assert len(lines) == 10  # Alice and Bob on each of the five gold sentences
    for line in lines:
        (target,) = line["targets"]
        assert line["sentence_normalized"][target["from"]:target["to"]] == target["mention"]
        assert target["polarity"] in (2.0, 4.0, 6.0)
    assert {t["polarity"] for line in lines for t in line["targets"]} == {4.0, 6.0}
    assert result.notes == []


def test_csv_rows(project_file: Path, tmp_path: Path) -> None:
    result = export(project_file, tmp_path / "c.csv", "csv")
    with open(tmp_path / "c.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == result.rows == 10 * 5 + 5
    assert {r["annotator"] for r in rows} == {"alice", "bob", "carol", "gold"}
    favour = [r for r in rows if r["stance"] and json.loads(r["stance"]).get("Alice Smith") == "FAVOR"]
    assert len(favour) == 10 * 2 + 5


def test_spacy_builds_docs_from_exported_entities(seeds_project: Project, tmp_path: Path) -> None:
    """Entity offsets in sentence lines align with spaCy tokens (strict), so training docs build."""
    export(seeds_project, tmp_path / "s.jsonl", "jsonl",
           ExportOptions(include_unlabelled=True, include_boilerplate=True))
    lines = read_jsonl(tmp_path / "s.jsonl")
    blank = {"en": spacy.blank("en"), "ru": spacy.blank("ru")}
    checked = 0
    for line in lines:
        doc = blank[line["article_lang"]].make_doc(line["text"])
        spans = []
        for e in line["entities"]:
            span = doc.char_span(e["start"], e["end"], label=e["label"], alignment_mode="strict")
            assert span is not None, (line["id"], e)
            assert span.text == e["text"]
            spans.append(span)
        doc.ents = spans  # no overlaps, every span on token boundaries
        checked += len(spans)
    stats = seeds_project.stats()
    assert len(lines) == stats["sentences"] and checked == stats["entities"]


def test_semeval_language_folders_and_dropped_frames(tmp_path: Path) -> None:
    from annotator import Project

    src = tmp_path / "s.annot"
    (tmp_path / "a.jsonl").write_text(json.dumps({"text": "Titel\n\nDie Wirtschaft wächst.",
                                                  "lang": "de"}) + "\n", encoding="utf-8")
    with Project.open(src) as p:
        p.import_files([tmp_path / "a.jsonl"], ner=False)
        s = [s for s in p.sentences(p.articles()[0].id) if not s.boilerplate][0]
        p.set_label(s.id, "ann", frames=["economic", "other"])
    result = export(src, tmp_path / "se", "semeval2023", ExportOptions(annotators=("ann",)))
    assert (tmp_path / "se" / "ge").is_dir() and not (tmp_path / "se" / "de").exists()
    assert any("'other' has no SemEval-2023 label" in n and "1 article" in n for n in result.notes)


def test_doccano_spans_rows(project_file: Path, tmp_path: Path) -> None:
    """doccano's sequence-labelling shape: ``label`` is ``[[start, end, "LABEL"]]``, one row per
    sentence, every row with the same keys (doccano reads the file as one table)."""
    result = export(project_file, tmp_path / "d.jsonl", "doccano-spans",
                    ExportOptions(include_unlabelled=True))
    rows = read_jsonl(tmp_path / "d.jsonl")
    assert len(rows) == result.rows and len({r["sentence_id"] for r in rows}) == len(rows)
    assert len({tuple(sorted(r)) for r in rows}) == 1
    spans = [(r["text"][s:e], lab) for r in rows for s, e, lab in r["label"]]
    assert spans and all(text in ("Alice Smith", "Bob Jones", "Алиса Смит", "Боб Джонс")
                         and lab == "PER" for text, lab in spans)
    assert all(len(r["origins"].split(";")) == len(r["label"]) for r in rows if r["label"])
