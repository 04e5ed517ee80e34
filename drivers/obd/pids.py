"""SAE J1979 mode 01/02 PIDs as a data table of small pure decoders and encoders.

Every PID python-OBD 0.7.3 decodes is here (its ``obd/commands.py`` and ``decoders.py``
were the reference for sizes and scaling; where python-OBD departs from the standard the
entry follows the standard and says so), plus PID 4F (scaling maxima), the torque PIDs
61-63 and the odometer A6. Nothing here imports python-OBD.

A PID carries one or more named *values*: O2 sensor PIDs 14-1B hold a voltage and that
sensor's fuel trim, wide-band PIDs 24-2B/34-3B a lambda and a voltage or current, fuel
system status 03 two fuel systems. ``Pid.signal/unit/size/description/decode/encode/
minimum/maximum`` describe the PID's *main* value (the first), so code that knows one
value per PID keeps working; :func:`decode_values` gives all of them.

Signal names are workshop words (``engine_speed``, ``coolant_temp``, ``stft_b1``); they are
used by recordings, settings and tests and never change. O2 sensor locations follow the
PID 13 layout (two banks of up to four sensors); a car that reports PID 1D instead (four
banks of two) places PIDs 14-1B and 24-3B differently, see :func:`describe_value` of
``o2_sensors_present_alt``.

Bit-field and enumerated PIDs (fuel system status 03, secondary air 12, O2 sensors present
13/1D, OBD standard 1C, PTO 1E, fuel type 51) decode to their numeric code - the raw byte,
or the PTO bit - so they can be recorded and plotted like any other value;
:func:`describe_value` gives the words. PIDs 01/41 (monitor status, see ``readiness``) and
02 (freeze frame code) are not values and stay out of the table, but their sizes are known.
PIDs without a decoder are shown raw: :func:`raw_signal_name` and :func:`raw_hex`.

Each PID knows its reply size, so a multi-PID reply (``41 0C a b 0D a ...``) is split
without guessing; the encoders are what the simulated ECU answers with, and round-trip
tests keep both directions honest.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import cast

from drivers.errors import ProtocolError


@dataclass(frozen=True, slots=True)
class PidValue:
    """One named quantity inside a PID's data: ``width`` bytes from byte ``start``."""

    name: str
    unit: str
    description: str
    start: int
    width: int
    decode: Callable[[bytes], float | None]  # None: the data says "not available" (O2 trim FF, no 2nd fuel system)
    encode: Callable[[float], bytes]  # the ``width`` bytes for a value (clamped to the range)
    minimum: float
    maximum: float
    resolution: float  # one step of the raw value
    enumerated: bool = False  # a code or bit field: describe_value() has the words


@dataclass(frozen=True, slots=True)
class Pid:
    pid: int
    signal: str  # the main value's name, used everywhere else (simulator, recordings, plots)
    unit: str
    size: int  # data bytes in the reply
    description: str
    decode: Callable[[bytes], float]
    encode: Callable[[float], bytes]  # all ``size`` bytes; the other values get their "not available"/neutral fill
    minimum: float = 0.0
    maximum: float = 0.0
    values: tuple[PidValue, ...] = ()  # every value, the main one first
    fill: bytes = b""  # the data an encoder starts from

    @property
    def extras(self) -> tuple[PidValue, ...]:
        return self.values[1:]

    @property
    def resolution(self) -> float:
        return self.values[0].resolution


@dataclass(frozen=True)
class SignalInfo:
    """What the UI and recorder need to know about one signal name."""

    name: str
    unit: str
    description: str
    minimum: float
    maximum: float
    pid: int


# --------------------------------------------------------------------------- value builders


