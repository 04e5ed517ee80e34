"""Raw CAN frames as columns: the unit that travels from driver to recorder and store.

``n`` frames are six numpy columns and one small table:

* ``timestamp`` float64 (s, epoch), ``arbitration_id`` uint32, ``flags`` uint8 (bits below),
* ``dlc`` uint8: python-can's ``dlc`` — the payload length in bytes for CAN FD frames
  (0..8, 12, 16, 20, 24, 32, 48, 64), the DLC as sent for classic frames (which may be
  9..15 and still carry 8 bytes),
* ``data`` uint8 ``(n, 8)`` when every frame carries at most 8 bytes — the common case, kept
  exactly as fast as before — or ``(n, 64)`` when any frame carries more; bytes beyond a
  frame's length are zero,
* ``channel`` (uint8, uint16 beyond 256 channels in one batch): an index into
  ``channels``, the batch's table of bus channel names as python-can reports them
  (``0`` = the first channel of a BLF/ASC/TRC/MF4 log, ``"can0"`` for SocketCAN and
  candump, ``None`` when the source does not say). Batches with different tables merge in
  :meth:`FrameArrays.concat`.

Everything that selects rows goes through :meth:`FrameArrays.rows` (or ``frames[k]``), so the
channel table travels with the frames.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

# flags column bits
EXTENDED_ID = 0x01
REMOTE = 0x02
ERROR = 0x04
FD = 0x08
RX = 0x10  # received (not sent by this workstation)
BRS = 0x20  # CAN FD: the data phase went at the data bit rate (bit rate switch)
ESI = 0x40  # CAN FD: the sender was error passive (error state indicator)

CLASSIC_WIDTH = 8
FD_WIDTH = 64
FD_LENGTHS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64)  # by DLC code 0..15
ARRAY_FIELDS = ("timestamp", "arbitration_id", "flags", "dlc", "data", "channel")
UNKNOWN_CHANNELS: tuple[Hashable, ...] = (None,)

Channel = Hashable  # int, str or None, as python-can's Message.channel


def channel_label(name: Channel) -> str:
    """How a channel is shown and typed: ``1``, ``2``... for python-can's 0-based numbers
    (the numbers BLF, ASC, TRC and CANoe show), the interface name as is, ``""`` when unknown."""
    if name is None:
        return ""
    if isinstance(name, int | np.integer) and not isinstance(name, bool):
        return str(int(name) + 1)
    return str(name)


def _zeros_channel(n: int) -> np.ndarray:
    return np.zeros(n, np.uint8)


@dataclass(frozen=True, slots=True)
class FrameArrays:
    """``n`` frames: see the module docstring for the columns."""

    timestamp: np.ndarray  # float64 [n]
    arbitration_id: np.ndarray  # uint32 [n]
    flags: np.ndarray  # uint8 [n]
    dlc: np.ndarray  # uint8 [n]
    data: np.ndarray  # uint8 [n, 8] or [n, 64]
    if TYPE_CHECKING:
        # What a reader sees: __post_init__ fills a missing channel column and makes the table a tuple.
        channel: np.ndarray
        channels: tuple[Channel, ...]

        def __init__(self, timestamp: np.ndarray, arbitration_id: np.ndarray, flags: np.ndarray, dlc: np.ndarray,
                     data: np.ndarray, channel: np.ndarray | None = None,
                     channels: Sequence[Channel] = UNKNOWN_CHANNELS) -> None: ...
    else:
        channel: np.ndarray | None = None  # uint8/uint16 [n], index into ``channels``; None -> all 0
        channels: tuple[Channel, ...] = field(default=UNKNOWN_CHANNELS)

    def __post_init__(self) -> None:
        if self.channel is None:
            object.__setattr__(self, "channel", _zeros_channel(len(self.timestamp)))
        if not isinstance(self.channels, tuple):
            object.__setattr__(self, "channels", tuple(self.channels))

    def __len__(self) -> int:
        return len(self.timestamp)

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def empty(cls, width: int = CLASSIC_WIDTH) -> FrameArrays:
        return cls(np.empty(0, np.float64), np.empty(0, np.uint32), np.empty(0, np.uint8), np.empty(0, np.uint8),
                   np.empty((0, width), np.uint8))

    @classmethod
    def concat(cls, parts: Sequence[FrameArrays]) -> FrameArrays:
        """One batch of ``parts`` in order: data as wide as the widest part, channel tables merged."""
        parts = [p for p in parts if len(p)] or list(parts[:1])
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        first = parts[0]
        width = max(p.data.shape[1] for p in parts)
        same_width = all(p.data.shape[1] == width for p in parts)
        data = np.concatenate([p.data for p in parts]) if same_width else np.concatenate([_widen(p.data, width) for p in parts])
        if all(p.channels == first.channels for p in parts):
            channels = first.channels
            channel = np.concatenate([p.channel for p in parts])
        else:
            channels, codes = merge_channel_tables([(p.channels, p.channel) for p in parts])
            channel = np.concatenate(codes)
        return cls(np.concatenate([p.timestamp for p in parts]), np.concatenate([p.arbitration_id for p in parts]),
                   np.concatenate([p.flags for p in parts]), np.concatenate([p.dlc for p in parts]), data, channel, channels)

    @classmethod
    def from_columns(cls, columns: dict[str, np.ndarray], channels: Sequence[Channel] | None = None) -> FrameArrays:
        """From stored columns (``channel`` may be missing: chunks written before channels were kept)."""
        return cls(columns["timestamp"], columns["arbitration_id"], columns["flags"], columns["dlc"], columns["data"],
                   columns.get("channel"), tuple(channels) if channels else UNKNOWN_CHANNELS)

    # -- reading -----------------------------------------------------------------------------

    @property
    def width(self) -> int:
        """Data bytes per row: 8 (classic-only batch) or 64."""
        return int(self.data.shape[1])

    def rows(self, key: slice | np.ndarray | int) -> FrameArrays:
        """The frames selected by a slice, a boolean mask or an index array (the channel table kept)."""
        return FrameArrays(self.timestamp[key], self.arbitration_id[key], self.flags[key], self.dlc[key], self.data[key],
                           self.channel[key], self.channels)

    __getitem__ = rows

    def columns(self) -> dict[str, np.ndarray]:
        """The six columns by name (what a chunk stores; the channel table goes in :meth:`meta`)."""
        return {f: getattr(self, f) for f in ARRAY_FIELDS}

    def meta(self) -> dict[str, Any]:
        return {"channels": list(self.channels)}

    def lengths(self) -> np.ndarray:
        """Payload bytes each frame carries (int64): ``dlc`` for FD data frames, at most 8 for classic and error
        frames (a BLF error frame keeps the bytes of the frame it hit), 0 for remote frames."""
        fd = (self.flags & (FD | ERROR)) == FD
        out = np.where(fd, self.dlc, np.minimum(self.dlc, CLASSIC_WIDTH)).astype(np.int64)
        out[(self.flags & REMOTE) != 0] = 0
        return np.minimum(out, self.width)

    def payload(self, k: int) -> bytes:
        """Frame ``k``'s data bytes."""
        return self.data[k, : int(self.lengths_of(k))].tobytes()

    def lengths_of(self, k: int) -> int:
        """:meth:`lengths` of frame ``k``."""
        flag, dlc = int(self.flags[k]), int(self.dlc[k])
        if flag & REMOTE:
            return 0
        return min(dlc if (flag & (FD | ERROR)) == FD else min(dlc, CLASSIC_WIDTH), self.width)

    def channel_of(self, k: int) -> Channel:
        return self.channels[int(self.channel[k])]

    def channel_names(self) -> list[Channel]:
        """The channel name of every frame (a Python list: for writers and tests, not hot paths)."""
        table = self.channels
        return [table[i] for i in self.channel.tolist()]

    def on_channel(self, name: Channel) -> np.ndarray:
        """Boolean mask of the frames on channel ``name``."""
        hits = [i for i, c in enumerate(self.channels) if c == name and type(c) is type(name)]
        if not hits:
            return np.zeros(len(self), bool)
        mask: np.ndarray = np.isin(self.channel, hits) if len(hits) > 1 else self.channel == hits[0]
        return mask

    def present_channels(self) -> list[Channel]:
        """Channel names that frames of this batch use, in table order."""
        if len(self.channels) == 1:
            return list(self.channels) if len(self) else []
        used = np.unique(self.channel)
        return [self.channels[i] for i in used.tolist()]

    # -- reshaping -----------------------------------------------------------------------------

    def widened(self, width: int = FD_WIDTH) -> FrameArrays:
        if self.width >= width:
            return self
        return FrameArrays(self.timestamp, self.arbitration_id, self.flags, self.dlc, _widen(self.data, width),
                           self.channel, self.channels)

    def narrowed(self) -> FrameArrays:
        """The 8-byte form when no frame needs more (e.g. after selecting the classic frames of a mixed batch)."""
        if self.width == CLASSIC_WIDTH or (len(self) and int(self.lengths().max()) > CLASSIC_WIDTH):
            return self
        return FrameArrays(self.timestamp, self.arbitration_id, self.flags, self.dlc,
                           np.ascontiguousarray(self.data[:, :CLASSIC_WIDTH]), self.channel, self.channels)

    def with_channels(self, channel: np.ndarray, channels: Sequence[Channel]) -> FrameArrays:
        return FrameArrays(self.timestamp, self.arbitration_id, self.flags, self.dlc, self.data, channel, tuple(channels))

    def on_one_channel(self, name: Channel) -> FrameArrays:
        """The same frames, all on channel ``name``."""
        return self.with_channels(_zeros_channel(len(self)), (name,))


