"""I/M readiness monitors (mode 01 PID 01)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class MonitorState(enum.StrEnum):
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    NOT_SUPPORTED = "not supported"


@dataclass(frozen=True, slots=True)
class ReadinessMonitor:
    """One on-board monitor, e.g. "Catalyst" incomplete."""

    name: str
    state: MonitorState
    continuous: bool = False  # misfire, fuel system, components run all the time


@dataclass(frozen=True, slots=True)
class ReadinessReport:
    """The whole of PID 01: MIL, confirmed-code count, ignition type and the monitors."""

    mil_on: bool
    dtc_count: int
    compression_ignition: bool
    monitors: tuple[ReadinessMonitor, ...]

    @property
    def incomplete(self) -> tuple[ReadinessMonitor, ...]:
        return tuple(m for m in self.monitors if m.state is MonitorState.INCOMPLETE)
