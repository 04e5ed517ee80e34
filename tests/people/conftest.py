"""Fixtures of the people tests: a store on a real SQLite file and on the local PostgreSQL."""

from __future__ import annotations

import pytest

from tests.people.people_helpers import open_people


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'shop.sqlite3'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def people(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    store, p = open_people(url)
    yield p
    store.close()
