"""Turn what the bench knows (scan, findings, signals, complaint, shop history) into the agents' input."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from agents.schema import (
    DiagnosisInput,
    FindingFacts,
    FreezeFrameFacts,
    MonitorFacts,
    OnBoardTestFacts,
    PastFix,
    SignalStats,
    TroubleCode,
    VehicleFacts,
)
from carvrooom_desktop.domain import Finding

MAX_SIGNALS = 40  # the summary stays compact whatever the recording holds


def _finite(x: float) -> float | None:
    return round(float(x), 4) if np.isfinite(x) else None


def vehicle_facts(vehicle: Any) -> VehicleFacts:
    if vehicle is None:
        return VehicleFacts()
    return VehicleFacts(vin=vehicle.vin or "", make=vehicle.make or "", model=getattr(vehicle, "model", "") or "",
                        year=vehicle.year, odometer_km=vehicle.odometer_km)


def from_scan_report(report: Any) -> dict[str, Any]:
    """The fields of a live ScanReport (acquisition.scan) as input parts."""
    return {
        "vehicle": vehicle_facts(report.vehicle),
        "mil_on": bool(report.mil_on),
        "dtcs": [TroubleCode(code=d.code, kind=d.kind.value, description=d.description, system=d.system.value) for d in report.dtcs],
        "freeze_frames": [FreezeFrameFacts(dtc=f.dtc_code, values=dict(f.values), units=dict(f.units)) for f in report.freeze_frames],
        "readiness": [MonitorFacts(name=m.name, state=m.state.value) for m in report.readiness.monitors],
        "mode06": [OnBoardTestFacts(ref=f"{t.mid:02X}/{t.tid:02X}", monitor=t.monitor, test=t.test, value=t.value,
                                    minimum=t.minimum, maximum=t.maximum, unit=t.unit, passed=t.passed) for t in report.tests],
    }


def from_scan_document(document: Mapping[str, Any] | None) -> dict[str, Any]:
    """A stored scan (``vehicle_scans`` row as a dict: dtcs, readiness, freeze_frames, mil_on)."""
    if not document:
        return {}
    return {
        "mil_on": bool(document.get("mil_on")),
        "dtcs": [TroubleCode(code=d["code"], kind=d.get("kind", "stored"), description=d.get("description", ""),
                             system=d.get("system", "unknown")) for d in document.get("dtcs", []) if d.get("code")],
        "freeze_frames": [FreezeFrameFacts(dtc=f.get("dtc", ""), values=f.get("values", {}), units=f.get("units", {}))
                          for f in document.get("freeze_frames", [])],
        "readiness": [MonitorFacts(name=m.get("monitor", ""), state=m.get("state", "")) for m in document.get("readiness", [])],
    }


def finding_facts(findings: Iterable[Finding]) -> list[FindingFacts]:
    """Findings with a verdict (checks without enough data are not evidence of anything)."""
    out = []
    for f in findings:
        if not f.enough_data:
            continue
        t0, t1 = f.time_range if f.time_range else (None, None)
        out.append(FindingFacts(system=f.system, check=f.check, severity=f.severity.name, summary=f.summary,
                                measured=f.measured, unit=f.unit, threshold=f.threshold, signal=f.signal,
                                t_start=t0, t_end=t1))
    return out


def signal_stats(signals: Any) -> list[SignalStats]:
    """min/max/mean/last and time span of each signal of an analysis SignalSet."""
    out = []
    for name in sorted(signals.names)[:MAX_SIGNALS]:
        sig = signals.get(name)
        if sig is None or len(sig) == 0:
            continue
        v, t = sig.values, sig.t
        out.append(SignalStats(name=name, unit=sig.unit, count=int(len(v)), minimum=_finite(np.min(v)), maximum=_finite(np.max(v)),
                               mean=_finite(np.mean(v)), last=_finite(v[-1]), t_start=_finite(t[0]), t_end=_finite(t[-1])))
    return out


def past_fixes(history: Iterable[Any]) -> list[PastFix]:
    """storage.diagnoses.PastVerdict rows -> the agents' PastFix."""
    return [PastFix(cause=h.cause, system=h.system, verdict=h.verdict, note=h.note, same_vehicle=h.same_vehicle,
                    vehicle=" ".join(str(x) for x in (h.year or "", h.make) if x)) for h in history]


def build_input(*, scan: dict[str, Any] | None = None, findings: Iterable[Finding] = (), signals: Any = None,
                complaint: str = "", history: Iterable[Any] = (), wants_pro: bool = False,
                vehicle: VehicleFacts | None = None) -> DiagnosisInput:
    parts = dict(scan or {})
    if vehicle is not None and not parts.get("vehicle"):
        parts["vehicle"] = vehicle
    return DiagnosisInput(**parts, findings=finding_facts(findings), signals=signal_stats(signals) if signals is not None else [],
                          complaint=complaint.strip(), history=past_fixes(history), wants_pro=wants_pro)
