"""Starts the desktop app (``annotator gui``): one QApplication, settings, annotator name, screenshot mode."""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from annotator import resources

SCREENSHOT_SIZE = (1600, 1000)


#: Seconds a thread holds the GIL before another may take it, in the app (see _application).
SWITCH_INTERVAL = 0.001


def _application():  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from .settings import APPLICATION, ORGANISATION

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "annotator"])
    # The window's thread waits for the GIL while a background job runs Python: every call from
    # Qt into Python (a table cell, a paint) waits up to the switch interval (5 ms by default),
    # so drawing a view could take ~0.4 s. 1 ms keeps the window quick at a small cost to jobs.
    sys.setswitchinterval(SWITCH_INTERVAL)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Annotator")
    app.setDesktopFileName("annotator")
    from . import screen_fit

    screen_fit.install(app)
    try:
        app.setWindowIcon(QIcon(str(resources.path("icons/annotator.svg"))))
    except FileNotFoundError:
        pass  # a missing icon only changes looks
    return app


def _screen_file(size: str) -> str:
    """A one-screen configuration for Qt's offscreen platform: ``1600x1000`` device pixels."""
    import json
    import tempfile

    try:
        width, height = (int(v) for v in size.lower().split("x"))
    except ValueError:
        raise SystemExit(f"--screen wants WIDTHxHEIGHT in pixels, not {size!r}") from None
    # Device pixels: QT_SCALE_FACTOR=2 makes it a screen of half as many logical pixels.
    screen = {"name": "screenshot", "x": 0, "y": 0, "width": width, "height": height,
              "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
    handle, name = tempfile.mkstemp(prefix="annotator-screen-", suffix=".json")
    with os.fdopen(handle, "w") as out:
        json.dump({"screens": [screen]}, out)
    return name


def ask_annotator_name(parent: object = None) -> str:
    """Ask once for the annotator's name; falls back to the login name if the dialog is cancelled."""
    from PySide6.QtWidgets import QInputDialog

    default = getpass.getuser()
    name, ok = QInputDialog.getText(parent, "Who is annotating?",  # type: ignore[arg-type]
                                    "Your name (stored with every label; change it later with"
                                    " File → Switch annotator):", text=default)
    name = name.strip() if ok else ""
    return name or default


def main(args: argparse.Namespace) -> int:
    screenshot = getattr(args, "screenshot", None)
    screen = getattr(args, "screen", None)
    if screenshot and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen" + (f":configfile={_screen_file(screen)}"
                                                       if screen else "")
    app = _application()
    from . import screen_fit

    screen_fit.enabled = not screenshot or bool(screen)

    from . import crash, welcome
    from .main_window import MainWindow
    from .settings import annotator_name, open_settings, recent_projects, set_annotator_name

    settings = open_settings()
    from . import theme

    chosen = getattr(args, "theme", None)
    # A theme given on the command line is for this run (screenshots): the stored choice stays.
    theme.apply(chosen or theme.stored_mode(settings), None)
    crashed = None if screenshot else crash.previous_crash(settings)
    if not screenshot:
        crash.begin(settings)
    from . import messages

    messages.headless = bool(screenshot)
    given = (getattr(args, "annotator", None) or "").strip()
    name = given or annotator_name(settings)
    if not name:
        if screenshot:
            name = "annotator"
        else:
            name = ask_annotator_name()
            set_annotator_name(settings, name)
    window = MainWindow(settings, name, restore_layout=not screenshot)
    project = getattr(args, "project", None)
    if project:
        if screenshot and not Path(project).parent.is_dir():
            print(f"cannot open {project}: folder {Path(project).parent} does not exist",
                  file=sys.stderr)
            return 1
        if not window.open_project(project, restore=not screenshot,
                                   background=not screenshot) and screenshot:
            print(f"cannot open {project}", file=sys.stderr)
            return 1
    elif not screenshot:
        recent = [p for p in recent_projects(settings) if Path(p).is_file()]
        if recent:
            window.open_project(recent[0])
    if given and window.session.project is not None and window.session.annotator != given:
        window.switch_annotator(given)  # --annotator wins over the project's remembered name
    elif given and not screenshot:
        set_annotator_name(settings, given)
    if screenshot:
        return take_screenshot(window, screenshot, getattr(args, "article", None),
                               getattr(args, "sentence", None), getattr(args, "window", "main"),
                               getattr(args, "import_path", None))
    window.show()
    if window.session.project is None and welcome.should_show(settings):
        welcome.show_welcome(window)
    if crashed is not None:
        tell_of_crash(window, crashed)
    try:
        return int(app.exec())
    finally:
        crash.end(settings)


