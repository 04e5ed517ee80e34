"""What goes into a claim's evidence pack, gathered from the store once, as plain data.

The PDF (``pdf.py``) only lays out what is here, and the manifest (``manifest.py``) hashes the
same items, so what a reader sees and what ``warranty verify`` checks are one set of facts.
Every item is canonical JSON (RFC 8785) or CSV with a fixed float format: the same claim and
recording give the same bytes on every workstation, which is what makes the PDF byte-identical.

Items embedded in the pack: the claim, the coverage verdict, the fraud and error checks, the scan
(codes and freeze frames), every control module's codes from the newest all-modules scan (UDS), the
health findings and scores, the diagnosis with the technician's
verdicts, and the samples behind every plot. The recording's own data is too large to embed:
the manifest carries its SHA-256 and size (``from_recording.recording_sha256``), and
``verify --db`` hashes it again in the store.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from carvrooom_desktop.errors import NotFound
from carvrooom_desktop.warranty.claim import WarrantyClaim
from carvrooom_desktop.warranty.signals import ClaimCheck
from resources import resource_path

if TYPE_CHECKING:
    from carvrooom_desktop.storage.store import Store

PART_SIGNALS = resource_path("warranty", "part_signals.json")
MAX_PLOTS = 6


@dataclass(frozen=True, slots=True)
class PackItem:
    """One embedded file of the pack."""

    name: str  # "claim.json"
    kind: str  # claim | coverage | checks | scan | health | diagnosis | signals
    data: bytes
    mime: str = "application/json"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True, slots=True)
class ExternalItem:
    """Data the pack refers to by hash only (the recording), checked again in the store by ``verify --db``."""

    name: str
    kind: str
    sha256: str
    size: int
    ref: str  # the recording's UUID


@dataclass(frozen=True, slots=True)
class Plot:
    signal: str
    unit: str
    t: np.ndarray  # seconds from the recording's start
    y: np.ndarray
    highlight: tuple[float, float] | None = None  # a finding's time window
    threshold: float | None = None
    caption: str = ""


@dataclass(frozen=True)
class PackContents:
    claim: WarrantyClaim
    check: ClaimCheck
    vehicle: dict[str, Any]
    recording: dict[str, Any] | None
    scan: dict[str, Any] | None
    findings: tuple[dict[str, Any], ...]
    scores: dict[str, Any]
    diagnosis: dict[str, Any] | None
    plots: tuple[Plot, ...]
    modules: tuple[dict[str, Any], ...]  # every control module of the car with its codes (the newest UDS scan)
    workshop: dict[str, str]
    issued_on: date
    items: tuple[PackItem, ...] = ()
    external: tuple[ExternalItem, ...] = ()
    notes: tuple[str, ...] = field(default=())  # what could not be gathered, said in the pack


def plain(value: Any) -> Any:
    """JSON-ready: dates as ISO text, UUIDs as text, numpy as Python numbers, NaN and infinities as null."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    return value


def plain_dict(value: Mapping[str, Any]) -> dict[str, Any]:
    out = plain(value)
    assert isinstance(out, dict)
    return out


def canonical_json(value: Any) -> bytes:
    import rfc8785

    return rfc8785.dumps(plain(value))


def claim_record(claim: WarrantyClaim) -> dict[str, Any]:
    return plain_dict({
        "claim_id": claim.claim_id, "claim_type": claim.claim_type, "status": claim.status, "vin": claim.vin,
        "claim_date": claim.claim_date, "repair_date": claim.repair_date, "in_service_date": claim.in_service_date,
        "odometer_in_km": claim.odometer_km, "odometer_out_km": claim.odometer_out_km, "complaint": claim.complaint,
        "cause": claim.cause, "correction": claim.correction, "dtcs": list(claim.dtcs), "freeze_frames": list(claim.freeze_frames),
        "part_number": claim.part_number, "part_category": claim.part_category, "labour_op": claim.labour_op,
        "dealer_id": claim.dealer_id, "amount": f"{claim.amount:.2f}", "recording_id": claim.recording_id,
        "recording_sha256": claim.recording_sha256, "decided_by": claim.decided_by, "status_note": claim.status_note,
    })


