"""Charging system: regulated voltage at warm idle and at about 2,500 rpm, temperature-compensated.

Enabling conditions: engine running for at least 20 s (the alternator has taken over from
the starter), steady for ``conditions.steady_min_s``; idle = rpm < 1000 and standing;
"2,500 rpm" = 2,500 +/- 350 rpm, standing (the classic test) or driving. The regulation band
13.5-14.8 V at 25 °C shifts by -10 mV/°C with the air temperature around the battery.
"""

from __future__ import annotations

import numpy as np

from analysis import conditions
from analysis.checks._common import System, align, limits_or_default, not_enough_data
from analysis.signals import Aligned, SignalSet
from analysis.thresholds import Thresholds
from carvrooom_desktop.domain import Finding, Severity

IDLE_CHECK, HIGH_CHECK = "charging voltage at idle", "charging voltage at 2,500 rpm"
SETTLE_S = 20.0


def _temperature(signals: SignalSet, t0: float, t1: float) -> tuple[float, str]:
    for name, what in (("ambient_air_temp", "ambient air"), ("intake_air_temp", "intake air")):
        s = signals.get(name)
        if s is not None:
            sel = (s.t >= t0) & (s.t <= t1)
            if np.any(sel):
                return float(np.median(s.values[sel])), what
    return 25.0, "assumed 25 °C"


def _measure(grid: Aligned, mask: np.ndarray, min_s: float) -> tuple[float, tuple[float, float], float] | None:
    runs = conditions.stretches(mask, grid.t, min_s)
    if not runs:
        return None
    sel = np.zeros(len(grid), dtype=bool)
    for a, b in runs:
        sel[a:b] = True
    v = grid["battery_voltage"][sel]
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None
    seconds = conditions.seconds_true(sel, grid.dt)
    return float(np.median(v)), (float(grid.t[runs[0][0]]), float(grid.t[runs[-1][1] - 1])), seconds


def _judge(v: float, band: tuple[float, float], lim: Thresholds, at_idle: bool) -> tuple[Severity, float, str, str]:
    low, high = band
    if v > lim["charging.overcharge_critical_v"]:
        return Severity.CRITICAL, lim["charging.overcharge_critical_v"], "overcharging: regulator fault, battery and electronics at risk", "charging.overcharge_critical_v"
    if v > high:
        return Severity.WARNING, high, "above the regulation band: regulator fault or wrong battery-temperature reading", "charging.regulated_high_v"
    if v < lim["charging.not_charging_v"]:
        if at_idle:
            return Severity.WARNING, lim["charging.not_charging_v"], "not charging at idle: alternator, belt or wiring", "charging.not_charging_v"
        return Severity.CRITICAL, lim["charging.not_charging_v"], "not charging: alternator (or its belt/wiring) has failed, the battery is draining", "charging.not_charging_v"
    if v < low:
        if at_idle:
            return Severity.WATCH, low, "low at idle: heavy electrical load, slipping belt or weak alternator", "charging.regulated_low_v"
        return Severity.WARNING, low, "below the regulation band: weak alternator output", "charging.regulated_low_v"
    return Severity.OK, low, "regulating normally", "charging.regulated_low_v"


def check_charging(signals: SignalSet, limits: Thresholds | None = None) -> list[Finding]:
    lim = limits_or_default(limits)
    grid = align(signals, ["battery_voltage", "engine_speed", "vehicle_speed"])
    if isinstance(grid, str):
        return [not_enough_data(System.CHARGING, c, grid, "battery_voltage") for c in (IDLE_CHECK, HIGH_CHECK)]
    rpm, speed = grid["engine_speed"], grid["vehicle_speed"]
    run = conditions.running(rpm, lim)
    settled = run & (conditions.since_start(run, grid.t) >= SETTLE_S)
    steady_rpm = conditions.steady(rpm, grid.dt, 5.0, 150.0)
    min_s = lim["conditions.steady_min_s"]
    points = [
        (IDLE_CHECK, settled & conditions.idle(rpm, speed, lim) & steady_rpm, True,
         "warm-up and idle: rpm < 1000, standing, steady, 20 s after start"),
        (HIGH_CHECK, settled & steady_rpm & (np.abs(np.nan_to_num(rpm, nan=-1e9) - lim["conditions.fast_idle_rpm"]) <= lim["conditions.fast_idle_band_rpm"]),
         False, "2,500 +/- 350 rpm held steady, 20 s after start"),
    ]
    findings = []
    for check, mask, at_idle, enabling in points:
        got = _measure(grid, mask, min_s)
        if got is None:
            findings.append(not_enough_data(System.CHARGING, check, f"no stretch of {min_s:.0f} s with {enabling}", "battery_voltage"))
            continue
        v, (t0, t1), seconds = got
        temp, temp_source = _temperature(signals, t0, t1)
        shift = lim["charging.temp_coeff_v_per_c"] * (temp - 25.0)
        band = (lim["charging.regulated_low_v"] + shift, lim["charging.regulated_high_v"] + shift)
        severity, limit, words, limit_name = _judge(v, band, lim, at_idle)
        source = lim.source(limit_name)
        if limit_name in ("charging.regulated_low_v", "charging.regulated_high_v"):
            source += f"; temperature compensation: {lim.source('charging.temp_coeff_v_per_c')}"
        confidence = min(0.95, 0.5 + seconds / 60.0) * (0.85 if temp_source.startswith("assumed") else 1.0)
        findings.append(Finding(
            system=str(System.CHARGING), check=check, severity=severity,
            summary=(f"{v:.2f} V (median of {seconds:.0f} s); band {band[0]:.2f}-{band[1]:.2f} V at {temp:.0f} °C "
                     f"({temp_source}): {words}."),
            measured=round(v, 3), unit="V", threshold=round(limit, 3), threshold_source=source,
            confidence=round(confidence, 2), time_range=(t0, t1), signal="battery_voltage",
        ))
    return findings
