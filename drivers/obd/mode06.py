"""Mode 06 on-board test results (ISO 15765-4 format): 9 bytes per test, with unit and scaling ids.

Each record is ``MID TID UASID value(2) min(2) max(2)``; the UASID (SAE J1979
appendix E) says how to scale the three numbers. Unknown scalings are shown raw.
"""

from __future__ import annotations

from carvrooom_desktop.domain import OnBoardTest
from drivers.errors import ProtocolError

RECORD = 9

# Monitor ids (SAE J1979 appendix D), the common ones.
MONITORS = {
    0x01: "O2 sensor bank 1 sensor 1", 0x02: "O2 sensor bank 1 sensor 2", 0x05: "O2 sensor bank 2 sensor 1",
    0x06: "O2 sensor bank 2 sensor 2", 0x21: "Catalyst bank 1", 0x22: "Catalyst bank 2", 0x31: "EGR bank 1",
    0x35: "VVT bank 1", 0x39: "EVAP (0.150\" leak)", 0x3A: "EVAP (0.090\" leak)", 0x3B: "EVAP (0.040\" leak)",
    0x3C: "EVAP (0.020\" leak)", 0x41: "O2 heater bank 1 sensor 1", 0x42: "O2 heater bank 1 sensor 2",
    0x71: "Secondary air 1", 0x81: "Fuel system bank 1", 0xA1: "Misfire general",
    **{0xA1 + n: f"Misfire cylinder {n}" for n in range(1, 13)},
}
TESTS = {
    0x01: "rich-to-lean threshold voltage", 0x02: "lean-to-rich threshold voltage", 0x03: "low voltage for switch time",
    0x04: "high voltage for switch time", 0x05: "rich-to-lean switch time", 0x06: "lean-to-rich switch time",
    0x07: "minimum voltage", 0x08: "maximum voltage", 0x09: "time between transitions", 0x0A: "sensor period",
    0x0B: "misfire counts, average of last 10 drive cycles", 0x0C: "misfire counts, this drive cycle",
}
# UASID -> (scale, offset, unit, signed)
SCALING = {
    0x01: (1.0, 0.0, "", False), 0x02: (0.1, 0.0, "", False), 0x03: (0.01, 0.0, "", False), 0x04: (0.001, 0.0, "", False),
    0x0A: (0.000122, 0.0, "V", False), 0x0B: (0.001, 0.0, "V", False), 0x0C: (0.01, 0.0, "V", False),
    0x10: (1.0, 0.0, "ms", False), 0x11: (100.0, 0.0, "ms", False), 0x12: (1.0, 0.0, "s", False),
    0x16: (0.1, -40.0, "°C", False), 0x24: (1.0, 0.0, "counts", False), 0x81: (1.0, 0.0, "", True),
    0x8A: (0.000122, 0.0, "V", True),
}


def _scale(raw: int, uasid: int) -> tuple[float, str]:
    scale, offset, unit, signed = SCALING.get(uasid, (1.0, 0.0, f"UASID 0x{uasid:02X}", False))
    if signed and raw >= 0x8000:
        raw -= 0x10000
    return raw * scale + offset, unit


def _raw(value: float, uasid: int) -> int:
    scale, offset, _unit, signed = SCALING.get(uasid, (1.0, 0.0, "", False))
    raw = round((value - offset) / scale)
    low, high = (-0x8000, 0x7FFF) if signed else (0, 0xFFFF)
    return min(max(raw, low), high) & 0xFFFF


def parse_test_records(payload: bytes) -> list[OnBoardTest]:
    """Records of a ``46 ...`` reply (service byte removed)."""
    if not payload or len(payload) % RECORD:
        raise ProtocolError(f"mode 06 reply is not a whole number of 9-byte records: {payload.hex(' ')}")
    tests = []
    for i in range(0, len(payload), RECORD):
        mid, tid, uasid = payload[i], payload[i + 1], payload[i + 2]
        value, unit = _scale(int.from_bytes(payload[i + 3 : i + 5], "big"), uasid)
        low, _ = _scale(int.from_bytes(payload[i + 5 : i + 7], "big"), uasid)
        high, _ = _scale(int.from_bytes(payload[i + 7 : i + 9], "big"), uasid)
        tests.append(OnBoardTest(mid, tid, MONITORS.get(mid, f"monitor 0x{mid:02X}"),
                                 TESTS.get(tid, f"manufacturer test 0x{tid:02X}"), value, low, high, unit))
    return tests


def encode_test_record(mid: int, tid: int, uasid: int, value: float, minimum: float, maximum: float) -> bytes:
    return bytes((mid, tid, uasid)) + b"".join(_raw(v, uasid).to_bytes(2, "big") for v in (value, minimum, maximum))
