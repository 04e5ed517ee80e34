"""Upstream O2 sensor response: switch rate and lean->rich / rich->lean transition times.

A narrowband zirconia sensor in closed loop swings between ~0.1 V (lean) and ~0.8 V (rich).
A switch is a full crossing of the 300-600 mV window (hysteresis, so noise is not counted);
its transition time is the time the sensor takes to cross the window, from the steepest
voltage change between samples within the switch (the sensor's response rate). Enabling conditions: engine warm, closed loop,
steady cruise or about 2,500 rpm, O2 voltage sampled at 4 Hz or faster. A slow transition
together with a weak swing or slow switching is the lazy-sensor pattern (warning).
"""

from __future__ import annotations

from typing import TypedDict

from dataclasses import dataclass

import numpy as np

from analysis import conditions
from analysis.checks._common import System, align, limits_or_default, not_enough_data
from analysis.signals import Signal, SignalSet
from analysis.thresholds import Thresholds
from carvrooom_desktop.domain import Finding, Severity


class _Common(TypedDict):
    """The Finding fields this check's verdicts share (``Finding(..., **common)``)."""

    system: str
    time_range: tuple[float, float]
    signal: str


RATE_CHECK, SWING_CHECK, TIME_CHECK = "O2 switching rate", "O2 voltage swing", "O2 transition time"
ENABLING = ["engine_speed", "vehicle_speed", "coolant_temp"]


@dataclass(frozen=True, slots=True)
class Switches:
    """Full lean<->rich crossings of the 300-600 mV window."""

    start: np.ndarray  # s, when the voltage left one edge of the window
    end: np.ndarray  # s, when it reached the other
    rising: np.ndarray  # True = lean -> rich

    def __len__(self) -> int:
        return len(self.start)


def _cross(t: np.ndarray, v: np.ndarray, i: np.ndarray, level: float | np.ndarray) -> np.ndarray:
    """Time where v passes ``level`` between samples i and i+1 (clamped to that interval)."""
    v0, v1 = v[i], v[i + 1]
    dv = v1 - v0
    frac = np.where(np.abs(dv) > 1e-12, (level - v0) / np.where(np.abs(dv) > 1e-12, dv, 1.0), 0.5)
    result: np.ndarray = t[i] + np.clip(frac, 0.0, 1.0) * (t[i + 1] - t[i])
    return result


def find_switches(t: np.ndarray, v: np.ndarray, low: float, high: float) -> Switches:
    empty = Switches(np.zeros(0), np.zeros(0), np.zeros(0, dtype=bool))
    if len(t) < 2:
        return empty
    state = np.where(v >= high, 1, np.where(v <= low, -1, 0))
    nz = np.nonzero(state)[0]
    if nz.size < 2:
        return empty
    s = state[nz]
    ch = np.nonzero(s[1:] != s[:-1])[0]
    if ch.size == 0:
        return empty
    ia, ib = nz[ch], nz[ch + 1]  # last sample in the old state, first in the new
    rising = s[ch + 1] > 0
    start = _cross(t, v, ia, np.where(rising, low, high))
    # Duration from the steepest step between samples inside the transition: at 10 Hz a
    # healthy sensor crosses the whole window between two samples, and interpolating the two
    # crossings would stretch it to most of a sample interval.
    slope = np.append(np.abs(np.diff(v)) / np.maximum(np.diff(t), 1e-9), 0.0)
    bounds = np.empty(2 * ia.size, dtype=np.intp)
    bounds[0::2], bounds[1::2] = ia, ib
    steepest = np.maximum.reduceat(slope, bounds)[0::2]
    duration = (high - low) / np.maximum(steepest, 1e-9)
    return Switches(start, start + duration, rising)


