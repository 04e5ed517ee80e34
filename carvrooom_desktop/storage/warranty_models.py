"""The warranty claim table (issue 12). Registered on the same ``Base`` as ``models.py``.

A claim is a synced row (UUID key, ``updated_at``, ``version``, ``origin``, ``deleted``), so it
syncs like every table; its conflict rule ("ask the user", every field) is in ``sync/rules.py``.

Dates (claim, repair, in-service) are ISO ``YYYY-MM-DD`` text: they sort and compare as dates
in SQL on both SQLite and PostgreSQL, and a conflict value the clerk picks back ("mine") is
written as it was read (the sync conflict path converts date-times and UUIDs only). Money is
whole cents (no float rounding, no Decimal warnings on SQLite).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from carvrooom_desktop.storage.models import Base, Synced, utcnow

CLAIM_STATUSES = ("draft", "submitted", "approved", "rejected")
CLAIM_TYPES = ("standard", "goodwill", "campaign", "recall")


class WarrantyClaimRow(Synced, Base):
    """One warranty claim: the car, the three Cs, codes, causal part, labour, money and evidence."""

    __tablename__ = "warranty_claims"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'approved', 'rejected')", name="status_known"),
        Index("ix_warranty_claims_vin_part", "vin", "part_category"),
        Index("ix_warranty_claims_dealer_date", "dealer_id", "claim_date"),
    )

    claim_id: Mapped[str] = mapped_column(String(40), index=True)  # the dealer's / OEM portal's claim number
    claim_type: Mapped[str] = mapped_column(String(16), default="standard")
    vin: Mapped[str] = mapped_column(String(32))
    claim_date: Mapped[str] = mapped_column(String(10))  # ISO date
    repair_date: Mapped[str] = mapped_column(String(10), default="")
    in_service_date: Mapped[str] = mapped_column(String(10), default="")
    odometer_km: Mapped[float | None] = mapped_column(Float, nullable=True)  # odometer in (the car arrived)
    odometer_out_km: Mapped[float | None] = mapped_column(Float, nullable=True)
    complaint: Mapped[str] = mapped_column(Text, default="")
    cause: Mapped[str] = mapped_column(Text, default="")
    correction: Mapped[str] = mapped_column(Text, default="")
    dtcs: Mapped[list[str]] = mapped_column(JSON, default=list)
    freeze_frames: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    part_number: Mapped[str] = mapped_column(String(64), default="")
    part_category: Mapped[str] = mapped_column(String(48), default="")
    labour_op: Mapped[str] = mapped_column(String(32), default="")
    dealer_id: Mapped[str] = mapped_column(String(32), default="")
    amount_cents: Mapped[int] = mapped_column(Integer, default=0)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{name, sha256, kind, size}]
    recording_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("recordings.id"), nullable=True)
    recording_sha256: Mapped[str] = mapped_column(String(64), default="", index=True)
    trace_fingerprint: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # warranty/traces.py
    trace_duration_s: Mapped[float | None] = mapped_column(Float, nullable=True, index=True)  # the match candidates' key
    status: Mapped[str] = mapped_column(String(16), default="draft")
    status_note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(32), default="")  # the role that made the last transition
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


__all__ = ["CLAIM_STATUSES", "CLAIM_TYPES", "WarrantyClaimRow"]
