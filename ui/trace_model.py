"""The CAN trace table: a ``QAbstractTableModel`` over columnar frames (``FrameArrays``).

:class:`TraceFrames` keeps the newest ``capacity`` frames as numpy columns plus, per
frame, the time since the previous frame of the same id (computed per batch, vectorised).
The model shows either every frame that passes the filter (scrolling mode) or one row
per bus and id with its last frame, count and last interval (fixed mode). Rows are an index
array into the columns; a cell is formatted only when the view asks for it, so only the
visible rows are ever turned into text — and decoded with the signal database.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from carvrooom_desktop.domain import FrameArrays
from carvrooom_desktop.domain.frames import (
    ARRAY_FIELDS,
    BRS,
    ERROR,
    EXTENDED_ID,
    FD,
    REMOTE,
    RX,
    channel_label,
    merge_channel_tables,
)

AnyIndex = QModelIndex | QPersistentModelIndex
SCROLLING, FIXED = "scrolling", "fixed"
COLUMNS = ("Time (s)", "Δt (s)", "Bus", "ID", "Type", "DLC", "Data", "Count", "Message / signals")
TIME, DELTA, BUS, ID, TYPE, DLC, DATA, COUNT, MESSAGE = range(len(COLUMNS))
DECODE_CACHE = 2_000  # decoded rows kept (the view asks for the same rows on every repaint)


class TraceFrames:
    """The newest ``capacity`` frames as columns; ``delta`` is the interval to the previous frame of the same id (NaN for the first).

    Columns live in arrays twice the capacity, filled from the front: an append copies only
    the batch; when the end is reached the newest ``capacity`` frames move to the front once
    (amortised O(1) per frame, never a copy of the whole trace per batch).
    """

    def __init__(self, capacity: int = 500_000) -> None:
        self.capacity = capacity
        self._store = FrameArrays.empty()
        self._delta = np.empty(0)
        self._start = 0
        self._end = 0
        self.t0: float | None = None  # the time origin shown (first frame seen)
        self.dropped = 0  # frames pushed out at the top
        self._last_by_key: dict[int, float] = {}

    def __len__(self) -> int:
        return self._end - self._start

    @property
    def frames(self) -> FrameArrays:
        return self._store.rows(slice(self._start, self._end))

    @property
    def delta(self) -> np.ndarray:
        return self._delta[self._start : self._end]

    def clear(self) -> None:
        type(self).__init__(self, self.capacity)

    @staticmethod
    def keys(frames: FrameArrays, channel: np.ndarray | None = None) -> np.ndarray:
        """One key per (bus, id, standard/extended): the same id on two buses is two messages."""
        codes = frames.channel if channel is None else channel
        return (frames.arbitration_id.astype(np.int64) | ((frames.flags & EXTENDED_ID) != 0).astype(np.int64) << 32
                | codes.astype(np.int64) << 33)

    def append(self, batch: FrameArrays) -> int:
        """Add a batch; returns how many old frames were dropped to stay within ``capacity``."""
        n = len(batch)
        if n == 0:
            return 0
        if self.t0 is None:
            self.t0 = float(batch.timestamp[0])
        # The batch's bus codes in the trace's own channel table, before keys are made from them.
        channels, (codes,) = merge_channel_tables([(batch.channels, batch.channel)], self._store.channels)
        keys = self.keys(batch, codes)
        order = np.lexsort((batch.timestamp, keys))
        k, t = keys[order], batch.timestamp[order]
        gaps = np.empty(n)
        gaps[1:] = t[1:] - t[:-1]
        first = np.r_[True, k[1:] != k[:-1]]
        last = np.r_[k[1:] != k[:-1], True]
        gaps[first] = [t_ - self._last_by_key.get(int(key), np.nan) for key, t_ in zip(k[first], t[first], strict=True)]
        self._last_by_key.update(zip(k[last].tolist(), t[last].tolist(), strict=True))
        delta = np.empty(n)
        delta[order] = gaps
        if n > self.capacity:  # a batch bigger than the trace: keep its newest part
            cut = n - self.capacity
            batch = batch.rows(slice(cut, None))
            delta, codes = delta[cut:], codes[cut:]
            self.dropped += cut
            n = self.capacity
        self._make_room(n, batch.width)
        if channels != self._store.channels:
            self._store = self._store.with_channels(self._store.channel, channels)
        a, b = self._end, self._end + n
        for field in ARRAY_FIELDS[:4]:
            getattr(self._store, field)[a:b] = getattr(batch, field)
        self._store.data[a:b, : batch.width] = batch.data
        self._store.data[a:b, batch.width:] = 0
        self._store.channel[a:b] = codes
        self._delta[a:b] = delta
        self._end = b
        over = len(self) - self.capacity
        if over > 0:
            self._start += over
            self.dropped += over
            return over
        return 0

    def _make_room(self, n: int, width: int = 8) -> None:
        size = len(self._delta)
        width = max(width, self._store.width)
        if self._end + n <= size and width == self._store.width:
            return
        keep = len(self)  # <= capacity, and n <= capacity: both fit in twice the capacity
        a, b = self._start, self._end
        new_size = min(2 * self.capacity, max(1024, 2 * (keep + n)))
        store = FrameArrays(np.empty(new_size), np.empty(new_size, np.uint32), np.empty(new_size, np.uint8),
                            np.empty(new_size, np.uint8), np.zeros((new_size, width), np.uint8),
                            np.empty(new_size, np.uint16), self._store.channels)  # data up to 64 bytes (CAN FD)
        for field in ARRAY_FIELDS[:4] + ("channel",):
            getattr(store, field)[:keep] = getattr(self._store, field)[a:b]
        store.data[:keep, : self._store.width] = self._store.data[a:b]
        delta = np.empty(new_size)
        delta[:keep] = self._delta[a:b]
        self._store, self._delta, self._start, self._end = store, delta, 0, keep

    def fixed_rows(self, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """One row per id (sorted by id): (index of its last frame, frames of that id) among ``mask``."""
        keys = self.keys(self.frames)
        index = np.arange(len(keys)) if mask is None else np.flatnonzero(mask)
        if len(index) == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        k = keys[index]
        order = np.lexsort((index, k))
        k, ordered = k[order], index[order]
        last = np.r_[k[1:] != k[:-1], True]
        starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
        counts = np.diff(np.r_[starts, len(k)])
        return ordered[last], counts


def parse_id_filter(text: str) -> list[tuple[int, int]]:
    """"7E8, 0x100-0x1FF" -> [(0x7E8, 0x7E8), (0x100, 0x1FF)]; ValueError naming the bad part."""
    ranges = []
    for part in filter(None, (p.strip() for p in re.split(r"[,\s]+", text))):
        lo_text, _, hi_text = part.partition("-")
        try:
            lo = int(lo_text.lower().removeprefix("0x"), 16)
            hi = int(hi_text.lower().removeprefix("0x"), 16) if hi_text else lo
        except ValueError:
            raise ValueError(f"{part!r} is not an id or id range in hex (e.g. 7E8 or 100-1FF)") from None
        ranges.append((min(lo, hi), max(lo, hi)))
    return ranges


class TraceTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None, capacity: int = 500_000) -> None:
        super().__init__(parent)
        self.trace = TraceFrames(capacity)
        self.mode = SCROLLING
        self.decoder: Any = None  # a BatchDecoder, or None
        self._names: dict[int, str] = {}  # frame id -> message name
        self._ranges: list[tuple[int, int]] = []
        self._text = ""
        self._text_ids: np.ndarray | None = None  # ids whose message or signal names match the text
        self._rows = np.empty(0, np.int64)
        self._counts = np.empty(0, np.int64)
        self._decoded: OrderedDict[int, str] = OrderedDict()
        self._mono = QFont("monospace")
        self._mono.setStyleHint(QFont.StyleHint.TypeWriter)

    # -- configuration --------------------------------------------------------------------------

    def set_decoder(self, decoder: Any) -> None:
        self.decoder = decoder
        self._names = {m.frame_id: m.name for m in decoder.plan.messages} if decoder is not None else {}
        self._decoded.clear()
        self._set_text_ids()
        self.refresh()

    def set_mode(self, mode: str) -> None:
        if mode not in (SCROLLING, FIXED):
            raise ValueError(f"trace mode must be {SCROLLING!r} or {FIXED!r}")
        self.mode = mode
        self.refresh()

    def set_filters(self, id_text: str = "", text: str = "") -> None:
        """ValueError for an id filter that does not parse (the old filters stay)."""
        ranges = parse_id_filter(id_text)
        self._ranges = ranges
        self._text = text.strip().lower()
        self._set_text_ids()
        self.refresh()

    def _set_text_ids(self) -> None:
        if not self._text:
            self._text_ids = None
            return
        ids = [fid for fid, name in self._names.items() if self._text in name.lower()]
        if self.decoder is not None:
            ids += [m.frame_id for m in self.decoder.plan.messages
                    if any(self._text in f"{m.name}.{s.name}".lower() for s in m.signals)]
        self._text_ids = np.unique(np.array(ids, np.int64))

    # -- data in ------------------------------------------------------------------------------

    def clear(self) -> None:
        self.beginResetModel()
        self.trace.clear()
        self._rows = np.empty(0, np.int64)
        self._counts = np.empty(0, np.int64)
        self._decoded.clear()
        self.endResetModel()

    def add_frames(self, batch: FrameArrays) -> None:
        if len(batch) == 0:
            return
        dropped = self.trace.append(batch)
        if dropped:
            self._decoded.clear()
        if self.mode == SCROLLING and not dropped:
            start = len(self.trace) - len(batch)
            new = start + np.flatnonzero(self._mask(slice(start, None)))
            if len(new):
                self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(new) - 1)
                self._rows = np.concatenate([self._rows, new])
                self.endInsertRows()
            return
        self.refresh()

    def _mask(self, part: slice = slice(None)) -> np.ndarray:
        f = self.trace.frames
        ids = f.arbitration_id[part].astype(np.int64)
        mask = np.ones(len(ids), bool)
        if self._ranges:
            mask = np.zeros(len(ids), bool)
            for lo, hi in self._ranges:
                mask |= (ids >= lo) & (ids <= hi)
        if self._text_ids is not None:
            mask &= np.isin(ids, self._text_ids)
        return mask

    def refresh(self) -> None:
        self.beginResetModel()
        mask = self._mask()
        if self.mode == SCROLLING:
            self._rows, self._counts = np.flatnonzero(mask), np.empty(0, np.int64)
        else:
            self._rows, self._counts = self.trace.fixed_rows(mask)
        self.endResetModel()

    def frame_index(self, row: int) -> int:
        return int(self._rows[row])

    # -- Qt model -------------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            right = index.column() in (TIME, DELTA, DLC, COUNT)
            return int((Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == BUS:  # interface names are long (vcan0, a simulator's bus)
            return self.text(index.row(), BUS)
        if role == Qt.ItemDataRole.FontRole and index.column() in (ID, DATA):
            return self._mono
        return None

    def text(self, row: int, column: int) -> str:
        i = int(self._rows[row])
        f = self.trace.frames
        if column == TIME:
            return f"{f.timestamp[i] - (self.trace.t0 or 0.0):.4f}"
        if column == DELTA:
            d = self.trace.delta[i]
            return "" if np.isnan(d) else f"{d:.4f}"
        if column == BUS:
            return channel_label(f.channels[int(f.channel[i])])
        if column == ID:
            fid = int(f.arbitration_id[i])
            return f"{fid:08X}" if f.flags[i] & EXTENDED_ID else f"{fid:03X}"
        if column == TYPE:
            flags = int(f.flags[i])
            kind = "error" if flags & ERROR else "remote" if flags & REMOTE else "data"
            fd = (" fd brs" if flags & BRS else " fd") if flags & FD else ""
            return f"{kind} {'rx' if flags & RX else 'tx'}{fd}"
        if column == DLC:
            return str(int(f.dlc[i]))
        if column == DATA:
            return " ".join(f"{b:02X}" for b in f.data[i, : f.lengths_of(i)])
        if column == COUNT:
            return str(int(self._counts[row])) if self.mode == FIXED and row < len(self._counts) else ""
        return self.decoded(i)

    def decoded(self, i: int) -> str:
        """The message name and its signals' values for frame ``i`` (decoded now, for a visible row only)."""
        cached = self._decoded.get(i)
        if cached is not None:
            return cached
        name = self._names.get(int(self.trace.frames.arbitration_id[i]), "")
        text = name
        if name and self.decoder is not None:
            f = self.trace.frames
            one = f.rows(slice(i, i + 1))
            batch = self.decoder.decode(one)
            values = ", ".join(f"{n.split('.', 1)[1]}={v[0]:.6g}" for n, (_t, v) in batch.signals.items() if len(v))
            text = f"{name}: {values}" if values else f"{name} (not decodable)"
        self._decoded[i] = text
        if len(self._decoded) > DECODE_CACHE:
            self._decoded.popitem(last=False)
        return text

    @property
    def decoded_count(self) -> int:
        """Frames decoded so far (tests check that only visible rows were)."""
        return len(self._decoded)
