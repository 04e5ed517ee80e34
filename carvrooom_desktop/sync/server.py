"""The shared database's side of sync: plain PostgreSQL (tables, constraints, a sequence, an
advisory lock, NOTIFY), driven by the workstation's engine. No server process of our own.

**Push** (one PostgreSQL transaction per batch):

1. change ids already in ``sync_applied`` are dropped (a batch re-sent after a kill or a lost
   reply is a no-op; the stored outcome is returned again);
2. the rows the batch touches are locked (``FOR NO KEY UPDATE``, in id order, tables parents
   first) and merged field by field with their stamps from ``sync_changes`` (sync/rules.py);
3. the writes run inside a savepoint; if the database refuses one (exclusion constraint of a
   bay booking, a foreign key, a check), the batch is replayed row by row, each in its own
   savepoint, and only the refused rows become ``rejected`` (a booking is stored as rejected);
4. the transaction takes ``pg_advisory_xact_lock`` and only then draws its sequence number
   (``nextval('sync_seq')``) and writes ``sync_changes`` / ``sync_applied``; the lock is held
   until commit, so **sequence numbers become visible in the order they were drawn**;
5. ``pg_notify('carvrooom_sync', ...)`` wakes the other workstations at commit.

**Checkpoint rule.** Because of (4), once a reader sees sequence *s* committed, every
transaction with a smaller sequence is committed (or rolled back, leaving a gap that never
fills). So the highest sequence visible in a snapshot is a complete checkpoint: a pull reads
``sync_changes`` with ``seq > last`` inside one REPEATABLE READ snapshot, in pages that end on
a whole transaction (one sequence per transaction), and the workstation advances to the end of
each page it applied. ``sync_changes`` keeps one row per synced row (the last change wins the
slot), so a workstation that was away for a month pulls each row once, not its history. A
page also carries the parent rows its rows reference when those changed later (they would
otherwise arrive after their children), so every page keeps the foreign keys whole.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError

from carvrooom_desktop.storage.migrate import HEAD_REVISION
from carvrooom_desktop.storage.models import utcnow
from carvrooom_desktop.storage.sync_models import SyncAppliedRow, SyncChangeRow, SyncServerRow
from carvrooom_desktop.storage.sync_tables import SyncedTable
from carvrooom_desktop.sync import rules
from carvrooom_desktop.sync.values import jsonable, to_server

CHANNEL = "carvrooom_sync"
LOCK_KEY = 0x53594E43  # "SYNC"; the second key is the schema, so two shared schemas never wait on each other
IN_CHUNK = 2000

# Declarative models map a Table; SQLAlchemy types ``__table__`` as the wider FromClause.
_changes = cast(Table, SyncChangeRow.__table__)
_applied = cast(Table, SyncAppliedRow.__table__)


class SchemaMismatch(Exception):
    def __init__(self, kind: str, revision: str | None) -> None:
        self.kind, self.revision = kind, revision  # kind: "empty" | "too_old" | "newer"
        super().__init__({"empty": "the shared database has no CarVrooom schema yet",
                          "too_old": f"the shared database's schema is older ({revision}) than this CarVrooom's ({HEAD_REVISION})",
                          "newer": f"the shared database's schema ({revision}) is newer than this CarVrooom ({HEAD_REVISION}): "
                                   "update CarVrooom"}[kind])


@dataclass(frozen=True, slots=True)
class ServerInfo:
    server_id: str
    revision: str
    now_ms: int


def server_info(conn: Connection) -> ServerInfo:
    """The shared database's identity and clock; raises SchemaMismatch unless it is at our revision."""
    has_version = conn.execute(text("SELECT to_regclass('alembic_version') IS NOT NULL")).scalar()
    revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if has_version else None
    if revision is None:
        raise SchemaMismatch("empty", None)
    if revision != HEAD_REVISION:
        raise SchemaMismatch("too_old" if revision in known_revisions() else "newer", revision)
    server_id = conn.execute(select(SyncServerRow.server_id).where(SyncServerRow.id == 1)).scalar() or ""
    now_ms = cast(int, conn.execute(text("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint")).scalar())  # one bigint row
    return ServerInfo(server_id, revision, int(now_ms))


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from carvrooom_desktop.storage.migrate import alembic_config

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


# -- push ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    change_id: uuid.UUID
    fields: tuple[str, ...] | None  # None = every field (an insert)
    hlc: int
    base: int | None


@dataclass
class PushItem:
    table: str
    row_id: uuid.UUID
    values: dict[str, Any] | None  # the row now, as the workstation has it; None = deleted there
    local_version: int
    entries: list[Entry]


@dataclass
class ItemResult:
    item: PushItem
    outcome: str
    row: dict[str, Any] | None = None  # the server's row after the push (server-typed)
    hlc: int = 0
    detail: dict[str, Any] | None = None
    duplicate: bool = False


@dataclass
class PushResult:
    seq: int | None
    results: list[ItemResult] = field(default_factory=list)


