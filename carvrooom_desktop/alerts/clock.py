"""The scheduler's clock, injectable: the system clock in the app, a fake one in tests and benchmarks.

``wait(deadline, stop)`` sleeps until the clock reaches ``deadline`` or ``stop`` is set or
``poke()`` is called (a new step was planned). The fake clock wakes its waiters when it is
advanced, so a threaded scheduler runs on fake time with no real sleeping.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...

    def wait(self, deadline: float, stop: threading.Event) -> None: ...

    def poke(self) -> None: ...


class SystemClock:
    def __init__(self) -> None:
        self._poked = threading.Event()

    def now(self) -> float:
        return time.time()

    def wait(self, deadline: float, stop: threading.Event) -> None:
        # Sleep in short slices so stop and poke are seen; a wall-clock jump is seen within a slice.
        while not stop.is_set() and not self._poked.is_set():
            left = deadline - time.time()
            if left <= 0:
                break
            self._poked.wait(min(left, 0.5))
        self._poked.clear()

    def poke(self) -> None:
        self._poked.set()


class FakeClock:
    """Time that moves only when told to (``advance``/``set``)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = start
        self._cond = threading.Condition()
        self._poked = False
        self.waiting = threading.Event()  # set while a waiter sleeps (tests wait for it before advancing)

    def now(self) -> float:
        with self._cond:
            return self._now

    def advance(self, seconds: float) -> float:
        with self._cond:
            self._now += seconds
            self._cond.notify_all()
            return self._now

    def set(self, moment: float) -> None:
        with self._cond:
            self._now = moment
            self._cond.notify_all()

    def wait(self, deadline: float, stop: threading.Event) -> None:
        with self._cond:
            self.waiting.set()
            while self._now < deadline and not stop.is_set() and not self._poked:
                self._cond.wait(0.05)  # stop is an Event, not this condition: look at it now and then
            self._poked = False
            self.waiting.clear()

    def poke(self) -> None:
        with self._cond:
            self._poked = True
            self._cond.notify_all()


__all__ = ["Clock", "FakeClock", "SystemClock"]
