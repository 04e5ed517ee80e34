"""Helpers of the acquisition tests: frames to push through a virtual bus, waiting without timing asserts."""

from __future__ import annotations

import time

import can
import numpy as np


def wait_for(predicate, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"{what} not reached in {timeout} s")


def random_frames(dbc, n: int, seed: int = 0) -> list[can.Message]:
    """``n`` frames of the simulator's messages (and a few unknown ids) with random payloads; mux values valid."""
    rng = np.random.default_rng(seed)
    messages = [m for m in dbc.messages]
    out = []
    for i in range(n):
        if rng.random() < 0.1:
            out.append(can.Message(arbitration_id=int(rng.integers(0x400, 0x7DF)), data=rng.bytes(8), is_extended_id=False))
            continue
        message = messages[int(rng.integers(len(messages)))]
        data = bytearray(rng.bytes(message.length))
        payload = bytes(data)
        mux = next((s for s in message.signals if s.is_multiplexer), None)
        if mux is not None:  # a random multiplexer value would be refused by cantools and by us alike: pick a known one
            ids = sorted({i for s in message.signals for i in (s.multiplexer_ids or ())})
            template = message.encode({s.name: 0 for s in message.signals} | {mux.name: ids[int(rng.integers(len(ids)))]},
                                      scaling=False, strict=False)
            mux_bits = _signal_mask(mux, message.length)
            payload = bytes((k & m) | (r & ~m & 0xFF) for k, r, m in zip(template, data, mux_bits, strict=True))
        out.append(can.Message(arbitration_id=message.frame_id, data=payload, is_extended_id=message.is_extended_frame,
                               timestamp=float(i)))
    return out


def _signal_mask(signal, length: int) -> bytes:
    """Bytes with ones where ``signal`` lies in a message of ``length`` bytes (cantools' own bit layout)."""
    import cantools

    probe = cantools.database.can.Message(frame_id=1, name="probe", length=length, signals=[
        cantools.database.can.Signal(name="s", start=signal.start, length=signal.length, byte_order=signal.byte_order)])
    raw = probe.encode({"s": (1 << signal.length) - 1}, scaling=False, strict=False)
    return bytes(raw)
