"""Frames as python-can hands them over -> columnar batches, with no Python code run per frame.

The bus thread only appends each ``can.Message`` to a list (the one call per frame
python-can makes unavoidable); the consumer takes the list in one step and
:func:`to_frame_arrays` turns it into columns with C-level loops (``map`` over
``attrgetter`` into ``np.fromiter``, one ``bytes.join`` for the payloads): 8-byte rows for a
classic batch, 64-byte rows when a CAN FD frame carries more, FD/BRS/ESI flags and the
channel (drivers.can.frames).
"""

from __future__ import annotations

from collections.abc import Sequence

import can

from carvrooom_desktop.domain import FrameArrays
from drivers.can.frames import frames_from_messages


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
    """Columns of ``messages`` (payloads up to 64 bytes, ``dlc`` python-can's, channel kept)."""
    return frames_from_messages(messages)