def tell_of_crash(window: "object", crashed: "crash.Crash") -> None:
    """The previous session ended unexpectedly: say so, where its log is, and what was kept."""
    from . import messages
    from .main_window import MainWindow

    assert isinstance(window, MainWindow)
    kept = len(window.unsaved)
    where = ("The project was reopened at the sentence you were on." if window.session.project
             else "")
    saved = (f" {kept} change{'s' if kept != 1 else ''} typed before it closed "
             f"{'were' if kept != 1 else 'was'} kept and will be saved." if kept else "")
    log = f"\n\nWhat happened is in {crashed.log}" if str(crashed.log) not in ("", ".") else ""
    box = messages.message_box(window, messages.Icon.Warning, "Annotator closed unexpectedly",
                               f"Annotator closed unexpectedly last time.{' ' + where if where else ''}"
                               f"{saved}{log}", messages.Button.Ok)
    box.setObjectName("crash_notice")
    window.crash_notice = box  # type: ignore[attr-defined]
    box.open()


def _settle(seconds: float = 0.0) -> None:
    import time

    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + seconds
    while True:
        QApplication.processEvents()
        if time.monotonic() >= end:
            return
        time.sleep(0.02)


def _over(window: "object", dialog: "object") -> "object":
    """The main window with a dialog drawn over it where it is shown (offscreen has no compositor)."""
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QWidget

    assert isinstance(window, QWidget) and isinstance(dialog, QWidget)
    pixmap = window.grab()
    painter = QPainter(pixmap)
    shot = dialog.grab()
    x = max(0, (window.width() - dialog.width()) // 2)
    y = max(0, (window.height() - dialog.height()) // 3)
    painter.fillRect(0, 0, window.width(), window.height(), _shade())
    painter.drawPixmap(x, y, shot)
    painter.end()
    return pixmap


def _shade() -> "object":
    from PySide6.QtGui import QColor

    return QColor(0, 0, 0, 60)


def _grab_window(window: "object", which: str, import_path: str | None) -> "object | None":
    """The pixmap of the window or dialog asked for (None, said on stderr, when it cannot be)."""
    from .main_window import MainWindow

    assert isinstance(window, MainWindow)
    if which == "main":
        return window.grab()
    if which == "review":
        review = window.open_review()
        if review is None:
            return None
        review.resize(window.size())
        review.show()
        for _ in range(600):  # the agreement is computed in the background: up to a minute
            _settle(0.1)
            if getattr(review, "result", None) is not None:
                break
        _settle(0.2)
        pixmap = review.grab()
        review.close()
        return pixmap
    if which == "export":
        dialog = window.open_export_dialog()
    elif which == "welcome":
        from . import welcome

        dialog = welcome.show_welcome(window)
    elif which == "shortcuts":
        dialog = window.show_shortcuts()
    else:  # import: the progress dialog part-way through a real import
        if not import_path:
            print("--window import needs --import-path", file=sys.stderr)
            return None
        task = window.import_files([import_path])
        if task is None or task.dialog is None:
            return None
        import time

        dialog = task.dialog
        pixmap = None
        for _ in range(1200):  # a picture a second in (the dialog shows after 0.3 s)
            _settle(0.05)
            if task.finished:
                break
            if dialog.isVisible() and "so far" in dialog.labelText() and \
                    time.monotonic() - task.started > 1.5:
                pixmap = _over(window, dialog)
                break
        if pixmap is None:
            print("the import ended before its progress could be shown", file=sys.stderr)
        task.cancel()
        for _ in range(600):
            if task.finished:
                break
            _settle(0.05)
        return pixmap
    if dialog is None:
        return None
    _settle(0.3)
    pixmap = _over(window, dialog)
    dialog.close()
    return pixmap


def take_screenshot(window: "object", out: str, article: int | None, sentence: int | None,
                    which: str = "main", import_path: str | None = None) -> int:
    """Render the window offscreen at a fixed size, at the given article/sentence, to a PNG."""
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.persist_layout = False  # a screenshot must not change the user's window layout
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    QApplication.processEvents()
    if article is not None or sentence is not None:
        if not window.goto_article_number(article or 1, sentence):
            print(f"no article {article or 1} in the project", file=sys.stderr)
    QApplication.processEvents()
    if window.session.current >= 0:
        window.view.set_current(window.session.current)  # scroll again now that sizes are final
    for _ in range(3):
        QApplication.processEvents()
    pixmap = _grab_window(window, which, import_path)
    if pixmap is None:
        print(f"could not show the {which} window", file=sys.stderr)
        window.close()
        return 1
    ok = pixmap.save(out, "PNG")  # type: ignore[attr-defined]
    window.close()
    QApplication.processEvents()
    if not ok:
        print(f"could not write {out}", file=sys.stderr)
        return 1
    print(out)
    return 0
