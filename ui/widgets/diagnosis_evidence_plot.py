"""One cited signal with the time range that proves the cause highlighted (pyqtgraph, imported on first use)."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.theme import Theme


class EvidencePlot(QWidget):
    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.caption = QLabel("Click a piece of evidence with a signal to see it here.")
        self.caption.setObjectName("Muted")
        self.caption.setWordWrap(True)
        self._layout.addWidget(self.caption)
        self.plot: Any = None
        self.region: Any = None
        self.shown: tuple[str, float | None, float | None] | None = None

    def _ensure_plot(self) -> Any:
        if self.plot is None:
            import pyqtgraph as pg

            self.plot = pg.PlotWidget()
            self.plot.setMinimumHeight(140)
            self.plot.showGrid(x=True, y=True, alpha=0.2)
            self.plot.setLabel("bottom", "time", units="s")
            self._layout.addWidget(self.plot, 1)
            self.apply_theme(self._theme)
        return self.plot

    def show_signal(self, name: str, t: np.ndarray, values: np.ndarray, unit: str, t_start: float | None, t_end: float | None,
                    origin: float = 0.0) -> None:
        """Plot ``name`` (times shifted by ``origin``) and shade [t_start, t_end]; the view is zoomed around it."""
        import pyqtgraph as pg

        plot = self._ensure_plot()
        plot.clear()
        x = np.asarray(t, float) - origin
        plot.plot(x, np.asarray(values, float), pen=pg.mkPen(self._theme.curves[0], width=1.5))
        plot.setLabel("left", name, units=unit or None)
        self.shown = (name, t_start, t_end)
        if t_start is not None and t_end is not None:
            a, b = t_start - origin, t_end - origin
            self.region = pg.LinearRegionItem((a, b), movable=False, brush=pg.mkBrush(255, 160, 0, 60))
            plot.addItem(self.region)
            margin = max(5.0, (b - a) * 0.5)
            plot.setXRange(a - margin, b + margin, padding=0)
            span = f"{a:.1f} – {b:.1f} s"
        else:
            self.region = None
            plot.enableAutoRange()
            span = "whole record"
        self.caption.setText(f"{name} ({unit}) · highlighted: {span}" if unit else f"{name} · highlighted: {span}")

    def show_missing(self, name: str) -> None:
        self.shown = None
        if self.plot is not None:
            self.plot.clear()
        self.caption.setText(f"{name}: the samples of this signal are not available here (the diagnosis came from the store).")

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        if self.plot is not None:
            self.plot.setBackground(theme.plot_background)
            for axis in ("left", "bottom"):
                self.plot.getAxis(axis).setPen(theme.plot_foreground)
                self.plot.getAxis(axis).setTextPen(theme.plot_foreground)
