import threading

import pytest

from carvrooom_desktop import events
from carvrooom_desktop.events import EventBus


def test_publish_reaches_subscribers_and_unsubscribe_stops_it():
    bus = EventBus()
    seen = []
    unsubscribe = bus.subscribe(events.HEALTH_CHANGED, lambda topic, payload: seen.append((topic, payload)))
    bus.publish(events.HEALTH_CHANGED, {"score": 80})
    unsubscribe()
    bus.publish(events.HEALTH_CHANGED, {"score": 10})
    assert seen == [(events.HEALTH_CHANGED, {"score": 80})]


def test_design_topics_exist_and_unknown_topics_are_refused():
    for topic in ("telemetry.received", "health.changed", "decision.made", "alert.raised", "booking.changed", "claim.flagged", "sync.state"):
        assert topic in events.TOPICS
    with pytest.raises(ValueError):
        EventBus().subscribe("telemetry.recieved", lambda *_: None)


def test_a_failing_handler_does_not_stop_the_others(caplog):
    bus = EventBus()
    seen = []
    bus.subscribe(events.ALERT_RAISED, lambda *_: 1 / 0)
    bus.subscribe(events.ALERT_RAISED, lambda _t, p: seen.append(p))
    bus.publish(events.ALERT_RAISED, "brake pads")
    assert seen == ["brake pads"]
    assert "failed" in caplog.text


def test_publish_from_many_threads():
    bus = EventBus()
    seen = []
    lock = threading.Lock()

    def handler(_t, p):
        with lock:
            seen.append(p)

    bus.subscribe(events.TELEMETRY_RECEIVED, handler)
    threads = [threading.Thread(target=lambda i=i: [bus.publish(events.TELEMETRY_RECEIVED, i) for _ in range(500)]) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 2000
