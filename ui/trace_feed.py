"""Where the CAN trace gets its frames from, and how it transmits (no Qt here).

A live session hands its frames to the recorder and decoder only; until it offers a
read-only frame window of its own (``frames_since(cursor) -> (FrameArrays, cursor)``),
the trace opens its own handle on the same bus: a second python-can instance on the
session's virtual channel (the simulated car) or CAN interface (socketcan and virtual
allow several handles; an interface that refuses says so, clearly). That handle is
read by the project's :class:`BusReader` thread and drained in batches by the trace's
timer, and transmits the technician's frames. Transmitting is role-checked here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import can

from carvrooom_desktop.acquisition.bus_reader import BusReader
from carvrooom_desktop.acquisition.frame_collector import to_frame_arrays
from carvrooom_desktop.domain import FrameArrays
from carvrooom_desktop.domain.roles import Permission, Role, allowed
from carvrooom_desktop.errors import PermissionDenied

log = logging.getLogger(__name__)

SHARED_HANDLE_INTERFACES = frozenset({"virtual", "socketcan"})  # a second handle sees the same bus


class FrameFeed(Protocol):
    label: str

    def take(self) -> FrameArrays: ...
    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class TransmitSpec:
    """One frame to send, once (``period_s`` None) or every ``period_s`` seconds."""

    arbitration_id: int
    data: bytes
    extended: bool = False
    period_s: float | None = None

    @classmethod
    def parse(cls, id_text: str, data_text: str, *, extended: bool = False, period_ms: float = 0.0) -> TransmitSpec:
        """From what the technician typed: id in hex ("7DF", "0x7DF"), data as hex bytes ("02 01 0C")."""
        text = id_text.strip().lower().removeprefix("0x")
        try:
            frame_id = int(text, 16)
        except ValueError:
            raise ValueError(f"the id {id_text!r} is not a hexadecimal number (e.g. 7DF)") from None
        limit = 0x1FFFFFFF if extended else 0x7FF
        if not 0 <= frame_id <= limit:
            raise ValueError(f"the id 0x{frame_id:X} is beyond {'29' if extended else '11'}-bit ids (max 0x{limit:X})")
        cleaned = data_text.replace(" ", "").replace(":", "").replace("-", "")
        try:
            data = bytes.fromhex(cleaned)
        except ValueError:
            raise ValueError(f"the data {data_text!r} is not hex bytes (e.g. 02 01 0C)") from None
        if len(data) > 8:
            raise ValueError(f"a classic CAN frame carries at most 8 bytes, not {len(data)}")
        if period_ms < 0:
            raise ValueError("the period must be zero (send once) or positive")
        return cls(frame_id, data, extended, period_ms / 1000.0 if period_ms else None)

    def message(self) -> can.Message:
        return can.Message(arbitration_id=self.arbitration_id, data=self.data, is_extended_id=self.extended)


def check_may_transmit(role_name: str) -> None:
    try:
        role = Role(role_name)
    except ValueError:
        raise PermissionDenied(f"the workstation role {role_name!r} is not a known role") from None
    if not allowed(role, Permission.TRANSMIT_FRAMES):
        raise PermissionDenied(f"a {role.value} may not transmit CAN frames (Settings: role)")


class SessionFrameFeed:
    """The session's own frame window, once it has one (``frames_since``)."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.label = "live bus (session)"
        self._cursor = 0

    def take(self) -> FrameArrays:
        frames, self._cursor = self.session.frames_since(self._cursor)
        return frames

    def send(self, spec: TransmitSpec) -> Any:
        send = getattr(self.session, "send_frame", None)
        if send is None:
            raise RuntimeError("this session cannot transmit frames")
        return send(spec.message(), spec.period_s)

    def close(self) -> None:
        pass


class BusHandleFeed:
    """Our own python-can handle on the session's bus: read by a BusReader thread, transmits too."""

    def __init__(self, interface: str, channel: str, label: str) -> None:
        self.label = label
        try:
            self.bus = can.Bus(interface=interface, channel=channel, receive_own_messages=True)
        except (can.CanError, OSError, ValueError, ImportError) as e:
            raise OSError(f"the trace could not open its own handle on {interface}:{channel}: {e}") from e
        self.reader = BusReader(self.bus, name="trace-bus").start()
        self._periodic: list[Any] = []

    def take(self) -> FrameArrays:
        return to_frame_arrays(self.reader.take())

    def send(self, spec: TransmitSpec) -> Any:
        msg = spec.message()
        if spec.period_s is None:
            self.bus.send(msg, timeout=0.2)
            return None
        task = self.bus.send_periodic(msg, spec.period_s)
        self._periodic.append(task)
        return task

    def stop_periodic(self) -> int:
        tasks, self._periodic = self._periodic, []
        for task in tasks:
            task.stop()
        return len(tasks)

    @property
    def periodic_count(self) -> int:
        return len(self._periodic)

    def close(self) -> None:
        self.stop_periodic()
        self.reader.stop()
        self.bus.shutdown()


def feed_for(session: Any) -> FrameFeed | None:
    """The best frame feed the session allows, or None (an ELM327 shows no raw bus)."""
    if hasattr(session, "frames_since"):
        return SessionFrameFeed(session)
    car = getattr(session, "car", None)
    channel = getattr(car, "channel", None)
    if channel:
        return BusHandleFeed("virtual", channel, "simulated car's CAN bus")
    source = getattr(session, "source", None)
    if getattr(source, "kind", "") == "can":
        interface, _, name = source.channel.partition(":")
        if interface not in SHARED_HANDLE_INTERFACES:
            raise OSError(f"{interface} does not allow a second handle on {name}: the trace needs the session's "
                          "frame window there (not yet available)")
        return BusHandleFeed(interface, name, f"CAN {source.channel}")
    return None
