"""Tables of the sync engine (issue 13), on the same ``Base`` as every other table.

One schema everywhere: every table below exists in the local SQLite store and in the shared
PostgreSQL database, although each side uses only its half.

Workstation side (SQLite):

- ``sync_state``: one row. The hybrid logical clock (``hlc``) and the offset to the server's
  clock (``offset_ms``) that the capture triggers read; ``capturing``/``applying`` switch the
  triggers on (once sync is configured) and off (while the engine applies server rows); the
  last complete server checkpoint pulled (``last_seq``) and which shared database it belongs to.
- ``sync_outbox``: one row per captured local change, written by SQLite triggers in the
  same transaction as the change (storage/sync_capture.py). ``change_id`` is the idempotency key.
- ``sync_rows``: the server version each synced row was last rebased on (``base_version``).
- ``sync_conflicts``: what the user must look at: both versions side by side.

Server side (PostgreSQL):

- ``sync_changes``: one row per synced row: the sequence (``seq``) of the server transaction
  that last changed it, its version and the per-field stamps conflict rules need.
- ``sync_applied``: every change id ever applied, with its outcome: a re-sent change is a no-op.
- ``sync_server``: the shared database's identity (a workstation that is pointed at another
  database starts over instead of mixing two histories).

The server sequence ``sync_seq`` exists only on PostgreSQL (created by the migration).
These tables have no ``origin`` column and start with ``sync_``, so table discovery
(storage/sync_tables.py) never takes them for synced data.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Float, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from carvrooom_desktop.storage.models import Base, utcnow


class SyncStateRow(Base):
    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    hlc: Mapped[int] = mapped_column(BigInteger, default=0)  # (physical ms << 16) | logical counter
    offset_ms: Mapped[int] = mapped_column(BigInteger, default=0)  # added to the local clock for stamps
    capturing: Mapped[int] = mapped_column(Integer, default=0)  # 1 once sync was configured for this store
    applying: Mapped[int] = mapped_column(Integer, default=0)  # 1 inside the engine's apply transactions only
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)  # the last complete server checkpoint pulled
    server_id: Mapped[str] = mapped_column(String(36), default="")
    last_push_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_pull_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")


class SyncOutboxRow(Base):
    __tablename__ = "sync_outbox"
    __table_args__ = (
        Index("ix_sync_outbox_pending", "acked", "local_seq"),
        Index("ix_sync_outbox_row", "table_name", "row_id"),
        {"sqlite_autoincrement": True},  # local_seq is never reused after acknowledged rows are deleted
    )

    local_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[str] = mapped_column(String(32), unique=True)  # hex of 16 random bytes
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(32))  # the row's UUID as SQLite stores it (32 hex digits)
    op: Mapped[str] = mapped_column(String(1))  # I insert, U update, D delete, A append (append-only tables)
    fields: Mapped[str] = mapped_column(Text, default="*")  # changed columns, comma-separated; "*" = all
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)  # server version the edit was made on
    hlc: Mapped[int] = mapped_column(BigInteger, default=0)
    captured_at: Mapped[float] = mapped_column(Float, default=0.0)  # julian day, local clock (for display)
    acked: Mapped[int] = mapped_column(Integer, default=0)  # 1 once the server confirmed it
    acked_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class SyncRowBaseRow(Base):
    __tablename__ = "sync_rows"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    base_version: Mapped[int] = mapped_column(Integer)


class SyncConflictRow(Base):
    __tablename__ = "sync_conflicts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the first change id of the losing push
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "edit" (two people, one field) | "rejected" (a constraint said no)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    mine: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    theirs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    resolution: Mapped[str] = mapped_column(String(16), default="")  # "" open | "mine" | "theirs" | "dismissed"


class SyncChangeRow(Base):
    __tablename__ = "sync_changes"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    version: Mapped[int] = mapped_column(Integer)
    hlc: Mapped[int] = mapped_column(BigInteger)  # the newest stamp of any field of the row
    origin: Mapped[str] = mapped_column(String(36), default="")  # the workstation of the last applied change
    stamps: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # field ("*" = insert) -> [hlc, origin, version]


class SyncAppliedRow(Base):
    __tablename__ = "sync_applied"

    change_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    origin: Mapped[str] = mapped_column(String(36), default="")
    seq: Mapped[int] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(String(16))  # applied | merged | kept_server | conflict | rejected
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SyncServerRow(Base):
    __tablename__ = "sync_server"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    server_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


__all__ = [
    "SyncAppliedRow", "SyncChangeRow", "SyncConflictRow", "SyncOutboxRow", "SyncRowBaseRow", "SyncServerRow", "SyncStateRow",
]
