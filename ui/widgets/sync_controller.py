"""The GUI side of sync: one Qt object between the Sync page (and the status bar, the Recordings page)
and the core's :class:`~carvrooom_desktop.sync.workstation.WorkstationSync`.

- ``status_changed(SyncStatus)``: every ``sync.state`` the service publishes (through the event
  bridge, on the GUI thread);
- ``overview_changed(SyncOverview)``: outbox, chunks and conflicts, read on a worker after a state
  change, a resolved conflict or rows that arrived — at most once a second, never on the GUI thread;
- ``arrived(table, count)``: rows another workstation made that a pull brought in;
- requests run on workers: ``sync_now()``, ``resolve(id, choice)``, ``configure(url)``, ``check(url, pw)``,
  and ``open_recording(id, then)``: a recording that is here as metadata only gets its chunks
  first (``fetch_*`` signals for the progress bar), then ``then(id)`` opens it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from carvrooom_desktop import events as ev
from carvrooom_desktop.sync.status import SyncState, SyncStatus
from ui.event_bridge import QtEventBridge
from ui.workers import TaskRunner

OVERVIEW_MIN_INTERVAL_S = 1.0
ARRIVAL_TOPICS = {ev.BOOKING_CHANGED: "workshop_bookings", ev.RECORDING_CHANGED: "recordings"}


class SyncController(QObject):
    status_changed = Signal(object)  # SyncStatus
    overview_changed = Signal(object)  # SyncOverview
    arrived = Signal(str, int)  # table, rows
    resolved = Signal(object)  # the Conflict as closed
    failed = Signal(str)  # a request that did not work, in words
    configured = Signal(object)  # SyncStatus right after (re)configuring
    checked = Signal(object)  # ConnectionCheck
    fetch_started = Signal(str, bool)  # text, cancellable
    fetch_progress = Signal(int, int)  # chunks done, chunks to fetch
    fetch_finished = Signal(str)  # what happened, in words

    def __init__(self, link: Any | None, bus: ev.EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.link = link  # WorkstationSync, or None without a store
        self._status: SyncStatus = link.status() if link is not None else SyncStatus(
            SyncState.NOT_CONFIGURED, message="no store is open, so there is nothing to sync")
        self.overview: Any = None
        self._reads = TaskRunner(self, max_threads=1)  # overview reads, resolutions, (re)configuration
        self._fetches = TaskRunner(self, max_threads=1)  # downloads of recordings (may take a while)
        self._cancel_fetch = threading.Event()
        self._dirty = False
        self._state_events = 0  # sync.state events seen (a newer state than a reply that was queued earlier)
        self._last_read = 0.0
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self.refresh)
        self.bridge = QtEventBridge(bus, (ev.SYNC_STATE, *ARRIVAL_TOPICS), self)
        self.bridge.received.connect(self._on_event)

    # -- state ------------------------------------------------------------------------------------

    def status(self) -> SyncStatus:
        return self._status

    @property
    def available(self) -> bool:
        return self.link is not None and self.link.syncable

    def _on_event(self, topic: str, payload: Any) -> None:
        if topic == ev.SYNC_STATE:
            self._state_events += 1
            self._status = payload
            self.status_changed.emit(payload)
        elif isinstance(payload, dict) and payload.get("source") == "sync" and self.link is not None:
            self._count_arrivals(self.link, ARRIVAL_TOPICS[topic], list(payload.get("ids") or ()))
        self.refresh()

    def _count_arrivals(self, link: Any, table: str, ids: list[str]) -> None:
        def counted(n: int) -> None:
            if n:
                self.arrived.emit(table, n)

        self._reads.submit(lambda: link.made_elsewhere(table, ids), counted, self._on_error, name="count arrivals")

    def refresh(self) -> None:
        """Read the overview on a worker: coalesced, at most once per OVERVIEW_MIN_INTERVAL_S."""
        link = self.link
        if link is None:
            return
        if self._reads.busy:
            self._dirty = True
            return
        wait = self._last_read + OVERVIEW_MIN_INTERVAL_S - time.monotonic()
        if wait > 0:
            if not self._later.isActive():
                self._later.start(int(wait * 1000) + 1)
            return
        self._dirty = False
        self._last_read = time.monotonic()
        self._reads.submit(link.overview, self._on_overview, self._on_error, name="sync overview")

    def _on_overview(self, overview: Any) -> None:
        self.overview = overview
        self.overview_changed.emit(overview)
        if self._dirty:
            self.refresh()

    def _on_error(self, exc: BaseException) -> None:
        self.failed.emit(str(exc))

    # -- requests ---------------------------------------------------------------------------------

    def sync_now(self) -> None:
        if self.link is not None:
            self.link.sync_now()

    def resolve(self, conflict_id: str, choice: str) -> None:
        link = self.link
        if link is None:
            return

        def done(conflict: Any) -> None:
            self.resolved.emit(conflict)
            self._last_read = 0.0
            self.refresh()

        self._reads.submit(lambda: link.resolve(conflict_id, choice), done, self._on_error, name="resolve conflict")

    def start(self, shared_url: Callable[[], str | None]) -> None:
        """At start-up: where the shared database is (``shared_url()``, which reads the settings and loads the
        keyring) and the service's start, on the worker."""
        self.configure(shared_url)

    def configure(self, url: str | None | Callable[[], str | None]) -> None:
        """Start (or restart, or stop) syncing with ``url`` on a worker: stopping a service may take seconds."""
        link = self.link
        if link is None:
            return

        seen = self._state_events

        def done(status: SyncStatus) -> None:
            if self._state_events == seen:  # else the new service has already said where it stands
                self._status = status
                self.status_changed.emit(status)
            self.configured.emit(status)
            self._last_read = 0.0
            self.refresh()

        self._reads.submit(lambda: link.configure(url() if callable(url) else url), done, self._on_error,
                           name="configure sync")

    def check(self, url: str, password: str | None) -> None:
        """Test connection (on a worker; ``checked`` brings the answer)."""
        from carvrooom_desktop.sync.workstation import check_connection

        self._fetches.submit(lambda: check_connection(url, password), self.checked.emit, self._on_error,
                             name="test shared database")

    # -- recordings that arrived as metadata -------------------------------------------------------

    def open_recording(self, recording_id: Any, then: Callable[[Any], None]) -> None:
        """Fetch what this store lacks of ``recording_id`` (if anything), then ``then(recording_id)``."""
        link = self.link
        if link is None or not link.syncable:
            then(recording_id)
            return
        self._cancel_fetch.clear()
        shown = {"at": 0.0}

        def progress(done: int, total: int) -> None:  # on the worker: a queued signal, ~10 a second at most
            now = time.monotonic()
            if done >= total or now - shown["at"] >= 0.1:
                shown["at"] = now
                self.fetch_progress.emit(done, total)

        def fetch() -> tuple[str, Any]:
            gap = link.missing_chunks(recording_id)
            if not gap.missing:
                return "", gap
            if link.configured:
                self.fetch_started.emit("Downloading this recording's data from the shared database…", True)
            result = link.fetch_recording(recording_id, progress, self._cancel_fetch.is_set)
            return _fetch_text(result), result.gap

        def done(outcome: tuple[str, Any]) -> None:
            text, _gap = outcome
            if text:
                self.fetch_finished.emit(text)
            then(recording_id)

        def failed(exc: BaseException) -> None:
            self.fetch_finished.emit(f"This recording is here as metadata only and its data could not be downloaded: "
                                     f"{exc}")
            then(recording_id)  # what is here (the header, the marks) still opens

        self._fetches.submit(fetch, done, failed, name="fetch recording")

    def cancel_fetch(self) -> None:
        self._cancel_fetch.set()

    def wait(self, msecs: int = 15_000) -> bool:
        self._later.stop()
        self._cancel_fetch.set()
        return self._reads.wait(msecs) and self._fetches.wait(msecs)

    def close(self) -> None:
        """Stop listening and finish work in flight (the window closes); safe twice."""
        self.bridge.close()
        self.wait()


def _fetch_text(result: Any) -> str:
    gap = result.gap
    if result.cancelled:
        return f"Download stopped: {result.fetched} chunk(s) kept; open the recording again to fetch the rest."
    if gap.missing:
        return (f"Downloaded {result.fetched} chunk(s); {100 * gap.fraction:.0f} % of the recording is here. The rest is "
                "still being uploaded by the workstation that recorded it.")
    return f"Downloaded {result.fetched} chunk(s) from the shared database."


__all__ = ["SyncController"]
