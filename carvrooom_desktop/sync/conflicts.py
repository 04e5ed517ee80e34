"""The conflict list the user resolves: both versions side by side, then "mine" or "theirs".

- ``edit`` conflicts (two people changed one business field): the server kept *theirs*;
  choosing **mine** writes my values again as a new local change, made now, after seeing
  theirs, so it goes through on the next push; choosing **theirs** just closes the entry.
- ``rejected`` (the shared database refused the change, e.g. a bay already booked): the
  server's state is already here (the booking shows as rejected); the entry is **dismissed**
  once the user has seen it (rebooking is a new booking).
- Entries where the server won by rule (bookings) are recorded as already resolved.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, Table, select, update
from sqlalchemy.orm import Session

from carvrooom_desktop.errors import NotFound
from carvrooom_desktop.storage.models import utcnow
from carvrooom_desktop.storage.sync_models import SyncConflictRow
from carvrooom_desktop.storage.sync_tables import table_map
from carvrooom_desktop.sync.values import from_json

CHOICES = ("mine", "theirs", "dismissed")


@dataclass(frozen=True, slots=True)
class Conflict:
    id: str
    table: str
    row_id: uuid.UUID
    kind: str
    fields: tuple[str, ...]
    mine: dict[str, Any]
    theirs: dict[str, Any]
    reason: str
    created_at: datetime
    resolution: str

    @property
    def open(self) -> bool:
        return not self.resolution

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "table": self.table, "row_id": str(self.row_id), "kind": self.kind, "fields": list(self.fields),
                "mine": self.mine, "theirs": self.theirs, "reason": self.reason, "created_at": self.created_at.isoformat(),
                "resolution": self.resolution or None}


def _conflict(r: SyncConflictRow) -> Conflict:
    return Conflict(r.id, r.table_name, uuid.UUID(hex=r.row_id), r.kind, tuple(r.fields or ()), dict(r.mine or {}),
                    dict(r.theirs or {}), r.reason, r.created_at, r.resolution)


def list_conflicts(engine: Engine, *, include_resolved: bool = False) -> list[Conflict]:
    query = select(SyncConflictRow).order_by(SyncConflictRow.created_at.desc())
    if not include_resolved:
        query = query.where(SyncConflictRow.resolution == "")
    with Session(engine) as s:
        return [_conflict(r) for r in s.scalars(query)]


def find(engine: Engine, prefix: str) -> Conflict:
    matches = [c for c in list_conflicts(engine, include_resolved=True) if c.id.startswith(prefix.lower())]
    if len(matches) != 1:
        raise NotFound(f"no single conflict starts with {prefix!r} ({len(matches)} do)")
    return matches[0]


def resolve(engine: Engine, conflict_id: str, choice: str) -> Conflict:
    """Close a conflict with ``mine``, ``theirs`` or ``dismissed``; ``mine`` re-applies my values."""
    if choice not in CHOICES:
        raise ValueError(f"choose one of {', '.join(CHOICES)}, not {choice!r}")
    conflict = find(engine, conflict_id)
    if not conflict.open:
        return conflict
    if choice == "mine" and conflict.kind != "edit":
        raise ValueError("the shared database refused this change: dismiss it (and rebook or edit again)")
    with engine.begin() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        if choice == "mine":
            t = table_map()[conflict.table]
            values = from_json(t, {k: v for k, v in conflict.mine.items() if k in conflict.fields})
            if values:  # a plain local edit: captured by the triggers, pushed as made now
                conn.execute(update(t.table).where(t.table.c.id == conflict.row_id).values(values))
        conflicts = cast(Table, SyncConflictRow.__table__)  # a declarative model's table (SQLAlchemy types it FromClause)
        conn.execute(update(conflicts).where(conflicts.c.id == conflict.id)
                     .values(resolution=choice, resolved_at=utcnow()))
    return find(engine, conflict.id)


__all__ = ["CHOICES", "Conflict", "find", "list_conflicts", "resolve"]