def monitor_stretches(signals: SignalSet, lim: Thresholds) -> list[tuple[float, float]] | str:
    """Time ranges where the O2 tests may run (warm, closed loop, steady cruise or 2,500 rpm)."""
    grid = align(signals, ENABLING)
    if isinstance(grid, str):
        return grid
    rpm, speed = grid["engine_speed"], grid["vehicle_speed"]
    steady_rpm = conditions.steady(rpm, grid.dt, 5.0, 150.0)
    mask = (conditions.warm(grid["coolant_temp"], lim) & conditions.closed_loop(signals, grid, lim)
            & ((conditions.fast_idle(rpm, speed, lim) & steady_rpm) | conditions.cruise(speed, rpm, grid.dt, lim)))
    cat = signals.get("catalyst_temp_b1s1")
    if cat is not None:
        mask &= np.interp(grid.t, cat.t, cat.values) > 350.0  # lit off: the O2 loop is fully active
    runs = conditions.stretches(mask, grid.t, lim["conditions.steady_min_s"])
    if not runs:
        return "no steady warm closed-loop stretch (cruise or 2,500 rpm) of at least " f"{lim['conditions.steady_min_s']:.0f} s"
    return [(float(grid.t[a]), float(grid.t[b - 1])) for a, b in runs]


def sensor_or_reason(signals: SignalSet, name: str, lim: Thresholds) -> Signal | str:
    s = signals.get(name)
    if s is None:
        return f"missing {name} ({signals.problem(name)})"
    rate = 1.0 / s.typical_interval if s.typical_interval > 0 else 0.0
    if rate < lim["o2.min_sample_rate_hz"]:
        return f"{name} sampled at {rate:.1f} Hz; counting switches needs {lim['o2.min_sample_rate_hz']:.0f} Hz or faster"
    return s


def switches_in(sensor: Signal, stretches: list[tuple[float, float]], lim: Thresholds) -> tuple[Switches, float]:
    """All switches inside the stretches, and the seconds covered."""
    parts, seconds = [], 0.0
    for t0, t1 in stretches:
        sel = (sensor.t >= t0) & (sensor.t <= t1)
        if np.count_nonzero(sel) < 2:
            continue
        seconds += t1 - t0
        parts.append(find_switches(sensor.t[sel], sensor.values[sel], lim["o2.low_v"], lim["o2.high_v"]))
    if not parts:
        return Switches(np.zeros(0), np.zeros(0), np.zeros(0, dtype=bool)), seconds
    return Switches(np.concatenate([p.start for p in parts]), np.concatenate([p.end for p in parts]),
                    np.concatenate([p.rising for p in parts])), seconds


def _voltages_in(sensor: Signal, stretches: list[tuple[float, float]]) -> np.ndarray:
    parts = [sensor.values[(sensor.t >= t0) & (sensor.t <= t1)] for t0, t1 in stretches]
    return np.concatenate(parts) if parts else np.zeros(0)


