"""What a signal is and where it comes from."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class SignalSource(enum.StrEnum):
    OBD_PID = "obd"  # polled over OBD-II (mode 01)
    CAN_DBC = "can"  # decoded from broadcast frames with a signal database
    DERIVED = "derived"  # computed from other signals


@dataclass(frozen=True, slots=True)
class SignalDefinition:
    """A named, unit-bearing quantity, e.g. ``engine_speed`` in rpm from OBD PID 0C."""

    name: str
    unit: str
    source: SignalSource
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True, slots=True)
class SignalSample:
    """One polled value; bulk data travels as numpy arrays, not as these."""

    name: str
    timestamp: float
    value: float
