"""The vectorised batch decoder: FrameArrays in, one (timestamps, values) pair per signal out.

No Python runs per frame: frames are grouped by message (one stable radix sort), each
group's data is read as 64-bit words, and every signal is a shift, a mask, a sign
extension or float view, and a scale — numpy over the whole group. A classic message
(8 bytes) reads one word per frame, as before CAN FD; a longer (FD) message reads the
8-byte windows its signals lie in (plan.py), each once per group.

Results equal ``cantools.Database.decode_message(id, data, decode_choices=False,
scaling=True)`` frame by frame (tests/logs/test_decoder_property.py), including which
frames it refuses:

* a frame shorter than its message (payload length < message length) is invalid
  (cantools: "Wrong data size"); with ``allow_truncated=True`` the signals that lie in the
  bytes present are decoded and the others left out, as cantools' ``allow_truncated`` does;
* a frame whose multiplexer value is unknown is invalid for all its signals;
* longer frames are read up to the message length;
* remote and error frames are never decoded.

A message whose layout cantools cannot unpack (overlapping signals, a signal outside the
message; loaded with ``strict=False``) is refused as cantools refuses it, unless the
decoder was built with ``salvage=True``, which decodes the signals that do fit.

Frames are matched to messages by identifier only, as cantools and the live session do;
``match_extended=True`` also requires the 11/29-bit kind to agree with the DBC. A
BatchDecoder decodes every channel with its one database; :class:`ChannelDecoder` gives
each bus channel its own.
Values are float64 (integers beyond 2**53 lose their lowest bits); value tables are not
applied: use :attr:`BatchDecoder.choices` to name a raw number.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import cast
from dataclasses import dataclass, field

import numpy as np

from carvrooom_desktop.acquisition.decode.plan import Database, DatabasePlan, MessagePlan, SignalPlan, compile_database
from carvrooom_desktop.domain.frames import CLASSIC_WIDTH, ERROR, EXTENDED_ID, FD_WIDTH, REMOTE, FrameArrays

Series = tuple[np.ndarray, np.ndarray]  # (timestamps float64, values float64)
_EXT_KEY = np.uint32(1 << 31)


@dataclass(slots=True)
class DecodedBatch:
    """Signals decoded from one batch of frames, and what could not be decoded."""

    signals: dict[str, Series]
    frames: int = 0  # frames in the batch
    matched: int = 0  # frames whose id is in the database (data frames only)
    invalid: dict[str, int] = field(default_factory=dict)  # message name -> frames refused (short DLC, unknown mux)

    @property
    def unknown(self) -> int:
        return self.frames - self.matched

    @property
    def invalid_total(self) -> int:
        return sum(self.invalid.values())


class SignalCatalogue:
    """Names, units and value tables of ``self.signals`` (name -> SignalPlan): shared by the decoders."""

    signals: dict[str, SignalPlan]

    @property
    def signal_names(self) -> list[str]:
        return list(self.signals)

    @property
    def units(self) -> dict[str, str]:
        return {n: s.unit for n, s in self.signals.items()}

    @property
    def choices(self) -> dict[str, dict[int, str]]:
        """Value tables (raw number -> text) of the signals that have one."""
        return {n: s.choices for n, s in self.signals.items() if s.choices}


class BatchDecoder(SignalCatalogue):
    """Decode batches of raw frames with one signal database; plans are compiled once per database."""

    def __init__(self, database: Database, *, allow_truncated: bool = False, match_extended: bool = False, salvage: bool = False) -> None:
        self.plan: DatabasePlan = compile_database(database, salvage=salvage)
        self.allow_truncated = allow_truncated
        self.match_extended = match_extended
        messages = list(self.plan.messages)
        keys = np.array([self._key(m.frame_id, m.is_extended) for m in messages], np.uint32)
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        self._messages: list[MessagePlan] = [messages[i] for i in order]
        self.signals: dict[str, SignalPlan] = self.plan.by_name()
        self.warnings = self.plan.warnings

    def _key(self, frame_id: int, extended: bool) -> int:
        return (frame_id | (1 << 31)) if (self.match_extended and extended) else frame_id

    # -- what the database offers ----------------------------------------------------------


    def signals_for_ids(self, ids: Iterable[int]) -> list[str]:
        """Signal names of the messages with these frame ids."""
        ids = set(ids)
        return [s.name for m in self.plan.messages if m.frame_id in ids for s in m.signals]

    # -- decoding --------------------------------------------------------------------------

    def decode(self, frames: FrameArrays, names: Collection[str] | None = None) -> DecodedBatch:
        """Decode every frame of a known message; ``names`` limits the work to those signals."""
        out = DecodedBatch(signals={}, frames=len(frames))
        n_messages = len(self._messages)
        if len(frames) == 0 or n_messages == 0:
            return out
        wanted = None if names is None else set(names)
        ids = np.asarray(frames.arbitration_id, np.uint32)
        flags = np.asarray(frames.flags)
        if self.match_extended:
            ids = ids | np.where(flags & EXTENDED_ID, _EXT_KEY, np.uint32(0))
        pos = np.searchsorted(self._keys, ids)
        np.minimum(pos, n_messages - 1, out=pos)
        hit = self._keys[pos] == ids
        hit &= (flags & (REMOTE | ERROR)) == 0
        group = np.where(hit, pos, n_messages).astype(np.uint16 if n_messages < 65535 else np.uint32)
        counts = np.bincount(group, minlength=n_messages + 1)
        out.matched = int(len(frames) - counts[n_messages])
        if out.matched == 0:
            return out
        order = np.argsort(group, kind="stable")  # radix sort for uint16
        starts = np.concatenate(([0], np.cumsum(counts)))
        data = np.ascontiguousarray(frames.data, dtype=np.uint8)
        width = data.shape[1]
        words = data.view("<u8")  # (n, width // 8)
        first_words = words[:, 0] if width > CLASSIC_WIDTH else words.reshape(-1)
        timestamps = np.asarray(frames.timestamp, np.float64)
        dlc = np.asarray(frames.dlc)
        payload = _Lengths(frames)
        for m in np.flatnonzero(counts[:n_messages]):
            plan = self._messages[m]
            if wanted is not None and not any(s.name in wanted for s in plan.signals):
                continue
            rows = order[starts[m]:starts[m + 1]]
            windows: _OneWord | _Windows
            if plan.one_word:
                le = first_words[rows]
                windows = _OneWord(le, le.byteswap() if plan.uses_be else None)
            else:
                windows = _Windows(data, words, rows, plan.bytes_needed)
            self._decode_message(plan, rows, windows, timestamps, dlc, payload, wanted, out)
        return out

    def _decode_message(self, plan: MessagePlan, rows: np.ndarray, windows: _OneWord | _Windows, timestamps: np.ndarray,
                        dlc: np.ndarray, payload: _Lengths, wanted: set[str] | None, out: DecodedBatch) -> None:
        if plan.refused is not None:
            out.invalid[plan.name] = out.invalid.get(plan.name, 0) + len(rows)
            return
        t = timestamps[rows]
        n = len(rows)
        # a classic message decides by DLC (frames of 8 bytes or a longer DLC hold all of it); a longer
        # message, or truncated decoding, by the payload bytes the frame really carries
        lengths = payload.of(rows) if (plan.length > CLASSIC_WIDTH or self.allow_truncated) else dlc[rows]
        valid = None if self.allow_truncated else lengths >= plan.length
        if valid is not None and valid.all():
            valid = None
        available_bits = lengths.astype(np.int32) * 8 if self.allow_truncated else None

        values: dict[int, np.ndarray] = {}
        present: dict[int, np.ndarray | None] = {}  # signal index -> rows where it is present (None: all)
        if plan.is_multiplexed:
            bad = np.zeros(n, bool)
            for i in plan.mux_order:
                sig = plan.signals[i]
                here = self._presence(sig, present, values, available_bits, n)
                values[i] = v = windows.extract(sig)
                present[i] = here
                mux = _mux_numbers(v)
                unknown = ~np.isin(mux, plan.mux_keys[i])
                bad |= unknown if here is None else (unknown & here)
            if bad.any():
                valid = ~bad if valid is None else (valid & ~bad)
            if valid is not None and not valid.any():
                out.invalid[plan.name] = out.invalid.get(plan.name, 0) + n
                return
        if valid is not None:
            refused = int(n - np.count_nonzero(valid))
            out.invalid[plan.name] = out.invalid.get(plan.name, 0) + refused
            if refused == n:
                return

        for i, sig in enumerate(plan.signals):
            if wanted is not None and sig.name not in wanted:
                continue
            here = present.get(i) if i in present else self._presence(sig, present, values, available_bits, n)
            v = values[i] if i in values else windows.extract(sig)
            keep = valid if here is None else (here if valid is None else (here & valid))
            if keep is None:
                out.signals[sig.name] = (t, v)
            elif keep.any():
                out.signals[sig.name] = (t[keep], v[keep])

    def _presence(self, sig: SignalPlan, present: dict[int, np.ndarray | None], values: dict[int, np.ndarray],
                  available_bits: np.ndarray | None, n: int) -> np.ndarray | None:
        """Rows where ``sig`` is decoded: its multiplexer has one of its ids, its bits are in the data."""
        here = None
        if sig.parent is not None:
            parent_here = present[sig.parent]
            mux = _mux_numbers(values[sig.parent])
            ids = sig.mux_ids
            here = (mux == ids[0]) if len(ids) == 1 else np.isin(mux, ids)
            if parent_here is not None:
                here &= parent_here
        if available_bits is not None:
            fits = available_bits >= sig.need_bits
            here = fits if here is None else (here & fits)
            if here.all():
                here = None
        return here


class _Lengths:
    """Payload bytes per frame, computed once per batch and only if a message needs them."""

    __slots__ = ("_frames", "_lengths")

    def __init__(self, frames: FrameArrays) -> None:
        self._frames = frames
        self._lengths: np.ndarray | None = None

    def of(self, rows: np.ndarray) -> np.ndarray:
        if self._lengths is None:
            self._lengths = self._frames.lengths()
        lengths: np.ndarray = self._lengths[rows]
        return lengths


class _OneWord:
    """The classic fast path: every signal in the first 8 bytes, read as one word per frame."""

    __slots__ = ("le", "be")

    def __init__(self, le: np.ndarray, be: np.ndarray | None) -> None:
        self.le, self.be = le, be

    def extract(self, sig: SignalPlan) -> np.ndarray:
        return _extract(sig, self.le, self.be)


class _Windows:
    """The 8-byte windows of one message's frames (CAN FD payloads), each read once and kept."""

    __slots__ = ("_data", "_words", "_rows", "_le", "_be", "_block")

    def __init__(self, data: np.ndarray, words: np.ndarray, rows: np.ndarray, bytes_needed: int) -> None:
        self._data, self._words, self._rows = data, words, rows
        self._le: dict[int, np.ndarray] = {}
        self._be: dict[int, np.ndarray] = {}
        self._block: np.ndarray | None = None
        if bytes_needed > data.shape[1]:  # a batch narrower than the message (8-byte rows): the rest is zeros
            block = np.zeros((len(rows), FD_WIDTH + 8), np.uint8)
            block[:, : data.shape[1]] = data[rows]
            self._block = block

    def le(self, byte: int) -> np.ndarray:
        word = self._le.get(byte)
        if word is None:
            if self._block is not None:
                word = np.ascontiguousarray(self._block[:, byte:byte + 8]).view("<u8").reshape(-1)
            elif byte % 8 == 0:
                word = self._words[self._rows, byte // 8]
            else:
                word = np.ascontiguousarray(self._data[self._rows, byte:byte + 8]).view("<u8").reshape(-1)
            self._le[byte] = word
        return word

    def be(self, byte: int) -> np.ndarray:
        word = self._be.get(byte)
        if word is None:
            word = self._be[byte] = self.le(byte).byteswap()
        return word

    def byte(self, index: int) -> np.ndarray:
        source = self._block if self._block is not None else self._data
        if self._block is not None or index < source.shape[1]:
            return (source[:, index] if self._block is not None else source[self._rows, index]).astype(np.uint64)
        return np.zeros(len(self._rows), np.uint64)

    def extract(self, sig: SignalPlan) -> np.ndarray:
        if not sig.spill:
            if sig.little_endian:
                return _extract(sig, self.le(sig.byte), None)
            return _extract(sig, None, self.be(sig.byte))
        # more than a window: its first bits from the window, the last ``spill`` from the next byte
        spill = np.uint64(sig.spill)
        kept = np.uint64(sig.length - sig.spill)  # bits from the window
        following = self.byte(sig.byte + 8)
        if sig.little_endian:
            offset = np.uint64(64 - int(kept))
            raw = (self.le(sig.byte) >> offset) | ((following & np.uint64((1 << sig.spill) - 1)) << kept)
        else:
            low = self.be(sig.byte) & np.uint64((1 << int(kept)) - 1)
            raw = (low << spill) | (following >> np.uint64(8 - sig.spill))
        return _to_value(sig, raw)


def _extract(sig: SignalPlan, le: np.ndarray | None, be: np.ndarray | None) -> np.ndarray:
    word = cast(np.ndarray, le if sig.little_endian else be)  # callers pass the word of the signal's byte order
    raw = word >> np.uint64(sig.shift) if sig.shift else word
    if sig.length < 64:
        raw = raw & np.uint64(sig.mask)
    return _to_value(sig, raw)


def _to_value(sig: SignalPlan, raw: np.ndarray) -> np.ndarray:
    if sig.float_bits == 32:
        with np.errstate(invalid="ignore"):  # signalling NaNs in the data are values, not errors
            value = raw.astype(np.uint32).view(np.float32).astype(np.float64)
    elif sig.float_bits == 64:
        value = raw.view(np.float64)
    elif sig.float_bits == 16:
        with np.errstate(invalid="ignore"):
            value = raw.astype(np.uint16).view(np.float16).astype(np.float64)
    elif sig.signed:
        signed = raw.view(np.int64)
        if sig.length < 64:
            sign = np.int64(1 << (sig.length - 1))
            signed = (signed ^ sign) - sign
        value = signed.astype(np.float64)
    else:
        value = raw.astype(np.float64)
    if sig.scale != 1.0 or sig.offset != 0.0:
        value = value * sig.scale + sig.offset
    return value


def _mux_numbers(values: np.ndarray) -> np.ndarray:
    """cantools uses ``int(scaled value)`` as the multiplexer number."""
    finite = np.isfinite(values)
    out = np.trunc(np.where(finite, values, -1.0)).astype(np.int64)
    if not finite.all():
        out[~finite] = np.iinfo(np.int64).min  # matches no id: the frame is refused
    return out
