"""Batched writes of the intake: messages, refusals and each car's state in one transaction per batch.

Core ``executemany`` (NOTES.md: ~280k rows/s on SQLite, 20x the ORM); each car's state row is an
upsert (SQLite and PostgreSQL both say ``ON CONFLICT (vin) DO UPDATE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from carvrooom_desktop.storage.fleet_models import TelematicsMessageRow, TelematicsRejectRow, TelematicsVehicleRow

MESSAGES: Table = TelematicsMessageRow.__table__  # type: ignore[assignment]
REJECTS: Table = TelematicsRejectRow.__table__  # type: ignore[assignment]
VEHICLES: Table = TelematicsVehicleRow.__table__  # type: ignore[assignment]
STATE_FIELDS = ("workshop", "online", "last_seq", "last_seen", "birth_at", "death_at", "odometer_obd_km", "odometer_gps_km", "counters")


def write_batch(engine: Engine, messages: Sequence[dict[str, Any]], rejects: Sequence[dict[str, Any]],
                states: Sequence[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        if messages:
            conn.execute(insert(MESSAGES), list(messages))
        if rejects:
            conn.execute(insert(REJECTS), list(rejects))
        if states:
            dialect = sqlite if conn.dialect.name == "sqlite" else postgresql if conn.dialect.name == "postgresql" else None
            if dialect is None:  # another database: read, then insert or update
                known = set(conn.execute(select(VEHICLES.c.vin).where(VEHICLES.c.vin.in_([s["vin"] for s in states]))).scalars())
                for s in states:
                    if s["vin"] in known:
                        conn.execute(VEHICLES.update().where(VEHICLES.c.vin == s["vin"]).values(**{k: s[k] for k in STATE_FIELDS}))
                    else:
                        conn.execute(insert(VEHICLES), [s])
                return
            stmt = dialect.insert(VEHICLES)
            conn.execute(stmt.on_conflict_do_update(index_elements=["vin"], set_={k: stmt.excluded[k] for k in STATE_FIELDS}), list(states))


def load_states(engine: Engine) -> list[dict[str, Any]]:
    """Every car's stored state (the intake resumes its sequence numbers from them)."""
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(VEHICLES))]


__all__ = ["load_states", "write_batch"]
