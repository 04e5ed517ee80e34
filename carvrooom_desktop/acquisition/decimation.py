"""Min/max decimation of long signal histories to a screen's pixel width (no Qt).

A plot never needs more than two points per pixel column: the smallest and the largest
value that falls into it. :class:`SignalHistory` keeps one signal's whole history in
growable arrays plus a min/max pyramid (blocks of ``BLOCK`` samples, then blocks of
blocks...), so a visible span of millions of samples is reduced from a few thousand
block summaries instead of the raw samples. Appends extend the pyramid from the last
incomplete block only; the result of the last :meth:`SignalHistory.decimate` call is
cached and reused while neither the data (``version``) nor the request changed — the
scheme of the MDF viewers (asammdf), where a repaint with nothing new costs nothing.

Accuracy: within a pixel column the min and max are exact when the column is made of
raw samples; made of blocks, a block that straddles a column edge counts in the column
where it starts, so an extreme can show one pixel early, and the first column may show
an extreme from just before the view (at most one block). Every sample in view lies
inside the drawn envelope, and every drawn value is a real sample (property tests).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

BLOCK = 32  # samples per block at level 1; each higher level groups BLOCK blocks of the level below
MIN_BLOCKS_PER_PIXEL = 4  # use a level only when every pixel still gets this many of its blocks
INITIAL_CAPACITY = 1024


@dataclass(frozen=True, slots=True)
class Decimated:
    """Points to draw: ``t`` ascending (pairs share a time), ``v`` the values; ``raw`` when nothing was reduced."""

    t: np.ndarray
    v: np.ndarray
    raw: bool


def minmax_bins(t: np.ndarray, lo: np.ndarray, hi: np.ndarray, x0: float, x1: float, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Reduce points (or block summaries with their own ``lo``/``hi``) to <= 2 points per pixel column of [x0, x1].

    ``t`` must be ascending; every point belongs to the column its time falls in (the
    first column also takes anything before ``x0``). Each non-empty column gives
    (column's first time, min) and (same time, max): a vertical stroke one pixel wide.
    """
    if len(t) == 0:
        return np.empty(0), np.empty(0)
    edges = np.searchsorted(t, np.linspace(x0, x1, width + 1), side="left")
    edges[0] = 0
    starts = edges[:-1][edges[1:] > edges[:-1]]  # non-empty columns (edges ascend, so no sort needed)
    mins = np.minimum.reduceat(lo, starts)
    maxs = np.maximum.reduceat(hi, starts)
    out_t = np.repeat(t[starts], 2)
    out_v = np.empty(2 * len(starts))
    out_v[0::2] = mins
    out_v[1::2] = maxs
    return out_t, out_v


class _Level:
    """Min/max of consecutive blocks of the level below; ``t`` is each block's first time."""

    __slots__ = ("t", "lo", "hi", "n")

    def __init__(self) -> None:
        self.t = np.empty(0)
        self.lo = np.empty(0)
        self.hi = np.empty(0)
        self.n = 0  # blocks summarised, the last one possibly incomplete


