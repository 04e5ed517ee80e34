"""The OBD-II codecs on raw bytes: PIDs, trouble codes, readiness, ISO-TP, and fuzzing of the reply parsers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carvrooom_desktop.domain import DtcKind, DtcSystem, MonitorState
from drivers.errors import ProtocolError
from drivers.obd import isotp
from drivers.obd.dtc_codes import decode_dtc, describe, encode_dtc, parse_dtc_payload
from drivers.obd.pids import MODE01_PIDS, decode_supported, encode_supported, split_reply
from drivers.obd.readiness import decode_status, encode_status


def test_known_pid_replies_decode_like_the_standard():
    assert MODE01_PIDS[0x0C].decode(bytes.fromhex("1AF8")) == 1726.0
    assert MODE01_PIDS[0x05].decode(b"\x7b") == 83.0
    assert MODE01_PIDS[0x06].decode(b"\x80") == 0.0
    assert MODE01_PIDS[0x42].decode(bytes.fromhex("3840")) == pytest.approx(14.4)
    assert MODE01_PIDS[0x14].decode(b"\x5a\xff") == pytest.approx(0.45)


@pytest.mark.parametrize("pid", sorted(MODE01_PIDS))
def test_every_pid_round_trips_within_one_step(pid):
    spec = MODE01_PIDS[pid]
    for value in (spec.minimum, (spec.minimum + spec.maximum) / 2, spec.maximum):
        data = spec.encode(value)
        assert len(data) == spec.size
        step = spec.resolution  # the main value's scale (a PID may carry further values after it)
        assert abs(spec.decode(data) - value) <= step


def test_multi_pid_reply_is_split_by_known_sizes():
    parts = split_reply(bytes.fromhex("0C1AF8 0D32 057B".replace(" ", "")), [0x0C, 0x0D, 0x05])
    assert parts == {0x0C: b"\x1a\xf8", 0x0D: b"\x32", 0x05: b"\x7b"}
    with pytest.raises(ProtocolError, match="truncated"):
        split_reply(bytes.fromhex("0C1A"), [0x0C])
    with pytest.raises(ProtocolError, match="not requested"):
        split_reply(bytes.fromhex("0D32"), [0x0C])


def test_supported_bitmap_both_ways():
    assert decode_supported(0, encode_supported(0, {1, 5, 0x0C, 0x20})) == {1, 5, 0x0C, 0x20}
    assert decode_supported(0, bytes.fromhex("BE1FA813")) >= {0x01, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0C, 0x0D}


@pytest.mark.parametrize("code", ["P0171", "P0300", "P0420", "C0035", "B1318", "U0100", "P2A00", "P3400"])
def test_dtc_bytes_round_trip(code):
    a, b = encode_dtc(code)
    assert decode_dtc(a, b) == code


def test_dtc_payload_with_and_without_count_byte():
    with_count = bytes.fromhex("02 0143 0196".replace(" ", ""))
    without = bytes.fromhex("0143 0196".replace(" ", ""))
    assert parse_dtc_payload(with_count) == ["P0143", "P0196"]
    assert parse_dtc_payload(without) == ["P0143", "P0196"]  # python-OBD reads this as C0301
    assert parse_dtc_payload(b"\x00") == []
    with pytest.raises(ProtocolError, match="count byte"):
        parse_dtc_payload(bytes.fromhex("030143"))


def test_descriptions_and_systems():
    lean = describe("P0171", DtcKind.PENDING)
    assert lean.description == "System Too Lean (Bank 1)" and lean.system is DtcSystem.FUEL_AIR and lean.kind is DtcKind.PENDING
    assert describe("P0128").system is DtcSystem.COOLING
    assert describe("P0562").system is DtcSystem.CHARGING
    assert describe("P0303").system is DtcSystem.IGNITION
    assert describe("U0100").system is DtcSystem.NETWORK
    assert describe("C0035").description.startswith("Left Front Wheel Speed")
    assert describe("P1234").description == "Manufacturer-specific code"


def test_readiness_round_trip():
    monitors = [("misfire", True, True, True), ("fuel system", True, True, True), ("components", True, True, True),
                ("catalyst", False, True, False), ("evap system", False, True, True), ("o2 sensor", False, True, True),
                ("o2 sensor heater", False, True, True), ("egr/vvt", False, False, False)]
    report = decode_status(encode_status(True, 2, monitors))
    assert report.mil_on and report.dtc_count == 2 and not report.compression_ignition
    states = {m.name: m.state for m in report.monitors}
    assert states["catalyst"] is MonitorState.INCOMPLETE and states["misfire"] is MonitorState.COMPLETE
    assert states["egr/vvt"] is MonitorState.NOT_SUPPORTED and [m.name for m in report.incomplete] == ["catalyst"]


@pytest.mark.parametrize("length", [1, 7, 8, 20, 100, 4095])
def test_isotp_segment_and_reassemble(length):
    payload = bytes(i & 0xFF for i in range(length))
    frames = isotp.segment(payload)
    assert all(len(f) == 8 for f in frames)
    rx = isotp.IsoTpReceiver()
    result = None
    for i, frame in enumerate(frames):
        result = rx.feed(frame)
        if i == 0 and len(frames) > 1:
            assert rx.needs_flow_control
    assert result == payload


def test_isotp_out_of_order_and_orphan_frames_are_protocol_errors():
    frames = isotp.segment(bytes(30))
    rx = isotp.IsoTpReceiver()
    rx.feed(frames[0])
    with pytest.raises(ProtocolError, match="out of order"):
        rx.feed(frames[2])
    with pytest.raises(ProtocolError, match="without a first frame"):
        isotp.IsoTpReceiver().feed(frames[1])


FUZZ_EXAMPLES = 3000


@settings(max_examples=FUZZ_EXAMPLES, deadline=None)
@given(st.binary(max_size=64))
def test_fuzz_reply_parsers_raise_only_protocol_errors(data):
    """Garbage from an adapter may be refused, never crash: only ProtocolError escapes."""
    for parse in (
        lambda d: parse_dtc_payload(d),
        lambda d: split_reply(d, range(256)),
        lambda d: split_reply(d, range(256), frame_field=True),
        lambda d: decode_status(d),
        lambda d: isotp.IsoTpReceiver().feed(d),
        lambda d: isotp.parse_flow_control(d),
    ):
        try:
            parse(data)
        except ProtocolError:
            pass
