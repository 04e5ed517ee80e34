"""Health checks: pure functions ``check_x(signals) -> list[Finding]`` over a :class:`SignalSet`.

Each finding names its system, severity, measured value and unit, the threshold and its
source, a confidence and the time range that proves it. A check that cannot judge returns
findings with ``enough_data=False`` whose summary says what is missing; bad input never
raises (:func:`run_all_checks` also turns an unexpected error into such a finding, so one
broken check cannot hide the others).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from carvrooom_desktop.domain.progress import Cancelled
from analysis.checks._common import System, not_enough_data
from analysis.checks.battery import check_battery
from analysis.checks.brakes import check_brakes
from analysis.checks.catalyst import check_catalyst
from analysis.checks.charging import check_charging
from analysis.checks.coolant_sensor import check_coolant_sensor
from analysis.checks.cooling import check_warm_up
from analysis.checks.fuel_control import check_fuel_control
from analysis.checks.misfire import check_misfire
from analysis.checks.o2_sensor import check_o2_sensor
from analysis.signals import SignalSet
from analysis.thresholds import Thresholds, default_thresholds
from carvrooom_desktop.domain import Finding

log = logging.getLogger(__name__)


def check_cooling(signals: SignalSet, limits: Thresholds | None = None) -> list[Finding]:
    """Warm-up curve and thermostat, plus coolant sensor plausibility."""
    return [check_warm_up(signals, limits), *check_coolant_sensor(signals, limits)]


CheckFunction = Callable[..., list[Finding]]

CHECKS: dict[System, CheckFunction] = {
    System.BATTERY: check_battery,
    System.CHARGING: check_charging,
    System.FUEL_AIR: check_fuel_control,
    System.IGNITION: check_misfire,
    System.CATALYST: check_catalyst,
    System.COOLING: check_cooling,
    System.O2_SENSORS: check_o2_sensor,
    System.BRAKES: check_brakes,
}


class ChecksCancelled(Cancelled):
    """The caller's cancel flag was set between two checks (the shared ``Cancelled`` of domain.progress)."""


def run_all_checks(
    signals: SignalSet,
    limits: Thresholds | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Finding]:
    """Every check over ``signals``, in system order.

    ``progress(done, total)`` is called after each system; ``cancelled()`` is polled before
    each one and, when true, stops the run with :class:`ChecksCancelled`.
    """
    lim = limits if limits is not None else default_thresholds()
    findings: list[Finding] = []
    total = len(CHECKS)
    for done, (system, check) in enumerate(CHECKS.items()):
        if cancelled is not None and cancelled():
            raise ChecksCancelled(f"health checks cancelled after {done} of {total} systems")
        if progress is not None:
            progress(done, total)
        try:
            findings.extend(check(signals, lim))
        except Exception as e:  # a bug in one check must not hide the others' verdicts; logged with its traceback
            log.exception("health check %s failed", check.__name__)
            findings.append(not_enough_data(system, check.__name__, f"the check failed on this data ({type(e).__name__}: {e})"))
    if progress is not None:
        progress(total, total)
    return findings


__all__ = [
    "CHECKS",
    "ChecksCancelled",
    "System",
    "check_battery",
    "check_brakes",
    "check_catalyst",
    "check_charging",
    "check_coolant_sensor",
    "check_cooling",
    "check_fuel_control",
    "check_misfire",
    "check_o2_sensor",
    "check_warm_up",
    "run_all_checks",
]