def _reader(start: int, width: int, signed: bool) -> Callable[[bytes], int]:
    """Raw integer of ``width`` big-endian bytes from ``start`` (specialised: this is the hot path)."""
    if width == 1:
        if signed:
            return lambda d: d[start] - 256 if d[start] & 0x80 else d[start]
        return lambda d: d[start]
    if width == 2:
        second = start + 1
        if signed:
            def read2s(d: bytes) -> int:
                v = d[start] << 8 | d[second]
                return v - 0x10000 if v & 0x8000 else v
            return read2s
        return lambda d: d[start] << 8 | d[second]
    end = start + width
    return lambda d: int.from_bytes(d[start:end], "big", signed=signed)


def _value(
    name: str,
    unit: str,
    description: str,
    start: int,
    width: int,
    scale: float = 1.0,
    offset: float = 0.0,
    *,
    signed: bool = False,
    none_if: int | None = None,
) -> PidValue:
    """decode(data) = raw * scale + offset; ``none_if`` is the raw value that means "not available"."""
    scale, offset = float(scale), float(offset)  # values are floats even where the scaling is whole
    lo_raw, hi_raw = (-(1 << (8 * width - 1)), (1 << (8 * width - 1)) - 1) if signed else (0, (1 << (8 * width)) - 1)
    if none_if == hi_raw:
        hi_raw -= 1  # the encoder never sends the "not available" pattern for a real value
    read = _reader(start, width, signed)
    if none_if is None:
        if offset:
            def decode(d: bytes) -> float | None:
                return read(d) * scale + offset
        else:
            def decode(d: bytes) -> float | None:
                return read(d) * scale
    else:
        def decode(d: bytes) -> float | None:
            raw = read(d)
            return None if raw == none_if else raw * scale + offset

    def encode(value: float) -> bytes:
        raw = round((value - offset) / scale)
        return min(max(raw, lo_raw), hi_raw).to_bytes(width, "big", signed=signed)

    return PidValue(name, unit, description, start, width, decode, encode, lo_raw * scale + offset, hi_raw * scale + offset, abs(scale))


def _code(name: str, description: str, start: int = 0, maximum: int = 255, *, none_if: int | None = None) -> PidValue:
    """An enumerated or bit-field byte, decoded to its number (the words: describe_value)."""
    v = _value(name, "", description, start, 1, none_if=none_if)
    return PidValue(v.name, "", description, start, 1, v.decode, v.encode, 0.0, float(maximum), 1.0, enumerated=True)


def _bit(name: str, description: str, byte: int, bit: int) -> PidValue:
    mask = 1 << bit

    def decode(d: bytes) -> float:
        return 1.0 if d[byte] & mask else 0.0

    def encode(value: float) -> bytes:
        return bytes((mask if value >= 0.5 else 0,))

    return PidValue(name, "", description, byte, 1, decode, encode, 0.0, 1.0, 1.0, enumerated=True)


def _pid(pid: int, size: int, *values: PidValue, fill: bytes | None = None) -> Pid:
    fill = bytes(size) if fill is None else fill
    assert len(fill) == size and values and all(v.start + v.width <= size for v in values), f"PID {pid:02X}"
    main = values[0]
    start, end = main.start, main.start + main.width
    head, tail = fill[:start], fill[end:]
    main_encode = main.encode

    def encode(value: float) -> bytes:
        return head + main_encode(value) + tail

    decode = cast(Callable[[bytes], float], main.decode)  # main values never decode to None
    return Pid(pid, main.name, main.unit, size, main.description, decode, encode, main.minimum, main.maximum, values, fill)


def _simple(pid: int, name: str, unit: str, size: int, description: str, scale: float, offset: float = 0.0, *, signed: bool = False) -> Pid:
    return _pid(pid, size, _value(name, unit, description, 0, size, scale, offset, signed=signed))


_PERCENT = 100 / 255
_TRIM = 100 / 128  # (A - 128) * 100/128: -100 % (rich, taking fuel out) .. +99.2 % (lean, adding fuel)
_LAMBDA = 2 / 65536  # equivalence ratio: 0 .. <2
_WR_VOLTS = 8 / 65536  # wide-band voltage: 0 .. <8 V (SAE J1979: 0.000122 V per bit)
_WR_MILLIAMPS = 1 / 256  # wide-band current: -128 .. <128 mA


