"""``annotator review``: the Review window on its own, or rendered offscreen to PNG files."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from .window import ReviewWindow

TABS = {"adjudicate": 0, "agreement": 1, "charts": 2, "model": 3}


def wait_computed(window: ReviewWindow, timeout_ms: int = 120000) -> None:
    """Spin the event loop until the background report is in (or the timeout)."""
    if window.task is None:
        return
    loop = QEventLoop()
    window.computed.connect(loop.quit)
    if window.task is not None:
        window.task.done.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def save_screenshots(window: ReviewWindow, png: str, tab: str | None, charts_dir: str | None) -> list[Path]:
    wait_computed(window)
    saved = []
    if charts_dir:
        folder = Path(charts_dir)
        folder.mkdir(parents=True, exist_ok=True)
        window.tabs.setCurrentIndex(TABS["charts"])
        for name, panel in window.chart_panels().items():
            window.charts.setCurrentWidget(panel)
            QApplication.processEvents()
            saved.append(panel.export_png(folder / f"review-{name}.png"))
    if png:
        window.tabs.setCurrentIndex(TABS.get(tab or "adjudicate", 0))
        QApplication.processEvents()
        window.grab().save(png, "PNG")
        saved.append(Path(png))
    return saved


def main(args: argparse.Namespace) -> int:
    charts_dir = getattr(args, "charts", None)
    if (args.screenshot or charts_dir) and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no display needed to render PNGs
    app = QApplication.instance() or QApplication(sys.argv[:1])
    try:
        window = ReviewWindow(args.project, args.reviewer)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.screenshot or charts_dir:
        window.show()
        for path in save_screenshots(window, args.screenshot, args.tab, charts_dir):
            print(path)
        window.close()
        window.deleteLater()
        QApplication.processEvents()
        return 0
    window.show()
    return int(app.exec())
