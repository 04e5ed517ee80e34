"""SQLAlchemy 2 typed models. One schema for SQLite and PostgreSQL.

Every row that will sync carries a UUID key, ``updated_at``, ``version``, the
workstation it came from and a soft-delete flag, so the sync engine (a later issue)
needs no schema change. Recorded data is stored as compressed columnar chunks, one
row per chunk, never one row per sample.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Synced:
    """Columns every synced row carries."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    origin: Mapped[str] = mapped_column(String(36), default="")  # workstation id
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class VehicleRow(Synced, Base):
    __tablename__ = "vehicles"

    vin: Mapped[str] = mapped_column(String(32), index=True)
    make: Mapped[str] = mapped_column(String(64), default="")
    model: Mapped[str] = mapped_column(String(64), default="")
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    odometer_km: Mapped[float | None] = mapped_column(Float, nullable=True)
    signal_database: Mapped[str] = mapped_column(String(255), default="")  # the DBC chosen for this car


class RecordingRow(Synced, Base):
    __tablename__ = "recordings"

    vehicle_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("vehicles.id"), nullable=True, index=True)
    vin: Mapped[str] = mapped_column(String(32), default="", index=True)
    adapter: Mapped[str] = mapped_column(String(128), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="recording")
    notes: Mapped[str] = mapped_column(Text, default="")
    frame_count: Mapped[int] = mapped_column(Integer, default=0)
    sample_count: Mapped[int] = mapped_column(Integer, default=0)
    # Signal names in index order: sample chunks store the index, not the name.
    signal_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    signal_units: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class RecordingChunkRow(Base):
    """Append-only, so no version/updated_at: a chunk never changes once written."""

    __tablename__ = "recording_chunks"
    __table_args__ = (UniqueConstraint("recording_id", "kind", "seq", name="uq_recording_chunks_key"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    recording_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("recordings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "frames" | "samples"
    seq: Mapped[int] = mapped_column(Integer)
    t_start: Mapped[float] = mapped_column(Float)
    t_end: Mapped[float] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer)
    codec: Mapped[str] = mapped_column(String(32))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    origin: Mapped[str] = mapped_column(String(36), default="")


class RecordingMarkRow(Synced, Base):
    __tablename__ = "recording_marks"

    recording_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("recordings.id"), index=True)
    timestamp: Mapped[float] = mapped_column(Float)
    label: Mapped[str] = mapped_column(String(255))


class VehicleScanRow(Synced, Base):
    """What a scan read from the car: codes, readiness and freeze frames, as JSON documents."""

    __tablename__ = "vehicle_scans"

    vehicle_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("vehicles.id"), nullable=True, index=True)
    recording_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("recordings.id"), nullable=True)
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    adapter: Mapped[str] = mapped_column(String(128), default="")
    mil_on: Mapped[bool] = mapped_column(Boolean, default=False)
    dtcs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    readiness: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    freeze_frames: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class HealthModelRow(Synced, Base):
    """A fitted remaining-useful-life model kept with its vehicle (parameters as JSON, no pickles)."""

    __tablename__ = "health_models"

    vehicle_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("vehicles.id"), nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(64))  # what it predicts, e.g. "brake_pads_front"
    kind: Mapped[str] = mapped_column(String(64))  # the model class, e.g. "degradation_trend"
    fitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DiagnosisRow(Synced, Base):
    """One diagnosis (offline expert or a Gemini model): the typed result as JSON, plus its cost."""

    __tablename__ = "diagnoses"

    vehicle_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("vehicles.id"), nullable=True, index=True)
    recording_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("recordings.id"), nullable=True)
    vin: Mapped[str] = mapped_column(String(32), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source: Mapped[str] = mapped_column(String(16), default="offline")  # "offline" | "model"
    model: Mapped[str] = mapped_column(String(64), default="")
    complaint: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    thread_id: Mapped[str] = mapped_column(String(64), default="")  # the follow-up chat's checkpoint thread


class DiagnosisVerdictRow(Synced, Base):
    """The technician's verdict on one cause: the shop's own fix history."""

    __tablename__ = "diagnosis_verdicts"

    diagnosis_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("diagnoses.id"), index=True)
    vin: Mapped[str] = mapped_column(String(32), default="", index=True)
    cause: Mapped[str] = mapped_column(String(255))
    system: Mapped[str] = mapped_column(String(64), default="")
    verdict: Mapped[str] = mapped_column(String(16))  # "confirmed" | "rejected" | "fixed_by"
    note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RecordingSourceRow(Synced, Base):
    """Where one recording came from and which signal database decoded it (issue 10: one row per recording,
    beside ``recordings`` so the recording row itself stays as the recorder writes it)."""

    __tablename__ = "recording_sources"

    recording_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("recordings.id"), unique=True, index=True)
    source_kind: Mapped[str] = mapped_column(String(16), default="")  # SourceSpec kind, or "import"
    database_name: Mapped[str] = mapped_column(String(255), default="")
    database_sha256: Mapped[str] = mapped_column(String(64), default="")  # "" : decoded by no database


class SignalDatabaseFileRow(Synced, Base):
    """A signal database file kept by its content hash: a recording decodes the same everywhere, later."""

    __tablename__ = "signal_database_files"

    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    content: Mapped[bytes] = mapped_column(LargeBinary)
