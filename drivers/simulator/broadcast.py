"""Which broadcast frames the simulated car's modules send, and when, encoded with the DBC.

The schedule only decides and encodes; whoever owns the (virtual) CAN bus sends the frames.
Each message goes out every ``GenMsgCycleTime`` ms of simulation time; a multiplexed
message sends one multiplexer value per cycle, in turn. Values are clipped to each
signal's DBC range so a fault that drives a value off the scale never breaks encoding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import cast

import cantools

from resources import resource_path

SIM_DBC = ("dbc", "carvrooom_sim.dbc")


def load_sim_dbc() -> cantools.database.can.Database:
    """The simulator's signal database, loaded strictly (overlaps or bad ranges raise)."""
    return cast(cantools.database.can.Database, cantools.database.load_file(str(resource_path(*SIM_DBC)), strict=True))


def _range(signal: cantools.database.can.Signal) -> tuple[float, float]:
    lo, hi = signal.minimum, signal.maximum
    if lo is None or hi is None:
        raw_lo = -(1 << (signal.length - 1)) if signal.is_signed else 0
        raw_hi = (1 << (signal.length - 1)) - 1 if signal.is_signed else (1 << signal.length) - 1
        ends = (raw_lo * signal.scale + signal.offset, raw_hi * signal.scale + signal.offset)
        lo = min(ends) if lo is None else lo
        hi = max(ends) if hi is None else hi
    return float(lo), float(hi)


@dataclass
class _Entry:
    frame_id: int
    period: float
    multiplexer: str | None
    # (multiplexer value or None, ((signal name, low, high), ...)) in sending order
    variants: list[tuple[int | None, tuple[tuple[str, float, float], ...]]]
    next_due: float = 0.0
    turn: int = field(default=0)


class BroadcastSchedule:
    """``due(t, signals)`` -> the frames whose cycle time has come round by sim time ``t``."""

    def __init__(self, db: cantools.database.can.Database) -> None:
        self._db = db
        self._entries: list[_Entry] = []
        for msg in sorted(db.messages, key=lambda m: m.frame_id):
            if not msg.cycle_time:
                continue  # event-driven frames are not ours to schedule
            muxer = next((s.name for s in msg.signals if s.is_multiplexer), None)
            if muxer is None:
                plain = tuple((s.name, *_range(s)) for s in msg.signals)
                variants: list[tuple[int | None, tuple[tuple[str, float, float], ...]]] = [(None, plain)]
            else:
                by_value: dict[int, list[tuple[str, float, float]]] = {}
                for s in msg.signals:
                    for value in s.multiplexer_ids or ():
                        by_value.setdefault(value, []).append((s.name, *_range(s)))
                variants = [(v, tuple(sigs)) for v, sigs in sorted(by_value.items())]
            self._entries.append(_Entry(msg.frame_id, msg.cycle_time / 1000.0, muxer, variants))
        self._last_t = -math.inf

    def reset(self, t: float = 0.0) -> None:
        """Start every message's cycle again at ``t`` (e.g. at a new key-on)."""
        for e in self._entries:
            e.next_due = t
            e.turn = 0
        self._last_t = t

    def due(self, t: float, signals: dict[str, float]) -> list[tuple[int, bytes]]:
        if t < self._last_t:
            self.reset(t)  # simulation time restarted with a new drive
        self._last_t = t
        frames: list[tuple[int, bytes]] = []
        for e in self._entries:
            if t + 1e-9 < e.next_due:
                continue
            mux_value, sigs = e.variants[e.turn]
            e.turn = (e.turn + 1) % len(e.variants)
            data: dict[str, float] = {}
            if e.multiplexer is not None:
                data[e.multiplexer] = cast(int, mux_value)  # a multiplexed entry's variants all carry their value
            for name, lo, hi in sigs:
                value = signals.get(name, lo)
                if value != value:  # NaN
                    value = lo
                data[name] = lo if value < lo else (hi if value > hi else value)
            frames.append((e.frame_id, bytes(self._db.encode_message(e.frame_id, data, scaling=True, padding=False, strict=True))))
            e.next_due += e.period
            if e.next_due <= t:
                e.next_due = t + e.period  # fell behind: skip, never burst
        return frames
