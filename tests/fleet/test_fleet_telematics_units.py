"""Telematics without a broker: topics, VSS mapping with units, sequence numbers, message decoding."""

from __future__ import annotations

import json

import pytest

from carvrooom_desktop.errors import InvalidRequest
from carvrooom_desktop.telematics.decode import Message, Reject, decode_message
from carvrooom_desktop.telematics.sequence import SequenceTracker, Verdict
from carvrooom_desktop.telematics.topics import broker_address, parse_topic, topic
from carvrooom_desktop.telematics.vss import default_map, map_signals

VIN = "2HGFA16509H531807"


def test_fleet_topics_and_broker_urls():
    assert topic("north", VIN, "birth") == f"carvrooom/v1/north/{VIN}/birth"
    assert parse_topic(f"carvrooom/v1/north/{VIN}/data").vin == VIN
    assert "unknown message kind" in parse_topic(f"carvrooom/v1/north/{VIN}/hello")
    assert "not a" in parse_topic("other/v1/x/y/data")
    with pytest.raises(InvalidRequest):
        topic("no/slash", VIN)
    assert broker_address("mqtt://127.0.0.1:1883") == ("127.0.0.1", 1883)
    assert broker_address("broker.local") == ("broker.local", 1883)
    with pytest.raises(InvalidRequest, match="mqtt://"):
        broker_address("http://x:80")


def test_fleet_vss_names_map_to_project_signals_with_units():
    vss = default_map()
    assert vss.signals["Vehicle.Powertrain.CombustionEngine.Speed"].signal == "engine_speed"
    m = map_signals({"Vehicle.Speed": {"value": 10.0, "unit": "mph"}, "Vehicle.OBD.CoolantTemperature": {"value": 212.0, "unit": "fahrenheit"},
                     "Vehicle.OBD.DTCList": ["p0171", "P0420"], "Vehicle.OBD.Status.IsMILOn": True,
                     "Vehicle.TraveledDistance": 84_000.5, "Vehicle.CurrentLocation.GNSSTraveledDistance": 84_010.0,
                     "Vehicle.Bogus": 1, "Vehicle.OBD.EngineLoad": {"value": 3, "unit": "furlong"}, "Vehicle.OBD.MAF": "fast"})
    assert m.values["vehicle_speed"] == pytest.approx(16.09344)
    assert m.values["coolant_temp"] == pytest.approx(100.0)
    assert m.values["dtcs"] == ["P0171", "P0420"] and m.values["mil_on"] is True
    assert m.values["odometer_km"] == 84_000.5 and m.values["odometer_gps_km"] == 84_010.0  # two odometers, kept apart
    assert sorted(r for r, _ in m.problems) == ["bad_unit", "bad_value", "unknown_vss"]


def test_fleet_sequence_duplicates_gaps_late_and_jumps_back():
    t = SequenceTracker()
    t.birth(0, 100.0)
    assert t.accept(1, 101.0).verdict is Verdict.NEXT
    assert t.accept(1, 101.0).verdict is Verdict.DUPLICATE  # a QoS 1 redelivery
    gap = t.accept(5, 105.0)
    assert gap.verdict is Verdict.GAP and gap.missing == 3 and t.open_gaps == 3
    assert t.accept(3, 103.0).verdict is Verdict.LATE and t.open_gaps == 2
    assert t.accept(2, 200.0).verdict is Verdict.LATE
    assert t.accept(2, 201.0).verdict is Verdict.REWIND  # same number, another message: counting started again
    assert t.last == 2 and t.accept(3, 202.0).verdict is Verdict.NEXT
    for n in range(4, 1000):
        t.accept(n, 300.0 + n)
    assert t.accept(7, 2000.0).verdict is Verdict.REWIND  # far behind: the car restarted without a birth


def test_fleet_decode_refuses_with_reasons():
    good = decode_message(f"carvrooom/v1/w/{VIN}/data", json.dumps({"seq": 3, "ts": 1.5, "signals": {"Vehicle.Speed": 50}}).encode())
    assert isinstance(good, Message) and good.seq == 3 and good.signals == {"vehicle_speed": 50.0}
    cases = {
        "malformed_json": (f"carvrooom/v1/w/{VIN}/data", b"{nope"),
        "bad_vin": ("carvrooom/v1/w/2HGFA16509H531808/data", b'{"seq": 1}'),  # check digit fails
        "missing_seq": (f"carvrooom/v1/w/{VIN}/data", b'{"signals": {}}'),
        "bad_topic": ("carvrooom/v2/w/x/data", b"{}"),
    }
    for reason, (t, payload) in cases.items():
        got = decode_message(t, payload)
        assert isinstance(got, Reject) and got.reason == reason, (reason, got)
    death = decode_message(f"carvrooom/v1/w/{VIN}/death", b'{"reason": "lost"}')  # the broker's will: no sequence number
    assert isinstance(death, Message) and death.seq is None


def test_fleet_odometers_kept_apart_and_mismatch_found(tmp_path):
    from carvrooom_desktop.storage.store import Store
    from carvrooom_desktop.telematics.odometer import mismatched, odometer_mismatches
    from carvrooom_desktop.telematics.store import write_batch

    assert not mismatched(84_000.0, 84_004.0) and not mismatched(200_000.0, 201_500.0)  # 5 km / 1 %
    assert mismatched(60_000.0, 84_000.0)  # the ECU's odometer was wound back
    with Store.open(f"sqlite:///{tmp_path / 't.sqlite3'}", origin="ws") as store:
        state = {"workshop": "w", "online": True, "last_seq": 1, "last_seen": 1.0, "birth_at": 1.0, "death_at": None, "counters": {}}
        write_batch(store.engine, [], [], [{**state, "vin": VIN, "odometer_obd_km": 60_000.0, "odometer_gps_km": 84_000.0},
                                           {**state, "vin": "2HGFA16529H531808", "odometer_obd_km": 50_000.0, "odometer_gps_km": 50_003.0}])
        found = odometer_mismatches(store.engine)
    assert [m.vin for m in found] == [VIN] and found[0].difference_km == 24_000.0
