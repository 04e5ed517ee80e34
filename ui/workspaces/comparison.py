"""Before / after: two recordings of one vehicle on a common time base, the trouble-code diff and signal statistics.

The proof of fix a workshop shows its customer. The page asks (``compare_requested``);
the workbench runs :func:`carvrooom_desktop.acquisition.comparison.compare_recordings`
on a worker with progress and cancel and hands the result to :meth:`show_comparison`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.table_model import Column, RowTableModel
from ui.theme import Theme
from ui.widgets.common import card, page_header, section_title, table_view

if TYPE_CHECKING:
    from ui.bench_model import BenchModel
    from ui.widgets.recording_io import RecordingIO

MAX_PLOTTED = 4
PREFERRED = ("engine_speed", "stft_b1", "ltft_b1", "coolant_temp", "o2_b1s1_voltage", "battery_voltage")


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"


def _stat(side: str, stat: str):
    return lambda r: _num(getattr(getattr(r, side), stat) if getattr(r, side) is not None else None)


def _change(r: Any) -> str:
    pct = r.change_percent("mean")
    delta = r.delta("mean")
    if delta is None:
        return "only before" if r.after is None and r.before is not None else "only after" if r.before is None else "–"
    return f"{delta:+.4g}" + (f" ({pct:+.1f} %)" if pct is not None else "")


STAT_COLUMNS: tuple[Column[Any], ...] = (
    Column("Signal", lambda r: r.name),
    Column("Unit", lambda r: r.unit),
    Column("Mean before", _stat("before", "mean"), align_right=True),
    Column("Mean after", _stat("after", "mean"), align_right=True),
    Column("Change of mean", _change, align_right=True),
    Column("Min / max before", lambda r: f"{_stat('before', 'min')(r)} / {_stat('before', 'max')(r)}", align_right=True),
    Column("Min / max after", lambda r: f"{_stat('after', 'min')(r)} / {_stat('after', 'max')(r)}", align_right=True),
    Column("P95 before / after", lambda r: f"{_stat('before', 'p95')(r)} / {_stat('after', 'p95')(r)}", align_right=True),
)


def _label(recording: Any) -> str:
    started = recording.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
    return f"{started} · {recording.vin or 'no VIN'} · {recording.notes or recording.adapter}"[:90]


class ComparisonWorkspace(QWidget):
    compare_requested = Signal(object, object)  # before id, after id
    cancel_requested = Signal()
    refresh_requested = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None, *,
                 model: BenchModel | None = None, io: RecordingIO | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self._theme = theme
        self.comparison: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 12)
        layout.setSpacing(8)
        layout.addWidget(page_header("Before / after", "Two recordings of one vehicle compared: trouble codes and signals."))

        bar = QHBoxLayout()
        self.before_combo = QComboBox()
        self.after_combo = QComboBox()
        for combo in (self.before_combo, self.after_combo):
            combo.setMinimumWidth(300)
            combo.currentIndexChanged.connect(lambda _i: self._update_buttons())
        self.compare_button = QPushButton("Compare")
        self.compare_button.setObjectName("PrimaryButton")
        self.compare_button.clicked.connect(self._on_compare)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setVisible(False)
        bar.addWidget(QLabel("Before"))
        bar.addWidget(self.before_combo, 1)
        bar.addWidget(QLabel("After"))
        bar.addWidget(self.after_combo, 1)
        for widget in (self.compare_button, self.cancel_button, self.progress):
            bar.addWidget(widget)
        layout.addLayout(bar)
        self.message = QLabel("Pick the recording from before the repair and the one after it.")
        self.message.setObjectName("Muted")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        dtc_frame, dtc_body = card(spacing=2)
        dtc_body.addWidget(section_title("Trouble codes"))
        self.dtc_label = QLabel("–")
        self.dtc_label.setWordWrap(True)
        self.dtc_label.setTextFormat(Qt.TextFormat.RichText)
        dtc_body.addWidget(self.dtc_label)
        layout.addWidget(dtc_frame)

        self.stats_model: RowTableModel = RowTableModel(STAT_COLUMNS, self)
        self.stats_table = table_view(self.stats_model, stretch_column=0)
        self.signal_list = QListWidget()
        self.signal_list.setMaximumWidth(220)
        self.signal_list.setToolTip("Tick up to four signals to overlay")
        self.signal_list.itemChanged.connect(lambda _item: self._plot_checked())
        self.plot_area = QWidget()
        self._plot_layout = QVBoxLayout(self.plot_area)
        self._plot_layout.setContentsMargins(0, 0, 0, 0)
        key = QLabel("Dashed: before the repair · solid: after. Both start at their own first sample.")
        key.setObjectName("Muted")
        self._plot_layout.addWidget(key)
        self.plots: Any = None  # a pyqtgraph GraphicsLayoutWidget, built with the first result
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.signal_list)
        lower.addWidget(self.plot_area)
        lower.setStretchFactor(1, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.stats_table)
        split.addWidget(lower)
        split.setSizes([170, 430])
        layout.addWidget(split, 1)
        self._recordings: list[Any] = []
        self._busy = False
        self._update_buttons()
        if model is not None:
            self.bind(model, io)

    def bind(self, model: BenchModel, io: RecordingIO | None = None) -> None:
        """Every recording for the pickers (the unfiltered list); the comparison's progress and outcome."""
        model.recordings_changed.connect(lambda rows, text: None if text else self.set_recordings(rows))
        if io is not None:
            self.compare_requested.connect(io.compare)
            self.cancel_requested.connect(io.cancel.set)
            io.compare_choices.connect(self.set_recordings)
            io.compare_started.connect(self.choose)
            io.compare_busy.connect(self.set_busy)
            io.compare_progress.connect(self.set_progress)
            io.compared.connect(lambda result: self.show_cancelled() if result is None else self.show_comparison(result))
            io.failed.connect(lambda page, text: self.show_error(text) if page == "compare" else None)
        if model.recordings:
            self.set_recordings(model.recordings)

    # -- recordings ---------------------------------------------------------------------------

    def set_recordings(self, recordings: Sequence[Any]) -> None:
        """Fill both pickers (newest first): before = the second newest, after = the newest, by default."""
        self._recordings = list(recordings)
        for combo, default in ((self.before_combo, 1), (self.after_combo, 0)):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for recording in self._recordings:
                combo.addItem(_label(recording), str(recording.id))  # a string: QComboBox.findData compares it by value
            index = combo.findData(chosen) if chosen is not None else -1
            combo.setCurrentIndex(index if index >= 0 else min(default, combo.count() - 1))
            combo.blockSignals(False)
        self._update_buttons()

    def choose(self, before_id: Any, after_id: Any) -> None:
        self.before_combo.setCurrentIndex(self.before_combo.findData(str(before_id)))
        self.after_combo.setCurrentIndex(self.after_combo.findData(str(after_id)))

    def chosen(self) -> tuple[Any, Any]:
        """The ids of the two recordings picked (None where nothing is)."""
        by_key = {str(r.id): r.id for r in self._recordings}
        return by_key.get(self.before_combo.currentData()), by_key.get(self.after_combo.currentData())

    def _on_compare(self) -> None:
        before, after = self.chosen()
        if before is not None and after is not None:
            self.compare_requested.emit(before, after)

    def _update_buttons(self) -> None:
        before, after = self.before_combo.currentData(), self.after_combo.currentData()
        self.compare_button.setEnabled(not self._busy and before is not None and after is not None and before != after)
        self.cancel_button.setEnabled(self._busy)

    # -- progress ------------------------------------------------------------------------------

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        if busy:
            self.message.setText("Comparing… (decoding both recordings)")
        self._update_buttons()

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.message.setText(f"Not compared: {text}")

    def show_cancelled(self) -> None:
        self.set_busy(False)
        self.message.setText("Comparison cancelled.")

    # -- result ---------------------------------------------------------------------------------

    def show_comparison(self, comparison: Any) -> None:
        self.set_busy(False)
        self.comparison = comparison
        b, a = comparison.duration_s
        text = f"Before: {b:.1f} s, after: {a:.1f} s, both from their own start."
        self.message.setText(" ".join([text, *comparison.warnings]))
        self.dtc_label.setText(_dtc_html(comparison.dtcs))
        names = [r.name for r in comparison.signals]
        # the workshop's usual suspects first, then the polled PIDs, then the broadcast signals
        ordered = [n for n in PREFERRED if n in names] + sorted((n for n in names if n not in PREFERRED), key=lambda n: ("." in n, n))
        by_name = {r.name: r for r in comparison.signals}
        self.stats_model.set_rows([by_name[n] for n in ordered])
        self.signal_list.blockSignals(True)
        self.signal_list.clear()
        for k, name in enumerate(ordered):
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if k < MAX_PLOTTED else Qt.CheckState.Unchecked)
            self.signal_list.addItem(item)
        self.signal_list.blockSignals(False)
        self._plot_checked()

    def checked_signals(self) -> list[str]:
        items = (self.signal_list.item(r) for r in range(self.signal_list.count()))
        return [i.text() for i in items if i.checkState() == Qt.CheckState.Checked][:MAX_PLOTTED]

    def _plot_checked(self) -> None:
        import pyqtgraph as pg  # only once there is something to plot

        if self.plots is None:
            self.plots = pg.GraphicsLayoutWidget()
            self._plot_layout.addWidget(self.plots)
        self.plots.clear()
        self.plots.setBackground(self._theme.plot_background)
        if self.comparison is None:
            return
        units = {r.name: r.unit for r in self.comparison.signals}
        first = None
        names = self.checked_signals()
        for row, name in enumerate(names):
            plot = self.plots.addPlot(row=row, col=0)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.getAxis("left").setWidth(56)
            plot.setLabel("left", name, units.get(name) or None)
            before, after = self.comparison.series.get(name, (None, None))
            colour = self._theme.curves[row % len(self._theme.curves)]
            if before is not None:
                plot.plot(*_finite(before), pen=pg.mkPen(self._theme.plot_foreground, width=1, style=Qt.PenStyle.DashLine),
                          name="before")
            if after is not None:
                plot.plot(*_finite(after), pen=pg.mkPen(colour, width=1.5), name="after")
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            if row == len(names) - 1:
                plot.setLabel("bottom", "seconds from the start of each recording")
            else:
                plot.getAxis("bottom").setStyle(showValues=False)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        if self.comparison is not None:
            self._plot_checked()


def _finite(series: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    t, v = series
    keep = np.isfinite(v)
    return t[keep], v[keep]


def _dtc_html(dtcs: Any) -> str:
    if not dtcs.known:
        missing = [side for side, codes in (("before", dtcs.before), ("after", dtcs.after)) if codes is None]
        return f"Unknown: no scan was taken during the {' and '.join(missing)} recording (Diagnostics → Rescan while recording)."

    def codes(title: str, items: Sequence[str], tone: str) -> str:
        if not items:
            return f"<b>{title}:</b> none"
        listed = ", ".join(f"<span style='color:{tone}'><b>{c}</b></span> {dtcs.descriptions.get(c, '')}" for c in items)
        return f"<b>{title}:</b> {listed}"

    return "<br>".join((codes("Fixed", dtcs.fixed, "#1a7f37"), codes("Still present", dtcs.remaining, "#bc4c00"),
                        codes("New", dtcs.new, "#cf222e")))
