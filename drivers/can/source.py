"""CanSource: the one base class for CAN sources over python-can.

Opening, receiving in batches, sending and closing, with every python-can and OS
failure turned into our exceptions (``raise ... from e``):

* the interface is unknown, its driver is missing or the channel will not open
  -> :class:`AdapterNotFound` (naming what to install or check);
* a bus that worked fails while receiving or sending -> :class:`ConnectionLost`;
* a send that the adapter did not accept in time -> :class:`AdapterTimeout`;
* a driver that hands back something it cannot parse -> :class:`ProtocolError`.

Subclasses (a replay source, a bus with a custom timing object) override
:meth:`CanSource._create_bus`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from typing import Any, Self

import can

from drivers.can.filters import CanFilter, normalize_filters
from drivers.can.registry import interface_info, load_bus_class
from drivers.errors import (
    AdapterNotFound,
    AdapterTimeout,
    ConnectionLost,
    DriverError,
    ProtocolError,
)

log = logging.getLogger(__name__)

DEFAULT_MAX_BATCH = 10_000


class CanSource:
    """A CAN bus through python-can. Use as a context manager or call :meth:`open`/:meth:`close`.

    ``options`` go to the python-can bus unchanged (``receive_own_messages``, ``fd``,
    ``data_bitrate``, vendor settings). ``bitrate`` is only passed when given: SocketCAN
    takes its bitrate from ``ip link``, other interfaces have their own default.
    """

    def __init__(
        self,
        interface: str,
        channel: str | int | None = None,
        *,
        bitrate: int | None = None,
        filters: Iterable[CanFilter | Mapping[str, object]] | None = None,
        **options: Any,
    ) -> None:
        self.info = interface_info(interface)  # AdapterNotFound for an unknown name, before anything opens
        self.interface = interface
        self.channel = channel
        self.bitrate = bitrate
        self.filters = normalize_filters(filters)
        self.options = dict(options)
        self._bus: can.BusABC | None = None
        self._closed = False
        self._pending_error: DriverError | None = None
        self._lock = threading.Lock()

    # -- life cycle ---------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return f"{self.interface}:{self.channel}" if self.channel is not None else self.interface

    @property
    def is_open(self) -> bool:
        return self._bus is not None

    @property
    def bus(self) -> can.BusABC:
        """The python-can bus, for a ``can.Notifier``; ConnectionLost when not open."""
        bus = self._bus
        if bus is None:
            raise ConnectionLost(f"CAN source {self.name} is not open")
        return bus

    def open(self) -> Self:
        """Open the bus (no-op when open). AdapterNotFound when the interface or channel cannot be opened."""
        with self._lock:
            if self._bus is not None:
                return self
            self._bus = self._create_bus()
            self._closed = False
            self._pending_error = None
        log.info("opened CAN source %s%s", self.name, f" at {self.bitrate} bit/s" if self.bitrate else "")
        return self

    def close(self) -> None:
        """Shut the bus down; safe to call twice and after a failed open."""
        with self._lock:
            bus, self._bus = self._bus, None
            self._closed = True
        if bus is None:
            return
        try:
            bus.shutdown()
        except (can.CanError, OSError) as e:  # the link is being dropped anyway: note it, do not fail
            log.warning("closing CAN source %s: %s", self.name, e)
        else:
            log.info("closed CAN source %s", self.name)

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "open" if self.is_open else "closed"
        return f"<{type(self).__name__} {self.name} {state}>"

    def _bus_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = dict(self.options)
        if self.channel is not None:
            kwargs["channel"] = self.channel
        if self.bitrate is not None:
            kwargs["bitrate"] = self.bitrate
        if self.filters is not None:
            kwargs["can_filters"] = [f.as_python_can() for f in self.filters]
        return kwargs

    def _create_bus(self) -> can.BusABC:
        """Build the python-can bus. Override for sources that are not a plain ``can.Bus``."""
        bus_class = load_bus_class(self.interface)  # AdapterNotFound naming what to install
        try:
            return bus_class(**self._bus_kwargs())
        # Driver constructors fail in many ways (CanInitializationError, OSError from a missing
        # device or library, CanInterfaceNotImplementedError, even NameError in kvaser without
        # CANlib): all mean "this adapter cannot be opened here".
        except Exception as e:
            raise AdapterNotFound(
                f"cannot open {self.info.label} ({self.name}): {e}. Check that the adapter is plugged in "
                f"and the channel is right; it needs {self.info.requirement}") from e

    # -- filters ------------------------------------------------------------------------------

    def set_filters(self, filters: Iterable[CanFilter | Mapping[str, object]] | None) -> None:
        """Replace the receive filters (None: everything), on the open bus too."""
        self.filters = normalize_filters(filters)
        bus = self._bus
        if bus is not None:
            try:
                bus.set_filters(None if self.filters is None else [f.as_python_can() for f in self.filters])
            except (can.CanError, OSError) as e:
                raise ConnectionLost(f"CAN source {self.name}: setting filters failed: {e}") from e

    # -- traffic ------------------------------------------------------------------------------

    def recv(self, timeout: float | None = None) -> can.Message | None:
        """One frame, or None when none arrived within ``timeout`` seconds (None: wait forever)."""
        self._raise_pending()
        return self._recv_one(self.bus, timeout)

    def recv_batch(self, timeout: float, max_frames: int = DEFAULT_MAX_BATCH) -> list[can.Message]:
        """Wait up to ``timeout`` s for a first frame, then take what is already queued (up to ``max_frames``).

        An empty list means "no traffic", never "adapter gone": that raises ConnectionLost.
        When the bus fails after some frames were read, those frames are returned and the
        error is raised on the next call, so nothing already received is lost.
        """
        self._raise_pending()
        bus = self.bus
        first = self._recv_one(bus, timeout)
        if first is None:
            return []
        frames = [first]
        try:
            while len(frames) < max_frames:
                msg = self._recv_one(bus, 0.0)
                if msg is None:
                    break
                frames.append(msg)
        except DriverError as e:
            self._pending_error = e
        return frames

    def send(self, frame: can.Message, timeout: float | None = None) -> None:
        """Transmit ``frame``. AdapterTimeout when the adapter does not take it in time, ConnectionLost when the bus fails."""
        bus = self.bus
        try:
            bus.send(frame, timeout=timeout)
        except can.CanTimeoutError as e:
            raise AdapterTimeout(f"CAN source {self.name}: send of 0x{frame.arbitration_id:X} timed out: {e}") from e
        except (can.CanError, OSError) as e:
            raise ConnectionLost(f"CAN source {self.name}: send failed: {e}") from e
        except (ValueError, TypeError) as e:  # the driver refused the frame itself (bad id or length)
            raise ProtocolError(f"CAN source {self.name}: cannot send {frame}: {e}") from e

    def _recv_one(self, bus: can.BusABC, timeout: float | None) -> can.Message | None:
        try:
            return bus.recv(timeout)
        except (can.CanError, OSError) as e:
            if self._closed:
                raise ConnectionLost(f"CAN source {self.name} was closed") from e
            raise ConnectionLost(f"CAN source {self.name} failed while receiving: {e}") from e
        except ValueError as e:  # a serial adapter's garbled line
            raise ProtocolError(f"CAN source {self.name} received something unreadable: {e}") from e

    def _raise_pending(self) -> None:
        error, self._pending_error = self._pending_error, None
        if error is not None:
            raise error
