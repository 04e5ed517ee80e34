"""The evidence behind one finding: its signal, the threshold line and the shaded range that proves it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from carvrooom_desktop.domain import Finding
from ui.theme import Theme
from ui.widgets.health_findings import finding_tone

EPOCH_THRESHOLD = 1e8  # seconds: wall-clock timestamps are shown as seconds from the first sample
MAX_POINTS = 20_000


class EvidencePlot(QWidget):
    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.caption = QLabel("Select a finding to see the data that proves it.")
        self.caption.setWordWrap(True)
        self.caption.setObjectName("Muted")
        layout.addWidget(self.caption)
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.plot.setLabel("bottom", "time (s)")
        self.plot.setMinimumHeight(180)
        layout.addWidget(self.plot, 1)
        self.curve = self.plot.plot()
        self.curve.setDownsampling(auto=True, method="peak")
        self.curve.setClipToView(True)
        self.limit_line = pg.InfiniteLine(angle=0, movable=False)
        self.region = pg.LinearRegionItem(movable=False)
        self.region.setZValue(-10)
        self.plot.addItem(self.limit_line)
        self.plot.addItem(self.region)
        self.finding: Finding | None = None
        self.apply_theme(theme)
        self.clear()

    def clear(self, text: str = "Select a finding to see the data that proves it.") -> None:
        self.finding = None
        self.caption.setText(text)
        self.curve.setData([], [])
        self.limit_line.hide()
        self.region.hide()

    def show_finding(self, finding: Finding, signals: Any) -> None:
        """Plot ``finding.signal`` from ``signals`` (an analysis SignalSet)."""
        self.finding = finding
        signal = signals.evidence(finding.signal) if finding.signal else None
        if signal is None or len(signal) == 0:
            why = signals.problem(finding.signal) if finding.signal else "this check names no signal"
            self.curve.setData([], [])
            self.limit_line.hide()
            self.region.hide()
            self.caption.setText(f"{finding.check}: no signal to show ({why}). {finding.summary}")
            return
        t, v = np.asarray(signal.t), np.asarray(signal.values)
        offset = float(t[0]) if t[0] > EPOCH_THRESHOLD else 0.0
        if len(t) > MAX_POINTS:  # the curve's own peak downsampling handles the rest
            step = len(t) // MAX_POINTS + 1
            t, v = t[::step], v[::step]
        self.curve.setData(t - offset, v)
        self.plot.setLabel("left", signal.name, units=None)
        self.plot.getAxis("left").setLabel(f"{signal.name} ({signal.unit})" if signal.unit else signal.name)
        # The threshold is drawn only when it is in the signal's own unit (a misfire rate is not a count).
        same_unit = finding.threshold is not None and finding.unit == signal.unit
        colour = getattr(self._theme, finding_tone(finding))
        if same_unit and finding.threshold is not None:  # same_unit implies a threshold
            self.limit_line.setPen(pg.mkPen(colour[2], width=2, style=Qt.PenStyle.DashLine))
            self.limit_line.setValue(float(finding.threshold))
            self.limit_line.show()
        else:
            self.limit_line.hide()
        if finding.time_range is not None:
            a, b = finding.time_range
            brush = QColor(colour[2])
            brush.setAlpha(60)
            self.region.setBrush(brush)
            self.region.setRegion((a - offset, max(b, a + 1e-3) - offset))
            self.region.show()
        else:
            self.region.hide()
        limit = ""
        if finding.threshold is not None:
            limit = f" Limit {finding.threshold:.4g} {finding.unit}".rstrip() + (f" ({finding.threshold_source})" if finding.threshold_source else "") + "."
        shaded = " Shaded: the time range that proves it." if finding.time_range is not None else ""
        self.caption.setText(f"{finding.system} · {finding.check}: {finding.summary}{limit}{shaded}")
        self.plot.enableAutoRange()
        if same_unit and finding.threshold is not None:  # keep the limit line in view even when the signal is far from it
            lo, hi = float(np.nanmin(v)), float(np.nanmax(v))
            lo, hi = min(lo, float(finding.threshold)), max(hi, float(finding.threshold))
            pad = 0.08 * (hi - lo or 1.0)
            self.plot.setYRange(lo - pad, hi + pad)

    def threshold_visible(self) -> bool:
        return self.limit_line.isVisible()

    def region_visible(self) -> bool:
        return self.region.isVisible()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.plot.setBackground(theme.plot_background)
        for axis in ("left", "bottom"):
            ax = self.plot.getAxis(axis)
            ax.setPen(pg.mkPen(theme.plot_foreground))
            ax.setTextPen(pg.mkPen(theme.plot_foreground))
        self.curve.setPen(pg.mkPen(theme.curves[0], width=1.5))
