"""Raw CAN frames as columns: the unit that travels from driver to recorder and store."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# flags column bits
EXTENDED_ID = 0x01
REMOTE = 0x02
ERROR = 0x04
FD = 0x08
RX = 0x10  # received (not sent by this workstation)


@dataclass(frozen=True, slots=True)
class FrameArrays:
    """``n`` frames: timestamps (s, epoch), ids, flags, DLC and data padded to 8 bytes."""

    timestamp: np.ndarray  # float64 [n]
    arbitration_id: np.ndarray  # uint32 [n]
    flags: np.ndarray  # uint8 [n]
    dlc: np.ndarray  # uint8 [n]
    data: np.ndarray  # uint8 [n, 8]

    def __len__(self) -> int:
        return len(self.timestamp)

    @classmethod
    def empty(cls) -> FrameArrays:
        return cls(
            np.empty(0, np.float64), np.empty(0, np.uint32), np.empty(0, np.uint8), np.empty(0, np.uint8), np.empty((0, 8), np.uint8)
        )

    @classmethod
    def concat(cls, parts: list[FrameArrays]) -> FrameArrays:
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in cls.__slots__))

    def columns(self) -> dict[str, np.ndarray]:
        return {f: getattr(self, f) for f in self.__slots__}
