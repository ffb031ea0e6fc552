"""The review charts (pyqtgraph): label distributions, agreement with CIs, confusion, progress, outlets."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QSizePolicy,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.model import STANCE_VALUES
from annotator.review import (
    AgreementReport,
    Confusion,
    Distribution,
    FieldResult,
    OutletComparison,
)
from ui import file_dialogs, theme

def colour(i: int) -> str:
    """Series colour i: colour-blind-safe (Okabe-Ito), ordered per theme (resources/themes)."""
    series = theme.active().series()
    return series[i % len(series)]


def ink() -> str:
    """Axis, title and label colour of the charts in the active theme."""
    return theme.hex("chart_ink")


def _style(plot: pg.PlotItem, title: str = "") -> pg.PlotItem:
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(ink()))
        axis.setTextPen(pg.mkPen(ink()))
    if title:
        plot.setTitle(title, color=ink(), size="11pt")
    plot.setMenuEnabled(False)
    return plot


def _left_ticks(plot: pg.PlotItem, ticks: Sequence[tuple[float, str]]) -> None:
    """Text ticks on the left axis, with room for the longest (pyqtgraph only widens it later)."""
    axis = plot.getAxis("left")
    axis.setTicks([list(ticks)])
    metrics = QFontMetrics(axis.style["tickFont"] or QFont())
    axis.setWidth(max([metrics.horizontalAdvance(t) for _, t in ticks] + [20]) + 14)


def _legend(plot: pg.PlotItem, offset: tuple[int, int] = (-10, 10)) -> pg.LegendItem:
    legend = plot.addLegend(offset=offset, labelTextColor=ink(), brush=pg.mkBrush(QColor(theme.hex("chart_legend_bg"))),
                            pen=pg.mkPen(theme.hex("chart_legend_border")))
    return legend


def _short(text: str, n: int = 28) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


class ChartPanel(QWidget):
    """A chart with a title row (optional selectors) and an "Export PNG…" button."""

    exported = Signal(str)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(theme.hex("chart_bg"))
        self.graphics.setAntialiasing(True)
        self.controls = QHBoxLayout()
        self.heading = QLabel(f"<b>{title}</b>")
        self.controls.addWidget(self.heading)
        self.controls.addStretch(1)
        self.export_button = QPushButton("Export PNG…")
        self.export_button.setToolTip("Save this chart as a PNG image")
        self.export_button.clicked.connect(self._ask_export)
        self.controls.addWidget(self.export_button)
        self.message = QLabel("")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setObjectName("chart_message")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.controls)
        layout.addWidget(self.message)
        layout.addWidget(self.graphics, 1)

    def show_message(self, text: str) -> None:
        """An explanation instead of an empty chart (no data yet, nothing to compare)."""
        self.graphics.clear()
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def export_png(self, path: str | Path) -> Path:
        path = Path(path)
        if not self.graphics.grab().save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        self.exported.emit(str(path))
        return path

    def _ask_export(self) -> None:
        name = self.title.lower().replace(" ", "-")
        path = file_dialogs.save_file_name(self, f"Export {self.title}", f"{name}.png",
                                           "PNG images (*.png)", "chart")
        if path:
            self.export_png(path)


def _hbars(plot: pg.PlotItem, names: Sequence[str],
           series: Sequence[tuple[str, str, Sequence[float | None]]], group: float = 0.8,
           markers: bool = False) -> None:
    """Grouped horizontal bars: one row per name (top to bottom), one bar per series.

    Values may be negative; None draws nothing. With ``markers`` each value also gets a tick at
    its end, so a value of 0 is told apart from no value.
    """
    n = max(1, len(series))
    h = group / n
    rows = len(names)
    for i, (label, col, values) in enumerate(series):
        y = np.arange(rows, 0, -1, dtype=float) - group / 2 + h * (n - 1 - i) + h / 2
        present = np.array([v is not None for v in values], dtype=bool)
        v = np.array([0.0 if x is None else x for x in values], dtype=float)
        plot.addItem(pg.BarGraphItem(x0=np.minimum(v, 0)[present], y=y[present],
                                     width=np.abs(v)[present], height=h * 0.92, brush=col,
                                     pen=pg.mkPen(None), name=label))
        if markers and present.any():
            plot.addItem(pg.ScatterPlotItem(x=v[present], y=y[present], symbol="|", size=h * 40,
                                            pen=pg.mkPen(ink(), width=1.5), brush=None))
    _left_ticks(plot, [(rows - k, _short(nm)) for k, nm in enumerate(names)])
    plot.showGrid(x=True, y=False, alpha=0.25)
    plot.setYRange(0.4, rows + 0.6, padding=0)


def _vbars(plot: pg.PlotItem, names: Sequence[str], series: Sequence[tuple[str, str, Sequence[float]]],
           group: float = 0.8) -> None:
    n = max(1, len(series))
    w = group / n
    for i, (label, col, values) in enumerate(series):
        x = np.arange(len(names), dtype=float) - group / 2 + w * i + w / 2
        plot.addItem(pg.BarGraphItem(x=x, height=np.asarray(values, dtype=float), width=w * 0.92,
                                     brush=col, pen=pg.mkPen(None), name=label))
    plot.getAxis("bottom").setTicks([[(k, _short(nm, 16)) for k, nm in enumerate(names)]])
    plot.showGrid(x=False, y=True, alpha=0.25)
    plot.setXRange(-0.6, len(names) - 0.4, padding=0)


def _top_legend(layout: pg.GraphicsLayout, series: Sequence[tuple[str, str]], colspan: int) -> None:
    """A one-line legend in its own row above the plots, so it never hides a bar."""
    legend = pg.LegendItem(labelTextColor=ink(), colCount=max(1, len(series)))
    for label, c in series:
        legend.addItem(pg.BarGraphItem(x=[0], height=[0], width=0, brush=c), label)
    layout.addItem(legend, row=0, col=0, colspan=colspan)
    legend.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    layout.layout.setRowStretchFactor(0, 0)
    layout.layout.setRowStretchFactor(1, 1)


class DistributionChart(ChartPanel):
    """How often each annotator (and gold) chose each frame and each stance value."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Label distribution", parent)

    def set_data(self, d: Distribution) -> None:
        self.graphics.clear()
        if not d.annotators:
            self.show_message("No labels yet.")
            return
        self.show_message("")
        series = [(a, colour(i)) for i, a in enumerate(d.annotators)]
        _top_legend(self.graphics.ci, [(f"{a} ({d.labels.get(a, 0)} labels)", c)
                                       for a, c in series], 2)
        frames = _style(self.graphics.addPlot(row=1, col=0), "Frames (labels with the frame)")
        _hbars(frames, [name for _, name in d.frames],
               [(a, c, d.frame_counts[a]) for a, c in series])
        frames.setLabel("bottom", "labels", color=ink())
        stance = _style(self.graphics.addPlot(row=1, col=1), "Stance (stance values given)")
        _vbars(stance, list(STANCE_VALUES), [(a, c, d.stance_counts[a]) for a, c in series])
        stance.setLabel("left", "stances", color=ink())
        self.graphics.ci.layout.setColumnStretchFactor(0, 3)
        self.graphics.ci.layout.setColumnStretchFactor(1, 2)


