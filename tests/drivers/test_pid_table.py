"""The mode 01 PID table against SAE J1979 and against python-OBD 0.7.3's decoders on the same bytes.

Every table value has an independent formula here (``STANDARD``, written from the SAE J1979
scaling). Where python-OBD decodes the same quantity, its decoder must agree with ours; where
python-OBD is wrong (``PYTHON_OBD_QUIRKS``) the test says why and checks the standard instead.
"""

from __future__ import annotations

import math

import obd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from obd.codes import FUEL_STATUS, FUEL_TYPES, OBD_COMPLIANCE
from obd.protocols import ECU
from obd.protocols.protocol import Message

from drivers.errors import ProtocolError
from drivers.obd.pids import (
    BY_SIGNAL,
    MODE01_PIDS,
    SUPPORT_PIDS,
    SignalInfo,
    decode_values,
    describe_value,
    encode_values,
    is_enumerated,
    raw_hex,
    raw_signal_name,
    raw_value,
    reply_size,
    signal_info,
    split_reply,
)
from drivers.simulator.model import VehicleModel
from drivers.simulator.obd_responder import ObdResponder, fuel_system_status

# --------------------------------------------------------------------------- the standard, written independently


def u(d: bytes, i: int, n: int = 1) -> int:
    return int.from_bytes(d[i : i + n], "big")


def pct(d):
    return d[0] * 100.0 / 255.0


def centred(i):
    return lambda d: (d[i] - 128) * 100.0 / 128.0


def temp(d):
    return d[0] - 40.0


def not_ff_trim(d):
    return None if d[1] == 0xFF else (d[1] - 128) * 100.0 / 128.0


STANDARD: dict[int, dict[str, object]] = {
    0x03: {"fuel_system_1_status": lambda d: d[0], "fuel_system_2_status": lambda d: d[1] or None},
    0x04: {"engine_load": pct},
    0x05: {"coolant_temp": temp},
    0x06: {"stft_b1": centred(0)},
    0x07: {"ltft_b1": centred(0)},
    0x08: {"stft_b2": centred(0)},
    0x09: {"ltft_b2": centred(0)},
    0x0A: {"fuel_pressure": lambda d: 3.0 * d[0]},
    0x0B: {"intake_manifold_pressure": lambda d: d[0]},
    0x0C: {"engine_speed": lambda d: (256 * d[0] + d[1]) / 4},
    0x0D: {"vehicle_speed": lambda d: d[0]},
    0x0E: {"timing_advance": lambda d: d[0] / 2 - 64},
    0x0F: {"intake_air_temp": temp},
    0x10: {"maf": lambda d: (256 * d[0] + d[1]) / 100},
    0x11: {"throttle_position": pct},
    0x12: {"secondary_air_status": lambda d: d[0]},
    0x13: {"o2_sensors_present": lambda d: d[0]},
    0x1C: {"obd_standard": lambda d: d[0]},
    0x1D: {"o2_sensors_present_alt": lambda d: d[0]},
    0x1E: {"pto_active": lambda d: d[0] & 1},  # bit A0
    0x1F: {"run_time": lambda d: u(d, 0, 2)},
    0x21: {"distance_with_mil": lambda d: u(d, 0, 2)},
    0x22: {"fuel_rail_pressure_rel": lambda d: 0.079 * u(d, 0, 2)},
    0x23: {"fuel_rail_pressure": lambda d: 10 * u(d, 0, 2)},
    0x2C: {"commanded_egr": pct},
    0x2D: {"egr_error": centred(0)},
    0x2E: {"commanded_evap_purge": pct},
    0x2F: {"fuel_level": pct},
    0x30: {"warmups_since_clear": lambda d: d[0]},
    0x31: {"distance_since_clear": lambda d: u(d, 0, 2)},
    0x32: {"evap_vapour_pressure": lambda d: int.from_bytes(d, "big", signed=True) / 4},
    0x33: {"barometric_pressure": lambda d: d[0]},
    0x42: {"battery_voltage": lambda d: u(d, 0, 2) / 1000},
    0x43: {"absolute_load": lambda d: u(d, 0, 2) * 100 / 255},
    0x44: {"commanded_lambda": lambda d: 2 / 65536 * u(d, 0, 2)},
    0x45: {"relative_throttle_position": pct},
    0x46: {"ambient_air_temp": temp},
    0x47: {"throttle_position_b": pct},
    0x48: {"throttle_position_c": pct},
    0x49: {"accelerator_pedal_d": pct},
    0x4A: {"accelerator_pedal_e": pct},
    0x4B: {"accelerator_pedal_f": pct},
    0x4C: {"commanded_throttle": pct},
    0x4D: {"time_with_mil": lambda d: u(d, 0, 2)},
    0x4E: {"time_since_clear": lambda d: u(d, 0, 2)},
    0x4F: {"o2_max_lambda": lambda d: d[0], "o2_max_voltage": lambda d: d[1], "o2_max_current": lambda d: d[2],
           "intake_pressure_max": lambda d: 10 * d[3]},
    0x50: {"maf_max": lambda d: 10 * d[0]},
    0x51: {"fuel_type": lambda d: d[0]},
    0x52: {"ethanol_percent": pct},
    0x53: {"evap_vapour_pressure_abs": lambda d: u(d, 0, 2) / 200},
    0x54: {"evap_vapour_pressure_wide": lambda d: u(d, 0, 2) - 32767},
    0x59: {"fuel_rail_pressure_abs": lambda d: 10 * u(d, 0, 2)},
    0x5A: {"relative_accelerator_pedal": pct},
    0x5B: {"hybrid_battery_remaining": pct},
    0x5C: {"engine_oil_temp": temp},
    0x5D: {"fuel_injection_timing": lambda d: u(d, 0, 2) / 128 - 210},
    0x5E: {"fuel_rate": lambda d: u(d, 0, 2) / 20},
    0x61: {"driver_demand_torque": lambda d: d[0] - 125},
    0x62: {"actual_torque": lambda d: d[0] - 125},
    0x63: {"reference_torque": lambda d: u(d, 0, 2)},
    0xA6: {"odometer_km": lambda d: u(d, 0, 4) / 10},
}
for _i, (_bank, _sensor) in enumerate((b, s) for b in (1, 2) for s in (1, 2, 3, 4)):
    _tag = f"o2_b{_bank}s{_sensor}"
    STANDARD[0x14 + _i] = {f"{_tag}_voltage": lambda d: d[0] / 200, f"{_tag}_trim": not_ff_trim}
    STANDARD[0x24 + _i] = {f"{_tag}_lambda": lambda d: 2 / 65536 * u(d, 0, 2), f"{_tag}_wr_voltage": lambda d: 8 / 65536 * u(d, 2, 2)}
    STANDARD[0x34 + _i] = {f"{_tag}_lambda_c": lambda d: 2 / 65536 * u(d, 0, 2), f"{_tag}_wr_current": lambda d: u(d, 2, 2) / 256 - 128}
