"""The fleet's tables (issue 15): which cars a workshop looks after, their visits, maintenance items,
and the telematics intake. Registered on the same ``Base`` as ``models.py``.

``fleet_*`` rows are synced rows (UUID key, ``updated_at``, ``version``, ``origin``, ``deleted``): a
visit written at one site is seen by the fleet manager at another. Visit dates are ISO
``YYYY-MM-DD`` text (as the warranty claims' dates): the fleet queries read 50,000 of them at once
and a string costs less to read than a date-time. Codes and systems of a visit are space-separated
text, read by the fleet queries without parsing JSON; the visit's findings stay JSON for the report.

``telematics_*`` rows are local (an integer key, no ``origin``, so they do not sync): the broker is
what the workshops share for telematics, every workstation that listens keeps its own intake.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carvrooom_desktop.storage.models import Base, Synced

VISIT_KINDS = ("service", "repair", "inspection", "comeback")


class FleetVehicleRow(Synced, Base):
    """A car the workshop looks after: whose it is and which site serves it."""

    __tablename__ = "fleet_vehicles"

    vehicle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicles.id"), index=True)
    vin: Mapped[str] = mapped_column(String(32), index=True)
    customer: Mapped[str] = mapped_column(String(128), default="")
    site: Mapped[str] = mapped_column(String(64), default="")
    in_service_date: Mapped[str] = mapped_column(String(10), default="")  # ISO date


class FleetVisitRow(Synced, Base):
    """One visit of a car: odometer, the health it was found in, codes read and cleared, systems repaired."""

    __tablename__ = "fleet_visits"
    __table_args__ = (Index("ix_fleet_visits_vehicle_date", "vehicle_id", "visit_date"),)

    vehicle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicles.id"))
    vin: Mapped[str] = mapped_column(String(32), index=True)
    site: Mapped[str] = mapped_column(String(64), default="")
    visit_date: Mapped[str] = mapped_column(String(10))  # ISO date
    kind: Mapped[str] = mapped_column(String(16), default="service")
    odometer_km: Mapped[float | None] = mapped_column(Float, nullable=True)
    health_score: Mapped[float | None] = mapped_column(Float, nullable=True)  # analysis.health_score's vehicle score
    systems: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # system -> {score, worst, explanation}
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    brake_pad_front_mm: Mapped[float | None] = mapped_column(Float, nullable=True)  # wear items measured at the visit
    brake_pad_rear_mm: Mapped[float | None] = mapped_column(Float, nullable=True)
    codes: Mapped[str] = mapped_column(String(255), default="")  # codes read, space-separated
    cleared_codes: Mapped[str] = mapped_column(String(255), default="")  # codes cleared at this visit
    flagged: Mapped[str] = mapped_column(String(255), default="")  # systems found at warning or worse
    repaired: Mapped[str] = mapped_column(String(255), default="")  # systems repaired at this visit
    work_done: Mapped[str] = mapped_column(Text, default="")  # what was done, in the workshop's words
    scan_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("vehicle_scans.id"), nullable=True)
    diagnosis_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("diagnoses.id"), nullable=True)
    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("workshop_jobs.id"), nullable=True)
    recording_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("recordings.id"), nullable=True)


class FleetMaintenanceRow(Synced, Base):
    """A maintenance item of one car: its interval and when it was last done."""

    __tablename__ = "fleet_maintenance"

    vehicle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicles.id"), index=True)
    vin: Mapped[str] = mapped_column(String(32), default="")
    item: Mapped[str] = mapped_column(String(48))
    interval_km: Mapped[float | None] = mapped_column(Float, nullable=True)
    interval_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_done_date: Mapped[str] = mapped_column(String(10), default="")  # ISO date
    last_done_km: Mapped[float | None] = mapped_column(Float, nullable=True)


class TelematicsMessageRow(Base):
    """One telematics message as stored: its signals already mapped to the project's names and units."""

    __tablename__ = "telematics_messages"
    __table_args__ = (Index("ix_telematics_messages_vin_seq", "vin", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vin: Mapped[str] = mapped_column(String(32))
    workshop: Mapped[str] = mapped_column(String(64), default="")
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8), default="data")  # data | birth | death
    sent_at: Mapped[float | None] = mapped_column(Float, nullable=True)  # the car's clock (epoch s)
    received_at: Mapped[float] = mapped_column(Float)
    stored_at: Mapped[float] = mapped_column(Float)
    signals: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)


class TelematicsVehicleRow(Base):
    """The intake's state of one car: online or not, last sequence number, both odometers, counters."""

    __tablename__ = "telematics_vehicles"

    vin: Mapped[str] = mapped_column(String(32), primary_key=True)
    workshop: Mapped[str] = mapped_column(String(64), default="")
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_seen: Mapped[float | None] = mapped_column(Float, nullable=True)
    birth_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    death_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    odometer_obd_km: Mapped[float | None] = mapped_column(Float, nullable=True)  # what the car's ECU says
    odometer_gps_km: Mapped[float | None] = mapped_column(Float, nullable=True)  # what the GNSS track adds up to
    counters: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)


class TelematicsRejectRow(Base):
    """A message (or part of one) the intake refused, with the reason."""

    __tablename__ = "telematics_rejects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    received_at: Mapped[float] = mapped_column(Float, index=True)
    topic: Mapped[str] = mapped_column(String(255), default="")
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")


__all__ = [
    "VISIT_KINDS", "FleetMaintenanceRow", "FleetVehicleRow", "FleetVisitRow", "TelematicsMessageRow",
    "TelematicsRejectRow", "TelematicsVehicleRow",
]
