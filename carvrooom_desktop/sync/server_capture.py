"""Writes that reach the shared database without a push: PL/pgSQL triggers put them in the change log.

Not everything arrives through a workstation's push: ``carvrooom schedule confirm --shared URL``
books straight into the shared database, a workstation may use the shared database as its own
store (``--db postgresql://...``), an administrator fixes a row with ``psql``. Such a write must
reach the other workstations like any other, so every editable synced table gets two triggers:

- ``sync_bump_<table>`` (BEFORE UPDATE): ``version`` goes up by at least one, so the conflict
  rules see that the row changed;
- ``sync_capture_<table>`` (a deferred constraint trigger: it runs at COMMIT): takes the same
  advisory lock as a push, draws the transaction's sequence number once, and records the row in
  ``sync_changes`` with the changed fields stamped ``max(server clock << 16, row's stamp + 1)``
  (a direct writer saw the row it changed) and NOTIFYs the workstations.

A push sets ``carvrooom.sync_push = on`` for its own transaction; both triggers skip it (its
``WHEN`` clause is evaluated at the write, so a 10,000-row push queues nothing). The engine
installs the triggers when it first talks to a shared database and after ``--init-shared``
(tables added by later migrations get theirs then), and records the rows already there.
Without the right to create triggers (not the tables' owner), sync still works; direct writes
then stay invisible to the workstations until a push touches the row, and a warning says so.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from carvrooom_desktop.storage.sync_tables import SyncedTable
from carvrooom_desktop.sync.server import CHANNEL, LOCK_KEY

log = logging.getLogger(__name__)

PUSH_SETTING = "carvrooom.sync_push"
NOT_A_PUSH = f"current_setting('{PUSH_SETTING}', true) IS DISTINCT FROM 'on'"

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION carvrooom_sync_bump() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  NEW.version := greatest(coalesce(NEW.version, 0), coalesce(OLD.version, 0) + 1);
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION carvrooom_sync_capture() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  s bigint;
  h bigint;
  stamp jsonb;
  changed jsonb;
BEGIN
  IF current_setting('{PUSH_SETTING}', true) = 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock({LOCK_KEY}, hashtext(current_schema()));
  s := nullif(current_setting('carvrooom.sync_seq', true), '')::bigint;
  IF s IS NULL THEN
    s := nextval('sync_seq');
    PERFORM set_config('carvrooom.sync_seq', s::text, true);
    PERFORM pg_notify('{CHANNEL}', json_build_object('seq', s, 'origin', 'direct')::text);
  END IF;
  SELECT greatest((extract(epoch FROM clock_timestamp()) * 1000)::bigint * 65536, coalesce(max(c.hlc), 0) + 1)
    INTO h FROM sync_changes c WHERE c.table_name = TG_TABLE_NAME AND c.row_id = NEW.id;
  stamp := jsonb_build_array(h, NEW.origin, NEW.version);
  IF TG_OP = 'INSERT' THEN
    changed := jsonb_build_object('*', stamp);
  ELSE
    SELECT coalesce(jsonb_object_agg(n.key, stamp), '{{}}'::jsonb) INTO changed
      FROM jsonb_each(to_jsonb(NEW)) n
     WHERE n.key NOT IN ('id', 'updated_at', 'version', 'origin') AND n.value IS DISTINCT FROM (to_jsonb(OLD) -> n.key);
  END IF;
  INSERT INTO sync_changes (table_name, row_id, seq, version, hlc, origin, stamps)
  VALUES (TG_TABLE_NAME, NEW.id, s, NEW.version, h, NEW.origin, changed::json)
  ON CONFLICT (table_name, row_id) DO UPDATE
     SET seq = excluded.seq, version = excluded.version, hlc = greatest(sync_changes.hlc, excluded.hlc),
         origin = excluded.origin, stamps = (sync_changes.stamps::jsonb || excluded.stamps::jsonb)::json;
  RETURN NULL;
END $$;
"""


def _installed(conn: Connection) -> set[str]:
    return set(conn.execute(text(
        "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal AND t.tgname LIKE 'sync\\_%'"
    )).scalars())


def missing(conn: Connection, tables: dict[str, SyncedTable]) -> list[SyncedTable]:
    have = _installed(conn)
    return [t for t in tables.values() if not t.append_only and f"sync_capture_{t.name}" not in have]


def ensure_server_capture(conn: Connection, tables: dict[str, SyncedTable]) -> int:
    """Install what is missing (inside the caller's transaction); returns how many tables got triggers."""
    if not missing(conn, tables):
        return 0
    try:
        with conn.begin_nested():
            # The push lock first: two workstations meeting a fresh database at once would otherwise
            # both CREATE OR REPLACE the functions and one would fail on pg_proc's unique index.
            conn.execute(text("SELECT pg_advisory_xact_lock(:k, hashtext(current_schema()))"), {"k": LOCK_KEY})
            todo = missing(conn, tables)  # what the other one installed meanwhile is there now
            if not todo:
                return 0
            conn.exec_driver_sql(FUNCTIONS)
            seq = conn.execute(text("SELECT nextval('sync_seq')")).scalar()
            for t in todo:
                name = t.name.replace('"', '""')
                conn.exec_driver_sql(f'CREATE TRIGGER "sync_bump_{name}" BEFORE UPDATE ON "{name}" FOR EACH ROW '
                                     f"WHEN ({NOT_A_PUSH}) EXECUTE FUNCTION carvrooom_sync_bump()")
                conn.exec_driver_sql(f'CREATE CONSTRAINT TRIGGER "sync_capture_{name}" AFTER INSERT OR UPDATE ON "{name}" '
                                     f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ({NOT_A_PUSH}) "
                                     "EXECUTE FUNCTION carvrooom_sync_capture()")
                # Rows written before anyone synced (a workstation that used this database as its store).
                conn.execute(text(
                    f'INSERT INTO sync_changes (table_name, row_id, seq, version, hlc, origin, stamps) '
                    f"SELECT CAST(:t AS text), r.id, :seq, r.version, 0, r.origin, json_build_object('*', json_build_array(0, r.origin, r.version)) "
                    f'FROM "{name}" r WHERE NOT EXISTS (SELECT 1 FROM sync_changes c WHERE c.table_name = CAST(:t AS text) AND c.row_id = r.id)'
                ), {"t": t.name, "seq": seq})
    except DBAPIError as e:
        log.warning("sync: cannot install the shared database's change triggers (%s); writes made there without "
                    "CarVrooom's sync reach the workstations only when a push touches the row", str(e.orig).splitlines()[0])
        return 0
    log.info("sync: change triggers installed on %d table(s) of the shared database", len(todo))
    return len(todo)


__all__ = ["FUNCTIONS", "PUSH_SETTING", "ensure_server_capture", "missing"]
