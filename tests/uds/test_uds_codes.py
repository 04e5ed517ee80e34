"""UDS 3-byte codes in words: letter and number, SAE J2012-DA failure type, status bits, workshop texts."""

from __future__ import annotations

import json

from drivers.simulator.uds_module import uds_dtc
from drivers.uds import codes
from drivers.uds.codes import UdsDtc, describe_code, failure_type_text, status_words
from drivers.uds.negative import nrc_words
from drivers.uds.snapshots import parse_snapshot


def test_three_byte_codes_decode_to_letter_number_and_failure_type():
    assert uds_dtc("C0035", 0x13) == 0x403513
    d = UdsDtc(0x403513, 0x2F)
    assert (d.code, d.display, d.failure_text, d.system) == ("C0035", "C0035-13", "Circuit open", "chassis")
    assert UdsDtc(uds_dtc("U0121", 0x87), 0x28).description == "Lost Communication With Anti-Lock Brake System (ABS) Control Module"
    assert UdsDtc(uds_dtc("P0171", 0x00), 0x08).description.startswith("System Too Lean")  # P codes from the OBD table
    assert describe_code("B1999") == "Manufacturer-specific code"


def test_failure_types_fall_back_to_their_category():
    assert failure_type_text(0x1B) == "Circuit resistance above threshold"
    assert failure_type_text(0x2D) == "General signal failures, sub-type 2D"
    assert failure_type_text(0xF3) == "Manufacturer / supplier specific, sub-type F3"


def test_status_bits_in_words():
    assert status_words(0x00) == []
    assert status_words(0x89) == ["failing now", "confirmed", "warning lamp on"]


def test_a_workshop_file_extends_and_overrides_texts(monkeypatch, tmp_path):
    folder = tmp_path / "uds" / "dtc"
    folder.mkdir(parents=True)
    (folder / "zz_shop.json").write_text(json.dumps({"codes": {"B1A20": "Seat heater driver", "B1A20-1B": "Seat heater element open (our note)"}}))
    real = codes.resource_path

    def patched(*parts: str):
        return tmp_path.joinpath(*parts) if parts[:2] == ("uds", "dtc") else real(*parts)

    monkeypatch.setattr(codes, "resource_path", patched)
    codes.reload_texts()
    try:
        assert describe_code("B1A20", 0x1B) == "Seat heater element open (our note)"
        assert describe_code("B1A20", 0x13) == "Seat heater driver"
    finally:
        monkeypatch.undo()
        codes.reload_texts()


def test_negative_response_words():
    assert nrc_words(0x78) == "response pending (module busy)"
    assert nrc_words(0x99) == "negative response 0x99"


def test_snapshot_with_an_unknown_did_keeps_what_came_before_and_the_raw_rest():
    values = parse_snapshot(bytes.fromhex("0102DD0179F00D0102"))
    assert (values[0].name, values[0].value) == ("Battery voltage", 12.1)
    assert values[1].value is None and "unknown DID F00D" in values[1].name and values[1].raw == "01 02"
    assert parse_snapshot(b"") == []
