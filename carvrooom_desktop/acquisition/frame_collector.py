"""Frames as python-can hands them over -> columnar batches, with no Python code run per frame.

The bus thread only appends each ``can.Message`` to a list (the one call per frame
python-can makes unavoidable); the consumer takes the list in one step and
:func:`to_frame_arrays` turns it into columns with C-level loops (``map`` over
``attrgetter`` into ``np.fromiter``, one ``bytes.join`` for the payloads).
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

import can
import numpy as np

from carvrooom_desktop.domain import FrameArrays
from carvrooom_desktop.domain.frames import ERROR, EXTENDED_ID, FD, REMOTE, RX

_TIMESTAMP = attrgetter("timestamp")
_ID = attrgetter("arbitration_id")
_DLC = attrgetter("dlc")
_DATA = attrgetter("data")
_FLAG_ATTRIBUTES = ((EXTENDED_ID, attrgetter("is_extended_id")), (REMOTE, attrgetter("is_remote_frame")),
                    (ERROR, attrgetter("is_error_frame")), (FD, attrgetter("is_fd")), (RX, attrgetter("is_rx")))
_BYTE = np.arange(8)


class PendingFrames:
    """A list one thread appends to and another takes from in batches, without a lock.

    ``append`` is ``list.append``; :meth:`take` copies the first ``n`` items and deletes
    exactly those, each one C call under the GIL, so a frame appended meanwhile stays
    for the next take (a swap of the list would lose it).
    """

    def __init__(self) -> None:
        self._items: list[can.Message] = []
        self.append = self._items.append
        self.taken = 0  # frames handed out so far

    def __len__(self) -> int:
        return len(self._items)

    @property
    def total(self) -> int:
        """Frames ever appended (taken + waiting)."""
        return self.taken + len(self._items)

    def take(self) -> list[can.Message]:
        items = self._items
        n = len(items)
        batch = items[:n]
        del items[:n]
        self.taken += n
        return batch


def to_frame_arrays(messages: Sequence[can.Message]) -> FrameArrays:
    """Columns of ``messages``; data keeps the first 8 bytes, zero-padded; ``dlc`` is python-can's (length in bytes)."""
    n = len(messages)
    if n == 0:
        return FrameArrays.empty()
    flags = np.zeros(n, np.uint8)
    for bit, getter in _FLAG_ATTRIBUTES:
        set_ = np.fromiter(map(getter, messages), np.bool_, n)
        if set_.any():
            flags |= set_.view(np.uint8) * np.uint8(bit)
    return FrameArrays(
        timestamp=np.fromiter(map(_TIMESTAMP, messages), np.float64, n),
        arbitration_id=np.fromiter(map(_ID, messages), np.uint32, n),
        flags=flags,
        dlc=np.minimum(np.fromiter(map(_DLC, messages), np.int64, n), 255).astype(np.uint8),
        data=_payloads(list(map(_DATA, messages))),
    )


def _payloads(payloads: list[bytearray]) -> np.ndarray:
    n = len(payloads)
    joined = b"".join(payloads)
    lengths = np.fromiter(map(len, payloads), np.int64, n)
    if (lengths == 8).all():  # the common case: classic 8-byte frames
        return np.frombuffer(joined, np.uint8).reshape(n, 8).copy()
    # Mixed lengths (short frames, CAN FD): scatter the first 8 bytes of each into a padded array.
    flat = np.frombuffer(joined, np.uint8)
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    keep = _BYTE < np.minimum(lengths, 8)[:, None]
    data = np.zeros((n, 8), np.uint8)
    data[keep] = flat[(offsets[:, None] + _BYTE)[keep]]
    return data
