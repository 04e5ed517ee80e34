"""Deliver EventBus events on the GUI thread, coalesced.

Bus handlers run on the publisher's thread (a driver or recorder thread). The bridge's
handler only files the payload under a lock and, if nothing was pending yet, wakes the
GUI thread once through a queued signal. The GUI-side flush re-emits what arrived since
the last flush as ``received(topic, payload)``. For state-like topics (telemetry summaries,
connection and sync state) only the newest payload survives a burst; for the others
(alerts, bookings, recordings) every payload is delivered, in order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from carvrooom_desktop import events as ev

LATEST_ONLY = frozenset({ev.TELEMETRY_RECEIVED, ev.CONNECTION_STATE, ev.SYNC_STATE, ev.HEALTH_CHANGED})


class QtEventBridge(QObject):
    """Subscribe to ``topics`` on ``bus``; emit ``received(topic, payload)`` on this object's thread."""

    received = Signal(str, object)  # not ``event``: that name is QObject.event(), Qt's event handler
    _wake = Signal()

    def __init__(
        self,
        bus: ev.EventBus,
        topics: Iterable[str],
        parent: QObject | None = None,
        *,
        latest_only: Iterable[str] = LATEST_ONLY,
    ) -> None:
        super().__init__(parent)
        self._latest_only = frozenset(latest_only)
        self._lock = threading.Lock()
        self._pending: list[tuple[str, Any]] = []
        self._wake_sent = False
        self.deliveries = 0  # how many flushes ran (for tests and diagnostics)
        self._wake.connect(self._flush, Qt.ConnectionType.QueuedConnection)
        unsubscribers: list[Callable[[], None]] = [bus.subscribe(t, self._on_bus_event) for t in topics]
        self._unsubscribers = unsubscribers
        # If Qt deletes the bridge (its parent went), stop the bus calling into a dead object.
        # The lambda captures the list, not ``self``, which is half gone by then.
        self.destroyed.connect(lambda *_: _unsubscribe_all(unsubscribers))

    def _on_bus_event(self, topic: str, payload: Any) -> None:
        """Any thread: file the payload and wake the GUI thread at most once per burst."""
        with self._lock:
            if topic in self._latest_only:
                self._pending = [p for p in self._pending if p[0] != topic]
            self._pending.append((topic, payload))
            if self._wake_sent:
                return
            self._wake_sent = True
        self._wake.emit()

    @Slot()
    def _flush(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
            self._wake_sent = False
        self.deliveries += 1
        for topic, payload in batch:
            self.received.emit(topic, payload)

    def close(self) -> None:
        """Stop listening to the bus; safe to call twice."""
        _unsubscribe_all(self._unsubscribers)


def _unsubscribe_all(unsubscribers: list[Callable[[], None]]) -> None:
    while unsubscribers:
        unsubscribers.pop()()
