"""Reading the shared database's changes: pages of whole server transactions, inside one snapshot.

See sync/server.py for why the highest sequence visible in a snapshot is a complete
checkpoint. Append-only rows (recording chunks) are not pulled with the rest: a workshop's
recordings are gigabytes, and a workstation fetches a recording's chunks when it opens one
(:func:`carvrooom_desktop.sync.engine.download_chunks`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from carvrooom_desktop.storage.sync_models import SyncChangeRow
from carvrooom_desktop.storage.sync_tables import SyncedTable
from carvrooom_desktop.sync.server import IN_CHUNK

_changes = SyncChangeRow.__table__


@dataclass(frozen=True, slots=True)
class PulledRow:
    table: str
    values: dict[str, Any]  # server-typed
    hlc: int


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[PulledRow]
    end: int  # the checkpoint this page completes
    head: int  # the newest checkpoint in the snapshot


def backlog(conn: Connection, position: int) -> tuple[int, int]:
    """(newest sequence, rows changed after ``position``) in this snapshot."""
    head, count = conn.execute(select(func.coalesce(func.max(_changes.c.seq), 0), func.count())
                               .where(_changes.c.seq > position)).one()
    return max(int(head), position), int(count)


def page(conn: Connection, position: int, limit: int, tables: dict[str, SyncedTable], head: int) -> Page:
    """The rows of the transactions after ``position``, about ``limit`` rows, never half a transaction."""
    end = conn.execute(select(_changes.c.seq).where(_changes.c.seq > position).order_by(_changes.c.seq)
                       .offset(max(0, limit - 1)).limit(1)).scalar()
    end = head if end is None else int(end)
    if end <= position:
        return Page([], position, head)
    wanted: dict[str, dict[uuid.UUID, int]] = defaultdict(dict)
    query = select(_changes.c.table_name, _changes.c.row_id, _changes.c.hlc).where(_changes.c.seq > position, _changes.c.seq <= end)
    for r in conn.execute(query):
        if r.table_name in tables and not tables[r.table_name].append_only:
            wanted[r.table_name][r.row_id] = int(r.hlc)
    fetched: dict[str, dict[uuid.UUID, PulledRow]] = defaultdict(dict)
    while wanted:
        for name, ids in wanted.items():
            fetched[name] |= _rows(conn, tables[name], ids)
        wanted = _later_parents(conn, fetched, tables, end)
    ordered = sorted(fetched, key=lambda n: tables[n].order)
    return Page([row for name in ordered for row in fetched[name].values()], end, head)


def _rows(conn: Connection, t: SyncedTable, ids: dict[uuid.UUID, int]) -> dict[uuid.UUID, PulledRow]:
    out = {}
    keys = list(ids)
    for i in range(0, len(keys), IN_CHUNK):
        for r in conn.execute(select(t.table).where(t.table.c.id.in_(keys[i:i + IN_CHUNK]))):
            values = dict(r._mapping)
            out[values["id"]] = PulledRow(t.name, values, ids[values["id"]])
    return out


def _later_parents(conn: Connection, fetched: dict[str, dict[uuid.UUID, PulledRow]], tables: dict[str, SyncedTable],
                   end: int) -> dict[str, dict[uuid.UUID, int]]:
    """Parents referenced by fetched rows that changed after ``end`` (the page must carry them)."""
    refs: dict[str, set[uuid.UUID]] = defaultdict(set)
    for name, rows in fetched.items():
        for column, parent in tables[name].parents:
            if parent in tables and not tables[parent].append_only:
                refs[parent] |= {row.values[column] for row in rows.values() if row.values.get(column) is not None}
    missing: dict[str, dict[uuid.UUID, int]] = defaultdict(dict)
    for parent, ids in refs.items():
        ids -= fetched.get(parent, {}).keys()
        keys = list(ids)
        for i in range(0, len(keys), IN_CHUNK):
            query = select(_changes.c.row_id, _changes.c.hlc).where(
                _changes.c.table_name == parent, _changes.c.row_id.in_(keys[i:i + IN_CHUNK]), _changes.c.seq > end)
            missing[parent] |= {r.row_id: int(r.hlc) for r in conn.execute(query)}
    return {k: v for k, v in missing.items() if v}


__all__ = ["Page", "PulledRow", "backlog", "page"]
