"""The recorder: batches in, one compressed chunk per kind every half second out, on its own thread.

A commit every ``flush_interval`` (0.5 s, on a fixed schedule so a slow write does not
stretch it) bounds what a killed app can lose to well under the last second
(tests/acquisition/test_recording_faults.py kills a recording process with SIGKILL).
A write that fails (disk full, database gone) stops the recording with a clear error
and keeps every chunk already committed (tested on a full tmpfs).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable

import numpy as np
from sqlalchemy.exc import SQLAlchemyError

from carvrooom_desktop.domain import FrameArrays
from carvrooom_desktop.errors import RecordingError
from carvrooom_desktop.storage.recordings import RecordingRepository

log = logging.getLogger(__name__)

FLUSH_INTERVAL = 0.5  # s between commits: what a killed app can lose, plus one batch of the pipeline


class Recorder:
    def __init__(
        self,
        repository: RecordingRepository,
        recording_id: uuid.UUID,
        signal_units: dict[str, str],
        *,
        flush_interval: float = FLUSH_INTERVAL,
        on_error: Callable[[RecordingError], None] | None = None,
    ) -> None:
        self.repository = repository
        self.recording_id = recording_id
        self.units = dict(signal_units)
        self._index = {name: i for i, name in enumerate(self.units)}
        self._units_changed = False
        self.flush_interval = flush_interval
        self.on_error = on_error
        self.error: RecordingError | None = None
        self._frames: list[FrameArrays] = []
        self._samples: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._seq = {"frames": 0, "samples": 0}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"recorder-{str(recording_id)[:8]}", daemon=True)
        self._thread.start()

    @property
    def active(self) -> bool:
        return self.error is None and not self._stop.is_set()

    def add_frames(self, frames: FrameArrays) -> None:
        if len(frames) and self.active:
            with self._lock:
                self._frames.append(frames)

    def add_samples(self, name: str, unit: str, t: np.ndarray, v: np.ndarray) -> None:
        if not len(t) or not self.active:
            return
        with self._lock:
            if name not in self._index:
                self._index[name] = len(self.units)
                self.units[name] = unit
                self._units_changed = True
            self._samples.append((np.full(len(t), self._index[name], np.uint16), np.asarray(t, np.float64), np.asarray(v, np.float64)))

    def stop(self) -> RecordingError | None:
        """Write what is pending and end the thread; returns the error that stopped it, if any."""
        self._stop.set()
        self._thread.join()
        return self.error

    @property
    def chunks_written(self) -> int:
        return sum(self._seq.values())

    def _run(self) -> None:
        next_due = time.monotonic() + self.flush_interval
        while not self._stop.wait(max(0.0, next_due - time.monotonic())):
            next_due = max(next_due + self.flush_interval, time.monotonic())
            if not self._flush():
                return
        self._flush()

    def _flush(self) -> bool:
        with self._lock:
            frames, self._frames = self._frames, []
            samples, self._samples = self._samples, []
            units = dict(self.units) if self._units_changed else None
            self._units_changed = False
        try:
            if frames:
                self.repository.append_frames(self.recording_id, self._seq["frames"], FrameArrays.concat(frames))
                self._seq["frames"] += 1
            if samples:
                signal, t, v = (np.concatenate(col) for col in zip(*samples, strict=True))
                self.repository.append_samples(self.recording_id, self._seq["samples"], signal, t, v, signal_units=units)
                self._seq["samples"] += 1
            elif units is not None:
                self._units_changed = True  # carry the new names to the next sample chunk
        except (SQLAlchemyError, OSError) as e:
            reason = str(getattr(e, "orig", None) or e).splitlines()[0]
            written = sum(self._seq.values())
            hint = " Free some disk space (or choose another database in Settings) and record again." if _disk_full(e) else ""
            self.error = RecordingError(
                f"recording stopped: cannot write to the store ({reason}); the {written} chunk(s) already written are kept.{hint}"
            )
            log.error("%s", self.error)
            if self.on_error:
                self.on_error(self.error)
            return False
        return True


def _disk_full(error: Exception) -> bool:
    """SQLite says "database or disk is full" (SQLITE_FULL); the OS says ENOSPC / EDQUOT."""
    import errno

    inner = getattr(error, "orig", None) or error
    return getattr(inner, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or "full" in str(inner).lower() or "no space" in str(inner).lower()
