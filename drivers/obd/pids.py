"""Mode 01/02 PIDs as a data table of small pure decoders and encoders (python-OBD style).

Each entry knows its reply size, so a multi-PID reply (``41 0C a b 0D a ...``) can be
split without guessing; the encoders are what the simulated ECU answers with, and a
round-trip test keeps both directions honest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from drivers.errors import ProtocolError


@dataclass(frozen=True, slots=True)
class Pid:
    pid: int
    signal: str  # the signal name used everywhere else (simulator, recordings, plots)
    unit: str
    size: int  # data bytes in the reply
    description: str
    decode: Callable[[bytes], float]
    encode: Callable[[float], bytes]
    minimum: float = 0.0
    maximum: float = 0.0


def _linear(size: int, scale: float, offset: float = 0.0, pad: bytes = b""):
    """decode(raw) = raw * scale + offset over the first ``size - len(pad)`` bytes."""
    width = size - len(pad)
    top = (1 << (8 * width)) - 1

    def decode(data: bytes) -> float:
        return int.from_bytes(data[:width], "big") * scale + offset

    def encode(value: float) -> bytes:
        raw = round((value - offset) / scale)
        return min(max(raw, 0), top).to_bytes(width, "big") + pad

    return decode, encode, offset, top * scale + offset


def _pid(pid: int, signal: str, unit: str, size: int, description: str, scale: float, offset: float = 0.0, pad: bytes = b"") -> Pid:
    decode, encode, lo, hi = _linear(size, scale, offset, pad)
    return Pid(pid, signal, unit, size, description, decode, encode, lo, hi)


_TRIM = 100.0 / 128.0
# O2 sensor PIDs carry voltage in A and that sensor's trim in B; 0xFF = "not used for trim".
_NO_TRIM = b"\xff"

MODE01_PIDS: dict[int, Pid] = {
    p.pid: p
    for p in (
        _pid(0x04, "engine_load", "%", 1, "Calculated engine load", 100 / 255),
        _pid(0x05, "coolant_temp", "°C", 1, "Engine coolant temperature", 1, -40),
        _pid(0x06, "stft_b1", "%", 1, "Short term fuel trim, bank 1", _TRIM, -100),
        _pid(0x07, "ltft_b1", "%", 1, "Long term fuel trim, bank 1", _TRIM, -100),
        _pid(0x0B, "intake_manifold_pressure", "kPa", 1, "Intake manifold absolute pressure", 1),
        _pid(0x0C, "engine_speed", "rpm", 2, "Engine speed", 0.25),
        _pid(0x0D, "vehicle_speed", "km/h", 1, "Vehicle speed", 1),
        _pid(0x0E, "timing_advance", "°", 1, "Timing advance, cylinder 1", 0.5, -64),
        _pid(0x0F, "intake_air_temp", "°C", 1, "Intake air temperature", 1, -40),
        _pid(0x10, "maf", "g/s", 2, "Mass air flow", 0.01),
        _pid(0x11, "throttle_position", "%", 1, "Throttle position", 100 / 255),
        _pid(0x14, "o2_b1s1_voltage", "V", 2, "O2 sensor voltage, bank 1 sensor 1", 0.005, 0, _NO_TRIM),
        _pid(0x15, "o2_b1s2_voltage", "V", 2, "O2 sensor voltage, bank 1 sensor 2", 0.005, 0, _NO_TRIM),
        _pid(0x1F, "run_time", "s", 2, "Run time since engine start", 1),
        _pid(0x21, "distance_with_mil", "km", 2, "Distance travelled with MIL on", 1),
        _pid(0x2F, "fuel_level", "%", 1, "Fuel tank level", 100 / 255),
        _pid(0x30, "warmups_since_clear", "", 1, "Warm-ups since codes cleared", 1),
        _pid(0x31, "distance_since_clear", "km", 2, "Distance since codes cleared", 1),
        _pid(0x33, "barometric_pressure", "kPa", 1, "Barometric pressure", 1),
        _pid(0x3C, "catalyst_temp_b1s1", "°C", 2, "Catalyst temperature, bank 1 sensor 1", 0.1, -40),
        _pid(0x42, "battery_voltage", "V", 2, "Control module voltage", 0.001),
        _pid(0x46, "ambient_air_temp", "°C", 1, "Ambient air temperature", 1, -40),
        _pid(0xA6, "odometer_km", "km", 4, "Odometer", 0.1),
    )
}

# Non-signal PIDs with fixed sizes (needed to split multi-PID replies).
PID_STATUS = 0x01  # monitor status since codes cleared (readiness)
PID_FREEZE_DTC = 0x02  # mode 02 only: the code that stored the freeze frame
PID_O2_PRESENT = 0x13
PID_OBD_STANDARD = 0x1C
_FIXED_SIZES = {PID_STATUS: 4, PID_FREEZE_DTC: 2, 0x03: 2, PID_O2_PRESENT: 1, PID_OBD_STANDARD: 1}
SUPPORT_PIDS = (0x00, 0x20, 0x40, 0x60, 0x80, 0xA0, 0xC0)

BY_SIGNAL: dict[str, Pid] = {p.signal: p for p in MODE01_PIDS.values()}


def reply_size(pid: int) -> int:
    """Data bytes that follow ``pid`` in a mode 01/02 reply."""
    if pid in SUPPORT_PIDS:
        return 4
    if pid in MODE01_PIDS:
        return MODE01_PIDS[pid].size
    if pid in _FIXED_SIZES:
        return _FIXED_SIZES[pid]
    raise ProtocolError(f"PID 0x{pid:02X} has no known size; cannot split the reply")


def split_reply(payload: bytes, requested: Iterable[int], *, frame_field: bool = False) -> dict[int, bytes]:
    """Split ``41 pid data pid data ...`` (the service byte already removed) by PID.

    ``frame_field`` is set for mode 02, where every PID is followed by a frame number.
    Raises ProtocolError for a truncated reply or a PID that was not asked for.
    """
    wanted = set(requested)
    out: dict[int, bytes] = {}
    i = 0
    while i < len(payload):
        pid = payload[i]
        if pid not in wanted:
            raise ProtocolError(f"reply carries PID 0x{pid:02X} that was not requested: {payload.hex(' ')}")
        i += 2 if frame_field else 1
        size = reply_size(pid)
        if i + size > len(payload):
            raise ProtocolError(f"reply truncated inside PID 0x{pid:02X}: {payload.hex(' ')}")
        out[pid] = bytes(payload[i : i + size])
        i += size
    return out


def decode_supported(base: int, data: bytes) -> set[int]:
    """Bitmap of PIDs base+1 .. base+32 (bit 7 of the first byte = base+1)."""
    if len(data) != 4:
        raise ProtocolError(f"supported-PID bitmap must be 4 bytes, got {data.hex(' ')}")
    bits = int.from_bytes(data, "big")
    return {base + n for n in range(1, 33) if bits & (1 << (32 - n))}


def encode_supported(base: int, pids: Iterable[int]) -> bytes:
    bits = 0
    for pid in pids:
        if base < pid <= base + 32:
            bits |= 1 << (32 - (pid - base))
    return bits.to_bytes(4, "big")
