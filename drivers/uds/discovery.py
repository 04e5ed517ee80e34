"""Which modules answer: tester present (0x3E 00) to every candidate address in one burst, then listen.

One burst and one listening window instead of a timeout per address: 370 candidates cost
the time of the frames plus ``listen_s``, not 370 timeouts. Any reply on the paired response id
counts (positive, a refusal, 'response pending'): the module is there; reading it is the scan's job.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Sequence

import can

from drivers.errors import ConnectionLost
from drivers.uds.addressing import ModuleAddress, candidates

PROBE = bytes((0x02, 0x3E, 0x00, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA))
LISTEN_S = 0.15  # after the last probe; P2 is 50 ms, gateways add some


class _Replies(can.Listener):
    def __init__(self, wanted: dict[tuple[int, bool], ModuleAddress]) -> None:
        self.wanted = wanted
        self.found: queue.SimpleQueue[ModuleAddress] = queue.SimpleQueue()

    def on_message_received(self, msg: can.Message) -> None:
        address = self.wanted.get((msg.arbitration_id, bool(msg.is_extended_id)))
        if address is not None and not msg.is_error_frame:
            self.found.put(address)


def discover_modules(bus: can.BusABC, notifier: can.Notifier, addresses: Sequence[ModuleAddress] | None = None,
                     *, listen_s: float = LISTEN_S) -> list[ModuleAddress]:
    """The addresses that answered, in the order of ``addresses`` (default: ``candidates()``)."""
    probe_list = list(addresses) if addresses is not None else candidates()
    listener = _Replies({(a.response_id, a.extended): a for a in probe_list})
    notifier.add_listener(listener)
    try:
        for address in probe_list:
            _send(bus, can.Message(arbitration_id=address.request_id, data=PROBE, is_extended_id=address.extended))
        time.sleep(listen_s)
    finally:
        notifier.remove_listener(listener)
    answered: set[ModuleAddress] = set()
    while True:
        try:
            answered.add(listener.found.get_nowait())
        except queue.Empty:
            break
    return [a for a in probe_list if a in answered]


def _send(bus: can.BusABC, msg: can.Message, *, attempts: int = 50, pause_s: float = 0.002) -> None:
    """A burst fills a real adapter's transmit queue (SocketCAN: ENOBUFS after ~10 frames): wait and retry;
    only a bus that stays unable to send for ``attempts * pause_s`` is gone."""
    for attempt in range(attempts):
        try:
            bus.send(msg, timeout=0.1)
            return
        except can.CanError as e:
            if attempt == attempts - 1:
                raise ConnectionLost(f"cannot send on the CAN bus: {e}") from e
            time.sleep(pause_s)
