"""The Fleet page on a seeded fleet (offscreen), with live telematics from Mosquitto when it runs; screenshot in docs/."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import uuid
from pathlib import Path

import pytest

from carvrooom_desktop.fleet.queries import FleetFilter
from tests.fleet.fleet_helpers import BROKER, TODAY, broker_reachable, seeded_store, wait_until

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def light(qapp):
    from ui.theme import ThemeManager

    manager = ThemeManager(qapp)
    manager.apply("light")
    return manager.current


@pytest.fixture
def fleet_store(tmp_path):
    store = seeded_store(f"sqlite:///{tmp_path / 'fleet.sqlite3'}", vehicles=50, seed=7)
    yield store
    store.close()


def test_fleet_page_shows_the_seeded_fleet_and_live_telematics(qtbot, light, fleet_store):
    from ui.workspaces.fleet import FleetDesk, FleetWorkspace

    desk = FleetDesk(fleet_store, today=TODAY)  # the seeded year ends on TODAY
    page = FleetWorkspace(light, role=lambda: "fleet manager", desk=desk)
    qtbot.addWidget(page)
    page.resize(1500, 900)
    page.show()
    with qtbot.waitSignal(desk.view_loaded, timeout=20_000):
        page.request_refresh()
    assert page.vehicle_model.rowCount() == 50 and page.kpi_values["vehicles"].text() == "50"
    assert page.dtc_model.rowCount() > 0 and page.bay_model.rowCount() > 0 and page.cost_model.rowCount() > 0
    with qtbot.waitSignal(desk.history_loaded, timeout=10_000):
        page.vehicle_table.selectRow(1)
    assert page.history_model.rowCount() > 0
    # a filter narrows the table
    make = page.filters["make"]
    qtbot.waitUntil(lambda: make.count() > 2, timeout=10_000)
    with qtbot.waitSignal(desk.view_loaded, timeout=20_000):
        make.setCurrentIndex(1)
    assert 0 < page.vehicle_model.rowCount() < 50
    assert page.current_filter() == FleetFilter(make=make.currentData())
    with qtbot.waitSignal(desk.view_loaded, timeout=20_000):
        make.setCurrentIndex(0)
    with qtbot.waitSignal(desk.history_loaded, timeout=10_000):
        page.vehicle_table.selectRow(0)
        page.vehicle_table.selectRow(2)
    if not broker_reachable():
        _live_telematics(qtbot, page, desk, fleet_store)
    else:
        page.show_telematics(desk_snapshot_offline())
    page.tabs.setCurrentIndex(0)
    qtbot.wait(300)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(SCREENSHOTS / "fleet.png"))
    desk.wait()


def _live_telematics(qtbot, page, desk, store) -> None:
    from carvrooom_desktop.telematics.publisher import TelematicsPublisher

    workshop = f"test-{uuid.uuid4().hex[:8]}"
    page.broker_edit.setText(BROKER)
    page.listen_button.setChecked(True)
    assert desk.intake is not None
    desk.intake.stop()  # listen to this test's workshop only, with a short session
    from carvrooom_desktop.telematics.intake import TelematicsIntake

    desk.intake = TelematicsIntake(store.engine, BROKER, workshop=workshop, client_id=f"page-{workshop}", session_expiry=60)
    desk.intake.start()
    assert wait_until(lambda: desk.intake.snapshot().connected)
    cars = [TelematicsPublisher(BROKER, workshop, vin, client_id=f"car-{workshop}-{n}")
            for n, vin in enumerate(("2HGFA16509H531807", "2HGFA16529H531808"))]
    try:
        for car in cars:
            car.connect()
            for k in range(40):
                car.publish({"vehicle_speed": 50.0 + k, "odometer_km": 84_000.0 + k})
        cars[0].publish_raw(b"{broken json")
        cars[0].publish_raw(b'{"seq": 3}', vin="2HGFA16509H531808")
        qtbot.waitUntil(lambda: "stored 82" in page.telematics_label.text() and "malformed json" in page.telematics_label.text(),
                        timeout=15_000)
        assert page.reject_model.rowCount() == 2
    finally:
        for car in cars:
            car.close()
    page.tabs.setCurrentIndex([page.tabs.tabText(i) for i in range(page.tabs.count())].index("Telematics"))
    qtbot.wait(200)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(SCREENSHOTS / "fleet_telematics.png"))
    page.listen_button.setChecked(False)
    assert desk.intake is None


def desk_snapshot_offline():
    from carvrooom_desktop.telematics.stats import IntakeStats

    return IntakeStats().snapshot()


def test_fleet_page_tabs_follow_the_role(qtbot, light):
    from ui.workspaces.fleet import FleetWorkspace

    page = FleetWorkspace(light, role=lambda: "service manager")
    qtbot.addWidget(page)
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert titles[:2] == ["Due", "Workshop"] and set(titles) == {"Vehicle", "Due", "Codes", "Comebacks", "Workshop", "Telematics"}
    page.set_role("technician")
    assert page.tabs.tabText(0) == "Vehicle"
    page.show_problem("the store could not be opened")
    assert "could not" in page.message.text()
