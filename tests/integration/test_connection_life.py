"""Connection states and reconnect: ignition off and back, an adapter that drops and returns,
with the gap marked in the running recording."""

from __future__ import annotations

import time

import pytest

from carvrooom_desktop import events
from carvrooom_desktop.acquisition.session import ConnectionState, LiveSession
from carvrooom_desktop.acquisition.source import SourceSpec
from carvrooom_desktop.domain import Role
from carvrooom_desktop.errors import NotConfirmed, PermissionDenied
from carvrooom_desktop.events import EventBus
from carvrooom_desktop.storage.store import Store
from drivers.simulator.elm_face import SimulatedElm327


def wait_for(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


@pytest.fixture
def store(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'life.sqlite3'}") as s:
        yield s


def test_ignition_off_and_on_during_a_recording(store):
    bus = EventBus()
    states: list[ConnectionState] = []
    bus.subscribe(events.CONNECTION_STATE, lambda _t, state: states.append(state))
    session = LiveSession(SourceSpec(kind="sim"), events=bus, store=store, poll_interval=0.05)
    try:
        session.connect()
        session.start_recording("ignition test")
        wait_for(lambda: len(session.window("engine_speed")[0]) > 3)
        session.controls.set_ignition(False)
        wait_for(lambda: session.state is ConnectionState.IGNITION_OFF)
        session.controls.set_ignition(True)
        wait_for(lambda: session.state is ConnectionState.CAR_CONNECTED)
        recording = session.stop_recording()
    finally:
        session.close()
    labels = [m.label for m in store.recordings.get(recording.id).marks]
    assert labels[0].startswith("gap: ignition off") and labels[1].startswith("gap ended")
    assert states[:4] == [ConnectionState.ADAPTER, ConnectionState.CAR_CONNECTED, ConnectionState.IGNITION_OFF, ConnectionState.CAR_CONNECTED]


def test_wifi_adapter_drops_and_comes_back(store):
    with SimulatedElm327.on_tcp() as elm:
        session = LiveSession(SourceSpec(kind="elm", channel=elm.port), events=EventBus(), store=store, poll_interval=0.05)
        try:
            session.connect()
            session.start_recording()
            wait_for(lambda: len(session.window("engine_speed")[0]) > 3)
            elm.drop_clients()
            wait_for(lambda: session.state is ConnectionState.LOST, timeout=5)
            wait_for(lambda: session.state is ConnectionState.CAR_CONNECTED)
            n = len(session.window("engine_speed")[0])
            wait_for(lambda: len(session.window("engine_speed")[0]) > n + 3)  # data flows again
            recording = session.stop_recording()
        finally:
            session.close()
    labels = [m.label for m in store.recordings.get(recording.id).marks]
    assert labels[0].startswith("gap: lost") and labels[1].startswith("gap ended")


def test_clearing_codes_needs_confirmation_and_the_right_role():
    session = LiveSession(SourceSpec(kind="sim", faults=("vacuum_leak",)), events=EventBus(), signals=[])
    try:
        session.connect()
        with pytest.raises(NotConfirmed):
            session.clear_codes(Role.TECHNICIAN, confirmed=False)
        with pytest.raises(PermissionDenied):
            session.clear_codes(Role.WARRANTY_CLERK, confirmed=True)
        after = session.clear_codes(Role.TECHNICIAN, confirmed=True)
        assert [(d.code, d.kind.value) for d in after.dtcs] == [("P0171", "permanent")]
        assert after.readiness.incomplete and not after.freeze_frames
    finally:
        session.close()
