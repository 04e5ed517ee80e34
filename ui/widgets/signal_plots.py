"""Signals stacked one plot per row with a shared time axis (live view and recording viewer).

Curves are created once per signal and only fed new arrays afterwards; peak
downsampling and clip-to-view keep long windows cheap to draw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QWidget

from ui.theme import Theme


class StackedSignalPlots(pg.GraphicsLayoutWidget):
    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self._plots: dict[str, pg.PlotItem] = {}
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._units: dict[str, str] = {}
        self._titles: dict[str, str] = {}
        self.ci.layout.setSpacing(2)
        self.setBackground(theme.plot_background)

    # -- layout --------------------------------------------------------------------------

    def set_signals(self, names: Sequence[str], units: Mapping[str, str] | None = None) -> None:
        self.clear()
        self._plots.clear()
        self._curves.clear()
        self._titles.clear()
        self._units = dict(units or {})
        first: pg.PlotItem | None = None
        for row, name in enumerate(names):
            plot = self.addPlot(row=row, col=0)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.getAxis("left").setWidth(56)
            plot.getAxis("left").enableAutoSIPrefix(False)  # a sensor in volts stays in volts
            plot.setMouseEnabled(x=False, y=True)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            if row < len(names) - 1:  # keep the vertical grid, drop the tick labels
                bottom = plot.getAxis("bottom")
                bottom.setStyle(showValues=False)
                bottom.setHeight(1)
            curve = plot.plot(pen=pg.mkPen(self._theme.curves[row % len(self._theme.curves)], width=1.5))
            self._plots[name] = plot
            self._curves[name] = curve
            self.set_title(name, name)
        self._style_axes()
        self._balance_rows()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._balance_rows()

    def _balance_rows(self) -> None:
        """Equal plot areas: only the last row carries the time axis, so it gets that much more."""
        plots = list(getattr(self, "_plots", {}).values())  # resizeEvent runs inside the base __init__
        if not plots:
            return
        layout = self.ci.layout
        axis_height = plots[-1].getAxis("bottom").maximumHeight()
        _left, top, _right, bottom = layout.getContentsMargins()
        available = self.viewport().height() - top - bottom - layout.verticalSpacing() * (len(plots) - 1) - 4
        row_height = max(40.0, (available - axis_height) / len(plots))
        for row in range(len(plots)):
            layout.setRowFixedHeight(row, row_height + (axis_height if row == len(plots) - 1 else 0))

    def signal_names(self) -> list[str]:
        return list(self._plots)

    # -- data ------------------------------------------------------------------------------

    def set_series(self, name: str, t: np.ndarray, values: np.ndarray) -> None:
        curve = self._curves.get(name)
        if curve is not None:
            curve.setData(t, values)

    def point_count(self, name: str) -> int:
        curve = self._curves.get(name)
        if curve is None or curve.yData is None:
            return 0
        return len(curve.yData)

    def set_x_range(self, start: float, end: float) -> None:
        if self._plots and end > start:
            next(iter(self._plots.values())).setXRange(start, end, padding=0)

    def auto_range(self) -> None:
        for plot in self._plots.values():
            plot.enableAutoRange()

    def set_title(self, name: str, text: str) -> None:
        plot = self._plots.get(name)
        if plot is None or self._titles.get(name) == text:
            return
        self._titles[name] = text
        plot.setTitle(text, color=self._theme.plot_foreground, size="9pt", justify="left")

    def title_text(self, name: str, value: float | None) -> str:
        unit = self._units.get(name, "")
        if value is None or not np.isfinite(value):
            return f"{name} ({unit})" if unit else name
        return f"{name}  <b>{value:.2f}</b> {unit}".rstrip()

    # -- theme -----------------------------------------------------------------------------

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.setBackground(theme.plot_background)
        for row, (name, curve) in enumerate(self._curves.items()):
            curve.setPen(pg.mkPen(theme.curves[row % len(theme.curves)], width=1.5))
            text = self._titles.pop(name, name)
            self.set_title(name, text)
        self._style_axes()

    def _style_axes(self) -> None:
        pen = pg.mkPen(self._theme.plot_foreground)
        for name, plot in self._plots.items():
            for side in ("left", "bottom"):
                axis = plot.getAxis(side)
                axis.setPen(pen)
                axis.setTextPen(pen)
            unit = self._units.get(name)
            if unit:
                plot.setLabel("left", unit)