def plot_signals(part_category: str, available: Sequence[str], path: str | Path | None = None) -> list[str]:
    """The signals to plot for a part category: its list first, then the default list, only those recorded."""
    spec = json.loads(Path(path or PART_SIGNALS).read_text(encoding="utf-8"))
    wanted = list(spec.get("parts", {}).get(part_category, [])) + list(spec.get("default", []))
    have = set(available)
    out: list[str] = []
    for name in wanted + sorted(have):
        if name in have and name not in out:
            out.append(name)
        if len(out) == MAX_PLOTS:
            break
    return out


def signals_csv(plots: Sequence[Plot]) -> bytes:
    """``signal,t_s,value`` rows of every plotted sample (fixed formats: the same samples, the same bytes)."""
    buf = io.StringIO()
    buf.write("signal,unit,t_s,value\n")
    for p in plots:
        for t, y in zip(p.t.tolist(), p.y.tolist(), strict=True):
            buf.write(f"{p.signal},{p.unit},{t:.3f},{y:.6g}\n")
    return buf.getvalue().encode()


def build_items(contents: PackContents) -> tuple[PackItem, ...]:
    """The embedded files, in the order the manifest lists them."""
    c = contents
    items = [
        PackItem("claim.json", "claim", canonical_json(claim_record(c.claim))),
        PackItem("coverage.json", "coverage", canonical_json(c.check.verdict.to_dict())),
        PackItem("checks.json", "checks", canonical_json(c.check.to_dict())),
        PackItem("vehicle.json", "vehicle", canonical_json(c.vehicle)),
        PackItem("scan.json", "scan", canonical_json(c.scan)),
        PackItem("health.json", "health", canonical_json({"findings": list(c.findings), "scores": c.scores})),
        PackItem("diagnosis.json", "diagnosis", canonical_json(c.diagnosis)),
        PackItem("modules.json", "modules", canonical_json(list(c.modules))),
    ]
    if c.plots:
        items.append(PackItem("signals.csv", "signals", signals_csv(c.plots), mime="text/csv"))
    return tuple(items)


def gather(store: Store, claim: WarrantyClaim, check: ClaimCheck, *, workshop: Mapping[str, str] | None = None,
           issued_on: date | None = None) -> PackContents:
    """Everything the pack shows about ``claim``, from the store (no clock: ``issued_on`` defaults to the claim's date)."""
    from carvrooom_desktop.storage.diagnoses import DiagnosisRepository
    from carvrooom_desktop.warranty.from_recording import recording_sha256

    notes: list[str] = []
    vehicle_row = store.vehicles.get_by_vin(claim.vin) if claim.vin else None
    vehicle: dict[str, Any] = {"vin": claim.vin}
    if vehicle_row is not None:
        vehicle |= plain_dict({k: getattr(vehicle_row, k, None) for k in ("make", "model", "year", "odometer_km", "fuel", "engine")})
    recording_info: dict[str, Any] | None = None
    external: list[ExternalItem] = []
    scan = None
    findings: tuple[dict[str, Any], ...] = ()
    scores: dict[str, Any] = {}
    plots: tuple[Plot, ...] = ()
    diagnosis = None
    diagnoses = DiagnosisRepository(store.engine, store.origin)
    if claim.recording_id is not None:
        try:
            recording = store.recordings.get(claim.recording_id)
        except NotFound:
            recording = None
            notes.append(f"the claim's recording {claim.recording_id} is not in this store")
        if recording is not None:
            sha, size = recording_sha256(store.engine, recording.id)
            if claim.recording_sha256 and sha != claim.recording_sha256:
                notes.append(f"the recording's data hashes to {sha[:12]}..., not the {claim.recording_sha256[:12]}... "
                             "recorded on the claim: it changed after the claim was made")
            external.append(ExternalItem(f"recording {recording.id}", "recording", sha, size, str(recording.id)))
            recording_info = plain_dict({"id": recording.id, "started_at": recording.started_at, "ended_at": recording.ended_at,
                                    "duration_s": recording.duration_s, "adapter": recording.adapter, "notes": recording.notes,
                                    "frames": recording.frame_count, "samples": recording.sample_count,
                                    "signals": list(recording.signal_names), "sha256": sha, "bytes": size})
            samples = store.recordings.load_samples(recording.id)
            findings, scores, plots = _health_and_plots(samples, recording.signal_units, claim.part_category,
                                                        recording.started_at.timestamp())
            scan = diagnoses.scan_for(recording.id, claim.vin)
            diagnosis = _diagnosis(diagnoses, claim, recording.id)
    else:
        notes.append("no recording is attached to this claim: no plots or health findings")
        scan = diagnoses.scan_for(None, claim.vin) if claim.vin else None
        diagnosis = _diagnosis(diagnoses, claim, None)
    contents = PackContents(claim=claim, check=check, vehicle=vehicle, recording=recording_info, scan=plain(scan),
                            findings=findings, scores=scores, diagnosis=diagnosis, plots=plots, modules=_modules(store, claim.vin),
                            workshop=dict(workshop or {}), issued_on=issued_on or claim.claim_date,
                            external=tuple(external), notes=tuple(notes))
    return _with_items(contents)


