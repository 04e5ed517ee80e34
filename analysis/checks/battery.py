"""Battery: resting state of charge from the key-on voltage, and the cranking voltage.

Enabling conditions: the recording must contain a key-on period (engine stopped) before the
first engine start, and for the state of charge the battery must have rested (engine cold
at key-on). OBD-II reads the voltage only with the key on, so the reading sits 0.05-0.2 V
below the open-circuit voltage; the check grades on the generous end (no false alarm from
key-on loads) and reports the range. Cranking: logged PIDs update at different moments (the
engine speed often still reads 0 while the starter already turns), so the starter window
opens a few samples before the first non-zero speed. Repeated identical values are one
stale reading, not several. Readings 0.8 V or more below the key-on voltage are taken with
the starter turning; the verdict uses the sustained cranking voltage (the second-lowest of
them), because a single lowest reading may be the starter's millisecond inrush; with only
one such reading (slow logging) only a dip below the critical line counts, as a watch. Limits: BCI tables (resources/health/thresholds.json).
"""

from __future__ import annotations

import numpy as np

from analysis import conditions
from analysis.checks._common import System, limits_or_default, not_enough_data
from analysis.signals import Signal, SignalSet
from analysis.thresholds import Thresholds
from carvrooom_desktop.domain import Finding, Severity

SOC_CHECK, CRANK_CHECK = "resting state of charge", "cranking voltage"
SIGNAL = "battery_voltage"
NOMINAL_V = 12.4  # key-on reference when the recording starts at the crank
STARTER_DROP_V = 0.8  # a reading this far below key-on is taken with the starter turning (> ~80 A)


def _first_start(rpm: Signal, lim: Thresholds) -> tuple[float, float] | None:
    """(last time the engine read stopped, first time it ran) of the first start, or None."""
    starts = conditions.engine_starts(rpm.values, rpm.t, lim)
    if not starts:
        return None
    i = starts[0]
    stopped = np.nonzero(rpm.values[:i] < 50.0)[0]
    if stopped.size == 0:
        return None
    return float(rpm.t[stopped[-1]]), float(rpm.t[i])


def _lead(rpm: Signal, volts: Signal) -> float:
    """How long before the first non-zero speed reading the starter may already turn."""
    return 3.0 * max(rpm.typical_interval, volts.typical_interval)


def _readings(v: np.ndarray) -> np.ndarray:
    """Distinct readings: a value repeated in consecutive samples is one (stale) reading."""
    if v.size == 0:
        return v
    return v[np.concatenate(([True], v[1:] != v[:-1]))]


def _battery_temperature(signals: SignalSet, t: float) -> tuple[float, str]:
    for name, what in (("ambient_air_temp", "ambient air"), ("intake_air_temp", "intake air")):
        s = signals.get(name)
        if s is not None and len(s):
            return float(np.interp(t, s.t, s.values)), what
    return 21.1, "assumed 21 °C (no temperature signal)"


def _soc_voltage(lim: Thresholds, soc_pct: float) -> float:
    pts = np.asarray(lim["battery.soc_table"], dtype=float)
    return float(np.interp(soc_pct, pts[:, 1], pts[:, 0]))


def resting_charge(signals: SignalSet, limits: Thresholds | None = None) -> Finding:
    lim = limits_or_default(limits)
    volts, rpm = signals.get(SIGNAL), signals.get("engine_speed")
    if volts is None or rpm is None:
        return not_enough_data(System.BATTERY, SOC_CHECK, "missing " + ", ".join(signals.missing([SIGNAL, "engine_speed"])), SIGNAL)
    start = _first_start(rpm, lim)
    if start is None:
        if not (np.all(rpm.values < 50.0) and len(volts) >= 3):
            return not_enough_data(System.BATTERY, SOC_CHECK, "no key-on period before an engine start in this recording (connect before cranking)", SIGNAL)
        key_on_end = float(volts.t[-1]) + 1.0
    else:
        key_on_end = start[0] - _lead(rpm, volts)
    before = (volts.t < key_on_end) & (volts.t >= rpm.t[0] - 5.0)
    if np.count_nonzero(before) < 1:
        return not_enough_data(System.BATTERY, SOC_CHECK, "no battery voltage reading with the key on before cranking", SIGNAL)
    coolant = signals.get("coolant_temp")
    if coolant is not None and len(coolant):
        c0 = float(np.interp(volts.t[before][0], coolant.t, coolant.values))
        if c0 > lim["battery.rested_max_coolant_c"]:
            return not_enough_data(System.BATTERY, SOC_CHECK, f"the battery has not rested (coolant {c0:.0f} °C at key-on: driven recently); "
                                   "measure after the car has stood for some hours", SIGNAL)
    v_key_on = float(np.median(volts.values[before]))
    if not 5.0 < v_key_on < 16.5:
        return not_enough_data(System.BATTERY, SOC_CHECK, f"key-on voltage {v_key_on:.2f} V is not a 12 V battery reading", SIGNAL)
    low_v, high_v = v_key_on + lim["battery.key_on_load_min_v"], v_key_on + lim["battery.key_on_load_max_v"]
    soc_low, soc_high = lim.table("battery.soc_table", low_v), lim.table("battery.soc_table", high_v)
    severity, limit_name = Severity.OK, "battery.soc_watch_pct"
    for name, sev in (("battery.soc_watch_pct", Severity.WATCH), ("battery.soc_warning_pct", Severity.WARNING),
                      ("battery.soc_critical_pct", Severity.CRITICAL)):
        if soc_high < lim[name]:
            severity, limit_name = sev, name
    words = {Severity.OK: "charged enough", Severity.WATCH: "partly discharged: recharge and retest",
             Severity.WARNING: "low: recharge, then load-test the battery", Severity.CRITICAL: "flat: may not start the car"}[severity]
    idx = np.nonzero(before)[0]
    return Finding(
        system=str(System.BATTERY), check=SOC_CHECK, severity=severity,
        summary=(f"Key-on voltage {v_key_on:.2f} V = {low_v:.2f}-{high_v:.2f} V open circuit after the key-on load "
                 f"= about {soc_low:.0f}-{soc_high:.0f} % charged: {words}."),
        measured=round(high_v, 3), unit="V", threshold=round(_soc_voltage(lim, lim[limit_name]), 3),
        threshold_source=(f"{lim.source('battery.soc_table')}; {lim[limit_name]:.0f} % limit: {lim.source(limit_name)}; "
                          f"key-on load: {lim.source('battery.key_on_load_max_v')}"),
        confidence=0.7, time_range=(float(volts.t[idx[0]]), float(volts.t[idx[-1]])), signal=SIGNAL,
    )