def _percent(pid: int, name: str, description: str) -> Pid:
    return _simple(pid, name, "%", 1, description, _PERCENT)


def _trim(pid: int, name: str, description: str) -> Pid:
    return _simple(pid, name, "%", 1, description, _TRIM, -100)


def _temp(pid: int, name: str, description: str) -> Pid:
    return _simple(pid, name, "°C", 1, description, 1, -40)


# O2 locations in the PID 13 layout: PIDs 14-1B and 24-2B/34-3B are bank 1 sensors 1-4, then bank 2 sensors 1-4.
_O2_LOCATIONS = tuple((bank, sensor) for bank in (1, 2) for sensor in (1, 2, 3, 4))


def _narrowband(pid: int, bank: int, sensor: int) -> Pid:
    where = f"bank {bank} sensor {sensor}"
    tag = f"o2_b{bank}s{sensor}"
    return _pid(
        pid, 2,
        _value(f"{tag}_voltage", "V", f"O2 sensor voltage, {where}", 0, 1, 0.005),
        # B = FF: "this sensor is not used for trim" - the value is then left out, not shown as +99 %.
        _value(f"{tag}_trim", "%", f"Short term fuel trim from the O2 sensor, {where}", 1, 1, _TRIM, -100, none_if=0xFF),
        fill=b"\x00\xff",
    )


def _wideband_voltage(pid: int, bank: int, sensor: int) -> Pid:
    where = f"bank {bank} sensor {sensor}"
    tag = f"o2_b{bank}s{sensor}"
    return _pid(
        pid, 4,
        _value(f"{tag}_lambda", "λ", f"Wide-band O2 sensor lambda, {where}", 0, 2, _LAMBDA),
        _value(f"{tag}_wr_voltage", "V", f"Wide-band O2 sensor voltage, {where}", 2, 2, _WR_VOLTS),
    )


def _wideband_current(pid: int, bank: int, sensor: int) -> Pid:
    where = f"bank {bank} sensor {sensor}"
    tag = f"o2_b{bank}s{sensor}"
    return _pid(
        pid, 4,
        _value(f"{tag}_lambda_c", "λ", f"Wide-band O2 sensor lambda, {where} (current-type sensor, PID {pid:02X})", 0, 2, _LAMBDA),
        _value(f"{tag}_wr_current", "mA", f"Wide-band O2 sensor current, {where}", 2, 2, _WR_MILLIAMPS, -128),
        fill=b"\x00\x00\x80\x00",  # 0 mA
    )


def _secondary_trim(pid: int, kind: str, bank: int, other: int) -> Pid:
    word = "Short" if kind == "stft" else "Long"
    return _pid(
        pid, 2,
        _value(f"secondary_o2_{kind}_b{bank}", "%", f"{word} term secondary O2 sensor trim, bank {bank}", 0, 1, _TRIM, -100),
        _value(f"secondary_o2_{kind}_b{other}", "%", f"{word} term secondary O2 sensor trim, bank {other}", 1, 1, _TRIM, -100),
        fill=b"\x80\x80",
    )


def _catalyst(pid: int, bank: int, sensor: int) -> Pid:
    return _simple(pid, f"catalyst_temp_b{bank}s{sensor}", "°C", 2, f"Catalyst temperature, bank {bank} sensor {sensor}", 0.1, -40)


# --------------------------------------------------------------------------- the table

