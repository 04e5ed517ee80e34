"""The most recent raw frames, for readers that want every frame (the CAN trace), not signal windows.

The frame pipeline adds each batch once (one deque append under a lock, no per-frame
work); a reader keeps a cursor (frames seen so far) and takes what came after it.
Old batches fall off once ``capacity`` frames are held; a reader that fell behind is
told how many it missed instead of silently getting a hole.
"""

from __future__ import annotations

import threading
from collections import deque

from carvrooom_desktop.domain import FrameArrays

DEFAULT_CAPACITY = 500_000  # ~11 s of a saturated 1 Mbit/s bus at 45k frames/s; ~20 MB


class FrameWindow:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._batches: deque[tuple[int, FrameArrays]] = deque()  # (index of its first frame, frames)
        self._held = 0
        self._total = 0
        self._lock = threading.Lock()

    @property
    def total(self) -> int:
        """Frames ever added (the cursor of a reader that is up to date)."""
        return self._total

    def add(self, frames: FrameArrays) -> None:
        n = len(frames)
        if n == 0:
            return
        with self._lock:
            self._batches.append((self._total, frames))
            self._total += n
            self._held += n
            while self._held - len(self._batches[0][1]) >= self.capacity:
                self._held -= len(self._batches.popleft()[1])

    def since(self, cursor: int) -> tuple[FrameArrays, int, int]:
        """Frames after ``cursor`` -> (frames, new cursor, frames missed because they fell out of the window)."""
        with self._lock:
            batches = list(self._batches)
            total = self._total
        if cursor >= total:
            return FrameArrays.empty(), total, 0
        oldest = batches[0][0] if batches else total
        missed = max(0, oldest - cursor)
        parts = []
        for first, frames in batches:
            end = first + len(frames)
            if end <= cursor:
                continue
            parts.append(frames if first >= cursor else _tail(frames, cursor - first))
        return FrameArrays.concat(parts), total, missed


def _tail(frames: FrameArrays, start: int) -> FrameArrays:
    return frames.rows(slice(start, None))
