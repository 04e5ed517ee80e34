"""Diagnostic trouble codes as read from a control unit."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class DtcKind(enum.StrEnum):
    """Which memory a code was read from (OBD-II modes 03, 07 and 0A)."""

    STORED = "stored"  # confirmed, mode 03
    PENDING = "pending"  # detected once, mode 07
    PERMANENT = "permanent"  # survives a clear, mode 0A


class DtcSystem(enum.StrEnum):
    """The vehicle system a code belongs to, as a technician groups them."""

    FUEL_AIR = "fuel and air metering"
    IGNITION = "ignition / misfire"
    EMISSIONS = "auxiliary emission controls"
    SPEED_IDLE = "vehicle speed and idle control"
    COMPUTER = "computer and output circuits"
    TRANSMISSION = "transmission"
    HYBRID = "hybrid / EV propulsion"
    COOLING = "cooling"
    CHARGING = "charging / electrical"
    CHASSIS = "chassis"
    BODY = "body"
    NETWORK = "network communication"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Dtc:
    """One trouble code, e.g. ``P0171`` stored, "System Too Lean (Bank 1)"."""

    code: str
    kind: DtcKind = DtcKind.STORED
    description: str = ""
    system: DtcSystem = DtcSystem.UNKNOWN
    ecu: str = ""  # responding ECU address, e.g. "7E8"

    @property
    def letter(self) -> str:
        """P (powertrain), C (chassis), B (body) or U (network)."""
        return self.code[:1]

    @property
    def is_generic(self) -> bool:
        """SAE-defined code (second character 0, or 2 for P, or 3 for P3400-P3999)."""
        return len(self.code) == 5 and (
            self.code[1] == "0" or (self.code[0] == "P" and self.code[1] == "2")
        )
