"""Escalation on a fake clock: on time, stops when acknowledged, retries failures, survives a kill."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from carvrooom_desktop.alerts.centre import AlertCentre
from carvrooom_desktop.alerts.channels import ChannelError
from carvrooom_desktop.alerts.config import SmtpSettings
from carvrooom_desktop.alerts.desktop_channel import DesktopChannel
from carvrooom_desktop.alerts.directory import SettingsDirectory
from carvrooom_desktop.alerts.email_channel import EmailChannel
from carvrooom_desktop.alerts.policies import parse_policies
from carvrooom_desktop.alerts.rules import load_rules
from carvrooom_desktop.alerts.scheduler import EscalationScheduler
from carvrooom_desktop.alerts.store import LEASE_S
from tests.alerts.alerts_helpers import MAIL_PEOPLE, do_not_drive, smtp_server, wait_until

ROOT = Path(__file__).resolve().parents[2]

# One role at a time by e-mail: 2 notices 5 min apart to the technician, then 2 to the service manager, then the admin.
POLICY = parse_policies({"format": "carvrooom-escalation-policies/1", "policies": [{"id": "safety", "levels": [
    {"notify": ["technician"], "channels": ["email"], "wait_minutes": 5, "repeat": 1},
    {"notify": ["service manager"], "channels": ["email"], "wait_minutes": 5, "repeat": 1},
    {"notify": ["admin"], "channels": ["email"], "wait_minutes": 5}]}]})


def _centre(repo, clock, scheduler, policies=POLICY):
    return AlertCentre(repo, load_rules(), policies, clock=clock, scheduler=scheduler)


def test_each_step_fires_within_a_second_of_its_time_on_the_thread(repo, clock, recorders, directory):
    scheduler = EscalationScheduler(repo, recorders, directory, clock)
    centre = _centre(repo, clock, scheduler)
    [alert] = centre.handle(*do_not_drive())
    t0 = clock.now()
    scheduler.start()
    try:
        assert wait_until(lambda: len(recorders["email"].sent) == 1)  # the first notice: at once
        for n, minutes in enumerate((5, 10, 15, 20), start=2):
            assert wait_until(clock.waiting.is_set)
            clock.set(t0 + minutes * 60)
            assert wait_until(lambda n=n: len(recorders["email"].sent) == n), f"notice {n} did not fire"
    finally:
        scheduler.stop()
    steps = repo.steps(alert.id)
    assert [s.role for s in steps] == ["technician", "technician", "service manager", "service manager", "admin"]
    assert all(s.state == "sent" and 0 <= s.sent_at - s.due_at <= 1.0 for s in steps)
    assert [names for _key, names in recorders["email"].sent] == [["Tom Tech"]] * 2 + [["Sue Manager"]] * 2 + [["Ada Admin"]]


def test_nothing_fires_early(repo, clock, recorders, directory, scheduler):
    centre = _centre(repo, clock, scheduler)
    centre.handle(*do_not_drive())
    assert scheduler.run_due() == 1
    clock.advance(5 * 60 - 0.5)
    assert scheduler.run_due() == 0
    clock.advance(0.5)
    assert scheduler.run_due() == 1


def test_acknowledging_stops_the_escalation(repo, clock, recorders, directory, scheduler):
    centre = _centre(repo, clock, scheduler)
    [alert] = centre.handle(*do_not_drive())
    scheduler.run_due()
    centre.acknowledge(alert.id, "tom")
    clock.advance(3600)
    assert scheduler.run_due() == 0
    assert [s.state for s in repo.steps(alert.id)] == ["sent"] + ["cancelled"] * 4


def test_an_acknowledgement_that_arrives_by_sync_stops_it_too(repo, clock, recorders, directory, scheduler, store):
    import sqlalchemy as sa

    centre = _centre(repo, clock, scheduler)
    [alert] = centre.handle(*do_not_drive())
    with store.engine.begin() as conn:  # the sync engine writes the row; no cancel ran here
        conn.execute(sa.text("UPDATE alerts SET state = 'acknowledged', acknowledged_by = 'ann', acknowledged_at = '2026-12-04 10:00:00'"))
    assert scheduler.run_due() == 0
    assert {s.state for s in repo.steps(alert.id)} == {"cancelled", "pending"}


def test_stop_when_resolved_keeps_reminding_after_an_acknowledgement(repo, clock, recorders, directory, scheduler):
    policies = parse_policies({"format": "carvrooom-escalation-policies/1", "policies": [{"id": "front-office", "stop_when": "resolved",
                               "levels": [{"notify": ["service manager"], "channels": ["in_app"], "wait_minutes": 30, "repeat": 2}]}]})
    centre = AlertCentre(repo, load_rules(), policies, clock=clock, scheduler=scheduler)
    [alert] = centre.handle("booking.changed", {"at_risk": [{"job_id": "j1", "late_minutes": 20}]})
    centre.acknowledge(alert.id, "sue")
    assert scheduler.run_due() == 1
    clock.advance(30 * 60)
    assert scheduler.run_due() == 1
    centre.resolve(alert.id, "sue")
    clock.advance(30 * 60)
    assert scheduler.run_due() == 0


class Flaky:
    name = "email"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent = 0

    def send(self, message, recipients):
        if self.failures:
            self.failures -= 1
            raise ChannelError("the mail server 127.0.0.1:1 refused the connection")
        self.sent += 1
        return ["sue@shop.example"]


def test_a_failed_step_is_retried_later_with_its_reason_and_nothing_is_lost(repo, clock, directory):
    flaky = Flaky(failures=2)
    scheduler = EscalationScheduler(repo, {"email": flaky}, directory, clock, retry_s=(30, 60))
    centre = _centre(repo, clock, scheduler)
    [alert] = centre.handle(*do_not_drive())
    assert scheduler.run_due() == 0
    [first, *_rest] = repo.steps(alert.id)
    assert first.state == "pending" and "refused the connection" in first.last_error and first.attempts == 1
    assert first.due_at == pytest.approx(clock.now() + 30)
    clock.advance(30)
    assert scheduler.run_due() == 0
    clock.advance(59)
    assert scheduler.run_due() == 0  # second failure waits 60 s
    clock.advance(1)
    assert scheduler.run_due() == 1
    sent = repo.steps(alert.id)[0]
    assert sent.state == "sent" and sent.attempts == 3 and sent.last_error == ""


def test_a_role_without_an_address_is_not_retried_forever(repo, clock):
    channel = EmailChannel(SmtpSettings(host="127.0.0.1", port=1, security="none"))
    scheduler = EscalationScheduler(repo, {"email": channel}, SettingsDirectory({}), clock, retry_s=(30, 600))
    centre = _centre(repo, clock, scheduler)
    [alert] = centre.handle(*do_not_drive())
    scheduler.run_due()
    step = repo.steps(alert.id)[0]
    assert "nobody with an e-mail address" in step.last_error and step.due_at == pytest.approx(clock.now() + 600)


def test_desktop_notices_fall_back_to_the_tray_without_a_notification_service():
    shown = []
    channel = DesktopChannel(fallback=lambda title, text: shown.append(title) or True)
    if channel.via == "desktop":
        pytest.skip("this machine has a desktop notification service")
    from carvrooom_desktop.alerts.channels import Message

    assert channel.send(Message("[CarVrooom critical] Do not drive", "body", "k"), []) == ["tray"]
    assert shown == ["[CarVrooom critical] Do not drive"] and channel.unavailable_reason
    assert DesktopChannel().send(Message("s", "b", "k"), []) == ["alert centre"]


@pytest.mark.parametrize("crash", ["before_send", "after_send"])
def test_a_kill_in_the_middle_loses_nothing_and_sends_each_step_once(repo, clock, db_url, crash):
    centre = _centre(repo, clock, None)
    [alert] = centre.handle(*do_not_drive())
    t0 = clock.now()
    with smtp_server() as (port, inbox):
        due_all = t0 + 20 * 60  # every one of the 5 notices is due
        child = subprocess.run([sys.executable, "-c", "from tests.alerts.alerts_helpers import crash_worker; "
                                f"crash_worker({db_url!r}, {port}, {due_all}, 2, {crash!r})"], cwd=ROOT, timeout=120)
        assert child.returncode != 0, "the worker was meant to be killed"
        assert inbox.wait_for(2 if crash == "before_send" else 3)
        states = [s.state for s in repo.steps(alert.id)]
        assert states == ["sent", "sent", "sending", "pending", "pending"]
        # the restarted app: its own scheduler, after the dead claim's lease
        clock.set(due_all + LEASE_S + 1)
        from carvrooom_desktop.alerts.scheduler import EscalationScheduler

        scheduler = EscalationScheduler(repo, {"email": EmailChannel(SmtpSettings(host="127.0.0.1", port=port, security="none"))},
                                        SettingsDirectory(MAIL_PEOPLE), clock)
        assert scheduler.run_due() == 3
        assert inbox.wait_for(5 if crash == "before_send" else 6)
        assert scheduler.run_due() == 0
    assert [s.state for s in repo.steps(alert.id)] == ["sent"] * 5
    ids = inbox.message_ids
    assert len(set(ids)) == 5  # every step reached the server, each with its own Message-ID
    if crash == "before_send":
        assert len(ids) == 5  # claimed but not sent: sent once, after the restart
    else:  # sent, killed before it was marked: the same message again (same Message-ID), which the mail system can drop
        assert len(ids) == 6 and len(ids) - len(set(ids)) == 1


def test_desktop_notices_go_through_desktop_notifier_when_there_is_a_service(monkeypatch):
    import sys
    import types

    from carvrooom_desktop.alerts.channels import Message

    sent = []

    class FakeNotifier:  # desktop-notifier's sync API, as far as the channel uses it
        def __init__(self, app_name):
            self.app_name = app_name

        def get_capabilities(self):
            return frozenset({"title", "message"})

        def send(self, title, message):
            sent.append((title, message))

    monkeypatch.setitem(sys.modules, "desktop_notifier", types.SimpleNamespace(DesktopNotifierSync=FakeNotifier))
    channel = DesktopChannel(fallback=lambda title, text: pytest.fail("no fallback with a service"))
    assert channel.via == "desktop"
    assert channel.send(Message("[CarVrooom critical] Do not drive", "Do not drive\n\nBrakes: fluid leak\n\nmore", "k"), []) == ["desktop"]
    assert sent == [("[CarVrooom critical] Do not drive", "Brakes: fluid leak")]
