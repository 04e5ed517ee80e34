"""Change capture on the workstation: SQLite triggers that fill ``sync_outbox``.

Why triggers and not an SQLAlchemy flush hook: the repositories write through the ORM *and*
through Core (``append_chunk`` inserts a chunk and updates its recording with plain
``insert()``/``update()`` statements), and other engineers add repositories all the time. A
trigger sees every write, whatever API made it, and writes the outbox row inside the same
SQLite transaction: a killed process loses the change and its outbox row together or keeps
both, never one without the other.

Each trigger, for a row of a synced table (storage/sync_tables.py):

1. advances the hybrid logical clock in ``sync_state``:
   ``hlc = max(hlc + 1, (local ms + offset_ms) << 16)`` (the send rule; ``offset_ms`` is the
   server's clock minus the local one, measured at each sync);
2. appends ``(change_id, table, row id, op, changed fields, base version, hlc)`` to the outbox;
   the change id (16 random bytes) is the change's idempotency key on the server.

An update that changes only ``updated_at``/``version``/``origin`` is not a change, and a
``_keep`` trigger puts those columns back (see :func:`trigger_sql`). The
triggers fire only while ``sync_state.capturing = 1`` (sync configured) and
``applying = 0`` (rows the engine writes from the server are not changes of this workstation).

The trigger text is generated from the models, so a new column or a new synced table is
covered by regenerating: :func:`ensure_capture` compares what ``sqlite_master`` holds with
what the models ask for and recreates what differs. ``Store.open`` calls it after migrating
(an Alembic batch migration recreates a table, and its triggers go with it).
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, Engine, text

from carvrooom_desktop.storage.sync_tables import META_COLUMNS, SyncedTable, synced_tables

log = logging.getLogger(__name__)

PREFIX = "sync_capture_"
NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
TICK = f"UPDATE sync_state SET hlc = MAX(hlc + 1, ({NOW_MS} + offset_ms) * 65536) WHERE id = 1;"
ACTIVE = "(SELECT capturing = 1 AND applying = 0 FROM sync_state WHERE id = 1)"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _outbox_insert(t: SyncedTable, op: str, ref: str, fields_sql: str, base_sql: str) -> str:
    return (
        "INSERT INTO sync_outbox (change_id, table_name, row_id, op, fields, base_version, hlc, captured_at, acked) "
        f"VALUES (lower(hex(randomblob(16))), '{t.name}', {ref}.id, '{op}', {fields_sql}, {base_sql}, "
        "(SELECT hlc FROM sync_state WHERE id = 1), julianday('now'), 0);"
    )


def _base(t: SyncedTable, ref: str) -> str:
    return f"(SELECT base_version FROM sync_rows WHERE table_name = '{t.name}' AND row_id = {ref}.id)"


def trigger_sql(t: SyncedTable) -> dict[str, str]:
    """Trigger name -> its CREATE TRIGGER statement, for one synced table."""
    table = _q(t.name)
    if t.append_only:
        name = f"{PREFIX}{t.name}_ins"
        return {name: f"CREATE TRIGGER {_q(name)} AFTER INSERT ON {table} WHEN {ACTIVE} BEGIN "
                      f"{TICK} {_outbox_insert(t, 'A', 'NEW', chr(39) + '*' + chr(39), 'NULL')} END"}
    changed = " OR ".join(f"OLD.{_q(c)} IS NOT NEW.{_q(c)}" for c in t.fields)
    listed = " || ".join(f"(CASE WHEN OLD.{_q(c)} IS NOT NEW.{_q(c)} THEN ',{c}' ELSE '' END)" for c in t.fields)
    meta = [c for c in t.columns if c in META_COLUMNS and c != "id"]
    meta_changed = " OR ".join(f"OLD.{_q(c)} IS NOT NEW.{_q(c)}" for c in meta)
    restore = ", ".join(f"{_q(c)} = OLD.{_q(c)}" for c in meta)
    ins, upd, dele, keep = (f"{PREFIX}{t.name}_{k}" for k in ("ins", "upd", "del", "keep"))
    return {
        # A write that changes no field (it set a tombstone that a pull had just set: a read-modify-write
        # racing the sync thread) is no change: it must not move version/updated_at away from the server's
        # copy either, or this store would differ from it forever without anything to push.
        keep: f"CREATE TRIGGER {_q(keep)} AFTER UPDATE ON {table} WHEN {ACTIVE} AND NOT ({changed}) AND ({meta_changed}) "
              f"BEGIN UPDATE {table} SET {restore} WHERE id = NEW.id; END",
        ins: f"CREATE TRIGGER {_q(ins)} AFTER INSERT ON {table} WHEN {ACTIVE} BEGIN "
             f"{TICK} {_outbox_insert(t, 'I', 'NEW', chr(39) + '*' + chr(39), 'NULL')} END",
        upd: f"CREATE TRIGGER {_q(upd)} AFTER UPDATE ON {table} WHEN {ACTIVE} AND ({changed}) BEGIN "
             f"{TICK} {_outbox_insert(t, 'U', 'NEW', f'substr({listed}, 2)', _base(t, 'NEW'))} END",
        dele: f"CREATE TRIGGER {_q(dele)} AFTER DELETE ON {table} WHEN {ACTIVE} BEGIN "
              f"{TICK} {_outbox_insert(t, 'D', 'OLD', chr(39) + 'deleted' + chr(39), _base(t, 'OLD'))} END",
    }


def expected_triggers(conn: Connection) -> dict[str, str]:
    existing = {name for (name,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
    wanted: dict[str, str] = {}
    for t in synced_tables():
        if t.name in existing:
            wanted |= trigger_sql(t)
    return wanted


def _present(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE :p"),
                             {"p": PREFIX + "%"}).all())


def install_triggers(conn: Connection) -> int:
    """(Re)create every capture trigger that is missing or differs from the models; returns how many."""
    wanted, present = expected_triggers(conn), _present(conn)
    changed = 0
    for name, sql in wanted.items():
        if present.get(name) == sql:
            continue
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {_q(name)}")
        conn.exec_driver_sql(sql)
        changed += 1
    for name in present.keys() - wanted.keys():  # a column or table the models no longer have
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {_q(name)}")
        changed += 1
    return changed


def capturing(conn: Connection) -> bool:
    return bool(conn.execute(text("SELECT capturing FROM sync_state WHERE id = 1")).scalar())


def ensure_capture(engine: Engine) -> None:
    """Keep the triggers in step with the models once sync is on (cheap when they are)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        if not capturing(conn):
            return
        if _present(conn) == expected_triggers(conn):
            return
    with engine.begin() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        if capturing(conn):
            count = install_triggers(conn)
            if count:
                log.info("sync: %d capture trigger(s) (re)created", count)


