"""A recorded session: raw frames and polled samples from one car, one adapter."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime


class RecordingState(enum.StrEnum):
    RECORDING = "recording"
    FINISHED = "finished"
    INTERRUPTED = "interrupted"  # the app died or the disk filled; what was committed is kept


@dataclass(frozen=True, slots=True)
class RecordingMark:
    """An event the technician marked during a recording ("blip throttle", "fan on")."""

    timestamp: float
    label: str


@dataclass(frozen=True, slots=True)
class Recording:
    """Summary of one recording; the data itself lives in the store as chunks."""

    id: uuid.UUID
    started_at: datetime
    state: RecordingState
    vin: str = ""
    adapter: str = ""
    ended_at: datetime | None = None
    notes: str = ""
    frame_count: int = 0
    sample_count: int = 0
    signal_names: tuple[str, ...] = ()
    signal_units: dict[str, str] = field(default_factory=dict)
    marks: tuple[RecordingMark, ...] = field(default=())

    @property
    def duration_s(self) -> float | None:
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()