MODE01_PIDS: dict[int, Pid] = {
    p.pid: p
    for p in (
        _pid(0x03, 2,
             _code("fuel_system_1_status", "Fuel system 1 status (open/closed loop)", 0, 16),
             _code("fuel_system_2_status", "Fuel system 2 status (open/closed loop)", 1, 16, none_if=0)),
        _percent(0x04, "engine_load", "Calculated engine load"),
        _temp(0x05, "coolant_temp", "Engine coolant temperature"),
        _trim(0x06, "stft_b1", "Short term fuel trim, bank 1"),
        _trim(0x07, "ltft_b1", "Long term fuel trim, bank 1"),
        _trim(0x08, "stft_b2", "Short term fuel trim, bank 2"),
        _trim(0x09, "ltft_b2", "Long term fuel trim, bank 2"),
        _simple(0x0A, "fuel_pressure", "kPa", 1, "Fuel pressure (gauge)", 3),
        _simple(0x0B, "intake_manifold_pressure", "kPa", 1, "Intake manifold absolute pressure", 1),
        _simple(0x0C, "engine_speed", "rpm", 2, "Engine speed", 0.25),
        _simple(0x0D, "vehicle_speed", "km/h", 1, "Vehicle speed", 1),
        _simple(0x0E, "timing_advance", "°", 1, "Timing advance, cylinder 1", 0.5, -64),
        _temp(0x0F, "intake_air_temp", "Intake air temperature"),
        _simple(0x10, "maf", "g/s", 2, "Mass air flow", 0.01),
        _percent(0x11, "throttle_position", "Throttle position"),
        _pid(0x12, 1, _code("secondary_air_status", "Commanded secondary air status", 0, 8)),
        _pid(0x13, 1, _code("o2_sensors_present", "O2 sensors present (2 banks x 4 sensors)")),
        *(_narrowband(0x14 + i, bank, sensor) for i, (bank, sensor) in enumerate(_O2_LOCATIONS)),
        _pid(0x1C, 1, _code("obd_standard", "OBD standard the vehicle is built to")),
        _pid(0x1D, 1, _code("o2_sensors_present_alt", "O2 sensors present (4 banks x 2 sensors)")),
        # SAE J1979: bit A0 is the PTO status. python-OBD 0.7.3 reads bit A7 instead.
        _pid(0x1E, 1, _bit("pto_active", "Power take-off (PTO) active", 0, 0)),
        _simple(0x1F, "run_time", "s", 2, "Run time since engine start", 1),
        _simple(0x21, "distance_with_mil", "km", 2, "Distance travelled with MIL on", 1),
        _simple(0x22, "fuel_rail_pressure_rel", "kPa", 2, "Fuel rail pressure (relative to manifold)", 0.079),
        _simple(0x23, "fuel_rail_pressure", "kPa", 2, "Fuel rail gauge pressure (diesel, direct injection)", 10),
        *(_wideband_voltage(0x24 + i, bank, sensor) for i, (bank, sensor) in enumerate(_O2_LOCATIONS)),
        _percent(0x2C, "commanded_egr", "Commanded EGR"),
        _simple(0x2D, "egr_error", "%", 1, "EGR error (actual vs commanded)", _TRIM, -100),
        _percent(0x2E, "commanded_evap_purge", "Commanded EVAP purge"),
        _percent(0x2F, "fuel_level", "Fuel tank level"),
        _simple(0x30, "warmups_since_clear", "", 1, "Warm-ups since codes cleared", 1),
        _simple(0x31, "distance_since_clear", "km", 2, "Distance since codes cleared", 1),
        # SAE J1979: A,B is one signed 16-bit number, 0.25 Pa per bit (-8192 .. 8191.75 Pa).
        # python-OBD 0.7.3 takes A and B as two signed bytes (41 32 00 80 -> -32 Pa instead of +32 Pa).
        _simple(0x32, "evap_vapour_pressure", "Pa", 2, "EVAP system vapour pressure", 0.25, signed=True),
        _simple(0x33, "barometric_pressure", "kPa", 1, "Barometric pressure", 1),
        *(_wideband_current(0x34 + i, bank, sensor) for i, (bank, sensor) in enumerate(_O2_LOCATIONS)),
        _catalyst(0x3C, 1, 1),
        _catalyst(0x3D, 2, 1),
        _catalyst(0x3E, 1, 2),
        _catalyst(0x3F, 2, 2),
        _simple(0x42, "battery_voltage", "V", 2, "Control module voltage", 0.001),
        _simple(0x43, "absolute_load", "%", 2, "Absolute load value", _PERCENT),
        # SAE J1979 scaling is 2/65536 (0.0000305 per bit, rounded); python-OBD 0.7.3 multiplies by 0.0000305.
        _simple(0x44, "commanded_lambda", "λ", 2, "Commanded equivalence ratio (lambda)", _LAMBDA),
        _percent(0x45, "relative_throttle_position", "Relative throttle position"),
        _temp(0x46, "ambient_air_temp", "Ambient air temperature"),
        _percent(0x47, "throttle_position_b", "Absolute throttle position B"),
        _percent(0x48, "throttle_position_c", "Absolute throttle position C"),
        _percent(0x49, "accelerator_pedal_d", "Accelerator pedal position D"),
        _percent(0x4A, "accelerator_pedal_e", "Accelerator pedal position E"),
        _percent(0x4B, "accelerator_pedal_f", "Accelerator pedal position F"),
        _percent(0x4C, "commanded_throttle", "Commanded throttle actuator"),
        _simple(0x4D, "time_with_mil", "min", 2, "Time run with MIL on", 1),
        _simple(0x4E, "time_since_clear", "min", 2, "Time since codes cleared", 1),
        # Not decoded by python-OBD 0.7.3 (it drops the reply). SAE J1979: the maxima that scale PIDs 24-2B/34-3B
        # when the ECU supports 4F (otherwise 2, 8 V, 128 mA apply, as in this table).
        _pid(0x4F, 4,
             _value("o2_max_lambda", "λ", "Maximum equivalence ratio (wide-band O2 scaling)", 0, 1, 1),
             _value("o2_max_voltage", "V", "Maximum O2 sensor voltage (wide-band scaling)", 1, 1, 1),
             _value("o2_max_current", "mA", "Maximum O2 sensor current (wide-band scaling)", 2, 1, 1),
             _value("intake_pressure_max", "kPa", "Maximum intake manifold absolute pressure", 3, 1, 10)),
        _pid(0x50, 4, _value("maf_max", "g/s", "Maximum air flow rate of the MAF sensor", 0, 1, 10)),
        _pid(0x51, 1, _code("fuel_type", "Fuel type")),
        _percent(0x52, "ethanol_percent", "Ethanol fuel content"),
        _simple(0x53, "evap_vapour_pressure_abs", "kPa", 2, "Absolute EVAP system vapour pressure", 0.005),
        # SAE J1979: 1 Pa per bit, 7FFF = 0 Pa (-32767 .. 32768 Pa); as python-OBD 0.7.3.
        _simple(0x54, "evap_vapour_pressure_wide", "Pa", 2, "EVAP system vapour pressure (wide range)", 1, -32767),
        _secondary_trim(0x55, "stft", 1, 3),
        _secondary_trim(0x56, "ltft", 1, 3),
        _secondary_trim(0x57, "stft", 2, 4),
        _secondary_trim(0x58, "ltft", 2, 4),
        _simple(0x59, "fuel_rail_pressure_abs", "kPa", 2, "Fuel rail absolute pressure", 10),
        _percent(0x5A, "relative_accelerator_pedal", "Relative accelerator pedal position"),
        _percent(0x5B, "hybrid_battery_remaining", "Hybrid battery pack remaining life"),
        _temp(0x5C, "engine_oil_temp", "Engine oil temperature"),
        _simple(0x5D, "fuel_injection_timing", "°", 2, "Fuel injection timing", 1 / 128, -210),
        _simple(0x5E, "fuel_rate", "L/h", 2, "Engine fuel rate", 0.05),
        # Beyond python-OBD 0.7.3 (which stops at 5F); scaling from SAE J1979.
        _simple(0x61, "driver_demand_torque", "%", 1, "Driver's demand engine torque", 1, -125),
        _simple(0x62, "actual_torque", "%", 1, "Actual engine torque", 1, -125),
        _simple(0x63, "reference_torque", "Nm", 2, "Engine reference torque", 1),
        _simple(0xA6, "odometer_km", "km", 4, "Odometer", 0.1),
    )
}

