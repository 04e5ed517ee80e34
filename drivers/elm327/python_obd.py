"""python-OBD behind our ObdClient interface: the path for pre-CAN cars (K-line, J1850).

python-OBD handles every ELM327 protocol; we use it only as a raw request/reply
transport and keep all decoding ours. Its known defects are worked around here,
at our boundary, without patching it (NOTES.md):
- VIN truncation: its VIN decoder strips 0/1/2/x/\\ from both ends; we never use it,
  the raw mode 09 bytes go through ``ObdClient.read_vin``.
- Reconnect after close: its close() leaves the ATZ reply unread, so the next connect
  fails with "ATE0 did not return OK"; we drain the port before every connect.
- Empty response on failure: "no data" and "adapter unplugged" look the same; we ask
  ``status()`` after an empty reply and raise the matching typed error.
- Callbacks on its own thread (obd.Async): not used; our poller thread asks.
"""

from __future__ import annotations

import logging
from typing import Any

import serial

from drivers.errors import AdapterNotFound, AdapterTimeout, CarNotResponding, ConnectionLost, NegativeResponse
from drivers.obd.client import ObdClient

log = logging.getLogger(__name__)


def drain_adapter(port: str, timeout: float = 0.3) -> None:
    """Read and discard whatever an earlier session left in the adapter (best effort)."""
    if port.startswith("socket://"):
        return  # a new TCP connection starts clean
    try:
        with serial.serial_for_url(port, timeout=timeout) as s:
            s.write(b"\r")
            while s.read(4096):
                pass
    except (serial.SerialException, OSError, ValueError):
        pass  # the connect below reports the real problem


class PythonObdClient(ObdClient):
    def __init__(self, port: str, *, baudrate: int | None = None, protocol: str | None = None, timeout: float = 1.0) -> None:
        super().__init__()
        self.port, self.baudrate, self.protocol, self.timeout = port, baudrate, protocol, timeout
        self.connection: Any = None  # obd.OBD: python-OBD ships no types

    def open(self) -> str:
        """Connect; returns the protocol name python-OBD found."""
        import obd  # lazy: only legacy cars need it

        obd.logger.setLevel(logging.WARNING)
        drain_adapter(self.port)
        self.connection = obd.OBD(self.port, baudrate=self.baudrate, protocol=self.protocol, fast=False, timeout=self.timeout)
        status = self.connection.status()
        if status == obd.OBDStatus.CAR_CONNECTED:
            protocol: str = self.connection.protocol_name()
            return protocol
        self.close()
        if status in (obd.OBDStatus.ELM_CONNECTED, obd.OBDStatus.OBD_CONNECTED):
            raise CarNotResponding(f"the adapter on {self.port} answers but the car does not: check the ignition")
        raise AdapterNotFound(f"no ELM327 adapter answers on {self.port}")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def reopen(self) -> str:
        self.close()
        return self.open()

    def request(self, payload: bytes, *, all_ecus: bool = False) -> dict[int, bytes]:
        import obd

        if self.connection is None:
            raise ConnectionLost("python-OBD connection is closed")
        command = obd.OBDCommand("RAW", "raw request", payload.hex().upper().encode(), 0, lambda messages: messages, obd.ECU.ALL, False)
        response = self.connection.query(command, force=True)
        if response.is_null() or not response.value:
            status = self.connection.status()
            if status == obd.OBDStatus.CAR_CONNECTED:
                raise AdapterTimeout(f"no answer to {payload.hex()} (python-OBD returned an empty response)")
            if status in (obd.OBDStatus.ELM_CONNECTED, obd.OBDStatus.OBD_CONNECTED):
                raise CarNotResponding("the adapter answers but the car does not")
            raise ConnectionLost(f"the adapter on {self.port} is gone")
        service = payload[0]
        replies: dict[int, bytes] = {}
        refused = None
        for message in response.value:
            data = bytes(message.data)
            ecu = message.tx_id if message.tx_id is not None else 0
            if data[:1] == b"\x7f" and len(data) >= 3 and data[1] == service:
                refused = NegativeResponse(service, data[2])
            elif data[:1] == bytes((service + 0x40,)):
                replies[ecu] = data[1:]
        if replies:
            return replies
        raise refused or AdapterTimeout(f"no valid answer to {payload.hex()}")
