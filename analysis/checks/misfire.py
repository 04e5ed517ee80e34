"""Misfire: per-cylinder counts per 1,000 and per 200 crankshaft revolutions.

Input: cumulative per-cylinder counters ``misfire_cyl1..N`` (the ECU's counts this driving
cycle, as mode 06 or the simulator report them; a counter that goes down was reset and
counts on from its new value) and ``engine_speed``, integrated to revolutions. As the OBD-II
misfire monitor does, the worst 1,000-revolution window is compared with the emission
threshold and the worst 200-revolution window with the catalyst-damage threshold, both as a
percentage of all the engine's firings (a four-stroke fires each cylinder every 2 revolutions).
"""

from __future__ import annotations

import re

import numpy as np

from analysis.checks._common import System, limits_or_default, not_enough_data
from analysis.signals import SignalSet
from analysis.thresholds import Thresholds
from carvrooom_desktop.domain import Finding, Severity

CHECK = "misfire"
_NAME = re.compile(r"misfire_cyl(\d+)$")


def cylinders(signals: SignalSet) -> list[int]:
    return sorted(int(m.group(1)) for m in (_NAME.match(n) for n in signals.names) if m)


def _revolutions(signals: SignalSet) -> tuple[np.ndarray, np.ndarray] | None:
    rpm = signals.get("engine_speed")
    if rpm is None or len(rpm) < 2:
        return None
    dt = np.diff(rpm.t)
    # No sample for a long time: count nothing across the gap rather than guess.
    mean_rps = 0.5 * (rpm.values[1:] + rpm.values[:-1]) / 60.0
    step = np.where(dt <= max(5.0 * rpm.typical_interval, 2.0), np.clip(mean_rps, 0.0, None) * dt, 0.0)
    return rpm.t, np.concatenate(([0.0], np.cumsum(step)))


def _events(t: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Misfires added at each sample of a cumulative counter (resets count on from the new value)."""
    d = np.diff(counts)
    inc = np.where(d >= 0.0, d, np.clip(counts[1:], 0.0, None))
    return np.concatenate(([0.0], inc))


def _worst_window(revs: np.ndarray, cum: np.ndarray, window: float) -> tuple[float, float]:
    """Largest count in any ``window`` revolutions, and the revolution where that window starts."""
    total = revs[-1]
    if total < window:
        return float(cum[-1] - cum[0]) * window / max(total, 1e-9), 0.0
    starts = np.linspace(0.0, total - window, max(2, int((total - window) / (window / 10.0)) + 2))
    a = np.interp(starts, revs, cum)
    b = np.interp(starts + window, revs, cum)
    k = int(np.argmax(b - a))
    return float(b[k] - a[k]), float(starts[k])


def check_misfire(signals: SignalSet, limits: Thresholds | None = None) -> list[Finding]:
    lim = limits_or_default(limits)
    cyls = cylinders(signals)
    if not cyls:
        return [not_enough_data(System.IGNITION, CHECK, "no per-cylinder misfire counters (misfire_cyl1..N) in this recording")]
    rev = _revolutions(signals)
    if rev is None:
        return [not_enough_data(System.IGNITION, CHECK, "missing engine_speed (" + signals.problem("engine_speed") + "): revolutions unknown", "engine_speed")]
    t_rev, revs = rev
    n_cyl = max(cyls[-1], len(cyls))
    firings_per_rev = n_cyl / 2.0
    findings = []
    for c in cyls:
        name = f"misfire_cyl{c}"
        sig = signals.get(name)
        check = f"{CHECK} cylinder {c}"
        if sig is None or len(sig) < 2:
            findings.append(not_enough_data(System.IGNITION, check, f"{name}: {signals.problem(name) or 'fewer than 2 samples'}", name))
            continue
        inside = (sig.t >= t_rev[0]) & (sig.t <= t_rev[-1])
        t, counts = sig.t[inside], sig.values[inside]
        if len(t) < 2:
            findings.append(not_enough_data(System.IGNITION, check, f"{name} and engine_speed do not overlap in time", name))
            continue
        r = np.interp(t, t_rev, revs)
        r = r - r[0]
        total_revs = float(r[-1])
        if total_revs < 1000.0:
            findings.append(not_enough_data(System.IGNITION, check, f"only {total_revs:.0f} engine revolutions recorded; the test needs 1,000", name))
            continue
        cum = np.cumsum(_events(t, counts))
        worst_1000, start_1000 = _worst_window(r, cum, 1000.0)
        worst_200, start_200 = _worst_window(r, cum, 200.0)
        pct_1000 = 100.0 * worst_1000 / (1000.0 * firings_per_rev)
        pct_200 = 100.0 * worst_200 / (200.0 * firings_per_rev)
        per_1000 = 1000.0 * float(cum[-1]) / total_revs
        if pct_200 >= lim["misfire.catalyst_damage_pct"]:
            severity, limit_pct, name_lim, window = Severity.CRITICAL, lim["misfire.catalyst_damage_pct"], "misfire.catalyst_damage_pct", (start_200, 200.0)
        elif pct_1000 >= lim["misfire.emission_pct"]:
            severity, limit_pct, name_lim, window = Severity.WARNING, lim["misfire.emission_pct"], "misfire.emission_pct", (start_1000, 1000.0)
        elif pct_1000 >= lim["misfire.watch_pct"]:
            severity, limit_pct, name_lim, window = Severity.WATCH, lim["misfire.watch_pct"], "misfire.watch_pct", (start_1000, 1000.0)
        else:
            severity, limit_pct, name_lim, window = Severity.OK, lim["misfire.emission_pct"], "misfire.emission_pct", (start_1000, 1000.0)
        t0 = float(np.interp(window[0], r, t))
        t1 = float(np.interp(window[0] + window[1], r, t))
        words = {Severity.OK: "no misfire problem", Severity.WATCH: "occasional misfires",
                 Severity.WARNING: "above the emission threshold (P030x): check plug, coil, injector, compression",
                 Severity.CRITICAL: "catalyst-damaging misfire rate: do not drive hard; plug, coil, injector, compression"}[severity]
        findings.append(Finding(
            system=str(System.IGNITION), check=check, severity=severity,
            summary=(f"Cylinder {c}: {worst_1000:.0f} misfires in the worst 1,000 revolutions ({pct_1000:.1f} % of firings), "
                     f"{worst_200:.0f} in the worst 200 ({pct_200:.1f} %); {per_1000:.1f} per 1,000 over {total_revs:.0f} revolutions: {words}."),
            measured=round(pct_200 if severity == Severity.CRITICAL else pct_1000, 2), unit="% of firings",
            threshold=limit_pct,
            threshold_source=lim.source(name_lim) + (" (worst 200-revolution window)" if severity == Severity.CRITICAL else " (worst 1,000-revolution window)"),
            confidence=round(min(0.95, 0.5 + total_revs / 20000.0), 2), time_range=(t0, t1), signal=name,
        ))
    return findings
