"""The workstation's outbox: what is pending, the next push batch, and the acknowledgement.

A batch is read in one SQLite read transaction (outbox and rows agree). It starts with the
oldest pending entries; it always carries *every* pending entry of each row it carries (one
item per row: the row's values now, plus each entry's change id, fields, stamp and base), and
the pending parents its rows reference (so the server never sees a child before its parent).
Append-only rows (recording chunks) are cut to a byte budget, so a long recording uploads in
resumable slices of a few MB, each acknowledged when the server committed it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Engine, Row, Table, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from carvrooom_desktop.storage.models import utcnow
from carvrooom_desktop.storage.sync_models import SyncConflictRow, SyncOutboxRow, SyncStateRow
from carvrooom_desktop.storage.sync_tables import SyncedTable
from carvrooom_desktop.sync import rules
from carvrooom_desktop.sync.apply import IN_CHUNK, apply_rows, tombstone_locally, write_transaction
from carvrooom_desktop.sync.pages import PulledRow
from carvrooom_desktop.sync.server import Entry, ItemResult, PushItem, PushResult

# Declarative models map a Table; SQLAlchemy types ``__table__`` as the wider FromClause.
_outbox = cast(Table, SyncOutboxRow.__table__)
_conflicts = cast(Table, SyncConflictRow.__table__)
_state = cast(Table, SyncStateRow.__table__)
MAX_ENTRIES = 2000
MAX_BYTES = 4_000_000


def pending_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(_outbox).where(_outbox.c.acked == 0)).scalar() or 0)


def newest_local_seq(conn: Connection) -> int:
    return int(conn.execute(select(func.max(_outbox.c.local_seq))).scalar() or 0)


@dataclass
class Batch:
    items: list[PushItem]
    change_ids: list[str]  # hex, as the outbox holds them
    bytes: int


def _entry(row: Row[Any]) -> Entry:
    fields = None if row.fields == "*" or row.op in ("I", "A") else tuple(filter(None, row.fields.split(",")))
    return Entry(uuid.UUID(hex=row.change_id), fields, int(row.hlc), row.base_version)


def build_batch(engine: Engine, tables: dict[str, SyncedTable], *, max_entries: int = MAX_ENTRIES,
                max_bytes: int = MAX_BYTES, upto: int | None = None) -> Batch | None:
    """The next batch, starting from the oldest pending entry (at or below ``upto``, when given)."""
    with engine.connect() as conn:
        conn.exec_driver_sql("BEGIN")  # one snapshot for the outbox and the rows
        try:
            return _build(conn, tables, max_entries, max_bytes, upto)
        finally:
            conn.rollback()


def _build(conn: Connection, tables: dict[str, SyncedTable], max_entries: int, max_bytes: int,
           upto: int | None) -> Batch | None:
    query = select(_outbox.c.table_name, _outbox.c.row_id).where(_outbox.c.acked == 0)
    if upto is not None:
        query = query.where(_outbox.c.local_seq <= upto)
    head = conn.execute(query.order_by(_outbox.c.local_seq).limit(max_entries)).all()
    if not head:
        return None
    wanted: dict[str, set[str]] = defaultdict(set)
    for name, row_id in head:
        if name in tables:
            wanted[name].add(row_id)
    entries: dict[tuple[str, str], list[Row[Any]]] = defaultdict(list)
    values: dict[tuple[str, str], dict[str, Any] | None] = {}
    while wanted:
        for name, ids in wanted.items():
            _read(conn, tables[name], sorted(ids), entries, values)
        wanted = _pending_parents(conn, tables, values, entries)
    order = sorted(entries, key=lambda k: (tables[k[0]].order, entries[k][0].local_seq))
    items: list[tuple[str, str]] = []
    change_ids: list[str] = []
    used = 0
    for key in sorted(order, key=lambda k: entries[k][0].local_seq):
        size = _size(values.get(key))
        if tables[key[0]].append_only and items and used + size > max_bytes:
            continue  # the next batch takes it
        used += size
        items.append(key)
    chosen = set(items)
    batch_items = []
    for key in order:
        if key not in chosen:
            continue
        row = values.get(key)
        batch_items.append(PushItem(key[0], uuid.UUID(hex=key[1]), row, int((row or {}).get("version") or 1),
                                    [_entry(e) for e in entries[key]]))
        change_ids += [e.change_id for e in entries[key]]
    return Batch(batch_items, change_ids, used)


def _read(conn: Connection, t: SyncedTable, hex_ids: list[str], entries: dict[tuple[str, str], list[Row[Any]]],
          values: dict[tuple[str, str], dict[str, Any] | None]) -> None:
    for i in range(0, len(hex_ids), IN_CHUNK):
        part = hex_ids[i:i + IN_CHUNK]
        query = select(_outbox).where(_outbox.c.acked == 0, _outbox.c.table_name == t.name, _outbox.c.row_id.in_(part)) \
            .order_by(_outbox.c.local_seq)
        for e in conn.execute(query):
            entries[(t.name, e.row_id)].append(e)
        for r in conn.execute(select(t.table).where(t.table.c.id.in_([uuid.UUID(hex=h) for h in part]))):
            values[(t.name, r.id.hex)] = dict(r._mapping)
        for h in part:
            values.setdefault((t.name, h), None)  # deleted here since


def _pending_parents(conn: Connection, tables: dict[str, SyncedTable], values: dict[tuple[str, str], dict[str, Any] | None],
                     entries: dict[tuple[str, str], list[Row[Any]]]) -> dict[str, set[str]]:
    refs: dict[str, set[str]] = defaultdict(set)
    for (name, _), row in values.items():
        if row is None:
            continue
        for column, parent in tables[name].parents:
            ref = row.get(column)
            if ref is not None and (parent, ref.hex) not in values:
                refs[parent].add(ref.hex)
    found: dict[str, set[str]] = defaultdict(set)
    for parent, ids in refs.items():
        part_ids = sorted(ids)
        for i in range(0, len(part_ids), IN_CHUNK):
            query = select(_outbox.c.row_id).distinct().where(
                _outbox.c.acked == 0, _outbox.c.table_name == parent, _outbox.c.row_id.in_(part_ids[i:i + IN_CHUNK]))
            found[parent] |= set(conn.execute(query).scalars())
    return {k: v for k, v in found.items() if v}


def _size(row: dict[str, Any] | None) -> int:
    if not row:
        return 64
    return 64 + sum(len(v) for v in row.values() if isinstance(v, bytes | bytearray | memoryview))


def acknowledge(engine: Engine, tables: dict[str, SyncedTable], batch: Batch, result: PushResult, *,
                keep_acked: bool = False) -> dict[str, list[uuid.UUID]]:
    """One local transaction: entries done, the server's rows rebased in, conflicts recorded."""
    with write_transaction(engine) as conn:
        for i in range(0, len(batch.change_ids), IN_CHUNK):
            part = batch.change_ids[i:i + IN_CHUNK]
            if keep_acked:
                conn.execute(update(_outbox).where(_outbox.c.change_id.in_(part)).values(acked=1, acked_seq=result.seq))
            else:
                conn.execute(delete(_outbox).where(_outbox.c.change_id.in_(part)))
        rows = [PulledRow(r.item.table, r.row, r.hlc) for r in result.results if r.row is not None]
        written = apply_rows(conn, tables, rows)
        for r in result.results:
            if r.outcome == rules.REJECTED and r.row is None and r.item.values is not None:
                tombstone_locally(conn, tables[r.item.table], r.item.row_id)
            if r.detail and r.outcome in (rules.CONFLICT, rules.REJECTED, rules.KEPT_SERVER):
                _record_conflict(conn, r, r.detail)
        conn.execute(update(_state).where(_state.c.id == 1).values(last_push_at=utcnow()))
    return written


def _record_conflict(conn: Connection, r: ItemResult, detail: dict[str, Any]) -> None:
    auto = r.outcome == rules.KEPT_SERVER  # server wins: shown for the record, nothing to decide
    row = {
        "id": r.item.entries[0].change_id.hex, "table_name": r.item.table, "row_id": r.item.row_id.hex,
        "kind": "edit" if r.outcome != rules.REJECTED else "rejected", "fields": detail.get("fields", []),
        "mine": detail.get("mine", {}), "theirs": detail.get("theirs", {}), "reason": detail.get("reason", ""),
        "created_at": utcnow(), "resolved_at": utcnow() if auto else None, "resolution": "theirs" if auto else "",
    }
    try:
        with conn.begin_nested():
            conn.execute(insert(_conflicts), [row])
    except IntegrityError:
        pass  # recorded already (the same push acknowledged twice after a kill)


__all__ = ["Batch", "acknowledge", "build_batch", "newest_local_seq", "pending_count"]