for _pid, _kind, _bank, _other in ((0x55, "stft", 1, 3), (0x56, "ltft", 1, 3), (0x57, "stft", 2, 4), (0x58, "ltft", 2, 4)):
    STANDARD[_pid] = {f"secondary_o2_{_kind}_b{_bank}": centred(0), f"secondary_o2_{_kind}_b{_other}": centred(1)}
for _pid, _bank, _sensor in ((0x3C, 1, 1), (0x3D, 2, 1), (0x3E, 1, 2), (0x3F, 2, 2)):
    STANDARD[_pid] = {f"catalyst_temp_b{_bank}s{_sensor}": lambda d: u(d, 0, 2) / 10 - 40}

TABLE = sorted(MODE01_PIDS)
ANY_DATA = st.binary(min_size=4, max_size=4)  # cut to each PID's size


def close(a, b) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)


def expected(pid: int, data: bytes) -> dict[str, float]:
    out = {}
    for name, formula in STANDARD[pid].items():
        value = formula(data)
        if value is not None:
            out[name] = value
    return out


def test_the_standard_reference_covers_the_whole_table():
    assert set(STANDARD) == set(MODE01_PIDS)
    for pid, spec in MODE01_PIDS.items():
        assert [v.name for v in spec.values] == list(STANDARD[pid]), f"{pid:02X}"


@pytest.mark.parametrize("pid", TABLE, ids=lambda p: f"{p:02X}")
@settings(max_examples=60, deadline=None)
@given(raw=ANY_DATA)
def test_every_value_decodes_as_the_standard_says(pid, raw):
    data = raw[: MODE01_PIDS[pid].size]
    got = decode_values(pid, data)
    want = expected(pid, data)
    assert got.keys() == want.keys()
    assert all(close(got[k], want[k]) for k in want), (got, want)
    assert all(type(v) is float for v in got.values())
    assert next(iter(got)) == MODE01_PIDS[pid].signal and close(MODE01_PIDS[pid].decode(data), got[MODE01_PIDS[pid].signal])


