"""A recording keeps its source kind and the signal database that decoded it (name + content hash),
so a replay, export or viewer decodes it the same later and elsewhere, without recognising the
simulated car by its adapter label. Existing simulator recordings are given theirs by migration 0006."""

from __future__ import annotations

import hashlib
import time
import uuid

import sqlalchemy as sa

from carvrooom_desktop.acquisition.session import LiveSession
from carvrooom_desktop.acquisition.signal_databases import choose_decoding_database
from carvrooom_desktop.acquisition.source import SourceSpec
from carvrooom_desktop.events import EventBus
from carvrooom_desktop.storage.recording_sources import RecordingSourceRepository
from carvrooom_desktop.storage.store import Store
from drivers.simulator.broadcast import SIM_DBC
from resources import resource_path

SIM_SHA = hashlib.sha256(resource_path(*SIM_DBC).read_bytes()).hexdigest()


def test_a_simulator_recording_stores_its_source_and_database(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}", origin="ws") as store:
        session = LiveSession(SourceSpec(kind="sim", speed=4.0), events=EventBus(), store=store)
        try:
            session.connect()
            assert session.decoding is not None and session.decoding.reason.startswith("the source's own")
            recording_id = session.start_recording("source test")
            time.sleep(1.0)
            recording = session.stop_recording()
        finally:
            session.close()
        source = RecordingSourceRepository(store.engine, store.origin).get(recording_id)
        assert source is not None and source.source_kind == "sim"
        assert source.database_name == SIM_DBC[1] and source.database_sha256 == SIM_SHA
        choice = choose_decoding_database(store, recording=recording)
        assert choice.database is not None and choice.reason == f"stored with the recording ({SIM_DBC[1]})"
        assert choice.content == resource_path(*SIM_DBC).read_bytes()


def test_a_recording_without_one_says_why(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}", origin="ws") as store:
        rid = store.recordings.create(vin="WVWZZZ1JZXW000001", adapter="ELM327 v1.5 on COM3")
        choice = choose_decoding_database(store, recording=store.recordings.get(rid))
        assert choice.database is None
        assert choice.reason == "no signal database: no signal database chosen for this vehicle"


def test_migration_gives_old_simulator_recordings_their_database(tmp_path):
    from alembic import command

    from carvrooom_desktop.storage.engine import make_engine, parse_url
    from carvrooom_desktop.storage.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(parse_url(url))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0005_sync")
        for label in ("simulated car (virtual CAN, ISO 15765-4 11-bit)", "ELM327 v1.5 on /dev/ttyUSB0"):
            conn.execute(sa.text(
                "INSERT INTO recordings (id, vin, adapter, started_at, state, notes, frame_count, sample_count, signal_names,"
                " signal_units, updated_at, version, origin, deleted) VALUES (:id, '', :adapter, CURRENT_TIMESTAMP, 'finished',"
                " '', 0, 0, '[]', '{}', CURRENT_TIMESTAMP, 1, 'old', 0)"), {"id": uuid.uuid4().hex, "adapter": label})  # SQLite keeps a Uuid as 32 hex digits
    engine.dispose()
    with Store.open(url, origin="ws") as store:  # migrates to head
        rows = {r.adapter: r for r in store.recordings.list()}
        repo = RecordingSourceRepository(store.engine, store.origin)
        sim = repo.get(rows["simulated car (virtual CAN, ISO 15765-4 11-bit)"].id)
        assert sim is not None and sim.source_kind == "sim" and sim.database_sha256 == SIM_SHA
        assert repo.get(rows["ELM327 v1.5 on /dev/ttyUSB0"].id) is None
        assert repo.database_file(SIM_SHA)[1] == resource_path(*SIM_DBC).read_bytes()
