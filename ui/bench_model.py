"""The bench's current state in one Qt object the pages bind to (napari's evented models).

``SessionController`` owns the live session and reports what happens to it; ``BenchModel``
adds what several pages share beyond the session: the source the Live page plots (the
connected car or a replay), the store's recording list, the running recording's clock and
the live signals dropped from polling. Every workspace connects to these signals in its
constructor and reads the current state once from the properties; nothing drives a page
by name.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from carvrooom_desktop.acquisition.live_source import BenchSession, LiveSource
from carvrooom_desktop.domain import Recording
from ui.session_controller import SessionController

log = logging.getLogger(__name__)

RECORDING_TICK_MS = 250


class HasSession(Protocol):
    """What a controller that works on the connected car reads: the bench model, or a test's stand-in."""

    @property
    def session(self) -> BenchSession | None: ...


class BenchModel(QObject):
    live_source_changed = Signal(object)  # LiveSource | None: what the Live page plots
    recordings_changed = Signal(list, str)  # list[Recording], the filter text they match ("" = all)
    recording_opened = Signal(object, dict)  # Recording, {signal: (t, v)} of the signals plotted first
    recordings_stale = Signal()  # the store's recordings changed (one was saved): pages ask again
    store_failed = Signal(str)  # a store operation for the Recordings page failed: why
    recording_clock = Signal(bool, float)  # recording?, seconds since it started (4 times a second)
    signals_dropped = Signal(dict)  # {signal: why}: live signals taken off the poll list
    signal_database_changed = Signal(object)  # the database the technician loaded (imports, trace, live)

    def __init__(self, controller: SessionController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._live_source: LiveSource | None = None
        self._car: BenchSession | None = None  # the connected session, while it is
        self._recordings: list[Recording] = []
        self._dropped: dict[str, str] = {}
        self.signal_database: object | None = None
        self._clock = QTimer(self)
        self._clock.setInterval(RECORDING_TICK_MS)
        self._clock.timeout.connect(self._tick)
        controller.connected.connect(self._on_connected)
        controller.disconnected.connect(self._on_disconnected)
        controller.recording_changed.connect(self._on_recording_changed)

    # -- what the Live page plots ----------------------------------------------------------------

    @property
    def session(self) -> BenchSession | None:
        return self.controller.session

    @property
    def live_source(self) -> LiveSource | None:
        return self._live_source

    def set_live_source(self, source: LiveSource | None) -> None:
        if source is not self._live_source:
            self._live_source = source
            self.live_source_changed.emit(source)

    def units(self) -> dict[str, str]:
        source = self._live_source
        if source is None:
            return {}
        return {d.name: d.unit for d in source.signal_definitions()}

    def _on_connected(self, _report: object) -> None:
        self._dropped = {}
        self._car = self.controller.session
        self.set_live_source(self._car)

    def _on_disconnected(self) -> None:
        car, self._car = self._car, None
        if self._live_source is car:  # a replay on the Live page stays when the car goes
            self.set_live_source(None)

    # -- recordings --------------------------------------------------------------------------

    @property
    def recordings(self) -> list[Recording]:
        return list(self._recordings)

    def set_recordings(self, recordings: Sequence[Recording], text: str = "") -> None:
        if not text:
            self._recordings = list(recordings)
        self.recordings_changed.emit(list(recordings), text)

    def _on_recording_changed(self, recording: bool) -> None:
        if recording:
            self._clock.start()
        else:
            self._clock.stop()
        self.recording_clock.emit(recording, 0.0)

    def _tick(self) -> None:
        elapsed = self.controller.recording_elapsed_s
        if elapsed is not None:
            self.recording_clock.emit(True, elapsed)

    # -- live signals dropped from polling --------------------------------------------------------

    @property
    def dropped_signals(self) -> dict[str, str]:
        return dict(self._dropped)

    def add_dropped(self, dropped: dict[str, str]) -> None:
        self._dropped.update(dropped)
        self.signals_dropped.emit(dict(dropped))

    def set_signal_database(self, database: object) -> None:
        self.signal_database = database
        self.signal_database_changed.emit(database)
