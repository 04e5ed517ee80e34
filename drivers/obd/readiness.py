"""Mode 01 PID 01: MIL, code count and readiness monitors, both ways (SAE J1979 bit layout)."""

from __future__ import annotations

from collections.abc import Iterable

from carvrooom_desktop.domain import MonitorState, ReadinessMonitor, ReadinessReport
from drivers.errors import ProtocolError

# Byte B bits 0-2 supported / 4-6 incomplete.
CONTINUOUS = ("misfire", "fuel system", "components")
# Bytes C (supported) / D (incomplete), bit 0 upwards, spark ignition.
SPARK = ("catalyst", "heated catalyst", "evap system", "secondary air", "a/c refrigerant", "o2 sensor", "o2 sensor heater", "egr/vvt")
COMPRESSION = ("nmhc catalyst", "nox/scr aftertreatment", "reserved", "boost pressure", "reserved", "exhaust gas sensor", "pm filter", "egr/vvt")


def decode_status(data: bytes) -> ReadinessReport:
    if len(data) != 4:
        raise ProtocolError(f"PID 01 must be 4 bytes, got {data.hex(' ')}")
    a, b, c, d = data
    diesel = bool(b & 0x08)
    monitors: list[ReadinessMonitor] = []
    for bit, name in enumerate(CONTINUOUS):
        monitors.append(_monitor(name, b & (1 << bit), b & (1 << (bit + 4)), continuous=True))
    for bit, name in enumerate(COMPRESSION if diesel else SPARK):
        if name not in ("reserved", "a/c refrigerant"):
            monitors.append(_monitor(name, c & (1 << bit), d & (1 << bit), continuous=False))
    return ReadinessReport(mil_on=bool(a & 0x80), dtc_count=a & 0x7F, compression_ignition=diesel, monitors=tuple(monitors))


def _monitor(name: str, supported: int, incomplete: int, *, continuous: bool) -> ReadinessMonitor:
    if not supported:
        state = MonitorState.NOT_SUPPORTED
    else:
        state = MonitorState.INCOMPLETE if incomplete else MonitorState.COMPLETE
    return ReadinessMonitor(name, state, continuous)


def encode_status(mil_on: bool, dtc_count: int, monitors: Iterable[tuple[str, bool, bool, bool]]) -> bytes:
    """From ``(name, continuous, supported, complete)`` tuples (the simulator's ECU) to 4 bytes."""
    a = (0x80 if mil_on else 0) | min(dtc_count, 0x7F)
    b = c = d = 0
    for name, _continuous, supported, complete in monitors:
        key = name.lower()
        if key in CONTINUOUS:
            bit = CONTINUOUS.index(key)
            b |= (1 << bit) if supported else 0
            b |= (1 << (bit + 4)) if supported and not complete else 0
        elif key in SPARK:
            bit = SPARK.index(key)
            c |= (1 << bit) if supported else 0
            d |= (1 << bit) if supported and not complete else 0
    return bytes((a, b, c, d))
