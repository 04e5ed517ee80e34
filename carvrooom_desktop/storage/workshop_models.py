"""SQLAlchemy models of the workshop: bays, technicians (shifts, absences), opening hours, jobs
(parts, dependencies) and bay bookings. Registered on the same ``Base`` as ``models.py``.

Every row is a synced row (UUID key, ``updated_at``, ``version``, ``origin``, ``deleted``).
Times are stored in UTC (SQLite keeps no offset: the repositories convert on the way in and
attach UTC on the way out). Minutes of the day (shifts, opening hours) are workshop-local
wall-clock minutes, 0..1440.

The no-double-booking guarantee is not in these classes: on PostgreSQL it is two exclusion
constraints created by migration ``0003_workshop_schedule`` (``bay_id WITH =`` / ``technician_id
WITH =`` and ``tstzrange(starts_at, ends_at) WITH &&``, for live bookings only); on SQLite it is
the check-then-insert inside one ``BEGIN IMMEDIATE`` transaction of ``storage/workshop.py``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, Float, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from carvrooom_desktop.storage.models import Base, Synced, utcnow

BOOKING_STATUSES = ("tentative", "confirmed", "in_progress", "done", "cancelled", "rejected")
INACTIVE_BOOKING_STATUSES = ("cancelled", "rejected")  # these never block a bay or a technician
JOB_STATUSES = ("new", "waiting_parts", "planned", "in_progress", "done", "cancelled")
PART_STATUSES = ("ordered", "arrived", "unavailable")
ABSENCE_KINDS = ("holiday", "sick", "training", "other")


class WorkshopBayRow(Synced, Base):
    __tablename__ = "workshop_bays"

    name: Mapped[str] = mapped_column(String(64))
    bay_type: Mapped[str] = mapped_column(String(32))
    serves: Mapped[list[str]] = mapped_column(JSON, default=list)  # further bay types it can take (a heavy lift takes general lift work)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str] = mapped_column(Text, default="")


class WorkshopTechnicianRow(Synced, Base):
    __tablename__ = "workshop_technicians"

    name: Mapped[str] = mapped_column(String(64))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class WorkshopShiftRow(Synced, Base):
    """A technician's weekly shift: weekday 0 = Monday, minutes of the day, breaks as [[start, end], ...]."""

    __tablename__ = "workshop_shifts"

    technician_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop_technicians.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    starts_minute: Mapped[int] = mapped_column(Integer)
    ends_minute: Mapped[int] = mapped_column(Integer)
    breaks: Mapped[list[list[int]]] = mapped_column(JSON, default=list)


class WorkshopAbsenceRow(Synced, Base):
    """Holiday, sick leave, training: the technician is not available in [starts_at, ends_at)."""

    __tablename__ = "workshop_absences"

    technician_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop_technicians.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(16), default="holiday")
    note: Mapped[str] = mapped_column(Text, default="")


class WorkshopOpeningHoursRow(Synced, Base):
    __tablename__ = "workshop_opening_hours"

    weekday: Mapped[int] = mapped_column(Integer)
    opens_minute: Mapped[int] = mapped_column(Integer)
    closes_minute: Mapped[int] = mapped_column(Integer)


class WorkshopJobRow(Synced, Base):
    """A repair order line the scheduler books: entered by hand or taken from a diagnosis."""

    __tablename__ = "workshop_jobs"

    reference: Mapped[str] = mapped_column(String(32), default="", index=True)  # the shop's repair-order number
    title: Mapped[str] = mapped_column(String(255))
    vin: Mapped[str] = mapped_column(String(32), default="", index=True)
    vehicle_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("vehicles.id"), nullable=True)
    diagnosis_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("diagnoses.id"), nullable=True, index=True)
    labour_hours: Mapped[float] = mapped_column(Float)
    skill: Mapped[str] = mapped_column(String(64), default="")  # "" = no technician needed
    bay_type: Mapped[str] = mapped_column(String(32))
    urgency: Mapped[str] = mapped_column(String(16), default="drive")  # drive | drive with care | do not drive
    priority: Mapped[int] = mapped_column(Integer, default=1)
    customer_waiting: Mapped[bool] = mapped_column(Boolean, default=False)
    dropped_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    promised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="new")
    pinned_bay_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("workshop_bays.id"), nullable=True)
    pinned_technician_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("workshop_technicians.id"), nullable=True)
    pinned_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    notes: Mapped[str] = mapped_column(Text, default="")


class WorkshopJobPartRow(Synced, Base):
    __tablename__ = "workshop_job_parts"

    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop_jobs.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    eta: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="ordered")


class WorkshopJobDependencyRow(Synced, Base):
    """``job_id`` starts only after ``after_job_id`` ended (plus a gap): alignment after suspension work."""

    __tablename__ = "workshop_job_dependencies"

    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop_jobs.id"), index=True)
    after_job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop_jobs.id"), index=True)
    min_gap_minutes: Mapped[int] = mapped_column(Integer, default=0)


class WorkshopBookingRow(Synced, Base):
    """A job booked into a bay (and onto a technician) for [starts_at, ends_at)."""

    __tablename__ = "workshop_bookings"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop_jobs.id"), index=True)
    bay_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop_bays.id"), index=True)
    technician_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("workshop_technicians.id"), nullable=True, index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="tentative")
    plan_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")  # why the shared database rejected it


__all__ = [
    "ABSENCE_KINDS", "BOOKING_STATUSES", "INACTIVE_BOOKING_STATUSES", "JOB_STATUSES", "PART_STATUSES",
    "WorkshopAbsenceRow", "WorkshopBayRow", "WorkshopBookingRow", "WorkshopJobDependencyRow", "WorkshopJobPartRow",
    "WorkshopJobRow", "WorkshopOpeningHoursRow", "WorkshopShiftRow", "WorkshopTechnicianRow",
]
