"""Errors raised by the simulated vehicle."""

from __future__ import annotations

from collections.abc import Iterable

from drivers.errors import DriverError


class FaultError(DriverError, ValueError):
    """A fault the simulator cannot inject as asked (unknown name, wrong cylinder, bad severity)."""


class UnknownFault(FaultError):
    """A fault name the simulator does not know; the message lists the ones it does."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(f"unknown fault {name!r}; known faults: {', '.join(self.known)}")
