"""python-can messages <-> FrameArrays (carvrooom_desktop.domain.frames), the columnar batch."""

from __future__ import annotations

from collections.abc import Sequence

import can
import numpy as np

from carvrooom_desktop.domain.frames import (
    ERROR,
    EXTENDED_ID,
    FD,
    REMOTE,
    RX,
    FrameArrays,
)

_PAD = bytes(8)


def frames_from_messages(messages: Sequence[can.Message]) -> FrameArrays:
    """One pass per column; data keeps the first 8 bytes (FD payloads are truncated), ``dlc`` is the length in bytes."""
    n = len(messages)
    if n == 0:
        return FrameArrays.empty()
    flags = np.fromiter(
        ((EXTENDED_ID if m.is_extended_id else 0) | (REMOTE if m.is_remote_frame else 0)
         | (ERROR if m.is_error_frame else 0) | (FD if m.is_fd else 0) | (RX if m.is_rx else 0) for m in messages),
        np.uint8, n)
    data = np.frombuffer(b"".join((bytes(m.data[:8]) + _PAD)[:8] for m in messages), np.uint8).reshape(n, 8)
    return FrameArrays(
        timestamp=np.fromiter((m.timestamp for m in messages), np.float64, n),
        arbitration_id=np.fromiter((m.arbitration_id for m in messages), np.uint32, n),
        flags=flags,
        dlc=np.fromiter((min(m.dlc, 255) for m in messages), np.uint8, n),
        data=data.copy(),
    )


def as_frame_arrays(batch: FrameArrays | Sequence[can.Message]) -> FrameArrays:
    return batch if isinstance(batch, FrameArrays) else frames_from_messages(batch)