def _widen(data: np.ndarray, width: int) -> np.ndarray:
    if data.shape[1] == width:
        return data
    out = np.zeros((len(data), width), np.uint8)
    out[:, : data.shape[1]] = data
    return out


def _key(name: Channel) -> tuple[str, Channel]:
    return (type(name).__name__, name)  # 0 and False, 1 and "1" stay apart


def merge_channel_tables(parts: Sequence[tuple[Sequence[Channel], np.ndarray]],
                         table: Sequence[Channel] = ()) -> tuple[tuple[Channel, ...], list[np.ndarray]]:
    """One table for several (table, codes) pairs, starting from ``table``; returns it and each part's codes in it."""
    merged: list[Channel] = list(table)
    index = {_key(c): i for i, c in enumerate(merged)}
    out: list[np.ndarray] = []
    for names, codes in parts:
        lookup = np.empty(max(len(names), 1), np.int64)
        for i, name in enumerate(names):
            k = _key(name)
            if k not in index:
                index[k] = len(merged)
                merged.append(name)
            lookup[i] = index[k]
        out.append(lookup[codes])
    dtype = np.uint8 if len(merged) <= 256 else np.uint16
    return tuple(merged), [c.astype(dtype) for c in out]


def channel_codes(names: Sequence[Channel]) -> tuple[np.ndarray, tuple[Channel, ...]]:
    """Per-frame channel names -> (codes, table) in order of first appearance."""
    n = len(names)
    if n == 0:
        return _zeros_channel(0), UNKNOWN_CHANNELS
    first = names[0]
    if names.count(first) == n:  # one channel: the usual case (one C-level pass)
        return _zeros_channel(n), (first,)
    index: dict[tuple[str, Channel], int] = {}
    table: list[Channel] = []
    codes = np.empty(n, np.int64)
    for k, name in enumerate(names):
        key = _key(name)
        i = index.get(key)
        if i is None:
            i = index[key] = len(table)
            table.append(name)
        codes[k] = i
    return codes.astype(np.uint8 if len(table) <= 256 else np.uint16), tuple(table)


def fd_length(n: int) -> int:
    """The CAN FD payload length that holds ``n`` bytes (a frame is padded to it)."""
    for length in FD_LENGTHS:
        if length >= n:
            return length
    return FD_WIDTH
