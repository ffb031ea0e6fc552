"""The import dialog's mapping step on real peer files: shown before anything is written, edited by
keyboard and by row, cancellable, and the labels that land are the ones chosen."""
from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from annotator import Project
from ui.import_mapping import ImportMappingDialog
from ui.main_window import MainWindow

PEER = Path(__file__).resolve().parents[1] / "data" / "peer"
BUDGET = "Alice Smith praised the new budget in Paris."
COURT = "Bob Jones attacked the court ruling."


def doccano_file(folder: Path) -> Path:
    """A doccano text-classification export as a user's file (its own names, not ours) and a
    sequence-labelling one with spaCy's entity labels."""
    folder.mkdir()
    path = folder / "erin.jsonl"
    rows = [{"id": 1, "text": BUDGET, "label": ["pro", "Econ", "spam"], "Comments": []},
            {"id": 2, "text": COURT, "label": ["con", "Legality"], "Comments": []}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    spans = folder / "all.jsonl"
    spans.write_text(json.dumps({"id": 3, "text": "Carla Diaz spoke for Acme Corp in Lima.",
                                 "label": [[0, 10, "PERSON"], [21, 30, "COMPANY"],
                                           [34, 38, "GPE"]]}) + "\n", encoding="utf-8")
    return folder


def open_mapping(window: MainWindow, qtbot: QtBot, paths: list[str]) -> ImportMappingDialog:
    window.ner_action.setChecked(False)
    with qtbot.waitSignal(window.mapping_shown, timeout=60000) as shown:
        assert window.import_checked(paths, ner=False) is not None
    dialog = shown.args[0]
    assert dialog.isVisible() and window.running_job() == "an import"
    return dialog


def rows_of(dialog: ImportMappingDialog) -> dict[tuple[str, str], str]:
    return {(r["field"], r["value"]): c.currentData() for r, c in zip(dialog.rows, dialog.combos)}


def test_mapping_step_shows_the_automatic_mapping_and_imports_what_was_chosen(
        window: MainWindow, qtbot: QtBot, tmp_path: Path, project_path: Path) -> None:
    folder = doccano_file(tmp_path / "peer")
    with Project.open(project_path) as p:
        articles_before = p.count_articles()
    dialog = open_mapping(window, qtbot, [str(folder / "erin.jsonl"), str(folder / "all.jsonl"),
                                          str(PEER / "labelstudio-export.json")])
    rows = rows_of(dialog)
    # The automatic mapping, before anything is written.
    assert rows[("label", "pro")] == "stance:FAVOR"
    assert rows[("label", "Legality")] == "frame:legality"
    assert rows[("label", "Econ")] == "unknown" and rows[("label", "spam")] == "unknown"
    assert rows[("label", "PERSON")] == "entity:PER" and rows[("label", "GPE")] == "entity:LOC"
    assert rows[("label", "COMPANY")] == "entity:ORG"
    assert rows[("stance", "Alice Smith:FAVOR")] == "stance:Alice Smith:FAVOR"
    assert dialog.preview.tools["Label Studio JSON"] == 8 and dialog.preview.untargeted == 2
    with Project.open(project_path) as p:
        assert p.count_articles() == articles_before  # nothing written yet
    # Keyboard: Tab reaches the row boxes; Down on "spam" (not mapped) picks "skip".
    spam = dialog.combos[list(rows).index(("label", "spam"))]
    spam.setFocus()
    qtbot.keyClick(spam, Qt.Key.Key_Down)
    assert spam.currentData() == "ignore"
    dialog.choose("label", "Econ", "frame:economic")
    dialog.choose("label", "COMPANY", "entity:MISC")
    qtbot.keyClicks(dialog.target_name.lineEdit(), "Alice Smith")
    assert dialog.named_radio.isChecked() and dialog.stance_target() == "Alice Smith"
    with qtbot.waitSignal(window.import_finished, timeout=60000) as finished:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    report = finished.args[0]
    tally = report.tally
    assert tally[("choice", "ignored (mapping)")] == 1  # spam
    assert tally[("stance", "target from --stance-target Alice Smith")] == 2
    assert tally[("annotation", "skipped: cancelled (was_cancelled)")] == 1
    assert ("choice", "skipped: not mapped (see the mapping; --map FILE)") not in tally
    with Project.open(project_path) as p:
        names = {t.id: t.name for t in p.targets()}
        got = {}
        for a in p.iter_articles():
            texts = {s.id: s.text for s in p.sentences(a.id)}
            for lab in p.labels(article_id=a.id):
                got[(texts[lab.sentence_id], lab.annotator)] = (
                    {names[t]: v for t, v in lab.stance.items()}, sorted(lab.frames),
                    lab.irrelevant)
        spans = {(m.text, m.label, m.origin) for a in p.iter_articles() for m in p.mentions(a.id)
                 if m.text in ("Carla Diaz", "Acme Corp", "Lima")}
    assert got[(BUDGET, "erin")] == ({"Alice Smith": "FAVOR"}, ["economic"], False)
    assert got[(COURT, "erin")] == ({"Alice Smith": "AGAINST"}, ["legality"], False)
    # doccano's shared-annotation file (all.jsonl) names no user: the spans' origin says doccano.
    assert spans == {("Carla Diaz", "PER", "annotator:doccano"),
                     ("Acme Corp", "MISC", "annotator:doccano"),
                     ("Lima", "LOC", "annotator:doccano")}
    # The summary accounts for every kind, skipped ones marked.
    summary = window.report_dialog
    assert summary is not None and summary.tally is not None
    lines = summary.tally.lines()
    assert "annotation: ⚠ skipped: cancelled (was_cancelled) = 1" in lines
    assert any(line.startswith("label mapping used: label = Econ → frame economic (your choice)")
               for line in lines)
    assert "skipped" in summary.summary.text()
    summary.grab().save(str(tmp_path / "summary.png"))
    summary.close()


def test_cancelling_the_mapping_step_writes_nothing(window: MainWindow, qtbot: QtBot,
                                                    tmp_path: Path, project_path: Path) -> None:
    with Project.open(project_path) as p:
        before = (p.count_articles(), len(p.labels()))
    dialog = open_mapping(window, qtbot, [str(PEER / "labelstudio-export-min.json")])
    assert dialog.rows
    with qtbot.waitSignal(window.import_finished, timeout=10000) as finished:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert finished.args[0] is None and window.running_job() is None
    with Project.open(project_path) as p:
        assert (p.count_articles(), len(p.labels())) == before


def test_a_mapping_file_rereads_the_files(window: MainWindow, qtbot: QtBot, tmp_path: Path,
                                          project_path: Path) -> None:
    folder = doccano_file(tmp_path / "peer")
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"values": {"Econ": "frame:economic", "spam": "irrelevant"},
                                   "stance_target": "@most"}), encoding="utf-8")
    dialog = open_mapping(window, qtbot, [str(folder / "erin.jsonl")])
    with qtbot.waitSignal(dialog.reread_done, timeout=60000):
        assert dialog.use_mapping_file(str(mapping)) is not None
    rows = rows_of(dialog)
    assert rows[("label", "Econ")] == "frame:economic" and rows[("label", "spam")] == "irrelevant"
    assert dialog.most_radio.isChecked()
    assert "map.json" in dialog.header.text()
    with qtbot.waitSignal(window.import_finished, timeout=60000) as finished:
        dialog.import_button.click()
    report = finished.args[0]
    assert report.tally[("choice", "mapped to irrelevant")] == 1
    # @most: no NER here, so the stance has no target to go to; skipped and counted, not lost.
    assert report.tally[("stance", "skipped: @most found no target mentioned in the sentence")] == 2
    window.report_dialog.close()


def test_the_dialog_fits_the_screen_and_plain_text_skips_it(window: MainWindow, qtbot: QtBot,
                                                            tmp_path: Path) -> None:
    dialog = open_mapping(window, qtbot, [str(PEER / "labelstudio-export.csv")])
    area = dialog.screen().availableGeometry()
    assert dialog.width() <= area.width() and dialog.height() <= area.height()
    dialog.grab().save(str(tmp_path / "mapping.png"))
    dialog.reject()
    qtbot.waitUntil(lambda: window.running_job() is None)
    text = tmp_path / "a.txt"
    text.write_text("A plain article.\n\nWith two paragraphs.\n", encoding="utf-8")
    with qtbot.waitSignal(window.import_finished, timeout=60000) as finished:
        window.import_checked([str(text)], ner=False)
    assert finished.args[0].articles_added == 1 and window.mapping_dialog is None
    window.report_dialog.close()
