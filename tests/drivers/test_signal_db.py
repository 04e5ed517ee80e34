"""Signal databases: the four formats, multiplexing, value tables, tolerant loading of real files."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from drivers.errors import DriverError, ProtocolError
from drivers.signal_db import (
    SignalDatabaseError,
    SignalDecodeError,
    load_signal_database,
)

FIXTURES = Path(__file__).parent / "fixtures"
DATASETS_DBC = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "dbc"  # /work/shared beside the repo

ENGINE = bytes([0x10, 0x27, 100, 3, 0, 0, 0, 0])  # 2500 rpm, 60 degC, gear 3
GEARS = {0: "Park", 1: "Reverse", 2: "Neutral", 3: "Drive"}


@pytest.mark.parametrize("name", ["workshop_car.dbc", "workshop_car.kcd", "workshop_car.sym", "workshop_car.arxml"])
def test_every_format_loads_strictly_with_units_limits_and_value_tables(name):
    db = load_signal_database(FIXTURES / name)
    assert db.format == name.rsplit(".", 1)[1] and db.strict and db.warnings == []
    speed = next(s for s in db.signals if s.name == "EngineSpeed")
    assert (speed.message_name, speed.unit, speed.maximum, speed.scale) == ("EngineData", "rpm", 16383.75, 0.25)
    assert speed.full_name == "EngineData.EngineSpeed" and not speed.is_multiplexed
    gear = next(s for s in db.signals if s.name == "Gear")
    assert dict(gear.choices) == GEARS
    values = db.decode(0x100, ENGINE)
    assert values["EngineSpeed"] == 2500.0 and values["Gear"] == 3  # numbers, not choice names


@pytest.mark.parametrize("name", ["workshop_car.dbc", "workshop_car.kcd", "workshop_car.sym"])
def test_multiplexed_message(name):
    db = load_signal_database(FIXTURES / name)
    [diag] = [m for m in db.messages if m.name == "Diagnostics"]
    assert diag.is_multiplexed
    selector = next(s for s in diag.signals if s.is_multiplexer)
    by_name = {s.name: s for s in diag.signals}
    assert by_name["BatteryVoltage"].multiplexer_signal == selector.name and by_name["BatteryVoltage"].multiplexer_ids == (0,)
    assert by_name["OilPressure"].multiplexer_ids == (1,) and by_name["OilPressure"].is_multiplexed
    assert db.decode(0x200, bytes([0, 0x10, 0x27, 0, 0, 0, 0, 0])) == {selector.name: 0, "BatteryVoltage": 10.0}
    page1 = db.decode(0x200, bytes([1, 0x10, 0x27, 1, 0, 0, 0, 0]), qualified=True)
    assert page1[f"Diagnostics.{selector.name}"] == 1 and page1["Diagnostics.OilPressure"] == 1000.0


def test_extended_multiplexing_in_dbc():
    db = load_signal_database(FIXTURES / "workshop_car.dbc")
    msg = db.message(0x18FEF1FE)
    assert msg.is_extended_frame and msg.name == "BodyExtMux"
    sig = {s.name: s for s in msg.signals}
    assert sig["SubSelector"].is_multiplexer and sig["SubSelector"].multiplexer_signal == "Selector"
    assert sig["SubSelector"].multiplexer_ids == (1,)
    assert sig["WindowPos"].multiplexer_signal == "SubSelector" and sig["WindowPos"].multiplexer_ids == (2, 3, 4)
    assert db.decode(0x18FEF1FE, bytes([1, 3, 50, 0, 0, 0, 0, 0])) == {"Selector": 1, "SubSelector": 3, "WindowPos": 25.0}
    assert db.decode(0x18FEF1FE, bytes([1, 5, 0xF6, 0, 0, 0, 0, 0])) == {"Selector": 1, "SubSelector": 5, "MirrorAngle": -10}
    assert db.decode(0x18FEF1FE, bytes([0, 4, 0, 0, 0, 0, 0, 0])) == {"Selector": 0, "DoorCount": 4}
    with pytest.raises(SignalDecodeError, match="multiplexer"):
        db.decode(0x18FEF1FE, bytes([1, 9, 0, 0, 0, 0, 0, 0]))


def test_dbc_details_and_signal_tree():
    db = load_signal_database(FIXTURES / "workshop_car.dbc")
    engine = db.message(0x100)
    assert engine.cycle_time == 10 and engine.comment == "Engine broadcast, 100 Hz" and engine.senders == ("ECU",)
    oil_state = next(s for s in db.signals if s.name == "OilState")
    assert dict(oil_state.choices) == {0: "ok", 1: "low", 2: "sensor fault"}
    tree = db.signal_tree()
    assert list(tree) == ["EngineData", "Diagnostics", "BodyExtMux"]  # frame-id order
    assert [s.name for s in tree["EngineData"]] == ["EngineSpeed", "CoolantTemp", "Gear", "ThrottlePos"]
    assert sum(len(v) for v in tree.values()) == len(db.signals) == 13
    assert db.has_frame_id(0x100) and not db.has_frame_id(0x101)


def test_decode_failures_are_our_exception():
    db = load_signal_database(FIXTURES / "workshop_car.dbc")
    with pytest.raises(SignalDecodeError, match="0x101 is not in workshop_car.dbc"):
        db.decode(0x101, ENGINE)
    with pytest.raises(SignalDecodeError, match="EngineData") as info:
        db.decode(0x100, ENGINE[:4])
    assert isinstance(info.value, ProtocolError) and isinstance(info.value, DriverError)
    assert db.decode(0x100, ENGINE[:4], allow_truncated=True) == {"EngineSpeed": 2500.0, "CoolantTemp": 60, "Gear": 3}


def test_file_that_does_not_parse_names_file_and_reason(tmp_path):
    bad = tmp_path / "garbage.dbc"
    bad.write_text("this is not a DBC file at all\n")
    with pytest.raises(SignalDatabaseError, match="garbage.dbc does not parse as DBC") as info:
        load_signal_database(bad)
    assert info.value.__cause__ is not None
    bad_kcd = tmp_path / "broken.kcd"
    bad_kcd.write_text("<NetworkDefinition><Bus")
    with pytest.raises(SignalDatabaseError, match="broken.kcd does not parse as KCD"):
        load_signal_database(bad_kcd)


def test_missing_and_unsupported_files(tmp_path):
    with pytest.raises(SignalDatabaseError, match="no such file"):
        load_signal_database(tmp_path / "nothing.dbc")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(SignalDatabaseError, match=r"\.dbc, \.kcd, \.arxml or \.sym"):
        load_signal_database(tmp_path / "notes.txt")


def test_overlapping_signals_load_with_a_warning(tmp_path, caplog):
    text = (FIXTURES / "workshop_car.dbc").read_text()
    text = text.replace(' SG_ Gear : 24|3@1+', ' SG_ Gear : 20|3@1+')  # now overlaps CoolantTemp
    path = tmp_path / "overlap.dbc"
    path.write_text(text)
    with caplog.at_level(logging.WARNING, logger="drivers.signal_db"):
        db = load_signal_database(path)
    assert db.load_mode == "lenient" and not db.strict
    assert len(db.warnings) == 1 and "strict=False" in db.warnings[0] and "overlapping" in db.warnings[0]
    assert "overlap.dbc loads only with strict=False" in caplog.text


def test_broken_statements_are_repaired_in_memory_with_line_numbers(tmp_path):
    text = (FIXTURES / "workshop_car.dbc").read_text()
    lines = text.splitlines()
    cm_line = next(i for i, line in enumerate(lines) if line.startswith("CM_ BO_ 256"))
    lines.insert(cm_line + 1, 'CM_ 999 "a comment missing its BO_ keyword;\n spanning lines";')
    lines.append('VAL_ 256 NoSuchSignal 0 "off" 1 "on" ;')
    path = tmp_path / "broken.dbc"
    path.write_text("\n".join(lines) + "\n")
    db = load_signal_database(path)
    assert db.load_mode == "repaired"
    assert any(f"line {cm_line + 2}: skipped a statement" in w and "CM_ 999" in w for w in db.warnings)
    assert any("VAL_ 256 NoSuchSignal" in w for w in db.warnings)
    assert db.decode(0x100, ENGINE)["EngineSpeed"] == 2500.0  # everything else intact
    assert path.read_text().count("NoSuchSignal") == 1  # the file is not touched


def _dataset_files() -> list[Path]:
    return sorted(DATASETS_DBC.glob("*.dbc")) if DATASETS_DBC.is_dir() else []


@pytest.mark.skipif(not _dataset_files(), reason=f"real-world DBC files not present ({DATASETS_DBC})")
def test_every_real_world_dbc_loads(capsys):
    results = {}
    for path in _dataset_files():
        db = load_signal_database(path)
        assert db.messages and db.signals, path.name
        assert db.strict == (db.warnings == []), path.name
        results[path.name] = db.load_mode
        for message in db.messages[:20]:  # each decodes a frame of its own length
            try:
                db.decode(message.frame_id, bytes(message.length))
            except SignalDecodeError as e:
                assert "multiplexer" in str(e)
    relaxed = sorted(name for name, mode in results.items() if mode != "strict")
    with capsys.disabled():
        print(f"\nreal-world DBC: {len(results)} files, {len(relaxed)} needed strict=False: "
              + ", ".join(f"{n} ({results[n]})" for n in relaxed))
    assert len(results) == len(_dataset_files())
