"""Cooling: the warm-up curve against a first-order model, and a thermostat stuck open.

An engine warms like a first-order system, T(t) = T_end - (T_end - T_0) exp(-t / tau), until
the thermostat opens and holds it near its regulating temperature (about 85-95 °C). A
thermostat stuck open lets the radiator take the heat from the start, so the curve
flattens at a plateau below the regulating temperature while the car is driven.

Enabling conditions: coolant sensor in range; the longest running stretch of the recording;
a stuck-open verdict needs 10 minutes of running, most of the last 5 of them driving.
"""

from __future__ import annotations

from typing import TypedDict

import numpy as np
from scipy.optimize import curve_fit

from analysis import conditions
from analysis.checks._common import System, limits_or_default, not_enough_data
from analysis.signals import SignalSet
from analysis.thresholds import Thresholds
from carvrooom_desktop.domain import Finding, Severity


class _Common(TypedDict):
    """The Finding fields this check's verdicts share (``Finding(..., **common)``)."""

    system: str
    check: str
    unit: str
    signal: str


CHECK = "warm-up and thermostat"


def _first_order(t: np.ndarray, t_end: float, tau: float, t0: float) -> np.ndarray:
    curve: np.ndarray = t_end - (t_end - t0) * np.exp(-t / tau)
    return curve


def fit_warm_up(t: np.ndarray, temp: np.ndarray) -> tuple[float, float] | None:
    """(plateau T_end in °C, time constant tau in s) of a first-order warm-up, or None."""
    ok = np.isfinite(t) & np.isfinite(temp)
    t, temp = t[ok] - t[ok][0] if np.any(ok) else t[ok], temp[ok]
    if len(t) < 10 or np.ptp(temp) < 2.0:
        return None
    t0 = float(temp[0])
    guess = (max(float(temp[-1]) + 5.0, t0 + 1.0), max(float(t[-1]) / 2.0, 10.0))
    try:
        with np.errstate(all="ignore"):
            (t_end, tau), _ = curve_fit(lambda x, a, b: _first_order(x, a, b, t0), t, temp, p0=guess,
                                        bounds=([-40.0, 1.0], [250.0, 1e6]), maxfev=2000)
    except (RuntimeError, ValueError):
        return None
    if not (np.isfinite(t_end) and np.isfinite(tau)):
        return None
    return float(t_end), float(tau)


