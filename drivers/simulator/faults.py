"""The faults a technician can inject into the simulated car, and how to name them.

A fault is written ``name[:severity]``, e.g. ``vacuum_leak``, ``vacuum_leak:0.6`` or
``misfire_cyl3:0.5``; severity is in (0, 1] and defaults to 1 (the full-blown fault).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from carvrooom_desktop.domain import DtcSystem
from drivers.simulator.errors import FaultError, UnknownFault

CYLINDERS = 4
_MISFIRE = re.compile(r"misfire_cyl(\d+)")


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """What a fault is, for a menu or a report: the system it hits and the codes it can set."""

    name: str
    system: str
    description: str
    dtcs: tuple[str, ...]


def _misfire_spec(n: int) -> FaultSpec:
    return FaultSpec(
        f"misfire_cyl{n}",
        DtcSystem.IGNITION,
        f"Cylinder {n} misfires (worn plug or failing coil); P0300 as well when severe",
        (f"P030{n}", "P0300"),
    )


FAULT_CATALOGUE: dict[str, FaultSpec] = {
    s.name: s
    for s in (
        FaultSpec("weak_battery", DtcSystem.CHARGING, "Sulfated battery: low resting voltage, deep cranking dip, slow crank", ("P0562",)),
        FaultSpec("failing_alternator", DtcSystem.CHARGING, "Alternator cannot keep up: charging voltage low, battery drains while running", ("P0562", "P0622")),
        FaultSpec("vacuum_leak", DtcSystem.FUEL_AIR, "Unmetered air after the MAF sensor: lean at idle, fuel trims strongly positive", ("P0171",)),
        *(_misfire_spec(n) for n in range(1, CYLINDERS + 1)),
        FaultSpec("thermostat_stuck_open", DtcSystem.COOLING, "Thermostat stuck open: slow warm-up, coolant plateaus below regulating temperature", ("P0128",)),
        FaultSpec("lazy_o2_upstream", DtcSystem.FUEL_AIR, "Aged upstream O2 sensor: slow lean/rich transitions, lower switching frequency", ("P0133",)),
        FaultSpec("degraded_catalyst", DtcSystem.EMISSIONS, "Catalyst has lost its oxygen storage: downstream O2 mirrors upstream", ("P0420",)),
        FaultSpec("worn_brake_pads", DtcSystem.CHASSIS, "Front brake pads near the wear limit (no powertrain code: reported by the brake wear lamp)", ()),
        FaultSpec("coolant_sensor_fault", DtcSystem.COOLING, "Coolant temperature sensor erratic; open circuit (reads -40 °C) when severe", ("P0116", "P0119", "P0118")),
    )
}


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected fault. ``Fault("misfire", cylinder=3)`` and ``Fault("misfire_cyl3")`` are the same."""

    name: str
    severity: float = 1.0
    cylinder: int | None = None

    def __post_init__(self) -> None:
        name = self.name.strip().lower()
        cylinder = self.cylinder
        m = _MISFIRE.fullmatch(name)
        if m:
            n = int(m.group(1))
            if cylinder is not None and cylinder != n:
                raise FaultError(f"fault {name!r} names cylinder {n} but cylinder={cylinder} was given")
            cylinder = n
        elif name == "misfire":
            if cylinder is None:
                raise FaultError("a misfire needs a cylinder: misfire_cyl1 .. misfire_cyl4")
        elif name not in FAULT_CATALOGUE:
            raise UnknownFault(name, FAULT_CATALOGUE)
        elif cylinder is not None:
            raise FaultError(f"fault {name!r} does not take a cylinder")
        if cylinder is not None:
            if not 1 <= cylinder <= CYLINDERS:
                raise FaultError(f"cylinder must be 1..{CYLINDERS}, got {cylinder}")
            name = f"misfire_cyl{cylinder}"
        sev = float(self.severity)
        if not (math.isfinite(sev) and 0.0 < sev <= 1.0):
            raise FaultError(f"severity of {name!r} must be in (0, 1], got {self.severity!r}")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "severity", sev)
        object.__setattr__(self, "cylinder", cylinder)

    @property
    def spec(self) -> FaultSpec:
        return FAULT_CATALOGUE[self.name]

    def __str__(self) -> str:
        return self.name if self.severity == 1.0 else f"{self.name}:{self.severity:g}"


def parse_fault(text: str) -> Fault:
    """``"vacuum_leak"``, ``"vacuum_leak:0.6"``, ``"misfire_cyl3:0.5"`` -> Fault.

    Raises UnknownFault for a name the simulator does not know, ValueError for a bad
    severity or cylinder.
    """
    name, sep, sev_text = text.strip().partition(":")
    name = name.strip().lower()
    if not name:
        raise UnknownFault(text, FAULT_CATALOGUE)
    severity = 1.0
    if sep:
        try:
            severity = float(sev_text)
        except ValueError:
            raise FaultError(f"severity of {name!r} must be a number in (0, 1], got {sev_text.strip()!r}") from None
    return Fault(name, severity)


def parse_faults(text: str | Iterable[str]) -> tuple[Fault, ...]:
    """A comma-separated list (or an iterable) of fault texts, e.g. from a command line."""
    items = text.split(",") if isinstance(text, str) else text
    return tuple(parse_fault(t) for t in items if t.strip())
