"""Dashboard gauges: a round dial per chosen signal, painted with QPainter (no pyqtgraph)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QContextMenuEvent, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QGridLayout, QMenu, QWidget

SWEEP = 240.0  # degrees from the minimum to the maximum, open at the bottom
COLUMNS = 3


class Gauge(QWidget):
    """One dial: ``lo``..``hi`` with the value as a needle and as text; right-click removes it."""

    remove_requested = Signal(str)

    def __init__(self, name: str, unit: str, lo: float, hi: float, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name, self.unit = name, unit
        self.lo, self.hi = (lo, hi) if hi > lo else (lo, lo + 1.0)
        self.colour = QColor(colour)
        self.value: float | None = None
        self.setMinimumSize(150, 130)
        self.setToolTip(f"{name} ({unit})" if unit else name)

    def set_value(self, value: float | None) -> None:
        if value != self.value:
            self.value = value
            self.update()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        menu.addAction(f"Remove {self.name} from the dashboard", lambda: self.remove_requested.emit(self.name))
        menu.exec(event.globalPos())

    def fraction(self) -> float:
        if self.value is None or not math.isfinite(self.value):
            return 0.0
        return min(1.0, max(0.0, (self.value - self.lo) / (self.hi - self.lo)))

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fg = self.palette().windowText().color()
        side = min(self.width(), self.height() + 20) - 16
        rect = QRectF((self.width() - side) / 2, 8, side, side)
        start = 90 + SWEEP / 2  # Qt angles: counter-clockwise from 3 o'clock
        p.setPen(_flat_pen(QColor(fg.red(), fg.green(), fg.blue(), 50), 10))
        p.drawArc(rect, int(start * 16), int(-SWEEP * 16))
        p.setPen(_flat_pen(self.colour, 10))
        p.drawArc(rect, int(start * 16), int(-SWEEP * self.fraction() * 16))
        angle = math.radians(start - SWEEP * self.fraction())
        centre = rect.center()
        radius = side / 2 - 14
        tip = QPointF(centre.x() + radius * math.cos(angle), centre.y() - radius * math.sin(angle))
        p.setPen(QPen(fg, 2))
        p.drawLine(centre, tip)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        p.setFont(font)
        text = "–" if self.value is None or not math.isfinite(self.value) else f"{self.value:.4g}"
        p.drawText(QRectF(rect.left(), centre.y() + 4, side, 26), Qt.AlignmentFlag.AlignCenter, text)
        small = QFont(self.font())
        small.setPointSizeF(small.pointSizeF() * 0.85)
        p.setFont(small)
        p.drawText(QRectF(rect.left(), centre.y() + 28, side, 18), Qt.AlignmentFlag.AlignCenter, self.unit)
        p.drawText(QRectF(0, self.height() - 18, self.width(), 18), Qt.AlignmentFlag.AlignCenter, self.name)
        p.end()


def _flat_pen(colour: QColor, width: int) -> QPen:
    pen = QPen(colour, width)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen


class GaugePanel(QWidget):
    """The dashboard: the chosen signals as gauges in a grid."""

    changed = Signal()
    remove_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.gauges: dict[str, Gauge] = {}

    def set_gauges(self, specs: Sequence[tuple[str, str, float, float, str]]) -> None:
        """(name, unit, minimum, maximum, colour) per gauge, in order."""
        for gauge in self.gauges.values():
            self._grid.removeWidget(gauge)
            gauge.deleteLater()
        self.gauges = {}
        for k, (name, unit, lo, hi, colour) in enumerate(specs):
            gauge = Gauge(name, unit, lo, hi, colour, self)
            gauge.remove_requested.connect(self.remove_requested)
            self._grid.addWidget(gauge, k // COLUMNS, k % COLUMNS)
            self.gauges[name] = gauge
        self.setVisible(bool(self.gauges))
        self.changed.emit()

    def names(self) -> list[str]:
        return list(self.gauges)

    def set_value(self, name: str, value: float | None) -> None:
        gauge = self.gauges.get(name)
        if gauge is not None:
            gauge.set_value(value)