class AgreementChart(ChartPanel):
    """Krippendorff's alpha per field with its 95% bootstrap interval; n/a fields say so."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Agreement per field", parent)
        self.max_fields = 18

    def rows(self, report: AgreementReport) -> list[tuple[str, FieldResult, str]]:
        """The overview fields first, then the busiest targets (ordinal) and the frames used."""
        by_key = {f.key: f for f in report.fields}
        rows: list[tuple[str, FieldResult, str]] = [
            ("stance, all targets (nominal)", by_key["stance"], "alpha"),
            ("stance, all targets (ordinal)", by_key["stance"], "ordinal"),
            ("frame sets (MASI)", by_key["frames"], "alpha"),
            ("irrelevant", by_key["irrelevant"], "alpha"),
        ]
        targets = [f for f in report.fields if f.key.startswith("stance:")]
        frames = sorted((f for f in report.fields if f.key.startswith("frame:") and f.units
                         and f.alpha.value is not None), key=lambda f: -f.chosen)
        room = self.max_fields - len(rows)
        n_targets = min(len(targets), max(room // 2, room - len(frames)))
        rows += [(f.title + " (ordinal)", f, "ordinal") for f in targets[:n_targets]]
        rows += [(f.title, f, "alpha") for f in frames[: self.max_fields - len(rows)]]
        return rows

    def set_data(self, report: AgreementReport) -> None:
        self.graphics.clear()
        if not report.units:
            self.show_message("No sentence has been labelled by two annotators yet: "
                              "agreement needs overlapping labels.")
            return
        self.show_message("")
        rows = self.rows(report)
        plot = _style(self.graphics.addPlot(), f"Krippendorff's alpha, {report.units} units"
                      + (f", 95% CI from {report.bootstrap} resamples" if report.bootstrap else ""))
        n = len(rows)
        ys = np.arange(n, 0, -1, dtype=float)
        values, lows, highs, cols = [], [], [], []
        for (title, f, which), y in zip(rows, ys):
            stat = f.ordinal if which == "ordinal" else f.alpha
            assert stat is not None
            v = stat.value
            values.append(0.0 if v is None else v)
            cols.append(theme.hex("chart_na") if v is None else theme.hex(
                "chart_good" if v >= 0.8 else "chart_ok" if v >= 0.667 else "chart_bad"))
            if v is None:
                text = pg.TextItem(f"n/a: {stat.reason}", color=theme.hex("chart_faint"), anchor=(0, 0.5))
                text.setPos(0.01, y)
                plot.addItem(text)
            if stat.ci and v is not None:
                lows.append((y, v - stat.ci[0], stat.ci[1] - v, v))
        plot.addItem(pg.BarGraphItem(x0=0, y=ys, width=values, height=0.6, brushes=cols,
                                     pen=pg.mkPen(None)))
        if lows:
            arr = np.array(lows)
            plot.addItem(pg.ErrorBarItem(x=arr[:, 3], y=arr[:, 0], left=arr[:, 1], right=arr[:, 2],
                                         beam=0.2, pen=pg.mkPen(ink(), width=1.5)))
        for x, style in ((0.667, Qt.PenStyle.DashLine), (0.8, Qt.PenStyle.DashLine)):
            plot.addItem(pg.InfiniteLine(pos=x, angle=90, pen=pg.mkPen(theme.hex("chart_grid"), style=style)))
        plot.addItem(pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen(ink())))
        _left_ticks(plot, [(y, _short(t, 44)) for (t, _, _), y in zip(rows, ys)])
        plot.showGrid(x=True, y=False, alpha=0.25)
        plot.setYRange(0.4, n + 0.6, padding=0)
        low = min([0.0] + [v for v in values] + [r[3] - r[1] for r in lows])
        plot.setXRange(min(-0.05, low - 0.05), 1.02, padding=0)
        plot.setLabel("bottom", "alpha — green ≥ 0.8 reliable, amber ≥ 0.667 tentative, red below"
                      " (dashed lines); whiskers: 95% CI", color=ink())


class ConfusionChart(ChartPanel):
    """Stance of one annotator against another, as a heat map with counts."""

    pair_changed = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Stance confusion", parent)
        self.first = QComboBox()
        self.second = QComboBox()
        for combo in (self.first, self.second):
            combo.setMinimumContentsLength(10)
            combo.currentTextChanged.connect(self._pair_chosen)
        self.controls.insertWidget(1, QLabel("rows:"))
        self.controls.insertWidget(2, self.first)
        self.controls.insertWidget(3, QLabel("columns:"))
        self.controls.insertWidget(4, self.second)

    def set_annotators(self, names: Sequence[str]) -> None:
        for combo, pick in ((self.first, 0), (self.second, 1)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(list(names))
            if len(names) > pick:
                combo.setCurrentIndex(pick)
            combo.blockSignals(False)

    def set_pair(self, a: str, b: str) -> None:
        """Rows ``a``, columns ``b`` (without asking for the matrix again)."""
        for combo, name in ((self.first, a), (self.second, b)):
            combo.blockSignals(True)
            combo.setCurrentText(name)
            combo.blockSignals(False)

    def _pair_chosen(self, _text: str) -> None:
        a, b = self.first.currentText(), self.second.currentText()
        if a and b:
            self.pair_changed.emit(a, b)

    def set_data(self, c: Confusion) -> None:
        self.graphics.clear()
        total = sum(map(sum, c.matrix))
        if total == 0:
            self.show_message(f"{c.a} and {c.b} have no stance on sentences they both labelled.")
            return
        self.show_message("")
        k = len(c.categories)
        m = np.array(c.matrix, dtype=float)
        plot = _style(self.graphics.addPlot(), f"Stance: {c.a} (rows) × {c.b} (columns),"
                      f" {int(total)} sentence–target pairs, {np.trace(m) / total:.0%} on the diagonal")
        image = pg.ImageItem(m.T[:, ::-1])  # image x = column, y = row (top row first)
        image.setLookupTable(pg.ColorMap([0.0, 1.0], [QColor(theme.hex("heat_low")), QColor(theme.hex("heat_high"))])
                             .getLookupTable(0.0, 1.0, 256))
        image.setLevels([0, max(1.0, m.max())])
        image.setRect(-0.5, -0.5, k, k)
        plot.addItem(image)
        font = QFont()
        font.setPointSize(11)
        for i in range(k):
            for j in range(k):
                v = m[i, j]
                text = pg.TextItem(f"{int(v)}", color=theme.hex("heat_high_text") if v > m.max() * 0.55 else theme.hex("heat_low_text"),
                                   anchor=(0.5, 0.5))
                text.setFont(font)
                text.setPos(j, k - 1 - i)
                plot.addItem(text)
        plot.getAxis("bottom").setTicks([[(j, c.categories[j]) for j in range(k)]])
        _left_ticks(plot, [(k - 1 - i, c.categories[i]) for i in range(k)])
        plot.setLabel("bottom", c.b, color=ink())
        plot.setLabel("left", c.a, color=ink())
        plot.setRange(xRange=(-0.5, k - 0.5), yRange=(-0.5, k - 0.5), padding=0.02)


class ProgressChart(ChartPanel):
    """Labels made by each annotator over time (cumulative, by the labels' creation time)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Progress per annotator", parent)

    def set_data(self, series: dict[str, tuple[list[float], list[int]]]) -> None:
        self.graphics.clear()
        if not series:
            self.show_message("No labels yet.")
            return
        self.show_message("")
        plot = _style(self.graphics.addPlot(axisItems={"bottom": pg.DateAxisItem()}),
                      "Labelled sentences over time (cumulative)")
        plot.showGrid(x=True, y=True, alpha=0.25)
        axis = plot.getAxis("bottom")
        axis.setPen(pg.mkPen(ink()))
        axis.setTextPen(pg.mkPen(ink()))
        _legend(plot, offset=(10, 10))
        for i, (name, (times, counts)) in enumerate(series.items()):
            plot.plot(times, counts, stepMode=None, pen=pg.mkPen(colour(i), width=2.5),
                      symbol="o" if len(times) < 40 else None, symbolSize=5,
                      symbolBrush=colour(i), symbolPen=None, name=f"{name} ({counts[-1]})")
        plot.setLabel("left", "labels", color=ink())


class OutletChart(ChartPanel):
    """Frame shares and mean stance per target, outlets side by side."""

    source_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Outlet comparison", parent)
        self.source = QComboBox()
        self.source.setToolTip("Whose labels: all annotators pooled, the gold labels, or one annotator")
        self.source.currentTextChanged.connect(lambda s: s and self.source_changed.emit(s))
        self.controls.insertWidget(1, QLabel("labels:"))
        self.controls.insertWidget(2, self.source)

    def set_sources(self, sources: Sequence[str], current: str) -> None:
        self.source.blockSignals(True)
        self.source.clear()
        self.source.addItems(list(sources))
        self.source.setCurrentText(current)
        self.source.blockSignals(False)

    def set_data(self, o: OutletComparison) -> None:
        self.graphics.clear()
        if not o.outlets:
            self.show_message(f"No labels from {o.source} yet.")
            return
        self.show_message("")
        series = [(f"{name} ({o.sentences[name]} labels)", colour(i)) for i, name in enumerate(o.outlets)]
        _top_legend(self.graphics.ci, series, 2)
        frames = _style(self.graphics.addPlot(row=1, col=0),
                        "Frames: share of each outlet's labels")
        _hbars(frames, [n for _, n in o.frames],
               [(s, c, [100 * v for v in o.frame_share[name]])
                for (s, c), name in zip(series, o.outlets)])
        frames.setLabel("bottom", "% of labels", color=ink())
        stance = _style(self.graphics.addPlot(row=1, col=1),
                        "Mean stance per target (−1 against … +1 favor)")
        if o.targets:
            _hbars(stance, [n for _, n in o.targets],
                   [(s, c, o.stance_mean[name]) for (s, c), name in zip(series, o.outlets)],
                   markers=True)
            stance.setXRange(-1.05, 1.05, padding=0)
            stance.addItem(pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen(ink())))
        else:
            stance.setTitle("Mean stance per target: no stances yet", color=ink())
        stance.setLabel("bottom", "mean stance (a lone tick: mean 0; nothing: no stance there)",
                        color=ink())
        self.graphics.ci.layout.setColumnStretchFactor(0, 1)
        self.graphics.ci.layout.setColumnStretchFactor(1, 1)
