"""Fixtures for the sync tests: one fresh shared schema on the local PostgreSQL, many SQLite workstations."""

from __future__ import annotations

import pytest

from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.sync.engine import SyncEngine, server_engine


@pytest.fixture
def shared_url(postgres_url):
    """The fresh schema of ``postgres_url``, migrated to head: an empty workshop database."""
    from carvrooom_desktop.storage.migrate import upgrade_to_head

    engine = server_engine(postgres_url)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()
    return postgres_url


class Workstation:
    def __init__(self, path, name: str, shared_url: str, **engine_kwargs) -> None:
        self.name = name
        self.store = Store.open(f"sqlite:///{path / name / 'carvrooom.sqlite3'}", origin=name)
        self.engine = SyncEngine(self.store.engine, shared_url, origin=name, **engine_kwargs)

    def sync(self):
        return self.engine.sync_once()

    def close(self) -> None:
        self.engine.close()
        self.store.close()


@pytest.fixture
def workstations(tmp_path, shared_url):
    made: list[Workstation] = []

    def make(name: str, **kwargs) -> Workstation:
        ws = Workstation(tmp_path, name, shared_url, **kwargs)
        made.append(ws)
        return ws

    yield make
    for ws in made:
        ws.close()


@pytest.fixture
def restartable_shared_url():
    """Like ``shared_url``, for runs that restart PostgreSQL: every engine here pings before use, so the
    clean-up after a restart does not trip over a connection the restart closed."""
    import os
    import uuid

    import sqlalchemy as sa

    from carvrooom_desktop.storage.migrate import upgrade_to_head
    from tests.conftest import PG_URL

    admin = sa.create_engine(PG_URL, pool_pre_ping=True, connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as e:
        admin.dispose()
        if os.environ.get("CARVROOOM_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required (CARVROOOM_REQUIRE_POSTGRES=1) but unreachable at {PG_URL}: {e}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.engine.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    engine = server_engine(url)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()
    yield url
    from tests.sync.harness.run import ensure_postgres_running, wait_for_postgres

    ensure_postgres_running()
    wait_for_postgres(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
