"""The OBD-over-CAN client against the simulated car's ECU on a python-can virtual bus."""

from __future__ import annotations

import uuid

import can
import pytest

from carvrooom_desktop.domain import DtcKind
from drivers.errors import AdapterTimeout
from drivers.obd.can_client import DiagnosticListener, ObdCanClient
from drivers.simulator.can_face import SimulatedCar
from drivers.simulator.faults import parse_fault


@pytest.fixture
def link():
    def connect(*faults: str, speed: float | None = None):
        channel = f"t-{uuid.uuid4().hex[:8]}"
        car = SimulatedCar(channel=channel, faults=[parse_fault(f) for f in faults], speed=speed).start()
        bus = can.Bus(interface="virtual", channel=channel)
        listener = DiagnosticListener()
        notifier = can.Notifier(bus, [listener], timeout=0.05)
        opened.append((car, bus, notifier))
        return car, ObdCanClient(bus, listener)

    opened: list = []
    yield connect
    for car, bus, notifier in opened:
        notifier.stop()
        bus.shutdown()
        car.close()


def test_vin_over_isotp_multi_frame(link):
    car, client = link()
    assert client.read_vin() == car.model.vin
    assert client.read_ecu_name() == "ECM-EngineControl"


def test_live_pids_six_per_request(link):
    _car, client = link(speed=1.0)
    supported = client.supported_pids()
    assert {0x0C, 0x0D, 0x05, 0x42, 0x06, 0x07, 0x14, 0x15} <= supported
    values = client.read_signals(["engine_speed", "vehicle_speed", "coolant_temp", "battery_voltage",
                                  "stft_b1", "ltft_b1", "o2_b1s1_voltage", "maf"])
    assert len(values) == 8 and 0 <= values["engine_speed"] < 8000 and 8 < values["battery_voltage"] < 16


def test_healthy_car_has_no_codes_and_monitors_complete(link):
    _car, client = link()
    assert client.read_dtcs(DtcKind.STORED) == [] and client.read_dtcs(DtcKind.PENDING) == []
    status = client.read_status()
    assert not status.mil_on and status.incomplete == ()


def test_stored_code_with_freeze_frame_and_clear(link):
    _car, client = link("vacuum_leak")
    stored = client.read_dtcs(DtcKind.STORED)
    assert "P0171" in [d.code for d in stored] and stored[0].ecu == "7E8"
    assert client.read_status().mil_on
    frame = client.read_freeze_frame()
    assert frame is not None and frame.dtc_code in [d.code for d in stored]
    assert "engine_speed" in frame.values and frame.units["coolant_temp"] == "°C"
    client.clear_dtcs()
    assert client.read_dtcs(DtcKind.STORED) == []
    assert client.read_status().incomplete  # monitors reset by mode 04
    assert "P0171" in [d.code for d in client.read_dtcs(DtcKind.PERMANENT)]  # permanent survives a clear


def test_29_bit_addressing():
    from drivers.obd.addressing import TWENTY_NINE_BIT

    channel = f"t29-{uuid.uuid4().hex[:8]}"
    with SimulatedCar(channel=channel, faults=[parse_fault("degraded_catalyst")], addressing=TWENTY_NINE_BIT):
        bus = can.Bus(interface="virtual", channel=channel)
        listener = DiagnosticListener(TWENTY_NINE_BIT)
        notifier = can.Notifier(bus, [listener], timeout=0.05)
        try:
            client = ObdCanClient(bus, listener, addressing=TWENTY_NINE_BIT)
            assert len(client.read_vin()) == 17  # multi-frame with 29-bit flow control
            stored = client.read_dtcs(DtcKind.STORED)
            assert [d.code for d in stored] == ["P0420"] and stored[0].ecu == "18DAF110"
        finally:
            notifier.stop()
            bus.shutdown()


def test_silence_is_a_timeout_not_an_empty_answer():
    bus = can.Bus(interface="virtual", channel=f"empty-{uuid.uuid4().hex[:8]}")
    listener = DiagnosticListener()
    notifier = can.Notifier(bus, [listener], timeout=0.05)
    try:
        with pytest.raises(AdapterTimeout, match="no ECU answered"):
            ObdCanClient(bus, listener, timeout=0.05).read_vin()
    finally:
        notifier.stop()
        bus.shutdown()
