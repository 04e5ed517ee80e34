"""Which tables sync, found from the SQLAlchemy metadata (no code per table).

A table syncs as an *editable* table when it has the columns of ``models.Synced`` (UUID
``id``, ``updated_at``, ``version``, ``origin``, ``deleted``), and as an *append-only* table
when it has a UUID ``id`` and ``origin`` but no ``version`` (recording chunks: written once,
uploaded once, never edited). Tables whose name starts with ``sync_`` are the engine's own.
A table another engineer adds to ``Base`` with these columns syncs without any change here;
only its conflict rule, if the default (last writer by hybrid logical clock) does not fit,
goes into ``carvrooom_desktop/sync/rules.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import MetaData, Table

from carvrooom_desktop.storage import alert_models, fleet_models, models, people_models, sync_models, uds_models, warranty_models, workshop_models  # noqa: F401  (register every table on Base)

SYNC_COLUMNS = frozenset({"id", "updated_at", "version", "origin", "deleted"})
APPEND_ONLY_COLUMNS = frozenset({"id", "origin"})
META_COLUMNS = frozenset({"id", "updated_at", "version", "origin"})  # kept by the engine, not edited by people
OWN_PREFIX = "sync_"


@dataclass(frozen=True, slots=True)
class SyncedTable:
    name: str
    table: Table
    append_only: bool
    columns: tuple[str, ...]  # every column, in table order
    fields: tuple[str, ...]  # the columns a change is made of (all but META_COLUMNS)
    parents: tuple[tuple[str, str], ...]  # (foreign-key column, synced parent table)
    order: int  # position in dependency order (parents first)

    @property
    def column_types(self) -> dict[str, object]:
        return {c.name: c.type for c in self.table.columns}


def _kind(table: Table) -> str | None:
    if table.name.startswith(OWN_PREFIX):
        return None
    names = set(table.columns.keys())
    if SYNC_COLUMNS <= names:
        return "editable"
    if APPEND_ONLY_COLUMNS <= names and "version" not in names:
        return "append_only"
    return None


def synced_tables(metadata: MetaData | None = None) -> tuple[SyncedTable, ...]:
    """The synced tables in dependency order (a parent before the tables that reference it)."""
    metadata = metadata or models.Base.metadata
    return _discover(metadata, tuple(sorted(metadata.tables)))


@cache
def _discover(metadata: MetaData, _names: tuple[str, ...]) -> tuple[SyncedTable, ...]:
    # _names is part of the cache key: a model module imported later adds tables and a new answer.
    found: list[SyncedTable] = []
    for table in metadata.sorted_tables:
        kind = _kind(table)
        if kind is None:
            continue
        parents = tuple(
            (fk.parent.name, fk.column.table.name) for fk in table.foreign_keys if _kind(fk.column.table) is not None
        )
        columns = tuple(table.columns.keys())
        found.append(SyncedTable(
            name=table.name, table=table, append_only=kind == "append_only", columns=columns,
            fields=tuple(c for c in columns if c not in META_COLUMNS), parents=parents, order=len(found),
        ))
    return tuple(found)


def table_map(metadata: MetaData | None = None) -> dict[str, SyncedTable]:
    return {t.name: t for t in synced_tables(metadata)}


__all__ = ["META_COLUMNS", "SyncedTable", "synced_tables", "table_map"]
