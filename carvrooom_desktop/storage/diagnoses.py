"""Diagnoses, the technician's verdicts on their causes, and the shop's fix history.

A diagnosis row holds the result as JSON (the agents' ``Diagnosis.model_dump()``), where it
came from (offline expert or model), token use and cost, and the follow-up chat's thread
id. An offline answer replaced by the model's later answer keeps its row (same id,
version + 1). Never holds an API key: nothing here is given one.
"""

from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from carvrooom_desktop.errors import InvalidRequest
from carvrooom_desktop.storage.models import DiagnosisRow, DiagnosisVerdictRow, VehicleRow, VehicleScanRow, utcnow

VERDICTS = ("confirmed", "rejected", "fixed_by")
SOURCES = ("offline", "model")


@dataclass(frozen=True)
class DiagnosisRecord:
    id: uuid.UUID
    vehicle_id: uuid.UUID | None
    recording_id: uuid.UUID | None
    vin: str
    created_at: datetime
    source: str
    model: str
    complaint: str
    result: dict[str, Any]
    input_tokens: int
    output_tokens: int
    cost_usd: float
    thread_id: str
    version: int


@dataclass(frozen=True)
class PastVerdict:
    """A verdict on this car or a similar one (same make, model year within a few years)."""

    cause: str
    system: str
    verdict: str
    note: str
    vin: str
    make: str
    year: int | None
    decided_at: datetime
    same_vehicle: bool


def _record(row: DiagnosisRow) -> DiagnosisRecord:
    return DiagnosisRecord(row.id, row.vehicle_id, row.recording_id, row.vin, row.created_at, row.source, row.model,
                           row.complaint, dict(row.result or {}), row.input_tokens, row.output_tokens, row.cost_usd,
                           row.thread_id, row.version)


