"""The alert tables on the shared PostgreSQL: migrated, raise/dedupe/ack and the outbox claims behave the same."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from carvrooom_desktop.alerts.centre import AlertCentre
from carvrooom_desktop.alerts.clock import FakeClock
from carvrooom_desktop.alerts.config import policies_in_force, rules_in_force
from carvrooom_desktop.alerts.model import AlertState
from carvrooom_desktop.alerts.store import AlertRepository
from carvrooom_desktop.storage.migrate import HEAD_REVISION
from carvrooom_desktop.storage.store import Store
from tests.alerts.alerts_helpers import critical_health, do_not_drive

pytestmark = pytest.mark.postgres


def test_alerts_on_postgres(postgres_url):
    clock = FakeClock()
    with Store.open(postgres_url, origin="ws-pg") as store:
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
        repo = AlertRepository(store.engine, store.origin)
        centre = AlertCentre(repo, rules_in_force(), policies_in_force(), clock=clock)
        [alert] = centre.handle(*do_not_drive())
        assert centre.handle(*do_not_drive()) == []
        centre.handle(*critical_health())
        assert repo.count_open() == 2
        claimed = repo.claim_due(clock.now(), limit=10)
        assert claimed and all(w.alert.id in {a.id for a in repo.list()} for w in claimed)
        assert repo.claim_due(clock.now(), limit=10) == []  # claimed once
        done = centre.acknowledge(alert.id, "sue")
        assert done.state is AlertState.ACKNOWLEDGED and done.acknowledged_at is not None
        assert repo.find(str(alert.id)[:6]).id == alert.id
