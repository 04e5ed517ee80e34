"""The Recordings page's plot of one recording: a signal list and the decimating plot, loaded signal by signal.

Only the ticked signals are ever loaded (``samples_requested``), so a long recording with
many signals never sits in memory whole; each loaded signal keeps its full resolution and
the plot reduces it to the screen (``SignalHistory``). Broadcast signals decoded from the
recording's frames are offered once the workbench knows which ones it has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QWidget

from ui.theme import Theme
from ui.widgets.signal_plots import SignalPlot

MAX_PLOTTED = 6
EPOCH_THRESHOLD = 1e8  # seconds: a timestamp above this is wall-clock time, not time since start


def initial_signals(names: Sequence[str], preferred: Sequence[str]) -> list[str]:
    """The signals ticked when a recording opens: the live view's first, at most MAX_PLOTTED."""
    ordered = [n for n in preferred if n in names] + sorted(n for n in names if n not in preferred)
    return ordered[:MAX_PLOTTED]


def load_for_viewer(store: Any, recording_id: Any, preferred: Sequence[str]) -> tuple[Any, dict]:
    """On a worker: the recording and the samples of its initially ticked signals only."""
    recording = store.recordings.get(recording_id)
    return recording, store.recordings.load_samples(recording_id, initial_signals(recording.signal_names, preferred))


class RecordingViewer(QWidget):
    samples_requested = Signal(object, list)  # recording id, signal names to load

    def __init__(self, theme: Theme, preferred: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._preferred = tuple(preferred)
        self.recording: Any = None
        self._samples: dict[str, tuple[Any, Any]] = {}
        self._pending: set[str] = set()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.signal_list = QListWidget()
        self.signal_list.setFixedWidth(210)
        self.signal_list.setToolTip("Tick the signals to plot (each is loaded when first ticked)")
        self.signal_list.itemChanged.connect(lambda _item: self.plot_checked())
        self.plot = SignalPlot(theme)
        self.plot.signals_dropped.connect(self._tick)
        row.addWidget(self.signal_list)
        row.addWidget(self.plot, 1)

    def show_recording(self, recording: Any, samples: Mapping[str, tuple[Any, Any]]) -> list[str]:
        """List every signal of ``recording``, tick the loaded ones (at most MAX_PLOTTED); returns the list."""
        self.recording = recording
        self._samples = {}
        self._pending = set()
        self.plot.set_signals([])
        self._store(samples)
        names = list(dict.fromkeys([*recording.signal_names, *samples]))
        ordered = [n for n in self._preferred if n in names] + sorted(n for n in names if n not in self._preferred)
        ticked = [n for n in ordered if n in self._samples][:MAX_PLOTTED]
        self._fill(ordered, ticked)
        self.plot_checked()
        return ordered

    def add_signal_names(self, names: Iterable[str]) -> None:
        """More signals the recording offers (decoded from its frames), unticked, after the others."""
        known = {self.signal_list.item(r).text() for r in range(self.signal_list.count())}
        self.signal_list.blockSignals(True)
        for name in names:
            if name not in known:
                self.signal_list.addItem(_item(name, False))
        self.signal_list.blockSignals(False)

    def add_samples(self, recording_id: Any, samples: Mapping[str, tuple[Any, Any]]) -> None:
        if self.recording is None or recording_id != self.recording.id:
            return  # a late answer for a recording no longer open
        self._pending -= set(samples)
        self._store(samples)
        self.plot_checked()

    def _store(self, samples: Mapping[str, tuple[Any, Any]]) -> None:
        start = self.recording.started_at.timestamp()
        for name, (t, values) in samples.items():
            if len(t) and t[0] > EPOCH_THRESHOLD:  # absolute timestamps: plot seconds since the start
                t = t - start
            self._samples[name] = (t, values)

    def _fill(self, names: Sequence[str], ticked: Sequence[str]) -> None:
        self.signal_list.blockSignals(True)
        self.signal_list.clear()
        for name in names:
            self.signal_list.addItem(_item(name, name in ticked))
        self.signal_list.blockSignals(False)

    def _tick(self, names: list[str]) -> None:
        for r in range(self.signal_list.count()):
            item = self.signal_list.item(r)
            if item.text() in names:
                item.setCheckState(Qt.CheckState.Checked)

    def checked_signals(self) -> list[str]:
        items = (self.signal_list.item(row) for row in range(self.signal_list.count()))
        return [item.text() for item in items if item.checkState() == Qt.CheckState.Checked]

    def plot_checked(self) -> None:
        shown = self.checked_signals()
        missing = [n for n in shown if n not in self._samples and n not in self._pending]
        if missing and self.recording is not None:
            self._pending |= set(missing)
            self.samples_requested.emit(self.recording.id, missing)
        loaded = [n for n in shown if n in self._samples]
        new = [n for n in loaded if n not in self.plot.signal_names()]
        self.plot.set_signals(loaded)
        for name in new:
            self.plot.set_series(name, *self._samples[name])
        self.plot.auto_range()


def _item(name: str, checked: bool) -> QListWidgetItem:
    item = QListWidgetItem(name)
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
    return item
