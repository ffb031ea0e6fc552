"""The native jsonl fast path (annotator.export.native) writes and counts what the record builder does."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from annotator import Progress, Project
from annotator.export import ExportOptions, export, native
from annotator.store import SentencePick

from test_export import build_project

GOLDEN_SEEDS = Path(__file__).resolve().parents[1] / "data" / "export_golden" / "seeds.annot"

OPTIONS = {
    "all": ExportOptions(),
    "everything": ExportOptions(include_unlabelled=True, include_boilerplate=True),
    "two": ExportOptions(annotators=("alice", "bob")),
    "nobody": ExportOptions(annotators=("nobody",)),
    "lang": ExportOptions(lang="ru", include_unlabelled=True),
    "outlet": ExportOptions(outlet="B"),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test_export project, plus two targets whose names differ only in case (keys
    "name #id"), a mention of one, a stance on the other and a label that holds a suggestion."""
    path = build_project(tmp_path_factory.mktemp("native") / "p.annot", n_articles=12)
    with Project.open(path) as p:
        upper = p.create_target("ACME", "ORG", "alice")
        lower = p.create_target("Acme", "ORG", "alice")
        articles = list(p.iter_articles())
        first = articles[0]
        unit = next(s for s in p.sentences(first.id) if not s.boilerplate)
        p.add_mention(first.id, unit.start, unit.start + 4, "ORG", "alice", upper.id)
        p.set_label(unit.id, "carol", {lower.id: "AGAINST"}, ["economic", "legality"], note="a\nb")
        later = next(s for s in p.sentences(articles[5].id) if not s.boilerplate)
        p.set_label(later.id, "bob", {upper.id: "FAVOR"}, ["political"],
                    suggestion={"model": "m", "version": 0.5, "frames": ["political"],
                                "irrelevant": False, "stance": {}})
    return path


def both(path: Path, out: Path, options: ExportOptions,
         monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, dict[str, Any], list[int]]]:
    """(bytes, result, progress) with the fast path, then with the record builder."""
    runs = []
    for fast in (True, False):
        with monkeypatch.context() as m:
            if not fast:
                m.setattr(native, "applies", lambda builder, options: False)
            done: list[int] = []
            result = export(path, out, "jsonl", options, lambda d, t, msg: done.append(d),
                            overwrite=True)
            runs.append((out.read_bytes(), {k: v for k, v in result.as_dict().items()
                                            if k != "seconds"}, done[-1:]))
    return runs


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_fast_path_writes_and_counts_as_the_builder(project: Path, tmp_path: Path, name: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = both(project, tmp_path / "out.jsonl", OPTIONS[name], monkeypatch)
    assert fast == slow
    if name != "nobody":
        assert fast[1]["rows"] > 0


def test_fast_path_on_the_seed_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """NER mentions, gold, stored suggestions with float confidences (those articles go
    through the builder), with every span holding one article."""
    path = tmp_path / "seeds.annot"
    shutil.copy(GOLDEN_SEEDS, path)
    monkeypatch.setattr(native, "native_lines",
                        lambda *a, **k: _ORIGINAL(*a, **{**k, "batch": 1}))
    fast, slow = both(path, tmp_path / "out.jsonl", ExportOptions(), monkeypatch)
    assert fast == slow and fast[1]["rows"] == 65


_ORIGINAL = native.native_lines


def test_fast_path_is_for_every_label_side_by_side(project: Path) -> None:
    from annotator.export.records import RecordBuilder

    with Project.open(project) as p:
        for options, applies in ((ExportOptions(), True), (ExportOptions(labels="gold"), False),
                                 (ExportOptions(annotators=("alice",)), False),  # alice's label
                                 (ExportOptions(split=(0.5, 0.5)), False)):
            assert native.applies(RecordBuilder(p, options), options) is applies


def test_a_cancelled_fast_export_leaves_no_output(project: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.jsonl"
    progress = Progress()
    seen: list[int] = []

    def cancel_first(done: int, total: int, message: str) -> None:
        seen.append(done)
        progress.cancel()

    progress.callback = cancel_first
    with Project.open(project) as p:
        spans = list(p.store.article_spans(SentencePick(), 5))
    assert len(spans) == 3  # 12 articles in spans of 5
    monkeypatch.setattr(native, "native_lines", lambda *a, **k: _ORIGINAL(*a, **{**k, "batch": 5}))
    result = export(project, out, "jsonl", ExportOptions(), progress)
    assert result.cancelled and not out.exists() and seen == [5]
    assert not list(tmp_path.iterdir())
