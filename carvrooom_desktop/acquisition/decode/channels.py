"""One signal database per bus channel: a BatchDecoder for each, one DecodedBatch out.

    decoder = ChannelDecoder({0: powertrain_db, 1: chassis_fd_db})   # python-can channel names
    decoder = ChannelDecoder({"can0": pt}, default=body_db)           # every other channel: body_db
    batch = decoder.decode(frames)                                      # frames of any channels, mixed

Channels are matched by name as the frames carry them (``frames.channels``: python-can's
``Message.channel``); an int channel ``k`` also matches a name ending in the number ``k``
(``"can0"`` is channel 0, as python-can's writers take it). Frames on a channel without a
database (and no ``default``) are counted as unknown.

Signal names stay ``MESSAGE.signal`` unless two channels' databases define the same name;
then those names are ``<channel>:MESSAGE.signal`` with the channel as it is shown
(:func:`carvrooom_desktop.domain.frames.channel_label`: ``1:ENGINE.rpm`` for python-can's
channel 0, ``can1:ENGINE.rpm``). The default database's names stay plain.
``qualify=True`` qualifies every channel's names; ``qualify=False`` refuses databases whose
names collide.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping

import numpy as np

from carvrooom_desktop.acquisition.decode.decoder import BatchDecoder, DecodedBatch, SignalCatalogue
from carvrooom_desktop.acquisition.decode.plan import Database, DatabasePlan, SignalPlan
from carvrooom_desktop.domain.frames import Channel, FrameArrays, channel_label
from carvrooom_desktop.errors import InvalidRequest

_TRAILING_NUMBER = re.compile(r".*?(\d+)$")
_DEFAULT = object()  # the key of the default database


def channel_number(name: Channel) -> int | None:
    """python-can's ``channel2int``: an int as is, a name ending in digits as that number, else None."""
    if isinstance(name, bool):
        return None
    if isinstance(name, int | np.integer):
        return int(name)
    if isinstance(name, str):
        match = _TRAILING_NUMBER.match(name)
        return int(match.group(1)) if match else None
    return None


def parse_channel(text: str) -> Channel:
    """A channel as typed on the command line: ``1``, ``2``... are the log's channel numbers (python-can's 0, 1...);
    any other text is an interface name (``can0``, ``vcan1``)."""
    text = text.strip()
    if text.isdigit():
        if int(text) < 1:
            raise InvalidRequest(f"channel numbers start at 1 (as BLF, ASC and TRC show them), got {text}")
        return int(text) - 1
    if not text:
        raise InvalidRequest("empty channel name")
    return text


def _decoder(database: Database | BatchDecoder, **kwargs: bool) -> BatchDecoder:
    return database if isinstance(database, BatchDecoder) else BatchDecoder(database, **kwargs)


class ChannelDecoder(SignalCatalogue):
    """Decode each channel's frames with that channel's database (BatchDecoders built once)."""

    def __init__(self, databases: Mapping[Channel, Database | BatchDecoder], *, default: Database | BatchDecoder | None = None,
                 qualify: bool | str = "auto", **kwargs: bool) -> None:
        if qualify not in ("auto", True, False):
            raise ValueError(f"qualify must be 'auto', True or False, got {qualify!r}")
        self.decoders: dict[Channel, BatchDecoder] = {name: _decoder(db, **kwargs) for name, db in databases.items()}
        self.default: BatchDecoder | None = _decoder(default, **kwargs) if default is not None else None
        seen: dict[str, int] = {}
        for decoder in self.decoders.values():
            for name in decoder.signals:
                seen[name] = seen.get(name, 0) + 1
        if self.default is not None:
            for name in self.default.signals:
                seen[name] = seen.get(name, 0) + 1
        collide = {name for name, count in seen.items() if count > 1}
        if collide and qualify is False:
            raise InvalidRequest(f"{len(collide)} signal name(s) come from more than one channel's database "
                             f"(e.g. {sorted(collide)[0]}); use qualify='auto' or True")
        self._by_key: dict[object, BatchDecoder] = dict(self.decoders)
        self._rename: dict[object, dict[str, str]] = {}
        for channel, decoder in self.decoders.items():
            label = channel_label(channel) or "?"
            self._rename[channel] = {n: (f"{label}:{n}" if qualify is True or n in collide else n) for n in decoder.signals}
        if self.default is not None:
            self._by_key[_DEFAULT] = self.default
            self._rename[_DEFAULT] = {n: n for n in self.default.signals}
        self._prefix = {key: (f"{channel_label(key) or '?'}:" if any(v != n for n, v in renames.items()) else "")
                        for key, renames in self._rename.items()}
        self.signals: dict[str, SignalPlan] = {}
        for key, renames in self._rename.items():
            for plain, shown in renames.items():
                self.signals.setdefault(shown, self._by_key[key].signals[plain])
        self.warnings = tuple(w for d in self._by_key.values() for w in d.warnings)
        self._by_number = {channel_number(c): c for c in self.decoders if channel_number(c) is not None}

    # -- what the databases offer (the BatchDecoder interface) ---------------------------------

    @property
    def plan(self) -> DatabasePlan:
        """Every channel's message plans in one (plain message names; for listing ids and names)."""
        return DatabasePlan(tuple(m for d in self._by_key.values() for m in d.plan.messages), self.warnings)


    def signals_for_ids(self, ids: Iterable[int]) -> list[str]:
        """Signal names of the messages with these ids, on any channel (export: which columns a recording has)."""
        ids = set(ids)
        out: list[str] = []
        for key, renames in self._rename.items():
            out.extend(renames[n] for n in self._by_key[key].signals_for_ids(ids) if renames[n] not in out)
        return out

    def resolve(self, channel: Channel) -> tuple[object, BatchDecoder | None]:
        """(the key that decodes ``channel``, its decoder): its own database, one by channel number, the default, or none."""
        for key in self.decoders:
            if key == channel and type(key) is type(channel):
                return key, self.decoders[key]
        number = channel_number(channel)
        if number is not None and number in self._by_number:
            key = self._by_number[number]
            return key, self.decoders[key]
        if self.default is not None:
            return _DEFAULT, self.default
        return None, None

    # -- decoding ----------------------------------------------------------------------------

    def decode(self, frames: FrameArrays, names: Collection[str] | None = None) -> DecodedBatch:
        out = DecodedBatch(signals={}, frames=len(frames))
        if len(frames) == 0:
            return out
        groups: dict[object, list[int]] = {}
        for index, channel in enumerate(frames.channels):
            key, decoder = self.resolve(channel)
            if decoder is not None:
                groups.setdefault(key, []).append(index)
        for key, indexes in groups.items():
            renames = self._rename[key]
            if len(groups) == 1 and len(indexes) == len(frames.channels):
                part = frames
            else:
                mask = np.isin(frames.channel, indexes) if len(indexes) > 1 else frames.channel == indexes[0]
                if not mask.any():
                    continue
                part = frames.rows(mask)
            wanted = None if names is None else [plain for plain, shown in renames.items() if shown in names]
            if wanted is not None and not wanted:
                continue
            batch = self._by_key[key].decode(part, wanted)
            out.matched += batch.matched
            prefix = self._prefix[key]
            for message, count in batch.invalid.items():
                name = f"{prefix}{message}" if prefix else message
                out.invalid[name] = out.invalid.get(name, 0) + count
            for name, series in batch.signals.items():
                out.signals[renames[name]] = series
        return out
