"""Every window and dialog fits the screen it opens on, at any scale factor.

One application-wide event filter sees each top-level window as it is shown, and shrinks and moves
it into the screen's available area (a saved geometry from a bigger screen, or a dialog's natural
size at ``QT_SCALE_FACTOR=2``, would otherwise run off the screen). A window whose *minimum* size
is still too big is asked to make itself compact first (``compact_for(QSize)``: the main window
stacks its docks as tabs); dialogs that can be taller than a screen put their body in a scroll area.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

#: Room left for window decorations the platform adds outside the widget's geometry, while it has
#: not said how big they are (a window manager frames a window only after it is shown).
DECORATION = QSize(8, 32)
#: Screenshot mode renders at a fixed size unless it is given a screen to fit (--screen).
enabled = True


def available(widget: QWidget) -> QRect:
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit(widget: QWidget) -> bool:
    """Resize and move ``widget`` into its screen's available area; True when it fits."""
    area = available(widget)
    frame = widget.frameGeometry()
    framed = QGuiApplication.platformName() not in ("offscreen", "minimal")
    extra_w = max(frame.width() - widget.width(), 0) or (DECORATION.width() if framed else 0)
    extra_h = max(frame.height() - widget.height(), 0) or (DECORATION.height() if framed else 0)
    room = QSize(max(area.width() - extra_w, 100), max(area.height() - extra_h, 100))
    hint = widget.minimumSizeHint().expandedTo(widget.minimumSize())
    compact = getattr(widget, "compact_for", None)
    if callable(compact) and (hint.width() > room.width() or hint.height() > room.height()):
        compact(room)
        layout = widget.layout()
        if layout is not None:
            layout.activate()  # the smaller minimum is known now, not at the next event loop
    if widget.width() > room.width() or widget.height() > room.height():
        widget.resize(min(widget.width(), room.width()), min(widget.height(), room.height()))
    geo = widget.frameGeometry()
    x = min(max(geo.x(), area.x()), area.right() - geo.width() + 1)
    y = min(max(geo.y(), area.y()), area.bottom() - geo.height() + 1)
    if (x, y) != (geo.x(), geo.y()):
        widget.move(max(x, area.x()), max(y, area.y()))
    return widget.width() <= room.width() and widget.height() <= room.height()


class _FitOnShow(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if enabled and event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            kind = watched.windowType()
            if kind not in (kind.ToolTip, kind.Popup, kind.SplashScreen):
                fit(watched)
        return False


_filter: _FitOnShow | None = None


def install(app: QApplication) -> None:
    """Fit every window of ``app`` as it is shown (once per application)."""
    global _filter
    if _filter is None:
        _filter = _FitOnShow(app)
        app.installEventFilter(_filter)