@dataclass
class _Plan:
    item: PushItem
    table: SyncedTable
    new: list[Entry]
    incoming: rules.Incoming | None
    current: rules.Current | None
    decision: rules.Decision
    unlogged: bool = False  # the row is on the server but not in sync_changes (written there directly)


def push(conn: Connection, origin: str, items: list[PushItem], tables: dict[str, SyncedTable]) -> PushResult:
    """Apply one batch inside the caller's transaction (which commits it)."""
    conn.execute(text("SELECT set_config('carvrooom.sync_push', 'on', true)"))  # the capture triggers skip a push
    done = _already_applied(conn, [e.change_id for item in items for e in item.entries])
    plans: list[_Plan] = []
    duplicates: list[PushItem] = []
    by_table: dict[str, list[tuple[PushItem, list[Entry]]]] = defaultdict(list)
    for item in items:
        new = [e for e in item.entries if e.change_id not in done]
        if new:
            by_table[item.table].append((item, new))
        else:
            duplicates.append(item)
    for t in sorted((tables[name] for name in by_table), key=lambda t: t.order):
        plans += _plan_table(conn, t, origin, by_table[t.name])
    _write_all(conn, plans)
    seq = None
    if plans:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k, hashtext(current_schema()))"), {"k": LOCK_KEY})
        seq = int(cast(int, conn.execute(text("SELECT nextval('sync_seq')")).scalar()))  # nextval: one bigint row
        _record(conn, seq, origin, plans)
        conn.execute(select(func.pg_notify(CHANNEL, json.dumps({"seq": seq, "origin": origin}))))
    results = [ItemResult(p.item, p.decision.outcome, _final_row(p), p.decision.hlc, p.decision.detail) for p in plans]
    results += _duplicate_results(conn, duplicates, done, tables)
    return PushResult(seq, results)


def _already_applied(conn: Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, dict[str, Any] | None]]:
    done: dict[uuid.UUID, tuple[str, dict[str, Any] | None]] = {}
    for i in range(0, len(ids), IN_CHUNK):
        query = select(_applied.c.change_id, _applied.c.outcome, _applied.c.detail).where(_applied.c.change_id.in_(ids[i:i + IN_CHUNK]))
        done |= {r.change_id: (r.outcome, r.detail) for r in conn.execute(query)}
    return done


def _plan_table(conn: Connection, t: SyncedTable, origin: str, work: list[tuple[PushItem, list[Entry]]]) -> list[_Plan]:
    if t.append_only:
        return [_Plan(item, t, new, None, None, rules.Decision(rules.APPLIED, insert=item.values is not None,
                                                                write=dict(item.values or {})))
                for item, new in work]
    ids = sorted({item.row_id for item, _ in work})
    current: dict[uuid.UUID, dict[str, Any]] = {}
    meta: dict[uuid.UUID, Any] = {}
    for i in range(0, len(ids), IN_CHUNK):
        part = ids[i:i + IN_CHUNK]
        locked = select(t.table).where(t.table.c.id.in_(part)).order_by(t.table.c.id).with_for_update(key_share=True)
        current |= {r.id: dict(r._mapping) for r in conn.execute(locked)}
        query = select(_changes).where(_changes.c.table_name == t.name, _changes.c.row_id.in_(part))
        meta |= {r.row_id: r for r in conn.execute(query)}
    plans = []
    for item, new in work:
        row = current.get(item.row_id)
        m = meta.get(item.row_id)
        cur = None if row is None else rules.Current(
            row, int(row["version"]), int(m.hlc) if m else 0, dict(m.stamps) if m else {})
        inc = rules.Incoming(
            None if item.values is None else to_server(t, item.values),
            rules.aggregate(t, [(e.fields, e.hlc, e.base) for e in new]), origin, item.local_version,
        )
        plans.append(_Plan(item, t, new, inc, cur, rules.merge(t, cur, inc), unlogged=row is not None and m is None))
    return plans


def _write_all(conn: Connection, plans: list[_Plan]) -> None:
    """Fast path: every write in one savepoint, batched; on a refusal, row by row."""
    try:
        with conn.begin_nested():
            _execute(conn, [p for p in plans if p.decision.changed])
        return
    except IntegrityError:
        pass
    for p in plans:
        if not p.decision.changed:
            continue
        try:
            with conn.begin_nested():
                _execute(conn, [p])
        except IntegrityError as e:
            _reject(conn, p, _reason(e))


def _execute(conn: Connection, plans: list[_Plan]) -> None:
    for t, group in _grouped(plans):
        inserts = [p.decision.write for p in group if p.decision.insert]
        if inserts and t.append_only:
            conn.execute(pg_insert(t.table).on_conflict_do_nothing(index_elements=["id"]), inserts)
        elif inserts:
            conn.execute(insert(t.table), inserts)
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for p in group:
            if not p.decision.insert:
                columns = tuple(sorted(p.decision.write))
                updates[columns].append({"k_id": p.item.row_id} | {f"v_{c}": p.decision.write[c] for c in columns})
        for columns, params in updates.items():
            stmt = update(t.table).where(t.table.c.id == bindparam("k_id")).values({c: bindparam(f"v_{c}") for c in columns})
            conn.execute(stmt, params)


