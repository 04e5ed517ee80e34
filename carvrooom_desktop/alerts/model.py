"""What an alert is: the candidate a rule produces, and the stored alert with its state."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class AlertState(enum.StrEnum):
    """Only moves forward: raised -> acknowledged -> resolved (resolve may skip acknowledge)."""

    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    @property
    def open(self) -> bool:
        return self is not AlertState.RESOLVED


_ORDER = (AlertState.RAISED, AlertState.ACKNOWLEDGED, AlertState.RESOLVED)


class AlertSeverity(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return ("info", "warning", "critical").index(self.value)


@dataclass(frozen=True, slots=True)
class AlertCandidate:
    """What a rule concludes from one event: raise this unless an open alert has the same key."""

    rule: str
    dedupe_key: str  # the same finding on the same car has the same key
    severity: AlertSeverity
    title: str
    detail: str = ""
    vin: str = ""
    vehicle_id: uuid.UUID | None = None
    source: str = ""  # the event topic
    policy: str = ""  # the escalation policy's id ("" = none: the centre only)
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Alert:
    id: uuid.UUID
    rule: str
    dedupe_key: str
    severity: AlertSeverity
    title: str
    detail: str
    vin: str
    vehicle_id: uuid.UUID | None
    source: str
    policy: str
    state: AlertState
    raised_at: datetime
    acknowledged_by: str = ""
    acknowledged_at: datetime | None = None
    resolved_by: str = ""
    resolved_at: datetime | None = None
    note: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    version: int = 1
    origin: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain data: what ``alert.raised`` carries and ``carvrooom alerts list --json`` prints."""
        return {
            "id": str(self.id), "rule": self.rule, "dedupe_key": self.dedupe_key, "severity": self.severity.value,
            "title": self.title, "detail": self.detail, "vin": self.vin,
            "vehicle_id": str(self.vehicle_id) if self.vehicle_id else None, "source": self.source, "policy": self.policy,
            "state": self.state.value, "raised_at": self.raised_at.isoformat(),
            "acknowledged_by": self.acknowledged_by,
            "acknowledged_at": self.acknowledged_at.isoformat() if self.acknowledged_at else None,
            "resolved_by": self.resolved_by, "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "note": self.note, "facts": self.facts, "origin": self.origin,
        }


__all__ = ["Alert", "AlertCandidate", "AlertSeverity", "AlertState"]
