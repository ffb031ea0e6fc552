"""Suggestions in the main window: trained off the GUI thread and cancellable, shown apart from
decisions, accepted by Y with provenance, hidden in blind mode, and the uncertain-first queue."""
from __future__ import annotations

import shutil
import sys
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import suggest_data  # noqa: E402

import ui.suggestions as suggestions_module  # noqa: E402
from annotator.suggest.service import MODEL_NAME, model_info  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.settings import open_settings  # noqa: E402


@pytest.fixture(scope="module")
def labelled_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sg") / "labelled.annot"
    suggest_data.build(path, 160, "rule", seed=8)
    return path


@pytest.fixture
def swindow(qtbot: QtBot, labelled_file: Path, tmp_path: Path) -> Iterator[MainWindow]:
    path = tmp_path / "p.annot"
    shutil.copy(labelled_file, path)
    settings = open_settings()
    settings.clear()
    w = MainWindow(settings, "bob", restore_layout=False)
    qtbot.addWidget(w)
    assert w.open_project(path)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.view.setFocus()
    yield w
    if w.isVisible():
        w.close()


def _train(qtbot: QtBot, w: MainWindow) -> Any:
    c = w.suggestions
    with qtbot.waitSignal(c.training_finished, timeout=300_000) as blocker:
        assert c.train(True) is not None
    w.activateWindow()  # the progress dialog had the focus
    qtbot.waitUntil(w.isActiveWindow)
    w.view.setFocus()
    return blocker.args[0]


def test_training_runs_off_the_gui_thread(qtbot: QtBot, swindow: MainWindow,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[threading.Thread] = []
    real = suggestions_module.train_project

    def spy(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(suggestions_module, "train_project", spy)
    info = _train(qtbot, swindow)
    assert info is not None and info.version == 1
    assert threads and threads[0] is not threading.main_thread()
    assert swindow.suggestions.model is not None
    assert "Model v1 trained" in swindow.statusBar().currentMessage()


def test_training_can_be_cancelled(qtbot: QtBot, swindow: MainWindow,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    started = threading.Event()
    real = suggestions_module.train_project

    def slow(project: Any, progress: Any, *args: Any, **kwargs: Any) -> Any:
        started.set()
        assert progress.cancelled or progress._cancel.wait(30)  # the GUI's Cancel arrives
        return real(project, progress, *args, **kwargs)  # raises Cancelled at its first step

    monkeypatch.setattr(suggestions_module, "train_project", slow)
    c = swindow.suggestions
    with qtbot.waitSignal(c.training_finished, timeout=60_000) as blocker:
        c.train(False)
        assert c.cancel_action.isEnabled()
        qtbot.waitUntil(started.is_set)
        c.cancel_action.trigger()
    assert blocker.args == [None]
    assert c.model is None and model_info(swindow.session.project) is None
    assert "cancelled" in swindow.statusBar().currentMessage()


def test_suggestions_show_and_one_key_accepts(qtbot: QtBot, swindow: MainWindow,
                                              tmp_path: Path) -> None:
    _train(qtbot, swindow)
    w = swindow
    s = w.session
    w.suggestions.next_uncertain()
    sentence = s.sentence
    assert sentence is not None and s.label(sentence.id) is None
    sug = w.panel.suggestion
    assert sug is not None
    assert w.panel.suggestion_bar.isVisible() and "press A" in w.panel.suggestion_bar.text()
    # shown, not decided: no box ticked and no stance button checked before A
    assert not any(b.isChecked() for b in w.panel._frame_boxes.values())
    assert not any(b.isChecked() for rw in w.panel._row_widgets.values()
                   for b in rw.buttons.values())
    w.grab().save(str(tmp_path / "suggested.png"))
    qtbot.keyClick(w.view, Qt.Key.Key_A)
    label = s.label(sentence.id)
    assert label is not None and label.suggestion is not None, (
        w.statusBar().currentMessage(), w.suggestions.accept_action.isEnabled(), sug)
    assert label.suggestion["model"] == MODEL_NAME and label.suggestion["version"] == 1
    assert sorted(label.frames) == sorted(sug.chosen_frames) or label.irrelevant
    assert label.stance == {t: v for t, (v, _) in sug.stance.items()
                            if t in {r.target.id for r in w.panel.rows}}
    # the usual keys override (and the provenance stays)
    if w.panel.rows:
        qtbot.keyClick(w.view, Qt.Key.Key_1)
        again = s.label(sentence.id)
        assert again is not None and again.suggestion == label.suggestion


def test_blind_mode_hides_suggestions(qtbot: QtBot, swindow: MainWindow) -> None:
    _train(qtbot, swindow)
    w = swindow
    w.suggestions.next_uncertain()
    assert w.panel.suggestion is not None
    w.suggestions.blind_action.trigger()
    assert w.panel.suggestion is None and "blind" in w.panel.suggestion_bar.text()
    assert not w.suggestions.accept_action.isEnabled()
    sentence = w.session.sentence
    assert sentence is not None
    qtbot.keyClick(w.view, Qt.Key.Key_A)
    assert w.session.label(sentence.id) is None
