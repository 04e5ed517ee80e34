"""The car's modules found by a UDS scan, per vehicle, with their last codes (issue 18).

One row per module address per vehicle. A synced row (``models.Synced``): no unique constraint
on (vehicle, address), since two workstations scanning the same car each write theirs and both
rows sync; readers take the newest row per address (``vehicle_modules.modules_of_vehicle``).
Codes, identification and what was not read are JSON documents, as the scan wrote them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carvrooom_desktop.storage.models import Base, Synced, utcnow


class VehicleModuleRow(Synced, Base):
    """One control module of one car as its last scan found it."""

    __tablename__ = "vehicle_modules"
    __table_args__ = (Index("ix_vehicle_modules_vehicle_address", "vehicle_id", "address"),)

    vehicle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicles.id"))
    vin: Mapped[str] = mapped_column(String(32), default="", index=True)
    address: Mapped[str] = mapped_column(String(20))  # "760/768", "18DA28F1/18DAF128"
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    short: Mapped[str] = mapped_column(String(16), default="")
    name: Mapped[str] = mapped_column(String(96), default="")
    state: Mapped[str] = mapped_column(String(48), default="")  # drivers.uds ModuleState value, in words
    detail: Mapped[str] = mapped_column(Text, default="")
    identification: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dtcs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    not_read: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    code_count: Mapped[int] = mapped_column(Integer, default=0)
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


__all__ = ["VehicleModuleRow"]