def check_warm_up(signals: SignalSet, limits: Thresholds | None = None) -> Finding:
    lim = limits_or_default(limits)
    names = ["coolant_temp", "engine_speed"]
    if signals.get("vehicle_speed") is not None:
        names.append("vehicle_speed")
    missing = signals.missing(names[:2])
    if missing:
        return not_enough_data(System.COOLING, CHECK, "missing " + ", ".join(missing), "coolant_temp")
    grid = signals.aligned(names)
    if grid is None or len(grid) < 2:
        return not_enough_data(System.COOLING, CHECK, "coolant and engine speed do not overlap in time", "coolant_temp")
    temp, rpm = grid["coolant_temp"], grid["engine_speed"]
    in_range = (temp > lim["cooling.open_circuit_c"]) & (temp < lim["cooling.short_circuit_c"])
    run = conditions.running(rpm, lim)
    if np.count_nonzero(run & ~in_range) > 0.2 * max(1, int(np.count_nonzero(run))):
        return not_enough_data(System.COOLING, CHECK, "the coolant sensor reads out of range (see coolant sensor checks)", "coolant_temp")
    runs = conditions.stretches(run & in_range, grid.t, 60.0)
    if not runs:
        return not_enough_data(System.COOLING, CHECK, "the engine never ran for a minute with the coolant sensor in range", "coolant_temp")
    a, b = max(runs, key=lambda r: grid.t[r[1] - 1] - grid.t[r[0]])
    t, temp_run = grid.t[a:b], temp[a:b]
    speed = grid["vehicle_speed"][a:b] if "vehicle_speed" in grid else None
    ran = float(t[-1] - t[0])
    regulating, warm = lim["cooling.thermostat_regulating_min"], lim["conditions.warm_coolant"]
    t_start, t_0 = float(t[0]), float(temp_run[0])
    common: _Common = {"system": str(System.COOLING), "check": CHECK, "unit": "°C", "signal": "coolant_temp"}
    reached = np.nonzero(temp_run >= regulating)[0]
    last5 = t >= t[-1] - 300.0
    driving = speed is not None and np.mean(np.nan_to_num(speed[last5]) > 20.0) >= 0.5
    if reached.size:
        warm_at = np.nonzero(temp_run >= warm)[0]
        minutes = (t[warm_at[0]] - t_start) / 60.0 if t_0 < warm else 0.0
        after = t >= t[reached[0]]
        late = after & last5
        settled = float(np.median(temp_run[late])) if np.count_nonzero(late) and t[-1] - t[reached[0]] >= 300.0 else None
        if settled is not None and settled < regulating and driving:
            return Finding(severity=Severity.WARNING,
                           summary=(f"Coolant reached {np.max(temp_run):.0f} °C but falls to {settled:.0f} °C while driving "
                                    f"(regulating minimum {regulating:.0f} °C): thermostat not closing, stuck partly open."),
                           measured=round(settled, 1), threshold=regulating, threshold_source=lim.source("cooling.thermostat_regulating_min"),
                           confidence=0.7, time_range=(float(t[late][0]), float(t[-1])), **common)
        if t_0 < warm and minutes * 60.0 > lim["cooling.warmup_limit_s"]:
            return Finding(severity=Severity.WATCH,
                           summary=f"Slow warm-up: {minutes:.1f} min from {t_0:.0f} °C to {warm:.0f} °C (limit {lim['cooling.warmup_limit_s'] / 60:.0f} min); thermostat may open early.",
                           measured=round(minutes * 60.0, 0), unit="s", threshold=lim["cooling.warmup_limit_s"],
                           threshold_source=lim.source("cooling.warmup_limit_s"), confidence=0.6,
                           time_range=(t_start, float(t[warm_at[0]])), system=str(System.COOLING), check=CHECK, signal="coolant_temp")
        how = f"warmed from {t_0:.0f} °C to {warm:.0f} °C in {minutes:.1f} min and " if t_0 < warm else "started warm and "
        return Finding(severity=Severity.OK,
                       summary=f"Engine {how}held {np.percentile(temp_run[after], 50):.0f} °C: thermostat regulating.",
                       measured=round(float(np.percentile(temp_run[after], 50)), 1), threshold=regulating,
                       threshold_source=lim.source("cooling.thermostat_regulating_min"), confidence=0.85,
                       time_range=(t_start, float(t[-1])), **common)
    fit = fit_warm_up(t, temp_run)
    if ran < lim["cooling.stuck_open_min_run_s"]:
        return not_enough_data(System.COOLING, CHECK, f"engine ran {ran / 60:.1f} min and the coolant is still at {temp_run[-1]:.0f} °C; "
                               f"the thermostat verdict needs {lim['cooling.stuck_open_min_run_s'] / 60:.0f} min of running", "coolant_temp")
    recent = temp_run[last5]
    slope = float(np.polyfit(t[last5] - t[last5][0], recent, 1)[0] * 60.0) if np.count_nonzero(last5) > 3 else np.nan
    plateau = fit[0] if fit is not None else float(np.median(recent))
    tau_text = f", first-order fit: plateau {fit[0]:.0f} °C, time constant {fit[1] / 60:.1f} min" if fit else ""
    settled = fit is not None and fit[1] <= ran / 3.0  # the first-order curve has levelled off
    if plateau < regulating and (settled or not np.isfinite(slope) or slope < 0.5):
        sev = Severity.WARNING if driving else Severity.WATCH
        where = "while driving" if driving else "(mostly idling: confirm on a drive)"
        return Finding(severity=sev,
                       summary=(f"Coolant levels off at about {np.median(recent):.0f} °C after {ran / 60:.0f} min {where}, below the "
                                f"{regulating:.0f} °C regulating minimum{tau_text}: thermostat stuck open (P0128-type)."),
                       measured=round(float(np.median(recent)), 1), threshold=regulating,
                       threshold_source=lim.source("cooling.thermostat_regulating_min"), confidence=0.8 if driving else 0.5,
                       time_range=(float(t[last5][0]), float(t[-1])), **common)
    if ran > lim["cooling.warmup_limit_s"]:
        return Finding(severity=Severity.WATCH,
                       summary=f"Slow warm-up: {temp_run[-1]:.0f} °C after {ran / 60:.0f} min, still rising{tau_text}.",
                       measured=round(ran, 0), unit="s", threshold=lim["cooling.warmup_limit_s"],
                       threshold_source=lim.source("cooling.warmup_limit_s"), confidence=0.5, time_range=(t_start, float(t[-1])),
                       system=str(System.COOLING), check=CHECK, signal="coolant_temp")
    return not_enough_data(System.COOLING, CHECK, f"still warming ({temp_run[-1]:.0f} °C after {ran / 60:.0f} min{tau_text})", "coolant_temp")
