"""Writing the server's rows into the workstation's store, on top of what is still pending.

Rule (the workstation side of the checkpoint rule in sync/server.py): a pulled page, or the
rows a push returns, are applied in one SQLite write transaction with the capture triggers
muted (``sync_state.applying = 1``). A row's fields that have local changes still in the
outbox keep their local values (the push will settle them on the server, and the result comes
back); every other field takes the server's value, and the row's base version moves to the
server's. A row is never taken back to an older version than its base (monotonic reads).

PowerSync instead does not advance to a new checkpoint while its upload queue is not empty.
Here the recorder writes a chunk every half second, so the queue is rarely empty while a car
is connected, and a bench workstation must still see the front desk's booking within 2 s:
so pending work is rebased field by field instead of holding the checkpoint back.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, UniqueConstraint, bindparam, delete, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from carvrooom_desktop.storage.models import utcnow
from carvrooom_desktop.storage.sync_models import SyncConflictRow, SyncOutboxRow, SyncRowBaseRow
from carvrooom_desktop.storage.sync_tables import SyncedTable
from carvrooom_desktop.sync.pages import PulledRow
from carvrooom_desktop.sync.values import to_local

IN_CHUNK = 900
# Declarative models map a Table; SQLAlchemy types ``__table__`` as the wider FromClause.
_outbox = cast(Table, SyncOutboxRow.__table__)
_bases = cast(Table, SyncRowBaseRow.__table__)
_conflicts = cast(Table, SyncConflictRow.__table__)


@contextmanager
def write_transaction(engine: Engine, *, applying: bool = True) -> Iterator[Connection]:
    """``BEGIN IMMEDIATE`` (no lock upgrade can deadlock later), triggers muted while ``applying``."""
    with engine.begin() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        if applying:
            conn.execute(text("UPDATE sync_state SET applying = 1 WHERE id = 1"))
        yield conn
        if applying:
            conn.execute(text("UPDATE sync_state SET applying = 0 WHERE id = 1"))


@dataclass
class _Pending:
    fields: set[str] = field(default_factory=set)
    whole: bool = False  # an insert or a delete is pending: the row stays as it is here


def pending_fields(conn: Connection, table: str, hex_ids: list[str]) -> dict[str, _Pending]:
    out: dict[str, _Pending] = defaultdict(_Pending)
    for i in range(0, len(hex_ids), IN_CHUNK):
        query = select(_outbox.c.row_id, _outbox.c.op, _outbox.c.fields).where(
            _outbox.c.acked == 0, _outbox.c.table_name == table, _outbox.c.row_id.in_(hex_ids[i:i + IN_CHUNK]))
        for row_id, op, fields in conn.execute(query):
            p = out[row_id]
            if op in ("I", "D", "A") or fields == "*":
                p.whole = True
            else:
                p.fields |= set(filter(None, fields.split(",")))
    return out


def base_versions(conn: Connection, table: str, hex_ids: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in range(0, len(hex_ids), IN_CHUNK):
        query = select(_bases.c.row_id, _bases.c.base_version).where(
            _bases.c.table_name == table, _bases.c.row_id.in_(hex_ids[i:i + IN_CHUNK]))
        out |= dict(conn.execute(query).all())
    return out


def apply_rows(conn: Connection, tables: dict[str, SyncedTable], rows: list[PulledRow]) -> dict[str, list[uuid.UUID]]:
    """Apply server rows (inside :func:`write_transaction`); returns the ids written, per table."""
    by_table: dict[str, dict[uuid.UUID, PulledRow]] = defaultdict(dict)
    for row in rows:
        by_table[row.table][row.values["id"]] = row  # a row twice (page + parent closure): one is enough
    written: dict[str, list[uuid.UUID]] = {}
    newest = 0
    for name in sorted(by_table, key=lambda n: tables[n].order):
        t = tables[name]
        group = list(by_table[name].values())
        hexes = [r.values["id"].hex for r in group]
        bases = base_versions(conn, name, hexes)
        pending = pending_fields(conn, name, hexes)
        full, partial, new_bases = [], [], []
        for row in group:
            key = row.values["id"].hex
            version = int(row.values["version"])
            newest = max(newest, row.hlc)
            if key in bases and version < bases[key]:
                continue  # older than what this workstation already showed: never go back
            p = pending.get(key)
            local = to_local(t, row.values)
            if p is None:
                full.append(local)
            elif not p.whole:
                rest = {c: v for c, v in local.items() if c not in p.fields and c != "id"}
                partial.append((row.values["id"], rest))
            new_bases.append({"table_name": name, "row_id": key, "base_version": version})
        if full:
            _replace_local_duplicates(conn, t, full)
            stmt = sqlite_insert(t.table)
            stmt = stmt.on_conflict_do_update(index_elements=["id"], set_={c: stmt.excluded[c] for c in t.columns if c != "id"})
            conn.execute(stmt, full)
        for row_id, values in partial:
            conn.execute(update(t.table).where(t.table.c.id == row_id).values(values))
        if new_bases:
            stmt = sqlite_insert(_bases)
            conn.execute(stmt.on_conflict_do_update(index_elements=["table_name", "row_id"],
                                                    set_={"base_version": stmt.excluded.base_version}), new_bases)
        written[name] = [r["id"] for r in full] + [row_id for row_id, _ in partial]
    if newest:
        conn.execute(text("UPDATE sync_state SET hlc = MAX(hlc, :h) WHERE id = 1"), {"h": newest})  # the receive rule
    return written


def unique_keys(t: SyncedTable) -> list[tuple[str, ...]]:
    """The table's natural keys: unique constraints and unique indexes other than the primary key."""
    keys = {tuple(c.name for c in u.columns) for u in t.table.constraints if isinstance(u, UniqueConstraint)}
    keys |= {tuple(c.name for c in ix.columns) for ix in t.table.indexes if ix.unique}
    keys |= {(c.name,) for c in t.table.columns if c.unique}
    return sorted(k for k in keys if k and k != ("id",))


