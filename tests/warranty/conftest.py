"""Fixtures for the warranty tests: a real SQLite store in tmp_path, a claim maker."""

from __future__ import annotations

from datetime import date

import pytest

from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.storage.warranty_claims import WarrantyClaimRepository
from carvrooom_desktop.warranty.claim import WarrantyClaim

VIN_A = "WVWZZZ1KZ8W123456"
VIN_B = "1HGCM82633A004352"


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


def make_claim(claim_id: str = "C-1", **changes) -> WarrantyClaim:
    base = dict(claim_id=claim_id, vin=VIN_A, claim_date=date(2025, 6, 10), repair_date=date(2025, 6, 9),
                in_service_date=date(2023, 3, 1), odometer_km=31_200.0, part_category="ignition_coil",
                complaint="Check engine light flashing, engine misfires under load",
                cause="Ignition coil cylinder 2 internal short", correction="Replaced ignition coil cylinder 2",
                dtcs=("P0302",), part_number="IC-22448-10", labour_op="IGN-COIL-R", dealer_id="D001", amount_cents=18_950)
    base.update(changes)
    return WarrantyClaim(**base)
