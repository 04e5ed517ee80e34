"""The Diagnostics page's module list (UDS): every module of the simulated car with its codes, status
bits and snapshot; clear one module, refused for a role that may not. Screenshot:
docs/screenshots/diagnostics-modules.png."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.slow


def _connect_sim(gui, qtbot):
    page = gui.window.show_workspace("connect")
    page.source.set_kind("sim")
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gui.window.current_workspace() == "diagnostics", timeout=30_000)
    return gui.window.page("diagnostics")


def _cells(model) -> list[list[str]]:
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_module_list_codes_snapshot_and_clear_per_module(gui, qtbot, save_screenshot, monkeypatch):
    diag = _connect_sim(gui, qtbot)
    panel = diag.modules
    diag.tabs.setCurrentWidget(panel)
    assert panel.faults_button.isVisible()  # the simulated car: its module faults are offered
    panel._fill_faults_menu()
    wanted = ("abs_wheel_speed_open", "airbag_squib_resistance_high", "lost_communication_abs", "busy:HVAC")
    for action in panel.faults_menu.actions():
        if action.data() in wanted:
            action.trigger()  # checks it; the menu passes it on
    assert sorted(panel.module_faults) == sorted(wanted) and "busy:HVAC" in panel.status.text()
    with qtbot.waitSignal(panel.runner.busy_changed, timeout=30_000, check_params_cb=lambda busy: not busy):
        qtbot.mouseClick(panel.scan_button, Qt.MouseButton.LeftButton)
    rows = _cells(panel.module_model)
    assert [r[0] for r in rows] == ["ECM", "TCM", "ABS", "SRS", "BCM", "IPC", "HVAC", "GWM"]
    by = {r[0]: r for r in rows}
    assert by["ABS"][3] == "1" and by["SRS"][3] == "1" and by["HVAC"][4] == "busy (0x78 without end)"
    assert panel.modules_title.text().startswith("Modules (8)")
    assert "not fully read: HVAC" in panel.status.text()
    # The first module with codes is selected: its codes, then the selected code's snapshot.
    first = panel.selected_module()
    assert first.short == "ECM" or first.dtcs
    panel.module_view.selectRow(2)
    codes = _cells(panel.code_model)
    assert codes[0][:3] == ["C0035-13", "Left Front Wheel Speed Sensor Circuit", "Circuit open"]
    assert codes[0][3] == "active · lamp on"
    detail = _cells(panel.detail_model)
    assert ["Status bit", "warning lamp on", ""] in detail and ["Status bit", "confirmed", ""] in detail
    assert ["Snapshot: Vehicle speed", "46", "km/h"] in detail and ["Occurrence counter", "3", ""] in detail
    gui.window.resize(1440, 900)
    save_screenshot(gui.window, "diagnostics-modules.png")

    # A warranty clerk may not clear; a technician clears the ABS module only (after confirming).
    monkeypatch.setattr(panel, "confirm_clear", lambda modules: True)
    panel._role = lambda: "warranty clerk"
    qtbot.mouseClick(panel.clear_one_button, Qt.MouseButton.LeftButton)
    assert "may not clear" in panel.status.text()
    panel._role = lambda: "technician"
    with qtbot.waitSignal(panel.runner.busy_changed, timeout=30_000, check_params_cb=lambda busy: not busy):
        qtbot.mouseClick(panel.clear_one_button, Qt.MouseButton.LeftButton)
    by = {r[0]: r for r in _cells(panel.module_model)}
    assert by["ABS"][3] == "0" and by["SRS"][3] == "1"
    assert panel.selected_module().short == "ABS" and "Still reported" in panel.status.text()

    # The module list is kept with the car in the store.
    from carvrooom_desktop.storage.vehicle_modules import modules_of_vehicle

    stored = {m.short: m for m in modules_of_vehicle(gui.workbench.store.engine, vin=panel.scan.vin)}
    assert stored["ABS"].code_count == 0 and stored["SRS"].code_count == 1
    gui.controller.disconnect_session()
    qtbot.waitUntil(lambda: not panel.runner.busy, timeout=10_000)
    assert panel.scanner._link is None
