"""Vehicles and the scans read from them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from carvrooom_desktop.domain import Vehicle
from carvrooom_desktop.storage.models import VehicleRow, VehicleScanRow


class VehicleRepository:
    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin

    def upsert(self, vehicle: Vehicle) -> uuid.UUID:
        """The vehicle's id, creating it on first sight; known fields are refreshed."""
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            row = s.scalars(select(VehicleRow).where(VehicleRow.vin == vehicle.vin, VehicleRow.deleted.is_(False))).first()
            if row is None:
                row = VehicleRow(vin=vehicle.vin, origin=self.origin)
                s.add(row)
            changed = False
            for field in ("make", "model", "year", "odometer_km"):
                value = getattr(vehicle, field)
                if value not in (None, "") and getattr(row, field) != value:
                    setattr(row, field, value)
                    changed = True
            if changed and row.version is not None:
                row.version += 1
            s.flush()
            return row.id

    def get_by_vin(self, vin: str) -> Vehicle | None:
        with Session(self.engine, expire_on_commit=False) as s:
            row = s.scalars(select(VehicleRow).where(VehicleRow.vin == vin, VehicleRow.deleted.is_(False))).first()
            return None if row is None else Vehicle(row.vin, row.make, row.model, row.year, row.odometer_km)

    def remember_signal_database(self, vin: str, path: str) -> None:
        """The signal database (DBC, KCD, ARXML, SYM) the technician chose for this car."""
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            row = s.scalars(select(VehicleRow).where(VehicleRow.vin == vin, VehicleRow.deleted.is_(False))).first()
            if row is None:
                row = VehicleRow(vin=vin, origin=self.origin)
                s.add(row)
            elif row.signal_database != path:
                row.version += 1
            row.signal_database = path

    def signal_database_path(self, vin: str) -> str | None:
        with Session(self.engine) as s:
            path = s.scalar(select(VehicleRow.signal_database).where(VehicleRow.vin == vin, VehicleRow.deleted.is_(False)))
            return path or None

    def add_scan(self, vehicle_id: uuid.UUID | None, document: dict[str, Any], recording_id: uuid.UUID | None = None) -> uuid.UUID:
        """Store what a scan read (codes, readiness, freeze frames as JSON-ready dicts)."""
        row = VehicleScanRow(
            vehicle_id=vehicle_id, recording_id=recording_id, origin=self.origin, adapter=document.get("adapter", ""),
            mil_on=bool(document.get("mil_on")), dtcs=document.get("dtcs", []), readiness=document.get("readiness", []),
            freeze_frames=document.get("freeze_frames", []),
        )
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            s.add(row)
        return row.id
