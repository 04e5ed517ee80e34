"""OBD-II straight over CAN (ISO 15765-4): any CAN adapter python-can drives can diagnose a car.

The client does not read the bus itself: whoever owns the bus (a python-can
Notifier in the live session) feeds diagnostic replies to a
:class:`DiagnosticListener`, so recording and decoding see every frame too.
"""

from __future__ import annotations

import logging
import queue
import time
import can

from drivers.errors import AdapterTimeout, ConnectionLost, NegativeResponse, ProtocolError
from drivers.obd import isotp
from drivers.obd.addressing import ELEVEN_BIT, ObdAddressing
from drivers.obd.client import ObdClient

log = logging.getLogger(__name__)

RESPONSE_PENDING = 0x78


class DiagnosticListener(can.Listener):
    """Queues the frames that are OBD replies; everything else is ignored here."""

    def __init__(self, addressing: ObdAddressing = ELEVEN_BIT) -> None:
        self.addressing = addressing
        self.frames: queue.Queue[can.Message] = queue.Queue()
        self.error: Exception | None = None

    def on_message_received(self, msg: can.Message) -> None:
        if not msg.is_error_frame and msg.is_extended_id == self.addressing.extended and self.addressing.is_response(msg.arbitration_id):
            self.frames.put(msg)

    def on_error(self, exc: Exception) -> None:
        self.error = exc  # bus gone: the next request reports ConnectionLost

    def drain(self) -> None:
        while True:
            try:
                self.frames.get_nowait()
            except queue.Empty:
                return


class ObdCanClient(ObdClient):
    """SAE J1979 requests and replies over ISO-TP on a python-can bus."""

    def __init__(
        self,
        bus: can.BusABC,
        listener: DiagnosticListener,
        *,
        timeout: float = 0.25,
        addressing: ObdAddressing = ELEVEN_BIT,
    ) -> None:
        super().__init__()
        self.bus = bus
        self.listener = listener
        self.timeout = timeout  # P2: ISO 15765-4 allows 50 ms; adapters and gateways add latency
        self.settle = 0.05  # after one ECU answered a functional request, how long others may still come
        self.addressing = addressing

    # -- transport ---------------------------------------------------------------------

    def request(self, payload: bytes, *, all_ecus: bool = False) -> dict[int, bytes]:
        """Functional request; with ``all_ecus`` waits the full timeout for every ECU, else returns at the first reply."""
        service = payload[0]
        self.listener.drain()  # late replies to an earlier request must not answer this one
        self._send(self.addressing.functional_request_id, isotp.segment(payload)[0])  # requests fit one frame
        deadline = time.monotonic() + self.timeout
        receivers: dict[int, isotp.IsoTpReceiver] = {}
        replies: dict[int, bytes] = {}
        refused: NegativeResponse | None = None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                msg = self.listener.frames.get(timeout=remaining)
            except queue.Empty:
                break
            receiver = receivers.setdefault(msg.arbitration_id, isotp.IsoTpReceiver())
            try:
                message = receiver.feed(bytes(msg.data))
            except ProtocolError as e:
                log.warning("dropping malformed reply from %X: %s", msg.arbitration_id, e)
                continue
            if message is None:
                if receiver.needs_flow_control:
                    self._send(self.addressing.physical_request_id(msg.arbitration_id), isotp.flow_control())
                    deadline = max(deadline, time.monotonic() + self.timeout)
                continue
            if message[:1] == b"\x7f" and len(message) >= 3 and message[1] == service:
                if message[2] == RESPONSE_PENDING:
                    deadline = time.monotonic() + 5.0  # P2* extended
                    continue
                refused = NegativeResponse(service, message[2])
                continue
            if message[0] != service + 0x40:
                log.debug("ignoring reply %s to another request", message.hex(" "))
                continue
            replies[msg.arbitration_id] = message[1:]
            self.last_reply_time = msg.timestamp
            if not all_ecus:
                break
            # Every ECU answers within P2 of the request; after a reply, wait only briefly for the others.
            deadline = min(deadline, time.monotonic() + self.settle)
        if replies:
            return replies
        if self.listener.error is not None:
            raise ConnectionLost(f"CAN bus failed: {self.listener.error}") from self.listener.error
        if refused is not None:
            raise refused
        raise AdapterTimeout(f"no ECU answered service 0x{service:02X} within {self.timeout * 1000:.0f} ms")

    def _send(self, arbitration_id: int, frame: bytes) -> None:
        msg = can.Message(arbitration_id=arbitration_id, data=frame, is_extended_id=self.addressing.extended)
        try:
            self.bus.send(msg, timeout=self.timeout)
        except can.CanError as e:
            raise ConnectionLost(f"cannot send on the CAN bus: {e}") from e

    def ecu_label(self, ecu: int) -> str:
        return self.addressing.ecu_label(ecu)
