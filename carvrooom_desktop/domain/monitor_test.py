"""Mode 06: an on-board monitor's test result with the limits the ECU judged it by."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OnBoardTest:
    mid: int  # monitor id, e.g. 0x21 catalyst bank 1
    tid: int  # test id within the monitor
    monitor: str
    test: str
    value: float
    minimum: float
    maximum: float
    unit: str = ""

    @property
    def passed(self) -> bool:
        return self.minimum <= self.value <= self.maximum