# Non-signal PIDs with fixed sizes (needed to split multi-PID replies).
PID_STATUS = 0x01  # monitor status since codes cleared (readiness)
PID_FREEZE_DTC = 0x02  # mode 02 only: the code that stored the freeze frame
PID_FUEL_STATUS = 0x03
PID_O2_PRESENT = 0x13
PID_OBD_STANDARD = 0x1C
PID_STATUS_THIS_CYCLE = 0x41  # monitor status this drive cycle (same layout as 01, byte A reserved)
PID_EMISSION_REQUIREMENTS = 0x5F  # no decoder: shown raw
_FIXED_SIZES = {PID_STATUS: 4, PID_FREEZE_DTC: 2, PID_STATUS_THIS_CYCLE: 4, PID_EMISSION_REQUIREMENTS: 1}
SUPPORT_PIDS = (0x00, 0x20, 0x40, 0x60, 0x80, 0xA0, 0xC0)

# Every data size we know, in one dict: split_reply looks each PID up once per reply.
_SIZES: dict[int, int] = {**{b: 4 for b in SUPPORT_PIDS}, **_FIXED_SIZES, **{p.pid: p.size for p in MODE01_PIDS.values()}}

BY_SIGNAL: dict[str, Pid] = {v.name: p for p in MODE01_PIDS.values() for v in p.values}
_VALUES: dict[str, PidValue] = {v.name: v for p in MODE01_PIDS.values() for v in p.values}
assert len(BY_SIGNAL) == sum(len(p.values) for p in MODE01_PIDS.values()), "signal names must be unique"
_INFO: dict[str, SignalInfo] = {
    name: SignalInfo(name, v.unit, v.description, v.minimum, v.maximum, BY_SIGNAL[name].pid) for name, v in _VALUES.items()
}


