"""A live session: connect, identify and scan the car, poll live data, record on demand.

Threads: python-can's Notifier reads the bus into two listeners (OBD replies,
everything); one poller thread asks for PIDs, drains frames, decodes broadcast
signals into ring buffers and feeds the recorder. The UI pulls windows from the
ring buffers at its own rate; events carry summaries only.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
import uuid

import can
import numpy as np

from carvrooom_desktop import events
from carvrooom_desktop.acquisition.frame_collector import FrameCollector, to_frame_arrays
from carvrooom_desktop.acquisition.recorder import Recorder
from carvrooom_desktop.acquisition.ring_buffer import SignalRingBuffer
from carvrooom_desktop.acquisition.scan import ScanReport, scan_vehicle
from carvrooom_desktop.acquisition.source import OpenSource, SourceSpec, open_source
from carvrooom_desktop.config.settings import DEFAULT_LIVE_SIGNALS
from carvrooom_desktop.domain import Permission, Recording, RecordingState, Role, SignalDefinition, SignalSource
from carvrooom_desktop.domain.roles import allowed
from carvrooom_desktop.errors import NotConfirmed, PermissionDenied, RecordingError
from carvrooom_desktop.events import EventBus
from carvrooom_desktop.storage.store import Store
from drivers.can.frame_bits import frame_bits
from drivers.errors import AdapterTimeout, ConnectionLost, DriverError
from drivers.obd.can_client import DiagnosticListener, ObdCanClient
from drivers.obd.pids import BY_SIGNAL
from drivers.simulator.broadcast import load_sim_dbc
from drivers.simulator.can_face import SimulatedCar

log = logging.getLogger(__name__)

LOST_AFTER_MISSES = 3
RECONNECT_INTERVAL = 1.0  # s between attempts to reopen a vanished adapter
NOMINAL_BITRATE = 500_000


class ConnectionState(enum.StrEnum):
    NO_ADAPTER = "no adapter"
    ADAPTER = "adapter"
    CAR_CONNECTED = "car connected"
    IGNITION_OFF = "ignition off"
    LOST = "lost"


class LiveSession:
    def __init__(
        self,
        source: SourceSpec,
        *,
        events: EventBus,
        store: Store | None = None,
        signals: list[str] | None = None,
        poll_interval: float = 0.1,
    ) -> None:
        self.source = source
        self.events = events
        self.store = store
        self.wanted = list(signals or DEFAULT_LIVE_SIGNALS)
        self.poll_interval = poll_interval
        self.state = ConnectionState.NO_ADAPTER
        self.report: ScanReport | None = None
        self.vehicle_id: uuid.UUID | None = None
        self._open: OpenSource | None = None
        self._notifier: can.Notifier | None = None
        self._client: ObdCanClient | None = None
        self._client_lock = threading.Lock()  # the poller and a rescan share one request/response channel
        self._collector = FrameCollector()
        self._dbc = None
        self._definitions: dict[str, SignalDefinition] = {}
        self._buffers: dict[str, SignalRingBuffer] = {}
        self._polled: list[str] = []
        self._recorder: Recorder | None = None
        self._recording_lock = threading.Lock()
        self._t0 = time.time()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._bus_load = 0.0
        self._gap_started: float | None = None

    # -- connection --------------------------------------------------------------------

    def _set_state(self, state: ConnectionState) -> None:
        if state is not self.state:
            self.state = state
            self.events.publish(events.CONNECTION_STATE, state)

    def connect(self) -> ScanReport:
        """Blocking (call it from a worker thread). Raises DriverError or ValueError with a clear message."""
        if self._open is not None:
            raise RuntimeError("session already connected")
        self._open = open_source(self.source)
        try:
            self._set_state(ConnectionState.ADAPTER)
            if self._open.bus is not None:
                diagnostic = DiagnosticListener()
                self._notifier = can.Notifier(self._open.bus, [diagnostic, self._collector], timeout=0.05)
                self._client = ObdCanClient(self._open.bus, diagnostic)
            else:
                self._client = self._open.client
            self._t0 = self._open.car._epoch if isinstance(self._open.car, SimulatedCar) else time.time()
            report = self.rescan()
        except Exception:
            self.close()
            raise
        if isinstance(self._open.car, SimulatedCar):
            self._dbc = load_sim_dbc()  # the simulated car's broadcast database
        self._define_signals(report)
        self._set_state(ConnectionState.CAR_CONNECTED)
        self._thread = threading.Thread(target=self._poll_loop, name="live-poller", daemon=True)
        self._thread.start()
        return report

    def rescan(self) -> ScanReport:
        assert self._client is not None and self._open is not None, "connect first"
        with self._client_lock:
            report = scan_vehicle(self._client, self._open.adapter, self._open.details)
        self.report = report
        if self.store is not None:
            self.vehicle_id = self.store.vehicles.upsert(report.vehicle)
            self.store.vehicles.add_scan(self.vehicle_id, report.to_dict(), self.recording_id)
        return report

    def clear_codes(self, role: Role, *, confirmed: bool) -> ScanReport:
        """Mode 04, only with the technician's confirmation and a role allowed to; returns the scan after it.

        Clearing erases freeze frames and resets readiness, so the car may fail an
        inspection until its monitors run again: callers must say so when asking.
        """
        if not confirmed:
            raise NotConfirmed("clearing trouble codes needs confirmation: it erases freeze frames and resets readiness monitors")
        if not allowed(role, Permission.CLEAR_CODES):
            raise PermissionDenied(f"a {role.value} may not clear trouble codes")
        assert self._client is not None, "connect first"
        before = self.report
        with self._client_lock:
            self._client.clear_dtcs()
        log.info("trouble codes cleared by a %s (were: %s)", role.value, ", ".join(d.code for d in before.dtcs) if before else "?")
        return self.rescan()

    def _define_signals(self, report: ScanReport) -> None:
        supported = set(report.supported_pids)
        self._polled = [n for n in self.wanted if n in BY_SIGNAL and BY_SIGNAL[n].pid in supported]
        for name in self._polled:
            pid = BY_SIGNAL[name]
            self._add_signal(SignalDefinition(name, pid.unit, SignalSource.OBD_PID, pid.description, pid.minimum, pid.maximum), 6_000)
        for message in self._dbc.messages if self._dbc else ():
            for sig in message.signals:
                self._add_signal(SignalDefinition(f"{message.name}.{sig.name}", sig.unit or "", SignalSource.CAN_DBC,
                                                  sig.comment or "", sig.minimum, sig.maximum), 60_000)

    def _add_signal(self, definition: SignalDefinition, capacity: int) -> None:
        self._definitions[definition.name] = definition
        self._buffers[definition.name] = SignalRingBuffer(capacity)

    def close(self) -> None:
        """Stops recording (keeping it), polling and the bus; safe to call twice."""
        if self.recording_id is not None:
            try:
                self.stop_recording()
            except RecordingError as e:
                log.warning("%s", e)
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        if self._notifier is not None:
            self._notifier.stop()
            self._notifier = None
        if self._open is not None:
            self._open.close()
            self._open = None
        self._set_state(ConnectionState.NO_ADAPTER)

    # -- live data ---------------------------------------------------------------------

    def signal_definitions(self) -> list[SignalDefinition]:
        return list(self._definitions.values())

    def window(self, name: str, seconds: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(t seconds since connect, values) of the newest samples; never blocks the producers for long."""
        return self._buffers[name].window(seconds)

    def latest(self, name: str) -> float | None:
        last = self._buffers[name].latest() if name in self._buffers else None
        return None if last is None else last[1]

    def bus_load_percent(self) -> float:
        return self._bus_load

    @property
    def car(self):
        """The simulated car behind this session, if any (for fault injection)."""
        return self._open.car if self._open else None

    def _poll_loop(self) -> None:
        misses = 0
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                with self._client_lock:
                    values = self._client.read_signals(self._polled)
                    t_reply = self._client.last_reply_time or time.time()
                misses = 0
                self._link_back()
                self._store_polled(values, t_reply)
            except AdapterTimeout as e:
                # The adapter works but the car is silent: ignition off (or the ECU asleep).
                misses += 1
                if misses >= LOST_AFTER_MISSES:
                    self._link_down(ConnectionState.IGNITION_OFF, e)
            except ConnectionLost as e:
                # The adapter itself is gone (cable, Bluetooth, Wi-Fi): try to open it again.
                self._link_down(ConnectionState.LOST, e)
                self._try_reopen()
            except DriverError as e:
                log.warning("live poll failed: %s", e)
            count = self._drain_frames(time.monotonic() - started)
            self.events.publish(events.TELEMETRY_RECEIVED, {"t": time.time() - self._t0, "count": count + len(self._polled)})
            self._stop.wait(max(0.0, self.poll_interval - (time.monotonic() - started)))

    def _link_down(self, state: ConnectionState, reason: Exception) -> None:
        if self.state is state:
            return
        log.warning("%s: %s", state.value, reason)
        if self._gap_started is None:
            self._gap_started = time.time()
            self.mark(f"gap: {state.value} ({reason})")  # the recording shows where data is missing
        self._set_state(state)

    def _link_back(self) -> None:
        if self._gap_started is not None:
            self.mark(f"gap ended: data again after {time.time() - self._gap_started:.1f} s")
            self._gap_started = None
        self._set_state(ConnectionState.CAR_CONNECTED)

    def _try_reopen(self) -> None:
        """ELM327 adapters are reopened in place (same port); a CAN bus recovers by itself or not at all."""
        reopen = getattr(self._client, "reopen", None)
        if reopen is None:
            return
        try:
            with self._client_lock:
                reopen()
            log.info("adapter reopened")
        except DriverError as e:
            log.info("adapter still unavailable: %s", e)
            self._stop.wait(RECONNECT_INTERVAL)

    def _store_polled(self, values: dict[str, float], t_reply: float) -> None:
        t_rel = t_reply - self._t0
        recorder = self._recorder
        for name, value in values.items():
            self._buffers[name].append(t_rel, value)
            if recorder is not None:
                recorder.add_samples(name, self._definitions[name].unit, np.array([t_reply]), np.array([value]))

    def _drain_frames(self, _elapsed: float) -> int:
        messages = self._collector.drain()
        if not messages:
            self._bus_load = 0.0
            return 0
        span = max(self.poll_interval, messages[-1].timestamp - messages[0].timestamp)
        frames = to_frame_arrays(messages)
        nominal_bits, _ = frame_bits(frames, "mean")
        self._bus_load = min(100.0, 100.0 * float(nominal_bits.sum()) / (NOMINAL_BITRATE * span))
        if self._recorder is not None:
            self._recorder.add_frames(frames)
        if self._dbc is not None:
            self._decode_broadcast(messages)
        return len(messages)

    def _decode_broadcast(self, messages: list[can.Message]) -> None:
        # Per-frame cantools decoding is fine at a simulated car's few hundred frames/s;
        # the vectorised decoder of the live-data issue replaces it for saturated buses.
        columns: dict[str, tuple[list[float], list[float]]] = {}
        for msg in messages:
            try:
                message = self._dbc.get_message_by_frame_id(msg.arbitration_id)
            except KeyError:
                continue
            try:
                decoded = message.decode(msg.data, decode_choices=False)
            except Exception:  # noqa: BLE001 - a frame that does not match its DBC entry is skipped
                continue
            for sig, value in decoded.items():
                t, v = columns.setdefault(f"{message.name}.{sig}", ([], []))
                t.append(msg.timestamp - self._t0)
                v.append(float(value))
        for name, (t, v) in columns.items():
            if name in self._buffers:
                self._buffers[name].append(np.array(t), np.array(v))

    # -- recording ---------------------------------------------------------------------

    @property
    def recording_id(self) -> uuid.UUID | None:
        return self._recorder.recording_id if self._recorder else None

    def start_recording(self, notes: str = "") -> uuid.UUID:
        if self.store is None:
            raise RecordingError("no store is open, so nothing can be recorded; check the database in Settings")
        with self._recording_lock:
            if self._recorder is not None:
                return self._recorder.recording_id
            vin = self.report.vehicle.vin if self.report else ""
            units = {n: self._definitions[n].unit for n in self._polled}
            recording_id = self.store.recordings.create(
                vin=vin, adapter=self._open.adapter if self._open else "", notes=notes, vehicle_id=self.vehicle_id, signal_units=units
            )
            self._recorder = Recorder(self.store.recordings, recording_id, units, on_error=self._recording_failed)
        self.events.publish(events.RECORDING_CHANGED, {"id": recording_id, "state": RecordingState.RECORDING})
        return recording_id

    def _recording_failed(self, error: RecordingError) -> None:
        self.events.publish(events.RECORDING_CHANGED, {"id": self.recording_id, "state": RecordingState.INTERRUPTED, "error": str(error)})

    def mark(self, label: str) -> None:
        if self._recorder is not None and self.store is not None:
            self.store.recordings.add_mark(self._recorder.recording_id, time.time(), label)

    def stop_recording(self) -> Recording | None:
        with self._recording_lock:
            recorder, self._recorder = self._recorder, None
        if recorder is None:
            return None
        error = recorder.stop()
        state = RecordingState.INTERRUPTED if error else RecordingState.FINISHED
        try:
            self.store.recordings.finish(recorder.recording_id, state)
            recording = self.store.recordings.get(recorder.recording_id)
        except Exception as e:  # noqa: BLE001 - the store may be the thing that failed
            raise RecordingError(f"recording {recorder.recording_id} could not be closed: {e}; committed data is kept") from e
        self.events.publish(events.RECORDING_CHANGED, {"id": recording.id, "state": state, "error": str(error) if error else ""})
        return recording
