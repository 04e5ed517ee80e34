"""A car's module list in the store: what the last UDS scan found in each module, per vehicle.

The seam for the reports (warranty evidence pack, owner report, scan report):
:func:`modules_of_vehicle` returns a vehicle's modules with their codes, newest scan per
address, in address order. Modules cross as plain JSON-ready documents (the ``to_dict`` of
``drivers.uds.module_scan.ModuleReport``): storage knows nothing of drivers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, Table, select
from sqlalchemy.orm import Session

from carvrooom_desktop.storage.models import utcnow
from carvrooom_desktop.storage.uds_models import VehicleModuleRow

_table = cast(Table, VehicleModuleRow.__table__)


@dataclass(frozen=True, slots=True)
class ModuleCode:
    """One code of one module, as a report prints it."""

    dtc: str  # "C0035-13"
    code: str  # "C0035"
    description: str
    failure_text: str
    status: str  # hex byte
    status_words: tuple[str, ...]
    snapshot: tuple[dict[str, Any], ...] = ()
    extended: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ModuleCode:
        return cls(str(d.get("dtc", "")), str(d.get("code", "")), str(d.get("description", "")), str(d.get("failure_text", "")),
                   str(d.get("status", "")), tuple(d.get("status_words", ())), tuple(d.get("snapshot", ())), dict(d.get("extended", {})))


@dataclass(frozen=True, slots=True)
class VehicleModule:
    """One control module of a car with the codes of its newest scan."""

    id: uuid.UUID
    vehicle_id: uuid.UUID
    vin: str
    address: str
    extended: bool
    short: str
    name: str
    state: str
    detail: str
    identification: dict[str, str]
    codes: tuple[ModuleCode, ...]
    not_read: tuple[dict[str, str], ...]
    scanned_at: datetime

    @property
    def code_count(self) -> int:
        return len(self.codes)


def _module(row: VehicleModuleRow) -> VehicleModule:
    return VehicleModule(row.id, row.vehicle_id, row.vin, row.address, row.extended, row.short, row.name, row.state, row.detail,
                         dict(row.identification), tuple(ModuleCode.from_dict(d) for d in row.dtcs), tuple(row.not_read), row.scanned_at)


def _address_label(document: Mapping[str, Any]) -> tuple[str, bool]:
    address = document.get("address", {})
    if isinstance(address, Mapping):
        return f"{address.get('request', '')}/{address.get('response', '')}", bool(address.get("extended", False))
    return str(address), False


class VehicleModuleRepository:
    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin

    def save_scan(self, vehicle_id: uuid.UUID, vin: str, modules: Iterable[Mapping[str, Any]], *, scanned_at: datetime | None = None) -> int:
        """Write a scan's modules (``ModuleReport.to_dict()`` documents); a module seen before is updated in place.

        Modules of the car this scan did not reach keep their last row: a module that did not answer
        today is not proof it has no codes."""
        when = scanned_at or utcnow()
        count = 0
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            existing = {row.address: row for row in s.scalars(select(VehicleModuleRow).where(
                VehicleModuleRow.vehicle_id == vehicle_id, VehicleModuleRow.deleted.is_(False)))}
            for doc in modules:
                address, extended = _address_label(doc)
                row = existing.get(address)
                if row is None:
                    row = VehicleModuleRow(vehicle_id=vehicle_id, address=address, origin=self.origin)
                    s.add(row)
                    existing[address] = row
                else:
                    row.version += 1
                row.vin, row.extended = vin, extended
                row.short, row.name = str(doc.get("short", ""))[:16], str(doc.get("name", ""))[:96]
                row.state, row.detail = str(doc.get("state", ""))[:48], str(doc.get("detail", ""))
                row.identification = dict(doc.get("identification", {}))
                row.dtcs = list(doc.get("dtcs", []))
                row.not_read = list(doc.get("not_read", []))
                row.code_count = len(row.dtcs)
                row.scanned_at = when
                count += 1
        return count

    def for_vehicle(self, vehicle_id: uuid.UUID) -> list[VehicleModule]:
        with Session(self.engine) as s:
            rows = s.scalars(select(VehicleModuleRow).where(VehicleModuleRow.vehicle_id == vehicle_id, VehicleModuleRow.deleted.is_(False))
                             .order_by(VehicleModuleRow.address, VehicleModuleRow.scanned_at.desc(), VehicleModuleRow.updated_at.desc()))
            return _newest_per_address(rows)

    def for_vin(self, vin: str) -> list[VehicleModule]:
        with Session(self.engine) as s:
            rows = s.scalars(select(VehicleModuleRow).where(VehicleModuleRow.vin == vin, VehicleModuleRow.deleted.is_(False))
                             .order_by(VehicleModuleRow.address, VehicleModuleRow.scanned_at.desc(), VehicleModuleRow.updated_at.desc()))
            return _newest_per_address(rows)


def _newest_per_address(rows: Iterable[VehicleModuleRow]) -> list[VehicleModule]:
    seen: set[str] = set()
    out: list[VehicleModule] = []
    for row in rows:
        if row.address not in seen:  # rows come newest first within an address
            seen.add(row.address)
            out.append(_module(row))
    return out


def modules_of_vehicle(engine: Engine, vehicle_id: uuid.UUID | None = None, *, vin: str = "") -> list[VehicleModule]:
    """Every module of a car (by vehicle id, or by VIN) with the codes of its newest scan: the reports' seam."""
    repository = VehicleModuleRepository(engine, "")
    if vehicle_id is not None:
        return repository.for_vehicle(vehicle_id)
    return repository.for_vin(vin) if vin else []


__all__ = ["ModuleCode", "VehicleModule", "VehicleModuleRepository", "modules_of_vehicle"]
