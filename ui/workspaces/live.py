"""Live: stacked plots of the newest samples, pulled by a ~30 Hz timer, plus record / stop / mark.

No Qt signal per sample: while the page is visible and a session is attached, a QTimer
asks the session for each signal's newest window and hands the arrays to the curves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.theme import Theme
from ui.widgets.common import page_header, repolish
from ui.widgets.signal_plots import StackedSignalPlots
from ui.workspaces import DEFAULT_LIVE_PLOTS

FRAME_INTERVAL_MS = 33  # ~30 Hz
TITLE_EVERY = 6  # refresh the value in each plot title ~5 times a second
WINDOWS_S = (10, 30, 60, 120)


class LiveSource(Protocol):
    def window(self, name: str, seconds: float) -> tuple[np.ndarray, np.ndarray]: ...


class LiveWorkspace(QWidget):
    record_requested = Signal()
    stop_requested = Signal()
    mark_requested = Signal(str)

    def __init__(self, theme: Theme, signals: Sequence[str] = DEFAULT_LIVE_PLOTS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self._source: LiveSource | None = None
        self._tick_count = 0
        self._marks = 0
        self._recording = False
        self._wanted = tuple(signals)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 12)
        layout.setSpacing(10)

        top = QHBoxLayout()
        self.header = page_header("Live data", "Not connected: the plots fill once a car is connected.")
        top.addWidget(self.header, 1)
        self.subtitle: QLabel = self.header.findChild(QLabel, "PageSubtitle")
        top.addWidget(QLabel("Window"))
        self.window_combo = QComboBox()
        for seconds in WINDOWS_S:
            self.window_combo.addItem(f"{seconds} s", seconds)
        self.window_combo.setCurrentIndex(WINDOWS_S.index(30))
        top.addWidget(self.window_combo)
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

        self.plots = StackedSignalPlots(theme)
        self.plots.set_signals(list(signals))
        layout.addWidget(self.plots, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_INTERVAL_MS)
        self.timer.timeout.connect(self.tick)
        self._update_buttons()

    # -- source ----------------------------------------------------------------------------

    def set_source(self, source: LiveSource | None, units: Mapping[str, str] | None = None) -> None:
        """Attach the connected session (or ``None`` after a disconnect)."""
        self._source = source
        if units:  # plot the wanted signals this source actually has
            available = [n for n in self._wanted if n in units]
            self.plots.set_signals(available, units)
        if source is None:
            self.subtitle.setText("Not connected: the plots keep the last data they had.")
            if self._recording:
                self.set_recording(False)
        else:
            self.subtitle.setText("Newest samples, redrawn about 30 times a second.")
        self._update_buttons()
        self._sync_timer()

    def set_signals(self, names: Sequence[str], units: Mapping[str, str] | None = None) -> None:
        self._wanted = tuple(names)
        self.plots.set_signals(list(names), units)

    @property
    def window_seconds(self) -> float:
        return float(self.window_combo.currentData())

    def tick(self) -> None:
        """Pull each signal's newest window and redraw (the timer calls this ~30 times a second)."""
        source = self._source
        if source is None:
            return
        seconds = self.window_seconds
        refresh_titles = self._tick_count % TITLE_EVERY == 0
        self._tick_count += 1
        end = 0.0
        for name in self.plots.signal_names():
            t, values = source.window(name, seconds)
            self.plots.set_series(name, t, values)
            if len(t):
                end = max(end, float(t[-1]))
            if refresh_titles:
                self.plots.set_title(name, self.plots.title_text(name, float(values[-1]) if len(values) else None))
        self.plots.set_x_range(max(0.0, end - seconds), max(end, seconds))

    def _sync_timer(self) -> None:
        should_run = self._source is not None and self.isVisible()
        if should_run and not self.timer.isActive():
            self.timer.start()
        elif not should_run and self.timer.isActive():
            self.timer.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._sync_timer()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._sync_timer()

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
        connected = self._source is not None
        self.record_button.setEnabled(connected and not self._recording)
        self.stop_button.setEnabled(self._recording)
        self.mark_button.setEnabled(self._recording)
        self.mark_text.setEnabled(self._recording)

    def apply_theme(self, theme: Theme) -> None:
        self.plots.apply_theme(theme)

    def show_error(self, text: str) -> None:
        self.subtitle.setText(f"Recording problem: {text}")

    def latest_points(self) -> dict[str, Any]:
        return {name: self.plots.point_count(name) for name in self.plots.signal_names()}