def signal_info(name: str) -> SignalInfo:
    """Unit, description, range and PID of a table signal (main or extra value); KeyError if unknown."""
    return _INFO[name]


def is_enumerated(name: str) -> bool:
    """True for code and bit-field values (fuel system status, fuel type, ...): show describe_value(), not a number."""
    return _VALUES[name].enumerated


def reply_size(pid: int) -> int:
    """Data bytes that follow ``pid`` in a mode 01/02 reply."""
    size = _SIZES.get(pid)
    if size is None:
        raise ProtocolError(f"PID 0x{pid:02X} has no known size; cannot split the reply")
    return size


def split_reply(payload: bytes, requested: Iterable[int], *, frame_field: bool = False) -> dict[int, bytes]:
    """Split ``41 pid data pid data ...`` (the service byte already removed) by PID.

    ``frame_field`` is set for mode 02, where every PID is followed by a frame number.
    Raises ProtocolError for a truncated reply or a PID that was not asked for.
    """
    wanted = requested if isinstance(requested, (set, frozenset)) else set(requested)
    sizes = _SIZES
    skip = 2 if frame_field else 1
    end = len(payload)
    out: dict[int, bytes] = {}
    i = 0
    while i < end:
        pid = payload[i]
        if pid not in wanted:
            raise ProtocolError(f"reply carries PID 0x{pid:02X} that was not requested: {payload.hex(' ')}")
        size = sizes.get(pid)
        if size is None:
            raise ProtocolError(f"PID 0x{pid:02X} has no known size; cannot split the reply")
        i += skip
        stop = i + size
        if stop > end:
            raise ProtocolError(f"reply truncated inside PID 0x{pid:02X}: {payload.hex(' ')}")
        out[pid] = bytes(payload[i:stop])
        i = stop
    return out


