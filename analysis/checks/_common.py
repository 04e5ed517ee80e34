"""What every check needs: systems, "not enough data", grading a value against its limits."""

from __future__ import annotations

import enum
from collections.abc import Sequence

import numpy as np

from analysis.signals import Aligned, SignalSet
from analysis.thresholds import Thresholds, default_thresholds
from carvrooom_desktop.domain import DtcSystem, Finding, Severity


class System(enum.StrEnum):
    """The systems the health checks judge, as a technician names them."""

    BATTERY = "battery"
    CHARGING = "charging"
    FUEL_AIR = "fuel and air"
    IGNITION = "ignition"
    CATALYST = "catalyst"
    COOLING = "cooling"
    O2_SENSORS = "O2 sensors"
    BRAKES = "brakes"

    @property
    def dtc_system(self) -> DtcSystem:
        """The trouble-code family a fault in this system would set (P0xxx grouping)."""
        return _DTC_SYSTEM[self]


_DTC_SYSTEM = {
    System.BATTERY: DtcSystem.CHARGING,
    System.CHARGING: DtcSystem.CHARGING,
    System.FUEL_AIR: DtcSystem.FUEL_AIR,
    System.IGNITION: DtcSystem.IGNITION,
    System.CATALYST: DtcSystem.EMISSIONS,
    System.COOLING: DtcSystem.COOLING,
    System.O2_SENSORS: DtcSystem.FUEL_AIR,
    System.BRAKES: DtcSystem.CHASSIS,
}


def limits_or_default(limits: Thresholds | None) -> Thresholds:
    return limits if limits is not None else default_thresholds()


def not_enough_data(system: System, check: str, reason: str, signal: str = "") -> Finding:
    """No verdict: ``reason`` says what is missing and why."""
    return Finding(
        system=str(system), check=check, severity=Severity.OK, summary=f"Not enough data: {reason}",
        confidence=0.0, signal=signal, enough_data=False,
    )


def align(signals: SignalSet, names: Sequence[str], dt: float | None = None) -> Aligned | str:
    """The signals on one grid, or the reason they cannot be (for "not enough data")."""
    missing = signals.missing(names)
    if missing:
        return "missing " + ", ".join(missing)
    grid = signals.aligned(names, dt=dt)
    if grid is None or len(grid) < 2:
        return "the signals " + ", ".join(names) + " do not overlap in time"
    return grid


def grade(value: float, steps: Sequence[tuple[float, Severity]], higher_is_worse: bool = True) -> tuple[Severity, float | None]:
    """The worst severity whose limit ``value`` passes, and that limit (None when OK).

    ``steps`` are (limit, severity) pairs, e.g. ``[(10, WATCH), (15, WARNING), (25, CRITICAL)]``.
    """
    worst, limit = Severity.OK, None
    for lim, sev in steps:
        passed = value >= lim if higher_is_worse else value <= lim
        if passed and sev >= worst:
            worst, limit = sev, lim
    return worst, limit


def span(t: np.ndarray, i0: int, i1: int) -> tuple[float, float]:
    """Time range of index range ``[i0, i1)``."""
    i1 = max(i0 + 1, i1)
    return float(t[i0]), float(t[i1 - 1])


def fmt(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}"