def enable_capture(conn: Connection) -> int:
    """Switch capture on for this store: triggers, plus one outbox entry per row that exists already.

    Runs in the caller's write transaction (``BEGIN IMMEDIATE``), so no write slips between the
    backfill and the first trigger. Rows the server already knows (``sync_rows``) are not queued
    again. Returns how many rows were queued.
    """
    conn.execute(text(f"UPDATE sync_state SET capturing = 1, hlc = MAX(hlc + 1, ({NOW_MS} + offset_ms) * 65536) WHERE id = 1"))
    install_triggers(conn)
    existing = {name for (name,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
    queued = 0
    for t in synced_tables():
        if t.name not in existing:
            continue
        op = "A" if t.append_only else "I"
        result = conn.execute(text(
            "INSERT INTO sync_outbox (change_id, table_name, row_id, op, fields, base_version, hlc, captured_at, acked) "
            f"SELECT lower(hex(randomblob(16))), :t, id, :op, '*', NULL, (SELECT hlc FROM sync_state WHERE id = 1), "
            f"julianday('now'), 0 FROM {_q(t.name)} "
            "WHERE id NOT IN (SELECT row_id FROM sync_rows WHERE table_name = :t)"
        ), {"t": t.name, "op": op})
        queued += result.rowcount or 0
    return queued


__all__ = ["capturing", "enable_capture", "ensure_capture", "install_triggers", "trigger_sql"]
