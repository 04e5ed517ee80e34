"""Alert tables (issue 14, alerts half). Registered on the same ``Base`` as ``models.py``.

``alerts`` is a synced row (the ``models.Synced`` columns): every workstation sees every alert
and who acknowledged or resolved it. The state only moves forward (raised -> acknowledged ->
resolved) and each step has its own who/when columns, so two workstations acting on one alert
merge field by field; the conflict rule is in ``sync/rules.py`` (first acknowledgement that
reaches the shared database stands; see ``carvrooom_desktop/alerts/store.py`` for how the state
is read back monotonic).

``alert_steps`` is this workstation's escalation outbox and is *not* synced (no ``origin``
column): the workstation that raised an alert is the one that sends its notifications, so a
mail is not sent once per workstation. Times are epoch seconds (float): the scheduler's clock
is injectable and compares numbers, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, Float, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from carvrooom_desktop.storage.models import Base, Synced, utcnow

ALERT_STATES = ("raised", "acknowledged", "resolved")
STEP_STATES = ("pending", "sending", "sent", "cancelled")


class AlertRow(Synced, Base):
    """One raised alert: which rule, on which car, how bad, and where it is in its life."""

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint("state IN ('raised', 'acknowledged', 'resolved')", name="state_known"),
        Index("ix_alerts_key_state", "dedupe_key", "state"),
    )

    rule: Mapped[str] = mapped_column(String(48))
    dedupe_key: Mapped[str] = mapped_column(String(255))
    severity: Mapped[str] = mapped_column(String(16))  # info | warning | critical
    title: Mapped[str] = mapped_column(String(255))
    detail: Mapped[str] = mapped_column(Text, default="")
    vin: Mapped[str] = mapped_column(String(32), default="", index=True)
    vehicle_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    source: Mapped[str] = mapped_column(String(64), default="")  # the event that raised it: health.changed, ...
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the numbers behind it, for the centre
    policy: Mapped[str] = mapped_column(String(64), default="")  # the escalation policy in force when raised
    state: Mapped[str] = mapped_column(String(16), default="raised")
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    acknowledged_by: Mapped[str] = mapped_column(String(64), default="")
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    resolved_by: Mapped[str] = mapped_column(String(64), default="")
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class AlertStepRow(Base):
    """One notification an escalation policy plans: to whom, by which channel, when; sent exactly once."""

    __tablename__ = "alert_steps"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sending', 'sent', 'cancelled')", name="state_known"),
        Index("ix_alert_steps_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)  # alert/level/round/channel
    alert_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    level: Mapped[int] = mapped_column(Integer)
    round: Mapped[int] = mapped_column(Integer)  # 0 = first notification of the level, 1.. = repeats
    role: Mapped[str] = mapped_column(String(48))
    channel: Mapped[str] = mapped_column(String(16))  # email | desktop | in_app
    due_at: Mapped[float] = mapped_column(Float)  # epoch seconds
    stop_on: Mapped[str] = mapped_column(String(16), default="acknowledged")  # the alert state that cancels it
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    sent_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)  # who it went to (addresses, names)
    last_error: Mapped[str] = mapped_column(Text, default="")


__all__ = ["ALERT_STATES", "STEP_STATES", "AlertRow", "AlertStepRow"]
