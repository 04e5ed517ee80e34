"""python-can messages -> FrameArrays (carvrooom_desktop.domain.frames), the columnar batch, with no Python run per frame.

Each column is one ``map`` over ``attrgetter`` into ``np.fromiter`` (C-level loops); payloads
are one ``bytes.join``. The common batch — classic frames of 8 bytes — takes the same few
calls as before CAN FD was kept; a batch with a longer payload gets 64-byte rows, BRS/ESI are
read only when the batch holds FD frames, and a batch from one channel costs one
``list.count`` for its channel column.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import Any

import can
import numpy as np

from carvrooom_desktop.domain.frames import (
    BRS,
    CLASSIC_WIDTH,
    ERROR,
    ESI,
    EXTENDED_ID,
    FD,
    FD_WIDTH,
    REMOTE,
    RX,
    FrameArrays,
    channel_codes,
)

_TIMESTAMP = attrgetter("timestamp")
_ID = attrgetter("arbitration_id")
_DLC = attrgetter("dlc")
_DATA = attrgetter("data")
_CHANNEL = attrgetter("channel")
_FLAG_ATTRIBUTES = ((EXTENDED_ID, attrgetter("is_extended_id")), (REMOTE, attrgetter("is_remote_frame")),
                    (ERROR, attrgetter("is_error_frame")), (RX, attrgetter("is_rx")))
_FD_ATTRIBUTES = ((BRS, attrgetter("bitrate_switch")), (ESI, attrgetter("error_state_indicator")))
_IS_FD = attrgetter("is_fd")


def frames_from_messages(messages: Sequence[can.Message]) -> FrameArrays:
    """Columns of ``messages``: payloads up to 64 bytes (zero-padded rows of 8 or 64), ``dlc`` as python-can's
    (the length in bytes for FD frames), flags with FD/BRS/ESI, and each message's ``channel``."""
    n = len(messages)
    if n == 0:
        return FrameArrays.empty()
    flags = np.zeros(n, np.uint8)
    for bit, getter in _FLAG_ATTRIBUTES:
        set_ = np.fromiter(map(getter, messages), np.bool_, n)
        if set_.any():
            flags |= set_.view(np.uint8) * np.uint8(bit)
    fd = np.fromiter(map(_IS_FD, messages), np.bool_, n)
    if fd.any():
        flags |= fd.view(np.uint8) * np.uint8(FD)
        for bit, getter in _FD_ATTRIBUTES:
            set_ = np.fromiter(map(getter, messages), np.bool_, n) & fd
            if set_.any():
                flags |= set_.view(np.uint8) * np.uint8(bit)
    channel, channels = channel_codes(list(map(_CHANNEL, messages)))
    return FrameArrays(
        timestamp=np.fromiter(map(_TIMESTAMP, messages), np.float64, n),
        arbitration_id=np.fromiter(map(_ID, messages), np.uint32, n),
        flags=flags,
        dlc=np.minimum(np.fromiter(map(_DLC, messages), np.int64, n), 255).astype(np.uint8),
        data=payloads(list(map(_DATA, messages))),
        channel=channel,
        channels=channels,
    )


_BYTE8 = np.arange(CLASSIC_WIDTH)
_BYTE64 = np.arange(FD_WIDTH)


def payloads(items: list[Any]) -> np.ndarray:
    """Payloads (bytes-like, None for none) -> rows of 8 bytes, or 64 when one is longer than 8; zero-padded."""
    n = len(items)
    try:
        joined = b"".join(items)
    except TypeError:  # a None payload (a remote frame built by hand)
        items = [b"" if p is None else p for p in items]
        joined = b"".join(items)
    if len(joined) == CLASSIC_WIDTH * n:
        lengths = np.fromiter(map(len, items), np.int64, n)
        if (lengths == CLASSIC_WIDTH).all():  # the common case: classic 8-byte frames
            return np.frombuffer(joined, np.uint8).reshape(n, CLASSIC_WIDTH).copy()
    else:
        lengths = np.fromiter(map(len, items), np.int64, n)
    # Mixed lengths (short frames, CAN FD): scatter each payload into a padded row.
    longest = int(lengths.max()) if n else 0
    width, columns = (CLASSIC_WIDTH, _BYTE8) if longest <= CLASSIC_WIDTH else (FD_WIDTH, _BYTE64)
    flat = np.frombuffer(joined, np.uint8)
    offsets = np.cumsum(lengths) - lengths
    keep = columns < np.minimum(lengths, width)[:, None]
    data = np.zeros((n, width), np.uint8)
    data[keep] = flat[(offsets[:, None] + columns)[keep]]
    return data


def as_frame_arrays(batch: FrameArrays | Sequence[can.Message]) -> FrameArrays:
    return batch if isinstance(batch, FrameArrays) else frames_from_messages(batch)
