"""Plain domain types shared by every layer: no I/O, no Qt, no storage."""

from carvrooom_desktop.domain.dtc import Dtc, DtcKind, DtcSystem
from carvrooom_desktop.domain.finding import Finding, Severity
from carvrooom_desktop.domain.frames import FrameArrays
from carvrooom_desktop.domain.freeze_frame import FreezeFrame
from carvrooom_desktop.domain.monitor_test import OnBoardTest
from carvrooom_desktop.domain.readiness import MonitorState, ReadinessMonitor, ReadinessReport
from carvrooom_desktop.domain.roles import Permission, Role
from carvrooom_desktop.domain.recording import Recording, RecordingMark, RecordingState
from carvrooom_desktop.domain.signals import SignalDefinition, SignalSample, SignalSource
from carvrooom_desktop.domain.vehicle import Vehicle

__all__ = [
    "Dtc",
    "DtcKind",
    "DtcSystem",
    "Finding",
    "FrameArrays",
    "FreezeFrame",
    "MonitorState",
    "OnBoardTest",
    "Permission",
    "ReadinessMonitor",
    "ReadinessReport",
    "Recording",
    "RecordingMark",
    "RecordingState",
    "Role",
    "Severity",
    "SignalDefinition",
    "SignalSample",
    "SignalSource",
    "Vehicle",
]
