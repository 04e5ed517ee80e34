"""Extraction plans: a cantools database compiled once into shifts, masks and mux conditions.

Bit positions: every signal is read from one 64-bit window of the payload, 8 bytes from
byte ``byte`` (0 for every signal of a classic 8-byte message, so those read the frame's
first 8 bytes as one word, as before CAN FD). The window is the aligned 8-byte word that
holds the signal when there is one (signals in one word share it), else the 8 bytes from
the signal's first byte; a signal that fits in neither (more than 57 bits, badly aligned)
also takes ``spill`` bits from the byte after the window.

* Intel (``little_endian``): ``start`` is the LSB; the window is read as a little-endian
  ``uint64`` and the signal is ``(window >> shift) & mask`` with ``shift = start - 8*byte``.
* Motorola (``big_endian``): ``start`` is the MSB in DBC "sawtooth" numbering. Its
  network position (bit 0 = MSB of byte 0) is ``msb = 8*(start//8) + 7 - start%8``; the
  window is read as a big-endian ``uint64`` and the signal is
  ``(window >> (8*byte + 64 - msb - length)) & mask``.

Multiplexing mirrors cantools' codec tree (``Message._create_codec``), flattened: a
signal is present when its multiplexer is present and has one of the signal's
multiplexer ids; a present multiplexer whose value is none of its known ids (children's
ids plus its value-table keys) makes cantools reject the whole frame, so we mark the
frame invalid too. Signals that cantools never reaches (a multiplexer that is not
declared as one, ids missing) are left out, as cantools leaves them out.

Where cantools (loaded with ``strict=False``) cannot unpack a message because of its
layout (overlapping signals, a signal that does not fit the message), its
``decode_message`` refuses every such frame; the plan marks the message ``refused`` and
the decoder refuses the frames too, so results stay identical. With ``salvage=True`` we
decode every signal whose bits lie inside the message instead, each from its own bits,
and drop the ones outside with a warning on the plan.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field

from typing import TYPE_CHECKING, Any, TypeAlias, cast

import numpy as np

log = logging.getLogger(__name__)

WORD_BITS = 64  # one window
FRAME_BYTES = 64  # a CAN FD payload; FrameArrays rows are 8 or 64 bytes
_FLOAT_LENGTHS = (16, 32, 64)


@dataclass(frozen=True, slots=True)
class SignalPlan:
    """How to get one signal's physical value out of a frame's 64-bit word."""

    name: str  # "MESSAGE.signal"
    signal: str
    little_endian: bool
    shift: int  # in the window
    length: int
    mask: int
    need_bits: int  # bits of data (from byte 0) the signal needs: for allow_truncated
    signed: bool
    float_bits: int  # 0 for integers, else 16/32/64
    scale: float
    offset: float
    unit: str
    choices: dict[int, str]
    is_multiplexer: bool
    parent: int | None  # index (in MessagePlan.signals) of the multiplexer this signal needs
    mux_ids: tuple[int, ...]  # parent values this signal is present for
    byte: int = 0  # first byte of the 64-bit window the signal is read from
    spill: int = 0  # bits (1..7) the signal takes from the byte after its window

    @property
    def needs_word(self) -> str:
        return "le" if self.little_endian else "be"


@dataclass(frozen=True, slots=True)
class MessagePlan:
    name: str
    frame_id: int
    is_extended: bool
    length: int
    signals: tuple[SignalPlan, ...]
    mux_keys: dict[int, np.ndarray]  # multiplexer signal index -> sorted known values
    mux_order: tuple[int, ...]  # multiplexers, parents before children
    warnings: tuple[str, ...] = ()
    refused: str | None = None  # why cantools refuses every frame of this message (not salvaged)
    uses_le: bool = field(default=False)
    uses_be: bool = field(default=False)
    one_word: bool = True  # every signal in the first 8 bytes (window 0, no spill): the classic fast path
    bytes_needed: int = 8  # payload bytes the windows read (a multiple of 8 up to 64, +1 with a spill)

    @property
    def is_multiplexed(self) -> bool:
        return bool(self.mux_keys)


@dataclass(frozen=True, slots=True)
class DatabasePlan:
    messages: tuple[MessagePlan, ...]
    warnings: tuple[str, ...]

    def by_name(self) -> dict[str, SignalPlan]:
        return {s.name: s for m in self.messages for s in m.signals}


if TYPE_CHECKING:
    import cantools.database.can

    from drivers.signal_db.database import SignalDatabase

# What a decoder is built from: a cantools Database, or a drivers.signal_db SignalDatabase holding one.
Database: TypeAlias = "cantools.database.can.Database | SignalDatabase"

_cache: weakref.WeakKeyDictionary[cantools.database.can.Database, dict[bool, DatabasePlan]] = weakref.WeakKeyDictionary()


def cantools_database(database: Database) -> cantools.database.can.Database:
    """A cantools Database from one, or from a drivers.signal_db SignalDatabase."""
    return cast("cantools.database.can.Database", getattr(database, "cantools_database", database))


def compile_database(database: Database, *, salvage: bool = False) -> DatabasePlan:
    """Plans for every message of ``database`` (cantools Database or SignalDatabase), cached per database."""
    db = cantools_database(database)
    per_db = _cache.setdefault(db, {})
    if salvage in per_db:
        return per_db[salvage]
    messages: list[MessagePlan] = []
    warnings: list[str] = []
    for message in db.messages:
        if getattr(message, "is_container", False):
            warnings.append(f"{message.name}: a container message (AUTOSAR PDUs) is not decoded")
            continue
        plan = compile_message(message, salvage=salvage)
        messages.append(plan)
        warnings.extend(plan.warnings)
    result = DatabasePlan(tuple(messages), tuple(warnings))
    per_db[salvage] = result
    return result


def _unpack_failures(message: cantools.database.can.Message) -> list[tuple[tuple[str, int], ...]]:
    """Where in cantools' codec tree unpacking fails for any data (its layout is broken there).

    Each entry is the path of (multiplexer, id) choices leading to the failing node; the
    empty path is the message itself. cantools raises "unpacking failed" for every frame
    that reaches such a node, whatever the data.
    """
    codecs = getattr(message, "_codecs", None)
    if not codecs:
        return []
    zeros = bytes(int(message.length))
    failures: list[tuple[tuple[str, int], ...]] = []

    def walk(node: dict[str, Any], path: tuple[tuple[str, int], ...]) -> None:
        try:
            node["formats"].big_endian.unpack(zeros)
            node["formats"].little_endian.unpack(zeros)
        except Exception:  # noqa: BLE001 - bitstruct raises several kinds; any of them means "refused"
            failures.append(path)
            return
        for name, children in node["multiplexers"].items():
            for mux_id, child in children.items():
                walk(child, (*path, (name, int(mux_id))))

    walk(codecs, ())
    return failures


def _bit_layout(signal: cantools.database.can.Signal, message_length: int) -> tuple[int, int, int, int, str | None]:
    """(window byte, shift in it, spill bits, bits needed from byte 0, why it cannot be decoded or None)."""
    length = int(signal.length)
    if signal.byte_order == "little_endian":
        first = int(signal.start)  # LSB, little-endian bit numbering
    else:
        first = 8 * (signal.start // 8) + 7 - signal.start % 8  # MSB, network bit numbering
    need = first + length
    if length <= 0:
        return 0, 0, 0, need, "has no bits"
    if need > 8 * message_length:
        return 0, 0, 0, need, f"does not fit in the message ({need} bits needed, {8 * message_length} available)"
    if need > 8 * FRAME_BYTES:
        return 0, 0, 0, need, f"lies beyond the {FRAME_BYTES} data bytes a CAN FD frame carries"
    word = first // WORD_BITS
    if need <= WORD_BITS * (word + 1):  # inside one aligned 8-byte word
        byte = 8 * word
    else:
        byte = first // 8
    offset = first - 8 * byte
    spill = max(0, offset + length - WORD_BITS)
    if signal.byte_order == "little_endian":
        shift = offset
    else:
        shift = max(0, WORD_BITS - offset - length)
    return byte, shift, spill, need, None


def _reachable(message: cantools.database.can.Message) -> tuple[list[cantools.database.can.Signal], dict[str, set[int]]]:
    """Signals that cantools' codec tree contains (parents first), and each multiplexer's known ids."""
    by_parent: dict[str | None, list[cantools.database.can.Signal]] = {}
    for s in message.signals:
        by_parent.setdefault(s.multiplexer_signal, []).append(s)
    order: list[cantools.database.can.Signal] = []
    seen: set[str] = set()
    keys: dict[str, set[int]] = {}

    def visit(parent: str | None, depth: int) -> None:
        if depth > 16:
            return
        for s in by_parent.get(parent, []):
            if parent is not None and not s.multiplexer_ids:
                continue
            if s.name in seen:
                continue
            seen.add(s.name)
            order.append(s)
            if s.is_multiplexer:
                ids: set[int] = set()
                for child in by_parent.get(s.name, []):
                    ids.update(child.multiplexer_ids or ())
                if s.conversion.choices:
                    ids.update(int(k) for k in s.conversion.choices)
                keys[s.name] = ids
                visit(s.name, depth + 1)

    visit(None, 0)
    return order, keys


def compile_message(message: cantools.database.can.Message, *, salvage: bool = False) -> MessagePlan:
    length = int(message.length)
    warnings: list[str] = []
    ordered, keys = _reachable(message)
    refused = None
    if not salvage:
        for path in _unpack_failures(message):
            if not path:
                refused = "cantools cannot unpack it (overlapping signals or a signal outside the message)"
                warnings.append(f"{message.name}: {refused}; its frames are refused")
            else:
                name, mux_id = path[-1]
                keys.get(name, set()).discard(mux_id)  # that multiplexer value now refuses the frame
                warnings.append(f"{message.name}: cantools cannot unpack {name}={mux_id}; those frames are refused")
    skipped = [s.name for s in message.signals if s not in ordered]
    if skipped:
        warnings.append(f"{message.name}: {', '.join(skipped)} never decoded (multiplexer not declared)")
    plans: list[SignalPlan] = []
    index: dict[str, int] = {}
    for s in ordered:
        byte, shift, spill, need, problem = _bit_layout(s, length)
        if problem is None and s.is_float and s.length not in _FLOAT_LENGTHS:
            problem = f"is a {s.length}-bit float"
        if problem is None and s.multiplexer_signal is not None and s.multiplexer_signal not in index:
            problem = f"depends on multiplexer {s.multiplexer_signal}, which cannot be decoded"
        if problem is not None:
            warnings.append(f"{message.name}.{s.name} {problem}; not decoded")
            continue
        conversion = s.conversion
        scale, offset = conversion.scale, conversion.offset
        index[s.name] = len(plans)
        plans.append(SignalPlan(
            name=f"{message.name}.{s.name}", signal=s.name, little_endian=s.byte_order == "little_endian",
            shift=shift, length=int(s.length), mask=(1 << int(s.length)) - 1, need_bits=need,
            signed=bool(s.is_signed), float_bits=int(s.length) if s.is_float else 0,
            scale=float(scale), offset=float(offset), unit=s.unit or "",
            choices={int(k): str(v) for k, v in (s.choices or {}).items()},
            is_multiplexer=bool(s.is_multiplexer),
            parent=index[s.multiplexer_signal] if s.multiplexer_signal is not None else None,
            mux_ids=tuple(sorted(int(i) for i in cast(list[int], s.multiplexer_ids))) if s.multiplexer_signal is not None else (),
            byte=byte, spill=spill,
        ))
    mux_keys = {index[n]: np.array(sorted(ids), np.int64) for n, ids in keys.items() if n in index}
    mux_order = tuple(i for i, p in enumerate(plans) if p.is_multiplexer and i in mux_keys)
    return MessagePlan(
        name=message.name, frame_id=int(message.frame_id), is_extended=bool(message.is_extended_frame),
        length=length, signals=tuple(plans), mux_keys=mux_keys, mux_order=mux_order, warnings=tuple(warnings),
        refused=refused, uses_le=any(p.little_endian for p in plans), uses_be=any(not p.little_endian for p in plans),
        one_word=all(p.byte == 0 and not p.spill for p in plans),
        bytes_needed=max((p.byte + 8 + (1 if p.spill else 0) for p in plans), default=8),
    )
