"""The libraries people train with read our exports, and what they read comes back: spaCy's
DocBin (``spacy`` format), Hugging Face ``datasets`` (``hf`` folder) and Prodigy-shaped tasks
(Prodigy itself is not installable here: its documented JSONL shape through our reader)."""
from __future__ import annotations

from pathlib import Path

import spacy
from datasets import load_dataset
from spacy.tokens import DocBin

from annotator import Project
from annotator.export import export
from compare import labels_by_text, record, spans_by_text, survival
from test_export import build_project


def _source(tmp_path: Path) -> tuple[Path, dict, set]:
    src = build_project(tmp_path / "source.annot", n_articles=4)
    with Project.open(src) as p:
        return src, labels_by_text(p), {(t, lab, s) for t, lab, _o, s in spans_by_text(p)}


def _back(path: Path, tmp_path: Path, before: dict, spans: set) -> dict:
    with Project.open(tmp_path / "fresh.annot") as p:
        report = p.import_files([path], ner=False)
        assert not report.issues, report.issues
        after = labels_by_text(p)
        spans_after = {(t, lab, s) for t, lab, _o, s in spans_by_text(p)}
    return {**survival(before, after), "spans": len(spans), "spans_kept": len(spans_after & spans),
            "skipped": report.skipped, "after": after}


def test_spacy_docbin(tmp_path: Path) -> None:
    src, before, spans = _source(tmp_path)
    result = export(src, tmp_path / "out.spacy", "spacy")
    docs = list(DocBin().from_bytes((tmp_path / "out.spacy").read_bytes())
                .get_docs(spacy.blank("en").vocab))
    assert len(docs) == result.rows == len(before)
    kept = 0
    ents: set[tuple[str, str, str]] = set()
    for doc in docs:
        key = (doc.text, doc.user_data["annotator"])
        want = before[key]
        got_frames = sorted(c for c, v in doc.cats.items() if v == 1.0 and c != "irrelevant")
        kept += (got_frames == want["frames"] and doc.cats["irrelevant"] == float(want["irrelevant"])
                 and doc.user_data["stance"] == want["stance"])
        ents |= {(e.text, e.label_, doc.text) for e in doc.ents}
    assert kept == len(before) and ents == spans
    record("spaCy 3.8", "export spacy -> DocBin.from_bytes (cats, ents, user_data)",
           {"labels": len(before), "kept": kept,
            "annotators": len({d.user_data["annotator"] for d in docs}),
            "gold": sum(d.user_data["annotator"] == "gold" for d in docs), "spans": len(spans),
            "spans_kept": len(ents & spans), "skipped": 0})


def test_datasets_loads_the_hf_folder_and_it_comes_back(tmp_path: Path) -> None:
    src, before, spans = _source(tmp_path)
    export(src, tmp_path / "hf", "hf")
    ds = load_dataset(str(tmp_path / "hf"))
    rows = sum(len(split) for split in ds.values())
    assert rows == len({text for text, _a in before})
    assert ds["train"].features["entities"].feature["label"].names  # typed, named classes
    counts = _back(tmp_path / "hf", tmp_path, before, spans)
    after = counts.pop("after")
    # Every label and annotator; the hf shape has no decided_by, so gold keeps all but that.
    lost = {k: v for k, v in before.items() if after.get(k) != v}
    assert all(k[1] == "gold" and after[k] == {**v, "decided_by": None} for k, v in lost.items())
    assert counts["spans_kept"] == len(spans) and counts["skipped"] == 0
    record("Hugging Face datasets 5", "export hf -> load_dataset(folder); folder -> import",
           {**counts, "note": "gold kept; its decided_by is not in the hf shape"})


def test_prodigy_shaped_tasks_come_back(tmp_path: Path) -> None:
    src, before, spans = _source(tmp_path)
    export(src, tmp_path / "p.jsonl", "prodigy")
    counts = _back(tmp_path / "p.jsonl", tmp_path, before, spans)
    assert counts.pop("after") == before and counts["spans_kept"] == len(spans)
    record("Prodigy (documented shape)", "export prodigy -> import", counts)
