"""The project model: it recovers a known rule, learns nothing from random labels, is stored in
the project file (no pickle), can be cancelled, and its suggestions and provenance are exported."""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import suggest_data  # noqa: E402

from annotator.progress import Cancelled, Progress  # noqa: E402
from annotator.project import Project  # noqa: E402
from annotator.suggest.queue import disagreements  # noqa: E402
from annotator.suggest.service import (  # noqa: E402
    MODEL_NAME,
    Suggestion,
    blind,
    load_model,
    model_info,
    project_examples,
    set_blind,
    train_project,
)

DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="module")
def rule_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rule") / "rule.annot"
    suggest_data.build(path, 320, "rule", seed=3)
    with Project.open(path) as p:
        train_project(p, curve=False)
    return path


def test_a_known_rule_is_recovered(rule_project: Path) -> None:
    with Project.open(rule_project) as p:
        info = model_info(p)
        assert info is not None and info.version == 1 and info.n_labels == 320
        s = info.scores
        assert s["n_stance"] > 300 and s["langs"] == ["en", "ru"]
        # Well above chance, and high in absolute terms: the rule is in the words.
        assert s["frames_f1"] >= 0.7, s
        assert s["stance_f1"] >= 0.7, s
        assert s["frames_f1"] - s["chance"]["frames"] >= 0.15, s
        assert s["stance_f1"] - s["chance"]["stance"] >= 0.3, s


def test_random_labels_give_chance(tmp_path: Path) -> None:
    path = tmp_path / "random.annot"
    suggest_data.build(path, 320, "random", seed=4)
    with Project.open(path) as p:
        s = train_project(p, curve=False).scores
    assert abs(s["stance_f1"] - s["chance"]["stance"]) < 0.1, s
    assert abs(s["frames_f1"] - s["chance"]["frames"]) < 0.12, s


def test_the_stored_model_reloads_without_pickle_and_predicts_the_same(rule_project: Path) -> None:
    with Project.open(rule_project, ) as p:
        model = load_model(p)
        assert model is not None and model.version == 1
        stored = p.store.suggestions_of(MODEL_NAME)
        units = project_examples(p).units[:20]
        for u in units:
            targets = [int(t) for t in stored[u.id]["stance"]]
            got = model.suggest(u, targets)
            again = Suggestion.from_label(stored[u.id])
            assert sorted(got.chosen_frames) == sorted(again.chosen_frames)
            assert {t: v for t, (v, _) in got.stance.items()} == \
                {t: v for t, (v, _) in again.stance.items()}
    blob = sqlite3.connect(rule_project).execute("SELECT params FROM project_models").fetchone()[0]
    assert bytes(blob[:2]) == b"PK"  # an npz archive of arrays, read with allow_pickle=False