def decode_values(pid: int, data: bytes) -> dict[str, float]:
    """Every named value ``data`` holds (main first), e.g. ``{"o2_b1s1_voltage": 0.45, "o2_b1s1_trim": 3.1}``.

    A value the data marks as not available (O2 trim byte FF: sensor not used for trim;
    fuel system 2 byte 00: no second fuel system) is left out. Raises ProtocolError for
    data of the wrong size, KeyError for a PID not in the table.
    """
    spec = MODE01_PIDS[pid]
    if len(data) != spec.size:
        raise ProtocolError(f"PID 0x{pid:02X} carries {spec.size} data byte(s), got {len(data)}: {bytes(data).hex(' ')}")
    out = {spec.signal: spec.decode(data)}
    for value in spec.values[1:]:
        x = value.decode(data)
        if x is not None:
            out[value.name] = x
    return out


def encode_values(pid: int, values: Mapping[str, float]) -> bytes:
    """The data bytes of ``pid`` carrying ``values`` (by name); values not given keep their fill (simulator, tests)."""
    spec = MODE01_PIDS[pid]
    data = bytearray(spec.fill)
    for value in spec.values:
        if value.name in values:
            data[value.start : value.start + value.width] = value.encode(values[value.name])
    return bytes(data)


# --------------------------------------------------------------------------- words for codes

_FUEL_SYSTEM = {
    0x01: "Open loop: engine not warm enough yet",
    0x02: "Closed loop: mixture controlled by the O2 sensors",
    0x04: "Open loop: engine load or fuel cut on deceleration",
    0x08: "Open loop: system fault",
    0x10: "Closed loop, but a fault in the O2 sensor feedback",
}
_SECONDARY_AIR = {
    0x01: "Upstream of the first catalytic converter",
    0x02: "Downstream of the first catalytic converter inlet",
    0x04: "From the outside atmosphere, or off",
    0x08: "Pump commanded on for diagnostics",
}
_OBD_STANDARDS = {
    1: "OBD-II (California ARB)",
    2: "OBD (US EPA)",
    3: "OBD and OBD-II",
    4: "OBD-I",
    5: "Not OBD compliant",
    6: "EOBD (Europe)",
    7: "EOBD and OBD-II",
    8: "EOBD and OBD",
    9: "EOBD, OBD and OBD-II",
    10: "JOBD (Japan)",
    11: "JOBD and OBD-II",
    12: "JOBD and EOBD",
    13: "JOBD, EOBD and OBD-II",
    17: "Engine manufacturer diagnostics (EMD)",
    18: "Engine manufacturer diagnostics enhanced (EMD+)",
    19: "Heavy duty OBD, child/partial (HD OBD-C)",
    20: "Heavy duty OBD (HD OBD)",
    21: "World-wide harmonised OBD (WWH OBD)",
    23: "Heavy duty Euro OBD stage I without NOx control (HD EOBD-I)",
    24: "Heavy duty Euro OBD stage I with NOx control (HD EOBD-I N)",
    25: "Heavy duty Euro OBD stage II without NOx control (HD EOBD-II)",
    26: "Heavy duty Euro OBD stage II with NOx control (HD EOBD-II N)",
    28: "Brazil OBD phase 1 (OBDBr-1)",
    29: "Brazil OBD phase 2 (OBDBr-2)",
    30: "Korean OBD (KOBD)",
    31: "India OBD I (IOBD I)",
    32: "India OBD II (IOBD II)",
    33: "Heavy duty Euro OBD stage VI (HD EOBD-IV)",
}
_FUEL_TYPES = (
    "Not available", "Petrol", "Methanol", "Ethanol", "Diesel", "LPG", "CNG", "Propane", "Electric",
    "Bi-fuel running petrol", "Bi-fuel running methanol", "Bi-fuel running ethanol", "Bi-fuel running LPG",
    "Bi-fuel running CNG", "Bi-fuel running propane", "Bi-fuel running electricity",
    "Bi-fuel running electric and combustion engine", "Hybrid petrol", "Hybrid ethanol", "Hybrid diesel",
    "Hybrid electric", "Hybrid running electric and combustion engine", "Hybrid regenerative", "Bi-fuel running diesel",
)