@pytest.mark.parametrize("pid", [p for p in TABLE if MODE01_PIDS[p].size == 1], ids=lambda p: f"{p:02X}")
def test_one_byte_pids_exhaustively(pid):
    for a in range(256):
        data = bytes((a,))
        got, want = decode_values(pid, data), expected(pid, data)
        assert got.keys() == want.keys() and all(close(got[k], want[k]) for k in want), a


# --------------------------------------------------------------------------- python-OBD on the same bytes


def python_obd(pid: int, data: bytes):
    """python-OBD 0.7.3's decoded value for ``41 pid data`` (as its own tests build messages)."""
    message = Message([])
    message.ecu = ECU.ENGINE
    message.data = bytearray(bytes((0x41, pid)) + data)
    value = obd.commands[1][pid]([message]).value
    return getattr(value, "magnitude", value)


# Which of our values python-OBD's decoder for the PID yields (None: python-OBD decodes nothing numeric).
PYTHON_OBD_VALUE: dict[int, str] = {pid: next(iter(STANDARD[pid])) for pid in TABLE if pid <= 0x5E}
PYTHON_OBD_VALUE.update({0x24 + i: f"o2_b{b}s{s}_wr_voltage" for i, (b, s) in enumerate((b, s) for b in (1, 2) for s in (1, 2, 3, 4))})
PYTHON_OBD_VALUE.update({0x34 + i: f"o2_b{b}s{s}_wr_current" for i, (b, s) in enumerate((b, s) for b in (1, 2) for s in (1, 2, 3, 4))})
# Enumerated PIDs: python-OBD gives words, compared in their own tests below.
TEXT_PIDS = {0x03, 0x12, 0x13, 0x1C, 0x1D, 0x1E, 0x51}
# python-OBD 0.7.3 departs from SAE J1979 here; the standard tests above are the reference for these.
PYTHON_OBD_QUIRKS = {
    0x1E: "reads the PTO bit from A7; J1979 puts it in A0",
    0x24: "wide-band voltage scaled by 8/65535; J1979: 8/65536 (0.000122 V/bit)",
    0x32: "sign-extends A and B separately; J1979: one signed 16-bit value (0.25 Pa/bit)",
    0x44: "scales by 0.0000305; J1979: 2/65536 (0.0000305 is that figure rounded)",
    0x4F: "drops the reply (no decoder); J1979: A ratio, B V, C mA, D x10 kPa",
}
PYTHON_OBD_QUIRKS.update({0x24 + i: PYTHON_OBD_QUIRKS[0x24] for i in range(1, 8)})
SAME_AS_PYTHON_OBD = sorted(set(PYTHON_OBD_VALUE) - TEXT_PIDS - set(PYTHON_OBD_QUIRKS))


def test_every_python_obd_mode01_pid_is_in_the_table_or_has_a_known_size():
    for command in obd.commands[1]:
        assert reply_size(command.pid) == command.bytes - 2, command.name  # python-OBD's size includes 41 and the PID
        if command.pid not in SUPPORT_PIDS and command.pid not in (0x01, 0x02, 0x41, 0x5F):  # status, freeze code, emission req.
            assert command.pid in MODE01_PIDS, command.name
    assert sum(1 for p in MODE01_PIDS if p <= 0x5F) == len(obd.commands[1]) - 3 - 4  # all but support, 01/02/41 and 5F (4F: ours only)


@pytest.mark.parametrize("pid", SAME_AS_PYTHON_OBD, ids=lambda p: f"{p:02X}")
@settings(max_examples=40, deadline=None)
@given(raw=ANY_DATA)
def test_decoded_like_python_obd(pid, raw):
    data = raw[: MODE01_PIDS[pid].size]
    ours = decode_values(pid, data)[PYTHON_OBD_VALUE[pid]]
    assert math.isclose(ours, python_obd(pid, data), rel_tol=1e-12, abs_tol=1e-9)


@settings(max_examples=80, deadline=None)
@given(raw=ANY_DATA)
def test_quirks_stay_close_to_python_obd_where_only_the_rounding_differs(raw):
    for i in range(8):  # wide-band voltage: 8/65536 vs python-OBD's 8/65535, at most 0.000122 V apart
        pid = 0x24 + i
        ours = decode_values(pid, raw)[PYTHON_OBD_VALUE[pid]]
        assert abs(ours - python_obd(pid, raw)) <= 8 / 65535
    ours = decode_values(0x44, raw[:2])["commanded_lambda"]
    assert math.isclose(ours, python_obd(0x44, raw[:2]), rel_tol=6.5e-4, abs_tol=1e-12)


