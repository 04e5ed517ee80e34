"""What a health check concludes, with the numbers that prove it."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.IntEnum):
    """Ordered so that ``max()`` gives the worst."""

    OK = 0
    WATCH = 1
    WARNING = 2
    CRITICAL = 3


@dataclass(frozen=True, slots=True)
class Finding:
    """A verdict on one system, e.g. charging voltage 12.9 V < 13.5 V (OEM spec) = warning."""

    system: str
    check: str
    severity: Severity
    summary: str
    measured: float | None = None
    unit: str = ""
    threshold: float | None = None
    threshold_source: str = ""
    confidence: float = 1.0
    time_range: tuple[float, float] | None = None
    signal: str = ""  # the signal that proves it: what an evidence plot shows
    enough_data: bool = True  # False: no verdict; ``summary`` says what is missing and why
