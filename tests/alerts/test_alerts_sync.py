"""Alerts between two workstations through the shared PostgreSQL: one alert for one finding, the first
acknowledgement stands, a resolve is never undone by a stale acknowledgement, and only the raising
workstation sends the notices (an acknowledgement made elsewhere stops them)."""

from __future__ import annotations

import pytest

from carvrooom_desktop.alerts.centre import AlertCentre
from carvrooom_desktop.alerts.clock import FakeClock
from carvrooom_desktop.alerts.config import policies_in_force, rules_in_force
from carvrooom_desktop.alerts.model import AlertState
from carvrooom_desktop.alerts.store import AlertRepository
from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.sync.engine import SyncEngine, server_engine
from carvrooom_desktop.sync.status import SyncState
from tests.alerts.alerts_helpers import do_not_drive

pytestmark = pytest.mark.postgres


class Station:
    def __init__(self, path, name: str, shared_url: str, clock: FakeClock) -> None:
        self.store = Store.open(f"sqlite:///{path / name / 'carvrooom.sqlite3'}", origin=name)
        self.sync_engine = SyncEngine(self.store.engine, shared_url, origin=name)
        self.repo = AlertRepository(self.store.engine, name)
        self.centre = AlertCentre(self.repo, rules_in_force(), policies_in_force(), clock=clock)

    def sync(self) -> None:
        assert self.sync_engine.sync_once().state in (SyncState.SYNCED, SyncState.CONFLICT)

    def close(self) -> None:
        self.sync_engine.close()
        self.store.close()


@pytest.fixture
def stations(tmp_path, postgres_url):
    from carvrooom_desktop.storage.migrate import upgrade_to_head

    engine = server_engine(postgres_url)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()
    clock = FakeClock()
    made = [Station(tmp_path, "ws-front", postgres_url, clock), Station(tmp_path, "ws-bench", postgres_url, clock)]
    for s in made:
        s.sync()  # capture on from here
    yield made
    for s in made:
        s.close()


def test_an_acknowledgement_made_elsewhere_arrives_and_stops_the_notices(stations):
    front, bench = stations
    [alert] = bench.centre.handle(*do_not_drive())
    bench.sync()
    front.sync()
    assert front.repo.get(alert.id).state is AlertState.RAISED
    assert front.repo.steps(alert.id) == []  # the outbox is the raising workstation's own
    front.centre.acknowledge(alert.id, "sue")
    front.sync()
    bench.sync()
    seen = bench.repo.get(alert.id)
    assert seen.state is AlertState.ACKNOWLEDGED and seen.acknowledged_by == "sue"
    assert bench.repo.claim_due(bench.centre.clock.now() + 3600) == []  # nothing more is sent
    assert {s.state for s in bench.repo.steps(alert.id)} == {"cancelled"}


def test_the_same_finding_raised_on_both_before_a_sync_is_one_alert(stations):
    front, bench = stations
    [a] = front.centre.handle(*do_not_drive())
    [b] = bench.centre.handle(*do_not_drive())
    assert a.id == b.id  # derived from the key
    for s in (front, bench, front):
        s.sync()
    assert len(front.repo.list()) == len(bench.repo.list()) == 1


def test_the_first_acknowledgement_to_reach_the_server_stands_and_a_resolve_is_not_undone(stations):
    front, bench = stations
    [alert] = front.centre.handle(*do_not_drive())
    front.sync()
    bench.sync()
    front.centre.acknowledge(alert.id, "ann")  # both offline: two acknowledgements
    bench.centre.acknowledge(alert.id, "bob")
    front.sync()
    bench.sync()
    front.sync()
    assert front.repo.get(alert.id).acknowledged_by == bench.repo.get(alert.id).acknowledged_by == "ann"
    front.centre.resolve(alert.id, "ann", "pads replaced")
    front.sync()
    bench.sync()
    for s in (front, bench):
        got = s.repo.get(alert.id)
        assert got.state is AlertState.RESOLVED and got.resolved_by == "ann"


def test_a_stale_acknowledgement_after_a_resolve_elsewhere_does_not_reopen_it(stations):
    front, bench = stations
    [alert] = front.centre.handle(*do_not_drive())
    front.sync()
    bench.sync()
    front.centre.resolve(alert.id, "ann", "fixed")  # offline, both
    bench.centre.acknowledge(alert.id, "bob")
    front.sync()
    bench.sync()  # bob's acknowledgement reaches the server after the resolve
    front.sync()
    for s in (front, bench):
        got = s.repo.get(alert.id)
        assert got.state is AlertState.RESOLVED and got.resolved_by == "ann", s.store.origin
    assert front.repo.count_open() == bench.repo.count_open() == 0
