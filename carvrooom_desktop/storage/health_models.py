"""Fitted remaining-useful-life models kept with their vehicle (table ``health_models``).

Storage knows nothing of the analysis package: a model arrives and leaves as the plain,
JSON-able dict its ``to_dict()`` produced (plus whatever history the caller keeps beside
it), so no pickled code is ever stored. One live row per (vehicle, name): saving again
replaces the parameters and bumps the row's version for sync.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import Session

from carvrooom_desktop.storage.models import HealthModelRow, VehicleRow, utcnow


@dataclass(frozen=True, slots=True)
class StoredHealthModel:
    id: uuid.UUID
    vehicle_id: uuid.UUID | None
    name: str
    kind: str
    fitted_at: datetime
    parameters: dict[str, Any]
    version: int


def _check_json(parameters: dict[str, Any]) -> dict[str, Any]:
    """Refuse what a JSON column cannot hold faithfully (NaN, infinities, objects) before writing."""
    if not isinstance(parameters, dict):
        raise ValueError(f"model parameters must be a dict, not {type(parameters).__name__}")
    try:
        text = json.dumps(parameters, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ValueError(f"model parameters are not plain JSON: {e}") from e
    plain: dict[str, Any] = json.loads(text)
    return plain


def _row(r: HealthModelRow) -> StoredHealthModel:
    return StoredHealthModel(r.id, r.vehicle_id, r.name, r.kind, r.fitted_at, dict(r.parameters or {}), r.version)


class HealthModelRepository:
    def __init__(self, engine: Engine, origin: str = "") -> None:
        self.engine = engine
        self.origin = origin

    def save(self, vehicle_id: uuid.UUID | None, name: str, kind: str, parameters: dict[str, Any]) -> uuid.UUID:
        """Store (or replace) the model ``name`` of this vehicle; returns the row id."""
        if not name or not kind:
            raise ValueError("a health model needs a name and a kind")
        if len(name) > 64 or len(kind) > 64:
            raise ValueError("health model name and kind are limited to 64 characters")
        clean = _check_json(parameters)
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            row = s.scalars(self._live(vehicle_id).where(HealthModelRow.name == name)).first()
            if row is None:
                row = HealthModelRow(vehicle_id=vehicle_id, name=name, origin=self.origin)
                s.add(row)
            else:
                row.version += 1
            row.kind = kind
            row.parameters = clean
            row.fitted_at = utcnow()
            s.flush()
            return row.id

    def get(self, vehicle_id: uuid.UUID | None, name: str) -> StoredHealthModel | None:
        with Session(self.engine) as s:
            row = s.scalars(self._live(vehicle_id).where(HealthModelRow.name == name)).first()
            return None if row is None else _row(row)

    def list(self, vehicle_id: uuid.UUID | None) -> list[StoredHealthModel]:
        with Session(self.engine) as s:
            return [_row(r) for r in s.scalars(self._live(vehicle_id).order_by(HealthModelRow.name))]

    def delete(self, vehicle_id: uuid.UUID | None, name: str) -> bool:
        """Soft delete (kept for sync); True if there was such a model."""
        with Session(self.engine) as s, s.begin():
            row = s.scalars(self._live(vehicle_id).where(HealthModelRow.name == name)).first()
            if row is None:
                return False
            row.deleted = True
            row.version += 1
            return True

    def vehicle_id_for_vin(self, vin: str) -> uuid.UUID | None:
        """The vehicle a recording's VIN belongs to (recordings carry the VIN), or None."""
        with Session(self.engine) as s:
            return s.scalar(select(VehicleRow.id).where(VehicleRow.vin == vin, VehicleRow.deleted.is_(False)))

    @staticmethod
    def _live(vehicle_id: uuid.UUID | None) -> Select[HealthModelRow]:
        q = select(HealthModelRow).where(HealthModelRow.deleted.is_(False))
        return q.where(HealthModelRow.vehicle_id.is_(None) if vehicle_id is None else HealthModelRow.vehicle_id == vehicle_id)


__all__ = ["HealthModelRepository", "StoredHealthModel"]
