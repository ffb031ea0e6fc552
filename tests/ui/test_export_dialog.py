"""File → Export…: the dialog's options, a background export with Cancel, and what it wrote."""
from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from annotator import Project
from annotator.export.records import RecordBuilder
from ui.export_dialog import ExportDialog
from ui.main_window import MainWindow


def label_first_units(w: MainWindow, n: int) -> list[int]:
    """Alice labels the first ``n`` units of the open article; returns their sentence ids."""
    units = [s for s in w.session.sentences if not s.boilerplate][:n]
    for s in units:
        w.session.set_label(s.id, {}, ["economic"], False, "")
    return [s.id for s in units]


def choose_format(dialog: ExportDialog, name: str, out: Path) -> None:
    dialog.format.setCurrentIndex(dialog.format.findData(name))
    dialog.out.setText(str(out))


def run_export(dialog: ExportDialog, qtbot: QtBot) -> Any:
    with qtbot.waitSignal(dialog.export_finished, timeout=60000) as finished:
        assert dialog.start_export() is not None
        assert not dialog.export_button.isEnabled()  # one export at a time
    return finished.args[0]


def test_exports_jsonl_and_hf_in_the_background(window: MainWindow, qtbot: QtBot, tmp_path: Path,
                                                project_path: Path) -> None:
    labelled = label_first_units(window, 3)
    dialog = window.open_export_dialog()
    assert dialog is not None and dialog.isVisible()
    assert dialog.annotator.findData("alice") >= 0  # combos filled from the project
    assert dialog.lang.findData("ru") >= 0 and dialog.outlet.findData("TASS") >= 0

    choose_format(dialog, "jsonl", tmp_path / "out.jsonl")
    result = run_export(dialog, qtbot)
    assert result is not None and not result.cancelled and result.rows == 3
    lines = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 3
    assert all(line["labels"]["alice"]["frames"] == ["economic"] for line in lines)
    assert dialog.report.isVisible()
    shown = dialog.report.toPlainText()
    assert "3 rows" in shown and "economic 3" in shown

    choose_format(dialog, "hf", tmp_path / "dataset")
    assert dialog.out_label.text() == "Folder:"
    dialog.include_unlabelled.setChecked(True)
    result = run_export(dialog, qtbot)
    assert result is not None and not result.cancelled
    with Project.open(project_path) as p:
        units = sum(not s.boilerplate for a in p.articles() for s in p.sentences(a.id))
    split_files = sorted((tmp_path / "dataset").glob("*.jsonl"))
    assert (tmp_path / "dataset" / "README.md").is_file() and split_files
    rows = [json.loads(x) for f in split_files for x in f.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == result.rows == units
    assert sum(1 for r in rows if r["annotations"]) == len(labelled)
    assert "Splits" in dialog.report.toPlainText()
    dialog.close()

    # The choices are remembered for the next time.
    again = window.open_export_dialog()
    assert again is not None
    assert again.format_name == "hf" and again.include_unlabelled.isChecked()
    assert Path(again.out.text()).parent == tmp_path
    again.close()


def test_cancel_leaves_no_partial_output(window: MainWindow, qtbot: QtBot, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    label_first_units(window, 2)
    gate = threading.Event()
    original = RecordBuilder.bundle

    def held(self: RecordBuilder, *args: Any, **kwargs: Any) -> Any:
        gate.wait(10)  # hold the worker in its first article until the test has cancelled
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RecordBuilder, "bundle", held)
    dialog = window.open_export_dialog()
    assert dialog is not None
    out = tmp_path / "out" / "cancelled.jsonl"
    choose_format(dialog, "jsonl", out)
    with qtbot.waitSignal(dialog.export_finished, timeout=60000) as finished:
        task = dialog.start_export()
        assert task is not None and task.dialog is not None
        task.dialog.findChild(QPushButton).click()  # the progress dialog's Cancel button
        gate.set()
    result = finished.args[0]
    assert result is not None and result.cancelled
    assert not out.exists()
    assert not out.parent.exists() or not any(out.parent.iterdir())  # no temporary left
    assert "cancelled" in dialog.report.toPlainText()
    dialog.close()


def test_bad_choices_and_errors_are_explained(window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    dialog = window.open_export_dialog()
    assert dialog is not None
    choose_format(dialog, "semeval2023", tmp_path / "semeval")
    dialog.labels.setCurrentIndex(dialog.labels.findData("all"))
    dialog.annotator.setCurrentIndex(0)
    assert "one label per sentence" in dialog.problem.text()
    assert not dialog.export_button.isEnabled()
    dialog.labels.setCurrentIndex(dialog.labels.findData("gold"))
    assert dialog.export_button.isEnabled() and dialog.problem.isHidden()
    dialog.split_box.setChecked(True)
    dialog.test.setValue(30)
    assert "120 %" in dialog.problem.text() and not dialog.export_button.isEnabled()
    dialog.split_box.setChecked(False)

    taken = tmp_path / "a-file"
    taken.write_text("not a folder", encoding="utf-8")
    choose_format(dialog, "hf", taken)  # hf writes a folder: the worker refuses a file
    assert run_export(dialog, qtbot) is None
    assert dialog.error is not None and "is a file" in dialog.error
    assert "Not exported" in dialog.report.toPlainText()
    assert taken.read_text(encoding="utf-8") == "not a folder"
    dialog.close()


def test_a_refused_output_is_explained_and_nothing_is_touched(
        window: MainWindow, qtbot: QtBot, project_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = project_path.parent
    (folder / "thesis.docx").write_bytes(b"my thesis")
    before = sorted(p.name for p in folder.iterdir())
    project_bytes = project_path.read_bytes()
    asked: list[str] = []
    monkeypatch.setattr("ui.export_dialog.messages.ask",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    dialog = window.open_export_dialog()
    assert dialog is not None

    # The core refuses in the worker: the project's folder as an hf folder.
    choose_format(dialog, "hf", folder)
    assert run_export(dialog, qtbot) is None
    assert dialog.error is not None and "holds the project file" in dialog.error
    shown = dialog.report.toPlainText()
    assert shown.startswith("Not exported:") and "holds the project file" in shown
    assert "<" not in shown  # plain, readable text
    # Export… checks first: no question, no worker, the same message.
    choose_format(dialog, "jsonl", project_path)
    dialog.export_button.click()
    assert dialog.task is None and not asked
    assert "is the project file" in dialog.report.toPlainText()
    assert sorted(p.name for p in folder.iterdir()) == before
    assert project_path.read_bytes() == project_bytes
    assert (folder / "thesis.docx").read_bytes() == b"my thesis"

    # A file an export did not write is replaced only on a clear Yes.
    mine = folder / "mine.jsonl"
    mine.write_text("my own lines\n", encoding="utf-8")
    choose_format(dialog, "jsonl", mine)
    dialog.export_button.click()
    assert dialog.task is None and "not written by an export" in asked[-1]
    assert mine.read_text(encoding="utf-8") == "my own lines\n"
    monkeypatch.setattr("ui.export_dialog.messages.ask", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(dialog.export_finished, timeout=60000) as finished:
        dialog.export_button.click()
    assert finished.args[0] is not None and not finished.args[0].cancelled
    assert mine.read_text(encoding="utf-8") != "my own lines\n"
    dialog.close()
