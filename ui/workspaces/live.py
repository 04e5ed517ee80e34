"""Live: the car's (or a replay's) signals plotted, pulled by a ~30 Hz timer, plus record / stop / mark.

No Qt signal per sample: while the page is visible and a source is attached, a QTimer
asks the source for each plotted signal's newest samples, appends what is new to the
plot's per-signal history (kept beyond the source's ring buffers, so a paused view can
be scrolled back) and redraws, min/max decimated to the plot's pixel width. Pausing
freezes the view only; the source keeps recording and the histories keep filling.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.theme import Theme
from ui.widgets.common import page_header, repolish
from ui.widgets.cursor_readout import CursorReadout
from ui.widgets.gauges import GaugePanel
from ui.widgets.replay_bar import ReplayBar
from ui.widgets.signal_picker import SignalPicker
from ui.widgets.signal_plots import OVERLAY, STACKED, SignalPlot
from carvrooom_desktop.acquisition.live_source import LiveSource
from ui.workspaces import DEFAULT_LIVE_PLOTS

if TYPE_CHECKING:
    from ui.bench_model import BenchModel
    from ui.widgets.recording_io import RecordingIO

FRAME_INTERVAL_MS = 33  # ~30 Hz
TITLE_EVERY = 6  # refresh the values in the lane labels and gauges ~5 times a second
WINDOWS_S = (10, 30, 60, 120, 600)
MIN_PULL_S = 2.0  # each tick asks the source for at least this much (a late tick loses nothing)
DEFAULT_GAUGES = ("engine_speed", "vehicle_speed", "coolant_temp")
MAX_GAUGES = 6


class LiveWorkspace(QWidget):
    record_requested = Signal()
    stop_requested = Signal()
    mark_requested = Signal(str)

    def __init__(self, theme: Theme, signals: Sequence[str] = DEFAULT_LIVE_PLOTS, parent: QWidget | None = None, *,
                 model: BenchModel | None = None, io: RecordingIO | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self._theme = theme
        self._source: LiveSource | None = None
        self._tick_count = 0
        self._marks = 0
        self._recording = False
        self._paused = False
        self._wanted = tuple(signals)
        self._definitions: dict[str, Any] = {}
        self._last_pull = 0.0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 12)
        layout.setSpacing(8)

        top = QHBoxLayout()
        self.header = page_header("Live data", "Not connected: the plots fill once a car is connected.")
        top.addWidget(self.header, 1)
        self.subtitle = cast(QLabel, self.header.findChild(QLabel, "PageSubtitle"))  # page_header made it (a subtitle was given)
        top.addWidget(QLabel("Window"))
        self.window_combo = QComboBox()
        for seconds in WINDOWS_S:
            self.window_combo.addItem(f"{seconds} s" if seconds < 60 else f"{seconds // 60} min", seconds)
        self.window_combo.setCurrentIndex(WINDOWS_S.index(30))
        top.addWidget(self.window_combo)
        self.mode_combo = QComboBox()
        self.mode_combo.addItem("Stacked", STACKED)
        self.mode_combo.addItem("Overlaid", OVERLAY)
        self.mode_combo.setToolTip("Stacked: one lane per signal. Overlaid: one area, an axis per signal.")
        self.mode_combo.currentIndexChanged.connect(lambda _i: self.plots.set_mode(self.mode_combo.currentData()))
        top.addWidget(self.mode_combo)
        self.pause_button = QPushButton("❚❚ Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Freeze the view to zoom and read it; recording and data collection go on")
        self.pause_button.toggled.connect(self.set_paused)
        self.cursor_button = QPushButton("Cursors")
        self.cursor_button.setCheckable(True)
        self.cursor_button.toggled.connect(self._cursors_toggled)
        widget: QWidget
        for widget in (self.pause_button, self.cursor_button):
            top.addWidget(widget)
        layout.addLayout(top)

        controls = QHBoxLayout()
        self.record_button = QPushButton("● Record")
        self.record_button.setObjectName("PrimaryButton")
        self.record_button.clicked.connect(self.record_requested)
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.clicked.connect(self.stop_requested)
        self.mark_text = QLineEdit()
        self.mark_text.setPlaceholderText("Mark label (e.g. blip throttle)")
        self.mark_text.setMaximumWidth(260)
        self.mark_text.returnPressed.connect(self._on_mark)
        self.mark_button = QPushButton("Mark")
        self.mark_button.setToolTip("Put a labelled mark into the recording at this moment")
        self.mark_button.clicked.connect(self._on_mark)
        self.recording_label = QLabel("Not recording")
        self.recording_label.setObjectName("RecIndicator")
        self.recording_label.setProperty("recording", "false")
        for widget in (self.record_button, self.stop_button, self.mark_text, self.mark_button):
            controls.addWidget(widget)
        controls.addSpacing(12)
        controls.addWidget(self.recording_label)
        controls.addStretch(1)
        layout.addLayout(controls)
        self.replay_bar = ReplayBar()
        layout.addWidget(self.replay_bar)

        self.picker = SignalPicker()
        self.picker.setMinimumWidth(200)
        self.picker.plot_requested.connect(self.add_signals)
        self.picker.unplot_requested.connect(self.remove_signal)
        self.picker.gauge_requested.connect(self.add_gauges)
        self.plots: SignalPlot = SignalPlot(theme)
        self.plots.set_signals(list(signals))
        self.plots.signals_dropped.connect(self.add_signals)
        self.plots.view_moved_by_user.connect(lambda: self.pause_button.setChecked(True))
        self.plots.cursors_moved.connect(self._show_cursor_values)
        self.readout = CursorReadout()
        self.gauges = GaugePanel()
        self.gauges.remove_requested.connect(lambda name: self._set_gauges([n for n in self.gauges.names() if n != name]))
        bottom = QWidget()
        bottom_row = QHBoxLayout(bottom)
        bottom_row.setContentsMargins(0, 0, 0, 0)
        bottom_row.addWidget(self.readout, 1)
        bottom_row.addWidget(self.gauges, 1)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.plots)
        right.addWidget(bottom)
        right.setStretchFactor(0, 4)
        right.setStretchFactor(1, 1)
        right.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.picker)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([230, 900])
        layout.addWidget(self.splitter, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_INTERVAL_MS)
        self.timer.timeout.connect(self.tick)
        self._update_buttons()
        self._replay: Any = None
        if model is not None:
            self.bind(model, io)

    def bind(self, model: BenchModel, io: RecordingIO | None = None) -> None:
        """Plot the bench's live source (the car or a replay); record through the session controller."""
        c = model.controller
        self.record_requested.connect(lambda: c.start_recording())
        self.stop_requested.connect(c.stop_recording)
        self.mark_requested.connect(c.mark)
        c.recording_failed.connect(self.show_error)
        model.live_source_changed.connect(lambda source: self.set_source(source, model.units()))
        model.recording_clock.connect(self.set_recording)
        if io is not None:
            io.replay_started.connect(self._on_replay_started)
            io.replay_position.connect(self.replay_bar.set_position)
            io.replay_stopped.connect(self._on_replay_stopped)
            io.database_loaded.connect(lambda _db: self.refresh_definitions())
            self.replay_bar.stop_requested.connect(io.stop_replay)
        self.replay_bar.speed_changed.connect(lambda speed: self._replay.set_speed(speed) if self._replay else None)
        self.replay_bar.pause_toggled.connect(
            lambda paused: (self._replay.pause() if paused else self._replay.resume()) if self._replay else None)
        if model.live_source is not None:
            self.set_source(model.live_source, model.units())

    def _on_replay_started(self, replay: Any, title: str, speed: float) -> None:
        self._replay = replay
        self.show_replay(title, speed)

    def _on_replay_stopped(self) -> None:
        self._replay = None
        self.hide_replay()

    # -- source ----------------------------------------------------------------------------

    def set_source(self, source: LiveSource | None, units: Mapping[str, str] | None = None) -> None:
        """Attach the connected session or a replay (or ``None`` after a disconnect)."""
        changed = source is not self._source
        self._source = source
        if source is not None and changed:
            self._load_definitions(source, units)
            self.plots.set_signals([])  # a new time base: start the histories afresh
            available = [n for n in self._wanted if n in self._definitions] or list(self._definitions)[:6]
            self.plots.set_signals(available, self._units())
            self.picker.set_plotted(available)
            self._default_gauges()
            self.set_paused(False)
        if source is None:
            self.subtitle.setText("Not connected: the plots keep the last data they had.")
            if self._recording:
                self.set_recording(False)
        else:
            self.subtitle.setText("Newest samples, redrawn about 30 times a second. Drag signals from the tree onto the plot.")
        self._update_buttons()
        self._sync_timer()

    def _load_definitions(self, source: LiveSource, units: Mapping[str, str] | None) -> None:
        self._definitions = {d.name: d for d in source.signal_definitions()}
        for name, unit in (units or {}).items():
            if name not in self._definitions:
                from carvrooom_desktop.domain import SignalDefinition, SignalSource

                # a unit without a definition of the source: not polled or decoded by it, so counted as derived
                self._definitions[name] = SignalDefinition(name, unit, SignalSource.DERIVED)
        self.picker.set_definitions(list(self._definitions.values()))

    def refresh_definitions(self) -> None:
        """The source gained signals (a signal database was chosen): list them, keep what is plotted."""
        if self._source is not None:
            self._load_definitions(self._source, None)
            self.picker.set_plotted(self.plots.signal_names())

    def _units(self) -> dict[str, str]:
        return {n: d.unit for n, d in self._definitions.items()}

    @property
    def source(self) -> LiveSource | None:
        return self._source

    def set_signals(self, names: Sequence[str], units: Mapping[str, str] | None = None) -> None:
        self._wanted = tuple(names)
        self.plots.set_signals(list(names), units)
        self.picker.set_plotted(names)

    def add_signals(self, names: list[str]) -> None:
        known = [n for n in names if n in self._definitions or self._source is None]
        self.plots.add_signals(known, self._units())
        self.picker.set_plotted(self.plots.signal_names())
        self.tick()

    def remove_signal(self, name: str) -> None:
        self.plots.remove_signal(name)
        self.picker.set_plotted(self.plots.signal_names())

    @property
    def window_seconds(self) -> float:
        return float(self.window_combo.currentData())

    # -- the frame clock ----------------------------------------------------------------------

    def tick(self) -> None:
        """Pull what is new of each plotted signal and redraw (the timer calls this ~30 times a second)."""
        source = self._source
        if source is None:
            return
        now = time.monotonic()
        pull = max(MIN_PULL_S, 1.5 * (now - self._last_pull)) if self._last_pull else None
        self._last_pull = now
        refresh_labels = self._tick_count % TITLE_EVERY == 0
        self._tick_count += 1
        end = 0.0
        for name in self.plots.signal_names():
            try:
                t, values = source.window(name, pull if len(self.plots.history(name)) else None)
            except KeyError:  # the source does not carry this signal (another car, a replay)
                continue
            self.plots.append(name, t, values)
            last = self.plots.history(name).last_time()
            if last is not None:
                end = max(end, last)
        if refresh_labels:
            self._refresh_values(source)
        if not self._paused:
            seconds = self.window_seconds
            self.plots.set_x_range(max(0.0, end - seconds), max(end, seconds))
            self.plots.redraw()
            if self.plots.cursors:
                self._show_cursor_values()

    def _refresh_values(self, source: LiveSource) -> None:
        for name in self.plots.signal_names():
            history = self.plots.history(name)
            value = float(history.v[-1]) if len(history) else None
            self.plots.set_title(name, self.plots.title_text(name, value))
        for name in self.gauges.names():
            self.gauges.set_value(name, source.latest(name) if name in self._definitions else None)

    def _sync_timer(self) -> None:
        should_run = self._source is not None and self.isVisible()
        if should_run and not self.timer.isActive():
            self._last_pull = 0.0 if not any(len(self.plots.history(n)) for n in self.plots.signal_names()) else time.monotonic()
            self.timer.start()
        elif not should_run and self.timer.isActive():
            self.timer.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._sync_timer()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._sync_timer()

    # -- pause, cursors, gauges -------------------------------------------------------------------

    def set_paused(self, paused: bool) -> None:
        self._paused = paused
        if self.pause_button.isChecked() != paused:
            self.pause_button.setChecked(paused)
        self.pause_button.setText("▶ Follow" if paused else "❚❚ Pause")

    @property
    def paused(self) -> bool:
        return self._paused

    def _cursors_toggled(self, on: bool) -> None:
        self.plots.show_cursors(on)

    def _show_cursor_values(self) -> None:
        self.readout.show_readings(self.plots.cursor_times(), self.plots.cursor_readout())

    def add_gauges(self, names: list[str]) -> None:
        current = self.gauges.names()
        self._set_gauges([*current, *(n for n in names if n not in current)][:MAX_GAUGES])

    def _default_gauges(self) -> None:
        self._set_gauges([n for n in DEFAULT_GAUGES if n in self._definitions])

    def _set_gauges(self, names: Sequence[str]) -> None:
        specs = []
        for k, name in enumerate(names):
            d = self._definitions.get(name)
            lo = d.minimum if d is not None and d.minimum is not None else 0.0
            hi = d.maximum if d is not None and d.maximum is not None else lo + 100.0
            specs.append((name, d.unit if d is not None else "", float(lo), float(hi),
                          self._theme.curves[k % len(self._theme.curves)]))
        self.gauges.set_gauges(specs)

    # -- replay ------------------------------------------------------------------------------

    def show_replay(self, title: str, speed: float) -> None:
        self.replay_bar.show_replay(title, speed)
        self.record_button.setToolTip("A replay records nothing: connect to a car to record")

    def hide_replay(self) -> None:
        self.replay_bar.setVisible(False)
        self.record_button.setToolTip("")

    # -- recording ---------------------------------------------------------------------------

    def _on_mark(self) -> None:
        if not self._recording:
            return
        self._marks += 1
        label = self.mark_text.text().strip() or f"mark {self._marks}"
        self.mark_text.clear()
        self.mark_requested.emit(label)

    def set_recording(self, recording: bool, elapsed_s: float = 0.0) -> None:
        if recording and not self._recording:
            self._marks = 0
        self._recording = recording
        minutes, seconds = divmod(int(elapsed_s), 60)
        self.recording_label.setText(f"● REC {minutes:02d}:{seconds:02d}" if recording else "Not recording")
        self.recording_label.setProperty("recording", "true" if recording else "false")
        repolish(self.recording_label)
        self._update_buttons()

    @property
    def recording(self) -> bool:
        return self._recording

    def _update_buttons(self) -> None:
        can_record = self._source is not None and hasattr(self._source, "start_recording")
        self.record_button.setEnabled(can_record and not self._recording)
        self.stop_button.setEnabled(self._recording)
        self.mark_button.setEnabled(self._recording)
        self.mark_text.setEnabled(self._recording)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.plots.apply_theme(theme)
        self._set_gauges(self.gauges.names())

    def show_error(self, text: str) -> None:
        self.subtitle.setText(f"Recording problem: {text}")

    def latest_points(self) -> dict[str, Any]:
        return {name: self.plots.point_count(name) for name in self.plots.signal_names()}