def cranking(signals: SignalSet, limits: Thresholds | None = None) -> Finding:
    lim = limits_or_default(limits)
    volts, rpm = signals.get(SIGNAL), signals.get("engine_speed")
    if volts is None or rpm is None:
        return not_enough_data(System.BATTERY, CRANK_CHECK, "missing " + ", ".join(signals.missing([SIGNAL, "engine_speed"])), SIGNAL)
    start = _first_start(rpm, lim)
    if start is None:
        return not_enough_data(System.BATTERY, CRANK_CHECK, "no engine start in this recording (record while cranking)", SIGNAL)
    t_stopped, t_run = start
    lead = _lead(rpm, volts)
    before = volts.t < t_stopped - lead
    reference = float(np.median(volts.values[before])) if np.any(before) else NOMINAL_V
    window = (volts.t >= t_stopped - lead) & (volts.t <= t_run + 1.0)
    readings = _readings(volts.values[window])
    readings = readings[(readings > 0.0) & (readings < 30.0)]  # a 12 V system cannot read outside this
    loaded = np.sort(readings[readings < reference - STARTER_DROP_V])
    if loaded.size == 0:
        return not_enough_data(System.BATTERY, CRANK_CHECK, f"no voltage reading caught the starter load (logged every {volts.typical_interval:.1f} s)", SIGNAL)
    lowest = float(loaded[0])
    single = loaded.size < 2
    sustained = lowest if single else float(loaded[1])
    temp, temp_source = _battery_temperature(signals, t_stopped)
    limit = lim.table("battery.crank_min_table", temp)
    critical = limit - lim["battery.crank_critical_margin_v"]
    if single:
        # One reading may be the starter's millisecond inrush: only a very deep one counts.
        severity = Severity.WATCH if lowest < critical else Severity.OK
    elif sustained < critical:
        severity = Severity.CRITICAL
    elif sustained < limit:
        severity = Severity.WARNING
    else:
        severity = Severity.OK
    confidence = 0.9 if not single else 0.4
    if temp_source.startswith("assumed"):
        confidence *= 0.8
    notes = ""
    if single:
        notes += (f" Only one reading caught the starter (logged every {volts.typical_interval:.1f} s); it may be the millisecond "
                  "inrush, so it is judged against the critical line only.")
    elif lowest < limit <= sustained:
        notes += f" The lowest reading, {lowest:.2f} V, is the starter's inrush."
    what = "one reading during cranking" if single else f"cranking voltage held {sustained:.2f} V (lowest {lowest:.2f} V)"
    verdict = {Severity.OK: "battery and starter circuit hold up", Severity.WATCH: "one very deep reading: load-test the battery",
               Severity.WARNING: "weak battery or high starter-circuit resistance",
               Severity.CRITICAL: "battery close to not starting the car"}[severity]
    idx = np.nonzero(window)[0]
    return Finding(
        system=str(System.BATTERY), check=CRANK_CHECK, severity=severity,
        summary=(f"{what[0].upper()}{what[1:]}{f' at {lowest:.2f} V' if single else ''}; limit {limit:.2f} V at {temp:.0f} °C "
                 f"({temp_source}): {verdict}.{notes}"),
        measured=round(sustained, 3), unit="V", threshold=round(critical if (single or severity == Severity.CRITICAL) else limit, 3),
        threshold_source=lim.source("battery.crank_min_table") + (f"; critical margin: {lim.source('battery.crank_critical_margin_v')}" if severity == Severity.CRITICAL else ""),
        confidence=round(confidence, 2), time_range=(float(volts.t[idx[0]]), float(volts.t[idx[-1]])), signal=SIGNAL,
    )


def check_battery(signals: SignalSet, limits: Thresholds | None = None) -> list[Finding]:
    return [resting_charge(signals, limits), cranking(signals, limits)]
