"""Users and the audit trail travel through sync: a user made on one workstation signs in on another; each
workstation keeps its own chain, and the shared database gathers every workstation's (append-only rows are
pushed, never pulled, like recording chunks), where all chains and their signed checkpoints verify together."""

from __future__ import annotations

import pytest

from carvrooom_desktop.people import People
from tests.people.people_helpers import ADMIN_PASSWORD, PASSWORD

pytestmark = pytest.mark.postgres


@pytest.fixture
def shared_url(postgres_url):
    from carvrooom_desktop.storage.migrate import upgrade_to_head
    from carvrooom_desktop.sync.engine import server_engine

    engine = server_engine(postgres_url)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()
    return postgres_url


def test_users_and_chains_sync_between_workstations(tmp_path, shared_url):
    from carvrooom_desktop.storage.store import Store
    from carvrooom_desktop.sync.engine import SyncEngine

    stores, engines = [], []
    try:
        for name in ("bench", "front"):
            store = Store.open(f"sqlite:///{tmp_path / name / 'carvrooom.sqlite3'}", origin=name)
            stores.append(store)
            engines.append(SyncEngine(store.engine, shared_url, origin=name))
        bench, front = (People.of(s) for s in stores)
        bench.users.create_first_admin("boss", ADMIN_PASSWORD)
        boss = bench.users.sign_in("boss", ADMIN_PASSWORD)
        bench.users.create(boss, "tina", PASSWORD, "technician", email="tina@shop.example")
        engines[0].sync_once()
        engines[1].sync_once()
        tina = front.users.sign_in("tina", PASSWORD)  # made on the bench, signed in at the front desk
        assert tina.role == "technician" and not front.demo_mode
        front.audit.append("tina", "start recordings", record="recording:front-1")
        engines[1].sync_once()
        engines[0].sync_once()
        for people in (bench, front):
            report = people.audit.verify()
            assert report.ok and report.chains == 1, report.problems
        from carvrooom_desktop.people.audit_verify import verify_trail
        from carvrooom_desktop.sync.engine import server_engine

        shared = server_engine(shared_url)
        try:
            report = verify_trail(shared)
            assert report.ok, report.problems
            assert report.chains == 2 and report.entries == 5 and report.checkpoints >= 4
            actors = {e.actor for e in People.of(shared, origin="").audit.entries()}
            assert actors == {"boss", "tina"}
        finally:
            shared.dispose()
    finally:
        for e in engines:
            e.close()
        for s in stores:
            s.close()
