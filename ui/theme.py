"""Light and dark themes: per-theme palettes from ``resources/themes``, the Qt palette, the stylesheet.

Every colour the app draws with comes from the active theme's palette (``colour("entity_PER_bg")``);
nothing else in ``ui/`` names a colour. The mode is "system" (follow the desktop's light/dark
setting, and its changes), "light" or "dark", kept in the settings under ``view/theme``.
Widgets that paint with palette colours listen to :data:`notifier.changed` and repaint.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from annotator import resources

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu

THEMES = ("light", "dark")
MODES = ("system", "light", "dark")
SETTING = "view/theme"

#: Text/background pairs that must reach WCAG AA (4.5:1) in every theme. "a@b" is colour a (with
#: its alpha) laid over b, as the current-sentence fill is laid over the article's background.
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("qt.text", "qt.base"), ("qt.window_text", "qt.window"), ("muted", "qt.window"),
    ("muted", "qt.base"), ("error", "qt.window"), ("error", "qt.base"), ("qt.link", "qt.base"),
    ("qt.placeholder", "qt.base"), ("qt.highlight_text", "qt.highlight"),
    ("qt.button_text", "qt.button"), ("qt.tooltip_text", "qt.tooltip_base"),
    ("dock_title_text", "dock_title_bg"),
    ("qt.text", "entity_PER_bg"), ("qt.text", "entity_ORG_bg"), ("qt.text", "entity_LOC_bg"),
    ("qt.text", "entity_MISC_bg"), ("qt.text", "entity_other_bg"),
    ("qt.text", "current_fill@qt.base"), ("boilerplate_text", "qt.base"),
    ("boilerplate_text", "current_fill@qt.base"), ("done_text", "qt.base"),
    ("sentence_box_text", "sentence_box_bg"), ("qt.window_text", "target_selected_bg"),
    ("chip_text", "chip_bg"), ("chip_checked_text", "stance_AGAINST"),
    ("chip_checked_text", "stance_NEUTRAL"), ("chip_checked_text", "stance_FAVOR"),
    ("definition_text", "definition_bg"), ("key_text", "key_bg"),
    ("legend_off_text", "legend_off_bg"), ("legend_on_text", "entity_PER_bg"),
    ("legend_on_text", "entity_ORG_bg"), ("legend_on_text", "entity_LOC_bg"),
    ("legend_on_text", "entity_MISC_bg"), ("notice_text", "notice_bg"),
    ("qt.text", "review_disagree_bg"), ("qt.text", "review_decided_bg"),
    ("qt.text", "review_differ_bg"), ("review_missing_text", "qt.base"), ("qt.text", "context_bg"),
    ("context_other_text", "context_bg"), ("context_target_text", "context_bg"),
    ("chart_ink", "chart_bg"), ("chart_faint", "chart_bg"), ("heat_low_text", "heat_low"),
    ("heat_high_text", "heat_high"), ("qt.text", "alt_base_row"),
)

#: Non-text pairs (control edges, marks) that must reach 3:1 (WCAG 1.4.11).
EDGE_PAIRS: tuple[tuple[str, str], ...] = (
    ("checkbox_border", "qt.base"), ("current_edge", "qt.base"), ("labelled_mark", "qt.base"),
)

_QT_ROLES = {
    "window": QPalette.ColorRole.Window, "window_text": QPalette.ColorRole.WindowText,
    "base": QPalette.ColorRole.Base, "alt_base": QPalette.ColorRole.AlternateBase,
    "text": QPalette.ColorRole.Text, "button": QPalette.ColorRole.Button,
    "button_text": QPalette.ColorRole.ButtonText, "highlight": QPalette.ColorRole.Highlight,
    "highlight_text": QPalette.ColorRole.HighlightedText,
    "tooltip_base": QPalette.ColorRole.ToolTipBase, "tooltip_text": QPalette.ColorRole.ToolTipText,
    "placeholder": QPalette.ColorRole.PlaceholderText, "link": QPalette.ColorRole.Link,
    "mid": QPalette.ColorRole.Mid,
}


@dataclass(frozen=True)
class Theme:
    """One theme's colours: Qt's palette roles (``qt.*``) and the app's own named colours."""

    name: str
    qt: dict[str, str]
    colours: dict[str, object] = field(default_factory=dict)

    def hex(self, role: str) -> str:
        """A colour as Qt's ``#rrggbb`` or ``#aarrggbb``; ``qt.text`` names a Qt palette role."""
        if role.startswith("qt."):
            return self.qt[role[3:]]
        if role == "alt_base_row":
            return self.qt["alt_base"]
        value = self.colours[role]
        if not isinstance(value, str):
            raise KeyError(f"{role} is a list of colours, not one")
        return value

    def series(self) -> list[str]:
        return [str(c) for c in self.colours["chart_series"]]  # type: ignore[union-attr]


@lru_cache(maxsize=None)
def load(name: str) -> Theme:
    data = json.loads(resources.path(f"themes/{name}.json").read_text(encoding="utf-8"))
    return Theme(name=data["name"], qt=dict(data["qt"]), colours=dict(data["colours"]))


# -- contrast (WCAG 2.x) -------------------------------------------------------------------------

