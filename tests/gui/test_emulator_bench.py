"""The bench in the real GUI against the ELM327-emulator (``car`` scenario on a pseudo-terminal):
connect through an ELM327 port, see the scan with its "not read" items (the emulator's odometer
reply is malformed), record from the Live page, check health on the live car and ask the
offline expert. docs/screenshots/diagnostics_emulator.png comes from this test."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.integration.elm_emulator import start_emulator

pytestmark = pytest.mark.slow


def test_whole_bench_on_the_emulator(gui, qtbot, tmp_path, save_screenshot):
    from ui.session_controller import ConnectRequest

    window = gui.window
    with start_emulator("car", "pty", tmp_path) as port:
        gui.controller.connect_to(ConnectRequest(kind="elm", channel=port))
        qtbot.waitUntil(lambda: window.current_workspace() == "diagnostics", timeout=60_000)
        diag = window.page("diagnostics")
        assert len(diag.vin_label.text()) == 17
        not_read = [diag.not_read_model.index(r, 0).data() for r in range(diag.not_read_model.rowCount())]
        assert "odometer (PID A6)" in not_read
        assert diag.not_read_title.text().startswith("Not read (")
        assert diag.readiness_model.rowCount() > 0 and diag.test_model.rowCount() > 0
        save_screenshot(window, "diagnostics_emulator.png")

        live = window.show_workspace("live")
        qtbot.waitUntil(lambda: "engine_speed" in live.plots.signal_names(), timeout=30_000)
        qtbot.mouseClick(live.record_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: gui.controller.session.recording_id is not None, timeout=10_000)
        qtbot.wait(3000)
        with qtbot.waitSignal(gui.controller.recording_stopped, timeout=20_000) as stopped:
            qtbot.mouseClick(live.stop_button, Qt.MouseButton.LeftButton)
        recording = stopped.args[0]
        assert recording is not None and recording.sample_count > 20 and recording.adapter.startswith("ELM327")

        health = window.show_workspace("health")
        with qtbot.waitSignal(gui.workbench.health.finished, timeout=60_000) as done:
            health.source_combo.setCurrentIndex(health.source_combo.findData("live"))
            qtbot.mouseClick(health.run_button, Qt.MouseButton.LeftButton)
        assert done.args[0].findings and health.model.rowCount() > 0

        ai = window.show_workspace("ai")
        ai.offline_only.setChecked(True)
        ai.source.setCurrentIndex(0)  # the live car
        qtbot.mouseClick(ai.run_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: ai.run_button.isEnabled() and ai.banner.text().startswith("OFFLINE"), timeout=30_000)
        assert ai.urgency_chip.text()

        connect = window.show_workspace("connect")
        qtbot.mouseClick(connect.connect_button, Qt.MouseButton.LeftButton)  # Disconnect
        qtbot.waitUntil(lambda: gui.controller.session is None, timeout=10_000)
