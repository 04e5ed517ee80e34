"""Fixtures for the warranty tests: a real SQLite store in tmp_path (claims: warranty_helpers.py)."""

from __future__ import annotations

import pytest

from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.storage.warranty_claims import WarrantyClaimRepository


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'warranty.sqlite3'}"


@pytest.fixture
def store(db_url):
    with Store.open(db_url, origin="ws-warranty") as s:
        yield s


@pytest.fixture
def repo(store):
    return WarrantyClaimRepository(store.engine, store.origin)
