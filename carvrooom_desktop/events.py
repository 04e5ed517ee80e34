"""One small in-process event bus, with the topic names of the design.

Publishers call :meth:`EventBus.publish` from any thread; subscribers run in the
publisher's thread, so they must be quick (queue the payload, set a flag). The GUI
never subscribes directly: ``ui.event_bridge`` re-delivers on the GUI thread. Events
carry batches and summaries, never one frame each.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Final

log = logging.getLogger(__name__)

TELEMETRY_RECEIVED: Final = "telemetry.received"
HEALTH_CHANGED: Final = "health.changed"
DECISION_MADE: Final = "decision.made"
ALERT_RAISED: Final = "alert.raised"
BOOKING_CHANGED: Final = "booking.changed"
CLAIM_FLAGGED: Final = "claim.flagged"
SYNC_STATE: Final = "sync.state"
# Not in the original list but needed by the shell's status bar; same naming scheme.
CONNECTION_STATE: Final = "connection.state"
RECORDING_CHANGED: Final = "recording.changed"
SIGNALS_DROPPED: Final = "signals.dropped"  # live signals taken off the poll list: {name: reason}

TOPICS: Final = frozenset(
    {
        TELEMETRY_RECEIVED,
        HEALTH_CHANGED,
        DECISION_MADE,
        ALERT_RAISED,
        BOOKING_CHANGED,
        CLAIM_FLAGGED,
        SYNC_STATE,
        CONNECTION_STATE,
        RECORDING_CHANGED,
        SIGNALS_DROPPED,
    }
)

Handler = Callable[[str, Any], None]


class EventBus:
    """Topic -> handlers. A failing handler is logged and does not stop the others."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {}
        self._lock = threading.Lock()

    def subscribe(self, topic: str, handler: Handler) -> Callable[[], None]:
        """Register ``handler(topic, payload)``; returns a function that unsubscribes it."""
        if topic != "*" and topic not in TOPICS:
            raise ValueError(f"unknown topic {topic!r}; known: {', '.join(sorted(TOPICS))}")
        with self._lock:
            self._handlers.setdefault(topic, []).append(handler)

        def unsubscribe() -> None:
            with self._lock:
                handlers = self._handlers.get(topic, [])
                if handler in handlers:
                    handlers.remove(handler)

        return unsubscribe

    def publish(self, topic: str, payload: Any = None) -> None:
        if topic not in TOPICS:
            raise ValueError(f"unknown topic {topic!r}")
        with self._lock:
            # Copy so handlers may (un)subscribe while being called.
            handlers = [*self._handlers.get(topic, ()), *self._handlers.get("*", ())]
        for handler in handlers:
            try:
                handler(topic, payload)
            except Exception:
                log.exception("event handler %r failed on %s", handler, topic)
