"""Raising alerts from events: published as alert.raised, stored with state, deduplicated while open."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from carvrooom_desktop import events as ev
from carvrooom_desktop.alerts.model import AlertState
from carvrooom_desktop.alerts.store import effective_state
from carvrooom_desktop.errors import InvalidRequest
from tests.alerts.alerts_helpers import critical_health, do_not_drive


def test_do_not_drive_raises_once_while_open_and_is_published(centre, bus, repo):
    seen = []
    bus.subscribe(ev.ALERT_RAISED, lambda _t, p: seen.append(p))
    centre.attach(background=False)
    bus.publish(*do_not_drive())
    bus.publish(*do_not_drive(cause="another cause, same car"))  # same car, still open: no second alert
    [alert] = repo.list()
    assert alert.state is AlertState.RAISED and alert.rule == "do-not-drive" and alert.severity == "critical"
    assert [p["id"] for p in seen] == [str(alert.id)] and seen[0]["vin"] == "WVWZZZ1JZXW000001"
    assert repo.steps(alert.id), "the safety policy's steps are planned with the alert"


def test_acknowledge_and_resolve_record_who_and_when(centre, repo, clock):
    [alert] = centre.handle(*critical_health())
    acked = centre.acknowledge(alert.id, "sue")
    assert acked.state is AlertState.ACKNOWLEDGED and acked.acknowledged_by == "sue"
    assert acked.acknowledged_at == datetime.fromtimestamp(clock.now(), UTC)
    assert centre.acknowledge(alert.id, "tom").acknowledged_by == "sue"  # again: no change
    clock.advance(60)
    done = centre.resolve(alert.id, "tom", note="alternator replaced")
    assert done.state is AlertState.RESOLVED and done.resolved_by == "tom" and done.note == "alternator replaced"
    with pytest.raises(InvalidRequest, match="already resolved"):
        centre.acknowledge(alert.id, "ann")
    assert {s.state for s in repo.steps(alert.id)} <= {"cancelled", "pending"}
    assert not [s for s in repo.steps(alert.id) if s.state == "pending"]


def test_the_same_finding_raises_again_after_it_was_resolved(centre, repo):
    [first] = centre.handle(*critical_health())
    assert centre.handle(*critical_health()) == []
    centre.resolve(first.id, "tom")
    [second] = centre.handle(*critical_health())
    assert second.id != first.id and second.dedupe_key == first.dedupe_key
    assert [a.state for a in repo.list()] == [AlertState.RAISED, AlertState.RESOLVED] or len(repo.list()) == 2
    assert repo.count_open() == 1


def test_different_cars_and_checks_are_different_alerts(centre, repo):
    centre.handle(*critical_health("car-1"))
    centre.handle(*critical_health("car-2"))
    centre.handle(*critical_health("car-1", check="starter_voltage"))
    assert repo.count_open() == 3


def test_warranty_flag_value_and_booking_at_risk(centre, repo):
    assert centre.warranty_flagged("C-7", 0.5) == []
    [flag] = centre.warranty_flagged("C-7", 0.93, vin="V7", flags=["duplicate"])
    assert flag.rule == "warranty-flag" and flag.facts["score"] == 0.93
    [risk] = centre.handle(ev.BOOKING_CHANGED, {"source": "board", "at_risk": [
        {"job_id": "j9", "label": "Clutch", "planned_end": "17:30", "promised_at": "17:00", "late_minutes": 30}]})
    assert risk.rule == "booking-at-risk" and risk.policy == "front-office"


def test_a_burst_through_the_background_intake_is_batched(centre, bus, repo):
    centre.attach(background=True)
    for i in range(1000):
        bus.publish(*critical_health(f"car-{i}"))
    for i in range(100):  # duplicates of open alerts
        bus.publish(*critical_health(f"car-{i}"))
    assert centre.wait_idle(30)
    assert repo.count_open() == 1000 and centre.raised == 1000


def test_state_never_moves_back_after_a_merge():
    when = datetime(2026, 12, 4, tzinfo=UTC)
    assert effective_state("acknowledged", when, when) is AlertState.RESOLVED  # a stale ack merged over a resolve
    assert effective_state("raised", when, None) is AlertState.ACKNOWLEDGED
    assert effective_state("raised", None, None) is AlertState.RAISED


def test_a_stale_acknowledgement_merged_in_does_not_reopen(centre, repo, store):
    [alert] = centre.handle(*critical_health())
    centre.resolve(alert.id, "tom")
    with store.engine.begin() as conn:  # what a last-writer merge of another workstation's older ack can leave
        conn.execute(sa.text("UPDATE alerts SET state = 'acknowledged', acknowledged_by = 'ann'"))
    assert repo.get(alert.id).state is AlertState.RESOLVED
    assert repo.count_open() == 0
    assert centre.handle(*critical_health()) != []  # resolved: the finding may raise again


def test_alerts_sync_with_the_first_acknowledgement_standing():
    from carvrooom_desktop.storage.sync_tables import table_map
    from carvrooom_desktop.sync.rules import Resolution, rule_for

    tables = table_map()
    assert "alerts" in tables and not tables["alerts"].append_only
    assert "alert_steps" not in tables  # the outbox is this workstation's own: mail is not sent once per workstation
    rule = rule_for("alerts")
    assert rule.resolution("acknowledged_by") is Resolution.SERVER_WINS
    assert rule.resolution("resolved_at") is Resolution.SERVER_WINS
    assert rule.resolution("note") is Resolution.LAST_WRITER


def test_find_by_prefix(centre, repo):
    [alert] = centre.handle(*critical_health())
    assert repo.find(str(alert.id)[:8]).id == alert.id
    with pytest.raises(InvalidRequest, match="at least 4"):
        repo.find("ab")
    with pytest.raises(InvalidRequest, match="no alert"):
        repo.find("zzzzzzzz")


def test_queued_intake_without_a_thread_is_drained_by_the_caller(centre, bus, repo):
    centre.attach(background=True, own_thread=False)  # the GUI: its worker pool drains on a timer
    for i in range(700):
        bus.publish(*critical_health(f"car-{i}"))
    assert centre.pending and repo.count_open() == 0  # the publisher only queued
    created = centre.drain()
    assert len(created) == 700 and not centre.pending and repo.count_open() == 700


class _Board:
    """What at_risk_jobs reads of a planning board: live bookings, jobs and each job's planned end."""

    def __init__(self, ends: dict[str, tuple[datetime, datetime | None]]) -> None:
        from types import SimpleNamespace

        self._ends = ends
        self.jobs = {j: SimpleNamespace(label=f"job {j}", promised_at=p, state="planned", vin=f"VIN-{j}")
                     for j, (_e, p) in ends.items()}

    def live(self):
        from types import SimpleNamespace

        return [SimpleNamespace(job_id=j) for j in self._ends]

    def end_of(self, job_id):
        return self._ends[job_id][0]


