"""Per-signal ring buffers: producers append batches, consumers copy windows, nobody waits long.

The lock is held only for a bounded copy: ``append`` copies the batch in (at most
``capacity`` values), ``window(seconds)`` binary-searches the start of the window in
the (at most two) sorted segments and copies only that part out.
"""

from __future__ import annotations

import threading

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from carvrooom_desktop.domain import SignalDefinition


class SignalRingBuffer:
    """The newest ``capacity`` (time, value) pairs of one signal; times must not go backwards."""

    def __init__(self, capacity: int = 65_536) -> None:
        if capacity < 1:
            raise ValueError("a ring buffer needs a capacity of at least one sample")
        self.capacity = capacity
        self._t = np.zeros(capacity, np.float64)
        self._v = np.zeros(capacity, np.float64)
        self._written = 0  # total ever written; next position = written % capacity
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return min(self._written, self.capacity)

    @property
    def written(self) -> int:
        """Samples ever appended (a consumer can tell whether anything arrived since it last looked)."""
        return self._written

    def append(self, t: np.ndarray | float, v: np.ndarray | float) -> None:
        t = np.atleast_1d(np.asarray(t, np.float64))
        v = np.atleast_1d(np.asarray(v, np.float64))
        if len(t) != len(v):
            raise ValueError(f"{len(t)} times but {len(v)} values")
        skipped = 0
        if len(t) > self.capacity:
            skipped = len(t) - self.capacity
            t, v = t[skipped:], v[skipped:]
        n = len(t)
        if n == 0:
            return
        with self._lock:
            start = (self._written + skipped) % self.capacity
            first = min(n, self.capacity - start)
            self._t[start : start + first] = t[:first]
            self._v[start : start + first] = v[:first]
            if first < n:
                self._t[: n - first] = t[first:]
                self._v[: n - first] = v[first:]
            self._written += skipped + n

    def latest(self) -> tuple[float, float] | None:
        with self._lock:
            if not self._written:
                return None
            i = (self._written - 1) % self.capacity
            return float(self._t[i]), float(self._v[i])

    def window(self, seconds: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the samples with t >= newest - ``seconds`` (all kept samples when None), oldest first."""
        with self._lock:
            n = min(self._written, self.capacity)
            if n == 0:
                return np.empty(0), np.empty(0)
            end = self._written % self.capacity
            segments = [(0, n)] if n < self.capacity or end == 0 else [(end, self.capacity), (0, end)]
            if seconds is not None:
                cut = self._t[(self._written - 1) % self.capacity] - seconds
                segments = self._from(segments, cut)
            if len(segments) == 1:
                a, b = segments[0]
                return self._t[a:b].copy(), self._v[a:b].copy()
            return (np.concatenate([self._t[a:b] for a, b in segments]),
                    np.concatenate([self._v[a:b] for a, b in segments]))

    def _from(self, segments: list[tuple[int, int]], cut: float) -> list[tuple[int, int]]:
        """The part of the oldest-first ``segments`` whose times are >= ``cut``."""
        for k, (a, b) in enumerate(segments):
            if self._t[b - 1] >= cut:  # the window starts inside this segment
                start = a + int(np.searchsorted(self._t[a:b], cut, side="left"))
                return [(start, b), *segments[k + 1 :]]
        b = segments[-1][1]
        return [(b, b)]  # a negative window: nothing is that new


class SignalBoard:
    """The named ring buffers a live view reads: what a LiveSession and a Replay both offer.

    Signals are added by the one thread that sets a source up; producers append to the
    buffers, consumers call :meth:`window` / :meth:`latest` at their own pace.
    """

    def __init__(self) -> None:
        self._definitions: dict[str, SignalDefinition] = {}
        self._buffers: dict[str, SignalRingBuffer] = {}

    def add(self, definition: SignalDefinition, capacity: int) -> SignalRingBuffer:
        self._definitions[definition.name] = definition
        buffer = self._buffers.get(definition.name)
        if buffer is None or buffer.capacity != capacity:
            buffer = self._buffers[definition.name] = SignalRingBuffer(capacity)
        return buffer

    @property
    def buffers(self) -> dict[str, SignalRingBuffer]:
        return self._buffers

    def __contains__(self, name: str) -> bool:
        return name in self._buffers

    def definitions(self) -> list[SignalDefinition]:
        return list(self._definitions.values())

    def definition(self, name: str) -> SignalDefinition:
        return self._definitions[name]

    def units(self) -> dict[str, str]:
        return {n: d.unit for n, d in self._definitions.items()}

    def window(self, name: str, seconds: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """KeyError (naming the signal) for a signal this source does not have."""
        try:
            buffer = self._buffers[name]
        except KeyError:
            raise KeyError(f"no signal {name!r} in this source") from None
        return buffer.window(seconds)

    def latest(self, name: str) -> float | None:
        buffer = self._buffers.get(name)
        last = buffer.latest() if buffer is not None else None
        return None if last is None else last[1]
