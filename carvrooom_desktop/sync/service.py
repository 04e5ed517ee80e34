"""The sync engine on a background thread, for the app (and ``carvrooom sync --watch``).

``start()`` / ``stop()``, ``sync_now()`` (wake the thread), ``status()`` (last known, no I/O
on the caller's thread). The thread syncs when woken: by a local change (it looks at the
outbox's newest sequence every ``local_poll_s``: one indexed SQLite read), by a NOTIFY from
another workstation (listener.py), by ``sync_now()``, or every ``idle_s`` at the latest. After
a failure it waits 1, 2, 4 ... up to 15 s (a NOTIFY or ``sync_now()`` cuts the wait short).
Between wake-ups it sleeps on an event: an idle workstation costs a few SQLite reads a second.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from carvrooom_desktop.sync import outbox
from carvrooom_desktop.sync.engine import SyncEngine
from carvrooom_desktop.sync.listener import ChangeListener
from carvrooom_desktop.sync.status import PROBLEMS, SyncState, SyncStatus

if TYPE_CHECKING:
    from carvrooom_desktop import events as ev
    from carvrooom_desktop.storage.store import Store

log = logging.getLogger(__name__)


class SyncService:
    def __init__(self, engine: SyncEngine, *, listen: bool = True, local_poll_s: float = 0.25, idle_s: float = 30.0,
                 max_backoff_s: float = 15.0, on_cycle: Callable[[SyncStatus], None] | None = None) -> None:
        self.engine = engine
        self.local_poll_s, self.idle_s, self.max_backoff_s = local_poll_s, idle_s, max_backoff_s
        self.on_cycle = on_cycle
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        server_url = engine.server_url
        self.listener = ChangeListener(server_url, engine.origin, self.sync_now) if listen and server_url is not None else None
        self._status = engine.status()
        self.cycles = 0

    @classmethod
    def for_store(cls, store: Store, shared_url: str, *, password: str | None = None, events: ev.EventBus | None = None,
                  **kwargs: Any) -> SyncService:
        """A service for an open ``Store`` (its SQLite engine and workstation id)."""
        engine_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in (
            "clock_skew_ms", "correct_clock", "keep_acked", "batch_entries", "batch_bytes", "page_rows", "phase_hook")}
        engine = SyncEngine(store.engine, shared_url, origin=store.origin, password=password, events=events, **engine_kwargs)
        return cls(engine, **kwargs)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sync", daemon=True)
        self._thread.start()
        if self.listener is not None:
            self.listener.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stops both threads (a push in flight finishes or fails first; nothing is lost either way)."""
        self._stop.set()
        self._wake.set()
        if self.listener is not None:
            self.listener.stop(timeout)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.engine.close()

    def sync_now(self) -> None:
        self._wake.set()

    def status(self) -> SyncStatus:
        return self._status

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        backoff = 1.0
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self._status = self.engine.sync_once()
            except SQLAlchemyError as e:  # the local store itself failed (disk full, locked too long)
                log.warning("sync: the local store failed: %s", e)
                self._status = SyncStatus(SyncState.ERROR, message=f"the local store failed: {e}")
            self.cycles += 1
            if self.on_cycle is not None:
                self.on_cycle(self._status)
            if self._status.state in PROBLEMS:
                wait, backoff = backoff, min(backoff * 2, self.max_backoff_s)
            else:
                wait, backoff = self.idle_s, 1.0
            self._sleep(wait)

    def _sleep(self, seconds: float) -> None:
        """Until woken, a local change, or ``seconds``; publishes a changed pending count meanwhile."""
        deadline = time.monotonic() + seconds
        # Compare with what the last cycle pushed, not with "now": a change made during the cycle counts.
        seen = self.engine.pushed_upto if self.engine.pushed_upto is not None else self._newest()
        while not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or self._wake.wait(min(self.local_poll_s, left)):
                return
            newest = self._newest()
            if newest != seen:
                if self._status.state in PROBLEMS:  # cannot push now: show "offline (pending N)" at least
                    seen = newest
                    self._status = self.engine.status()
                    self.engine.publish(self._status)
                    continue
                return

    def _newest(self) -> int:
        try:
            with self.engine.local.connect() as conn:
                return outbox.newest_local_seq(conn)
        except SQLAlchemyError:
            return -1


__all__ = ["SyncService"]
