"""Coolant temperature sensor plausibility: circuit range, jumps, flat line, cold-soak agreement.

The coolant is a heavy mass of water and iron: its temperature cannot step by many degrees
in a second, must rise when a cold engine runs, and after a long soak sits near the
temperature of the air around the engine. A reading that breaks these rules is the sensor
or its wiring, not the engine.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from scipy.ndimage import maximum_filter1d, minimum_filter1d

from analysis import conditions
from analysis.checks._common import System, limits_or_default, not_enough_data
from analysis.signals import Signal, SignalSet
from analysis.thresholds import Thresholds
from carvrooom_desktop.domain import Finding, Severity

RANGE_CHECK = "coolant sensor circuit"
JUMP_CHECK = "coolant sensor jumps"
FLAT_CHECK = "coolant sensor flat line"
SOAK_CHECK = "coolant vs air after cold soak"
SIGNAL = "coolant_temp"


def _finding(check: str, severity: Severity, summary: str, **kw: Any) -> Finding:
    return Finding(system=str(System.COOLING), check=check, severity=severity, summary=summary, signal=SIGNAL, **kw)


def circuit_range(signals: SignalSet, lim: Thresholds) -> Finding:
    s = signals.get(SIGNAL)
    if s is None:
        return not_enough_data(System.COOLING, RANGE_CHECK, f"missing {SIGNAL} ({signals.problem(SIGNAL)})", SIGNAL)
    low, high = lim["cooling.open_circuit_c"], lim["cooling.short_circuit_c"]
    bad = (s.values <= low) | (s.values >= high)
    n_bad = int(np.count_nonzero(bad))
    if n_bad >= 2:
        idx = np.nonzero(bad)[0]
        reads = float(np.median(s.values[bad]))
        opened = reads <= low
        return _finding(RANGE_CHECK, Severity.CRITICAL,
                        f"Coolant sensor reads {reads:.0f} °C in {n_bad} of {len(s)} samples: "
                        + ("open circuit (sensor unplugged or broken wire); the ECU runs on a substitute value, fan may run constantly."
                           if opened else "short circuit to ground; the ECU runs on a substitute value."),
                        measured=round(reads, 1), unit="°C", threshold=low if opened else high,
                        threshold_source=lim.source("cooling.open_circuit_c" if opened else "cooling.short_circuit_c"),
                        confidence=0.95, time_range=(float(s.t[idx[0]]), float(s.t[idx[-1]])))
    return _finding(RANGE_CHECK, Severity.OK, f"Coolant reading stays in range ({s.values.min():.0f} to {s.values.max():.0f} °C).",
                    measured=round(float(s.values.min()), 1), unit="°C", threshold=low,
                    threshold_source=lim.source("cooling.open_circuit_c"), confidence=0.9,
                    time_range=(float(s.t[0]), float(s.t[-1])))


def jumps(signals: SignalSet, lim: Thresholds) -> Finding:
    s = signals.get(SIGNAL)
    if s is None or len(s) < 3:
        return not_enough_data(System.COOLING, JUMP_CHECK, f"{SIGNAL}: {signals.problem(SIGNAL) or 'fewer than 3 samples'}", SIGNAL)
    dt = np.diff(s.t)
    dv = np.diff(s.values)
    near = dt <= 2.5  # across a longer gap the coolant may really have changed
    rate = lim["cooling.jump_c_per_s"]
    step = near & (np.abs(dv) > rate * np.maximum(dt, 1.0))
    idx = np.nonzero(step)[0]
    if np.count_nonzero(near) < 10:
        return not_enough_data(System.COOLING, JUMP_CHECK, "fewer than 10 consecutive coolant samples 2.5 s apart or closer", SIGNAL)
    biggest = float(np.max(np.abs(dv[near]))) if np.any(near) else 0.0
    if idx.size == 0:
        return _finding(JUMP_CHECK, Severity.OK, f"No implausible steps (largest {biggest:.1f} °C between samples).",
                        measured=round(biggest, 1), unit="°C/step", threshold=rate, threshold_source=lim.source("cooling.jump_c_per_s"),
                        confidence=0.85, time_range=(float(s.t[0]), float(s.t[-1])))
    events = idx.size
    sev = Severity.WARNING if events >= 3 else Severity.WATCH
    return _finding(JUMP_CHECK, sev,
                    f"{events} implausible coolant steps (largest {biggest:.0f} °C between samples; the coolant cannot change faster "
                    f"than about {rate:.0f} °C/s): intermittent sensor or connector (P0116/P0119-type).",
                    measured=round(biggest, 1), unit="°C/step", threshold=rate, threshold_source=lim.source("cooling.jump_c_per_s"),
                    confidence=0.85 if events >= 3 else 0.6, time_range=(float(s.t[idx[0]]), float(s.t[idx[-1] + 1])))


def flat_line(signals: SignalSet, lim: Thresholds) -> Finding:
    missing = signals.missing([SIGNAL, "engine_speed"])
    if missing:
        return not_enough_data(System.COOLING, FLAT_CHECK, "missing " + ", ".join(missing), SIGNAL)
    grid = signals.aligned([SIGNAL, "engine_speed"])
    if grid is None or len(grid) < 3:
        return not_enough_data(System.COOLING, FLAT_CHECK, "coolant and engine speed do not overlap in time", SIGNAL)
    window_s = lim["cooling.flat_line_s"]
    n = max(3, round(window_s / grid.dt))
    temp = grid[SIGNAL]
    run = conditions.running(grid["engine_speed"], lim)
    if conditions.seconds_true(run, grid.dt) < window_s:
        return not_enough_data(System.COOLING, FLAT_CHECK, f"engine ran less than {window_s / 60:.0f} min", SIGNAL)
    filled = np.where(np.isfinite(temp), temp, np.nanmedian(temp) if np.any(np.isfinite(temp)) else 0.0)
    ptp = maximum_filter1d(filled, n, mode="nearest") - minimum_filter1d(filled, n, mode="nearest")
    all_run = minimum_filter1d(run.astype(np.int8), n, mode="nearest") > 0
    cold = maximum_filter1d(filled, n, mode="nearest") < 60.0
    stuck = all_run & cold & (ptp <= 1.0)
    if np.any(stuck):
        i = int(np.nonzero(stuck)[0][0])
        half = n // 2
        t0, t1 = float(grid.t[max(0, i - half)]), float(grid.t[min(len(grid) - 1, i + half)])
        return _finding(FLAT_CHECK, Severity.WARNING,
                        f"Coolant reading stuck at {filled[i]:.0f} °C for {window_s / 60:.0f} min with the engine running cold: a cold "
                        "engine must warm, so the sensor or its signal is frozen.",
                        measured=round(float(ptp[i]), 2), unit="°C change", threshold=1.0, threshold_source=lim.source("cooling.flat_line_s"),
                        confidence=0.8, time_range=(t0, t1))
    return _finding(FLAT_CHECK, Severity.OK, "Coolant reading moves as the engine runs (no frozen value while cold).",
                    measured=round(float(np.max(ptp)), 2), unit="°C change", threshold=1.0,
                    threshold_source=lim.source("cooling.flat_line_s"), confidence=0.8,
                    time_range=(float(grid.t[0]), float(grid.t[-1])))


def cold_soak(signals: SignalSet, lim: Thresholds) -> Finding:
    coolant = signals.get(SIGNAL)
    air_name = next((n for n in ("ambient_air_temp", "intake_air_temp") if signals.get(n) is not None), None)
    if coolant is None or air_name is None:
        return not_enough_data(System.COOLING, SOAK_CHECK, "missing " + ", ".join(signals.missing([SIGNAL, "intake_air_temp"])), SIGNAL)
    air = cast(Signal, signals.get(air_name))  # air_name was picked as one that is present
    rpm = signals.get("engine_speed")
    t0 = max(coolant.t[0], air.t[0])
    if rpm is not None:
        # The comparison holds at key-on, before combustion heat reaches the coolant.
        running_at_start = np.interp(t0, rpm.t, rpm.values) > lim["conditions.engine_running_rpm"]
        run_time = signals.get("run_time")
        if running_at_start and (run_time is None or np.interp(t0, run_time.t, run_time.values) > 60.0):
            return not_enough_data(System.COOLING, SOAK_CHECK, "recording starts with the engine already running (connect before starting)", SIGNAL)
    c0 = float(np.interp(t0, coolant.t, coolant.values))
    a0 = float(np.interp(t0, air.t, air.values))
    delta = lim["cooling.cold_soak_delta_c"]
    what = "ambient" if air_name == "ambient_air_temp" else "intake air"
    if c0 > a0 + delta:
        return not_enough_data(System.COOLING, SOAK_CHECK, f"engine warm at key-on (coolant {c0:.0f} °C, {what} {a0:.0f} °C): not a cold soak", SIGNAL)
    diff = c0 - a0
    if diff < -delta:
        return _finding(SOAK_CHECK, Severity.WARNING,
                        f"At key-on the coolant reads {c0:.0f} °C but the {what} is {a0:.0f} °C: after a soak the coolant cannot be "
                        f"{-diff:.0f} °C colder than the air; the coolant sensor reads low (sensor or connector resistance).",
                        measured=round(diff, 1), unit="°C", threshold=-delta, threshold_source=lim.source("cooling.cold_soak_delta_c"),
                        confidence=0.7, time_range=(float(t0), float(t0)))
    return _finding(SOAK_CHECK, Severity.OK, f"At key-on coolant {c0:.0f} °C and {what} {a0:.0f} °C agree within {delta:.0f} °C.",
                    measured=round(diff, 1), unit="°C", threshold=-delta, threshold_source=lim.source("cooling.cold_soak_delta_c"),
                    confidence=0.6, time_range=(float(t0), float(t0)))


def check_coolant_sensor(signals: SignalSet, limits: Thresholds | None = None) -> list[Finding]:
    lim = limits_or_default(limits)
    return [circuit_range(signals, lim), jumps(signals, lim), flat_line(signals, lim), cold_soak(signals, lim)]
