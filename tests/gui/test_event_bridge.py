"""Bus events from worker threads reach the GUI thread, coalesced into few deliveries."""

from __future__ import annotations

import threading

from carvrooom_desktop import events as ev
from ui.event_bridge import QtEventBridge


def test_burst_from_a_worker_is_coalesced_and_delivered_on_the_gui_thread(qtbot):
    bus = ev.EventBus()
    bridge = QtEventBridge(bus, [ev.TELEMETRY_RECEIVED, ev.ALERT_RAISED])
    received: list[tuple[str, object, bool]] = []
    bridge.received.connect(lambda topic, payload: received.append((topic, payload, threading.current_thread() is threading.main_thread())))

    def publish() -> None:
        for i in range(20_000):
            bus.publish(ev.TELEMETRY_RECEIVED, {"t": i, "count": 1})
        for i in range(50):
            bus.publish(ev.ALERT_RAISED, i)

    worker = threading.Thread(target=publish)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: any(p == {"t": 19_999, "count": 1} for _t, p, _m in received), timeout=5000)
    qtbot.waitUntil(lambda: sum(t == ev.ALERT_RAISED for t, _p, _m in received) == 50, timeout=5000)
    telemetry = [p for t, p, _m in received if t == ev.TELEMETRY_RECEIVED]
    assert len(telemetry) < 100  # never one Qt signal per event in a burst
    assert telemetry[-1]["t"] == 19_999  # the newest survives
    assert [p for t, p, _m in received if t == ev.ALERT_RAISED] == list(range(50))  # alerts: all, in order
    assert all(on_gui for _t, _p, on_gui in received)
    assert bridge.deliveries < 100
    bridge.close()


def test_close_unsubscribes(qtbot):
    bus = ev.EventBus()
    bridge = QtEventBridge(bus, [ev.SYNC_STATE])
    got: list[object] = []
    bridge.received.connect(lambda _t, p: got.append(p))
    bridge.close()
    bridge.close()
    bus.publish(ev.SYNC_STATE, "online")
    qtbot.wait(50)
    assert got == []


def test_deleted_bridge_stops_listening(qtbot):
    from PySide6.QtCore import QObject

    bus = ev.EventBus()
    parent = QObject()
    QtEventBridge(bus, [ev.SYNC_STATE], parent)
    parent.deleteLater()
    qtbot.waitUntil(lambda: not bus._handlers[ev.SYNC_STATE], timeout=2000)