class SignalHistory:
    """One signal's samples (time ascending), a min/max pyramid over them and a one-entry decimation cache.

    Thread-safe: a producer may :meth:`append` while the GUI :meth:`decimate` s. ``max_samples``
    bounds memory: beyond it the oldest half is dropped (and the pyramid rebuilt once).
    """

    def __init__(self, max_samples: int = 20_000_000) -> None:
        self.max_samples = max(2 * BLOCK, max_samples)
        self._t = np.empty(INITIAL_CAPACITY)
        self._v = np.empty(INITIAL_CAPACITY)
        self._n = 0
        self._levels: list[_Level] = []
        self._dirty_from = 0  # first raw sample whose block summaries are stale
        self.version = 0  # bumped by every append that adds samples
        self._cache_key: tuple[int, float, float, int] | None = None
        self._cache: Decimated | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._n

    @property
    def t(self) -> np.ndarray:
        return self._t[: self._n]

    @property
    def v(self) -> np.ndarray:
        return self._v[: self._n]

    def last_time(self) -> float | None:
        return float(self._t[self._n - 1]) if self._n else None

    def clear(self) -> None:
        with self._lock:
            self._n = 0
            self._levels = []
            self._dirty_from = 0
            self.version += 1

    def replace(self, t: np.ndarray, v: np.ndarray) -> None:
        """The whole history at once (an opened recording, a replay restarting)."""
        self.clear()
        self.append(t, v)

    def append(self, t: np.ndarray, v: np.ndarray) -> int:
        """Add samples newer than the last one (older or equal times are skipped); returns how many were added."""
        t = np.asarray(t, np.float64).ravel()
        v = np.asarray(v, np.float64).ravel()
        if len(t) != len(v):
            raise ValueError(f"{len(t)} times but {len(v)} values")
        with self._lock:
            if self._n and len(t):
                t, v = t[t > self._t[self._n - 1]], v[t > self._t[self._n - 1]]
            if len(t) > 1 and np.any(np.diff(t) < 0):
                order = np.argsort(t, kind="stable")
                t, v = t[order], v[order]
            k = len(t)
            if k == 0:
                return 0
            if self._n + k > self.max_samples:
                self._drop_oldest(self._n + k - self.max_samples)
            self._reserve(self._n + k)
            self._t[self._n : self._n + k] = t
            self._v[self._n : self._n + k] = v
            self._dirty_from = min(self._dirty_from, self._n)
            self._n += k
            self.version += 1
            return k

    def _reserve(self, size: int) -> None:
        if size <= len(self._t):
            return
        capacity = max(size, 2 * len(self._t))
        for name in ("_t", "_v"):
            grown = np.empty(capacity)
            grown[: self._n] = getattr(self, name)[: self._n]
            setattr(self, name, grown)

    def _drop_oldest(self, count: int) -> None:
        drop = min(self._n, max(count, self._n // 2))
        keep = self._n - drop
        self._t[:keep] = self._t[drop : self._n]
        self._v[:keep] = self._v[drop : self._n]
        self._n = keep
        self._levels = []
        self._dirty_from = 0

    # -- pyramid ------------------------------------------------------------------------------

    def _refresh_levels(self) -> None:
        """Bring the block summaries up to date from the first stale block (called with the lock held)."""
        below_t, below_lo, below_hi, below_n = self._t, self._v, self._v, self._n
        dirty = self._dirty_from
        depth = 0
        while below_n > BLOCK * MIN_BLOCKS_PER_PIXEL:
            if depth == len(self._levels):
                self._levels.append(_Level())
            level = self._levels[depth]
            first_block = min(dirty // BLOCK, level.n)
            if first_block > 0 and level.n:
                first_block = min(first_block, level.n - 1)  # the last block may have been incomplete
            start = first_block * BLOCK
            starts = np.arange(start, below_n, BLOCK)
            blocks = len(starts)
            total = first_block + blocks
            if len(level.t) < total:
                capacity = max(total, 2 * len(level.t))
                for name in ("t", "lo", "hi"):
                    grown = np.empty(capacity)
                    grown[: level.n] = getattr(level, name)[: level.n]
                    setattr(level, name, grown)
            if blocks:
                level.t[first_block:total] = below_t[starts]
                level.lo[first_block:total] = np.minimum.reduceat(below_lo[start:below_n], starts - start)
                level.hi[first_block:total] = np.maximum.reduceat(below_hi[start:below_n], starts - start)
            level.n = total
            below_t, below_lo, below_hi, below_n = level.t, level.lo, level.hi, level.n
            dirty = first_block
            depth += 1
        del self._levels[depth:]
        self._dirty_from = self._n

    # -- reading ------------------------------------------------------------------------------

    def decimate(self, x0: float, x1: float, width: int) -> Decimated:
        """What to draw of [x0, x1] at ``width`` pixels: raw samples if few, else min/max per pixel column.

        One sample on each side of the range is included so lines run to the plot's edges.
        """
        width = max(1, int(width))
        key = (self.version, float(x0), float(x1), width)
        with self._lock:
            if key == self._cache_key and self._cache is not None:
                return self._cache
            result = self._decimate(float(x0), float(x1), width)
            self._cache_key, self._cache = key, result
            return result

    def _decimate(self, x0: float, x1: float, width: int) -> Decimated:
        n = self._n
        if n == 0 or x1 <= x0:
            return Decimated(np.empty(0), np.empty(0), True)
        t = self._t[:n]
        first = int(np.searchsorted(t, x0, side="left"))  # first sample in view
        stop = int(np.searchsorted(t, x1, side="right"))  # one past the last in view
        before, after = max(0, first - 1), min(n, stop + 1)  # plus one neighbour on each side
        if stop - first <= 2 * width:
            return Decimated(t[before:after].copy(), self._v[before:after].copy(), True)
        use_levels = stop - first >= BLOCK * MIN_BLOCKS_PER_PIXEL * width  # only then can a level serve
        if use_levels:
            self._refresh_levels()
        # the coarsest level that still leaves MIN_BLOCKS_PER_PIXEL blocks per pixel column
        src_t, src_lo, src_hi, a, b = t, self._v[:n], self._v[:n], first, stop
        for level in self._levels if use_levels else ():
            lt = level.t[: level.n]
            la = max(0, int(np.searchsorted(lt, t[first], side="right")) - 1)  # block holding the first sample in view
            lb = int(np.searchsorted(lt, t[stop - 1], side="right"))
            if lb - la < MIN_BLOCKS_PER_PIXEL * width:
                break
            src_t, src_lo, src_hi, a, b = level.t, level.lo, level.hi, la, lb
        inner_t, inner_v = minmax_bins(src_t[a:b], src_lo[a:b], src_hi[a:b], x0, x1, width)
        # the samples just outside the view keep the line running to the edges
        head = slice(before, first)
        tail = slice(stop, after)
        return Decimated(np.concatenate([t[head], inner_t, t[tail]]),
                         np.concatenate([self._v[head], inner_v, self._v[tail]]), False)

    def value_at(self, x: float) -> float | None:
        """The sample in force at time ``x`` (the last one at or before it), for cursors."""
        with self._lock:
            n = self._n
            if n == 0:
                return None
            i = int(np.searchsorted(self._t[:n], x, side="right")) - 1
            return float(self._v[max(i, 0)]) if i >= 0 else None