def check_o2_sensor(signals: SignalSet, limits: Thresholds | None = None) -> list[Finding]:
    lim = limits_or_default(limits)
    name = "o2_b1s1_voltage"
    checks = (RATE_CHECK, SWING_CHECK, TIME_CHECK)
    sensor = sensor_or_reason(signals, name, lim)
    if isinstance(sensor, str):
        return [not_enough_data(System.O2_SENSORS, c, sensor, name) for c in checks]
    stretches = monitor_stretches(signals, lim)
    if isinstance(stretches, str):
        return [not_enough_data(System.O2_SENSORS, c, stretches, name) for c in checks]
    sw, seconds = switches_in(sensor, stretches, lim)
    volts = _voltages_in(sensor, stretches)
    if seconds <= 0 or volts.size < 10:
        return [not_enough_data(System.O2_SENSORS, c, "no O2 samples in the test stretches", name) for c in checks]
    t_range = (stretches[0][0], stretches[-1][1])
    common: _Common = {"system": str(System.O2_SENSORS), "time_range": t_range, "signal": name}
    findings = []

    # 1. Switch rate, in full cycles per second (one lean->rich plus one rich->lean = 1 cycle).
    hz = len(sw) / 2.0 / seconds
    watch = lim["o2.switch_freq_watch_hz"]
    rate_ok = hz >= watch
    sev = Severity.OK if rate_ok else (Severity.WARNING if len(sw) < 2 else Severity.WATCH)
    words = {Severity.OK: "switching normally", Severity.WATCH: "slow switching: aged sensor, exhaust leak or fuel control at its limit",
             Severity.WARNING: "not switching: sensor dead, or mixture held lean/rich (check the trims)"}[sev]
    findings.append(Finding(
        check=RATE_CHECK, severity=sev, summary=f"Upstream O2: {len(sw)} switches in {seconds:.0f} s of steady closed loop = {hz:.2f} Hz; {words}.",
        measured=round(hz, 3), unit="Hz", threshold=watch, threshold_source=lim.source("o2.switch_freq_watch_hz"),
        confidence=round(min(0.95, 0.4 + seconds / 120.0), 2), **common))

    # 2. Voltage swing: a good sensor reaches both ends of its range.
    low, high = float(np.percentile(volts, 5)), float(np.percentile(volts, 95))
    rich_min, lean_max = lim["o2.rich_min_v"], lim["o2.lean_max_v"]
    swing_ok = high >= rich_min and low <= lean_max
    findings.append(Finding(
        check=SWING_CHECK, severity=Severity.OK if swing_ok else Severity.WATCH,
        summary=(f"Upstream O2 swings {low:.2f}-{high:.2f} V (5th-95th percentile); a good sensor reaches below {lean_max:.1f} V and above {rich_min:.1f} V"
                 + ("." if swing_ok else ": weak output, aged or contaminated sensor.")),
        measured=round(high - low, 3), unit="V", threshold=round(rich_min - lean_max, 3),
        threshold_source=f"{lim.source('o2.rich_min_v')}; {lim.source('o2.lean_max_v')}", confidence=0.7, **common))

    # 3. Transition time, escalated when the swing or the rate fail too (the lazy-sensor pattern).
    durations = (sw.end - sw.start) * 1000.0
    up, down = durations[sw.rising], durations[~sw.rising]
    if up.size < 5 or down.size < 5:
        findings.append(not_enough_data(System.O2_SENSORS, TIME_CHECK, f"only {up.size} lean->rich and {down.size} rich->lean transitions; need 5 of each", name))
        return findings
    lr, rl = float(np.median(up)), float(np.median(down))
    worst = max(lr, rl)
    resolution = sensor.typical_interval * 1000.0
    also = [w for ok, w in ((swing_ok, "weak swing"), (rate_ok, "slow switching")) if not ok]
    if worst >= lim["o2.transition_warning_ms"]:
        sev, limit, lname = Severity.WARNING, lim["o2.transition_warning_ms"], "o2.transition_warning_ms"
    elif worst >= lim["o2.transition_watch_ms"]:
        sev = Severity.WARNING if also else Severity.WATCH
        limit, lname = lim["o2.transition_watch_ms"], "o2.transition_watch_ms"
    else:
        sev, limit, lname = Severity.OK, lim["o2.transition_watch_ms"], "o2.transition_watch_ms"
    words = {Severity.OK: "responds quickly", Severity.WATCH: "a little slow",
             Severity.WARNING: "lazy sensor (P0133-type slow response)" + (f", with {' and '.join(also)}" if also else "") + ": replace"}[sev]
    findings.append(Finding(
        check=TIME_CHECK, severity=sev,
        summary=(f"Upstream O2 transitions (300-600 mV): lean->rich {lr:.0f} ms, rich->lean {rl:.0f} ms (medians of "
                 f"{up.size}/{down.size}; samples every {resolution:.0f} ms); {words}."),
        measured=round(worst, 1), unit="ms", threshold=limit, threshold_source=lim.source(lname),
        confidence=round(min(0.9, 0.3 + min(up.size, down.size) / 40.0) * (1.0 if resolution <= 120 else 0.7), 2), **common))
    return findings
