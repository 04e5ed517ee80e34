"""The Live page against the simulated car on a virtual CAN bus: picker, drag-in, pause, cursors, gauges."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDropEvent

pytestmark = pytest.mark.slow


@pytest.fixture
def live(gui, qtbot):
    from ui.session_controller import ConnectRequest

    with qtbot.waitSignal(gui.controller.connected, timeout=60_000):
        gui.controller.connect_to(ConnectRequest(kind="sim", seed=3))
    page = gui.window.show_workspace("live")
    page.window_combo.setCurrentIndex(0)  # 10 s
    qtbot.waitUntil(lambda: page.plots.signal_names() and all(n > 3 for n in page.latest_points().values()), timeout=30_000)
    return page


def test_database_tree_search_and_drag_onto_the_plot(live, qtbot, gui, save_screenshot):
    names = live.picker.names()
    assert "engine_speed" in names  # a polled PID
    assert "ENGINE_1.throttle_position" in names  # a broadcast signal of the car's DBC
    live.picker.search.setText("throttle")
    visible = live.picker.visible_names()
    assert "ENGINE_1.throttle_position" in visible and "coolant_temp" not in visible

    # drag the message ENGINE_1 out of the tree (it stands for all its signals) and drop it on the plot
    item = next(live.picker.model.item(r) for r in range(live.picker.model.rowCount()) if live.picker.model.item(r).text() == "ENGINE_1")
    mime = live.picker.model.mimeData([item.index()])
    drop = QDropEvent(QPointF(300, 200), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    live.plots.dropEvent(drop)
    assert "ENGINE_1.throttle_position" in live.plots.signal_names()
    assert "ENGINE_1.gear" in live.plots.signal_names()
    qtbot.waitUntil(lambda: live.plots.point_count("ENGINE_1.throttle_position") > 20, timeout=10_000)
    assert live.plots.unit_of("ENGINE_1.throttle_position") == "%"
    live.picker.search.clear()

    # the dashboard shows the default gauges with the car's values
    assert live.gauges.names() == ["engine_speed", "vehicle_speed", "coolant_temp"]
    qtbot.waitUntil(lambda: live.gauges.gauges["engine_speed"].value is not None, timeout=5000)
    qtbot.waitUntil(lambda: live.gauges.gauges["engine_speed"].value > 300, timeout=15_000)  # the engine idles
    live.add_gauges(["ENGINE_1.throttle_position"])
    assert live.gauges.names()[-1] == "ENGINE_1.throttle_position"
    live.gauges.gauges["ENGINE_1.throttle_position"].remove_requested.emit("ENGINE_1.throttle_position")
    assert live.gauges.names() == ["engine_speed", "vehicle_speed", "coolant_temp"]
    live.remove_signal("ENGINE_1.gear")
    live.remove_signal("ENGINE_1.fuel_closed_loop")
    live.cursor_button.setChecked(True)
    qtbot.wait(4000)
    last = live.plots.history("engine_speed").last_time()
    live.plots.set_cursor_times(last - 4.0, last - 1.0)
    gui.window.resize(1280, 800)
    save_screenshot(gui.window, "live.png")


def test_pause_freezes_the_view_while_data_keeps_coming(live, qtbot):
    history = live.plots.history("engine_speed")
    qtbot.waitUntil(lambda: history.last_time() > 10.5, timeout=30_000)  # the 10 s view has begun to scroll
    live.set_paused(True)
    frozen = live.plots.x_range()
    before = live.plots.point_count("engine_speed")
    qtbot.waitUntil(lambda: live.plots.point_count("engine_speed") > before + 5, timeout=10_000)
    assert live.plots.x_range() == frozen  # nothing scrolled
    live.pause_button.setChecked(False)  # follow again
    qtbot.waitUntil(lambda: live.plots.x_range()[1] > frozen[1], timeout=5000)
    assert not live.paused


def test_cursors_read_values_and_deltas(live, qtbot):
    live.cursor_button.setChecked(True)
    live.set_paused(True)
    x0, x1 = live.plots.x_range()
    a, b = x0 + 0.25 * (x1 - x0), x0 + 0.75 * (x1 - x0)
    live.plots.set_cursor_times(a, b)
    rows = live.readout.rows()
    assert [r[0] for r in rows] == live.plots.signal_names()
    speed = next(r for r in rows if r[0] == "engine_speed")
    history = live.plots.history("engine_speed")
    assert speed[1] == history.value_at(a) and speed[2] == history.value_at(b)
    assert speed[3] == "rpm"
    assert live.readout.times.text().startswith("A ")
    delta = live.readout.model.index(live.plots.signal_names().index("engine_speed"), 3).data()
    assert float(delta) == pytest.approx(speed[2] - speed[1], rel=1e-3, abs=1e-3)


def test_overlay_mode_gives_each_signal_an_axis(live, qtbot):
    from ui.widgets.signal_plots import MAX_OVERLAY_AXES

    live.mode_combo.setCurrentIndex(1)
    assert live.plots.mode == "overlay"
    assert len(live.plots._extra_axes) == min(MAX_OVERLAY_AXES, len(live.plots.signal_names())) - 1
    qtbot.wait(300)
    live.mode_combo.setCurrentIndex(0)
    assert live.plots._extra_axes == []


def test_zooming_by_hand_pauses_following(live, qtbot):
    assert not live.paused
    live.plots.view.sigRangeChangedManually.emit([True, False])
    assert live.paused
