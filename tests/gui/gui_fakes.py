"""Small stand-ins for the live session and the store, for widget-level tests only."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import numpy as np

from carvrooom_desktop.domain import (
    Dtc,
    DtcKind,
    DtcSystem,
    FreezeFrame,
    MonitorState,
    ReadinessMonitor,
    ReadinessReport,
    Recording,
    RecordingState,
    SignalDefinition,
    SignalSource,
    Vehicle,
)
from carvrooom_desktop.acquisition.scan import ScanReport
from drivers.errors import AdapterNotFound
from drivers.vin import decode_vin

UNITS = {
    "engine_speed": "rpm", "vehicle_speed": "km/h", "coolant_temp": "°C", "battery_voltage": "V",
    "stft_b1": "%", "o2_b1s1_voltage": "V",
}


def fake_report(vin: str = "1FAKE00TEST000001") -> ScanReport:
    """A real ScanReport (the core's frozen type), as a scan of a car with two codes would give."""
    return ScanReport(
        vehicle=Vehicle(vin=vin, make="Testmobile", model="Bench", year=2019),
        vin_info=replace(decode_vin(vin), manufacturer="Testmobile", model_year=2019, country=""),  # a made-up maker
        dtcs=(Dtc("P0171", DtcKind.STORED, "System Too Lean (Bank 1)", DtcSystem.FUEL_AIR),
              Dtc("P0300", DtcKind.PENDING, "Random/Multiple Cylinder Misfire Detected", DtcSystem.IGNITION)),
        readiness=ReadinessReport(True, 1, False, (
            ReadinessMonitor("misfire", MonitorState.COMPLETE, True),
            ReadinessMonitor("catalyst", MonitorState.INCOMPLETE),
        )),
        freeze_frames=(FreezeFrame("P0171", 0, {"engine_speed": 812.0, "stft_b1": 24.2}, {"engine_speed": "rpm", "stft_b1": "%"}),),
        supported_pids=(0x04, 0x05, 0x0C, 0x0D),
        adapter="fake adapter",
        elapsed_s=0.42,
        ecus=(("7E8", (0x04, 0x05, 0x0C, 0x0D)),),
    )


class FakeSession:
    """Behaves like LiveSession for the UI: connect, window, record."""

    def __init__(self, request, *, fail: Exception | None = None, delay: float = 0.0, store=None) -> None:
        self.request = request
        self.fail = fail
        self.delay = delay
        self.store = store
        self.closed = 0
        self.marks: list[str] = []
        self.recording_id: uuid.UUID | None = None
        self._t0 = time.monotonic()
        self.window_calls = 0
        self.threads: set[str] = set()

    def connect(self):
        self.threads.add(threading.current_thread().name)
        time.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        self._t0 = time.monotonic()
        return fake_report()

    def rescan(self):
        return fake_report()

    def signal_definitions(self):
        return [SignalDefinition(n, u, SignalSource.OBD_PID) for n, u in UNITS.items()]

    def window(self, name: str, seconds: float | None = None):
        self.window_calls += 1
        now = time.monotonic() - self._t0
        t = np.linspace(max(0.0, now - (seconds or 30)), now, 200)
        return t, np.sin(t + len(name)) * 10 + 50

    def latest(self, name: str):
        return 1.0

    def bus_load_percent(self) -> float:
        return 12.5

    def start_recording(self, notes: str = "") -> uuid.UUID:
        self.recording_id = uuid.uuid4()
        if self.store is not None:
            self.store.recordings.add(self.recording_id)
        return self.recording_id

    def stop_recording(self):
        rid, self.recording_id = self.recording_id, None
        if rid is None:
            return None
        return self.store.recordings.get(rid) if self.store is not None else None

    def mark(self, label: str) -> None:
        self.marks.append(label)

    def close(self) -> None:
        self.closed += 1

    # the rest of the BenchSession surface (carvrooom_desktop.acquisition.live_source)
    report = property(lambda self: fake_report())
    vehicle_id = None
    controls = None
    dropped_signals = property(lambda self: {})
    has_frame_window = False

    def clear_codes(self, role, *, confirmed: bool):
        return fake_report()

    def frames_since(self, cursor: int):
        from carvrooom_desktop.domain import FrameArrays

        return FrameArrays.empty(), cursor

    def use_signal_database(self, database) -> None:
        raise RuntimeError("the fake session carries no broadcast frames")


@dataclass
class FakeRecordings:
    items: dict[uuid.UUID, Recording] = field(default_factory=dict)
    deleted: set[uuid.UUID] = field(default_factory=set)

    def add(self, rid: uuid.UUID | None = None, vin: str = "1FAKE00TEST000001") -> Recording:
        rid = rid or uuid.uuid4()
        start = datetime(2025, 3, 1, 9, 30, tzinfo=UTC) + timedelta(minutes=len(self.items))
        rec = Recording(rid, start, RecordingState.FINISHED, vin=vin, ended_at=start + timedelta(seconds=2.5),
                        notes="idle check", frame_count=1234, sample_count=150, signal_names=tuple(UNITS))
        self.items[rid] = rec
        return rec

    def list(self, vin=None, text=None, include_deleted=False):
        return [r for r in self.items.values() if include_deleted or r.id not in self.deleted]

    def get(self, rid):
        return self.items[rid]

    def load_samples(self, rid, names=None):
        t = np.linspace(0, 2.5, 50)
        return {n: (t, np.cos(t * (i + 1))) for i, n in enumerate(self.items[rid].signal_names)}

    def soft_delete(self, rid):
        self.deleted.add(rid)


class FakeRecordingSources:
    """No recording knows its source or database here (as for logs imported before issue 10)."""

    def get(self, recording_id):
        return None

    def record(self, recording_id, source_kind, database_name="", database_content=None) -> str:
        return ""


class FakeVehicles:
    """No vehicle has a signal database chosen."""

    def signal_database_path(self, vin: str):
        return None


class FakeStore:
    display_url = "sqlite:////tmp/fake/carvrooom.sqlite3"

    def __init__(self) -> None:
        self.recordings = FakeRecordings()
        self.recording_sources = FakeRecordingSources()
        self.vehicles = FakeVehicles()
        self.closed = False

    def close(self) -> None:
        self.closed = True


def failing_factory(message: str = "no adapter on /dev/ttyUSB9"):
    return lambda request: FakeSession(request, fail=AdapterNotFound(message))


__all__ = ["FakeSession", "FakeStore", "failing_factory", "fake_report", "replace"]
