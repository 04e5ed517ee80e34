"""A card per wear item: remaining life with its interval, and the trend toward the limit."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from ui.theme import Theme


def estimate_text(card: Any) -> str:
    est = card.estimate
    if est is None:
        return f"No estimate: {card.reason}"
    if not math.isfinite(est.value):
        low = f"at least {est.lower:,.0f} {est.unit}" if math.isfinite(est.lower) else "no end in sight"
        return f"No wear trend toward {card.threshold:g} mm yet ({low})."
    upper = f"{est.upper:,.0f}" if math.isfinite(est.upper) else "beyond the data"
    return f"{est.value:,.0f} {est.unit} left ({est.confidence_level:.0%} interval {est.lower:,.0f} to {upper} {est.unit})"


class RulCardWidget(QFrame):
    def __init__(self, card: Any, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.card = card
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        title = QLabel(card.title)
        title.setObjectName("SectionTitle")
        layout.addWidget(title)
        self.value_label = QLabel(estimate_text(card))
        self.value_label.setWordWrap(True)
        layout.addWidget(self.value_label)
        note = f"{len(card.x)} readings" + (f", {card.from_store} from earlier visits" if card.from_store else "")
        self.note_label = QLabel(note if len(card.x) else "")
        self.note_label.setObjectName("Muted")
        layout.addWidget(self.note_label)
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMinimumHeight(130)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setBackground(theme.plot_background)
        for axis in ("left", "bottom"):
            ax = self.plot.getAxis(axis)
            ax.enableAutoSIPrefix(False)
            ax.setPen(pg.mkPen(theme.plot_foreground))
            ax.setTextPen(pg.mkPen(theme.plot_foreground))
        # Odometers run to six digits: thousands keep the tick labels apart.
        self._x_scale = 1e-3 if card.x_label.startswith("odometer") else 1.0
        self.plot.setLabel("bottom", "odometer (1,000 km)" if self._x_scale != 1.0 else card.x_label)
        self.plot.setLabel("left", card.y_label)
        layout.addWidget(self.plot, 1)
        self._draw(theme)

    def _draw(self, theme: Theme) -> None:
        card = self.card
        if len(card.x):
            self.plot.plot(card.x * self._x_scale, card.y, pen=None, symbol="o", symbolSize=4, symbolBrush=theme.curves[0], symbolPen=None)
        if card.curve is not None and len(card.curve_x):
            mid, lo, hi = (np.asarray(c) for c in card.curve)
            cx = np.asarray(card.curve_x) * self._x_scale
            upper = self.plot.plot(cx, hi, pen=pg.mkPen(theme.curves[1], width=1, style=Qt.PenStyle.DotLine))
            lower = self.plot.plot(cx, lo, pen=pg.mkPen(theme.curves[1], width=1, style=Qt.PenStyle.DotLine))
            band = QColor(theme.curves[1])
            band.setAlpha(45)
            self.plot.addItem(pg.FillBetweenItem(lower, upper, brush=band))
            self.plot.plot(cx, mid, pen=pg.mkPen(theme.curves[1], width=2))
        if math.isfinite(card.threshold) and len(card.x):
            self.plot.addItem(pg.InfiniteLine(card.threshold, angle=0, movable=False,
                                              pen=pg.mkPen(theme.bad[2], width=2, style=Qt.PenStyle.DashLine)))
        if not len(card.x):
            self.plot.hide()
