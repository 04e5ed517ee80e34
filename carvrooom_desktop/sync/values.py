"""Row values between the two databases and into JSON.

SQLite keeps ``DateTime(timezone=True)`` columns without an offset (the repositories treat
them as UTC); PostgreSQL's ``timestamptz`` would read a naive value in the session's time
zone. So: naive -> UTC-aware on the way to the server, UTC-aware -> naive UTC on the way
back. Everything else (UUIDs, JSON, booleans, bytes) SQLAlchemy types the same on both sides.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import DateTime, Uuid

from carvrooom_desktop.storage.sync_tables import SyncedTable


def _is_datetime(column_type: object) -> bool:
    return isinstance(column_type, DateTime)


def to_server(t: SyncedTable, row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for name, column_type in t.column_types.items():
        value = out.get(name)
        if _is_datetime(column_type) and isinstance(value, datetime) and value.tzinfo is None:
            out[name] = value.replace(tzinfo=UTC)
    return out


def to_local(t: SyncedTable, row: dict[str, Any]) -> dict[str, Any]:
    out = {name: row[name] for name in t.columns if name in row}
    for name, column_type in t.column_types.items():
        value = out.get(name)
        if _is_datetime(column_type) and isinstance(value, datetime) and value.tzinfo is not None:
            out[name] = value.astimezone(UTC).replace(tzinfo=None)
    return out


def comparable(value: Any) -> Any:
    """A value as the checker and the merge compare it (UTC instants, plain containers)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    if isinstance(value, list | tuple):
        return [comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    return value


def jsonable(value: Any) -> Any:
    """For conflict records and the CLI: UUIDs and times as text, bytes as their size."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return comparable(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        return {"bytes": len(raw), "head": base64.b64encode(raw[:16]).decode()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def from_json(t: SyncedTable, values: dict[str, Any]) -> dict[str, Any]:
    """Conflict values back into column values (the user chose "mine")."""
    out = {}
    for name, value in values.items():
        column_type = t.column_types.get(name)
        if column_type is None:
            continue
        if _is_datetime(column_type) and isinstance(value, str):
            value = datetime.fromisoformat(value).astimezone(UTC).replace(tzinfo=None)
        elif isinstance(column_type, Uuid) and isinstance(value, str):
            value = uuid.UUID(value)
        out[name] = value
    return out


__all__ = ["comparable", "from_json", "jsonable", "to_local", "to_server"]
