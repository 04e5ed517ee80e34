"""Fuel control: total fuel trim (STFT + LTFT) at warm idle and under load, and the mixture pattern.

Positive trim = the ECU adds fuel because the engine runs lean. Enabling conditions: engine
warm (coolant > 70 °C), closed loop (``fuel_closed_loop`` when reported; otherwise 60 s after
start, no deceleration fuel cut and no full-load enrichment), steady for 8 s. Idle = rpm < 1000
and standing; load = about 2,500 rpm or steady cruise. A vacuum leak is lean at idle and
much better under load, because the leak is a large share of the idle air flow only.
"""

from __future__ import annotations

from typing import TypedDict

import numpy as np

from analysis import conditions
from analysis.checks._common import System, align, limits_or_default, not_enough_data
from analysis.signals import SignalSet
from analysis.thresholds import Thresholds
from carvrooom_desktop.domain import Finding, Severity


class _Common(TypedDict):
    """The Finding fields this check's verdicts share (``Finding(..., **common)``)."""

    system: str
    check: str
    unit: str
    time_range: tuple[float, float]
    signal: str


IDLE_CHECK, LOAD_CHECK, PATTERN_CHECK = "fuel trim at idle", "fuel trim under load", "mixture pattern"
REQUIRED = ["stft_b1", "ltft_b1", "engine_speed", "vehicle_speed", "coolant_temp"]
TOTAL_TRIM = "stft_b1+ltft_b1"  # the evidence is the sum of the two trims (what is measured)


def _severity(trim: float, lim: Thresholds) -> tuple[Severity, float, str]:
    a = abs(trim)
    for name, sev in (("fuel.trim_critical_pct", Severity.CRITICAL), ("fuel.trim_warning_pct", Severity.WARNING),
                      ("fuel.trim_watch_pct", Severity.WATCH)):
        if a >= lim[name]:
            return sev, lim[name], name
    return Severity.OK, lim["fuel.trim_watch_pct"], "fuel.trim_watch_pct"


def _describe(trim: float) -> str:
    if trim >= 0:
        return f"+{trim:.1f} % (ECU adding fuel: running lean)"
    return f"{trim:.1f} % (ECU removing fuel: running rich)"


def check_fuel_control(signals: SignalSet, limits: Thresholds | None = None) -> list[Finding]:
    lim = limits_or_default(limits)
    grid = align(signals, REQUIRED)
    if isinstance(grid, str):
        return [not_enough_data(System.FUEL_AIR, c, grid, "stft_b1") for c in (IDLE_CHECK, LOAD_CHECK)]
    rpm, speed = grid["engine_speed"], grid["vehicle_speed"]
    total = grid["stft_b1"] + grid["ltft_b1"]
    base = conditions.closed_loop(signals, grid, lim) & conditions.warm(grid["coolant_temp"], lim)
    steady_rpm = conditions.steady(rpm, grid.dt, 5.0, 150.0)
    idle = base & conditions.idle(rpm, speed, lim) & steady_rpm
    load = base & ((conditions.fast_idle(rpm, speed, lim) & steady_rpm) | conditions.cruise(speed, rpm, grid.dt, lim))
    min_s = lim["conditions.steady_min_s"]
    results: dict[str, tuple[float, tuple[float, float]] | None] = {}
    findings = []
    for check, mask, where in ((IDLE_CHECK, idle, "warm closed-loop idle"), (LOAD_CHECK, load, "warm closed-loop 2,500 rpm or steady cruise")):
        runs = conditions.stretches(mask, grid.t, min_s)
        sel = np.zeros(len(grid), dtype=bool)
        for a, b in runs:
            sel[a:b] = True
        values = total[sel]
        values = values[np.isfinite(values)]
        if values.size == 0:
            results[check] = None
            findings.append(not_enough_data(System.FUEL_AIR, check, f"no {min_s:.0f} s stretch of {where}", "stft_b1"))
            continue
        trim = float(np.mean(values))
        seconds = conditions.seconds_true(sel, grid.dt)
        longest = max(runs, key=lambda r: grid.t[r[1] - 1] - grid.t[r[0]])  # shown as the proving range
        t_range = (float(grid.t[longest[0]]), float(grid.t[longest[1] - 1]))
        results[check] = (trim, t_range)
        severity, limit, name = _severity(trim, lim)
        words = "within normal correction" if severity == Severity.OK else ("lean" if trim > 0 else "rich")
        findings.append(Finding(
            system=str(System.FUEL_AIR), check=check, severity=severity,
            summary=f"Total trim (STFT+LTFT) at {where}: {_describe(trim)} over {seconds:.0f} s in {len(runs)} stretch(es); {words}.",
            measured=round(trim, 2), unit="%", threshold=float(np.copysign(limit, trim)), threshold_source=lim.source(name),
            confidence=round(min(0.95, 0.4 + seconds / 60.0), 2), time_range=t_range, signal=TOTAL_TRIM,
        ))
    findings.append(_pattern(results.get(IDLE_CHECK), results.get(LOAD_CHECK), lim))
    return findings


