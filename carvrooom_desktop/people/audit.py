"""The audit trail: an append-only, hash-chained log per workstation, with signed checkpoints.

Appends are serialised so two writers can never both extend the same head (a fork): on SQLite the
append runs in ``BEGIN IMMEDIATE`` (the write lock is taken before the head is read), on PostgreSQL
under a transaction-scoped advisory lock. ``UNIQUE(origin, seq)`` backs both. Every
``CHECKPOINT_EVERY`` entries, and after every security event (sign-in, refusal, role or user
change), the head and count are signed with the workstation's Ed25519 key (``signing.py``).
Verification is in ``audit_verify.py``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Engine, Table, insert, select, text

from carvrooom_desktop.people import chain
from carvrooom_desktop.storage.people_models import AuditCheckpointRow, AuditEntryRow, AuditKeyRow

if TYPE_CHECKING:
    from carvrooom_desktop.people.signing import Signer

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 100
ADVISORY_LOCK_KEY = 0x6361_7276_6175_6474 & 0x7FFF_FFFF_FFFF_FFFF  # "carvaudt"
SECURITY_ACTIONS = frozenset({"sign in", "sign out", "change role", "create user", "reset password", "change password",
                              "unlock user", "create role", "change role permissions", "delete role"})

# a declarative model's table (SQLAlchemy types it FromClause)
_entries, _checkpoints, _keys = (cast(Table, m.__table__) for m in (AuditEntryRow, AuditCheckpointRow, AuditKeyRow))


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    outcome: str
    record: str
    before: str
    after: str
    origin: str = ""
    entry_hash: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"origin": self.origin, "seq": self.seq, "at": self.at, "actor": self.actor, "action": self.action,
                "outcome": self.outcome, "record": self.record, "before": self.before, "after": self.after,
                "hash": self.entry_hash}


class AuditTrail:
    def __init__(self, engine: Engine, origin: str, *, checkpoint_every: int = CHECKPOINT_EVERY,
                 signer: Signer | None = None) -> None:
        self.engine = engine
        self.origin = origin
        self.checkpoint_every = checkpoint_every
        self._signer = signer

    @property
    def signer(self) -> Signer:
        """The checkpoint key's holder, made on first use (the keyring and cryptography load then, not at start-up)."""
        if self._signer is None:
            from carvrooom_desktop.people.signing import Signer

            self._signer = Signer(self.origin)
        return self._signer

    @contextmanager
    def locked(self) -> Iterator[Connection]:
        """A transaction holding the trail's write lock (the head cannot move under it)."""
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def append(self, actor: str, action: str, *, outcome: str = "ok", record: str = "", before: Any = None,
               after: Any = None, checkpoint: bool | None = None) -> AuditEntry:
        before_text, after_text = chain.canonical(before), chain.canonical(after)
        with self.locked() as conn:
            entry = self._append(conn, actor, action, outcome, record, before_text, after_text)
            due = entry.seq % self.checkpoint_every == 0 or action in SECURITY_ACTIONS or outcome != "ok"
            if checkpoint if checkpoint is not None else due:
                self._checkpoint(conn, entry.seq, entry.entry_hash)
        return entry

    def _append(self, conn: Connection, actor: str, action: str, outcome: str, record: str, before: str,
                after: str) -> AuditEntry:
        head = conn.execute(select(_entries.c.seq, _entries.c.entry_hash).where(_entries.c.origin == self.origin)
                            .order_by(_entries.c.seq.desc()).limit(1)).first()
        seq, prev = (head.seq + 1, head.entry_hash) if head is not None else (1, chain.GENESIS)
        at = chain.now_text()
        actor, action, record = actor[:64], action[:64], record[:255]
        digest = chain.entry_hash(self.origin, seq, at, actor, action, outcome, record, before, after, prev)
        conn.execute(insert(_entries).values(id=uuid.uuid4(), origin=self.origin, seq=seq, at=at, actor=actor, action=action,
                                             outcome=outcome, record=record, before=before, after=after, prev_hash=prev,
                                             entry_hash=digest))
        return AuditEntry(seq, at, actor, action, outcome, record, before, after, self.origin, digest)

    def checkpoint(self) -> bool:
        """Sign the current head now (``carvrooom audit checkpoint``); False without a key or entries."""
        with self.locked() as conn:
            head = conn.execute(select(_entries.c.seq, _entries.c.entry_hash).where(_entries.c.origin == self.origin)
                                .order_by(_entries.c.seq.desc()).limit(1)).first()
            if head is None:
                return False
            return self._checkpoint(conn, head.seq, head.entry_hash)

    def _checkpoint(self, conn: Connection, count: int, head_hash: str) -> bool:
        from carvrooom_desktop.people.signing import key_id_of, public_hex

        key = self.signer.key()
        if key is None:
            return False
        if conn.execute(select(_checkpoints.c.id).where(_checkpoints.c.origin == self.origin, _checkpoints.c.count == count)).first():
            return True
        pub = public_hex(key)
        key_id = key_id_of(pub)
        if conn.execute(select(_keys.c.id).where(_keys.c.key_id == key_id)).first() is None:
            conn.execute(insert(_keys).values(id=uuid.uuid4(), origin=self.origin, key_id=key_id, public_key=pub,
                                              created_at=chain.now_text()))
        signed_at = chain.now_text()
        signature = self.signer.sign(chain.checkpoint_message(self.origin, count, head_hash, signed_at, key_id))
        conn.execute(insert(_checkpoints).values(id=uuid.uuid4(), origin=self.origin, count=count, head_hash=head_hash,
                                                 signed_at=signed_at, key_id=key_id, signature=signature))
        self.signer.remember_head(count, head_hash)
        return True

    def entries(self, *, user: str | None = None, record: str | None = None, since: str | None = None,
                action: str | None = None, limit: int | None = None, newest_first: bool = True) -> list[AuditEntry]:
        """Entries of every workstation's chain, filtered (``since``: ISO text, compared as text)."""
        q = select(_entries)
        if user:
            q = q.where(_entries.c.actor == user)
        if record:
            q = q.where(_entries.c.record.contains(record, autoescape=True))
        if since:
            q = q.where(_entries.c.at >= since)
        if action:
            q = q.where(_entries.c.action == action)
        q = q.order_by(_entries.c.at.desc() if newest_first else _entries.c.at, _entries.c.seq.desc() if newest_first else _entries.c.seq)
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [AuditEntry(r.seq, r.at, r.actor, r.action, r.outcome, r.record, r.before, r.after, r.origin, r.entry_hash)
                    for r in conn.execute(q)]

    def verify(self, progress: Any = None) -> Any:
        from carvrooom_desktop.people.audit_verify import verify_trail

        return verify_trail(self.engine, local_origin=self.origin, signer=self.signer, progress=progress)


__all__ = ["CHECKPOINT_EVERY", "SECURITY_ACTIONS", "AuditEntry", "AuditTrail"]
