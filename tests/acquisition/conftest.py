"""Fixtures of the acquisition tests: a store and the simulator's signal database."""

from __future__ import annotations

import pytest

from carvrooom_desktop.storage.store import Store
from drivers.simulator.broadcast import load_sim_dbc


@pytest.fixture
def store(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'acquisition.sqlite3'}") as s:
        yield s


@pytest.fixture(scope="session")
def sim_dbc():
    return load_sim_dbc()
