"""A live session: connect, identify and scan the car, poll live data, record on demand.

Threads (CAN sources): ``live-bus`` (BusReader) reads the bus, handing OBD replies to
the OBD client at once and queueing every frame; ``live-frames`` (FramePipeline) turns
the queue into columnar batches 20 times a second, measures bus load, feeds the
recorder and decodes broadcast signals per message id into ring buffers; ``live-poller``
asks for OBD PIDs; the recorder commits a chunk every half second on its own thread.
ELM327 sources have the poller only. The UI pulls windows from the ring buffers at its
own rate; events carry summaries only, never one per frame.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import can
import numpy as np

from carvrooom_desktop import events
from carvrooom_desktop.acquisition.bus_reader import BusReader
from carvrooom_desktop.acquisition.decode import BatchDecoder
from carvrooom_desktop.acquisition.decode.plan import Database
from carvrooom_desktop.acquisition.frame_pipeline import FramePipeline
from carvrooom_desktop.acquisition.live_source import SourceControls
from carvrooom_desktop.acquisition.recorder import Recorder
from carvrooom_desktop.acquisition.ring_buffer import SignalBoard
from carvrooom_desktop.acquisition.scan import ScanReport, scan_vehicle
from carvrooom_desktop.acquisition.signal_databases import DatabaseChoice, broadcast_definitions, choose_decoding_database
from carvrooom_desktop.acquisition.source import OpenSource, SourceSpec, open_source
from carvrooom_desktop.config.settings import DEFAULT_LIVE_SIGNALS
from carvrooom_desktop.domain import FrameArrays, Permission, Recording, RecordingState, Role, SignalDefinition, SignalSource
from carvrooom_desktop.errors import NotConfirmed, RecordingError
from carvrooom_desktop.events import EventBus
from carvrooom_desktop.people.actor import Actor
from carvrooom_desktop.people.authorize import authorize, record_action
from carvrooom_desktop.storage.store import Store
from drivers.errors import AdapterTimeout, ConnectionLost, DriverError
from drivers.obd.can_client import DiagnosticListener, ObdCanClient
from drivers.obd.client import ECU_SEPARATOR, ObdClient, signal_of
from drivers.obd.pids import BY_SIGNAL, SignalInfo, signal_info

log = logging.getLogger(__name__)

LOST_AFTER_MISSES = 3
DROP_AFTER_FAILURES = 5  # polls in a row a PID may fail before it leaves the poll list
RECONNECT_INTERVAL = 1.0  # s between attempts to reopen a vanished adapter
NOMINAL_BITRATE = 500_000
POLLED_CAPACITY = 6_000  # samples per polled signal: 10 min at 10 Hz
BROADCAST_CAPACITY = 60_000  # samples per broadcast signal: 10 min of a 100 Hz message


def polled_signal_info(name: str) -> SignalInfo | None:
    """Unit, description, range and PID of a pollable signal (an ECU suffix is ignored); None if unknown."""
    base = signal_of(name)
    return signal_info(base) if base in BY_SIGNAL else None


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
        signal_database: str | Path | None = None,
        actor: Actor | Callable[[], Actor | None] | None = None,
    ) -> None:
        self.source = source
        # who acts on the car: the signed-in user (a callable: the shift's current one), or None when the
        # caller decides by a role (clear_codes(Role)) and checks transmitting itself, as before users existed
        self._actor = actor
        self.events = events
        self.store = store
        self.wanted = list(signals or DEFAULT_LIVE_SIGNALS)
        self.poll_interval = poll_interval
        self.signal_database_path = signal_database  # None: the simulator's, or the one remembered for the car
        self.signal_database_note = ""  # why broadcast frames are not decoded, if they are not
        self.decoding: DatabaseChoice | None = None  # the database broadcast frames are decoded with, and why
        self.recording_error = ""  # why the last recording stopped by itself (disk full, store gone)
        self.state = ConnectionState.NO_ADAPTER
        self.report: ScanReport | None = None
        self.vehicle_id: uuid.UUID | None = None
        self._open: OpenSource | None = None
        self._reader: BusReader | None = None
        self._pipeline: FramePipeline | None = None
        self._periodic: list[can.broadcastmanager.CyclicSendTaskABC] = []  # periodic transmit tasks of the CAN trace
        self._client: ObdClient | None = None
        self._client_lock = threading.Lock()  # the poller and a rescan share one request/response channel
        self._decoder: BatchDecoder | None = None
        self._board = SignalBoard()
        self._polled: list[str] = []
        self._failures: dict[int, int] = {}  # PID -> polls in a row it failed
        self._dropped: dict[str, str] = {}  # signal -> why it left the poll list
        self._recorder: Recorder | None = None
        self._recording_lock = threading.Lock()
        self._t0 = time.time()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
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
            self._t0 = self._open.epoch if self._open.epoch is not None else time.time()
            if self._open.bus is not None:
                diagnostic = DiagnosticListener()
                self._reader = BusReader(self._open.bus, replies=diagnostic, name="live-bus").start()
                self._pipeline = FramePipeline(self._reader, t0=self._t0, bitrate=self.source.bitrate or NOMINAL_BITRATE,
                                               data_bitrate=self.source.data_bitrate).start()
                self._client = ObdCanClient(self._open.bus, diagnostic)
            else:
                self._client = self._open.client
            report = self.rescan()
            self._define_polled(report)
            if self._pipeline is not None:
                self._load_broadcast_database(report)
        except Exception:
            self.close()
            raise
        self._set_state(ConnectionState.CAR_CONNECTED)
        self._thread = threading.Thread(target=self._poll_loop, name="live-poller", daemon=True)
        self._thread.start()
        return report

    def rescan(self) -> ScanReport:
        assert self._client is not None and self._open is not None, "connect first"
        with self._client_lock:
            report = scan_vehicle(self._client, self._open.adapter, self._open.details)
        self.report = report
        if self.store is not None and report.vehicle.vin:  # no VIN read: the scan is not filed under a wrong car
            self.vehicle_id = self.store.vehicles.upsert(report.vehicle)
            self.store.vehicles.add_scan(self.vehicle_id, report.to_dict(), self.recording_id)
        return report

    def acting(self, role: Role | Actor | None = None) -> Actor | None:
        """Who acts now: an actor given, else the session's signed-in one, else the bare role's (deny by default)."""
        if isinstance(role, Actor):
            return role
        if self._actor is not None:
            return self._actor() if callable(self._actor) else self._actor
        return Actor.for_role(role) if role is not None else None

    def clear_codes(self, role: Role | Actor, *, confirmed: bool) -> ScanReport:
        """Mode 04, only with the technician's confirmation and a role allowed to; returns the scan after it.

        Clearing erases freeze frames and resets readiness, so the car may fail an
        inspection until its monitors run again: callers must say so when asking.
        """
        if not confirmed:
            raise NotConfirmed("clearing trouble codes needs confirmation: it erases freeze frames and resets readiness monitors")
        vin = self.report.vehicle.vin if self.report is not None else ""
        actor = authorize(self.acting(role), Permission.CLEAR_CODES, record=f"vehicle:{vin}")
        assert self._client is not None, "connect first"
        before = self.report
        with self._client_lock:
            self._client.clear_dtcs()
        was = sorted({d.code for d in before.dtcs}) if before else []
        log.info("trouble codes cleared by %s (were: %s)", actor.label, ", ".join(was) or "?")
        after = self.rescan()
        record_action(actor, Permission.CLEAR_CODES, record=f"vehicle:{vin}", before={"codes": was},
                      after={"codes": sorted({d.code for d in after.dtcs})})
        return after

    def _define_polled(self, report: ScanReport) -> None:
        """The wanted signals the car advertises; one more per extra ECU that reports the same PID (``name@7E9``)."""
        client = self._client
        assert client is not None, "connected: the scan had a client"
        self._polled = []
        for name in self.wanted:
            info = polled_signal_info(name)
            if info is None:
                continue
            ecus = sorted(ecu for ecu, pids in client.supported_by_ecu.items() if info.pid in pids)
            for ecu in ecus:
                label = name if ecu == ecus[0] else f"{name}{ECU_SEPARATOR}{client.ecu_label(ecu)}"
                description = info.description if ecu == ecus[0] else f"{info.description} (as ECU {client.ecu_label(ecu)} reports it)"
                self._polled.append(label)
                self._board.add(SignalDefinition(label, info.unit, SignalSource.OBD_PID, description, info.minimum, info.maximum),
                                POLLED_CAPACITY)

    @property
    def dropped_signals(self) -> dict[str, str]:
        """Polled signals taken off the poll list because their PID kept failing, and why."""
        return dict(self._dropped)

    def _count_failures(self, failed: dict[int, str]) -> None:
        """A PID that fails DROP_AFTER_FAILURES polls in a row leaves the poll list; the rest keep their rate."""
        for pid in list(self._failures):
            if pid not in failed:
                del self._failures[pid]
        gone: dict[str, str] = {}
        for pid, reason in failed.items():
            self._failures[pid] = self._failures.get(pid, 0) + 1
            if self._failures[pid] >= DROP_AFTER_FAILURES:
                del self._failures[pid]
                for name in [n for n in self._polled if (info := polled_signal_info(n)) is not None and info.pid == pid]:
                    gone[name] = f"PID {pid:02X} failed {DROP_AFTER_FAILURES} polls in a row: {reason}"
        if gone:
            self._polled = [n for n in self._polled if n not in gone]
            self._dropped.update(gone)
            for name, reason in gone.items():
                log.warning("live signal %s dropped from polling: %s", name, reason)
            self.events.publish(events.SIGNALS_DROPPED, dict(gone))

    def _load_broadcast_database(self, report: ScanReport) -> None:
        """Decode broadcast frames with the one answer to "which database" (signal_databases), or say why not."""
        assert self._open is not None, "called while connecting"
        choice = choose_decoding_database(self.store, explicit=self.signal_database_path, vin=report.vehicle.vin,
                                          source=self._open.signal_database)
        if choice.database is not None:
            self.use_signal_database(choice.database, choice)
        else:
            self.signal_database_note = choice.reason
            log.info("%s", choice.reason)

    def use_signal_database(self, database: Database, choice: DatabaseChoice | None = None) -> None:
        """Decode broadcast frames with ``database`` (cantools Database or SignalDatabase) from now on;
        e.g. right after the technician chose one for the connected car. ``choice`` (name, file content)
        is stored with recordings made from now on."""
        if self._pipeline is None:
            raise RuntimeError("only a CAN source carries broadcast frames to decode")
        self.decoding = choice or DatabaseChoice(database, "chosen while connected")
        decoder = BatchDecoder(database)
        for definition in broadcast_definitions(database):
            if definition.name in decoder.signals:
                self._board.add(definition, BROADCAST_CAPACITY)
        self._decoder = decoder
        self.signal_database_note = ""
        self._pipeline.set_decoder(decoder, self._board.buffers)

    def close(self) -> None:
        """Stops recording (keeping it), polling and the bus; safe to call twice."""
        if self.recording_id is not None:
            try:
                self.stop_recording()
            except RecordingError as e:
                log.warning("%s", e)
        self._stop.set()
        self.stop_periodic()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        if self._pipeline is not None:
            self._pipeline.stop()
            self._pipeline = None
        if self._reader is not None:
            self._reader.stop()
            self._reader = None
        if self._open is not None:
            self._open.close()
            self._open = None
        self._set_state(ConnectionState.NO_ADAPTER)

    # -- live data: the same read interface as a Replay -------------------------------------

    def signal_definitions(self) -> list[SignalDefinition]:
        return self._board.definitions()

    def window(self, name: str, seconds: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(t seconds since connect, values) of the newest samples; never blocks the producers for long."""
        return self._board.window(name, seconds)

    def latest(self, name: str) -> float | None:
        return self._board.latest(name)

    def bus_load_percent(self) -> float:
        return self._pipeline.bus_load_percent if self._pipeline is not None else 0.0

    @property
    def frames_received(self) -> int:
        """Broadcast and reply frames read from the bus so far (0 for an ELM327)."""
        return self._pipeline.frames_total if self._pipeline is not None else 0

    @property
    def decoder(self) -> BatchDecoder | None:
        return self._decoder

    # -- raw frames: the CAN trace reads and transmits through the session's own bus handle ----------

    @property
    def has_frame_window(self) -> bool:
        """True for CAN sources (an ELM327 hands over OBD replies, not the raw bus)."""
        return self._pipeline is not None

    def frames_since(self, cursor: int) -> tuple[FrameArrays, int]:
        """Raw frames received after ``cursor`` (0 at first) -> (frames, new cursor); empty without a CAN source."""
        pipeline = self._pipeline
        if pipeline is None:
            return FrameArrays.empty(), cursor
        frames, cursor, missed = pipeline.frame_window.since(cursor)
        if missed:
            log.info("trace reader fell %d frames behind the frame window", missed)
        return frames, cursor

    def send_frame(self, message: can.Message, period_s: float | None = None) -> can.broadcastmanager.CyclicSendTaskABC | None:
        """Transmit once, or every ``period_s`` until :meth:`stop_periodic` or close.

        With a signed-in actor the session checks TRANSMIT_FRAMES itself (and audits the frame); without
        one the caller checks the role, as before users existed."""
        actor = self.acting()
        if actor is not None:
            authorize(actor, Permission.TRANSMIT_FRAMES, record=f"frame:{message.arbitration_id:X}")
            record_action(actor, Permission.TRANSMIT_FRAMES, record=f"frame:{message.arbitration_id:X}",
                          after={"data": bytes(message.data).hex(), "period_s": period_s})
        bus = self._open.bus if self._open is not None else None
        reader = self._reader
        if bus is None or reader is None:
            raise ConnectionLost("no CAN bus to transmit on (not connected, or an ELM327 adapter)")

        def sent(msg: can.Message) -> None:
            reader.add_transmitted(can.Message(timestamp=time.time(), arbitration_id=msg.arbitration_id, data=msg.data,
                                               is_extended_id=msg.is_extended_id, is_rx=False, channel=msg.channel))

        try:
            if period_s is None:
                bus.send(message, timeout=0.2)
                sent(message)
                return None
            task = bus.send_periodic(message, period_s, modifier_callback=sent)
        except can.CanError as e:
            raise ConnectionLost(f"the adapter refused the frame: {e}") from e
        self._periodic.append(task)
        return task

    def stop_periodic(self) -> int:
        tasks, self._periodic = self._periodic, []
        for task in tasks:
            task.stop()
        return len(tasks)

    @property
    def periodic_count(self) -> int:
        return len(self._periodic)

    @property
    def controls(self) -> SourceControls | None:
        """What the source lets the technician operate (the simulated car's ignition and faults), if anything."""
        return self._open.controls if self._open else None

    @property
    def source_kind(self) -> str:
        return self._open.kind if self._open else self.source.kind

    def _poll_loop(self) -> None:
        misses = 0
        frames_seen = 0
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                with self._client_lock:
                    assert self._client is not None, "polling runs while connected"
                    values = self._client.read_signals(self._polled)
                    t_reply = self._client.last_reply_time or time.time()
                    failed = dict(self._client.failed_pids)
                self._count_failures(failed)
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
            total = self.frames_received
            count, frames_seen = total - frames_seen, total
            self.events.publish(events.TELEMETRY_RECEIVED, {"t": time.time() - self._t0, "count": count + len(self._polled)})
            self._stop.wait(max(0.0, self.poll_interval - (time.monotonic() - started)))

    def _link_down(self, state: ConnectionState, reason: Exception) -> None:
        if self.state is state:
            return
        log.warning("%s: %s", state.value, reason)
        if self._gap_started is None:
            self._gap_started = time.time()
            self._mark_gap(f"gap: {state.value} ({reason})")  # the recording shows where data is missing
        self._set_state(state)

    def _link_back(self) -> None:
        if self._gap_started is not None:
            self._mark_gap(f"gap ended: data again after {time.time() - self._gap_started:.1f} s")
            self._gap_started = None
        self._set_state(ConnectionState.CAR_CONNECTED)

    def _mark_gap(self, label: str) -> None:
        try:
            self.mark(label)
        except RecordingError as e:  # the recorder reports the store's failure itself
            log.warning("%s", e)

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
        buffers = self._board.buffers
        for name, value in values.items():
            buffers[name].append(t_rel, value)
            if recorder is not None:
                recorder.add_samples(name, self._board.definition(name).unit, np.array([t_reply]), np.array([value]))

    # -- recording ---------------------------------------------------------------------

    @property
    def recording_id(self) -> uuid.UUID | None:
        return self._recorder.recording_id if self._recorder else None

    def start_recording(self, notes: str = "") -> uuid.UUID:
        """Raw frames (CAN) and polled samples from now on, with the vehicle, adapter and ``notes``."""
        actor = self.acting()
        if actor is not None:
            authorize(actor, Permission.START_RECORDING, record="recording:new")
        if self.store is None:
            raise RecordingError("no store is open, so nothing can be recorded; check the database in Settings")
        with self._recording_lock:
            if self._recorder is not None:
                return self._recorder.recording_id
            vin = self.report.vehicle.vin if self.report else ""
            units = {n: self._board.definition(n).unit for n in self._polled}
            recording_id = self.store.recordings.create(
                vin=vin, adapter=self._open.adapter if self._open else "", notes=notes, vehicle_id=self.vehicle_id, signal_units=units
            )
            self._remember_source(recording_id)
            self.recording_error = ""
            self._recorder = Recorder(self.store.recordings, recording_id, units, on_error=self._recording_failed)
            if self._pipeline is not None:
                self._pipeline.attach(self._recorder)
        record_action(actor, Permission.START_RECORDING, record=f"recording:{recording_id}", after={"vin": vin, "notes": notes})
        self.events.publish(events.RECORDING_CHANGED, {"id": recording_id, "state": RecordingState.RECORDING})
        return recording_id

    def _remember_source(self, recording_id: uuid.UUID) -> None:
        """The recording keeps its source kind and the database its frames decode with (name and content hash)."""
        choice = self.decoding
        assert self.store is not None, "recording needs the store"
        self.store.recording_sources.record(
            recording_id, self.source_kind, choice.name if choice else "", choice.content if choice else None)

    def _recording_failed(self, error: RecordingError) -> None:
        # On the recorder's thread: the recorder already refuses new data; stop_recording tidies up.
        self.recording_error = str(error)
        self.events.publish(events.RECORDING_CHANGED, {"id": self.recording_id, "state": RecordingState.INTERRUPTED, "error": str(error)})

    def mark(self, label: str) -> float | None:
        """A labelled moment in the running recording ("misfire felt here"); returns its time, None when not recording."""
        if self._recorder is None or self.store is None:
            return None
        moment = time.time()
        try:
            self.store.recordings.add_mark(self._recorder.recording_id, moment, label)
        except Exception as e:  # noqa: BLE001 - a full disk must not break the caller (the poller marks gaps)
            raise RecordingError(f"the mark {label!r} could not be saved: {e}") from e
        return moment

    def stop_recording(self) -> Recording | None:
        with self._recording_lock:
            recorder, self._recorder = self._recorder, None
            if recorder is not None and self._pipeline is not None:
                self._pipeline.detach()  # every frame received until now goes in
        if recorder is None:
            return None
        error = recorder.stop()
        state = RecordingState.INTERRUPTED if error else RecordingState.FINISHED
        try:
            assert self.store is not None, "a recorder writes to the store"
            self.store.recordings.finish(recorder.recording_id, state)
            recording = self.store.recordings.get(recorder.recording_id)
        except Exception as e:  # noqa: BLE001 - the store may be the thing that failed
            raise RecordingError(f"recording {recorder.recording_id} could not be closed: {e}; committed data is kept") from e
        self.events.publish(events.RECORDING_CHANGED, {"id": recording.id, "state": state, "error": str(error) if error else ""})
        return recording
