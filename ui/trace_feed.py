"""Where the CAN trace gets its frames from, and how it transmits (no Qt here).

The live session keeps a window of the newest raw frames (``frames_since(cursor)``,
filled by its frame pipeline one batch at a time) and transmits through its own bus
handle (``send_frame``), so the trace works on every python-can interface without a
second handle on the bus. The trace's timer drains the window in batches.
Transmitting is role-checked here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import can

from carvrooom_desktop.domain import FrameArrays
from carvrooom_desktop.domain.roles import Permission, Role, allowed
from carvrooom_desktop.errors import PermissionDenied

log = logging.getLogger(__name__)


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


def check_may_transmit(role_name: str, session: Any = None) -> None:
    """The page's check before a frame goes out. With a signed-in user on the session the core decides (their
    permissions, a custom role's included, and it audits); without one, the workstation's role, as before users."""
    acting = getattr(session, "acting", None)
    if callable(acting) and acting() is not None:
        return
    try:
        role = Role(role_name)
    except ValueError:
        raise PermissionDenied(f"the workstation role {role_name!r} is not a known role") from None
    if not allowed(role, Permission.TRANSMIT_FRAMES):
        raise PermissionDenied(f"a {role.value} may not transmit CAN frames (Settings: role)")


class SessionFrameFeed:
    """The live session's frame window and its bus handle for transmitting."""

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

    def stop_periodic(self) -> int:
        return self.session.stop_periodic()

    @property
    def periodic_count(self) -> int:
        return self.session.periodic_count

    def close(self) -> None:
        self.session.stop_periodic()


def feed_for(session: Any) -> FrameFeed | None:
    """The session's frame feed, or None (an ELM327 hands over OBD replies, not the raw bus)."""
    if getattr(session, "has_frame_window", False):
        return SessionFrameFeed(session)
    return None
