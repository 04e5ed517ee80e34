"""Live plot: 32 signals x 100,000 points at 1280x720 offscreen, full update + render per frame (target >= 30 fps).

Every frame each signal gets new samples and the view scrolls to the newest 100,000 of
them, then the widget is rendered with ``grab()``. Contenders, measured in this run:

- ours (live): :class:`ui.widgets.signal_plots.SignalPlot`, the new samples appended
  to each signal's history (its decimation cache is invalid every frame), min/max
  decimated to the pixel width, all lanes in one view box;
- ours (full replace): the same widget given all 100,000 points of every signal anew
  each frame (nothing of the pyramid or cache can be reused);
- pyqtgraph, its best built-in mode (``setDownsampling(auto=True, mode='peak')`` and
  ``setClipToView(True)``) in two layouts: 32 stacked X-linked plots (what the Live page
  was before), and 32 curves offset into lanes of one plot (our layout; its data is
  pre-scaled once, a head start ours does not get). The ratio is against the faster.

    .venv/bin/python -m benchmarks.bench_plot [--quick]
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np

from benchmarks.common import median_rate

SIGNALS = 32
POINTS = 100_000
STEP = 200  # new samples per signal per frame
RATE = 1000.0  # samples per second per signal


def _data(frames: int) -> tuple[np.ndarray, list[np.ndarray]]:
    n = POINTS + STEP * (frames + 2)
    rng = np.random.default_rng(7)
    t = np.arange(n) / RATE
    return t, [np.cumsum(rng.normal(size=n)) + 50 * np.sin(t / (3 + k)) for k in range(SIGNALS)]


def _fps(render_frame, frames: int, repeats: int) -> tuple[float, list[float]]:
    """Median frames per second over ``repeats`` runs of ``frames`` frames (each run starts from frame 0, untimed)."""

    done = [0]  # frames rendered so far: every run shows new data (no cache can help a later run)

    def run() -> int:
        for _ in range(frames):
            done[0] += 1
            render_frame(done[0])
        return frames

    render_frame(0)  # warm up (layout, first paint)
    return median_rate(run, repeats)


def _ours(app, theme, t, values, frames, repeats, replace: bool) -> float:
    from ui.widgets.signal_plots import SignalPlot

    plot = SignalPlot(theme)
    plot.resize(1280, 720)
    plot.show()
    names = [f"signal_{k:02d}" for k in range(SIGNALS)]
    plot.set_signals(names)
    app.processEvents()

    def frame(i: int) -> None:
        end = POINTS + STEP * i
        if replace or i == 0:
            for name, v in zip(names, values, strict=True):
                plot.set_series(name, t[end - POINTS:end], v[end - POINTS:end])
        else:
            for name, v in zip(names, values, strict=True):
                plot.append(name, t[end - STEP:end], v[end - STEP:end])
        plot.set_x_range(float(t[end - POINTS]), float(t[end - 1]))
        plot.redraw()
        plot.grab()

    fps, _ = _fps(frame, frames, repeats)
    plot.close()
    return fps


def _pyqtgraph(app, t, values, frames, repeats, stacked: bool) -> float:
    import pyqtgraph as pg

    widget = pg.GraphicsLayoutWidget()
    widget.resize(1280, 720)
    widget.show()
    curves = []
    data = values
    if stacked:
        first = None
        for row in range(SIGNALS):
            plot = widget.addPlot(row=row, col=0)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
            plot.hideButtons()
            plot.setMenuEnabled(False)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            curves.append(plot.plot())
        master = first
    else:
        master = widget.addPlot()
        master.setDownsampling(auto=True, mode="peak")
        master.setClipToView(True)
        master.hideButtons()
        master.setMenuEnabled(False)
        data = []
        for k, v in enumerate(values):  # pre-scaled into lanes once: a head start for the baseline
            lo, hi = v.min(), v.max()
            data.append((SIGNALS - 1 - k) + 0.82 * (v - lo) / (hi - lo))
            curves.append(master.plot(pen=pg.mkPen(width=1)))
        master.setYRange(0, SIGNALS, padding=0)
    app.processEvents()

    def frame(i: int) -> None:
        end = POINTS + STEP * i
        for curve, v in zip(curves, data, strict=True):
            curve.setData(t[end - POINTS:end], v[end - POINTS:end])
        master.setXRange(float(t[end - POINTS]), float(t[end - 1]), padding=0)
        widget.grab()

    fps, _ = _fps(frame, frames, repeats)
    widget.close()
    return fps


def main(frames: int = 40, repeats: int = 3) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    from ui.theme import ThemeManager

    app = QApplication.instance() or QApplication([])
    themes = ThemeManager(app)
    themes.apply("dark")
    t, values = _data(frames * repeats)
    rows = {
        "ours, live (append + decimate + render)": _ours(app, themes.current, t, values, frames, repeats, replace=False),
        "ours, full replace of 100k points": _ours(app, themes.current, t, values, frames, repeats, replace=True),
        "pyqtgraph peak+clipToView, 32 stacked plots": _pyqtgraph(app, t, values, frames, repeats, stacked=True),
        "pyqtgraph peak+clipToView, 32 lanes, 1 plot": _pyqtgraph(app, t, values, frames, repeats, stacked=False),
    }
    baseline = max(v for k, v in rows.items() if k.startswith("pyqtgraph"))
    print(f"\nLive plot, {SIGNALS} signals x {POINTS:,} points, 1280x720 offscreen, update + grab() "
          f"(median fps of {repeats} runs x {frames} frames; target >= 30 fps)")
    for name, fps in rows.items():
        print(f"  {name:<46} {fps:8.1f} fps {fps / baseline:7.2f}x best pyqtgraph")
    return rows


if __name__ == "__main__":
    quick = "--quick" in sys.argv or os.environ.get("CARVROOOM_BENCH_QUICK")
    main(frames=10 if quick else 40, repeats=1 if quick else 3)
