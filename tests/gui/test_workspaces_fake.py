"""Connect, diagnostics, live and recordings wired to a fake session and store."""

from __future__ import annotations

import threading

import pytest
from gui_fakes import FakeSession, failing_factory, fake_report
from PySide6.QtCore import Qt


def _connect(shell, qtbot, faults=("vacuum_leak",)):
    page = shell.window.show_workspace("connect")
    for name in faults:
        page.check_fault(name)
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window.current_workspace() == "diagnostics", timeout=5000)
    return page


def test_connect_runs_on_a_worker_and_fills_diagnostics(fake_shell, qtbot):
    page = fake_shell.window.show_workspace("connect")
    page.check_fault("misfire_cyl3", severity=0.5)
    page.check_fault("vacuum_leak")
    page.seed.setValue(7)
    _connect(fake_shell, qtbot, faults=())
    session = fake_shell.sessions[-1]
    assert session.request.faults == ("vacuum_leak", "misfire_cyl3:0.5")
    assert session.request.seed == 7 and session.request.kind == "sim"
    assert threading.main_thread().name not in session.threads
    diag = fake_shell.window.page("diagnostics")
    assert diag.vin_label.text() == "1FAKE00TEST000001"
    assert diag.vehicle_label.text() == "2019 Testmobile Bench"
    assert diag.mil_label.text() == "MIL ON"
    assert [diag.dtc_model.index(r, 0).data() for r in range(diag.dtc_model.rowCount())] == ["P0171", "P0300"]
    assert diag.readiness_model.rowCount() == 2 and diag.freeze_model.rowCount() == 2
    assert page.connect_button.text() == "Disconnect"


def test_adapter_sources_build_their_requests(fake_shell, qtbot):
    page = fake_shell.window.show_workspace("connect")
    page.check_fault("vacuum_leak")
    page.source.set_kind("elm")
    assert page.source.port_combo.isEnabled() and not page.fault_list.isEnabled()
    page.source.port_combo.setEditText("socket://192.168.0.10:35000")
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: fake_shell.window.current_workspace() == "diagnostics", timeout=5000)
    request = fake_shell.sessions[-1].request
    assert (request.kind, request.channel, request.faults) == ("elm", "socket://192.168.0.10:35000", ())
    assert not page.car.ignition_button.isEnabled()  # a real car's key is in the car

    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)  # disconnect
    page.source.set_kind("can")
    page.source.can_channel.setEditText("virtual:bench")
    page.source.bitrate.setCurrentText("250000")
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(fake_shell.sessions) == 2, timeout=5000)
    request = fake_shell.sessions[-1].request
    assert (request.kind, request.channel, request.bitrate, request.data_bitrate) == ("can", "virtual:bench", 250000, None)

    qtbot.waitUntil(lambda: page.connect_button.text() == "Disconnect", timeout=5000)
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)  # disconnect: now a CAN FD car
    qtbot.waitUntil(lambda: page.connect_button.text() == "Connect", timeout=5000)
    page.source.bitrate.setCurrentText("500000")
    page.source.data_bitrate.setCurrentText("2M")
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(fake_shell.sessions) == 3, timeout=5000)
    request = fake_shell.sessions[-1].request
    assert (request.bitrate, request.data_bitrate) == (500000, 2_000_000)


def test_incomplete_adapter_choice_is_explained_before_connecting(fake_shell, qtbot):
    page = fake_shell.window.show_workspace("connect")
    page.source.set_kind("elm")
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    assert "port" in page.message.text() and page.message.objectName() == "ErrorText"
    page.source.set_kind("can")
    page.source.can_channel.setEditText("can0")
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    assert "interface:channel" in page.message.text()
    page.source.can_channel.setEditText("socketcan:can0")
    page.source.bitrate.setCurrentText("fast")
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    assert "bitrate" in page.message.text()
    page.source.bitrate.setCurrentText("500000")
    page.source.data_bitrate.setCurrentText("quick")
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    assert "bitrate" in page.message.text() and "2000000" in page.message.text()
    assert fake_shell.sessions == []


def test_status_bar_colours_each_connection_state(fake_shell):
    status = fake_shell.window.status
    seen = {}
    for state in ("car connected", "ignition off", "lost", "no adapter"):
        status.set_connection(state)
        seen[state] = (status.connection_label.text(), status.connection_tone)
    assert seen["car connected"] == ("Car connected", "good")
    assert seen["ignition off"][1] == "warn" and seen["ignition off"][0].startswith("Ignition off")
    assert seen["lost"] == ("Connection lost — reconnecting…", "bad")
    assert seen["no adapter"] == ("No adapter", "idle")


def test_connect_error_is_shown_and_page_stays_usable(fake_shell, qtbot):
    fake_shell.factory["make"] = failing_factory("no adapter on /dev/ttyUSB9")
    page = fake_shell.window.show_workspace("connect")
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "no adapter" in page.message.text(), timeout=5000)
    assert page.connect_button.isEnabled() and page.connect_button.text() == "Connect"
    assert fake_shell.sessions[-1].closed == 1
    assert fake_shell.window.current_workspace() == "connect"


