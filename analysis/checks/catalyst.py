"""Catalyst efficiency: downstream/upstream O2 switch ratio under the monitor's enabling conditions.

A working catalyst stores oxygen and evens out the exhaust, so the downstream sensor holds a
steady voltage while the upstream one switches; once the storage is gone the downstream
sensor follows the upstream one and the ratio approaches 1. Enabling conditions: engine
warm, closed loop, catalyst lit off (> 350 °C when reported), steady cruise or 2,500 rpm.
"""

from __future__ import annotations

from typing import cast

from analysis.checks._common import System, limits_or_default, not_enough_data
from analysis.checks.o2_sensor import monitor_stretches, sensor_or_reason, switches_in
from analysis.signals import Signal, SignalSet
from analysis.thresholds import Thresholds
from carvrooom_desktop.domain import Finding, Severity

CHECK = "catalyst efficiency (O2 switch ratio)"


def check_catalyst(signals: SignalSet, limits: Thresholds | None = None) -> list[Finding]:
    lim = limits_or_default(limits)
    up = sensor_or_reason(signals, "o2_b1s1_voltage", lim)
    down = sensor_or_reason(signals, "o2_b1s2_voltage", lim)
    for s in (up, down):
        if isinstance(s, str):
            return [not_enough_data(System.CATALYST, CHECK, s, "o2_b1s2_voltage")]
    stretches = monitor_stretches(signals, lim)
    if isinstance(stretches, str):
        return [not_enough_data(System.CATALYST, CHECK, stretches, "o2_b1s2_voltage")]
    # Both are signals here: the loop above returned on a reason.
    sw_up, seconds = switches_in(cast(Signal, up), stretches, lim)
    sw_down, _ = switches_in(cast(Signal, down), stretches, lim)
    need = lim["catalyst.min_front_switches"]
    if len(sw_up) < need:
        return [not_enough_data(System.CATALYST, CHECK, f"upstream O2 switched only {len(sw_up)} times in {seconds:.0f} s of test conditions; need {need:.0f}", "o2_b1s1_voltage")]
    ratio = len(sw_down) / len(sw_up)
    if ratio >= lim["catalyst.switch_ratio_warning"]:
        sev, limit, name = Severity.WARNING, lim["catalyst.switch_ratio_warning"], "catalyst.switch_ratio_warning"
        words = "the downstream sensor follows the upstream one: the catalyst no longer stores oxygen (P0420-type)"
    elif ratio >= lim["catalyst.switch_ratio_watch"]:
        sev, limit, name = Severity.WATCH, lim["catalyst.switch_ratio_watch"], "catalyst.switch_ratio_watch"
        words = "oxygen storage reduced: ageing catalyst"
    else:
        sev, limit, name = Severity.OK, lim["catalyst.switch_ratio_watch"], "catalyst.switch_ratio_watch"
        words = "downstream sensor steady: catalyst storing oxygen"
    return [Finding(
        system=str(System.CATALYST), check=CHECK, severity=sev,
        summary=f"Downstream/upstream switches {len(sw_down)}/{len(sw_up)} = {ratio:.2f} over {seconds:.0f} s of warm steady closed loop: {words}.",
        measured=round(ratio, 3), unit="ratio", threshold=limit, threshold_source=lim.source(name),
        confidence=round(min(0.95, 0.4 + len(sw_up) / 100.0), 2), time_range=(stretches[0][0], stretches[-1][1]),
        signal="o2_b1s2_voltage",
    )]
