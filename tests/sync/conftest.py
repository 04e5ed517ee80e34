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