def test_python_obd_quirks_are_real():
    """If a python-OBD release fixes one of these, the quirk list (and this comment) should go."""
    assert python_obd(0x32, b"\x00\x80") == -32.0 and decode_values(0x32, b"\x00\x80")["evap_vapour_pressure"] == 32.0
    assert python_obd(0x1E, b"\x01") is False and decode_values(0x1E, b"\x01")["pto_active"] == 1.0
    assert python_obd(0x4F, b"\x02\x08\x80\x19") is None
    assert decode_values(0x4F, b"\x02\x08\x80\x19") == {"o2_max_lambda": 2, "o2_max_voltage": 8, "o2_max_current": 128,
                                                      "intake_pressure_max": 250}


def test_fuel_system_status_words_match_python_obd():
    for a in range(256):
        for b in (0, a):
            ours = decode_values(0x03, bytes((a, b)))
            theirs = python_obd(0x03, bytes((a, b)))
            assert ours["fuel_system_1_status"] == a
            single = a in (1, 2, 4, 8, 16)
            assert (theirs is not None and theirs[0] == FUEL_STATUS[a.bit_length() - 1]) == single
            assert describe_value("fuel_system_1_status", a).startswith(("Open", "Closed")) == single
            assert ("fuel_system_2_status" in ours) == (b != 0)
    assert describe_value("fuel_system_1_status", 2) == "Closed loop: mixture controlled by the O2 sensors"
    assert describe_value("fuel_system_1_status", 0) == "Not reported (engine off)"


def test_secondary_air_words_match_python_obd():
    for a in (1, 2, 4, 8):
        assert describe_value("secondary_air_status", decode_values(0x12, bytes((a,)))["secondary_air_status"]).split()[0] \
            == python_obd(0x12, bytes((a,))).split()[0]
    # python-OBD 0.7.3 raises IndexError for a single reserved bit (0x10..0x80); we say what it is.
    with pytest.raises(IndexError):
        python_obd(0x12, b"\x10")
    assert describe_value("secondary_air_status", 0x10).startswith("Invalid")


@pytest.mark.parametrize("pid, table", [(0x1C, OBD_COMPLIANCE), (0x51, FUEL_TYPES)], ids=["obd_standard", "fuel_type"])
def test_code_tables_know_the_codes_python_obd_knows(pid, table):
    name = MODE01_PIDS[pid].signal
    for code in range(256):
        theirs = python_obd(pid, bytes((code,)))
        assert decode_values(pid, bytes((code,)))[name] == code
        words = describe_value(name, code)
        known = theirs not in (None, "Reserved", "Undefined")
        assert (not words.startswith(("Reserved", "Not available (code", "Undefined"))) == known, (code, words, theirs)
    assert describe_value("obd_standard", 6) == "EOBD (Europe)"
    assert describe_value("fuel_type", 4) == "Diesel"
    assert describe_value("fuel_type", 0) == "Not available"


def test_o2_sensors_present_follow_the_standard_bit_order():
    # J1979: A0..A3 = bank 1 sensors 1-4, A4..A7 = bank 2 sensors 1-4 (python-OBD 0.7.3 lists bank 1 as A7..A4).
    assert describe_value("o2_sensors_present", 0x03) == "Bank 1 sensors 1, 2"
    assert describe_value("o2_sensors_present", 0x11) == "Bank 1 sensor 1; bank 2 sensor 1"
    assert describe_value("o2_sensors_present", 0) == "None"
    assert python_obd(0x13, b"\x03")[1] == (False, False, False, False)  # the quirk
    # PID 1D: two sensors on each of four banks.
    assert describe_value("o2_sensors_present_alt", 0b0100_0101) == "Bank 1 sensor 1; bank 2 sensor 1; bank 4 sensor 1"
    assert describe_value("pto_active", 1) == "PTO active" and describe_value("pto_active", 0) == "PTO not active"


# --------------------------------------------------------------------------- names, info, sizes