def _grouped(plans: list[_Plan]) -> Iterator[tuple[SyncedTable, list[_Plan]]]:
    by: dict[str, list[_Plan]] = defaultdict(list)
    tables: dict[str, SyncedTable] = {}
    for p in plans:
        by[p.table.name].append(p)
        tables[p.table.name] = p.table
    for name in sorted(by, key=lambda n: tables[n].order):
        yield tables[name], by[name]


def _reason(e: IntegrityError) -> str:
    orig = getattr(e, "orig", None)
    diag = getattr(orig, "diag", None)
    primary = getattr(diag, "message_primary", None) or str(orig or e).splitlines()[0]
    detail = getattr(diag, "message_detail", None)
    return f"{primary} ({detail})" if detail else primary


def _reject(conn: Connection, p: _Plan, reason: str) -> None:
    """The database refused this row: store the rule's replacement (a rejected booking) or nothing."""
    mine = dict(p.incoming.values or {}) if p.incoming else {}
    detail = {"fields": sorted(p.decision.write.keys() - {"version", "updated_at"}), "reason": reason,
              "mine": jsonable({k: mine.get(k) for k in p.decision.write if k in mine}),
              "theirs": jsonable({k: p.current.values.get(k) for k in p.decision.write}) if p.current else {}}
    replacement = rules.rejected_replacement(p.table, p.incoming, reason) if p.decision.insert and p.incoming else None
    if replacement is not None:
        replacement["version"] = p.decision.version or 1
        try:
            with conn.begin_nested():
                conn.execute(insert(p.table.table), [replacement])
            p.decision = rules.Decision(rules.REJECTED, insert=True, write=replacement, version=replacement["version"],
                                        hlc=p.decision.hlc, stamps=p.decision.stamps, detail=detail)
            return
        except IntegrityError as e:
            detail["reason"] = f"{reason}; and as rejected: {_reason(e)}"
    p.decision = rules.Decision(rules.REJECTED, version=p.current.version if p.current else 0,
                                hlc=p.current.hlc if p.current else 0, detail=detail)


def _record(conn: Connection, seq: int, origin: str, plans: list[_Plan]) -> None:
    changed = [p for p in plans if (p.decision.changed or p.unlogged) and not p.table.append_only]
    if changed:
        stmt = pg_insert(_changes)
        stmt = stmt.on_conflict_do_update(
            index_elements=[_changes.c.table_name, _changes.c.row_id],
            set_={c: stmt.excluded[c] for c in ("seq", "version", "hlc", "origin", "stamps")},
        )
        conn.execute(stmt, [{"table_name": p.table.name, "row_id": p.item.row_id, "seq": seq, "version": p.decision.version,
                             "hlc": p.decision.hlc, "origin": origin, "stamps": p.decision.stamps} for p in changed])
    now = utcnow()
    conn.execute(insert(_applied), [
        {"change_id": e.change_id, "table_name": p.table.name, "row_id": p.item.row_id, "origin": origin, "seq": seq,
         "outcome": p.decision.outcome, "detail": p.decision.detail, "applied_at": now}
        for p in plans for e in p.new
    ])


def _final_row(p: _Plan) -> dict[str, Any] | None:
    if p.table.append_only:
        return None
    if p.decision.insert and p.decision.changed:
        return dict(p.decision.write)
    if p.current is None:
        return None
    return dict(p.current.values) | dict(p.decision.write)


def _duplicate_results(conn: Connection, items: list[PushItem], done: dict[uuid.UUID, tuple[str, dict[str, Any] | None]], tables: dict[str, SyncedTable]) -> list[ItemResult]:
    results = []
    by_table: dict[str, list[PushItem]] = defaultdict(list)
    for item in items:
        by_table[item.table].append(item)
    for name, group in by_table.items():
        t = tables[name]
        rows = {} if t.append_only else current_rows(conn, t, [i.row_id for i in group])
        for item in group:
            outcome, detail = done[item.entries[0].change_id]
            row, hlc = rows.get(item.row_id, (None, 0))
            results.append(ItemResult(item, outcome, row, hlc, detail, duplicate=True))
    return results


def current_rows(conn: Connection, t: SyncedTable, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[dict[str, Any], int]]:
    """Rows by id with their newest stamp (0 for a row sync never wrote)."""
    out: dict[uuid.UUID, tuple[dict[str, Any], int]] = {}
    for i in range(0, len(ids), IN_CHUNK):
        part = ids[i:i + IN_CHUNK]
        query = (select(t.table, _changes.c.hlc.label("_sync_hlc"))
                 .outerjoin(_changes, (_changes.c.table_name == t.name) & (_changes.c.row_id == t.table.c.id))
                 .where(t.table.c.id.in_(part)))
        for r in conn.execute(query):
            values = dict(r._mapping)
            hlc = values.pop("_sync_hlc") or 0
            out[values["id"]] = (values, int(hlc))
    return out


__all__ = ["CHANNEL", "Entry", "ItemResult", "PushItem", "PushResult", "SchemaMismatch", "ServerInfo", "current_rows", "push",
           "server_info"]
