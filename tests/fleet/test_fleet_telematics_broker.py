"""Telematics through the local Mosquitto (127.0.0.1:1883): each test has its own workshop topic and client ids."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import sqlalchemy as sa

from carvrooom_desktop.storage.fleet_models import TelematicsMessageRow, TelematicsRejectRow, TelematicsVehicleRow
from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.telematics.intake import BrokerUnavailable, TelematicsIntake
from carvrooom_desktop.telematics.publisher import TelematicsPublisher
from tests.fleet.fleet_helpers import BROKER, BrokerProxy, broker_reachable, wait_until

pytestmark = pytest.mark.skipif(bool(broker_reachable()), reason=broker_reachable() or "broker reachable")

VIN = "2HGFA16509H531807"
VIN2 = "2HGFA16529H531808"


@pytest.fixture
def store(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'telematics.sqlite3'}", origin="ws-t") as s:
        yield s


@pytest.fixture
def workshop():
    return f"test-{uuid.uuid4().hex[:10]}"


def _intake(store, workshop, broker=BROKER, client_id=None):
    intake = TelematicsIntake(store.engine, broker, workshop=workshop, client_id=client_id or f"intake-{workshop}",
                              session_expiry=120, flush_interval=0.02)
    intake.start()
    assert wait_until(lambda: intake.snapshot().connected)
    return intake


def _rows(store, table):
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(table))]


def test_fleet_telematics_stores_signals_and_counts_bad_input(store, workshop):
    intake = _intake(store, workshop)
    pub = TelematicsPublisher(BROKER, workshop, VIN, client_id=f"car-{workshop}")
    try:
        pub.connect({"odometer_km": 84_000.0})
        for n in range(50):
            pub.publish({"engine_speed": 800.0 + n, "odometer_km": 84_000.0 + n, "odometer_gps_km": 84_001.0 + n, "dtcs": ["P0171"]})
        pub.publish_raw(b"{broken")
        pub.publish_raw(json.dumps({"seq": 9999, "signals": {"Vehicle.Nonsense": 1, "Vehicle.Speed": 3}}))
        pub.publish_raw(b'{"seq": 1}', vin="2HGFA16509H531808")
        pub.publish_raw(b'{"seq": 1}', kind="data", vin="NOT-A-VIN")
        for n in range(51, 61):  # valid messages keep flowing after the bad ones
            pub.publish({"engine_speed": 900.0})
        assert wait_until(lambda: intake.snapshot().stored >= 62)
    finally:
        pub.close()
        assert wait_until(lambda: intake.snapshot().deaths == 1)
        intake.stop()
    snap = intake.snapshot()
    assert snap.births == 1 and snap.duplicates == 0
    assert snap.rejected == {"malformed_json": 1, "unknown_vss": 1, "bad_vin": 2}
    assert snap.gaps >= 1  # seq 9999 jumped ahead, then the publisher's own numbers came back: jumped back
    assert snap.rewinds >= 1
    rows = _rows(store, TelematicsMessageRow)
    data = [r for r in rows if r["kind"] == "data" and r["seq"] < 100]
    assert len(data) == 60 and data[0]["signals"]["engine_speed"] == 800.0 and data[0]["signals"]["dtcs"] == ["P0171"]
    state = _rows(store, TelematicsVehicleRow)[0]
    assert state["vin"] == VIN and not state["online"]
    assert state["odometer_obd_km"] == 84_049.0 and state["odometer_gps_km"] == 84_050.0  # apart, as reported
    reasons = sorted(r["reason"] for r in _rows(store, TelematicsRejectRow))
    assert reasons == ["bad_vin", "bad_vin", "malformed_json", "unknown_vss"]


def test_fleet_telematics_duplicates_are_dropped(store, workshop):
    intake = _intake(store, workshop)
    pub = TelematicsPublisher(BROKER, workshop, VIN, client_id=f"car-{workshop}")
    try:
        pub.connect()
        same = json.dumps({"seq": 1, "ts": 1000.0, "signals": {"Vehicle.Speed": 10}})
        for _ in range(3):
            pub.publish_raw(same)  # a redelivered message: same number, same timestamp
        pub.publish_raw(json.dumps({"seq": 2, "ts": 1001.0, "signals": {}}))
        assert wait_until(lambda: intake.snapshot().received >= 5)
    finally:
        pub.close()
        intake.stop()
    snap = intake.snapshot()
    assert snap.duplicates == 2 and snap.stored == 1 + 2 + 1  # birth, seq 1 and 2, death


def test_fleet_telematics_persistent_session_keeps_what_was_sent_while_away(store, workshop):
    client_id = f"intake-{workshop}"
    intake = _intake(store, workshop, client_id=client_id)
    intake.stop()  # the session stays at the broker (clean_start False, session expiry)
    pub = TelematicsPublisher(BROKER, workshop, VIN, client_id=f"car-{workshop}")
    pub.connect()
    for n in range(200):
        pub.publish({"vehicle_speed": float(n)})
    pub.close()
    again = _intake(store, workshop, client_id=client_id)
    try:
        assert wait_until(lambda: again.snapshot().stored >= 202, timeout=15)
    finally:
        again.stop()
    speeds = [r["signals"]["vehicle_speed"] for r in _rows(store, TelematicsMessageRow) if r["kind"] == "data"]
    assert sorted(speeds) == [float(n) for n in range(200)]
    assert again.snapshot().missing == 0


def test_fleet_telematics_last_will_marks_a_vanished_car_offline(store, workshop):
    intake = _intake(store, workshop)
    pub = TelematicsPublisher(BROKER, workshop, VIN2, client_id=f"car-{workshop}")
    try:
        pub.connect()
        pub.publish({"vehicle_speed": 30.0})
        assert wait_until(lambda: VIN2 in intake.snapshot().online)
        pub.close(clean=False)  # the link drops without a goodbye: the broker publishes the will
        assert wait_until(lambda: intake.snapshot().deaths == 1 and VIN2 not in intake.snapshot().online, timeout=15)
    finally:
        intake.stop()


def test_fleet_telematics_broker_gone_is_counted_and_flow_resumes(store, workshop):
    proxy = BrokerProxy()
    intake = None
    pub = TelematicsPublisher(BROKER, workshop, VIN, client_id=f"car-{workshop}")
    try:
        intake = _intake(store, workshop, broker=proxy.url)
        pub.connect()
        pub.publish({"vehicle_speed": 1.0})
        assert wait_until(lambda: intake.snapshot().stored >= 2)
        proxy.cut()
        assert wait_until(lambda: not intake.snapshot().connected)
        for n in range(20):  # published while the intake's broker link is down: kept by the persistent session
            pub.publish({"vehicle_speed": 10.0 + n})
        time.sleep(0.3)
        proxy.restore()
        assert wait_until(lambda: intake.snapshot().stored >= 22, timeout=20)
    finally:
        pub.close()
        if intake is not None:
            intake.stop()
        proxy.close()
    snap = intake.snapshot()
    assert snap.rejected.get("broker_gone", 0) >= 1 and snap.disconnects >= 1 and snap.missing == 0


def test_fleet_telematics_unreachable_broker_is_a_clear_error(store, workshop):
    with pytest.raises(BrokerUnavailable, match="cannot reach the MQTT broker at 127.0.0.1:1"):
        TelematicsIntake(store.engine, "mqtt://127.0.0.1:1", workshop=workshop).start()


def test_fleet_simulate_mqtt_publishes_what_the_intake_stores(store, workshop):
    from carvrooom_desktop.cli import run_cli

    intake = _intake(store, workshop)
    try:
        assert run_cli(["simulate", "--mqtt", BROKER, "--cars", "2", "--workshop", workshop, "--interval", "0.25",
                        "--seconds", "1.2", "--fault", "vacuum_leak"]) == 0
        assert wait_until(lambda: intake.snapshot().deaths == 2, timeout=10)
    finally:
        intake.stop()
    snap = intake.snapshot()
    assert snap.births == 2 and snap.stored >= 2 + 2 * 4 + 2 and not snap.rejected and snap.missing == 0
    states = {r["vin"]: r for r in _rows(store, TelematicsVehicleRow)}
    assert len(states) == 2 and all(s["odometer_obd_km"] and s["odometer_gps_km"] for s in states.values())
    data = [r["signals"] for r in _rows(store, TelematicsMessageRow) if r["kind"] == "data"]
    assert {"engine_speed", "vehicle_speed", "coolant_temp", "dtcs", "mil_on"} <= set(data[-1])


def test_fleet_telematics_listen_cli_prints_the_counters(tmp_path, workshop, capsys):
    from carvrooom_desktop.cli import run_cli

    db = f"sqlite:///{tmp_path / 'listen.sqlite3'}"
    listen = ["--db", db, "telematics", "listen", "--workshop", workshop, "--client-id", f"cli-{workshop}", "--session-expiry", "60",
              "--json", "--seconds"]
    assert run_cli([*listen, "0.2"]) == 0  # the session and its subscription now wait at the broker
    capsys.readouterr()
    with TelematicsPublisher(BROKER, workshop, VIN, client_id=f"car-{workshop}") as pub:  # while nobody listens
        for n in range(10):
            pub.publish({"vehicle_speed": float(n)})
        pub.publish_raw(b"[1, 2")
    assert run_cli([*listen, "2.0"]) == 0
    final = json.loads(capsys.readouterr().out)
    assert final["stored"] == 12 and final["rejected"] == {"malformed_json": 1}
    assert run_cli(["--db", db, "telematics", "cars", "--json"]) == 0
    cars = json.loads(capsys.readouterr().out)
    assert cars["cars"][0]["vin"] == VIN and cars["recent_refusals"][0]["reason"] == "malformed_json"


def test_fleet_telematics_ack_on_arrival_stores_the_same(store, workshop):
    intake = TelematicsIntake(store.engine, BROKER, workshop=workshop, client_id=f"intake-{workshop}", session_expiry=60,
                              ack_after_store=False)
    intake.start()
    try:
        assert wait_until(lambda: intake.snapshot().connected)
        with TelematicsPublisher(BROKER, workshop, VIN, client_id=f"car-{workshop}") as pub:
            for n in range(100):
                pub.publish({"vehicle_speed": float(n)})
        assert wait_until(lambda: intake.snapshot().stored == 102)
    finally:
        intake.stop()
    assert intake.snapshot().missing == 0 and intake.snapshot().duplicates == 0
