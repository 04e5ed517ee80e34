"""The hybrid logical clock that stamps every change (Kulkarni et al., 2014), as one integer.

``stamp = (physical ms << 16) | logical counter``. Sending (a local change):
``stamp = max(last + 1, now_ms << 16)``; receiving (rows pulled from the server):
``last = max(last, remote)``. So a change made after seeing another always carries a larger
stamp, whatever the wall clocks say: a workstation whose clock is ten minutes behind still
wins with an edit it made *after* reading the front desk's. The physical part follows the
server's clock: ``now_ms`` is the local clock plus ``sync_state.offset_ms``, the offset the
engine measures against PostgreSQL's ``clock_timestamp()`` at every sync, so a skewed clock
does not make a workstation win races it should lose either (beyond one sync's error).

On the workstation the clock lives in ``sync_state`` and is advanced by the capture triggers
(storage/sync_capture.py); :class:`HybridClock` is the same rule in Python, for the tests and
for tools. Ties between two workstations are broken by the workstation id (``stamp_key``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

LOGICAL_BITS = 16
LOGICAL_MASK = (1 << LOGICAL_BITS) - 1


def pack(physical_ms: int, counter: int = 0) -> int:
    return (int(physical_ms) << LOGICAL_BITS) | (counter & LOGICAL_MASK)


def physical_ms(stamp: int) -> int:
    return int(stamp) >> LOGICAL_BITS


def counter(stamp: int) -> int:
    return int(stamp) & LOGICAL_MASK


def stamp_key(stamp: int, origin: str) -> tuple[int, str]:
    """Total order over changes: the stamp, then the workstation id."""
    return int(stamp), origin or ""


def describe(stamp: int) -> str:
    from datetime import UTC, datetime

    when = datetime.fromtimestamp(physical_ms(stamp) / 1000, UTC)
    return f"{when:%Y-%m-%d %H:%M:%S.%f}"[:-3] + f"Z+{counter(stamp)}"


class HybridClock:
    def __init__(self, now_ms: Callable[[], int] | None = None, last: int = 0) -> None:
        self._now_ms = now_ms or (lambda: int(time.time() * 1000))
        self.last = last

    def send(self) -> int:
        self.last = max(self.last + 1, pack(self._now_ms()))
        return self.last

    def receive(self, remote: int) -> int:
        self.last = max(self.last, int(remote))
        return self.last


__all__ = ["HybridClock", "LOGICAL_BITS", "counter", "describe", "pack", "physical_ms", "stamp_key"]
