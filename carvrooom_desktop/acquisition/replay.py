"""Replay a stored recording into live ring buffers, at original timing or faster, optionally onto a bus.

A :class:`Replay` offers the read interface of a :class:`LiveSession` (``window``,
``latest``, ``signal_definitions``, ``bus_load_percent``), so the Live page plots a
replay exactly as it plots a car. One thread (``replay``) walks the recording chunk by
chunk (only the current chunk of frames and of polled samples is in memory), and every
``step`` hands what is due by the replay clock to the vectorised decoder, the ring
buffers and, if asked, a python-can bus (one ``send`` per frame: python-can has no
batch send). Times in the ring buffers are seconds since the recording's first datum.

    replay = Replay(store, recording_id, speed=4.0).start()
    t, rpm = replay.window("ENGINE_1.engine_speed", 10.0)
    replay.pause(); replay.resume(); replay.set_speed(1.0); replay.stop()
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import can
import numpy as np

from carvrooom_desktop.acquisition.decode import BatchDecoder
from carvrooom_desktop.acquisition.frame_pipeline import BusLoadMeter
from carvrooom_desktop.acquisition.ring_buffer import SignalBoard
from carvrooom_desktop.acquisition.signal_databases import broadcast_definitions, choose_decoding_database
from carvrooom_desktop.domain import FrameArrays, Recording, SignalDefinition, SignalSource
from carvrooom_desktop.domain.frames import BRS, ERROR, ESI, EXTENDED_ID, FD, REMOTE, Channel
from carvrooom_desktop.errors import InvalidRequest
from carvrooom_desktop.storage.recordings import FRAMES, SAMPLES
from carvrooom_desktop.storage.store import Store
from drivers.signal_db import load_signal_database

if TYPE_CHECKING:
    from carvrooom_desktop.acquisition.decode.plan import Database

log = logging.getLogger(__name__)

STEP = 0.02  # s of wall time between hand-overs: 50 per second
BUS_STEP = 0.002  # s when frames also go onto a bus: closer to their original spacing
POLLED_CAPACITY = 6_000
BROADCAST_CAPACITY = 60_000


class _Cursor:
    """Walks one kind of chunk in time order, loading one chunk at a time."""

    def __init__(self, store: Store, recording_id: uuid.UUID, kind: str) -> None:
        self._load: Callable[[int], tuple[dict[str, np.ndarray], dict[str, Any]]] = (
            lambda seq: store.recordings.load_chunk_and_meta(recording_id, kind, seq))
        self._index: list[tuple[int, float, float, int]] = store.recordings.chunk_index(recording_id, kind)
        self._next_chunk = 0
        self._columns: dict[str, np.ndarray] | None = None
        self._meta: dict[str, Any] = {}
        self._pos = 0
        self.count = sum(row[3] for row in self._index)

    @property
    def first_time(self) -> float | None:
        return min((row[1] for row in self._index), default=None)

    @property
    def last_time(self) -> float | None:
        return max((row[2] for row in self._index), default=None)

    @property
    def done(self) -> bool:
        return self._next_chunk >= len(self._index) and (self._columns is None or self._pos >= len(self._columns["timestamp"]))

    def next_chunk_end(self) -> float | None:
        """End time of the chunk the cursor would load next (None when none is left)."""
        return self._index[self._next_chunk][2] if self._next_chunk < len(self._index) else None

    def take_until(self, t: float) -> list[tuple[dict[str, np.ndarray], dict[str, Any]]]:
        """(column slices, chunk metadata) of every row with timestamp <= ``t`` not taken yet (one per chunk touched)."""
        out: list[tuple[dict[str, np.ndarray], dict[str, Any]]] = []
        while True:
            if self._columns is None or self._pos >= len(self._columns["timestamp"]):
                if self._next_chunk >= len(self._index) or self._index[self._next_chunk][1] > t:
                    return out
                columns, self._meta = self._load(self._index[self._next_chunk][0])
                self._columns = self._ordered(columns)
                self._next_chunk += 1
                self._pos = 0
            stamps = self._columns["timestamp"]
            end = int(np.searchsorted(stamps, t, side="right"))
            if end > self._pos:
                out.append(({k: v[self._pos:end] for k, v in self._columns.items()}, self._meta))
                self._pos = end
            if end < len(stamps):
                return out

    @staticmethod
    def _ordered(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        stamps = columns["timestamp"]
        if len(stamps) > 1 and (np.diff(stamps) < 0).any():  # sample chunks are grouped by signal
            order = np.argsort(stamps, kind="stable")
            return {k: v[order] for k, v in columns.items()}
        return columns


class Replay:
    """A recording played back; same read interface as LiveSession. ``speed``: 1.0 original timing,
    N for N times faster, ``math.inf`` as fast as the machine goes."""

    def __init__(
        self,
        store: Store,
        recording_id: uuid.UUID,
        *,
        speed: float = 1.0,
        database: str | Path | Database | None = None,
        bus: can.BusABC | Mapping[Channel, can.BusABC] | None = None,
    ) -> None:
        """``bus``: one bus for every frame, or one per recorded channel (``{0: bus_a, 1: bus_b}``,
        keyed by the recording's channel names): a two-bus recording goes back onto two buses;
        frames of a channel with no bus are counted in ``unrouted``, not sent elsewhere."""
        if not speed > 0:
            raise InvalidRequest(f"replay speed must be above zero (1 = original timing), got {speed}")
        self.store = store
        self.recording: Recording = store.recordings.get(recording_id)  # NotFound for an unknown id
        self.speed = float(speed)
        self.bus = bus
        self.unrouted = 0  # frames of a channel that has no bus in the mapping
        self.error: Exception | None = None  # what stopped the replay early, if anything
        self.send_failures = 0  # frames the bus refused (its queue full, adapter gone)
        self.signal_database_note = ""
        self._frames = _Cursor(store, recording_id, FRAMES)
        self._samples = _Cursor(store, recording_id, SAMPLES)
        starts = [t for t in (self._frames.first_time, self._samples.first_time) if t is not None]
        ends = [t for t in (self._frames.last_time, self._samples.last_time) if t is not None]
        self.origin = min(starts) if starts else 0.0  # recording time of replay position 0
        self.duration = (max(ends) - self.origin) if ends else 0.0
        self.frames_replayed = 0
        self.samples_replayed = 0
        self._board = SignalBoard()
        self._decoder = self._make_decoder(database)
        self._names = list(self.recording.signal_names)
        for name in self._names:
            self._board.add(SignalDefinition(name, self.recording.signal_units.get(name, ""), SignalSource.OBD_PID), POLLED_CAPACITY)
        self._meter = BusLoadMeter(500_000, STEP)
        self._bus_load = 0.0
        self._position = 0.0  # s of recording time played
        self._paused = threading.Event()
        self._stop = threading.Event()
        self._finished = threading.Event()  # reached the end
        self._done = threading.Event()  # the thread is over, for whatever reason
        self._thread = threading.Thread(target=self._run, name="replay", daemon=True)

    # -- which database decodes the frames --------------------------------------------------

    def _make_decoder(self, database: str | Path | Database | None) -> BatchDecoder | None:
        if isinstance(database, str | Path):
            database = load_signal_database(Path(database))
        if database is None and self._frames.count:
            database = self._remembered_database()
        if database is None:
            return None
        decoder = BatchDecoder(database)
        for definition in broadcast_definitions(database):
            if definition.name in decoder.signals:
                self._board.add(definition, BROADCAST_CAPACITY)
        return decoder

    def _remembered_database(self) -> Database | None:
        """The one answer to "which database" for this recording (signal_databases), with the reason kept."""
        choice = choose_decoding_database(self.store, recording=self.recording)
        self.signal_database_note = "" if choice.database is not None else (
            choice.reason + "; frames are replayed undecoded")
        return choice.database

    # -- control ------------------------------------------------------------------------------

    def start(self) -> Replay:
        self._thread.start()
        return self

    def pause(self) -> None:
        self._paused.set()

    def resume(self) -> None:
        self._paused.clear()

    @property
    def paused(self) -> bool:
        return self._paused.is_set()

    def set_speed(self, speed: float) -> None:
        if not speed > 0:
            raise InvalidRequest(f"replay speed must be above zero, got {speed}")
        self.speed = float(speed)

    def stop(self, timeout: float = 2.0) -> None:
        """Stop playing (what was played stays in the ring buffers); safe to call twice."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    close = stop  # a LiveSession is closed; a replay the same way

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the replay ended (reached the end, was stopped or failed); True if it reached the end."""
        self._done.wait(timeout)
        return self._finished.is_set()

    @property
    def finished(self) -> bool:
        """Played to the end (a stopped or failed replay is not finished)."""
        return self._finished.is_set()

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._done.is_set()

    @property
    def position(self) -> float:
        """Seconds of the recording played so far (0 .. duration)."""
        return min(self._position, self.duration)

    # -- the read interface of a live session ---------------------------------------------------

    def signal_definitions(self) -> list[SignalDefinition]:
        return self._board.definitions()

    def window(self, name: str, seconds: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        return self._board.window(name, seconds)

    def latest(self, name: str) -> float | None:
        return self._board.latest(name)

    def bus_load_percent(self) -> float:
        return self._bus_load if self.running and not self.paused else 0.0

    @property
    def recording_id(self) -> None:
        return None  # a replay records nothing

    # -- the thread -----------------------------------------------------------------------------

    def _run(self) -> None:
        step = BUS_STEP if self.bus is not None else STEP
        last = time.monotonic()
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                if not self._paused.is_set():
                    if math.isinf(self.speed):
                        self._position = self._next_chunk_end()
                    else:
                        self._position += (now - last) * self.speed
                last = now
                self._hand_over(self.origin + self._position)
                if self._frames.done and self._samples.done:
                    self._position = self.duration
                    self._finished.set()
                    break
                if not math.isinf(self.speed) or self._paused.is_set():
                    self._stop.wait(step)
        except Exception as e:  # noqa: BLE001 - a damaged chunk ends the replay with a reason, not a dead thread
            self.error = e
            log.warning("replay of %s stopped: %s", self.recording.id, e)
        finally:
            self._done.set()

    def _next_chunk_end(self) -> float:
        """As fast as possible: one chunk of frames (or samples) per step, so readers still see progress."""
        for cursor in (self._frames, self._samples):
            if not cursor.done:
                end = cursor.next_chunk_end()
                # a cursor that is not done has chunks, so a last time
                return (end if end is not None else cast(float, cursor.last_time)) - self.origin
        return self.duration

    def _hand_over(self, until: float) -> None:
        for part, meta in self._frames.take_until(until):
            frames = FrameArrays.from_columns(part, meta.get("channels"))
            self.frames_replayed += len(frames)
            self._bus_load = self._meter.add(frames)
            if self._decoder is not None:
                buffers = self._board.buffers
                for name, (t, v) in self._decoder.decode(frames).signals.items():
                    buffer = buffers.get(name)
                    if buffer is not None:
                        buffer.append(t - self.origin, v)
            if self.bus is not None:
                self._send(frames)
        for part, _meta in self._samples.take_until(until):
            self.samples_replayed += len(part["timestamp"])
            signal, t, v = part["signal"], part["timestamp"], part["value"]
            for index in np.unique(signal):
                if index < len(self._names):
                    here = signal == index
                    self._board.buffers[self._names[index]].append(t[here] - self.origin, v[here])

    def _send(self, frames: FrameArrays) -> None:
        """Every frame but error frames onto its bus: CAN FD frames with their whole payload and BRS/ESI
        (the bus must be opened with ``fd=True`` for them), classic frames with their DLC."""
        if isinstance(self.bus, Mapping):
            targets = [self.bus.get(name) for name in frames.channels]
            buses = [targets[code] for code in frames.channel.tolist()]
        else:
            buses = [self.bus] * len(frames)
        lengths = frames.lengths().tolist()
        raw = frames.data.tobytes()
        width = frames.width
        for i, (ident, flag, dlc, length) in enumerate(zip(frames.arbitration_id.tolist(), frames.flags.tolist(),
                                                           frames.dlc.tolist(), lengths, strict=True)):
            if flag & ERROR:
                continue  # error frames are observations, not something to transmit
            bus = buses[i]
            if bus is None:
                self.unrouted += 1
                continue
            fd = bool(flag & FD)
            msg = can.Message(
                arbitration_id=ident, is_extended_id=bool(flag & EXTENDED_ID), is_remote_frame=bool(flag & REMOTE),
                is_fd=fd, bitrate_switch=bool(flag & BRS), error_state_indicator=bool(flag & ESI),
                dlc=length if fd and not flag & REMOTE else min(dlc, 8), data=None if flag & REMOTE else raw[i * width:i * width + length],
                check=False,
            )
            try:
                bus.send(msg)
            except can.CanError as e:
                if not self.send_failures:
                    log.warning("replaying onto the bus failed: %s", e)
                self.send_failures += 1
