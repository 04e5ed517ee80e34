"""Driver exceptions: every adapter or protocol failure is one of these, raised ``from`` the cause.

"No data" and "adapter unplugged" must never look the same (python-OBD's empty
response does): a missing answer is :class:`AdapterTimeout`, a garbled one
:class:`ProtocolError`, an ECU refusal :class:`NegativeResponse`.
"""

from __future__ import annotations


class DriverError(Exception):
    """Base of all driver failures."""


class AdapterNotFound(DriverError):
    """The adapter, port or interface does not exist or cannot be opened."""


class UnsupportedProtocol(AdapterNotFound):
    """The adapter works but the car speaks a protocol this client does not (K-line, J1850 for our fast client)."""


class AdapterTimeout(DriverError):
    """The adapter or ECU did not answer in time."""


class CarNotResponding(AdapterTimeout):
    """The adapter answers but the car does not: ignition off, ECU asleep, or no link to the OBD socket."""


class ProtocolError(DriverError):
    """A reply arrived but does not parse (garbage, truncated, out of order)."""


class NegativeResponse(DriverError):
    """The ECU answered with a negative response (0x7F service NRC)."""

    def __init__(self, service: int, code: int) -> None:
        super().__init__(f"ECU refused service 0x{service:02X}: negative response code 0x{code:02X}")
        self.service = service
        self.code = code


class ConnectionLost(DriverError):
    """The link worked and then went away (cable pulled, ignition off, bus gone)."""
