"""The Health workspace in the real application, on a real SQLite store.

A simulated 12-minute drive with a vacuum leak is stored as a recording through the store's
own API (the way the recorder writes it), then the Health page checks it on its worker:
findings with severity colours, the evidence plot with its threshold line and proving range,
scores, the brake-pad RUL cards, ``health.changed`` on the bus, and the pad-wear model kept
with the vehicle in ``health_models`` (a second run finds the first run's history). The
screenshot docs/screenshots/health.png comes from this test.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt

from carvrooom_desktop import events as ev
from carvrooom_desktop.domain import Severity
from carvrooom_desktop.health import sources
from carvrooom_desktop.storage.health_models import HealthModelRepository

pytestmark = pytest.mark.slow

VIN = "1HGCM82633A004352"


def store_simulated_drive(store, faults, minutes, seed=0):
    return sources.store_simulated_drive(store, faults, minutes, seed, vin=VIN)


def run_page(gui, qtbot, source: str, recording_id=None):
    """Choose the source on the Health page, press Run and wait for the worker's result."""
    page = gui.window.page("health")
    with qtbot.waitSignal(gui.workbench.health.finished, timeout=60_000) as done:
        page.source_combo.setCurrentIndex(page.source_combo.findData(source))
        if source == "recording":
            page.recording_combo.setCurrentIndex(page.recording_combo.findData(str(recording_id)))
        qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    return done.args[0]


def test_health_on_a_recording_with_a_vacuum_leak(gui, qtbot, save_screenshot):
    rid, vehicle_id = store_simulated_drive(gui.store, ("vacuum_leak",), minutes=12.0)
    events = []
    gui.bus.subscribe(ev.HEALTH_CHANGED, lambda _topic, payload: events.append(payload))

    page = gui.window.show_workspace("health")
    qtbot.waitUntil(lambda: page.recording_combo.findData(str(rid)) >= 0, timeout=10_000)

    result = run_page(gui, qtbot, "recording", rid)

    # The fault is found in the right system, and the table shows it first, coloured.
    fuel = [f for f in result.findings if f.system == "fuel and air" and f.enough_data]
    assert max(f.severity for f in fuel) >= Severity.WARNING
    model = page.model
    assert model.rowCount() == len(result.findings)
    top = model.finding_at(0)
    assert top.system == "fuel and air" and top.severity >= Severity.WARNING
    assert model.index(0, 0).data() in ("warning", "critical")
    bad = model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole)
    ok_rows = [r for r in range(model.rowCount()) if model.index(r, 0).data() == "ok"]
    assert ok_rows and model.index(ok_rows[0], 0).data(Qt.ItemDataRole.BackgroundRole) != bad

    # Evidence of the selected (worst) finding: its signal, its limit line and the proving range.
    assert page.evidence.finding == top
    assert page.evidence.curve.getData()[0] is not None and len(page.evidence.curve.getData()[0]) > 10
    assert page.evidence.threshold_visible() and page.evidence.region_visible()
    assert "fuel trim" in page.evidence.caption.text()

    # Scores per system and for the vehicle, in words.
    assert page.scores.chips["fuel and air"].text() != "--"
    assert float(page.scores.chips["fuel and air"].text().split("/")[0]) < 60
    assert "fuel and air" in page.scores.explanations["vehicle"].text()

    # Wear-item RUL cards: an estimate with its interval for the front pads, kept with the vehicle.
    assert [w.card.title for w in page.rul_cards] == ["Front brake pads", "Rear brake pads"]
    front = page.rul_cards[0].card
    assert front.estimate is not None and front.estimate.lower <= front.estimate.value <= front.estimate.upper
    assert "interval" in page.rul_cards[0].value_label.text()
    stored = HealthModelRepository(gui.store.engine).get(vehicle_id, "brake_pads_front")
    assert stored is not None and stored.kind == "degradation_trend" and len(stored.parameters["history"]["km"]) == len(front.x)

    # health.changed carried the verdicts as plain data.
    assert events and events[-1]["worst"] in ("warning", "critical")
    assert any(f["system"] == "fuel and air" for f in events[-1]["findings"])

    # Picking another finding moves the evidence plot to it.
    row = next(r for r in range(model.rowCount()) if model.finding_at(r).signal == "coolant_temp" and model.finding_at(r).enough_data)
    page.table.selectRow(row)
    assert page.evidence.finding == model.finding_at(row)

    page.table.selectRow(0)
    save_screenshot(gui.window, "health.png")

    # Second run on the same car: the pad history stored with the vehicle is loaded and extended.
    rid2, _ = store_simulated_drive(gui.store, (), minutes=4.0, seed=1)
    page.refresh_requested.emit()
    qtbot.waitUntil(lambda: page.recording_combo.findData(str(rid2)) >= 0, timeout=10_000)
    again = run_page(gui, qtbot, "recording", rid2)
    assert again.rul[0].from_store == len(front.x)
    assert not again.alarms or all(f.system != "fuel and air" for f in again.alarms)


def test_live_source_needs_a_connection_and_runs_on_the_session(gui, qtbot):
    page = gui.window.show_workspace("health")
    page.source_combo.setCurrentIndex(page.source_combo.findData("live"))
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    assert "Not connected" in page.status.text()
    assert page.run_button.isEnabled()

    connect = gui.window.page("connect")
    connect.check_fault("vacuum_leak")
    qtbot.mouseClick(connect.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gui.window.current_workspace() == "diagnostics", timeout=60_000)
    qtbot.wait(1500)  # a second or two of live samples
    page = gui.window.show_workspace("health")
    result = run_page(gui, qtbot, "live")
    assert result.source == "live session"
    assert result.vehicle_id == gui.controller.session.vehicle_id
    assert len(result.findings) == page.model.rowCount() > 0
    # A few seconds of data: the checks that need minutes say so instead of guessing.
    assert any(not f.enough_data and f.summary.startswith("Not enough data") for f in result.findings)
    # The connect scan read mode 06: the ECU's own misfire counts are judged too.
    mode06 = [f for f in result.findings if f.check.startswith("misfire counts (mode 06)")]
    assert mode06 and mode06[0].enough_data and mode06[0].system == "ignition"


def test_cancel_stops_a_run_between_checks(qtbot, theme_manager):
    """A slow source: Cancel pressed while the signals are read stops the run before the first check."""
    import threading
    from types import SimpleNamespace

    import numpy as np

    from carvrooom_desktop.events import EventBus
    from ui.workspaces.health import HealthController, HealthWorkspace

    proceed = threading.Event()

    class SlowSession:
        vehicle_id = None

        def signal_definitions(self):
            return [SimpleNamespace(name="engine_speed", unit="rpm")]

        def window(self, name, seconds=None):
            proceed.wait(10)
            return np.arange(10.0), np.full(10, 800.0)

    page = HealthWorkspace(theme_manager.current)
    qtbot.addWidget(page)
    bus = EventBus()
    published = []
    bus.subscribe(ev.HEALTH_CHANGED, lambda *a: published.append(a))
    controller = HealthController(page, bench=SimpleNamespace(session=SlowSession()), store=None, bus=bus)
    page.show()
    page.source_combo.setCurrentIndex(page.source_combo.findData("live"))
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    assert page.cancel_button.isEnabled() and not page.run_button.isEnabled()
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    proceed.set()
    qtbot.waitUntil(lambda: page.status.text() == "Cancelled.", timeout=10_000)
    assert page.run_button.isEnabled() and not controller.running
    assert published == [] and page.model.rowCount() == 0
    controller.wait()
