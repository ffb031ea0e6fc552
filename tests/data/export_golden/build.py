"""Builds the golden export fixture: two project files and their jsonl exports by the code of the day.

Run once (``PYTHONPATH=. .venv/bin/python tests/data/export_golden/build.py``) with the code whose
output is the reference; ``tests/core/test_export_golden.py`` then checks that today's code still
writes the same bytes. Rebuild only on purpose, when the native format changes.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "core")]

from annotator import Project  # noqa: E402
from annotator.export import ExportOptions, export  # noqa: E402

#: name -> options; every golden project is exported with each.
VARIANTS: dict[str, ExportOptions] = {
    "all": ExportOptions(),
    "all-everything": ExportOptions(include_unlabelled=True, include_boilerplate=True),
    "gold": ExportOptions(labels="gold"),
    "majority": ExportOptions(labels="majority", include_unlabelled=True),
    "alice": ExportOptions(annotators=("alice",)),
    "two": ExportOptions(annotators=("alice", "bob")),
    "split": ExportOptions(split=(0.7, 0.3), seed=3),
}
PROJECTS = ("labelled", "seeds")


def build_seeds(path: Path) -> None:
    """The five seed reports with NER, two targets, labels by three annotators, gold and a
    label that accepted a model suggestion."""
    with Project.open(path) as p:
        report = p.import_files([ROOT / "seeds"], ner=True)
        assert report.ok, report.issues
        blinken = p.create_target("Antony Blinken", "PER", "alice")
        kz = p.create_target("Kazakhstan", "LOC", "alice")
        for i, a in enumerate(p.iter_articles()):
            units = [s for s in p.sentences(a.id) if not s.boilerplate]
            for k, s in enumerate(units[:12]):
                p.set_label(s.id, "alice", {blinken.id: "FAVOR"} if k % 2 else {kz.id: "NEUTRAL"},
                            ["political"] if k % 3 else ["economic", "political"])
                if k % 2 == 0:
                    p.set_label(s.id, "bob", {blinken.id: "AGAINST", kz.id: "NEUTRAL"},
                                ["political"], note="Ünïcode \"quoted\"\tnote")
                if k % 4 == 1:
                    p.set_label(s.id, "carol", irrelevant=True)
                if k % 5 == 0:
                    p.set_gold(s.id, "dana", {kz.id: "NEUTRAL"}, ["political"], rationale="r")
            if len(units) > 3:  # a stored prediction with float confidences (1e-05 spelt as json does)
                p.store.put_suggestion(units[3].id, "peer:x", {
                    "frames": ["political"], "irrelevant": False, "version": 1.5,
                    "stance": {str(kz.id): "NEUTRAL"},
                    "confidence": {"frames": {"political": 0.9, "economic": 1e-05 * (i + 1)},
                                   "irrelevant": 0.1, "stance": {str(kz.id): 2 / 3}}}, None)
            if units:
                p.set_label(units[-1].id, "alice", {blinken.id: "FAVOR"}, ["political"],
                            suggestion={"model": "m", "version": 2, "frames": ["economic"],
                                        "irrelevant": False, "stance": {str(blinken.id): "FAVOR"}})


def main() -> None:
    from test_export import build_project

    for name in PROJECTS:
        path = HERE / f"{name}.annot"
        if path.exists():
            path.unlink()
    build_project(HERE / "labelled.annot")
    (HERE / "labelled-articles.jsonl").unlink()
    build_seeds(HERE / "seeds.annot")
    out = HERE / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    for name in PROJECTS:
        for variant, options in VARIANTS.items():
            result = export(HERE / f"{name}.annot", out / f"{name}-{variant}.jsonl", "jsonl", options)
            assert result.rows and not result.cancelled, (name, variant)
            print(name, variant, result.rows)


if __name__ == "__main__":
    main()
