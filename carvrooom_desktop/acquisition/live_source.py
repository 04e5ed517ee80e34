"""The one typed surface the screen reads a live car or a replay through (python-can's BusABC habit).

``LiveSource`` is what the Live, Health and AI pages plot and analyse: implemented by
``LiveSession`` and ``Replay`` (and the GUI tests' fakes). ``BenchSession`` adds what a
connected car offers on top: its scan, recording control, codes, the raw-frame window and
the source's own controls. The UI is typed against these, never against the classes, and
never probes with ``getattr``: a missing method is a missing line here.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from carvrooom_desktop.acquisition.scan import ScanReport
    from carvrooom_desktop.domain import FrameArrays, Recording, Role, SignalDefinition
    from drivers.simulator.faults import Fault

SIMULATED_KINDS = frozenset({"sim", "sim-elm"})  # SourceSpec kinds whose source is the built-in simulated car


class SourceControls(Protocol):
    """What a source lets the technician operate besides reading it (today: the simulated car's
    ignition key and faults). Real cars have none; nothing else asks what the source is."""

    def set_ignition(self, on: bool) -> None: ...

    def inject(self, fault: Fault) -> None: ...


@runtime_checkable
class LiveSource(Protocol):
    """Signals as they arrive: definitions, the newest window of each, the bus load."""

    def signal_definitions(self) -> list[SignalDefinition]: ...

    def window(self, name: str, seconds: float | None = None) -> tuple[np.ndarray, np.ndarray]: ...

    def latest(self, name: str) -> float | None: ...

    def bus_load_percent(self) -> float: ...

    @property
    def recording_id(self) -> uuid.UUID | None: ...


@runtime_checkable
class BenchSession(LiveSource, Protocol):
    """A connected car: what the bench's pages and the session controller use."""

    @property
    def report(self) -> ScanReport | None: ...

    @property
    def vehicle_id(self) -> uuid.UUID | None: ...

    @property
    def controls(self) -> SourceControls | None: ...

    @property
    def dropped_signals(self) -> dict[str, str]: ...

    @property
    def has_frame_window(self) -> bool: ...

    def connect(self) -> ScanReport: ...

    def rescan(self) -> ScanReport: ...

    def clear_codes(self, role: Role, *, confirmed: bool) -> ScanReport: ...

    def start_recording(self, notes: str = "") -> uuid.UUID: ...

    def stop_recording(self) -> Recording | None: ...

    def mark(self, label: str) -> float | None: ...

    def frames_since(self, cursor: int) -> tuple[FrameArrays, int]: ...

    def use_signal_database(self, database: object) -> None: ...

    def close(self) -> None: ...
