"""Bus statistics for the trace and bus pages: per id count, rate, intervals and last data; error
frames; bus load. Fed with batches, all per-frame work is numpy.

Rates and bus load are over a sliding window of the bus clock (the frames' own timestamps,
so a replay at any speed reads the same); while less than a window has been seen, over the
time seen. Intervals are between consecutive frames of one id, across batches; a frame older
than the last one of its id (out of order across batches) counts but gives no interval.
Error frames are counted apart and are not an id of their own. Bit counts: see
:mod:`drivers.can.frame_bits`; the data phase of a CAN FD frame with BRS counts at
``data_bitrate`` (when given), every other bit at the nominal ``bitrate``. Ids are counted
across channels (a per-channel view: feed one BusStatistics per channel).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import can
import numpy as np

from carvrooom_desktop.domain.frames import ERROR, EXTENDED_ID, FD, REMOTE, FrameArrays
from drivers.can.frame_bits import STUFFING_MODES, Stuffing, busy_seconds, frame_bits
from drivers.can.frames import as_frame_arrays

DEFAULT_WINDOW = 1.0


@dataclass(frozen=True, slots=True)
class IdStatistics:
    arbitration_id: int
    is_extended: bool
    count: int
    frames_per_second: float  # over the window
    min_interval: float | None  # seconds; None until two frames were seen
    max_interval: float | None
    mean_interval: float | None
    last_timestamp: float
    dlc: int
    last_data: bytes  # the whole payload (up to 64 bytes)
    is_fd: bool
    is_remote: bool


@dataclass(frozen=True, slots=True)
class BusSnapshot:
    timestamp: float | None  # bus clock of the newest frame
    window: float  # seconds the rates were taken over
    total_frames: int  # error frames included
    error_frames: int
    frames_per_second: float
    error_frames_per_second: float
    bus_load_percent: float | None  # None without a nominal bitrate
    bitrate: int | None
    ids: tuple[IdStatistics, ...]  # sorted by (arbitration_id, is_extended)


class BusStatistics:
    """Feed with :meth:`update` (FrameArrays or a list of ``can.Message``); read with :meth:`snapshot`.

    Thread-safe: one thread may feed while another (the GUI timer) takes snapshots.
    """

    def __init__(self, bitrate: int | None = None, *, data_bitrate: int | None = None,
                 window: float = DEFAULT_WINDOW, stuffing: Stuffing = "exact") -> None:
        if window <= 0:
            raise ValueError(f"window must be > 0 s, got {window}")
        if stuffing not in STUFFING_MODES:
            raise ValueError(f"stuffing must be one of {STUFFING_MODES}, got {stuffing!r}")
        self.bitrate = bitrate
        self.data_bitrate = data_bitrate
        self.window = float(window)
        self.stuffing = stuffing
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._keys_sorted = np.empty(0, np.uint64)  # key = id | extended << 32
            self._slot_of_sorted = np.empty(0, np.int64)
            self._keys = np.empty(0, np.uint64)  # by slot
            self._count = np.empty(0, np.int64)
            self._first_ts = np.empty(0, np.float64)
            self._last_ts = np.empty(0, np.float64)
            self._min_iv = np.empty(0, np.float64)
            self._max_iv = np.empty(0, np.float64)
            self._dlc = np.empty(0, np.uint8)
            self._flags = np.empty(0, np.uint8)
            self._data = np.empty((0, 8), np.uint8)
            self._length = np.empty(0, np.int64)
            self._total = 0
            self._errors = 0
            self._start: float | None = None
            self._newest: float | None = None
            # per batch: (newest timestamp, timestamps, slots (-1: error frame), seconds on the bus or None)
            self._recent: deque[tuple[float, np.ndarray, np.ndarray, np.ndarray | None]] = deque()

    def update(self, batch: FrameArrays | Sequence[can.Message]) -> None:
        frames = as_frame_arrays(batch)
        if len(frames) == 0:
            return
        busy = None
        if self.bitrate:
            nominal_bits, data_bits = frame_bits(frames, self.stuffing)
            busy = busy_seconds(frames, nominal_bits, data_bits, self.bitrate, self.data_bitrate)
        error = (frames.flags & ERROR) != 0
        keys = frames.arbitration_id.astype(np.uint64) | ((frames.flags & EXTENDED_ID) != 0).astype(np.uint64) << np.uint64(32)
        with self._lock:
            slots = np.full(len(frames), -1, np.int64)
            good = ~error
            if good.any():
                slots[good] = self._slots_for(keys[good])
                self._update_ids(frames, good, slots[good])
            ts = frames.timestamp
            newest = float(ts.max())
            oldest = float(ts.min())
            self._start = oldest if self._start is None else min(self._start, oldest)
            self._newest = newest if self._newest is None else max(self._newest, newest)
            self._total += len(frames)
            self._errors += int(error.sum())
            self._recent.append((newest, ts.copy(), slots, busy))
            self._drop_old()

    def snapshot(self) -> BusSnapshot:
        with self._lock:
            self._drop_old()
            n_slots = len(self._keys)
            rates = np.zeros(n_slots)
            fps = eps = 0.0
            load = None
            newest = self._newest
            if newest is not None and self._recent:
                ts = np.concatenate([r[1] for r in self._recent])
                slots = np.concatenate([r[2] for r in self._recent])
                inside = ts > newest - self.window
                span = min(self.window, newest - self._start) if self._start is not None else 0.0
                if span <= 0:
                    span = self.window
                in_slots = slots[inside]
                rates = np.bincount(in_slots[in_slots >= 0], minlength=n_slots) / span
                fps = float(inside.sum()) / span
                eps = float((in_slots < 0).sum()) / span
                if self.bitrate:
                    busy = np.concatenate([r[3] for r in self._recent])[inside]
                    load = float(100.0 * busy.sum() / span)
            elif self.bitrate:
                load = 0.0
            order = np.argsort(self._keys, kind="stable")
            count = self._count
            iv_known = count > 1
            mean_iv = np.where(iv_known, (self._last_ts - self._first_ts) / np.maximum(count - 1, 1), np.nan)
            ids = tuple(
                IdStatistics(
                    arbitration_id=int(self._keys[s] & np.uint64(0xFFFFFFFF)),
                    is_extended=bool(self._keys[s] >> np.uint64(32)),
                    count=int(count[s]),
                    frames_per_second=float(rates[s]),
                    min_interval=_opt(self._min_iv[s]),
                    max_interval=_opt(self._max_iv[s]),
                    mean_interval=_opt(mean_iv[s]),
                    last_timestamp=float(self._last_ts[s]),
                    dlc=int(self._dlc[s]),
                    last_data=self._data[s, : int(self._length[s])].tobytes(),
                    is_fd=bool(self._flags[s] & FD),
                    is_remote=bool(self._flags[s] & REMOTE),
                )
                for s in order
            )
            return BusSnapshot(newest, self.window, self._total, self._errors, fps, eps, load, self.bitrate, ids)

    # -- internals (called with the lock held) ---------------------------------------------------

    def _drop_old(self) -> None:
        if self._newest is None:
            return
        horizon = self._newest - self.window
        while self._recent and self._recent[0][0] <= horizon:
            self._recent.popleft()

    def _slots_for(self, keys: np.ndarray) -> np.ndarray:
        unique = np.unique(keys)
        if len(self._keys_sorted):
            pos = np.minimum(np.searchsorted(self._keys_sorted, unique), len(self._keys_sorted) - 1)
            unique = unique[self._keys_sorted[pos] != unique]
        if len(unique):
            self._grow(unique)
        return self._slot_of_sorted[np.searchsorted(self._keys_sorted, keys)]

    def _grow(self, new_keys: np.ndarray) -> None:
        k = len(new_keys)
        self._keys = np.concatenate([self._keys, new_keys])
        order = np.argsort(self._keys, kind="stable")
        self._keys_sorted = self._keys[order]
        self._slot_of_sorted = order
        self._count = np.concatenate([self._count, np.zeros(k, np.int64)])
        for name in ("_first_ts", "_last_ts", "_min_iv", "_max_iv"):
            setattr(self, name, np.concatenate([getattr(self, name), np.full(k, np.nan)]))
        self._dlc = np.concatenate([self._dlc, np.zeros(k, np.uint8)])
        self._flags = np.concatenate([self._flags, np.zeros(k, np.uint8)])
        self._data = np.concatenate([self._data, np.zeros((k, self._data.shape[1]), np.uint8)])
        self._length = np.concatenate([self._length, np.zeros(k, np.int64)])

    def _update_ids(self, frames: FrameArrays, good: np.ndarray, slots: np.ndarray) -> None:
        ts = frames.timestamp[good]
        order = np.lexsort((ts, slots))
        s = slots[order]
        t = ts[order]
        starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
        ends = np.r_[starts[1:], len(s)] - 1
        group = s[starts]
        prev_count = self._count[group]
        prev_last = self._last_ts[group]

        # Interval before each frame: to the previous frame of its id, in this batch or the last one seen.
        gaps = np.empty(len(t))
        gaps[1:] = t[1:] - t[:-1]
        gaps[starts] = np.where(prev_count > 0, t[starts] - prev_last, np.nan)
        gaps[gaps < 0] = np.nan  # out of order across batches
        self._min_iv[group] = np.fmin(self._min_iv[group], np.fmin.reduceat(gaps, starts))
        self._max_iv[group] = np.fmax(self._max_iv[group], np.fmax.reduceat(gaps, starts))

        self._count[group] = prev_count + (ends - starts + 1)
        self._first_ts[group] = np.where(prev_count > 0, np.fmin(self._first_ts[group], t[starts]), t[starts])
        newer = ~(t[ends] < prev_last)  # True too when nothing was seen yet (NaN)
        upd = group[newer]
        rows = np.flatnonzero(good)[order[ends[newer]]]
        self._last_ts[upd] = t[ends[newer]]
        self._dlc[upd] = frames.dlc[rows]
        self._flags[upd] = frames.flags[rows]
        if frames.width > self._data.shape[1]:
            self._data = np.pad(self._data, ((0, 0), (0, frames.width - self._data.shape[1])))
        self._data[upd, : frames.width] = frames.data[rows]
        self._data[upd, frames.width:] = 0
        self._length[upd] = frames.lengths()[rows]


def _opt(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
