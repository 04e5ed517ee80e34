"""SignalDatabase: one loaded DBC/KCD/ARXML/SYM file as the trace, plot and UI tree see it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import cantools
from cantools.database.can import Database, Message, Signal

from drivers.signal_db.errors import SignalDecodeError

log = logging.getLogger(__name__)

LoadMode = Literal["strict", "lenient", "repaired"]
Value = int | float


@dataclass(frozen=True, slots=True)
class SignalInfo:
    """One signal of one message. ``choices`` is its value table (raw value -> text), empty when none.

    Multiplexing: ``is_multiplexer`` for a selector signal; a multiplexed signal names its
    ``multiplexer_signal`` and the selector values (``multiplexer_ids``) it is present for.
    With extended multiplexing a signal can be both.
    """

    message_name: str
    name: str
    frame_id: int
    unit: str
    minimum: float | None
    maximum: float | None
    choices: Mapping[int, str] = field(hash=False)
    is_multiplexer: bool
    multiplexer_signal: str | None
    multiplexer_ids: tuple[int, ...]
    start: int
    length: int
    byte_order: str  # "little_endian" | "big_endian"
    is_signed: bool
    is_float: bool
    scale: float
    offset: float
    comment: str | None

    @property
    def is_multiplexed(self) -> bool:
        return self.multiplexer_signal is not None

    @property
    def full_name(self) -> str:
        """``MESSAGE.signal``, the name recordings and plots use (docs/ARCHITECTURE.md)."""
        return f"{self.message_name}.{self.name}"


@dataclass(frozen=True, slots=True)
class MessageInfo:
    name: str
    frame_id: int
    is_extended_frame: bool
    is_fd: bool
    length: int
    cycle_time: int | None  # ms
    senders: tuple[str, ...]
    comment: str | None
    is_multiplexed: bool
    signals: tuple[SignalInfo, ...]


class SignalDatabase:
    """A loaded signal database. Build it with :func:`drivers.signal_db.load_signal_database`."""

    def __init__(self, path: Path, database_format: str, database: Database, *,
                 load_mode: LoadMode = "strict", warnings: Iterable[str] = ()) -> None:
        self.path = path
        self.format = database_format
        self.load_mode: LoadMode = load_mode
        self.warnings: list[str] = list(warnings)
        self._db = database
        self._by_id: dict[int, Message] = {m.frame_id: m for m in database.messages}
        self.messages: tuple[MessageInfo, ...] = tuple(
            _message_info(m) for m in sorted(database.messages, key=lambda m: (m.frame_id, m.name)))
        self.signals: tuple[SignalInfo, ...] = tuple(s for m in self.messages for s in m.signals)
        self._info_by_id = {m.frame_id: m for m in self.messages}

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def strict(self) -> bool:
        """True when the file loaded with cantools' strict checks."""
        return self.load_mode == "strict"

    @property
    def cantools_database(self) -> Database:
        return self._db

    def __repr__(self) -> str:
        return (f"<SignalDatabase {self.name} {self.format} {len(self.messages)} messages "
                f"{len(self.signals)} signals {self.load_mode}>")

    def has_frame_id(self, frame_id: int) -> bool:
        return frame_id in self._by_id

    def message(self, frame_id: int) -> MessageInfo:
        try:
            return self._info_by_id[frame_id]
        except KeyError:
            raise SignalDecodeError(f"frame id 0x{frame_id:X} is not in {self.name}") from None

    def signal_tree(self) -> dict[str, tuple[SignalInfo, ...]]:
        """Message name -> its signals, messages in frame-id order: the UI's signal tree."""
        return {m.name: m.signals for m in self.messages}

    def decode(self, frame_id: int, data: bytes | bytearray | memoryview, *,
               qualified: bool = False, allow_truncated: bool = False) -> dict[str, Value]:
        """Physical values of the frame's signals (value tables not applied: numbers only).

        ``qualified`` keys them ``MESSAGE.signal``. SignalDecodeError for an unknown id, data
        of the wrong length (unless ``allow_truncated``) or an unknown multiplexer value.
        """
        message = self._by_id.get(frame_id)
        if message is None:
            raise SignalDecodeError(f"frame id 0x{frame_id:X} is not in {self.name}")
        try:
            payload = bytes(data)
            values = message.decode(payload, decode_choices=False, scaling=True, allow_truncated=allow_truncated)
        except (cantools.database.DecodeError, ValueError, TypeError, KeyError, IndexError) as e:
            raise SignalDecodeError(f"{message.name} (0x{frame_id:X}) in {self.name}: {e}") from e
        if not isinstance(values, dict):  # a container message decodes to a list of (message, values)
            raise SignalDecodeError(f"{message.name} (0x{frame_id:X}) is a container message; decode its contained PDUs")
        if qualified:
            return {f"{message.name}.{k}": v for k, v in values.items()}  # type: ignore[misc]
        return values  # type: ignore[return-value]


def _message_info(message: Message) -> MessageInfo:
    signals = tuple(_signal_info(message, s) for s in message.signals)
    return MessageInfo(
        name=message.name,
        frame_id=message.frame_id,
        is_extended_frame=bool(message.is_extended_frame),
        is_fd=bool(message.is_fd),
        length=int(message.length),
        cycle_time=message.cycle_time,
        senders=tuple(message.senders or ()),
        comment=message.comment,
        is_multiplexed=bool(message.is_multiplexed()),
        signals=signals,
    )


def _signal_info(message: Message, signal: Signal) -> SignalInfo:
    choices = MappingProxyType({int(k): str(v) for k, v in (signal.choices or {}).items()})
    return SignalInfo(
        message_name=message.name,
        name=signal.name,
        frame_id=message.frame_id,
        unit=signal.unit or "",
        minimum=_num(signal.minimum),
        maximum=_num(signal.maximum),
        choices=choices,
        is_multiplexer=bool(signal.is_multiplexer),
        multiplexer_signal=signal.multiplexer_signal,
        multiplexer_ids=tuple(int(i) for i in (signal.multiplexer_ids or ())),
        start=int(signal.start),
        length=int(signal.length),
        byte_order=signal.byte_order,
        is_signed=bool(signal.is_signed),
        is_float=bool(signal.is_float),
        scale=float(signal.scale),
        offset=float(signal.offset),
        comment=signal.comment,
    )


def _num(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
