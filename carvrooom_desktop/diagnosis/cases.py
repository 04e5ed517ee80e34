"""Gather a diagnosis case from the live session, a stored recording or the simulated car.

Each returns a :class:`Case`: the agents' input plus what the app needs around it (the
signals for evidence plots, which vehicle and recording it belongs to).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agents.schema import DiagnosisInput
from carvrooom_desktop.diagnosis.gather import build_input, from_scan_document, from_scan_report, vehicle_facts
from carvrooom_desktop.diagnosis.signal_sources import signals_from_samples, signals_from_session, simulate_drive
from carvrooom_desktop.errors import InvalidRequest

HISTORY_YEARS = 4  # "similar car": same make, model years this close


@dataclass
class Case:
    input: DiagnosisInput
    source: str  # what the case was read from, for the page and the CLI
    signals: Any = None  # analysis SignalSet (evidence plots); never persisted
    vehicle_id: uuid.UUID | None = None
    recording_id: uuid.UUID | None = None
    notes: list[str] = field(default_factory=list)


def _findings(signals: Any) -> list[Any]:
    from analysis.checks import run_all_checks

    return run_all_checks(signals)


def _history(repo: Any, vehicle: Any) -> list[Any]:
    if repo is None or vehicle is None:
        return []
    history: list[Any] = repo.fix_history(vehicle.vin, vehicle.make or "", vehicle.year, max_years_apart=HISTORY_YEARS)
    return history


def case_from_session(session: Any, *, repo: Any = None, complaint: str = "", wants_pro: bool = False) -> Case:
    """The connected car: its last scan, the signals buffered so far, and the checks over them."""
    report = session.report
    if report is None:
        raise InvalidRequest("the live session has not scanned the car yet: connect first")
    signals = signals_from_session(session)
    case = build_input(scan=from_scan_report(report), findings=_findings(signals), signals=signals, complaint=complaint,
                       history=_history(repo, report.vehicle), wants_pro=wants_pro)
    return Case(case, f"live session: {report.vehicle.label}", signals, session.vehicle_id, session.recording_id)


def case_from_recording(store: Any, repo: Any, recording_ref: str | uuid.UUID, *, complaint: str = "", wants_pro: bool = False) -> Case:
    """A stored recording: its samples, the scan taken with it (or the car's newest scan)."""
    recording = store.recordings.get(recording_ref) if isinstance(recording_ref, uuid.UUID) else store.recordings.find(str(recording_ref))
    samples = store.recordings.load_samples(recording.id)
    starts = [float(t[0]) for t, _v in samples.values() if len(t)]
    origin = min(starts) if starts else 0.0  # seconds since the recording's first sample, as the Recordings page plots
    samples = {name: (t - origin, v) for name, (t, v) in samples.items()}
    signals = signals_from_samples(samples, recording.signal_units)
    vehicle = store.vehicles.get_by_vin(recording.vin) if recording.vin else None
    notes = []
    scan = from_scan_document(repo.scan_for(recording.id, recording.vin)) if repo is not None else {}
    if not scan:
        notes.append("no scan stored for this recording or car: codes, readiness and freeze frame unknown")
    if not samples:
        notes.append("the recording holds no decoded samples: no health findings")
    case = build_input(scan=scan, findings=_findings(signals) if samples else [], signals=signals, complaint=complaint,
                       history=_history(repo, vehicle), wants_pro=wants_pro,
                       vehicle=vehicle_facts(vehicle) if vehicle else vehicle_facts(_VinOnly(recording.vin)))
    vehicle_id = store.vehicles.upsert(vehicle) if vehicle is not None else None
    return Case(case, f"recording {recording.id}", signals, vehicle_id, recording.id, notes)


@dataclass
class _VinOnly:
    vin: str
    make: str = ""
    model: str = ""
    year: int | None = None
    odometer_km: float | None = None


def case_from_simulator(faults: tuple[str, ...] = (), *, seed: int = 0, store: Any = None, repo: Any = None,
                        complaint: str = "", wants_pro: bool = False, cancelled: Callable[[], bool] | None = None) -> Case:
    """Scan the simulated car over its virtual CAN bus, then drive it (faster than real time) for the checks."""
    from carvrooom_desktop.acquisition.session import LiveSession
    from carvrooom_desktop.acquisition.source import SourceSpec
    from carvrooom_desktop.events import EventBus

    session = LiveSession(SourceSpec(kind="sim", faults=tuple(faults), seed=seed), events=EventBus(), store=store, signals=[])
    try:
        report = session.connect()
        vehicle_id = session.vehicle_id
    finally:
        session.close()
    signals = simulate_drive(tuple(faults), seed=seed, cancelled=cancelled)
    case = build_input(scan=from_scan_report(report), findings=_findings(signals), signals=signals, complaint=complaint,
                       history=_history(repo, report.vehicle), wants_pro=wants_pro)
    label = ", ".join(faults) or "no fault"
    return Case(case, f"simulated car ({label}), seed {seed}", signals, vehicle_id, None)
