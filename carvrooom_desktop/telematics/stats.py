"""What the intake counts, shown on the Fleet page and by ``telematics listen``: every refusal with its reason."""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

LATENCY_SAMPLES = 20_000


@dataclass(frozen=True, slots=True)
class IntakeSnapshot:
    received: int
    stored: int
    duplicates: int
    gaps: int  # gap events
    missing: int  # sequence numbers skipped over
    late: int
    rewinds: int  # a car's sequence jumped back
    births: int
    deaths: int
    rejected: dict[str, int]  # reason -> count
    last_rejects: tuple[tuple[str, str, str], ...]  # (reason, detail, topic), newest last
    connected: bool
    disconnects: int
    online: tuple[str, ...]  # VINs online now
    latency_p50_s: float | None  # publish -> stored
    latency_p99_s: float | None
    queued: int

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in
                ((f, getattr(self, f)) for f in self.__dataclass_fields__)}


@dataclass
class IntakeStats:
    """Counters the writer thread updates and any thread reads (one lock, held briefly)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    last_rejects: deque[tuple[str, str, str]] = field(default_factory=lambda: deque(maxlen=20))
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_SAMPLES))
    online: set[str] = field(default_factory=set)
    connected: bool = False

    def snapshot(self, queued: int = 0) -> IntakeSnapshot:
        with self.lock:
            c = self.counts
            lat = np.fromiter(self.latencies, dtype=float) if self.latencies else None
            p50, p99 = (None, None) if lat is None else (float(np.percentile(lat, 50)), float(np.percentile(lat, 99)))
            return IntakeSnapshot(c["received"], c["stored"], c["duplicates"], c["gaps"], c["missing"], c["late"], c["rewinds"],
                                  c["births"], c["deaths"], dict(self.rejected), tuple(self.last_rejects), self.connected,
                                  c["disconnects"], tuple(sorted(self.online)), p50, p99, queued)


__all__ = ["IntakeSnapshot", "IntakeStats"]
