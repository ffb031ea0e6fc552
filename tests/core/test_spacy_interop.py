"""spaCy and datasets read our exports: every exported entity span is a strict ``char_span`` on
spaCy's tokenisation of the exported text, in every format that carries spans; the ``spacy``
DocBin keeps them (and the frames as cats) through a round trip; hf loads with ``datasets``."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
import spacy
from spacy.tokens import DocBin

from annotator import Project
from annotator.export import ExportOptions, export
from test_export import read_jsonl

ALL = ExportOptions(include_unlabelled=True, include_boilerplate=True)
#: (exported text, language, [(start, end, label, text or None)]) for each item with spans.
Item = tuple[str, str, list[tuple[int, int, str, str | None]]]


@pytest.fixture
def labelled(seeds_project: Project) -> Project:
    """The seeds with a label (stance toward a mentioned target, a frame) on some sentences."""
    p = seeds_project
    done = 0
    for a in p.iter_articles():
        for s in p.sentences(a.id):
            linked = [m for m in s.mentions if m.target_id is not None]
            if linked and not s.boilerplate and done < 12:
                p.set_label(s.id, "alice", {linked[0].target_id: "FAVOR"}, ["economic"])
                p.set_label(s.id, "bob", {}, [], irrelevant=True)
                done += 1
    assert done == 12
    return p


def _items(fmt: str, out: Path) -> Iterator[Item]:
    if fmt == "jsonl":
        for line in read_jsonl(out):
            yield line["text"], line["lang"], [(e["start"], e["end"], e["label"], e["text"])
                                               for e in line["entities"]]
    elif fmt == "articles":
        for art in read_jsonl(out):
            yield art["text"], art["lang"], [(e["start"], e["end"], e["label"], e["text"])
                                             for e in art["entities"]]
    elif fmt == "prodigy":
        seen = set()
        for t in read_jsonl(out):
            if t["meta"]["id"] not in seen:  # one task per label: the spans once per sentence
                seen.add(t["meta"]["id"])
                yield t["text"], t["meta"]["lang"], [(s["start"], s["end"], s["label"], s["text"])
                                                     for s in t["spans"]]
    elif fmt == "doccano-spans":
        for row in read_jsonl(out):
            yield row["text"], row["lang"], [(s, e, lab, None) for s, e, lab in row["label"]]
    elif fmt == "labelstudio":
        for task in json.loads(out.read_text(encoding="utf-8")):
            spans = [(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0],
                      r["value"]["text"]) for pred in task["predictions"] for r in pred["result"]
                     if r["type"] == "labels"]
            yield task["data"]["text"], task["data"]["lang"], spans
    elif fmt == "hf":
        from datasets import load_dataset

        ds = load_dataset(str(out))
        for split in ds.values():
            for row in split:
                yield row["text"], row["lang"], [(e["start"], e["end"], e["label"], e["text"])
                                                 for e in row["entities"]]
    else:
        raise AssertionError(fmt)


SPAN_FORMATS = ("jsonl", "articles", "prodigy", "doccano-spans", "labelstudio", "hf")


@pytest.mark.parametrize("fmt", SPAN_FORMATS)
def test_every_exported_span_is_a_strict_spacy_span(labelled: Project, tmp_path: Path,
                                                    fmt: str) -> None:
    out = tmp_path / ("out.json" if fmt == "labelstudio" else "out" if fmt == "hf"
                      else "out.jsonl")
    export(labelled, out, fmt, ALL)
    blank: dict[str, Any] = {}
    checked = 0
    for text, lang, spans in _items(fmt, out):
        nlp = blank.setdefault(lang, spacy.blank(lang))
        doc = nlp.make_doc(text)
        for start, end, label, span_text in spans:
            span = doc.char_span(start, end, label=label, alignment_mode="strict")
            assert span is not None, (fmt, text, start, end, label)
            assert span.text == (span_text if span_text is not None else text[start:end])
            checked += 1
    # Every mention of the project went out (sentence formats: boilerplate included).
    assert checked == labelled.stats()["entities"], fmt


def test_docbin_round_trip_keeps_entities_cats_and_labels(labelled: Project,
                                                          tmp_path: Path) -> None:
    export(labelled, tmp_path / "s.jsonl", "jsonl", ALL)
    result = export(labelled, tmp_path / "s.spacy", "spacy", ALL)
    assert not result.notes, result.notes  # nothing misaligned or overlapping in the seeds
    lines = {line["id"]: line for line in read_jsonl(tmp_path / "s.jsonl")}
    docs = list(DocBin().from_bytes((tmp_path / "s.spacy").read_bytes())
                .get_docs(spacy.blank("en").vocab))
    assert len(docs) == result.rows
    frames = {f.id for f in labelled.codebook.frames}
    by_annotator: dict[str, int] = {}
    for doc in docs:
        line = lines[doc.user_data["id"]]
        assert doc.text == line["text"]
        want = {(e["start"], e["end"], e["label"]) for e in line["entities"]}
        assert {(s.start_char, s.end_char, s.label_) for s in doc.ents} == want
        assert {(s.start_char, s.end_char, s.label_) for s in doc.spans["entities"]} == want
        annotator = doc.user_data["annotator"]
        by_annotator[annotator] = by_annotator.get(annotator, 0) + 1
        if annotator:
            label = line["labels"][annotator]
            assert set(doc.cats) == frames | {"irrelevant"}
            assert {c for c, v in doc.cats.items() if v == 1.0} == set(label["frames"]) | (
                {"irrelevant"} if label["irrelevant"] else set())
            assert doc.user_data["stance"] == label["stance"]
        else:
            assert doc.cats == {}
    assert by_annotator["alice"] == by_annotator["bob"] == 12
    assert sum(len(d.ents) for d in docs if d.user_data["annotator"] in ("", "alice")) == \
        labelled.stats()["entities"]


def test_docbin_counts_spans_off_token_boundaries(tmp_path: Path) -> None:
    """A span inside a token cannot be an entity of spaCy's Doc: left out and said."""
    (tmp_path / "a.jsonl").write_text(json.dumps({"text": "Headline\n\nThe NATOsummit met.",
                                                  "lang": "en"}) + "\n", encoding="utf-8")
    with Project.open(tmp_path / "p.annot") as p:
        p.import_files([tmp_path / "a.jsonl"], ner=False)
        a = next(p.iter_articles())
        start = a.text.index("NATO")
        p.add_mention(a.id, start, start + 4, "ORG", "alice")
        result = export(p, tmp_path / "x.spacy", "spacy", ALL)
    assert result.notes == ["1 entity spans left out: not on spaCy's token boundaries of their "
                            "sentence"]
    docs = list(DocBin().from_bytes((tmp_path / "x.spacy").read_bytes())
                .get_docs(spacy.blank("en").vocab))
    assert sum(len(d.ents) for d in docs) == 0