def _pattern(idle: tuple[float, tuple[float, float]] | None, load: tuple[float, tuple[float, float]] | None,
             lim: Thresholds) -> Finding:
    if idle is None or load is None:
        missing = " and ".join(w for w, r in (("warm idle", idle), ("load (2,500 rpm or cruise)", load)) if r is None)
        return not_enough_data(System.FUEL_AIR, PATTERN_CHECK, f"needs trims at both idle and load; none at {missing}", "ltft_b1")
    (ti, ri), (tl, rl) = idle, load
    watch, improvement = lim["fuel.trim_watch_pct"], lim["fuel.vacuum_leak_improvement_pct"]
    t_range = (min(ri[0], rl[0]), max(ri[1], rl[1]))
    common: _Common = {"system": str(System.FUEL_AIR), "check": PATTERN_CHECK, "unit": "% points", "time_range": t_range, "signal": TOTAL_TRIM}
    if ti >= watch and ti - tl >= improvement:
        sev_idle, _, _ = _severity(ti, lim)
        return Finding(severity=max(Severity.WARNING, sev_idle),
                       summary=(f"Vacuum-leak pattern: lean at idle ({ti:+.1f} %), much better under load ({tl:+.1f} %). "
                                "Unmetered air after the MAF: check intake and vacuum hoses, PCV, brake booster, intake gaskets."),
                       measured=round(ti - tl, 2), threshold=improvement, threshold_source=lim.source("fuel.vacuum_leak_improvement_pct"),
                       confidence=0.8, **common)
    if ti >= watch and tl >= watch:
        sev, _, _ = _severity(min(ti, tl), lim)
        return Finding(severity=sev,
                       summary=(f"Lean at idle ({ti:+.1f} %) and under load ({tl:+.1f} %): fuel delivery (pressure, pump, filter, "
                                "injectors) or a MAF reading low, rather than a vacuum leak."),
                       measured=round(ti - tl, 2), threshold=improvement, threshold_source=lim.source("fuel.trim_watch_pct"),
                       confidence=0.7, **common)
    if ti <= -watch and tl <= -watch:
        sev, _, _ = _severity(max(ti, tl), lim)
        return Finding(severity=sev,
                       summary=(f"Rich at idle ({ti:+.1f} %) and under load ({tl:+.1f} %): leaking injector, high fuel pressure, "
                                "EVAP purge stuck open or a MAF reading high."),
                       measured=round(ti - tl, 2), threshold=-watch, threshold_source=lim.source("fuel.trim_watch_pct"),
                       confidence=0.7, **common)
    return Finding(severity=Severity.OK,
                   summary=f"No mixture fault pattern: idle {ti:+.1f} %, load {tl:+.1f} %.",
                   measured=round(ti - tl, 2), threshold=improvement, threshold_source=lim.source("fuel.vacuum_leak_improvement_pct"),
                   confidence=0.8, **common)
