"""Nothing the annotator does is lost: dropped locks, replaced files, failed writes, crashes, display."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel
from pytestqt.qtbot import QtBot

from annotator import Project, fileguard
from ui import crash, messages
from ui.file_dialogs import make_dialog
from ui.main_window import MainWindow
from ui.settings import open_settings

ROOT = Path(__file__).resolve().parents[2]
linux_locks = pytest.mark.skipif(not os.path.exists("/proc/locks"), reason="needs Linux /proc/locks")


def held(path: Path) -> set[str]:
    """Which of the project's SQLite locks this process holds: 'db' (SHARED), 'shm' (DMS)."""
    locks = fileguard._held_locks()
    out = set()
    if fileguard._covers(locks.get(os.stat(path).st_ino, []), fileguard.SHARED_FIRST,
                         fileguard.SHARED_FIRST + fileguard.SHARED_SIZE - 1):
        out.add("db")
    shm = Path(str(path) + "-shm")
    if shm.exists() and fileguard._covers(locks.get(os.stat(shm).st_ino, []), 128, 128):
        out.add("shm")
    return out


def show_for_a_while(dialog: QFileDialog, seconds: float = 2.0, until=None) -> None:  # type: ignore[no-untyped-def]
    """Show the dialog while its file system model reads the folder (its worker thread)."""
    dialog.show()
    end = time.monotonic() + seconds
    while time.monotonic() < end and not (until and until()):
        QApplication.processEvents()
        time.sleep(0.01)
    dialog.close()


