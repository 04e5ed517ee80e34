"""Users, custom roles and the audit trail (issue 14). Registered on the same ``Base`` as ``models.py``.

Users and custom roles are editable synced rows (``models.Synced``): a user made on one workstation
signs in on every other. The audit trail is *append-only* (UUID ``id`` + ``origin``, no ``version``:
written once, uploaded once, never edited, like recording chunks), and so are its signed checkpoints
and the public keys that sign them. Each workstation (``origin``) appends to its own hash chain
(``seq`` 1, 2, 3 ...): chains of several workstations meet in one database through sync without
ever forking, and each is verified on its own.

Times in the chain are ISO text (``2026-12-04T18:51:19.123456Z``): what is hashed is exactly what is
stored, on SQLite and PostgreSQL alike, and the text sorts as time.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from carvrooom_desktop.storage.models import Base, Synced, utcnow


class UserRow(Synced, Base):
    """A person who signs in: never a password in clear, only its Argon2id hash."""

    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(64), unique=True)  # the sign-in name
    display_name: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(64))  # a built-in role's value or a custom role's name
    email: Mapped[str] = mapped_column(String(254), default="")
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id PHC string
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RoleRow(Synced, Base):
    """A custom role: a name and a set of permissions (built-in roles live in ``domain/roles.py``)."""

    __tablename__ = "roles"

    name: Mapped[str] = mapped_column(String(64), unique=True)
    permissions: Mapped[str] = mapped_column(Text, default="")  # permission values, one per line, sorted
    description: Mapped[str] = mapped_column(Text, default="")


class AuditEntryRow(Base):
    """One link of a workstation's audit chain: who did what, when, to which record, before/after."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        UniqueConstraint("origin", "seq"),
        Index("ix_audit_entries_actor_at", "actor", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    origin: Mapped[str] = mapped_column(String(36), default="")  # the workstation whose chain this is
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 ... within the origin's chain
    at: Mapped[str] = mapped_column(String(32), index=True)  # ISO UTC text, hashed as stored
    actor: Mapped[str] = mapped_column(String(64))  # the user name (or the name tried, for a failed sign-in)
    action: Mapped[str] = mapped_column(String(64))  # e.g. "sign in", "clear trouble codes", "change role"
    outcome: Mapped[str] = mapped_column(String(16))  # "ok", "refused", "failed"
    record: Mapped[str] = mapped_column(String(255), default="", index=True)  # "user:alice", "recording:<uuid>"
    before: Mapped[str] = mapped_column(Text, default="null")  # RFC 8785 JSON
    after: Mapped[str] = mapped_column(Text, default="null")  # RFC 8785 JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpointRow(Base):
    """A signed statement "the origin's chain had ``count`` entries ending in ``head_hash``"."""

    __tablename__ = "audit_checkpoints"
    __table_args__ = (UniqueConstraint("origin", "count"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    origin: Mapped[str] = mapped_column(String(36), default="")
    count: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[str] = mapped_column(String(32))
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(128))  # Ed25519, hex


class AuditKeyRow(Base):
    """The public half of a workstation's checkpoint key (the private half is in its OS keyring)."""

    __tablename__ = "audit_keys"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    origin: Mapped[str] = mapped_column(String(36), default="")
    key_id: Mapped[str] = mapped_column(String(16), unique=True)  # first 16 hex digits of sha256(public key)
    public_key: Mapped[str] = mapped_column(String(64))  # raw Ed25519 public key, hex
    created_at: Mapped[str] = mapped_column(String(32))


__all__ = ["AuditCheckpointRow", "AuditEntryRow", "AuditKeyRow", "RoleRow", "UserRow"]