def _rgba(value: str) -> tuple[float, float, float, float]:
    c = QColor(value)
    if not c.isValid():
        raise ValueError(f"not a colour: {value!r}")
    return c.redF(), c.greenF(), c.blueF(), c.alphaF()


def resolve(theme: Theme, spec: str) -> tuple[float, float, float]:
    """The opaque colour of ``spec``: a role, or "a@b" (a laid over b by its alpha)."""
    parts = spec.split("@")
    r, g, b, _ = _rgba(theme.hex(parts[-1]))
    for role in reversed(parts[:-1]):
        tr, tg, tb, a = _rgba(theme.hex(role))
        r, g, b = tr * a + r * (1 - a), tg * a + g * (1 - a), tb * a + b * (1 - a)
    return r, g, b


def luminance(rgb: tuple[float, float, float]) -> float:
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(theme: Theme, fg: str, bg: str) -> float:
    a, b = luminance(resolve(theme, fg)), luminance(resolve(theme, bg))
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


# -- the active theme ----------------------------------------------------------------------------

class _Notifier(QObject):
    changed = Signal(str)  # the theme's name


notifier: _Notifier | None = None
_active: Theme | None = None
_mode = "system"


def _notifier() -> _Notifier:
    global notifier
    if notifier is None:
        notifier = _Notifier()
    return notifier


def changed() -> Signal:  # type: ignore[valid-type]
    """The signal emitted (with the theme's name) after a theme was applied."""
    return _notifier().changed


def active() -> Theme:
    return _active if _active is not None else load("light")


def colour(role: str) -> QColor:
    return QColor(active().hex(role))


def hex(role: str) -> str:  # noqa: A001 - the palette's own word
    return active().hex(role)


def mode() -> str:
    return _mode


def system_theme() -> str:
    """"dark" when the desktop asks for a dark scheme, else "light"."""
    app = QGuiApplication.instance()
    if app is None:
        return "light"
    scheme = QGuiApplication.styleHints().colorScheme()
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def stored_mode(settings: QSettings) -> str:
    value = str(settings.value(SETTING, "system") or "system")
    return value if value in MODES else "system"


def stylesheet(theme: Theme) -> str:
    """``resources/style.qss`` with each ``@role`` replaced by the theme's colour."""
    template = resources.path("style.qss").read_text(encoding="utf-8")

    def fill(match: re.Match[str]) -> str:
        role = match.group(1)
        if role == "resources":
            return resources.ROOT.as_posix()
        return theme.hex("qt." + role[3:] if role.startswith("qt_") else role)

    return re.sub(r"@([A-Za-z_][A-Za-z0-9_]*)", fill, template)


def qt_palette(theme: Theme) -> QPalette:
    palette = QPalette()
    for key, role in _QT_ROLES.items():
        palette.setColor(role, QColor(theme.qt[key]))
    disabled = QColor(theme.qt["disabled_text"])
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    palette.setColor(QPalette.ColorRole.Light, QColor(theme.qt["button"]).lighter(130))
    palette.setColor(QPalette.ColorRole.Dark, QColor(theme.qt["mid"]).darker(130))
    return palette


def apply(mode_: str = "system", settings: QSettings | None = None) -> Theme:
    """Make ``mode_`` the app's theme (and remember it when given settings); returns the theme."""
    global _active, _mode
    if mode_ not in MODES:
        raise ValueError(f"unknown theme {mode_!r}; choose one of {', '.join(MODES)}")
    _mode = mode_
    if settings is not None:
        settings.setValue(SETTING, mode_)
    theme = load(system_theme() if mode_ == "system" else mode_)
    _active = theme
    app = QApplication.instance()
    if isinstance(app, QApplication):
        if app.style().name().lower() != "fusion":
            app.setStyle("Fusion")  # the one built-in style that draws with the palette it is given
        app.setPalette(qt_palette(theme))
        try:
            app.setStyleSheet(stylesheet(theme))
        except FileNotFoundError:
            pass  # a missing stylesheet only changes looks
        _follow_system(app)
    _notifier().changed.emit(theme.name)
    return theme


_following = False


def _follow_system(app: QApplication) -> None:
    global _following
    if _following:
        return
    _following = True

    def scheme_changed(*_: object) -> None:
        if _mode == "system":
            apply("system")

    app.styleHints().colorSchemeChanged.connect(scheme_changed)


def add_theme_menu(menu: "QMenu", settings: QSettings) -> dict[str, "QAction"]:
    """A "Theme" submenu (System / Light / Dark, one checked) that applies and remembers the choice."""
    from PySide6.QtGui import QAction, QActionGroup

    sub = menu.addMenu("&Theme")
    sub.setObjectName("theme_menu")
    group = QActionGroup(sub)
    group.setExclusive(True)
    actions: dict[str, QAction] = {}
    for key, text in (("system", "Follow the &system"), ("light", "&Light"), ("dark", "&Dark")):
        action = QAction(text, sub)
        action.setObjectName(f"theme_{key}")
        action.setCheckable(True)
        action.setChecked(key == _mode)
        action.triggered.connect(lambda _=False, k=key: apply(k, settings))
        group.addAction(action)
        sub.addAction(action)
        actions[key] = action
    return actions