def other_process(code: str, project: Path) -> str:
    done = subprocess.run([sys.executable, "-c", code, str(project)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


COUNT_LABELS = ("import sys; from annotator import Project\n"
                "with Project.open(sys.argv[1], create=False) as p: print(len(p.labels()))")
STATS = ("import sys; from annotator.cli import main\n"
         "sys.argv = ['annotator', 'stats', sys.argv[1]]; sys.exit(main())")


def label(w: MainWindow, k: int, note: str = "") -> int:
    units = [s for s in w.session.sentences if not s.boilerplate]
    sid = units[k].id
    w._label_edited(sid, {}, ["economic"], False, note)
    return sid


@linux_locks
def test_our_file_dialogs_keep_the_locks_and_the_guard_retakes_what_others_drop(
        window: MainWindow, project_path: Path) -> None:
    label(window, 0)
    assert held(project_path) == {"db", "shm"}
    # Our dialogs decide file types by name: the project folder can be browsed freely.
    show_for_a_while(make_dialog(window, "Import", str(project_path.parent)))
    assert held(project_path) == {"db", "shm"}
    # Qt's stock dialog reads the files to guess their types, and closing them drops the locks
    # (the root cause of the labels lost after a GUI import).
    # The explicit check below stands for the window's one-second timer: left running, it may
    # retake the locks while the dialog is open too, and the count below would be 2 (seen in CI).
    assert window.files_timer.isActive() and window.files_timer.interval() == 1000
    window.files_timer.stop()
    stock = QFileDialog(window, "Stock", str(project_path.parent))
    stock.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    show_for_a_while(stock, 10, until=lambda: not held(project_path))
    # What strace shows the stock dialog doing (how soon it gets to it depends on the platform's
    # file-system model): open each file read-only and close it. Either way the locks are gone.
    for suffix in ("", "-wal", "-shm"):
        os.close(os.open(str(project_path) + suffix, os.O_RDONLY))
    assert held(project_path) == set()
    assert window.check_project_files()  # the window's one-second check takes them again
    assert held(project_path) == {"db", "shm"}
    assert window.session.project is not None
    assert window.session.project.store.guard.restored == 1
    # Another process closing the project now can no longer delete the WAL under the window.
    other_process(STATS, project_path)
    assert Path(str(project_path) + "-wal").exists()
    label(window, 1)
    assert other_process(COUNT_LABELS, project_path) == "2"


@linux_locks
def test_a_deleted_wal_is_never_written_into_and_the_label_is_kept_until_reopened(
        window: MainWindow, project_path: Path) -> None:
    label(window, 0)
    window.files_timer.stop()  # the race the timer would win: the other process is faster here
    os.close(os.open(project_path, os.O_RDONLY))  # something in the process drops the locks
    os.close(os.open(str(project_path) + "-shm", os.O_RDONLY))
    other_process(STATS, project_path)  # looks unused to it: checkpoints and deletes the WAL
    assert not Path(str(project_path) + "-wal").exists()
    sid = label(window, 1, note="typed after the WAL went")
    assert len(window.unsaved) == 1  # refused before writing, kept
    assert window.notice.isVisible() and "not saved" in window.notice.text.text()
    assert window.notice.reopen.isVisible()
    assert other_process(COUNT_LABELS, project_path) == "1"
    assert window.reopen_project()
    assert len(window.unsaved) == 0 and not window.notice.isVisible()
    assert other_process(COUNT_LABELS, project_path) == "2"
    with Project.open(project_path) as p:
        assert p.labels(sentence_id=sid)[0].note == "typed after the WAL went"


def test_a_replaced_project_file_is_reported_and_nothing_written(
        window: MainWindow, project_path: Path, tmp_path: Path) -> None:
    label(window, 0)
    moved = tmp_path / "moved.annot"
    os.rename(project_path, moved)
    assert not window.check_project_files()
    assert window.notice.isVisible() and "deleted" in window.notice.text.text()
    label(window, 1)
    assert len(window.unsaved) == 1 and not project_path.exists()


def test_a_failed_write_is_shown_kept_in_the_settings_and_retried(
        window: MainWindow, project_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Project.set_label

    def full(*_a: object, **_k: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Project, "set_label", full)
    sid = label(window, 0, note="my careful note")
    assert window.notice.isVisible()
    assert "1 label change not saved" in window.notice.text.text()
    assert "disk is full" in window.notice.text.text()
    assert "my careful note" in str(open_settings().value(_unsaved_key(window) + "/labels"))
    assert window.retry.isActive()
    assert window.retry_unsaved() == 1  # still failing: still kept
    monkeypatch.setattr(Project, "set_label", real)
    assert window.retry_unsaved() == 0
    assert not window.notice.isVisible() and not window.retry.isActive()
    with Project.open(project_path) as p:
        assert p.labels(sentence_id=sid, annotator="alice")[0].note == "my careful note"


def _unsaved_key(w: MainWindow) -> str:
    from ui.unsaved import _key

    assert w.session.path is not None
    return _key(w.session.path)


def test_other_failed_edits_are_shown_not_swallowed(window: MainWindow,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(*_a: object, **_k: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(Project, "add_mention", locked)
    window.add_entity(0, 5, "ORG")
    assert window.notice.isVisible() and "database is locked" in window.notice.text.text()


def test_a_note_typed_before_a_crash_comes_back(qtbot: QtBot, window: MainWindow,
                                                project_path: Path) -> None:
    window.panel.focus_note()
    qtbot.keyClicks(window.panel.note, "half a thought")
    sentence = window.panel.sentence
    assert sentence is not None
    # The app dies here (no save, no clean close): a new window on the same settings.
    window.panel._note_timer.stop()
    settings = open_settings()
    w2 = MainWindow(settings, "alice", restore_layout=False)
    qtbot.addWidget(w2)
    assert w2.open_project(project_path)
    assert len(w2.unsaved) == 1
    assert w2.retry_unsaved() == 0
    with Project.open(project_path) as p:
        assert p.labels(sentence_id=sentence.id, annotator="alice")[0].note == "half a thought"
    w2.close()


def test_message_boxes_show_markup_and_bidi_controls_as_text(qtbot: QtBot) -> None:
    box = messages.error_box(None, "Import failed",
                             "bad <a href='http://x'>link</a> in gnp\u202e.exe", "<b>d</b>")
    qtbot.addWidget(box)
    labels = [lab for lab in box.findChildren(QLabel) if "link" in lab.text()]
    assert labels and all(lab.textFormat() == Qt.TextFormat.PlainText for lab in labels)
    assert "<a href='http://x'>link</a>" in labels[0].text()
    assert "\u202e" not in labels[0].text() and "\\u202e" in labels[0].text()


def test_the_viewer_shows_control_and_bidi_characters_without_moving_offsets(
        window: MainWindow) -> None:
    from annotator.textsafe import visible_in_place

    text = "File gnp\u202e.exe and \x1b[31mred\x1b[0m"
    shown = visible_in_place(text)
    assert len(shown) == len(text) and "\u202e" not in shown and "\x1b" not in shown
    assert shown.index("exe") == text.index("exe")


def test_a_crash_is_logged_and_told_at_the_next_start(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path / "data"),
           "ANNOTATOR_SETTINGS_DIR": str(tmp_path / "settings"), "QT_QPA_PLATFORM": "offscreen"}
    code = ("import faulthandler; from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
            "from ui import crash; from ui.settings import open_settings\n"
            "print(crash.begin(open_settings()), flush=True); faulthandler._sigsegv()")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0
    log = Path(done.stdout.strip().splitlines()[-1])
    assert "Segmentation fault" in log.read_text(encoding="utf-8")
    assert str(tmp_path / "data") in str(log)
    code = ("from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
            "from ui import crash; from ui.settings import open_settings\n"
            "s = open_settings(); c = crash.previous_crash(s); print(c.log if c else 'none')\n"
            "crash.begin(s); crash.end(s); print(crash.previous_crash(s))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)
    lines = done.stdout.strip().splitlines()
    assert lines[0] == str(log) and lines[1] == "None", done.stderr


def test_reopening_returns_to_the_last_sentence(qtbot: QtBot, window: MainWindow,
                                                project_path: Path) -> None:
    window.persist_layout = True
    window.session.set_current(3)
    article = window.session.article
    assert article is not None
    w2 = MainWindow(open_settings(), "alice", restore_layout=False)
    qtbot.addWidget(w2)
    w2.persist_layout = False
    assert w2.open_project(project_path) and w2.restore_position()
    assert w2.session.article is not None and w2.session.article.id == article.id
    assert w2.session.current == 3
    w2.close()


def test_the_platform_is_the_one_asked_for(qapp: QApplication) -> None:
    """The Xvfb run (ANNOTATOR_TEST_PLATFORM=xcb) must really talk to an X server."""
    assert qapp.platformName() == os.environ["QT_QPA_PLATFORM"]


def test_back_up_and_restore_from_the_window(window: MainWindow, project_path: Path) -> None:
    assert window.session.project is not None
    window.backup_now()
    found = window.session.project.list_backups()
    assert found
    sid = label(window, 0, note="after the backup")
    assert window.restore_backup(found[0].path)
    assert window.session.project is not None
    assert not window.session.project.labels(sentence_id=sid, annotator="alice")
    assert window.session.label(sid) is None
    assert len(window.session.project.list_backups()) >= 2  # the state before the restore is kept
