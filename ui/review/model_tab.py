"""The Review window's Model tab: the project model's cross-validated figures and learning curve."""
from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from annotator.suggest.service import ModelInfo

from .charts import ChartPanel, _legend, _style, colour, ink


def _f(v: Any) -> str:
    return "—" if v is None else f"{v:.2f}"


class LearningCurveChart(ChartPanel):
    """Macro-F1 against training examples, frames and stance, with their chance levels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Model learning curve", parent)
        self.message.setWordWrap(True)  # the explanation is long; a small screen wraps it

    def set_data(self, info: ModelInfo | None) -> None:
        self.graphics.clear()
        curve = (info.scores.get("curve") or {}) if info is not None else {}
        if not any(curve.values()):
            self.show_message("No model yet: it is trained once the project has labels "
                              "(main window: Model → Train now, or 'annotator model PROJECT --train').")
            return
        self.show_message("")
        plot = _style(self.graphics.addPlot(), "Cross-validated macro-F1 against training examples")
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.setLogMode(x=True, y=False)
        plot.setYRange(0, 1)
        _legend(plot, offset=(-10, -10))
        chance = info.scores.get("chance") or {} if info is not None else {}
        for i, kind in enumerate(("frames", "stance")):
            pts = [p for p in curve.get(kind, []) if p.get("f1") is not None]
            if not pts:
                continue
            xs, ys = [p["n"] for p in pts], [p["f1"] for p in pts]
            plot.plot(xs, ys, pen=pg.mkPen(colour(i), width=2.5), symbol="o", symbolSize=6,
                      symbolBrush=colour(i), symbolPen=None, name=f"{kind} (F1 {_f(ys[-1])})")
            if chance.get(kind) is not None:
                plot.plot([xs[0], xs[-1]], [chance[kind]] * 2,
                          pen=pg.mkPen(colour(i), width=1, style=pg.QtCore.Qt.PenStyle.DashLine),
                          name=f"{kind} chance ({_f(chance[kind])})")
        plot.setLabel("bottom", "training examples (log scale)", color=ink())
        plot.setLabel("left", "macro-F1", color=ink())


class ModelTab(QWidget):
    """The figures in words above the learning curve."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("")
        self.summary.setObjectName("model_summary")
        self.summary.setWordWrap(True)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.chart = LearningCurveChart()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.chart, 1)

    def set_info(self, info: ModelInfo | None) -> None:
        self.chart.set_data(info)
        if info is None:
            self.summary.setText("No model trained yet for this codebook.")
            return
        s = info.scores
        ch = s.get("chance") or {}
        self.summary.setText(
            f"<b>Model v{info.version}</b> ({s.get('learner')}, codebook {info.codebook}), trained "
            f"{info.trained[:16].replace('T', ' ')} UTC on {info.n_labels} labelled sentences and "
            f"{s.get('n_stance', 0)} stances in {s.get('train_seconds')} s.<br>"
            f"{s.get('folds')}-fold cross-validated macro-F1: frames <b>{_f(s.get('frames_f1'))}</b>"
            f" (chance {_f(ch.get('frames'))}), stance <b>{_f(s.get('stance_f1'))}</b>"
            f" (chance {_f(ch.get('stance'))}). Languages: {', '.join(s.get('langs') or [])}.")