EXISTING_NAMES = {  # recordings, settings and tests use these: they never change
    "engine_load": 0x04, "coolant_temp": 0x05, "stft_b1": 0x06, "ltft_b1": 0x07, "intake_manifold_pressure": 0x0B,
    "engine_speed": 0x0C, "vehicle_speed": 0x0D, "timing_advance": 0x0E, "intake_air_temp": 0x0F, "maf": 0x10,
    "throttle_position": 0x11, "o2_b1s1_voltage": 0x14, "o2_b1s2_voltage": 0x15, "run_time": 0x1F,
    "distance_with_mil": 0x21, "fuel_level": 0x2F, "warmups_since_clear": 0x30, "distance_since_clear": 0x31,
    "barometric_pressure": 0x33, "catalyst_temp_b1s1": 0x3C, "battery_voltage": 0x42, "ambient_air_temp": 0x46,
    "odometer_km": 0xA6,
}


def test_existing_signal_names_are_unchanged_and_main():
    for name, pid in EXISTING_NAMES.items():
        assert BY_SIGNAL[name].pid == pid and MODE01_PIDS[pid].signal == name


def test_every_signal_name_has_info_and_a_pid():
    assert len(BY_SIGNAL) == sum(len(p.values) for p in MODE01_PIDS.values())  # unique names
    for name, spec in BY_SIGNAL.items():
        info = signal_info(name)
        assert isinstance(info, SignalInfo) and info.name == name and info.pid == spec.pid
        assert info.minimum < info.maximum and info.description
        assert name.isidentifier() and name == name.lower() and "@" not in name
    assert signal_info("o2_b2s4_trim").pid == 0x1B and signal_info("o2_b2s4_trim").unit == "%"
    assert signal_info("fuel_rail_pressure_rel").description == "Fuel rail pressure (relative to manifold)"
    assert signal_info("fuel_rail_pressure_rel").unit == "kPa"
    with pytest.raises(KeyError):
        signal_info("warp_drive")


def test_main_value_is_the_pid_fields():
    for spec in MODE01_PIDS.values():
        main = spec.values[0]
        assert (spec.signal, spec.unit, spec.description, spec.minimum, spec.maximum) == (
            main.name, main.unit, main.description, main.minimum, main.maximum)
        assert reply_size(spec.pid) == spec.size == len(spec.fill) == len(spec.encode(main.minimum))


def test_wrong_size_data_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="4 data byte"):
        decode_values(0x24, b"\x80\x00\x00")
    with pytest.raises(ProtocolError):
        decode_values(0x0C, b"\x1a")
    with pytest.raises(KeyError):
        decode_values(0x5F, b"\x00")


def test_describe_value_of_plain_numbers():
    assert describe_value("coolant_temp", 83.0) == "83 °C"
    assert describe_value("battery_voltage", 14.4) == "14.400 V"
    assert describe_value("warmups_since_clear", 5.0) == "5"
    assert not is_enumerated("coolant_temp") and is_enumerated("fuel_type") and is_enumerated("pto_active")


def test_raw_pids():
    assert raw_signal_name(0x01, 0x5F) == "pid_01_5f"
    assert raw_signal_name(0x22, 0x115C) == "pid_22_115c"
    assert raw_signal_name(0x22, 0x0042) == "pid_22_0042"
    assert raw_hex(b"\x1a\xf8") == "1A F8" and raw_hex(b"") == ""
    assert raw_value(b"\x01\x00") == 256.0
    assert reply_size(0x5F) == 1  # no decoder, but a multi-PID reply carrying it still splits
    with pytest.raises(ValueError):
        raw_signal_name(0x01, 0x1_0000)


# --------------------------------------------------------------------------- encoders, multi-PID replies


@pytest.mark.parametrize("name", sorted(n for n in BY_SIGNAL if not is_enumerated(n)))
@settings(max_examples=25, deadline=None)
@given(fraction=st.floats(min_value=0.0, max_value=1.0))
def test_every_value_round_trips_within_half_a_step(name, fraction):
    info = signal_info(name)
    spec = BY_SIGNAL[name]
    step = next(v.resolution for v in spec.values if v.name == name)
    value = info.minimum + fraction * (info.maximum - info.minimum)
    data = encode_values(spec.pid, {name: value})
    assert len(data) == spec.size
    assert abs(decode_values(spec.pid, data)[name] - value) <= step / 2 + 1e-9 * max(1.0, abs(value))


@pytest.mark.parametrize("name", sorted(n for n in BY_SIGNAL if is_enumerated(n)))
def test_codes_round_trip_exactly(name):
    spec = BY_SIGNAL[name]
    top = int(signal_info(name).maximum)
    for code in range(top + 1):
        decoded = decode_values(spec.pid, encode_values(spec.pid, {name: code}))
        assert decoded.get(name, 0) == code  # fuel system 2 = 0 means "no second fuel system": left out


