"""Many signals in one plot: stacked in lanes or overlaid with several y-axes, min/max decimated.

Every signal keeps its whole history in a :class:`SignalHistory` (core, no Qt); a redraw
asks each one for at most two points per pixel column of the visible time span and
hands those to a bare ``PlotCurveItem``. All curves live in ONE view box: a lane maps
its signal's value range onto its slice of the view (stacked) or onto the whole height
(overlay), so one bottom axis, one set of cursors and one paint pass serve 32 signals.
Stacked lanes label their own scale on the left (:class:`LaneAxis`); overlaid signals
get an axis each, in their colour, up to ``MAX_OVERLAY_AXES``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QGraphicsTextItem, QWidget

from carvrooom_desktop.acquisition.decimation import SignalHistory
from ui.theme import Theme
from ui.widgets.lane_axis import LaneAxis

SIGNAL_MIME = "application/x-carvrooom-signals"  # newline-separated signal names (the picker drags these)
LANE_FILL = 0.82  # share of a lane's height the curve uses; the rest separates lanes
MAX_OVERLAY_AXES = 4
STACKED, OVERLAY = "stacked", "overlay"


@dataclass
class Lane:
    name: str
    unit: str
    colour: str
    history: SignalHistory
    curve: pg.PlotCurveItem
    label: QGraphicsTextItem
    lo: float = 0.0  # value shown at the bottom of the lane
    hi: float = 1.0
    fixed: tuple[float, float] | None = None  # a range chosen by the user (or the database)
    base: float = 0.0  # view y of the lane's bottom
    height: float = 1.0
    drawn: int = 0  # points handed to the curve at the last redraw
    title: str = field(default="")

    def to_view(self, values: np.ndarray) -> np.ndarray:
        span = self.hi - self.lo
        return self.base + (values - self.lo) * (self.height * LANE_FILL / span)

    def from_view(self, y: float) -> float:
        return self.lo + (y - self.base) * (self.hi - self.lo) / (self.height * LANE_FILL)


class SignalPlot(pg.PlotWidget):
    """Signals over time. Feed with :meth:`set_series` / :meth:`append`, draw with :meth:`redraw`."""

    signals_dropped = Signal(list)  # names dragged in from the signal tree
    view_moved_by_user = Signal()  # zoom or pan with the mouse (the live page pauses following)
    cursors_moved = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        self._axis = LaneAxis()
        super().__init__(parent, axisItems={"left": self._axis})
        self._theme = theme
        self.mode = STACKED
        self._lanes: dict[str, Lane] = {}
        self._extra_axes: list[pg.AxisItem] = []
        self._follow_range: tuple[float, float] | None = None
        self.plot_item = self.getPlotItem()
        self.view = self.plot_item.getViewBox()
        self.plot_item.setMenuEnabled(False)
        self.plot_item.hideButtons()
        self.plot_item.showGrid(x=True, y=False, alpha=0.15)
        self.plot_item.getAxis("bottom").enableAutoSIPrefix(False)
        self.plot_item.setLabel("bottom", "time", "s")
        self.view.setMouseEnabled(x=True, y=False)
        self.view.enableAutoRange(x=False, y=False)
        self.view.sigRangeChangedManually.connect(lambda *_: self.view_moved_by_user.emit())
        self.view.sigXRangeChanged.connect(lambda *_: self._redraw_soon.start())
        self._redraw_soon: QTimer = QTimer(self)  # coalesces range changes (zoom, resize) into one redraw
        self._redraw_soon.setSingleShot(True)
        self._redraw_soon.setInterval(0)
        self._redraw_soon.timeout.connect(self.redraw)
        self.cursors: list[pg.InfiniteLine] = []
        self.setAcceptDrops(True)
        self.apply_theme(theme)

    # -- signals and layout ----------------------------------------------------------------------

    def set_signals(self, names: Sequence[str], units: Mapping[str, str] | None = None,
                    ranges: Mapping[str, tuple[float, float]] | None = None) -> None:
        """Show ``names`` in this order, keeping the history of those already shown."""
        units = dict(units or {})
        old = self._lanes
        self._lanes = {}
        for name in names:
            lane = old.pop(name, None)
            if lane is None:
                curve = pg.PlotCurveItem(skipFiniteCheck=True)
                self.view.addItem(curve, ignoreBounds=True)  # we scale the lanes: no bounds to collect
                # a label in the view box's pixels, not in data coordinates: scrolling never moves it
                label = QGraphicsTextItem()
                label.setParentItem(self.view)
                label.setZValue(20)
                lane = Lane(name, units.get(name, ""), "", SignalHistory(), curve, label)
            if name in units:
                lane.unit = units[name]
            if ranges and name in ranges:
                lane.fixed = ranges[name]
                lane.lo, lane.hi = ranges[name]
            self._lanes[name] = lane
        for lane in old.values():
            self.view.removeItem(lane.curve)
            lane.label.setParentItem(None)  # type: ignore[arg-type]  # PySide6's stub omits None; Qt takes nullptr (unparent)
            if lane.label.scene() is not None:
                lane.label.scene().removeItem(lane.label)
        self._layout_lanes()
        for lane in self._lanes.values():
            if not lane.title:
                self.set_title(lane.name, lane.name)

    def add_signals(self, names: Sequence[str], units: Mapping[str, str] | None = None) -> list[str]:
        added = [n for n in names if n not in self._lanes]
        if added:
            merged = {lane.name: lane.unit for lane in self._lanes.values()} | dict(units or {})
            self.set_signals([*self._lanes, *added], merged)
        return added

    def remove_signal(self, name: str) -> None:
        if name in self._lanes:
            self.set_signals([n for n in self._lanes if n != name])

    def signal_names(self) -> list[str]:
        return list(self._lanes)

    def unit_of(self, name: str) -> str:
        return self._lanes[name].unit

    def set_mode(self, mode: str) -> None:
        if mode not in (STACKED, OVERLAY):
            raise ValueError(f"plot mode must be {STACKED!r} or {OVERLAY!r}, not {mode!r}")
        self.mode = mode
        self._layout_lanes()

    def _layout_lanes(self) -> None:
        lanes = list(self._lanes.values())
        n = len(lanes)
        for row, lane in enumerate(lanes):
            lane.colour = self._theme.curves[row % len(self._theme.curves)]
            lane.curve.setPen(pg.mkPen(lane.colour, width=1))
            lane.label.setDefaultTextColor(QColor(lane.colour))
            if self.mode == STACKED:
                lane.base, lane.height = float(n - 1 - row), 1.0
            else:
                lane.base, lane.height = 0.0, 1.0 / LANE_FILL
            lane.label.setVisible(self.mode == STACKED or row < MAX_OVERLAY_AXES)
        self._axis.lanes = lanes if self.mode == STACKED else lanes[:1]
        self._axis.setPen(pg.mkPen(lanes[0].colour if self.mode == OVERLAY and lanes else self._theme.plot_foreground))
        self.view.setYRange(-0.04, max(n, 1) if self.mode == STACKED else 1.04, padding=0)
        self._rebuild_overlay_axes(lanes)
        self.redraw()

    def _rebuild_overlay_axes(self, lanes: list[Lane]) -> None:
        layout = self.plot_item.layout
        for axis in self._extra_axes:
            layout.removeItem(axis)
            axis.setParentItem(None)
            if axis.scene() is not None:
                axis.scene().removeItem(axis)
        self._extra_axes = []
        if self.mode != OVERLAY:
            return
        for k, lane in enumerate(lanes[1:MAX_OVERLAY_AXES]):
            axis = pg.AxisItem("right")
            axis.enableAutoSIPrefix(False)
            axis.setPen(pg.mkPen(lane.colour))
            axis.setTextPen(pg.mkPen(lane.colour))
            axis.setWidth(44)
            layout.addItem(axis, 2, 3 + k)
            self._extra_axes.append(axis)

    # -- data --------------------------------------------------------------------------------------

    def set_series(self, name: str, t: np.ndarray, values: np.ndarray) -> None:
        lane = self._lanes.get(name)
        if lane is not None:
            lane.history.replace(t, values)

    def append(self, name: str, t: np.ndarray, values: np.ndarray) -> int:
        lane = self._lanes.get(name)
        return lane.history.append(t, values) if lane is not None else 0

    def history(self, name: str) -> SignalHistory:
        return self._lanes[name].history

    def point_count(self, name: str) -> int:
        lane = self._lanes.get(name)
        return len(lane.history) if lane is not None else 0

    def drawn_count(self, name: str) -> int:
        lane = self._lanes.get(name)
        return lane.drawn if lane is not None else 0

    def data_span(self) -> tuple[float, float] | None:
        spans = [(float(lane.history.t[0]), float(lane.history.t[-1])) for lane in self._lanes.values() if len(lane.history)]
        if not spans:
            return None
        return min(s[0] for s in spans), max(s[1] for s in spans)

    # -- view ----------------------------------------------------------------------------------------

    def set_x_range(self, start: float, end: float) -> None:
        if end > start:
            self.view.setXRange(start, end, padding=0)

    def x_range(self) -> tuple[float, float]:
        (x0, x1), _ = self.view.viewRange()
        return float(x0), float(x1)

    def auto_range(self) -> None:
        span = self.data_span()
        if span is not None and span[1] > span[0]:
            self.set_x_range(*span)
        self.redraw()

    def redraw(self) -> None:
        """Decimate every lane to the view's pixel width and hand the points to the curves."""
        if not self._lanes:
            return
        x0, x1 = self.x_range()
        width = max(16, int(self.view.width()) or 800)
        for row, lane in enumerate(self._lanes.values()):
            d = lane.history.decimate(x0, x1, width)
            t, v = d.t, d.v
            if len(v) and not np.isfinite(v).all():
                keep = np.isfinite(v)
                t, v = t[keep], v[keep]
            if lane.fixed is None:
                self._autoscale(lane, v, t, x0, x1)
            lane.curve.setData(t, lane.to_view(v))
            lane.drawn = len(t)
            # stacked: each label tops its lane; overlaid: the labels stack down from the top
            top = lane.base + lane.height if self.mode == STACKED else 1.04 - 0.055 * row
            lane.label.setPos(0, self.view.mapFromView(QPointF(x0, top)).y() - 3)
        scales = tuple((lane.lo, lane.hi, lane.base) for lane in self._axis.lanes)
        if scales != self._axis.scales:  # a lane changed scale: make the ticks again
            self._axis.scales = scales
            self._axis.picture = None
            self._axis.update()
        self._update_overlay_axes()

    def _autoscale(self, lane: Lane, v: np.ndarray, t: np.ndarray, x0: float, x1: float) -> None:
        inside = v[(t >= x0) & (t <= x1)] if len(t) > 2 else v
        if len(inside) == 0:
            return
        lo, hi = float(inside.min()), float(inside.max())
        if hi - lo < 1e-9:
            lo, hi = lo - 1.0, hi + 1.0
        pad = 0.05 * (hi - lo)
        lo, hi = lo - pad, hi + pad
        span = lane.hi - lane.lo
        # keep the scale while the data fits and still uses more than half of it (no jitter)
        if lo >= lane.lo and hi <= lane.hi and (hi - lo) > 0.5 * span:
            return
        lane.lo, lane.hi = lo, hi

    def _update_overlay_axes(self) -> None:
        if not self._extra_axes:
            return
        _, (y0, y1) = self.view.viewRange()
        for axis, lane in zip(self._extra_axes, list(self._lanes.values())[1:], strict=False):
            axis.setRange(lane.from_view(y0), lane.from_view(y1))

    # -- labels ------------------------------------------------------------------------------------

    def set_title(self, name: str, text: str) -> None:
        lane = self._lanes.get(name)
        if lane is not None and lane.title != text:
            lane.title = text
            lane.label.setHtml(f'<span style="font-size:8pt">{text}</span>')

    def title_text(self, name: str, value: float | None) -> str:
        unit = self._lanes[name].unit if name in self._lanes else ""
        if value is None or not np.isfinite(value):
            return f"{name} ({unit})" if unit else name
        return f"{name}  <b>{value:.2f}</b> {unit}".rstrip()

    def lane_at(self, y: float) -> str | None:
        for lane in self._lanes.values():
            if lane.base <= y <= lane.base + lane.height:
                return lane.name
        return None

    # -- cursors -------------------------------------------------------------------------------------

    def show_cursors(self, on: bool) -> None:
        if on and not self.cursors:
            x0, x1 = self.x_range()
            for k, frac in enumerate((0.4, 0.6)):
                line = pg.InfiniteLine(x0 + frac * (x1 - x0), angle=90, movable=True,
                                       pen=pg.mkPen(self._theme.plot_foreground, width=1, style=Qt.PenStyle.DashLine),
                                       label="AB"[k], labelOpts={"position": 0.97, "color": self._theme.plot_foreground})
                line.sigPositionChanged.connect(lambda *_: self.cursors_moved.emit())
                self.view.addItem(line, ignoreBounds=True)
                self.cursors.append(line)
        elif not on:
            for line in self.cursors:
                self.view.removeItem(line)
            self.cursors = []
        self.cursors_moved.emit()

    def cursor_times(self) -> tuple[float, float] | None:
        if len(self.cursors) != 2:
            return None
        return float(self.cursors[0].value()), float(self.cursors[1].value())

    def set_cursor_times(self, a: float, b: float) -> None:
        if len(self.cursors) == 2:
            self.cursors[0].setValue(a)
            self.cursors[1].setValue(b)

    def cursor_readout(self) -> list[tuple[str, float | None, float | None, str]]:
        """Per signal: (name, value at A, value at B, unit)."""
        times = self.cursor_times()
        if times is None:
            return []
        return [(lane.name, lane.history.value_at(times[0]), lane.history.value_at(times[1]), lane.unit)
                for lane in self._lanes.values()]

    # -- drag and drop --------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(SIGNAL_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(SIGNAL_MIME):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        names = bytes(event.mimeData().data(SIGNAL_MIME)).decode().split("\n")  # type: ignore[call-overload]  # QByteArray is a buffer; its stub lacks __buffer__
        names = [n for n in names if n]
        if names:
            event.acceptProposedAction()
            self.signals_dropped.emit(names)

    # -- theme ---------------------------------------------------------------------------------------

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.setBackground(theme.plot_background)
        pen = pg.mkPen(theme.plot_foreground)
        for side in ("left", "bottom"):
            axis = self.plot_item.getAxis(side)
            axis.setPen(pen)
            axis.setTextPen(pen)
        self._layout_lanes()
        for lane in self._lanes.values():
            title, lane.title = lane.title, ""
            self.set_title(lane.name, title or lane.name)


# The recordings viewer and older callers know the plot by this name.
StackedSignalPlots = SignalPlot