def test_rescan_and_disconnect(fake_shell, qtbot):
    page = _connect(fake_shell, qtbot)
    diag = fake_shell.window.page("diagnostics")
    with qtbot.waitSignal(fake_shell.controller.scan_ready, timeout=5000):
        qtbot.mouseClick(diag.rescan_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: fake_shell.sessions[-1].closed == 1, timeout=5000)
    assert page.connect_button.text() == "Connect"
    assert not diag.rescan_button.isEnabled()


def test_live_pulls_windows_and_records(fake_shell, qtbot):
    _connect(fake_shell, qtbot)
    live = fake_shell.window.show_workspace("live")
    qtbot.waitUntil(lambda: all(n > 0 for n in live.latest_points().values()), timeout=5000)
    session: FakeSession = fake_shell.sessions[-1]
    calls = session.window_calls
    qtbot.wait(200)
    assert session.window_calls > calls  # the timer keeps pulling
    qtbot.mouseClick(live.record_button, Qt.MouseButton.LeftButton)
    assert live.recording and fake_shell.window.status.recording_label.text().startswith("● REC")
    live.mark_text.setText("blip throttle")
    qtbot.mouseClick(live.mark_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: session.recording_id is not None, timeout=5000)
    with qtbot.waitSignal(fake_shell.controller.recording_stopped, timeout=5000):
        qtbot.mouseClick(live.stop_button, Qt.MouseButton.LeftButton)
    assert session.marks == ["blip throttle"]
    assert not live.recording
    rec_page = fake_shell.window.show_workspace("recordings")
    qtbot.waitUntil(lambda: rec_page.model.rowCount() == 1, timeout=5000)
    live_again = fake_shell.window.show_workspace("live")
    assert live_again is live


def test_live_timer_stops_when_hidden(fake_shell, qtbot):
    _connect(fake_shell, qtbot)
    live = fake_shell.window.show_workspace("live")
    qtbot.waitUntil(live.timer.isActive, timeout=2000)
    fake_shell.window.show_workspace("connect")
    assert not live.timer.isActive()


def test_recordings_open_and_delete_with_confirmation(fake_shell, qtbot, monkeypatch):
    for _ in range(3):
        fake_shell.store.recordings.add()
    page = fake_shell.window.show_workspace("recordings")
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=5000)
    assert page.model.index(0, 1).data() == "1FAKE00TEST000001"
    assert page.model.index(0, 2).data() == "2.5 s"
    page.select_row(0)
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.viewer is not None and page.viewer.point_count("engine_speed") == 50, timeout=5000)
    assert page.viewer.signal_names()[0] == "engine_speed"

    monkeypatch.setattr(page, "confirm", lambda _q: False)
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    qtbot.wait(100)
    assert page.model.rowCount() == 3
    monkeypatch.setattr(page, "confirm", lambda _q: True)
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    assert len(fake_shell.store.recordings.deleted) == 1


def test_closing_the_window_closes_the_session(fake_shell, qtbot):
    _connect(fake_shell, qtbot)
    fake_shell.window.close()
    assert fake_shell.sessions[-1].closed == 1


def test_a_bad_vin_is_shown_as_read_with_its_problems_in_red(fake_shell):
    from dataclasses import replace

    from gui_fakes import fake_report

    from drivers.vin import decode_vin

    report = fake_report(vin="1FAKE00TEST0000I")  # 16 characters, and an I
    report = replace(report, vin_info=decode_vin(report.vehicle.vin))
    diag = fake_shell.window.show_workspace("diagnostics")
    diag.show_report(report)
    assert diag.vin_label.text() == "1FAKE00TEST0000I"  # never "fixed"
    assert diag.vehicle.vin_problem_shown and diag.vin_detail.objectName() == "ErrorText"
    assert diag.vin_detail.text().startswith("VIN invalid: ")
    assert "17 characters" in diag.vin_detail.text()


def test_a_signed_in_users_custom_role_is_decided_by_the_core_not_refused_by_the_page(fake_shell, qtbot):
    from carvrooom_desktop.domain.roles import Permission
    from carvrooom_desktop.errors import PermissionDenied
    from carvrooom_desktop.people.actor import Actor
    from ui.trace_feed import check_may_transmit

    _connect(fake_shell, qtbot)
    session = fake_shell.sessions[-1]
    seen = []
    lead = Actor(name="rita", role="lead technician", permissions=frozenset({Permission.CLEAR_CODES, Permission.TRANSMIT_FRAMES}))
    session.acting = lambda: lead
    session.clear_codes = lambda who, *, confirmed: seen.append(who) or fake_report()
    with qtbot.waitSignal(fake_shell.controller.codes_cleared, timeout=5000):
        fake_shell.controller.clear_codes("lead technician")  # not a built-in role name: the page used to refuse it
    assert seen == [lead]
    check_may_transmit("lead technician", session)  # the session's user decides (the core checks and audits)
    session.acting = lambda: None
    with pytest.raises(PermissionDenied, match="not a known role"):
        check_may_transmit("lead technician", session)
