"""One car's history, newest first: visits, scans, recordings, diagnoses, jobs and warranty claims."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, select

from carvrooom_desktop.errors import NotFound
from carvrooom_desktop.storage.fleet_models import FleetVehicleRow, FleetVisitRow
from carvrooom_desktop.storage.models import DiagnosisRow, RecordingRow, VehicleRow, VehicleScanRow
from carvrooom_desktop.storage.warranty_models import WarrantyClaimRow
from carvrooom_desktop.storage.workshop_models import WorkshopJobRow


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of the history: when, what kind, a one-line summary, and the row's id for click-through."""

    when: date
    kind: str  # visit | scan | recording | diagnosis | job | claim
    summary: str
    ref: str

    def to_dict(self) -> dict[str, str]:
        return {"when": self.when.isoformat(), "kind": self.kind, "summary": self.summary, "ref": self.ref}


@dataclass
class VehicleHistory:
    vin: str
    make: str
    model: str
    year: int | None
    odometer_km: float | None
    customer: str = ""
    site: str = ""
    in_service_date: str = ""
    visits: list[dict[str, Any]] = field(default_factory=list)  # oldest first, as the report reads them
    entries: list[HistoryEntry] = field(default_factory=list)  # newest first

    @property
    def label(self) -> str:
        return " ".join(p for p in (str(self.year or ""), self.make, self.model) if p)

    def to_dict(self) -> dict[str, Any]:
        return {"vin": self.vin, "make": self.make, "model": self.model, "year": self.year, "odometer_km": self.odometer_km,
                "customer": self.customer, "site": self.site, "in_service_date": self.in_service_date,
                "visits": self.visits, "history": [e.to_dict() for e in self.entries]}


def _day(value: datetime | str | None) -> date:
    if value is None:
        return date.min
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date()


def vehicle_history(engine: Engine, vin: str) -> VehicleHistory:
    """Everything the store holds on ``vin``; NotFound when the store does not know the car."""
    with engine.connect() as conn:
        car = conn.execute(select(VehicleRow).where(VehicleRow.vin == vin, VehicleRow.deleted.is_(False))).first()
        if car is None:
            raise NotFound(f"no vehicle with VIN {vin} in this store")
        vid: uuid.UUID = car.id
        fleet = conn.execute(select(FleetVehicleRow).where(FleetVehicleRow.vehicle_id == vid, FleetVehicleRow.deleted.is_(False))).first()
        history = VehicleHistory(car.vin, car.make, car.model, car.year, car.odometer_km,
                                 fleet.customer if fleet else "", fleet.site if fleet else "", fleet.in_service_date if fleet else "")
        entries = history.entries
        for v in conn.execute(select(FleetVisitRow).where(FleetVisitRow.vehicle_id == vid, FleetVisitRow.deleted.is_(False))
                              .order_by(FleetVisitRow.visit_date)):
            history.visits.append({
                "id": str(v.id), "date": v.visit_date, "site": v.site, "kind": v.kind, "odometer_km": v.odometer_km,
                "health_score": v.health_score, "systems": v.systems, "findings": v.findings, "codes": v.codes.split(),
                "cleared_codes": v.cleared_codes.split(), "flagged": v.flagged.split(), "repaired": v.repaired.split(),
                "work_done": v.work_done, "brake_pad_front_mm": v.brake_pad_front_mm,
                "recording_id": str(v.recording_id) if v.recording_id else None})
            score = "not assessed" if v.health_score is None else f"health {v.health_score:.0f}/100"
            entries.append(HistoryEntry(_day(v.visit_date), "visit", f"{v.kind} at {v.site}: {score}"
                                        + (f"; {v.work_done}" if v.work_done else ""), str(v.id)))
        for s in conn.execute(select(VehicleScanRow).where(VehicleScanRow.vehicle_id == vid, VehicleScanRow.deleted.is_(False))):
            codes = ", ".join(d.get("code", "?") for d in s.dtcs or []) or "no codes"
            entries.append(HistoryEntry(_day(s.taken_at), "scan", f"{codes}{' (MIL on)' if s.mil_on else ''}", str(s.id)))
        for r in conn.execute(select(RecordingRow).where((RecordingRow.vehicle_id == vid) | (RecordingRow.vin == vin), RecordingRow.deleted.is_(False))):
            entries.append(HistoryEntry(_day(r.started_at), "recording", f"{r.state}, {r.sample_count:,} samples"
                                        + (f": {r.notes}" if r.notes else ""), str(r.id)))
        for d in conn.execute(select(DiagnosisRow).where((DiagnosisRow.vehicle_id == vid) | (DiagnosisRow.vin == vin), DiagnosisRow.deleted.is_(False))):
            summary = str((d.result or {}).get("summary", "")) or d.complaint or "diagnosis"
            entries.append(HistoryEntry(_day(d.created_at), "diagnosis", f"{d.source}: {summary}", str(d.id)))
        for j in conn.execute(select(WorkshopJobRow).where((WorkshopJobRow.vehicle_id == vid) | (WorkshopJobRow.vin == vin), WorkshopJobRow.deleted.is_(False))):
            entries.append(HistoryEntry(_day(j.created_at), "job", f"{j.title} ({j.labour_hours:g} h, {j.status})", j.reference or str(j.id)))
        for c in conn.execute(select(WarrantyClaimRow).where(WarrantyClaimRow.vin == vin, WarrantyClaimRow.deleted.is_(False))):
            entries.append(HistoryEntry(_day(c.claim_date), "claim", f"{c.part_category or 'claim'}: {c.amount_cents / 100:,.2f} ({c.status})",
                                        c.claim_id))
    order = {"visit": 0, "scan": 1, "diagnosis": 2, "job": 3, "claim": 4, "recording": 5}
    entries.sort(key=lambda e: (-e.when.toordinal(), order.get(e.kind, 9), e.summary))
    return history


__all__ = ["HistoryEntry", "VehicleHistory", "vehicle_history"]
