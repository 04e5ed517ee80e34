"""The store on a real SQLite file and on the local PostgreSQL server: same schema, same behaviour."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import uuid

import numpy as np
import pytest
import sqlalchemy as sa

from carvrooom_desktop.domain import FrameArrays, RecordingState, Vehicle
from carvrooom_desktop.errors import NotFound, StoreUnavailable
from carvrooom_desktop.storage.migrate import HEAD_REVISION, MIGRATIONS, alembic_config, current_revision
from carvrooom_desktop.storage.models import Base
from carvrooom_desktop.storage.store import Store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    with Store.open(url, origin="ws-test") as s:
        yield s


def _frames(n: int, t0: float) -> FrameArrays:
    rng = np.random.default_rng(n)
    return FrameArrays(
        timestamp=t0 + np.arange(n) * 0.001, arbitration_id=rng.integers(0, 0x7FF, n).astype(np.uint32),
        flags=np.zeros(n, np.uint8), dlc=np.full(n, 8, np.uint8), data=rng.integers(0, 256, (n, 8)).astype(np.uint8),
    )


def test_schema_matches_the_models_after_migration(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    assert current_revision(store.engine) == HEAD_REVISION
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_head_revision_constant_is_the_newest_migration():
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION
    assert MIGRATIONS.is_dir()


def test_synced_rows_carry_uuid_version_origin_and_soft_delete(store):
    vehicle_id = store.vehicles.upsert(Vehicle("1HGCM82633A004352", "Honda", year=2003, odometer_km=84_230))
    assert isinstance(vehicle_id, uuid.UUID)
    assert store.vehicles.upsert(Vehicle("1HGCM82633A004352", odometer_km=84_300)) == vehicle_id
    with store.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT version, origin, deleted, updated_at FROM vehicles")).one()
    assert row.version == 2 and row.origin == "ws-test" and not row.deleted and row.updated_at is not None


def test_recording_round_trip_in_chunks(store):
    rec = store.recordings.create(vin="1HGCM82633A004352", adapter="sim", notes="idle check", signal_units={"engine_speed": "rpm"})
    frames = [_frames(1000, 1.7e9), _frames(500, 1.7e9 + 1)]
    for seq, chunk in enumerate(frames):
        store.recordings.append_frames(rec, seq, chunk)
    t = 1.7e9 + np.arange(20) * 0.1
    store.recordings.append_samples(rec, 0, np.zeros(20, np.uint16), t, np.linspace(750, 2500, 20))
    store.recordings.append_samples(rec, 1, np.array([0, 1], np.uint16), t[-2:] + 2, np.array([800.0, 90.0]),
                                    signal_units={"engine_speed": "rpm", "coolant_temp": "°C"})
    store.recordings.add_mark(rec, 1.7e9 + 0.5, "blip throttle")
    store.recordings.finish(rec)

    got = store.recordings.get(rec)
    assert got.state is RecordingState.FINISHED and got.frame_count == 1500 and got.sample_count == 22
    assert got.signal_names == ("engine_speed", "coolant_temp") and got.marks[0].label == "blip throttle"
    loaded = store.recordings.load_frames(rec)
    np.testing.assert_array_equal(loaded.data, np.concatenate([f.data for f in frames]))
    samples = store.recordings.load_samples(rec)
    assert len(samples["engine_speed"][0]) == 21 and samples["coolant_temp"][1].tolist() == [90.0]
    window = store.recordings.load_samples(rec, ["engine_speed"], t_range=(t[0], t[4]))
    assert len(window["engine_speed"][0]) == 5
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM recording_chunks")).scalar() == 4  # chunks, not samples


def test_list_search_find_and_soft_delete(store):
    a = store.recordings.create(vin="VIN_A", notes="before repair")
    b = store.recordings.create(vin="VIN_B", notes="after repair")
    assert {r.id for r in store.recordings.list()} == {a, b}
    assert [r.id for r in store.recordings.list(text="BEFORE")] == [a]
    assert store.recordings.find(str(b)[:8]).id == b
    store.recordings.soft_delete(a)
    assert [r.id for r in store.recordings.list()] == [b]
    assert {r.id for r in store.recordings.list(include_deleted=True)} == {a, b}
    with pytest.raises(NotFound):
        store.recordings.get(uuid.uuid4())


def test_unreachable_database_is_a_clear_error():
    with pytest.raises(StoreUnavailable, match=r"postgresql\+psycopg://u:\*\*\*@127.0.0.1:1/x"):
        Store.open("postgresql+psycopg://u:pw@127.0.0.1:1/x")
    with pytest.raises(StoreUnavailable, match="not a database URL"):
        Store.open("this is not a url")


def test_missing_data_directory_is_created(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'a' / 'b' / 'c.sqlite3'}") as s:
        assert s.kind == "SQLite"


def test_sqlite_is_in_wal_mode_with_durable_commits(tmp_path):
    path = tmp_path / "wal.sqlite3"
    with Store.open(f"sqlite:///{path}") as s, s.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_killed_writer_leaves_a_store_that_opens_with_committed_chunks(tmp_path):
    path = tmp_path / "killed.sqlite3"
    script = textwrap.dedent(f"""
        import os, numpy as np
        from carvrooom_desktop.storage.store import Store
        s = Store.open("sqlite:///{path}")
        rec = s.recordings.create(vin="KILLED", signal_units={{"rpm": "rpm"}})
        for seq in range(3):
            t = 1.7e9 + seq + np.arange(100) / 100
            s.recordings.append_samples(rec, seq, np.zeros(100, np.uint16), t, np.full(100, 800.0))
        os._exit(9)  # no cleanup, no close: like kill -9
    """)
    assert subprocess.run([sys.executable, "-c", script]).returncode == 9
    with Store.open(f"sqlite:///{path}") as s:
        rec = s.recordings.list()[0]
        assert rec.sample_count == 300
        assert len(s.recordings.load_samples(rec.id)["rpm"][0]) == 300
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_two_processes_creating_one_new_database_at_once(tmp_path):
    path = tmp_path / "race.sqlite3"
    script = f"from carvrooom_desktop.storage.store import Store; Store.open('sqlite:///{path}').close()"
    procs = [subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for proc in procs:
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    with Store.open(f"sqlite:///{path}") as s:
        assert current_revision(s.engine) == HEAD_REVISION
