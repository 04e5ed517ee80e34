"""The left axis of stacked lanes: each lane labels its own value range, in its own unit."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem


def nice_ticks(lo: float, hi: float, count: int = 3) -> list[float]:
    """About ``count`` round values inside [lo, hi]."""
    span = hi - lo
    if not math.isfinite(span) or span <= 0:
        return [lo]
    raw = span / max(1, count)
    step = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * step:
            step *= factor
            break
    first = math.ceil(lo / step) * step
    return [first + k * step for k in range(int((hi - first) / step + 1e-9) + 1)]


class LaneAxis(pg.AxisItem):
    """The left axis of stacked lanes: each lane gets a few ticks labelled in its own unit's values."""

    def __init__(self) -> None:
        super().__init__("left")
        self.lanes: list[Any] = []  # signal_plots.Lane
        self._labels: dict[float, str] = {}
        self.scales: tuple = ()  # the lane scales the ticks were made for
        self.enableAutoSIPrefix(False)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # drawn once, blitted every frame

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, list[float]]]:
        self._labels = {}
        positions: list[float] = []
        for lane in self.lanes:
            pixels = size * lane.height / max(maxVal - minVal, 1e-9)
            inset = 0.12 * (lane.hi - lane.lo)  # no label at a lane's very edge, where it would meet the next lane's
            for value in nice_ticks(lane.lo + inset, lane.hi - inset, 2 if pixels < 60 else 3):
                y = float(lane.to_view(np.array([value]))[0])
                if minVal <= y <= maxVal:
                    positions.append(y)
                    self._labels[round(y, 9)] = f"{value:g}"
        return [(1.0, positions)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [self._labels.get(round(v, 9), "") for v in values]