def test_bookings_at_risk_from_the_board_raise_and_resolve_when_back_on_time(centre, repo):
    five, half_past = datetime(2026, 12, 4, 17, 0, tzinfo=UTC), datetime(2026, 12, 4, 17, 30, tzinfo=UTC)
    [late] = centre.check_board(_Board({"a": (half_past, five), "b": (five, half_past), "c": (half_past, None)}))
    assert late.dedupe_key == "booking-at-risk:a" and late.facts["late_minutes"] == 30.0 and late.vin == "VIN-a"
    assert centre.check_board(_Board({"a": (half_past, five)})) == []  # still late: the same alert
    centre.check_board(_Board({"a": (five, five)}))  # re-planned: on time
    back = repo.get(late.id)
    assert back.state is AlertState.RESOLVED and back.resolved_by == "schedule board"


def test_a_health_result_named_by_vehicle_id_shows_the_cars_vin(centre, store):
    from carvrooom_desktop.domain import Vehicle

    vid = store.vehicles.upsert(Vehicle("WVWZZZ1JZXW000009", "VW", "Golf", 2012))
    topic, payload = critical_health()
    payload = payload | {"vin": None, "vehicle_id": str(vid), "source": "live session"}
    [alert] = centre.handle(topic, payload)
    assert alert.vin == "WVWZZZ1JZXW000009" and alert.dedupe_key == f"critical-health:{vid}:charging:charging_voltage"
    topic, other = critical_health()
    assert centre.handle(topic, other | {"vin": None, "vehicle_id": None, "source": "live session"})  # another, unknown car
