"""Enabling conditions: when a check is allowed to judge (engine warm, idle, steady cruise, ...).

Every mask works on signals already on one grid (:class:`analysis.signals.Aligned`): NaN in
any input makes the condition False there, so gaps never enable a check.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter1d

from analysis.signals import Aligned, SignalSet
from analysis.thresholds import Thresholds


def _gt(x: np.ndarray, limit: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        result: np.ndarray = np.nan_to_num(x, nan=-np.inf) > limit
        return result


def _lt(x: np.ndarray, limit: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        result: np.ndarray = np.nan_to_num(x, nan=np.inf) < limit
        return result


def running(rpm: np.ndarray, lim: Thresholds) -> np.ndarray:
    return _gt(rpm, lim["conditions.engine_running_rpm"])


def warm(coolant: np.ndarray, lim: Thresholds) -> np.ndarray:
    return _gt(coolant, lim["conditions.warm_coolant"])


def idle(rpm: np.ndarray, speed: np.ndarray, lim: Thresholds) -> np.ndarray:
    """Engine running, below the idle rpm limit, car standing."""
    result: np.ndarray = running(rpm, lim) & _lt(rpm, lim["conditions.idle_rpm_max"]) & _lt(speed, lim["conditions.standstill_kmh"])
    return result


def fast_idle(rpm: np.ndarray, speed: np.ndarray, lim: Thresholds) -> np.ndarray:
    """About 2,500 rpm with the car standing (the charging and O2 test point)."""
    target, band = lim["conditions.fast_idle_rpm"], lim["conditions.fast_idle_band_rpm"]
    with np.errstate(invalid="ignore"):
        near = np.abs(np.nan_to_num(rpm, nan=-1e9) - target) <= band
    result: np.ndarray = near & _lt(speed, lim["conditions.standstill_kmh"])
    return result


def rolling_std(x: np.ndarray, window: int) -> np.ndarray:
    """Centred moving standard deviation (NaN-safe: NaN where the window holds a NaN)."""
    window = max(1, int(window))
    finite = np.isfinite(x)
    x0 = np.where(finite, x, 0.0)
    m = uniform_filter1d(x0, window, mode="nearest")
    m2 = uniform_filter1d(x0 * x0, window, mode="nearest")
    bad = uniform_filter1d((~finite).astype(float), window, mode="nearest") > 0
    sd = np.sqrt(np.maximum(m2 - m * m, 0.0))
    return np.where(bad, np.nan, sd)


def steady(x: np.ndarray, dt: float, seconds: float, max_std: float) -> np.ndarray:
    """True where ``x`` varies by less than ``max_std`` over about ``seconds`` around each point."""
    return _lt(rolling_std(x, round(seconds / dt) | 1), max_std)


def cruise(speed: np.ndarray, rpm: np.ndarray, dt: float, lim: Thresholds) -> np.ndarray:
    """Steady part-load driving: above the cruise speed, speed steady within ~2 km/h over 5 s."""
    result: np.ndarray = running(rpm, lim) & _gt(speed, lim["conditions.cruise_min_kmh"]) & steady(speed, dt, 5.0, 2.0)
    return result


def stretches(mask: np.ndarray, t: np.ndarray, min_seconds: float) -> list[tuple[int, int]]:
    """Index ranges ``[i0, i1)`` where ``mask`` holds continuously for at least ``min_seconds``."""
    m = np.asarray(mask, dtype=bool)
    if m.size == 0:
        return []
    edges = np.diff(np.concatenate(([0], m.astype(np.int8), [0])))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    out = []
    for a, b in zip(starts, ends, strict=True):
        if t[b - 1] - t[a] >= min_seconds:
            out.append((int(a), int(b)))
    return out


def seconds_true(mask: np.ndarray, dt: float) -> float:
    return float(np.count_nonzero(mask)) * dt


def engine_starts(rpm: np.ndarray, t: np.ndarray, lim: Thresholds, min_off_s: float = 0.5) -> list[int]:
    """Indices where the engine first runs after at least ``min_off_s`` stopped (cranking ends)."""
    run = running(rpm, lim)
    off = _lt(rpm, 50.0)
    out = []
    last_off = None
    for i in np.nonzero(np.diff(run.astype(np.int8)) == 1)[0] + 1:
        before = np.nonzero(off[:i])[0]
        if before.size == 0:
            continue
        j = before[-1]
        first = j
        while first > 0 and off[first - 1]:
            first -= 1
        if (t[j] - t[first] >= min_off_s or first == 0) and last_off != j:
            out.append(int(i))
            last_off = j
    return out


def since_start(run: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Seconds since the engine last started, per point (0 while stopped).

    Running from the first sample counts as 'long since' (the start was not recorded).
    """
    run = np.asarray(run, dtype=bool)
    if run.size == 0:
        return np.zeros(0)
    idx = np.arange(run.size)
    first = run & ~np.concatenate(([False], run[:-1]))
    starts = np.maximum.accumulate(np.where(first, idx, 0))
    out = np.where(run, t - t[starts], 0.0)
    if run[0]:
        out = np.where(run & (starts == 0), out + 1e6, out)
    return out


def closed_loop(signals: SignalSet, grid: Aligned, lim: Thresholds) -> np.ndarray:
    """Fuel control in closed loop: reported by ``fuel_closed_loop`` when the car gives it (PID 03),
    otherwise inferred: 60 s after start, no deceleration fuel cut, no full-load enrichment."""
    rpm, speed = grid["engine_speed"], grid["vehicle_speed"]
    run = running(rpm, lim)
    since = since_start(run, grid.t)  # open loop for the first minute on most cars
    ok = run & (since >= 60.0)
    cl = signals.get("fuel_closed_loop")
    if cl is not None:
        reported = np.interp(grid.t, cl.t, cl.values) > 0.5
        result: np.ndarray = ok & reported
        return result
    load = signals.get("engine_load")
    if load is not None:
        lv = np.interp(grid.t, load.t, load.values)
        moving_fast = np.nan_to_num(rpm) > 1200.0
        fuel_cut = moving_fast & (lv < 15.0) & (np.nan_to_num(speed) > 10.0)
        ok &= ~fuel_cut & (lv < 80.0)
    return ok