def _one_bit(table: dict[int, str], nothing: str) -> Callable[[int], str]:
    def words(code: int) -> str:
        if code == 0:
            return nothing
        return table.get(code, f"Invalid status 0x{code:02X} (reserved or several bits set)")
    return words


def _sensors(banks: int, per_bank: int) -> Callable[[int], str]:
    def words(code: int) -> str:
        parts = []
        for bank in range(banks):
            sensors = [str(s + 1) for s in range(per_bank) if code & (1 << (bank * per_bank + s))]
            if sensors:
                parts.append(f"bank {bank + 1} sensor{'s' if len(sensors) > 1 else ''} {', '.join(sensors)}")
        return "; ".join(parts).capitalize() if parts else "None"
    return words


def _obd_standard(code: int) -> str:
    if code in _OBD_STANDARDS:
        return _OBD_STANDARDS[code]
    if code == 0:
        return "Undefined (code 0)"
    if code >= 0xFB:
        return f"Not available (code {code})"
    return f"Reserved (code {code})"


def _fuel_type(code: int) -> str:
    return _FUEL_TYPES[code] if code < len(_FUEL_TYPES) else f"Reserved (code {code})"


_WORDS: dict[str, Callable[[int], str]] = {
    "fuel_system_1_status": _one_bit(_FUEL_SYSTEM, "Not reported (engine off)"),
    "fuel_system_2_status": _one_bit(_FUEL_SYSTEM, "No second fuel system"),
    "secondary_air_status": _one_bit(_SECONDARY_AIR, "Not reported"),
    "o2_sensors_present": _sensors(2, 4),
    "o2_sensors_present_alt": _sensors(4, 2),
    "obd_standard": _obd_standard,
    "pto_active": lambda code: "PTO active" if code else "PTO not active",
    "fuel_type": _fuel_type,
}
assert _WORDS.keys() == {n for n, v in _VALUES.items() if v.enumerated}


def describe_value(name: str, value: float) -> str:
    """The value in words: the meaning of a code or bit field, else the number with its unit ("83 °C").

    KeyError for an unknown name.
    """
    spec = _VALUES[name]
    if spec.enumerated:
        return _WORDS[name](int(value))
    decimals = max(0, min(6, math.ceil(-math.log10(spec.resolution) - 1e-9)))
    text = f"{value:.{decimals}f}"
    return f"{text} {spec.unit}" if spec.unit else text


# --------------------------------------------------------------------------- PIDs without a decoder


def raw_signal_name(mode: int, pid: int) -> str:
    """Signal name for a PID we cannot decode: ``pid_01_5f``, ``pid_22_115c`` (two-byte PIDs in four digits)."""
    if not 0 <= mode <= 0xFF:
        raise ValueError(f"mode {mode} is not one byte")
    if not 0 <= pid <= 0xFFFF:
        raise ValueError(f"PID {pid} is not one or two bytes")
    digits = 4 if mode == 0x22 or pid > 0xFF else 2
    return f"pid_{mode:02x}_{pid:0{digits}x}"


def raw_hex(data: bytes) -> str:
    """Raw data bytes as a technician reads them: ``"1A F8"`` (empty data: ``""``)."""
    return bytes(data).hex(" ").upper()


def raw_value(data: bytes) -> float:
    """Raw data as one unsigned big-endian number, for plotting a PID without a decoder."""
    return float(int.from_bytes(data, "big"))


# --------------------------------------------------------------------------- support bitmaps


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
