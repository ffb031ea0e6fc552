"""At home on the desktop: themes and their contrast, text size, the workplace remembered, small screens."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from annotator import resources
from ui import fonts, messages, theme
from ui.main_window import MainWindow
from ui.settings import open_settings, project_annotator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def light_again() -> object:
    yield
    theme.apply("light")  # the session's theme for the next tests


@pytest.mark.parametrize("name", theme.THEMES)
def test_every_text_colour_reaches_4_5_to_1_and_edges_3_to_1(name: str) -> None:
    t = theme.load(name)
    low = [(fg, bg, round(theme.contrast(t, fg, bg), 2)) for fg, bg in theme.TEXT_PAIRS
           if theme.contrast(t, fg, bg) < 4.5]
    assert not low, f"{name}: text below 4.5:1: {low}"
    low = [(fg, bg) for fg, bg in theme.EDGE_PAIRS if theme.contrast(t, fg, bg) < 3.0]
    assert not low, f"{name}: edges below 3:1: {low}"


def test_contrast_is_computed_the_wcag_way() -> None:
    t = theme.Theme("t", {"a": "#000000", "b": "#ffffff", "c": "#777777"}, {"half": "#80ffffff"})
    assert theme.contrast(t, "qt.a", "qt.b") == pytest.approx(21.0)
    assert theme.contrast(t, "qt.c", "qt.b") == pytest.approx(4.48, abs=0.01)
    # half-white over black is a mid grey, not white
    assert 4.0 < theme.contrast(t, "half@qt.a", "qt.a") < 6.0


def test_both_themes_name_the_same_colours_and_every_colour_used_exists() -> None:
    light, dark = theme.load("light"), theme.load("dark")
    assert set(light.colours) == set(dark.colours) and set(light.qt) == set(dark.qt)
    used = set(re.findall(r"@([A-Za-z_][A-Za-z0-9_]*)", resources.path("style.qss").read_text()))
    for source in list((ROOT / "ui").rglob("*.py")):
        text = source.read_text(encoding="utf-8")
        used |= set(re.findall(r"theme\.(?:hex|colour)\([\"']([A-Za-z_.]+)[\"']\)", text))
        if source.name != "theme.py":  # no colour is named anywhere else
            assert not re.search(r"#[0-9a-fA-F]{3,8}\b", text), f"{source} names a colour"
    for role in used - {"resources"}:
        role = "qt." + role[3:] if role.startswith("qt_") else role
        for t in (light, dark):
            t.hex(role)  # raises KeyError when a theme lacks it


def test_theme_switches_in_the_view_menu_and_is_remembered(window: MainWindow) -> None:
    window.goto_article_number(1, 1)
    window.theme_actions["dark"].trigger()
    dark = theme.load("dark")
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert app.palette().color(QPalette.ColorRole.Base).name() == dark.qt["base"]
    assert open_settings().value(theme.SETTING) == "dark"
    assert window.theme_actions["dark"].isChecked()
    assert dark.colours["sentence_box_bg"] in app.styleSheet()
    # the article's entity highlights are redrawn in the dark palette
    mention = next(m for s in window.session.sentences for m in s.mentions if m.label == "LOC")
    cursor = window.view.textCursor()
    cursor.setPosition(window.view.doc_pos(mention.start) + 1)
    assert cursor.charFormat().background().color().name() == dark.colours["entity_LOC_bg"]
    window.theme_actions["light"].trigger()
    assert app.palette().color(QPalette.ColorRole.Base).name() == theme.load("light").qt["base"]
    assert theme.stored_mode(open_settings()) == "light"


def test_system_mode_follows_the_desktop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(theme, "system_theme", lambda: "dark")
    assert theme.apply("system").name == "dark"
    monkeypatch.setattr(theme, "system_theme", lambda: "light")
    assert theme.apply("system").name == "light"


def test_font_size_keys_menu_and_memory(window: MainWindow, qtbot: QtBot) -> None:
    start = window.view.font().pointSizeF()
    assert start == fonts.DEFAULT_PT
    qtbot.keyClick(window.view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.view.font().pointSizeF() == start + 1
    qtbot.keyClick(window.view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert window.view.font().pointSizeF() == start + 2
    assert window.view.document().defaultFont().pointSizeF() == start + 2
    qtbot.keyClick(window.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.view.font().pointSizeF() == start + 1
    assert float(open_settings().value(fonts.SETTING)) == start + 1
    again = MainWindow(open_settings(), "alice", restore_layout=False)
    qtbot.addWidget(again)
    assert again.view.font().pointSizeF() == start + 1  # remembered
    again.close()
    qtbot.keyClick(window.view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.view.font().pointSizeF() == fonts.DEFAULT_PT
    for _ in range(60):
        window.font_size.step(+1)
    assert window.view.font().pointSizeF() == fonts.MAX_PT
    assert not window.font_size.bigger_action.isEnabled()


def test_reopening_a_project_returns_to_its_sentence_and_annotator(qtbot: QtBot,
                                                                  project_path: Path) -> None:
    settings = open_settings()
    settings.clear()
    w = MainWindow(settings, "alice", restore_layout=False)
    qtbot.addWidget(w)
    assert w.open_project(project_path)
    assert w.switch_annotator("bob")
    assert w.goto_article_number(3, 5)
    article = w.session.article.id if w.session.article else None
    w.close()
    assert project_annotator(settings, str(project_path)) == "bob"
    # a new window started as someone else: the project brings back its own annotator and place
    w2 = MainWindow(settings, "carol", restore_layout=False)
    qtbot.addWidget(w2)
    assert w2.open_project(project_path)
    assert w2.session.annotator == "bob"
    assert w2.session.article is not None and w2.session.article.id == article
    assert w2.session.current == 4
    w2.close()


def test_messages_never_wait_in_screenshot_mode(capsys: pytest.CaptureFixture[str]) -> None:
    messages.headless = True
    try:
        messages.warn(None, "Cannot open", "no such folder")
        assert messages.ask(None, "Sure?", "really", default=messages.Button.No) == messages.Button.No
    finally:
        messages.headless = False
    assert "Cannot open: no such folder" in capsys.readouterr().err


def _run(code: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "ANNOTATOR_BLOCK_QT")}
    env.update(PYTHONPATH=str(ROOT), ANNOTATOR_SETTINGS_DIR=str(tmp_path / "settings"), **extra)
    return env


def test_screenshot_mode_does_not_hang_on_a_missing_folder(tmp_path: Path) -> None:
    out = tmp_path / "x.png"
    done = subprocess.run([sys.executable, "-m", "annotator.cli", "gui",
                           str(tmp_path / "no" / "such" / "p.annot"), "--screenshot", str(out)],
                          env=_env(tmp_path), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "does not exist" in done.stderr and not out.exists()


def test_every_window_fits_a_small_screen_at_scale_2(tmp_path: Path, project_path: Path) -> None:
    screens = tmp_path / "screens.json"
    screens.write_text(json.dumps({"screens": [{"name": "s", "x": 0, "y": 0, "width": 1600,
                                                "height": 1000, "logicalDpi": 96,
                                                "logicalBaseDpi": 96, "dpr": 1}]}))
    env = _env(tmp_path, QT_SCALE_FACTOR="2", QT_QPA_PLATFORM=f"offscreen:configfile={screens}")
    code = f"""
        from PySide6.QtCore import QByteArray
        from ui.app import _application
        from ui import theme, welcome
        from ui.main_window import MainWindow
        from ui.settings import open_settings
        app = _application()
        theme.apply("dark")
        area = app.primaryScreen().availableGeometry()
        assert (area.width(), area.height()) == (800, 500), area
        settings = open_settings()
        w = MainWindow(settings, "alice", restore_layout=False)
        w.open_project({str(project_path)!r})
        w.resize(1500, 950)  # what a bigger screen left in the settings
        w.show(); app.processEvents()
        shown = {{"main": w, "export": w.open_export_dialog(), "review": w.open_review(),
                 "shortcuts": w.show_shortcuts(), "welcome": welcome.show_welcome(w)}}
        app.processEvents()
        for name, x in shown.items():
            g = x.frameGeometry()
            print(name, g.x(), g.y(), g.width(), g.height())
            assert area.contains(g), (name, g, area)
            assert x.minimumSizeHint().width() <= area.width(), name
        for x in reversed(list(shown.values())):
            x.close()
        print("ok")
    """
    done = _run(code, env)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stdout + done.stderr


def test_progress_dialog_speaks_within_a_third_of_a_second_and_tells_time_left(
        window: MainWindow, qtbot: QtBot) -> None:
    import threading
    import time

    from annotator.progress import Cancelled, Progress
    from ui.worker import describe, run_in_background

    release = threading.Event()

    def work(progress: Progress) -> str:
        progress.update(0, 10, "loading the models…")  # then silence, as a model loads
        while not release.wait(0.05):
            progress.check()
        progress.update(5, 10, "file 2 of 4: b.txt")
        while not progress.cancelled:
            time.sleep(0.05)
        raise Cancelled()

    task = run_in_background(window, work, title="Importing 4 files")
    dialog = task.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=700)  # shown without any new report
    qtbot.waitUntil(lambda: "so far" in dialog.labelText(), timeout=1000)
    assert "loading the models…" in dialog.labelText()
    assert dialog.width() >= dialog.fontMetrics().horizontalAdvance("Importing 4 files")
    time.sleep(1.1)
    release.set()
    qtbot.waitUntil(lambda: "about" in dialog.labelText() and "b.txt" in dialog.labelText(),
                    timeout=2000)
    with qtbot.waitSignal(task.done, timeout=3000):
        task.cancel()  # what its Cancel button does
    assert describe(0.5, 10, "x") == "x\n10 s so far · about 10 s left"
    assert describe(0.0, 0.4, "").startswith("starting…")


def test_review_charts_follow_the_theme(window: MainWindow, qtbot: QtBot) -> None:
    review = window.open_review()
    assert review is not None
    qtbot.waitUntil(lambda: review.result is not None, timeout=20000)  # type: ignore[attr-defined]
    theme.apply("dark")
    for panel in review.chart_panels().values():  # type: ignore[attr-defined]
        assert panel.graphics.backgroundBrush().color().name() == theme.load("dark").colours["chart_bg"]
    review.close()


def test_welcome_opens_the_sample_corpus_and_the_cheat_sheet(qtbot: QtBot,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import welcome

    settings = open_settings()
    settings.clear()
    w = MainWindow(settings, "alice", restore_layout=False)
    qtbot.addWidget(w)
    w.show()
    assert welcome.should_show(settings)
    dialog = welcome.show_welcome(w)
    shown: list[bool] = []
    monkeypatch.setattr(w, "show_shortcuts", lambda: shown.append(True))
    dialog.findChild(QLabel, "welcome_keys").linkActivated.emit("#keys")
    assert shown
    w.ner_action.setChecked(False)  # the entity models are tested elsewhere; this is the path
    with qtbot.waitSignal(w.import_finished, timeout=60000) as finished:
        dialog.sample_button.click()
    assert finished.args[0].articles_added == 5
    assert w.session.path == str(welcome.sample_project_path())
    assert str(welcome.sample_project_path()).startswith(os.environ["XDG_DATA_HOME"])
    dialog2 = welcome.show_welcome(w)
    dialog2.again.setChecked(False)
    assert not welcome.should_show(settings)
    dialog2.close()
    w.close()
