"""The one reader of a python-can bus: its own thread, one ``recv`` and one ``list.append`` per frame.

It replaces ``can.Notifier`` on the live path: the notifier calls every listener
through Python for every frame and takes a lock per frame. benchmarks/bench_live_path.py
compares the whole live path built on this reader with a Notifier + per-frame cantools.
OBD replies still reach the OBD client's ``DiagnosticListener`` without delay: a
frame whose id matches the reply mask is handed to it right away (one integer test
per frame), so requests and the live path share the bus as before.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import can

from carvrooom_desktop.acquisition.frame_collector import PendingFrames

log = logging.getLogger(__name__)

ERROR_BACKOFF = 0.1  # s to wait after a failed recv before trying again


@dataclass(frozen=True, slots=True)
class ReplyFilter:
    """Frames with ``arbitration_id & mask == value`` go to the reply listener too (it checks further)."""

    mask: int
    value: int

    @classmethod
    def obd(cls, extended: bool = False) -> ReplyFilter:
        """ISO 15765-4 replies: 0x7E8-0x7EF (11-bit) or 0x18DAF1xx (29-bit)."""
        return cls(0x1FFFFF00, 0x18DAF100) if extended else cls(0x7F8, 0x7E8)


class BusReader:
    """Reads ``bus`` on a thread named ``name``; :meth:`take` hands over what arrived, oldest first."""

    def __init__(
        self,
        bus: can.BusABC,
        *,
        replies: can.Listener | None = None,
        reply_filter: ReplyFilter = ReplyFilter.obd(),
        timeout: float = 0.05,
        name: str = "bus-reader",
    ) -> None:
        self.bus = bus
        self.replies = replies
        self.reply_filter = reply_filter
        self.timeout = timeout
        self.error: Exception | None = None  # the last failure of the bus, if any
        self._pending = PendingFrames()
        self._running = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> BusReader:
        self._running = True
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Stop reading (frames already read stay available to :meth:`take`); safe to call twice."""
        self._running = False
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def total(self) -> int:
        """Frames received so far (taken or waiting)."""
        return self._pending.total

    @property
    def waiting(self) -> int:
        return len(self._pending)

    def add_transmitted(self, msg: can.Message) -> None:
        """A frame this workstation sent: it joins the received ones (``is_rx`` False), so the
        recording and the trace show it; the bus does not echo our own frames back."""
        self._pending.append(msg)

    def take(self) -> list[can.Message]:
        """Every frame received since the last take, oldest first (call from one consumer thread)."""
        return self._pending.take()

    def _run(self) -> None:
        recv = self.bus.recv
        append = self._pending.append
        replies = self.replies
        mask, value = self.reply_filter.mask, self.reply_filter.value
        timeout = self.timeout
        while self._running:
            try:
                msg = recv(timeout)
            except (can.CanError, OSError, ValueError) as e:  # a driver failing, or a serial adapter's garbled line
                if not self._running:
                    break
                self._failed(e)
                continue
            if msg is None:
                continue
            append(msg)
            if replies is not None and (msg.arbitration_id & mask) == value:
                replies.on_message_received(msg)

    def _failed(self, error: Exception) -> None:
        if self.error is None or str(error) != str(self.error):
            log.warning("reading the CAN bus failed: %s", error)
        self.error = error
        if self.replies is not None:
            self.replies.on_error(error)  # the OBD client reports ConnectionLost on its next request
        time.sleep(ERROR_BACKOFF)  # a dead adapter must not spin this thread
