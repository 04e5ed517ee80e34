"""The whole GUI on a temporary SQLite store against the simulated car.

Connect with a vacuum leak through the Connect page, read the VIN and P0171, watch the
live plots fill, record ~2 s, find the recording in the list and open it. Screenshots
of the live and recordings pages go to docs/screenshots/ (the README shows them; the
Connect and Diagnostics pictures come from test_connect_and_diagnostics.py).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.slow


def test_connect_diagnose_record_and_replay(gui, qtbot, isolated_home, save_screenshot):
    window = gui.window
    assert gui.store is not None
    assert window.status.store_label.text().startswith("SQLite: ")
    assert str(isolated_home) in window.status.store_label.toolTip()

    connect = window.page("connect")
    assert connect.source_buttons["sim"].isChecked()
    assert connect.car.ignition_button.isEnabled() is False
    connect.check_fault("vacuum_leak")
    qtbot.mouseClick(connect.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_workspace() == "diagnostics", timeout=60_000)

    diag = window.page("diagnostics")
    vin = diag.vin_label.text()
    assert len(vin) == 17, vin
    codes = [diag.dtc_model.index(r, 0).data() for r in range(diag.dtc_model.rowCount())]
    assert "P0171" in codes
    assert diag.readiness_model.rowCount() > 0
    assert window.status.connection_label.text().startswith("Car connected")
    qtbot.waitUntil(lambda: diag.freeze_model.rowCount() > 0 or diag.report is not None, timeout=5000)

    live = window.show_workspace("live")
    live.window_combo.setCurrentIndex(0)  # 10 s: the screenshot shows a filled plot
    qtbot.waitUntil(lambda: live.plots.signal_names() and all(n > 3 for n in live.latest_points().values()), timeout=30_000)
    assert "engine_speed" in live.plots.signal_names()
    qtbot.waitUntil(lambda: window.status.bus_load_label.text() != "Bus load: –", timeout=10_000)

    qtbot.mouseClick(live.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gui.controller.session.recording_id is not None, timeout=10_000)
    live.mark_text.setText("blip throttle")
    qtbot.mouseClick(live.mark_button, Qt.MouseButton.LeftButton)
    qtbot.wait(2200)
    assert window.status.recording_label.text().startswith("● REC 00:0")
    save_screenshot(window, "live.png")
    with qtbot.waitSignal(gui.controller.recording_stopped, timeout=20_000) as stopped:
        qtbot.mouseClick(live.stop_button, Qt.MouseButton.LeftButton)
    recording = stopped.args[0]
    assert recording is not None and recording.sample_count > 0 and recording.vin == vin

    page = window.show_workspace("recordings")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    assert page.model.index(0, 1).data() == vin
    assert page.model.index(0, 5).data() == "finished"
    page.select_row(0)
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.viewer is not None and page.viewer.point_count("engine_speed") > 3, timeout=10_000)
    assert page.checked_signals()[:2] == ["engine_speed", "vehicle_speed"]
    save_screenshot(window, "recordings.png")

    connect = window.show_workspace("connect")
    qtbot.mouseClick(connect.connect_button, Qt.MouseButton.LeftButton)  # Disconnect
    qtbot.waitUntil(lambda: connect.connect_button.text() == "Connect", timeout=10_000)
    assert gui.controller.session is None


def test_unknown_fault_is_reported_and_the_page_stays_usable(gui, qtbot):
    from ui.session_controller import ConnectRequest

    connect = gui.window.page("connect")
    gui.controller.connect_to(ConnectRequest(faults=("flux_capacitor",)))
    qtbot.waitUntil(lambda: "flux_capacitor" in connect.message.text(), timeout=30_000)
    assert connect.connect_button.isEnabled() and connect.connect_button.text() == "Connect"


def test_unreachable_store_keeps_the_app_usable(qtbot, error_dialogs):
    from carvrooom_desktop.app import build_gui

    ctx = build_gui([], db_url="postgresql+psycopg://tech@127.0.0.1:1/carvrooom?connect_timeout=2")
    try:
        assert ctx.store is None and "cannot open the database" in ctx.store_problem
        assert ctx.window.status.store_label.text() == "Store: unavailable"
        page = ctx.window.show_workspace("recordings")
        assert "unavailable" in page.message.text()
        assert ctx.window.page("connect").connect_button.isEnabled()
    finally:
        ctx.window.close()
        ctx.close()
    assert error_dialogs == []


def test_theme_choice_is_saved_in_the_settings(qtbot, error_dialogs):
    from carvrooom_desktop.app import build_gui
    from carvrooom_desktop.config.settings import load_settings

    ctx = build_gui([])
    try:
        ctx.window.theme_actions["dark"].trigger()
        assert load_settings()[0].theme == "dark"
    finally:
        ctx.window.close()
        ctx.close()
    again = build_gui([])
    try:
        assert again.theme.current.name == "dark"
        assert again.window.theme_actions["dark"].isChecked()
    finally:
        again.window.close()
        again.close()
        again.theme.apply("light")


def test_autoconnect_from_the_environment(qtbot, error_dialogs, monkeypatch):
    from carvrooom_desktop.app import build_gui

    monkeypatch.setenv("CARVROOOM_AUTOCONNECT", "1")
    monkeypatch.setenv("CARVROOOM_FAULTS", "vacuum_leak")
    ctx = build_gui([])
    try:
        ctx.window.show()
        qtbot.waitUntil(lambda: ctx.window.current_workspace() == "diagnostics", timeout=60_000)
        diag = ctx.window.page("diagnostics")
        assert "P0171" in [diag.dtc_model.index(r, 0).data() for r in range(diag.dtc_model.rowCount())]
    finally:
        ctx.window.close()
        ctx.close()
    assert error_dialogs == []
