"""Reading long recordings for plots without holding them in memory: min/max per pixel, and exact windows.

A recording is a row of compressed chunks (about half a second each). :func:`overview`
walks the chunks that overlap the wanted time range one at a time, decodes only the
asked-for signals with the vectorised decoder and folds each chunk into ``width``
min/max columns, so memory stays at one chunk plus ``width`` columns per signal
however long the recording is (benchmarks/bench_recording_memory.py: one hour at
5,000 frames/s). :func:`read_window` gives every sample of a short range, for a plot
zoomed in far enough that decimation stops.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from carvrooom_desktop.acquisition.decode import BatchDecoder
from carvrooom_desktop.domain import FrameArrays
from carvrooom_desktop.domain.progress import Cancelled, Progress  # Cancelled: nothing partial is returned
from carvrooom_desktop.storage.recordings import FRAMES, SAMPLES
from carvrooom_desktop.storage.store import Store

BATCH_FRAMES = 50_000  # frames decoded per call: ~1 MB of columns, a few dozen numpy calls per batch


@dataclass(frozen=True, slots=True)
class Envelope:
    """Per pixel column of [x0, x1]: the lowest and highest value (NaN where the column is empty) and the count."""

    x0: float
    x1: float
    low: np.ndarray
    high: np.ndarray
    count: np.ndarray

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """Two points (min, max) per non-empty column at the column's left edge: a line plot draws the envelope."""
        width = len(self.count)
        filled = np.flatnonzero(self.count)
        x = self.x0 + (self.x1 - self.x0) * filled / width
        v = np.empty(2 * len(filled))
        v[0::2], v[1::2] = self.low[filled], self.high[filled]
        return np.repeat(x, 2), v


class _Folder:
    def __init__(self, x0: float, x1: float, width: int) -> None:
        self.x0, self.x1, self.width = x0, x1, width
        self.low = np.full(width, np.inf)
        self.high = np.full(width, -np.inf)
        self.count = np.zeros(width, np.int64)

    def add(self, t: np.ndarray, v: np.ndarray) -> None:
        keep = (t >= self.x0) & (t <= self.x1) & ~np.isnan(v)
        if not keep.all():
            t, v = t[keep], v[keep]
        if len(t) == 0:
            return
        span = self.x1 - self.x0
        column = np.minimum(((t - self.x0) * (self.width / span)).astype(np.int64), self.width - 1) if span > 0 else np.zeros(len(t), np.int64)
        if len(column) > 1 and (np.diff(column) < 0).any():  # not time-ordered: scatter (slower)
            np.minimum.at(self.low, column, v)
            np.maximum.at(self.high, column, v)
            self.count += np.bincount(column, minlength=self.width)
            return
        starts = np.concatenate(([0], np.flatnonzero(np.diff(column)) + 1))  # one run per column touched
        cols = column[starts]
        self.low[cols] = np.minimum(self.low[cols], np.minimum.reduceat(v, starts))
        self.high[cols] = np.maximum(self.high[cols], np.maximum.reduceat(v, starts))
        self.count[cols] += np.diff(np.append(starts, len(column)))

    def envelope(self) -> Envelope:
        empty = self.count == 0
        low, high = self.low.copy(), self.high.copy()
        low[empty] = high[empty] = np.nan
        return Envelope(self.x0, self.x1, low, high, self.count.copy())


def time_span(store: Store, recording_id: uuid.UUID) -> tuple[float, float] | None:
    """(first, last) timestamp of a recording's frames and samples, from the chunk index alone."""
    return store.recordings.time_span(recording_id)


def overview(
    store: Store,
    recording_id: uuid.UUID,
    names: Sequence[str],
    *,
    decoder: BatchDecoder | None = None,
    width: int = 1280,
    t_range: tuple[float, float] | None = None,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> dict[str, Envelope]:
    """Min/max envelopes of ``names`` (decoded "MESSAGE.signal" names and polled names) over ``t_range``
    (default: the whole recording) at ``width`` columns; reads one chunk at a time."""
    if width < 1:
        raise ValueError("an overview needs at least one pixel column")
    span = t_range or time_span(store, recording_id)
    recording = store.recordings.get(recording_id)
    if span is None:
        return {}
    x0, x1 = span
    decoded = [n for n in names if decoder is not None and n in decoder.signals]
    polled = {recording.signal_names.index(n): n for n in names if n in recording.signal_names}
    folders = {n: _Folder(x0, x1, width) for n in [*decoded, *polled.values()]}
    frame_chunks = [row for row in store.recordings.chunk_index(recording_id, FRAMES) if row[2] >= x0 and row[1] <= x1] if decoded else []
    sample_chunks = [row for row in store.recordings.chunk_index(recording_id, SAMPLES) if row[2] >= x0 and row[1] <= x1] if polled else []
    total, done = len(frame_chunks) + len(sample_chunks), 0
    pending: list[FrameArrays] = []

    def fold() -> None:
        frames = FrameArrays.concat(pending)
        pending.clear()
        # ``decoded`` is empty without a decoder, so there is one here
        for name, (t, v) in cast(BatchDecoder, decoder).decode(frames, decoded).signals.items():
            folders[name].add(t, v)

    if frame_chunks:  # one streaming query; a few chunks per decode call to spread numpy's per-call cost
        for frames in store.recordings.iter_frames(recording_id, (x0, x1)):
            if cancel is not None and cancel():
                raise Cancelled("overview cancelled")
            pending.append(frames)
            if sum(map(len, pending)) >= BATCH_FRAMES:
                fold()
            done += 1
            if progress is not None:
                progress(done, total)
        if pending:
            fold()
    for seq, *_ in sample_chunks:
        if cancel is not None and cancel():
            raise Cancelled("overview cancelled")
        chunk = store.recordings.load_chunk(recording_id, SAMPLES, seq)
        signal = chunk["signal"]
        for index, name in polled.items():
            lo, hi = np.searchsorted(signal, [index, index + 1])  # sample chunks are grouped by signal
            if hi > lo:
                folders[name].add(chunk["timestamp"][lo:hi], chunk["value"][lo:hi])
        done += 1
        if progress is not None:
            progress(done, total)
    return {name: folder.envelope() for name, folder in folders.items()}


def read_window(
    store: Store, recording_id: uuid.UUID, names: Sequence[str], t_range: tuple[float, float], *, decoder: BatchDecoder | None = None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every sample of ``names`` with t_range[0] <= t <= t_range[1]; reads only the chunks overlapping it."""
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    decoded = [n for n in names if decoder is not None and n in decoder.signals]
    if decoded:
        parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {n: [] for n in decoded}
        for frames in store.recordings.iter_frames(recording_id, t_range):  # trimmed to t_range
            for name, series in cast(BatchDecoder, decoder).decode(frames, decoded).signals.items():  # decoded: a decoder
                parts[name].append(series)
        for name, pieces in parts.items():
            out[name] = (np.concatenate([p[0] for p in pieces]), np.concatenate([p[1] for p in pieces])) if pieces else (np.empty(0), np.empty(0))
    polled = [n for n in names if n not in out]
    if polled:
        out |= store.recordings.load_samples(recording_id, polled, t_range)
    return out
