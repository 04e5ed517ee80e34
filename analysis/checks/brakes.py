"""Brakes: pad thickness now, and the wear trend to the 3 mm service limit where the car reports it.

Input: ``brake_pad_front_mm`` / ``brake_pad_rear_mm`` (estimated by the brake or body module
on cars that have pad-wear sensors), and ``odometer_km`` for the trend. The trend is the
:class:`~analysis.rul.trend.DegradationTrendModel` of thickness against distance; days are
given only when the data span at least a day of calendar time.
"""

from __future__ import annotations

import math

import numpy as np

from analysis.checks._common import System, limits_or_default, not_enough_data
from analysis.rul.trend import DegradationTrendModel
from analysis.signals import SignalSet
from analysis.thresholds import Thresholds
from carvrooom_desktop.domain import Finding, Severity

AXLES = (("brake_pad_front_mm", "front"), ("brake_pad_rear_mm", "rear"))
MIN_TREND_KM = 1.0


def _km_left(signals: SignalSet, name: str, limit: float) -> tuple[str, float | None, float]:
    """Text about the trend, km left to the limit (None when unknown), and the trend's confidence."""
    pads, odo = signals.get(name), signals.get("odometer_km")
    if odo is None or pads is None:
        return " No odometer signal: no wear trend.", None, 0.0
    km = np.interp(pads.t, odo.t, odo.values)
    inside = (pads.t >= odo.t[0]) & (pads.t <= odo.t[-1])
    km, mm, t = km[inside], pads.values[inside], pads.t[inside]
    if len(km) < 3 or np.ptp(km) < MIN_TREND_KM or np.ptp(mm) <= 0.0:
        return f" Wear trend needs at least {MIN_TREND_KM:.0f} km with a measurable change in thickness.", None, 0.0
    try:
        model = DegradationTrendModel(limit, unit="km", forms=("linear",), horizon_factor=1000.0).fit(km, mm)  # wear is linear in km
        est = model.predict()
    except (ValueError, RuntimeError):
        return " Wear trend could not be fitted.", None, 0.0
    if not math.isfinite(est.value):
        return " No wear measurable toward the limit over this distance.", None, 0.0
    text = f" Trend over {np.ptp(km):.0f} km: about {est.value:,.0f} km to {limit:.0f} mm (90 % interval {est.lower:,.0f}-" + (
        f"{est.upper:,.0f} km)." if math.isfinite(est.upper) else "beyond the data).")
    days_span = (t[-1] - t[0]) / 86400.0
    if days_span >= 1.0 and est.value > 0:
        km_per_day = np.ptp(km) / days_span
        text += f" About {est.value / km_per_day:,.0f} days at {km_per_day:.0f} km/day."
    confidence = min(0.9, 0.3 + np.ptp(km) / 2000.0)
    return text, float(est.lower), confidence


def check_brakes(signals: SignalSet, limits: Thresholds | None = None) -> list[Finding]:
    lim = limits_or_default(limits)
    service, critical, watch = lim["brakes.service_limit_mm"], lim["brakes.critical_mm"], lim["brakes.watch_mm"]
    findings = []
    for name, axle in AXLES:
        check = f"{axle} brake pads"
        pads = signals.get(name)
        if pads is None:
            findings.append(not_enough_data(System.BRAKES, check, f"the car does not report {axle} pad thickness ({signals.problem(name)})", name))
            continue
        tail = pads.t >= pads.t[-1] - 30.0
        now = float(np.median(pads.values[tail]))
        if not 0.0 <= now <= 40.0:
            findings.append(not_enough_data(System.BRAKES, check, f"{now:.1f} mm is not a plausible pad thickness", name))
            continue
        trend, km_low, trend_conf = _km_left(signals, name, service)
        if now <= critical:
            sev, limit, lname, words = Severity.CRITICAL, critical, "brakes.critical_mm", "at the minimum: replace before driving on"
        elif now <= service:
            sev, limit, lname, words = Severity.WARNING, service, "brakes.service_limit_mm", "below the service limit: replace now"
        elif km_low is not None and km_low < lim["brakes.km_warning"]:
            sev, limit, lname, words = Severity.WARNING, service, "brakes.km_warning", "will reach the service limit very soon"
        elif now <= watch:
            sev, limit, lname, words = Severity.WATCH, watch, "brakes.watch_mm", "plan replacement at the next service"
        elif km_low is not None and km_low < lim["brakes.km_watch"]:
            sev, limit, lname, words = Severity.WATCH, service, "brakes.km_watch", "service limit within one service interval"
        else:
            sev, limit, lname, words = Severity.OK, service, "brakes.service_limit_mm", "plenty of pad left"
        findings.append(Finding(
            system=str(System.BRAKES), check=check, severity=sev,
            summary=f"{axle.capitalize()} pads {now:.1f} mm ({words}).{trend}",
            measured=round(now, 2), unit="mm", threshold=limit,
            threshold_source=lim.source(lname) + ("" if lname.endswith("_mm") else f"; limit: {lim.source('brakes.service_limit_mm')}"),
            confidence=round(max(0.8, trend_conf) if sev != Severity.OK else 0.8, 2),
            time_range=(float(pads.t[tail][0]), float(pads.t[-1])), signal=name,
        ))
    return findings