def test_uncertain_first_and_disagreements(rule_project: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.annot"
    shutil.copy(rule_project, path)
    with Project.open(path) as p:
        stored = p.store.suggestions_of(MODEL_NAME)
        order = p.store.uncertain_unlabelled(MODEL_NAME, "zoe", limit=len(stored))
        u = [stored[sid]["uncertainty"] for sid in order]
        assert u == sorted(u, reverse=True) and len(order) == len(stored)
        # bob labels a sentence against the model: it is in the reviewers' queue
        sid = order[-1]
        sug = Suggestion.from_label(stored[sid])
        tid, (value, _) = next(iter(sug.stance.items()))
        other = next(v for v in ("AGAINST", "NEUTRAL", "FAVOR") if v != value)
        p.set_label(sid, "bob", stance={tid: other}, frames=sug.chosen_frames)
        found = [d for d in disagreements(p, "bob")]
        assert [d.sentence_id for d in found] == [sid] and other in found[0].what
        assert sid not in p.store.uncertain_unlabelled(MODEL_NAME, "bob", limit=len(stored))


def test_cancelled_training_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c.annot"
    suggest_data.build(path, 40, "rule", seed=5)
    calls = []

    def report(done: int, total: int, message: str) -> None:
        calls.append(message)
        if len(calls) == 3:
            progress.cancel()

    progress = Progress(callback=report)
    with Project.open(path) as p:
        with pytest.raises(Cancelled):
            train_project(p, progress)
        assert model_info(p) is None and not p.store.suggestions_of(MODEL_NAME)


def test_too_few_labels_is_a_clear_refusal(seeds_project: Project) -> None:
    with pytest.raises(ValueError, match="needs at least"):
        train_project(seeds_project)


def test_provenance_is_kept_exported_and_valid(rule_project: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.annot"
    shutil.copy(rule_project, path)
    with Project.open(path) as p:
        sid, row = next(iter(p.store.suggestions_of(MODEL_NAME).items()))
        sug = Suggestion.from_label(row)
        stance = {t: v for t, (v, _) in sug.stance.items()}
        p.set_label(sid, "carol", stance=stance, frames=sug.chosen_frames,
                    suggestion=sug.provenance())
        lab = p.label(sid, "carol")
        assert lab is not None and lab.suggestion is not None
        assert lab.suggestion["model"] == MODEL_NAME and lab.suggestion["version"] == 1
        p.set_label(sid, "carol", stance=stance, frames=[], irrelevant=True)  # edited after
        assert p.label(sid, "carol").suggestion == lab.suggestion  # type: ignore[union-attr]
        p.undo("carol")
        p.undo("carol")
        assert p.label(sid, "carol") is None
        p.redo("carol")
        assert p.label(sid, "carol").suggestion == lab.suggestion  # type: ignore[union-attr]
    out = tmp_path / "out.jsonl"
    done = subprocess.run([sys.executable, "-m", "annotator.cli", "export", str(path), str(out),
                           "--annotator", "carol", "--quiet"], capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    schema = json.loads((ROOT / "resources" / "schemas" / "sentence.schema.json").read_text())
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 1
    jsonschema.validate(rows[0], schema)
    prov = rows[0]["labels"]["carol"]["suggestion"]
    assert prov["from"] == "suggestion" and prov["version"] == 1 and prov["changed"] is False
    assert sorted(rows[0]["suggested"][MODEL_NAME]["frames"]) == sorted(sug.chosen_frames)
    ls = tmp_path / "ls.json"
    done = subprocess.run([sys.executable, "-m", "annotator.cli", "export", str(path), str(ls),
                           "--annotator", "carol", "--format", "labelstudio", "--quiet"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    preds = json.loads(ls.read_text())[0]["predictions"]
    mine = [pr for pr in preds if pr["model_version"] == f"{MODEL_NAME} v1"]
    assert mine and 0 < mine[0]["score"] <= 1


def test_blind_setting_and_cli_figures(rule_project: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.annot"
    shutil.copy(rule_project, path)
    done = subprocess.run([sys.executable, "-m", "annotator.cli", "model", str(path), "--json",
                           "--blind", "on"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["blind"] is True and data["version"] == 1 and data["n_labels"] == 320
    assert data["frames_f1"] > data["chance"]["frames"] and "curve" in data
    with Project.open(path) as p:
        assert blind(p)
        set_blind(p, False)
        assert not blind(p)


def test_cli_train_prints_the_learning_curve(tmp_path: Path) -> None:
    path = tmp_path / "t.annot"
    suggest_data.build(path, 120, "rule", seed=6)
    done = subprocess.run([sys.executable, "-m", "annotator.cli", "model", str(path), "--train",
                           "--quiet"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "frames macro-F1" in done.stdout and "learning curve, stance" in done.stdout


@pytest.mark.parametrize("version", [2, 3])
def test_older_files_upgrade_with_the_model_tables(version: int, tmp_path: Path) -> None:
    path = tmp_path / f"v{version}.annot"
    shutil.copy(DATA / f"project-v{version}.annot", path)
    with Project.open(path) as p:
        assert p.labels() and all(lab.suggestion is None for lab in p.labels())
        assert model_info(p) is None