def _modules(store: Store, vin: str) -> tuple[dict[str, Any], ...]:
    """The car's modules from its newest all-modules scan (UDS), each with its codes: "all DTCs of the involved modules"."""
    from dataclasses import asdict

    from carvrooom_desktop.storage.vehicle_modules import modules_of_vehicle

    if not vin:
        return ()
    return tuple(plain_dict({k: v for k, v in asdict(m).items() if k not in ("id", "vehicle_id")})
                 for m in modules_of_vehicle(store.engine, vin=vin))


def _with_items(contents: PackContents) -> PackContents:
    from dataclasses import replace

    return replace(contents, items=build_items(contents))


def _health_and_plots(samples: dict[str, tuple[np.ndarray, np.ndarray]], units: dict[str, str], part_category: str,
                      t0: float) -> tuple[tuple[dict[str, Any], ...], dict[str, Any], tuple[Plot, ...]]:
    from carvrooom_desktop.health.service import finding_to_dict, run_health
    from carvrooom_desktop.health.sources import signals_from_samples

    result = run_health(signals_from_samples(samples, units), "recording")
    findings = tuple(plain(finding_to_dict(f)) for f in sorted(result.findings, key=lambda f: (-int(f.severity), f.system, f.check))
                     if f.enough_data)
    by_signal = {f["signal"]: f for f in findings if f.get("signal") and f["severity"] != "ok"}
    start = min((float(t[0]) for t, _ in samples.values() if len(t)), default=t0)
    plots = []
    for name in plot_signals(part_category, [n for n, (t, _) in samples.items() if len(t)]):
        t, y = samples[name]
        finding = by_signal.get(name)
        window = None
        if finding and finding.get("time_range"):
            a, b = finding["time_range"]
            window = (float(a) - start, float(b) - start)
        plots.append(Plot(name, units.get(name, ""), np.asarray(t, float) - start, np.asarray(y, float), window,
                          finding.get("threshold") if finding else None, finding["summary"] if finding else ""))
    return findings, plain_dict(result.report.to_dict()), tuple(plots)


def _diagnosis(repo: Any, claim: WarrantyClaim, recording_id: uuid.UUID | None) -> dict[str, Any] | None:
    records = [d for d in repo.list(vin=claim.vin, limit=200) if recording_id is None or d.recording_id == recording_id]
    if not records:
        return None
    d = max(records, key=lambda r: (r.created_at, str(r.id)))
    verdicts = [{"cause": c, "system": s, "verdict": v} for c, s, v in repo.verdicts(d.id)]
    return plain_dict({"id": d.id, "created_at": d.created_at, "source": d.source, "model": d.model, "complaint": d.complaint,
                  "result": d.result, "verdicts": verdicts})


__all__ = ["ExternalItem", "PackContents", "PackItem", "Plot", "build_items", "canonical_json", "claim_record", "gather",
           "plain", "plot_signals", "signals_csv"]
