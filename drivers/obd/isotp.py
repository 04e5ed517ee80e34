"""ISO 15765-2 (ISO-TP) framing for OBD-II on CAN: single, first, consecutive and flow-control frames.

Pure functions build and read frames; :class:`IsoTpReceiver` reassembles one
message. The transport around them (who sends, who waits) lives in the client and
in the simulated ECU, so both sides share this one implementation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.errors import ProtocolError

PAD = 0xAA  # ISO 15765-4 recommends padding to 8 bytes; value is free
MAX_LENGTH = 4095

SINGLE, FIRST, CONSECUTIVE, FLOW_CONTROL = 0, 1, 2, 3
FC_CONTINUE, FC_WAIT, FC_OVERFLOW = 0, 1, 2


def _pad(data: bytes) -> bytes:
    return data + bytes((PAD,)) * (8 - len(data))


def segment(payload: bytes) -> list[bytes]:
    """Split a message into CAN data fields: one single frame, or a first frame and consecutive frames."""
    n = len(payload)
    if n == 0 or n > MAX_LENGTH:
        raise ValueError(f"ISO-TP payload must be 1..{MAX_LENGTH} bytes, got {n}")
    if n <= 7:
        return [_pad(bytes((n,)) + payload)]
    frames = [bytes((0x10 | (n >> 8), n & 0xFF)) + payload[:6]]
    seq = 1
    for i in range(6, n, 7):
        frames.append(_pad(bytes((0x20 | seq,)) + payload[i : i + 7]))
        seq = (seq + 1) & 0xF
    return frames


def flow_control(status: int = FC_CONTINUE, block_size: int = 0, st_min: int = 0) -> bytes:
    return _pad(bytes((0x30 | status, block_size, st_min)))


def frame_type(data: bytes) -> int:
    if not data:
        raise ProtocolError("empty CAN frame where an ISO-TP frame was expected")
    return data[0] >> 4


def parse_flow_control(data: bytes) -> tuple[int, int, float]:
    """-> (status, block size, separation time in seconds)."""
    if frame_type(data) != FLOW_CONTROL or len(data) < 3:
        raise ProtocolError(f"expected a flow-control frame, got {data.hex(' ')}")
    st = data[2]
    seconds = st / 1000 if st <= 0x7F else (st - 0xF0) / 10_000 if 0xF1 <= st <= 0xF9 else 0.127
    return data[0] & 0xF, data[1], seconds


@dataclass
class IsoTpReceiver:
    """Reassembles one message from frames fed in order; ``feed`` says when it is complete."""

    expected: int = 0
    buffer: bytearray = field(default_factory=bytearray)
    next_seq: int = 1

    @property
    def started(self) -> bool:
        return self.expected > 0

    def feed(self, data: bytes) -> bytes | None:
        """Returns the whole payload when done, None when more frames are needed.

        Returns a flow-control request by raising nothing: the caller checks
        :attr:`needs_flow_control` after a first frame.
        """
        kind = frame_type(data)
        if kind == SINGLE:
            length = data[0] & 0xF
            if not 1 <= length <= len(data) - 1:
                raise ProtocolError(f"single frame with bad length {length}: {data.hex(' ')}")
            self.expected = 0
            return bytes(data[1 : 1 + length])
        if kind == FIRST:
            length = ((data[0] & 0xF) << 8) | data[1] if len(data) >= 8 else 0
            if length <= 7:
                raise ProtocolError(f"first frame with bad length {length}: {data.hex(' ')}")
            self.expected, self.buffer, self.next_seq = length, bytearray(data[2:8]), 1
            return None
        if kind == CONSECUTIVE:
            if not self.started:
                raise ProtocolError(f"consecutive frame without a first frame: {data.hex(' ')}")
            seq = data[0] & 0xF
            if seq != self.next_seq:
                self.expected = 0
                raise ProtocolError(f"consecutive frame out of order: got {seq}, expected {self.next_seq}")
            self.next_seq = (seq + 1) & 0xF
            self.buffer += data[1:8]
            if len(self.buffer) >= self.expected:
                payload = bytes(self.buffer[: self.expected])
                self.expected = 0
                return payload
            return None
        raise ProtocolError(f"unexpected ISO-TP frame type {kind}: {data.hex(' ')}")

    @property
    def needs_flow_control(self) -> bool:
        return self.started and self.next_seq == 1 and len(self.buffer) == 6
