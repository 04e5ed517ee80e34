"""Before/after against the simulated car: a recording with a vacuum leak, one after the "repair", compared."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def record(gui, qtbot, faults, seconds=2.5):
    from ui.session_controller import ConnectRequest

    controller = gui.controller
    with qtbot.waitSignal(controller.connected, timeout=60_000):
        controller.connect_to(ConnectRequest(kind="sim", faults=faults, seed=11))
    controller.start_recording(notes="before repair" if faults else "after repair")
    qtbot.waitUntil(lambda: controller.session.recording_id is not None, timeout=10_000)
    with qtbot.waitSignal(controller.scan_ready, timeout=30_000):
        controller.rescan()  # a scan during the recording: its trouble codes belong to it
    qtbot.wait(int(seconds * 1000))
    with qtbot.waitSignal(controller.recording_stopped, timeout=20_000) as stopped:
        controller.stop_recording()
    controller.disconnect_session()
    qtbot.waitUntil(lambda: controller.session is None, timeout=10_000)
    return stopped.args[0]


def test_before_after_shows_the_fixed_code_and_the_trims_back_to_normal(gui, qtbot, save_screenshot):
    before = record(gui, qtbot, ("vacuum_leak",))
    after = record(gui, qtbot, ())
    assert before.vin == after.vin

    page = gui.window.show_workspace("compare")
    qtbot.waitUntil(lambda: page.before_combo.count() == 2, timeout=10_000)
    assert page.chosen() == (before.id, after.id)
    page.compare_button.click()
    qtbot.waitUntil(lambda: page.comparison is not None, timeout=60_000)
    result = page.comparison
    assert "P0171" in result.dtcs.fixed
    assert "Fixed:" in page.dtc_label.text() and "P0171" in page.dtc_label.text()
    rows = {r.name: r for r in page.stats_model.rows()}
    assert "engine_speed" in rows and rows["engine_speed"].before is not None and rows["engine_speed"].after is not None
    assert "ENGINE_1.engine_speed" in rows  # broadcast signals decoded from the recorded frames
    speed = rows["engine_speed"]
    assert speed.delta("mean") == pytest.approx(speed.after.mean - speed.before.mean)
    assert page.checked_signals()[0] == "engine_speed"
    assert page.plots is not None and page.plots.ci.layout.count() == len(page.checked_signals())
    change = page.stats_model.index(list(rows).index("engine_speed"), 4).data()
    assert change != "–"
    qtbot.wait(300)
    save_screenshot(gui.window, "comparison.png")

    # the same recording twice is refused with a reason, and the page stays usable
    gui.workbench.io.compare(after.id, after.id)
    qtbot.waitUntil(lambda: page.message.text().startswith("Not compared"), timeout=10_000)
    assert "two different recordings" in page.message.text()
    assert not page.compare_button.isEnabled()  # the pickers show the same recording twice
    page.choose(before.id, after.id)
    assert page.compare_button.isEnabled()


def test_recordings_page_compares_two_selected_rows(gui, qtbot):
    first = record(gui, qtbot, ("vacuum_leak",), seconds=1.0)
    second = record(gui, qtbot, (), seconds=1.0)
    page = gui.window.show_workspace("recordings")
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)
    assert not page.compare_button.isEnabled()
    page.table.selectAll()
    assert page.compare_button.isEnabled()
    page.compare_button.click()
    compare = gui.window.page("compare")
    qtbot.waitUntil(lambda: compare.comparison is not None, timeout=60_000)
    assert compare.comparison.before.id == first.id and compare.comparison.after.id == second.id


def test_recordings_viewer_loads_ticked_signals_and_decodes_broadcast_ones_from_frames(gui, qtbot):
    from PySide6.QtCore import Qt

    record(gui, qtbot, (), seconds=1.5)
    page = gui.window.show_workspace("recordings")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    page.select_row(0)
    page.open_button.click()
    qtbot.waitUntil(lambda: page.viewer is not None and page.viewer.point_count("engine_speed") > 3, timeout=10_000)
    listed = lambda: [page.signal_list.item(r).text() for r in range(page.signal_list.count())]  # noqa: E731
    assert "ltft_b1" in listed() and "ltft_b1" not in page.viewer.signal_names()  # listed, not loaded
    qtbot.waitUntil(lambda: "ENGINE_1.throttle_position" in listed(), timeout=10_000)  # offered from the frames
    item = page.signal_list.item(listed().index("ENGINE_1.throttle_position"))
    item.setCheckState(Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: page.viewer.point_count("ENGINE_1.throttle_position") > 50, timeout=10_000)  # 100 Hz, decoded
