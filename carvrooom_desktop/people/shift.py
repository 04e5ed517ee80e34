"""The workstation's sign-in for a shift: who is signed in, locked after idle, expired with a clear message."""

from __future__ import annotations

import time
from collections.abc import Callable

from carvrooom_desktop.errors import CarVrooomError
from carvrooom_desktop.people.actor import Actor

IDLE_LOCK_S = 15 * 60.0


class SessionExpired(CarVrooomError):
    """The workstation locked itself after idle time (or was locked): sign in again; nothing was lost."""


class ShiftSession:
    """Holds the signed-in actor; ``current()`` refuses once the workstation has been idle too long."""

    def __init__(self, idle_lock_s: float = IDLE_LOCK_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_lock_s = idle_lock_s
        self._clock = clock
        self._actor: Actor | None = None
        self._last = clock()
        self._locked = False

    def sign_in(self, actor: Actor) -> None:
        self._actor, self._locked, self._last = actor, False, self._clock()

    def touch(self) -> None:
        if not self.is_locked:
            self._last = self._clock()

    def lock(self) -> None:
        self._locked = True

    def sign_out(self) -> Actor | None:
        actor, self._actor, self._locked = self._actor, None, False
        return actor

    @property
    def is_locked(self) -> bool:
        if self._actor is None or self._actor.demo:
            return False
        if not self._locked and self._clock() - self._last > self.idle_lock_s:
            self._locked = True
        return self._locked

    @property
    def signed_in(self) -> Actor | None:
        return self._actor

    def current(self) -> Actor | None:
        """The actor, or SessionExpired when locked; ``None`` when nobody signed in (then everything is refused)."""
        if self.is_locked:
            who = self._actor.label if self._actor is not None else "the user"
            raise SessionExpired(f"the workstation locked after {self.idle_lock_s / 60:g} minutes idle: {who} must sign in again")
        self.touch()
        return self._actor


__all__ = ["IDLE_LOCK_S", "SessionExpired", "ShiftSession"]