class DiagnosisRepository:
    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin

    def add(self, *, vin: str, source: str, model: str, result: dict[str, Any], complaint: str = "",
            vehicle_id: uuid.UUID | None = None, recording_id: uuid.UUID | None = None, input_tokens: int = 0,
            output_tokens: int = 0, cost_usd: float = 0.0, thread_id: str = "") -> uuid.UUID:
        if source not in SOURCES:
            raise InvalidRequest(f"diagnosis source must be one of {SOURCES}, got {source!r}")
        row = DiagnosisRow(vehicle_id=vehicle_id, recording_id=recording_id, vin=vin, source=source, model=model,
                           complaint=complaint, result=result, input_tokens=input_tokens, output_tokens=output_tokens,
                           cost_usd=cost_usd, thread_id=thread_id or "", origin=self.origin)
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            s.add(row)
        return row.id

    def replace_result(self, diagnosis_id: uuid.UUID, *, source: str, model: str, result: dict[str, Any],
                       input_tokens: int = 0, output_tokens: int = 0, cost_usd: float = 0.0) -> None:
        """The model's late answer replaces the offline one in place (same row, next version)."""
        if source not in SOURCES:
            raise InvalidRequest(f"diagnosis source must be one of {SOURCES}, got {source!r}")
        with Session(self.engine) as s, s.begin():
            row = s.get(DiagnosisRow, diagnosis_id)
            if row is None or row.deleted:
                raise KeyError(f"no diagnosis {diagnosis_id}")
            row.source, row.model, row.result = source, model, result
            row.input_tokens += input_tokens
            row.output_tokens += output_tokens
            row.cost_usd += cost_usd
            row.version += 1

    def set_thread(self, diagnosis_id: uuid.UUID, thread_id: str) -> None:
        with Session(self.engine) as s, s.begin():
            row = s.get(DiagnosisRow, diagnosis_id)
            if row is None:
                raise KeyError(f"no diagnosis {diagnosis_id}")
            row.thread_id = thread_id
            row.version += 1

    def get(self, diagnosis_id: uuid.UUID) -> DiagnosisRecord:
        with Session(self.engine) as s:
            row = s.get(DiagnosisRow, diagnosis_id)
            if row is None or row.deleted:
                raise KeyError(f"no diagnosis {diagnosis_id}")
            return _record(row)

    def list(self, vin: str | None = None, limit: int = 50) -> list[DiagnosisRecord]:
        with Session(self.engine) as s:
            q = select(DiagnosisRow).where(DiagnosisRow.deleted.is_(False))
            if vin:
                q = q.where(DiagnosisRow.vin == vin)
            return [_record(r) for r in s.scalars(q.order_by(DiagnosisRow.created_at.desc()).limit(limit))]

    def add_verdict(self, diagnosis_id: uuid.UUID, *, cause: str, system: str, verdict: str, note: str = "") -> uuid.UUID:
        if verdict not in VERDICTS:
            raise InvalidRequest(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
        if not cause.strip():
            raise InvalidRequest("a verdict needs the cause it is about")
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            diagnosis = s.get(DiagnosisRow, diagnosis_id)
            if diagnosis is None or diagnosis.deleted:
                raise KeyError(f"no diagnosis {diagnosis_id}")
            row = DiagnosisVerdictRow(diagnosis_id=diagnosis_id, vin=diagnosis.vin, cause=cause[:255], system=system[:64],
                                      verdict=verdict, note=note, decided_at=utcnow(), origin=self.origin)
            s.add(row)
        return row.id

    def verdicts(self, diagnosis_id: uuid.UUID) -> builtins.list[tuple[str, str, str]]:  # ``list`` is a method here
        """(cause, verdict, note), oldest first; the newest verdict on a cause is the one that counts."""
        with Session(self.engine) as s:
            rows = s.scalars(select(DiagnosisVerdictRow).where(DiagnosisVerdictRow.diagnosis_id == diagnosis_id,
                                                               DiagnosisVerdictRow.deleted.is_(False))
                             .order_by(DiagnosisVerdictRow.decided_at))
            return [(r.cause, r.verdict, r.note) for r in rows]

    def fix_history(self, vin: str, make: str = "", year: int | None = None, *, max_years_apart: int = 4,
                    limit: int = 50) -> builtins.list[PastVerdict]:
        """Verdicts on this VIN, and on cars of the same make within ``max_years_apart`` model years."""
        with Session(self.engine) as s:
            q = (select(DiagnosisVerdictRow, VehicleRow.make, VehicleRow.year)
                 .join(VehicleRow, (VehicleRow.vin == DiagnosisVerdictRow.vin) & VehicleRow.deleted.is_(False), isouter=True)
                 .where(DiagnosisVerdictRow.deleted.is_(False)))
            similar = [DiagnosisVerdictRow.vin == vin] if vin else []
            if make:
                same_make = VehicleRow.make == make
                if year is not None:
                    same_make = same_make & VehicleRow.year.between(year - max_years_apart, year + max_years_apart)
                similar.append(same_make)
            if not similar:
                return []
            q = q.where(or_(*similar)).order_by(DiagnosisVerdictRow.decided_at.desc()).limit(limit)
            return [PastVerdict(r.cause, r.system, r.verdict, r.note, r.vin, m or "", y, r.decided_at, bool(vin) and r.vin == vin)
                    for r, m, y in s.execute(q)]

    def scan_for(self, recording_id: uuid.UUID | None, vin: str = "") -> dict[str, Any] | None:
        """The scan stored with a recording, else the newest scan of the VIN's vehicle (codes, readiness, freeze frames)."""
        with Session(self.engine) as s:
            row = None
            if recording_id is not None:
                row = s.scalars(select(VehicleScanRow).where(VehicleScanRow.recording_id == recording_id)
                                .order_by(VehicleScanRow.taken_at.desc())).first()
            if row is None and vin:
                row = s.scalars(select(VehicleScanRow).join(VehicleRow, VehicleRow.id == VehicleScanRow.vehicle_id)
                                .where(VehicleRow.vin == vin).order_by(VehicleScanRow.taken_at.desc())).first()
            if row is None:
                return None
            return {"mil_on": row.mil_on, "dtcs": list(row.dtcs or []), "readiness": list(row.readiness or []),
                    "freeze_frames": list(row.freeze_frames or []), "taken_at": row.taken_at.isoformat()}
