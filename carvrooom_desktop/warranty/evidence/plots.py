"""One recorded signal as a ReportLab drawing: the trace, its finding's window and threshold, labelled axes.

Vector graphics, so a plot prints sharp and costs no image encoder; a long trace is reduced to its
min/max envelope per horizontal point first (the peaks a reviewer needs stay, a 10-minute 10 Hz
trace becomes about 2 x 400 points), which keeps the PDF small and its build under the pack's
time budget. Coordinates are rounded so the same samples always give the same bytes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from carvrooom_desktop.warranty.evidence.contents import Plot

INK = (0.13, 0.17, 0.23)
GRID = (0.86, 0.88, 0.91)
TRACE = (0.11, 0.38, 0.69)
WINDOW = (0.99, 0.89, 0.86)
LIMIT = (0.80, 0.24, 0.16)


def envelope(t: np.ndarray, y: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """At most ``2 * columns`` points: per column the minimum and the maximum, in time order."""
    keep = np.isfinite(t) & np.isfinite(y)
    t, y = t[keep], y[keep]
    if len(t) <= 2 * columns:
        return t, y
    edges = np.linspace(t[0], t[-1], columns + 1)
    index = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, columns - 1)
    starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
    ends = np.r_[starts[1:], len(t)]
    out_t, out_y = [], []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        seg = y[a:b]
        lo, hi = a + int(np.argmin(seg)), a + int(np.argmax(seg))
        for i in sorted({lo, hi}):
            out_t.append(t[i])
            out_y.append(y[i])
    return np.asarray(out_t), np.asarray(out_y)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(lo / step) * step
    ticks = []
    v = first
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 10))
        v += step
    return ticks


def _label(v: float) -> str:
    return f"{v:.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:.3g}"


def draw_plot(plot: Plot, width: float, height: float) -> Any:
    """A ``reportlab.graphics.shapes.Drawing`` of ``plot`` (ReportLab is imported here, not at start-up)."""
    from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
    from reportlab.lib.colors import Color

    def colour(rgb: tuple[float, float, float]) -> Color:
        return Color(*rgb)

    left, right, bottom, top = 40.0, 8.0, 22.0, 18.0
    pw, ph = width - left - right, height - bottom - top
    d = Drawing(width, height)
    unit = f" ({plot.unit})" if plot.unit else ""
    d.add(String(left, height - 12, f"{plot.signal.replace('_', ' ')}{unit}", fontName="Helvetica-Bold", fontSize=8.5,
                 fillColor=colour(INK)))
    t, y = envelope(plot.t, plot.y, int(pw))
    if len(t) == 0:
        d.add(String(left + pw / 2, bottom + ph / 2, "no samples", fontName="Helvetica", fontSize=8, textAnchor="middle"))
        return d
    t0, t1 = float(t[0]), float(t[-1]) if float(t[-1]) > float(t[0]) else float(t[0]) + 1.0
    ylo, yhi = float(np.min(y)), float(np.max(y))
    if plot.threshold is not None and math.isfinite(plot.threshold):
        ylo, yhi = min(ylo, plot.threshold), max(yhi, plot.threshold)
    pad = (yhi - ylo) * 0.08 or max(abs(yhi) * 0.05, 1.0)
    ylo, yhi = ylo - pad, yhi + pad

    def px(v: float) -> float:
        return round(left + (v - t0) / (t1 - t0) * pw, 2)

    def py(v: float) -> float:
        return round(bottom + (v - ylo) / (yhi - ylo) * ph, 2)

    d.add(Rect(left, bottom, pw, ph, strokeColor=colour(GRID), fillColor=None, strokeWidth=0.6))
    if plot.highlight is not None:
        a, b = max(plot.highlight[0], t0), min(plot.highlight[1], t1)
        if b > a:
            d.add(Rect(px(a), bottom, max(px(b) - px(a), 1.0), ph, fillColor=colour(WINDOW), strokeColor=None))
    for v in nice_ticks(ylo, yhi, 5):
        if ylo <= v <= yhi:
            d.add(Line(left, py(v), left + pw, py(v), strokeColor=colour(GRID), strokeWidth=0.4))
            d.add(String(left - 3, py(v) - 2.5, _label(v), fontName="Helvetica", fontSize=6.5, textAnchor="end",
                         fillColor=colour(INK)))
    minutes = (t1 - t0) > 180
    for v in nice_ticks(t0 / 60 if minutes else t0, t1 / 60 if minutes else t1, 7):
        x = px(v * 60 if minutes else v)
        if left <= x <= left + pw:
            d.add(Line(x, bottom, x, bottom - 2, strokeColor=colour(INK), strokeWidth=0.5))
            d.add(String(x, bottom - 9, _label(v), fontName="Helvetica", fontSize=6.5, textAnchor="middle", fillColor=colour(INK)))
    d.add(String(left + pw, 2, "time (min)" if minutes else "time (s)", fontName="Helvetica", fontSize=6.5, textAnchor="end",
                 fillColor=colour(INK)))
    if plot.threshold is not None and math.isfinite(plot.threshold):
        d.add(Line(left, py(plot.threshold), left + pw, py(plot.threshold), strokeColor=colour(LIMIT), strokeWidth=0.8,
                   strokeDashArray=[3, 2]))
    points: list[float] = []
    for a, b in zip(t.tolist(), y.tolist(), strict=True):
        points += [px(a), py(b)]
    d.add(PolyLine(points, strokeColor=colour(TRACE), strokeWidth=0.7))
    return d


__all__ = ["draw_plot", "envelope", "nice_ticks"]
