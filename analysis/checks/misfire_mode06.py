"""Misfire from mode 06: the ECU's own per-cylinder misfire counts (SAE J1979 MIDs A2-AD).

Live signals rarely include per-cylinder misfire counters; mode 06 does on most cars since
2005: TID 0B (average of the last 10 drive cycles) and TID 0C (this drive cycle). They come
without revolutions, so they cannot be turned into a rate; the check grades the worst
cylinder's count, and only when that cylinder holds half or more of the engine's misfires
(one bad cylinder: plug, coil, injector, compression) or passes the ECU's own limit where the
ECU gives one (0xFFFF means "no limit"). Input: ``OnBoardTest``-like records (mid, tid,
value, minimum, maximum), e.g. the scan report's ``tests``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from analysis.checks._common import System, limits_or_default
from analysis.thresholds import Thresholds
from carvrooom_desktop.domain import Finding, Severity

CHECK = "misfire counts (mode 06)"
NO_LIMIT = 0xFFFF
TIDS = {0x0C: "this drive cycle", 0x0B: "average of the last 10 drive cycles"}


def _counts(tests: Sequence[Any], tid: int) -> dict[int, tuple[float, float]]:
    """cylinder -> (count, ECU maximum) for one test id."""
    out = {}
    for t in tests:
        try:
            mid, this_tid, value, maximum = int(t.mid), int(t.tid), float(t.value), float(t.maximum)
        except (AttributeError, TypeError, ValueError):
            continue
        if 0xA2 <= mid <= 0xAD and this_tid == tid and math.isfinite(value) and value >= 0.0:
            out[mid - 0xA1] = (value, maximum)
    return out


def check_misfire_mode06(tests: Sequence[Any] | None, limits: Thresholds | None = None) -> list[Finding]:
    """One finding per reported test id (this cycle, last 10 cycles); none when the car reports none."""
    lim = limits_or_default(limits)
    findings = []
    for tid, period in TIDS.items():
        counts = _counts(tests or (), tid)
        if not counts:
            continue
        total = sum(c for c, _ in counts.values())
        cylinder, (worst, ecu_max) = max(counts.items(), key=lambda kv: kv[1][0])
        share = worst / total if total > 0 else 0.0
        has_limit = math.isfinite(ecu_max) and 0.0 < ecu_max < NO_LIMIT
        watch, warning = lim["misfire.mode06_watch_counts"], lim["misfire.mode06_warning_counts"]
        if has_limit and worst > ecu_max:
            severity, limit, source = Severity.WARNING, ecu_max, "the ECU's own mode 06 limit (SAE J1979 service 06)"
        elif worst >= warning and share >= 0.5:
            severity, limit, source = Severity.WARNING, warning, lim.source("misfire.mode06_warning_counts")
        elif worst >= watch and share >= 0.5:
            severity, limit, source = Severity.WATCH, watch, lim.source("misfire.mode06_watch_counts")
        else:
            severity = Severity.OK
            limit, source = (ecu_max, "the ECU's own mode 06 limit") if has_limit else (watch, lim.source("misfire.mode06_watch_counts"))
        others = ", ".join(f"cyl {c}: {n:.0f}" for c, (n, _) in sorted(counts.items()))
        verdict = {Severity.OK: "no cylinder stands out", Severity.WATCH: f"misfires concentrate on cylinder {cylinder}: check plug, coil, injector",
                   Severity.WARNING: f"persistent misfire on cylinder {cylinder}: check plug, coil, injector, compression"}[severity]
        findings.append(Finding(
            system=str(System.IGNITION), check=f"{CHECK}, {period}", severity=severity,
            summary=f"ECU misfire counts, {period}: {others} ({share:.0%} on cylinder {cylinder}); {verdict}.",
            measured=worst, unit="counts", threshold=float(limit), threshold_source=source,
            confidence=0.8 if tid == 0x0C else 0.7,
        ))
    return findings