def _replace_local_duplicates(conn: Connection, t: SyncedTable, rows: list[dict[str, Any]]) -> None:
    """Unique keys: the server's row wins over a local row with another id and the same key.

    Two workstations that stored the same signal database file (same hash) each made a row; the
    server kept the first. The local duplicate gives way (its values go to the conflict list, so
    nothing disappears unseen) instead of blocking every later pull on a unique constraint.
    """
    from carvrooom_desktop.sync.values import jsonable

    for key in unique_keys(t):
        for row in rows:
            if any(row.get(c) is None for c in key):
                continue
            query = select(t.table).where(t.table.c.id != row["id"], *[t.table.c[c] == row[c] for c in key])
            for dup in conn.execute(query).all():
                mine = dict(dup._mapping)
                conn.execute(delete(t.table).where(t.table.c.id == mine["id"]))
                if conn.execute(select(_conflicts.c.id).where(_conflicts.c.row_id == mine["id"].hex)).first():
                    continue  # the push that the server refused recorded it already
                conn.execute(sqlite_insert(_conflicts).on_conflict_do_nothing(), [{
                    "id": mine["id"].hex, "table_name": t.name, "row_id": mine["id"].hex, "kind": "rejected",
                    "fields": list(key), "mine": jsonable({k: v for k, v in mine.items() if not isinstance(v, bytes)}),
                    "theirs": jsonable({k: row.get(k) for k in key} | {"id": row["id"]}),
                    "reason": f"the shared database already has this {t.name} row ({', '.join(key)}); its copy replaced yours",
                    "created_at": utcnow(), "resolved_at": None, "resolution": "",
                }])


def tombstone_locally(conn: Connection, t: SyncedTable, row_id: uuid.UUID) -> None:
    """A row the server refused and does not have: hidden here too (the conflict keeps its values)."""
    if not t.append_only:
        conn.execute(update(t.table).where(t.table.c.id == bindparam("rid")).values(deleted=True), {"rid": row_id})


__all__ = ["apply_rows", "base_versions", "pending_fields", "tombstone_locally", "write_transaction"]
