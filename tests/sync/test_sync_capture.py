"""The SQLite capture triggers: every write, whatever API made it, in the same transaction (no PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import sqlalchemy as sa

from carvrooom_desktop.storage.models import RecordingRow, VehicleRow
from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.storage.sync_capture import PREFIX, enable_capture, ensure_capture
from carvrooom_desktop.sync.apply import write_transaction
from tests.sync.helpers import edit, outbox, vehicle


@pytest.fixture
def store(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'ws.sqlite3'}", origin="ws-1") as s:
        with write_transaction(s.engine, applying=False) as conn:
            enable_capture(conn)
        yield s


def test_orm_and_core_writes_are_captured_with_their_fields(store):
    vid = vehicle(store, make="Skoda")
    edit(store, VehicleRow, vid, model="Octavia")
    rec = store.recordings.create(vin="V1")
    store.recordings.append_samples(rec, 0, np.zeros(3, np.uint16), np.arange(3.0), np.ones(3))  # Core insert + update
    got = [(r.table_name, r.op, r.fields) for r in outbox(store)]
    assert got == [("vehicles", "I", "*"), ("vehicles", "U", "model"), ("recordings", "I", "*"),
                   ("recording_chunks", "A", "*"), ("recordings", "U", "sample_count")]
    stamps = [r.hlc for r in outbox(store)]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)  # the clock only moves forward
    assert all(len(r.change_id) == 32 for r in outbox(store))


def test_meta_only_updates_and_engine_writes_are_not_changes(store):
    vid = vehicle(store)
    before = len(outbox(store))
    with store.engine.begin() as conn:
        conn.execute(sa.update(VehicleRow).where(VehicleRow.id == vid).values(version=VehicleRow.version + 5))
    with write_transaction(store.engine) as conn:  # what the engine does with server rows
        conn.execute(sa.update(VehicleRow).where(VehicleRow.id == vid).values(make="from the server"))
    assert len(outbox(store)) == before


def test_a_stale_tombstone_write_leaves_the_servers_row_as_it_is(store):
    """The fault run's lost update: a writer read the row, a pull tombstoned it, the writer then set
    the same tombstone with its own version and time. Nothing changed, so nothing is pushed: the
    row must keep the server's version and time, or this store differs from the server forever."""
    from datetime import UTC, datetime

    vid = vehicle(store)
    server_time = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with write_transaction(store.engine) as conn:  # the pull: the server's tombstone, version 8
        conn.execute(sa.update(VehicleRow).where(VehicleRow.id == vid).values(deleted=True, version=8, updated_at=server_time))
    before = len(outbox(store))
    with store.engine.begin() as conn:  # the writer's stale read said version 7, not deleted
        conn.execute(sa.update(VehicleRow).where(VehicleRow.id == vid).values(deleted=True, version=8))
    with store.engine.connect() as conn:
        version, updated_at = conn.execute(sa.select(VehicleRow.version, VehicleRow.updated_at).where(VehicleRow.id == vid)).one()
    assert (version, updated_at.replace(tzinfo=UTC)) == (8, server_time)
    assert len(outbox(store)) == before


def test_a_batch_migration_that_recreates_a_table_gets_its_triggers_back(store):
    with store.engine.begin() as conn:  # what Alembic's batch mode does on SQLite
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql("CREATE TABLE _tmp_marks AS SELECT * FROM recording_marks")
        conn.exec_driver_sql("DROP TABLE recording_marks")
        conn.exec_driver_sql("ALTER TABLE _tmp_marks RENAME TO recording_marks")
    with store.engine.connect() as conn:
        names = set(conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type='trigger'")).scalars())
    assert f"{PREFIX}recording_marks_ins" not in names
    ensure_capture(store.engine)  # Store.open calls it after migrating
    rec = store.recordings.create(vin="V1")
    store.recordings.add_mark(rec, 1.0, "blip")
    assert outbox(store)[-1].table_name == "recording_marks"


def test_nothing_is_captured_before_sync_is_switched_on(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'plain.sqlite3'}", origin="ws") as s:
        vehicle(s)
        assert outbox(s) == []
        with s.engine.connect() as conn:
            assert conn.execute(sa.text(f"SELECT count(*) FROM sqlite_master WHERE name LIKE '{PREFIX}%'")).scalar() == 0


def test_a_killed_writer_leaves_the_row_and_its_outbox_entry_together(store, tmp_path):
    """SIGKILL in the middle of a transaction: neither the row nor its change; after a commit: both."""
    url = str(store.engine.url)
    script = textwrap.dedent(f"""
        import os, signal, sqlalchemy as sa
        from carvrooom_desktop.storage.store import Store
        s = Store.open({url!r}, origin="ws-1")
        with s.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO recordings (id, vin, adapter, started_at, state, notes, frame_count, sample_count, "
                                 "signal_names, signal_units, updated_at, version, origin, deleted) VALUES "
                                 "('00000000000000000000000000000001', 'KEPT', '', '2027-01-01', 'finished', '', 0, 0, '[]', '{{}}', "
                                 "'2027-01-01', 1, 'ws-1', 0)"))
        with s.engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.execute(sa.text("UPDATE recordings SET notes = 'never committed' WHERE vin = 'KEPT'"))
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == -9, done.stderr
    rows = [r for r in outbox(store) if r.table_name == "recordings"]
    assert [r.op for r in rows] == ["I"]
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(RecordingRow.notes).where(RecordingRow.vin == "KEPT")).scalar() == ""
