"""Keeps the CAN trace page on the connected session's bus: a frame feed opened on connect, closed on disconnect.

Opening the feed may open a bus handle, so it runs on a worker; the page only gets the
finished feed (or the reason there is none).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from ui.workers import TaskRunner

log = logging.getLogger(__name__)


class TraceController(QObject):
    def __init__(self, page: Any, controller: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.controller = controller
        self.runner = TaskRunner(self, max_threads=1)
        self._attempt = 0
        controller.connected.connect(lambda _report: self.attach())
        controller.disconnected.connect(self.detach)
        page.live_requested.connect(self.attach)
        if controller.session is not None:
            self.attach()

    def attach(self) -> None:
        session = self.controller.session
        if session is None:
            self.page.set_feed(None, problem="Not connected: connect to a CAN source to trace its bus.")
            return
        self._attempt += 1
        attempt = self._attempt

        def open_feed() -> Any:
            from ui.trace_feed import feed_for  # python-can: only once a car is connected

            return feed_for(session)

        self.runner.submit(open_feed, lambda feed: self._attached(attempt, feed, session),
                           lambda exc: self._failed(attempt, exc), name="open trace feed")

    def _attached(self, attempt: int, feed: Any, session: Any) -> None:
        if attempt != self._attempt or self.controller.session is not session:
            if feed is not None:
                feed.close()  # the session went away meanwhile
            return
        if feed is None:
            self.page.set_feed(None, problem="This adapter shows no raw CAN frames (an ELM327 answers OBD requests only).")
            return
        self.page.set_feed(feed, getattr(session, "decoder", None))

    def _failed(self, attempt: int, exc: BaseException) -> None:
        if attempt == self._attempt:
            self.page.set_feed(None, problem=f"The trace cannot read this bus: {exc}")

    def detach(self) -> None:
        self._attempt += 1
        self.page.set_feed(None)

    def wait(self) -> None:
        self.detach()
        self.runner.wait()


def make_trace_page(controller: Any, role: Callable[[], str], parent: QObject, io: Any = None) -> tuple[Any, TraceController]:
    """The CAN trace page bound to the session (live frames) and to the recordings IO (stored frames, databases)."""
    from ui.workspaces.trace import TraceWorkspace

    page = TraceWorkspace(role)
    if io is not None:
        io.frames_loaded.connect(page.show_frames)
        io.database_loaded.connect(lambda database: _offer_decoder(page, database))
        if io.database is not None:
            _offer_decoder(page, io.database)
    return page, TraceController(page, controller, parent)


def _offer_decoder(page: Any, database: Any) -> None:
    """A database the technician loaded decodes the trace until a live feed brings its own."""
    if page.feed is None:
        from carvrooom_desktop.acquisition.decode import BatchDecoder

        page.set_decoder(BatchDecoder(database))
