"""The Connect and Diagnostics pages against the simulated car behind a simulated ELM327
on a pseudo-terminal: self-test, VIN, codes, mode 06, clearing codes (and being refused),
the ignition key, finding an ELM327 on a serial port and a CAN channel.

Screenshots of both pages go to docs/screenshots/connect.png and diagnostics.png.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.slow

O2_MONITOR = "O2 sensor bank 1 sensor 1"


def _connect_sim_elm(gui, qtbot, fault: str = "lazy_o2_upstream"):
    page = gui.window.show_workspace("connect")
    page.source.set_kind("sim-elm")
    page.check_fault(fault)
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gui.window.current_workspace() == "diagnostics", timeout=30_000)
    return page, gui.window.page("diagnostics")


def _codes(diag) -> list[tuple[str, str]]:
    model = diag.dtc_model
    return [(model.index(r, 0).data(), model.index(r, 1).data()) for r in range(model.rowCount())]


def _tests(diag) -> list[list[str]]:
    model = diag.test_model
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_sim_elm_scan_shows_vehicle_codes_self_test_and_mode06(gui, qtbot, save_screenshot):
    from ui.theme import tone_colour

    page, diag = _connect_sim_elm(gui, qtbot)
    assert len(diag.vin_label.text()) == 17
    assert diag.vehicle_label.text().startswith(str(diag.report.vin_info.model_year))
    assert diag.report.vin_info.manufacturer in diag.vehicle_label.text()
    assert not diag.vehicle.vin_problem_shown
    assert f"built in {diag.report.vin_info.country}" in diag.vin_detail.text()
    assert ("P0133", "stored") in _codes(diag)
    assert diag.mil_label.text() == "MIL ON"
    assert diag.calibration_label.text() == ", ".join(diag.report.calibration_ids)
    assert diag.vehicle.cvn_label.text() == "CVN " + ", ".join(diag.report.cvns)
    assert diag.freeze_model.rowCount() > 5

    rows = _tests(diag)
    failed = [r for r in rows if r[-1].endswith("FAIL")]
    assert [r[0] for r in failed] == [O2_MONITOR]
    assert all(r[-1].endswith("pass") for r in rows if r not in failed)
    fail_row = rows.index(failed[0])
    colour = diag.test_model.index(fail_row, 6).data(Qt.ItemDataRole.ForegroundRole)
    assert colour.name() == tone_colour("bad")
    assert "FAILED" in diag.test_title.text()

    lines = page.self_test_lines()
    assert lines[0].startswith("ELM327")
    assert any("clone" in line for line in lines) and any(line.startswith("protocol") for line in lines)
    assert any(line.startswith("battery") for line in lines)
    assert page.car.ignition_button.isEnabled()
    assert gui.window.status.connection_label.text().startswith("Car connected")
    assert gui.window.status.connection_tone == "good"
    save_screenshot(gui.window, "diagnostics.png")
    gui.window.show_workspace("connect")
    save_screenshot(gui.window, "connect.png")


def test_clear_codes_after_confirmation_leaves_only_the_permanent_code(gui, qtbot, monkeypatch):
    _page, diag = _connect_sim_elm(gui, qtbot)
    asked = []
    monkeypatch.setattr(diag, "confirm_clear", lambda report: asked.append(report) or True)
    with qtbot.waitSignal(gui.controller.codes_cleared, timeout=20_000):
        qtbot.mouseClick(diag.clear_button, Qt.MouseButton.LeftButton)
    assert asked and [d.code for d in asked[0].dtcs].count("P0133") == 3
    assert _codes(diag) == [("P0133", "permanent")]
    assert diag.freeze_model.rowCount() == 0
    assert diag.banner.isVisible() and "P0133 (permanent)" in diag.banner.text()
    assert diag.clear_button.isEnabled() and diag.clear_button.text() == "Clear codes…"


def test_clear_codes_dialog_lists_codes_and_warns():
    from gui_fakes import fake_report

    from ui.widgets.clear_codes_dialog import clear_codes_question

    text, details = clear_codes_question(fake_report())
    assert "Clear" in text
    assert "P0171" in details and "P0300" in details
    assert "freeze frames" in details and "readiness monitor" in details


def test_cancelled_confirmation_clears_nothing(gui, qtbot, monkeypatch):
    _page, diag = _connect_sim_elm(gui, qtbot)
    monkeypatch.setattr(diag, "confirm_clear", lambda report: False)
    with qtbot.assertNotEmitted(gui.controller.clear_started):
        qtbot.mouseClick(diag.clear_button, Qt.MouseButton.LeftButton)
    assert len(_codes(diag)) == 3


def test_a_warranty_clerk_may_not_clear_codes(gui, qtbot, monkeypatch):
    _page, diag = _connect_sim_elm(gui, qtbot)
    gui.settings.role = "warranty clerk"
    monkeypatch.setattr(diag, "confirm_clear", lambda report: True)
    with qtbot.waitSignal(gui.controller.clear_failed, timeout=20_000):
        qtbot.mouseClick(diag.clear_button, Qt.MouseButton.LeftButton)
    assert "warranty clerk may not clear trouble codes" in diag.banner.text()
    assert diag.banner.property("tone") == "bad" and diag.banner.isVisible()
    assert len(_codes(diag)) == 3  # nothing was cleared
    assert diag.clear_button.isEnabled()


def test_ignition_off_and_on_through_the_connect_page(gui, qtbot):
    page, _diag = _connect_sim_elm(gui, qtbot, fault="vacuum_leak")
    status = gui.window.status
    gui.window.show_workspace("connect")
    qtbot.mouseClick(page.car.ignition_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status.connection_label.text().startswith("Ignition off"), timeout=20_000)
    assert status.connection_tone == "warn"
    assert not page.car.ignition_on and page.car.ignition_button.text() == "Turn ignition on"
    assert page.car.ignition_state.text() == "Ignition OFF"
    qtbot.mouseClick(page.car.ignition_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status.connection_label.text().startswith("Car connected"), timeout=20_000)
    assert status.connection_tone == "good"


def test_find_adapters_lists_the_elm327_that_answers_and_connects_to_it(gui, qtbot, monkeypatch):
    from drivers.elm327 import ports
    from drivers.simulator.elm_face import SimulatedElm327

    with SimulatedElm327.on_pty(seed=3) as elm:
        monkeypatch.setattr(ports, "list_serial_ports", lambda: [
            ports.SerialPortInfo("/dev/ttyS-nothing-here", "not a port", False),
            ports.SerialPortInfo(elm.port, "simulated ELM327", True),
        ])
        page = gui.window.show_workspace("connect")
        page.source.set_kind("elm")
        with qtbot.waitSignal(gui.workbench.finder.found, timeout=30_000):
            qtbot.mouseClick(page.source.find_button, Qt.MouseButton.LeftButton)
        combo = page.source.port_combo
        assert combo.count() == 2
        assert combo.currentText().startswith(f"{elm.port} — ELM327")
        assert page.source.channel() == elm.port
        assert "1 adapter(s) answered" in page.source.find_status.text()
        qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: gui.window.current_workspace() == "diagnostics", timeout=30_000)
        assert gui.controller.request.channel == elm.port
        assert len(gui.window.page("diagnostics").vin_label.text()) == 17
        assert not page.car.ignition_button.isEnabled()
        gui.controller.shutdown()  # close the session before the simulated adapter goes
        assert gui.controller.session is None


def test_find_can_interfaces_and_connect_over_can(gui, qtbot, monkeypatch):
    import drivers.can
    from drivers.simulator.can_face import SimulatedCar

    real_discover = drivers.can.discover
    monkeypatch.setattr(drivers.can, "discover", lambda: real_discover(["virtual"], 1.0))  # no vendor probes in tests
    with SimulatedCar(channel="carvrooom-gui-bench", seed=5):
        page = gui.window.show_workspace("connect")
        page.source.set_kind("can")
        with qtbot.waitSignal(gui.workbench.finder.can_found, timeout=30_000):
            qtbot.mouseClick(page.source.find_can_button, Qt.MouseButton.LeftButton)
        combo = page.source.can_channel
        index = next(i for i in range(combo.count()) if combo.itemData(i) == "virtual:carvrooom-gui-bench")
        combo.setCurrentIndex(index)
        assert page.source.channel() == "virtual:carvrooom-gui-bench"
        assert "No CAN adapter found" in page.source.can_status.text()
        qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: gui.window.current_workspace() == "diagnostics", timeout=30_000)
        assert gui.controller.request.kind == "can" and gui.controller.request.bitrate == 500000
        assert len(gui.window.page("diagnostics").vin_label.text()) == 17
        gui.controller.shutdown()


def test_a_can_channel_without_a_car_says_so(gui, qtbot):
    page = gui.window.show_workspace("connect")
    page.source.set_kind("can")
    page.source.can_channel.setEditText("virtual:nobody-here")
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Could not connect" in page.message.text(), timeout=30_000)
    assert "no ECU answered" in page.message.text()
    assert page.connect_button.isEnabled() and page.connect_button.text() == "Connect"
