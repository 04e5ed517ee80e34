"""A shared database that is unreachable, refuses the password, or has another schema: a clear state,
local work goes on, nothing is lost (and it all arrives once the database is usable)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from carvrooom_desktop import events as ev
from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.sync.engine import SyncEngine, server_engine
from carvrooom_desktop.sync.status import SyncState, SyncStatus
from tests.sync.fake_pg import PasswordRefusingServer
from tests.sync.helpers import server_count, vehicle


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def store(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'ws.sqlite3'}", origin="ws-1") as s:
        yield s


def _states(bus):
    seen: list[SyncStatus] = []
    bus.subscribe(ev.SYNC_STATE, lambda _t, status: seen.append(status))
    return seen


def test_unreachable_database_is_offline_and_local_work_waits_in_the_outbox(store):
    bus = ev.EventBus()
    seen = _states(bus)
    with SyncEngine(store.engine, f"postgresql://shop@127.0.0.1:{_free_port()}/workshop", origin="ws-1", events=bus) as engine:
        vehicle(store, vin="KEEP1")
        status = engine.sync_once()
        vehicle(store, vin="KEEP2")  # the workstation keeps working
        again = engine.sync_once()
    assert status.state is SyncState.OFFLINE and "cannot be reached" in status.message
    assert again.pending == 2 and again.value == "offline (pending 2)"  # both inserts kept
    assert seen and seen[-1].value == "offline (pending 2)"
    assert store.vehicles.get_by_vin("KEEP2") is not None


def test_a_refused_password_is_its_own_state():
    fake = PasswordRefusingServer()
    try:
        with Store.open("sqlite://", origin="ws-1") as s, \
                SyncEngine(s.engine, f"postgresql://shop:wrong@127.0.0.1:{fake.port}/workshop", origin="ws-1") as engine:
            status = engine.sync_once()
    finally:
        fake.close()
    assert fake.attempts >= 1
    assert status.state is SyncState.PASSWORD_REFUSED and status.value == "password refused"
    assert "keyring" in status.message and "wrong" not in status.message + status.server


@pytest.mark.postgres
def test_empty_older_and_newer_schemas_are_told_apart_and_nothing_is_lost(store, postgres_url):
    from alembic import command

    from carvrooom_desktop.storage.migrate import alembic_config

    vehicle(store, vin="WAITING")
    with SyncEngine(store.engine, postgres_url, origin="ws-1") as engine:
        assert engine.sync_once().state is SyncState.NO_SCHEMA
        server = server_engine(postgres_url)
        try:
            with server.begin() as conn:
                command.upgrade(alembic_config(conn), "0003_workshop_schedule")
            too_old = engine.sync_once()
            with server.begin() as conn:
                conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
            newer = engine.sync_once()
            with server.begin() as conn:
                conn.execute(sa.text("UPDATE alembic_version SET version_num = '0003_workshop_schedule'"))
        finally:
            server.dispose()
        assert too_old.state is SyncState.SCHEMA_TOO_OLD and too_old.value == "schema too old (pending 1)"
        assert "0003_workshop_schedule" in too_old.message and "--init-shared" in too_old.message
        assert newer.state is SyncState.SCHEMA_NEWER and "update CarVrooom" in newer.message
        engine.init_shared()  # the administrator upgrades the shared database
        assert engine.sync_once().state is SyncState.SYNCED
    assert server_count(postgres_url, "SELECT vin FROM vehicles")[0].vin == "WAITING"


def test_a_store_on_postgresql_itself_does_not_sync(postgres_url):
    with Store.open(postgres_url, origin="ws-1") as s, SyncEngine(s.engine, postgres_url, origin="ws-1") as engine:
        assert engine.sync_once().state is SyncState.LOCAL_STORE
