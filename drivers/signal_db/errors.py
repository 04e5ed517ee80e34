"""Signal-database failures, below drivers.errors.DriverError."""

from __future__ import annotations

from drivers.errors import DriverError, ProtocolError


class SignalDatabaseError(DriverError):
    """A signal database (DBC, KCD, ARXML, SYM) cannot be read or does not parse."""


class SignalDecodeError(SignalDatabaseError, ProtocolError):
    """A frame cannot be decoded with the database: unknown id, wrong length, unknown multiplexer value."""