def test_encoders_fill_the_other_values_with_not_available_or_neutral():
    assert decode_values(0x16, MODE01_PIDS[0x16].encode(0.6)) == {"o2_b1s3_voltage": pytest.approx(0.6)}  # trim FF: not used
    assert decode_values(0x34, MODE01_PIDS[0x34].encode(1.0)) == {"o2_b1s1_lambda_c": 1.0, "o2_b1s1_wr_current": 0.0}
    assert encode_values(0x14, {"o2_b1s1_voltage": 0.45, "o2_b1s1_trim": 200.0}) == b"\x5a\xfe"  # clamped below FF


def test_multi_pid_reply_of_new_pids_splits_and_decodes():
    values = {
        0x24: {"o2_b1s1_lambda": 0.98, "o2_b1s1_wr_voltage": 3.3},
        0x34: {"o2_b2s1_lambda_c": 1.02, "o2_b2s1_wr_current": -0.4},
        0x03: {"fuel_system_1_status": 2},
        0x1B: {"o2_b2s4_voltage": 0.7, "o2_b2s4_trim": -3.125},
        0x44: {"commanded_lambda": 1.0},
        0x5E: {"fuel_rate": 2.35},
    }
    order = [0x24, 0x38, 0x03, 0x1B, 0x44, 0x5E]
    values[0x38] = values.pop(0x34)
    payload = b"".join(bytes((pid,)) + encode_values(pid, values[pid]) for pid in order)
    parts = split_reply(payload, order)
    assert list(parts) == order
    for pid in order:
        decoded = decode_values(pid, parts[pid])
        for name, value in values[pid].items():
            assert decoded[name] == pytest.approx(value, abs=signal_info(name).maximum / 1000)
    # Mode 02: every PID is followed by its frame number.
    frames = b"".join(bytes((pid, 0)) + encode_values(pid, values[pid]) for pid in order[:3])
    assert split_reply(frames, order[:3], frame_field=True) == {pid: parts[pid] for pid in order[:3]}
    with pytest.raises(ProtocolError, match="truncated inside PID 0x24"):
        split_reply(payload[:4], order)
    with pytest.raises(ProtocolError, match="no known size"):
        split_reply(b"\x64\x00\x00\x00\x00\x00", [0x64])


def test_split_reply_is_not_slower_than_the_small_table():
    import timeit

    payload = bytes.fromhex("0C1AF80D32057B0B21111F0F44")
    pids = [0x0C, 0x0D, 0x05, 0x0B, 0x11, 0x0F]
    per_call = min(timeit.repeat(lambda: split_reply(payload, pids), number=2000, repeat=5)) / 2000
    assert per_call < 200e-6  # ~3 us here (generous for a busy machine); the live poll does one per six PIDs


# --------------------------------------------------------------------------- the simulated ECU


def test_simulator_advertises_only_what_its_model_produces():
    model = VehicleModel(seed=3)
    responder = ObdResponder(model)
    signals = set(model.signals())
    assert responder.live_pids == {p for p in MODE01_PIDS if MODE01_PIDS[p].signal in signals} | {0x03, 0x21, 0x30, 0x31}
    assert not {0x08, 0x09, 0x16, 0x24, 0x44, 0x5C} & responder.supported  # no bank 2, no wide-band, no oil temp
    model.step(0.1)
    for pid in sorted(responder.supported - set(SUPPORT_PIDS)):
        reply = responder.handle(bytes((0x01, pid)))
        assert reply is not None and reply[0] == 0x41, f"{pid:02X} advertised but not answered"
        data = split_reply(reply[1:], [pid])[pid]
        if pid in MODE01_PIDS:
            decode_values(pid, data)
    for base in SUPPORT_PIDS:
        bitmap = responder.handle(bytes((0x01, base)))
        assert bitmap is None or bitmap[1] == base


def test_simulated_fuel_system_status_follows_the_fuel_controller():
    model = VehicleModel(seed=0)
    responder = ObdResponder(model)
    seen = set()
    while model.time < 400:
        model.step(0.1)
        data = split_reply(responder.handle(b"\x01\x03")[1:], [0x03])[0x03]
        status = decode_values(0x03, data)
        assert status == {"fuel_system_1_status": float(fuel_system_status(model))}  # one fuel system: B = 0
        assert (status["fuel_system_1_status"] == 2) == (model.fuel.closed_loop and model.engine_running)
        seen.add(status["fuel_system_1_status"])
    assert {1.0, 2.0, 4.0} <= seen  # warm-up, closed loop, and fuel cut or full load on the drive
