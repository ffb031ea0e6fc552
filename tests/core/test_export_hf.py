"""The hf format loads with Hugging Face ``datasets``; splits are by article, stratified, seeded."""
from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

# Local files only: never reach for the Hub, and keep caches inside the test's folders.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
datasets = pytest.importorskip("datasets")

from annotator.export import ExportOptions, export  # noqa: E402
from annotator.export.split import SplitItem, assign_splits  # noqa: E402
from test_export import build_project, read_jsonl  # noqa: E402


@pytest.fixture(scope="module")
def project_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("hf") / "hf.annot", n_articles=40)


def load(folder: Path, cache: Path) -> "datasets.DatasetDict":
    files = {name: str(folder / f"{name}.jsonl") for name in ("train", "validation", "test")
             if (folder / f"{name}.jsonl").exists()}
    return datasets.load_dataset("json", data_files=files, cache_dir=str(cache))


def test_hf_folder_loads_with_datasets(project_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    result = export(project_file, out, "hf", ExportOptions(labels="majority", seed=7))
    assert sorted(p.name for p in out.iterdir()) == [".annotator-export.json", "README.md",
                                                     "test.jsonl", "train.jsonl", "validation.jsonl"]
    ds = load(out, tmp_path / "cache")
    sizes = {name: ds[name].num_rows for name in ds}
    assert sizes == {name: s["sentences"] for name, s in result.splits.items()}
    assert sum(sizes.values()) == result.rows == 80
    # Whole articles only: no article is in two splits.
    articles = {name: set(ds[name]["article_id"]) for name in ds}
    assert not (articles["train"] & articles["validation"] or articles["train"] & articles["test"]
                or articles["validation"] & articles["test"])
    assert {name: len(a) for name, a in articles.items()} == {
        name: s["articles"] for name, s in result.splits.items()}
    assert 0.7 <= sizes["train"] / 80 <= 0.9
    # The folder itself loads (split files found by name, features from the card).
    whole = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "cache2"))
    assert {name: whole[name].num_rows for name in whole} == sizes
    row = ds["train"][0]
    assert row["label_source"] == "majority"
    assert {a["annotator"] for a in row["annotations"]} <= {"alice", "bob", "carol", "gold"}
    for ent in row["entities"]:
        assert row["text"][ent["start"]:ent["end"]] == ent["text"]


def test_dataset_card_lists_counts_and_agreement(project_file: Path, tmp_path: Path) -> None:
    result = export(project_file, tmp_path / "ds", "hf", ExportOptions(labels="majority"))
    card = (tmp_path / "ds" / "README.md").read_text()
    assert card.startswith("---\n") and "dataset_info:\n  features:" in card
    assert "configs:" not in card  # they made datasets key its cache by file pattern (stale)
    assert "language:\n- en\n- ru" in card
    assert "| train | " in card and "### Frame counts" in card and "### Stance counts" in card
    assert "Krippendorff's alpha over" in card and "| frames |" in card
    for name, split in result.splits.items():
        assert f"| {name} | {split['articles']} | {split['sentences']} |" in card


def test_splits_are_deterministic_and_follow_the_seed(project_file: Path, tmp_path: Path) -> None:
    def assignment(seed: int, name: str) -> dict[str, str]:
        export(project_file, tmp_path / name, "jsonl",
               ExportOptions(split=(0.8, 0.1, 0.1), seed=seed))
        return {line["article_id"]: line["split"] for line in read_jsonl(tmp_path / name)}

    assert assignment(1, "a") == assignment(1, "b")
    assert assignment(1, "a") != assignment(2, "c")


def test_split_is_stratified_by_main_label() -> None:
    items = [SplitItem(f"{label}{i:03d}", label, 5) for label, n in (("frame:a", 60), ("frame:b", 30),
                                                                      ("none", 10)) for i in range(n)]
    got = assign_splits(items, (0.8, 0.1, 0.1), ("train", "validation", "test"), seed=0)
    per = Counter((it.stratum, got[it.article_id]) for it in items)
    assert per[("frame:a", "train")] == 48 and per[("frame:a", "validation")] == 6
    assert per[("frame:b", "train")] == 24 and per[("frame:b", "test")] == 3
    assert per[("none", "train")] == 8
    assert got == assign_splits(list(reversed(items)), (0.8, 0.1, 0.1),
                                ("train", "validation", "test"), seed=0)


@pytest.mark.parametrize("labels", ["all", "gold", "majority"])
def test_every_column_is_typed_and_classes_are_named(project_file: Path, tmp_path: Path,
                                                     labels: str) -> None:
    """No null-typed column whatever the first rows hold; frames, stance values and entity labels
    are class labels whose names the card gives."""
    out = tmp_path / "ds"
    export(project_file, out, "hf", ExportOptions(labels=labels))
    ds = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "cache"))
    features = ds["train"].features
    flat = str(features)
    assert "null" not in flat, flat
    frames = features["frames"].feature
    assert isinstance(frames, datasets.ClassLabel) and "economic" in frames.names
    assert features["stance"].feature["value"].names == ["AGAINST", "NEUTRAL", "FAVOR"]
    rows = [json.loads(line) for line in (out / "train.jsonl").read_text().splitlines()]
    assert [[frames.int2str(i) for i in r["frames"]] for r in ds["train"]] == [
        r["frames"] for r in rows]


def test_a_new_export_into_the_same_folder_is_what_loads(project_file: Path,
                                                         tmp_path: Path) -> None:
    """The same cache dir, the same folder: the second export's rows, not the first's."""
    out, cache = tmp_path / "ds", str(tmp_path / "cache")
    export(project_file, out, "hf", ExportOptions(labels="all"))
    first = datasets.load_dataset(str(out), cache_dir=cache)
    assert all(r["label_source"] is None for r in first["train"])
    export(project_file, out, "hf", ExportOptions(labels="majority"))
    second = datasets.load_dataset(str(out), cache_dir=cache)
    assert {r["label_source"] for r in second["train"]} == {"majority"}
