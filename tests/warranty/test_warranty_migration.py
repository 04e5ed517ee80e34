"""Migration 0007 on SQLite and PostgreSQL: the schema equals the models, claims read back, statuses are checked."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from carvrooom_desktop.storage.migrate import HEAD_REVISION, alembic_config, current_revision
from carvrooom_desktop.storage.models import Base
from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.storage.warranty_claims import WarrantyClaimRepository
from carvrooom_desktop.warranty.history import StoreHistory
from carvrooom_desktop.warranty.signals import SignalChecker
from tests.warranty.warranty_helpers import make_claim


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    with Store.open(url, origin="ws-m") as s:
        yield s


def test_schema_equals_the_models_and_claims_work(any_store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    assert current_revision(any_store.engine) == HEAD_REVISION
    with any_store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("warranty_claims")}
    assert {"ix_warranty_claims_vin_part", "ix_warranty_claims_dealer_date", "ix_warranty_claims_recording_sha256"} <= indexes
    repo = WarrantyClaimRepository(any_store.engine, any_store.origin)
    first = repo.add(make_claim("C-1"))
    again = repo.add(make_claim("C-2", claim_date=first.claim_date.replace(month=8)))
    assert repo.find("C-1") == first
    assert repo.dealer_month_counts("D001", first.claim_date.replace(day=1), again.claim_date) == {"2025-06": 1, "2025-08": 1}
    fired = {s.kind for s in SignalChecker(StoreHistory(repo), load_rules()).check(again).fired}
    assert fired == {"duplicate"}
    with pytest.raises(sa.exc.IntegrityError), any_store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE warranty_claims SET status = 'paid'"))


def test_downgrade_removes_the_table(tmp_path):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    with Store.open(url) as s, s.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0006_recording_sources")
        assert not sa.inspect(conn).has_table("warranty_claims")


def load_rules():
    from carvrooom_desktop.warranty.coverage import load_rules as load

    return load()
