"""The Alerts page (offscreen): the centre fills in batches, acknowledge/resolve, rules and mail tabs, a screenshot."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest

from carvrooom_desktop.events import EventBus
from tests.alerts.alerts_helpers import critical_health, do_not_drive, smtp_server

pytestmark = pytest.mark.gui
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def page(qtbot, qapp, store):
    from ui.alert_desk import AlertDesk
    from ui.theme import ThemeManager
    from ui.workspaces.alerts import AlertsWorkspace

    themes = ThemeManager(qapp)
    themes.apply("light")
    bus = EventBus()
    desk = AlertDesk(store, bus, who=lambda: "sue", role=lambda: "service manager")
    page = AlertsWorkspace(themes.current, desk)
    qtbot.addWidget(page)
    page.resize(1180, 720)
    page.show()
    qtbot.waitExposed(page)
    page.bus = bus
    yield page
    desk.close()


def test_alerts_arrive_in_batches_and_are_acknowledged_and_resolved(qtbot, page, repo):
    bus = page.bus
    bus.publish(*do_not_drive())
    bus.publish(*critical_health("WAUZZZ8V5KA000002"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)
    assert "2 open · 2 critical · 2 not acknowledged" in page.counts.text()
    page.select_row(0)
    assert page.ack_button.isEnabled()
    first = page.current()
    page.note.setText("Tom is on it")
    page.ack_button.click()
    qtbot.waitUntil(lambda: page.model.row_at(0)["state"] == "acknowledged", timeout=10_000)
    stored = repo.get(__import__("uuid").UUID(first["id"]))
    assert stored.acknowledged_by == "sue" and stored.note == "Tom is on it"
    page.select_row(0)
    page.resolve_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)  # the open list drops it
    page.filter.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)


def test_a_burst_of_a_thousand_is_one_insert_per_batch(qtbot, page):
    inserts = []
    page.model.rowsInserted.connect(lambda _p, first, last: inserts.append(last - first + 1))
    for i in range(1000):
        page.bus.publish(*critical_health(f"car-{i:04d}"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1000, timeout=30_000)
    assert sum(inserts) == 1000 and len(inserts) < 50  # batches, not a thousand single-row inserts


def test_rules_editor_checks_before_saving(qtbot, page, carvrooom_home):
    failures, saves = [], []
    page.desk.failed.connect(failures.append)
    page.desk.saved.connect(lambda what, text: saves.append(what))
    page.tabs.setCurrentIndex(1)
    page.rules_edit.setPlainText('{"format": "carvrooom-alert-rules/1", "rules": [{"id": "x", "kind": "nope"}]}')
    page.rules_edit.parent().findChildren(type(page.ack_button))[-1].click()  # "Check and save"
    assert failures and "kind 'nope' unknown" in failures[-1]
    assert not (carvrooom_home / "config" / "alert_rules.json").exists()
    text = page.desk.rules_text().replace('"min_score": 0.7', '"min_score": 0.8')
    page.rules_edit.setPlainText(text)
    page.rules_edit.parent().findChildren(type(page.ack_button))[-1].click()
    assert saves == ["rules"] and (carvrooom_home / "config" / "alert_rules.json").exists()
    assert page.desk.service.centre.rules.get("warranty-flag").params["min_score"] == 0.8


def test_mail_settings_and_send_test_mail(qtbot, page, memory_keyring):
    page.tabs.setCurrentIndex(2)
    with smtp_server() as (port, inbox):
        page.host.setText("127.0.0.1")
        page.port.setValue(port)
        page.security.setCurrentText("none")
        page.sender_edit.setText("alerts@shop.example")
        page.recipients.setPlainText("service manager: Sue <sue@shop.example>")
        page._save_smtp()
        page.test_button.click()
        qtbot.waitUntil(lambda: page.test_button.isEnabled(), timeout=15_000)
        assert page.test_result.text() == "test mail sent to sue@shop.example"
        assert inbox.wait_for(1)
    page.test_button.click()  # the server is gone: a clear message, not a crash
    qtbot.waitUntil(lambda: page.test_button.isEnabled(), timeout=15_000)
    assert "refused the connection" in page.test_result.text()


def test_screenshot(qtbot, page):
    bus = page.bus
    bus.publish(*do_not_drive("WVWZZZ1JZXW000001", "Brake fluid leak at the left front caliper"))
    bus.publish(*critical_health("WAUZZZ8V5KA000002"))
    bus.publish(*critical_health("1HGCM82633A004352", check="cranking_voltage"))
    page.desk.service.centre.warranty_flagged("C-2026-0193", 0.91, vin="VF1RFB00X56123456", flags=["odometer", "duplicate"])
    page.desk.service.centre.handle("booking.changed", {"at_risk": [{"job_id": "j-7", "label": "Timing belt (Peugeot 308)", "vin": "VF3LBHNYWFS000117",
                                    "planned_end": "Fri 17:30", "promised_at": "Fri 17:00", "late_minutes": 30}]})
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=10_000)
    page.select_row(4)
    page.desk.acknowledge(page.current()["id"], "on the phone with the customer")
    qtbot.waitUntil(lambda: any(a["state"] == "acknowledged" for a in page.model.rows()), timeout=10_000)
    page.select_row(0)
    qtbot.wait(200)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(SCREENSHOTS / "alerts.png"))


def test_changing_rules_needs_the_settings_permission_and_actions_are_audited(qtbot, store):
    from carvrooom_desktop.people import People
    from ui.alert_desk import AlertDesk

    bus = EventBus()
    desk = AlertDesk(store, bus, who=lambda: "tom", role=lambda: "technician")
    failures = []
    desk.failed.connect(failures.append)
    try:
        desk.save_policies(desk.policies_text())
        assert failures and "may not change settings" in failures[-1]
        bus.publish(*critical_health())
        qtbot.waitUntil(lambda: desk.service.repo.count_open() == 1, timeout=10_000)
        [alert] = desk.service.repo.list()
        changed = []
        desk.alert_changed.connect(changed.append)
        desk.acknowledge(str(alert.id), "seen")
        qtbot.waitUntil(lambda: bool(changed), timeout=10_000)
    finally:
        desk.close()
    trail = People.of(store).audit.entries()
    assert any(e.action == "acknowledge alert" and e.actor == "tom" and str(alert.id) in e.record for e in trail)
    assert any(e.outcome == "refused" and e.record == "alerts:policies" for e in trail)
