"""The UDS client (udsoncan on can-isotp) against the simulated modules on a python-can virtual bus."""

from __future__ import annotations

import threading
import time

import pytest

from drivers.errors import AdapterTimeout
from drivers.uds.addressing import ModuleAddress
from drivers.uds.client import EXTENDED_SESSION, UdsClient, car_link
from drivers.uds.errors import ModuleBusy, ModuleRefused, TransportError
from tests.uds.uds_helpers import FAST, VIN, modules_on_bus


def test_identification_codes_snapshot_extended_data_and_clear():
    with modules_on_bus("abs_wheel_speed_open") as (modules, bus), car_link(bus) as notifier:
        with UdsClient(bus, notifier, modules.addresses["ABS"], timing=FAST) as client:
            client.change_session(EXTENDED_SESSION)
            assert client.read_did(0xF190) == VIN.encode()
            assert client.read_did(0xF187).startswith(b"CV1A-2C405")
            codes, availability = client.read_dtcs(0xFF)
            assert availability == 0xFF
            assert [(c.display, c.status) for c in codes] == [("C0035-13", 0xAF)]
            assert codes[0].description == "Left Front Wheel Speed Sensor Circuit" and codes[0].failure_text == "Circuit open"
            assert client.count_dtcs(0x08) == 1
            assert client.snapshot(codes[0].number).startswith(bytes((0x01, 0x03, 0xDD, 0x00)))
            assert client.extended_data(codes[0].number, 0x01) == b"\x03"
            client.clear_dtcs()
            assert client.read_dtcs(0xFF)[0] == []
            assert client.requests == 9


def test_refusal_in_words():
    with modules_on_bus() as (modules, bus), car_link(bus) as notifier:
        with UdsClient(bus, notifier, modules.addresses["BCM"], timing=FAST) as client:
            with pytest.raises(ModuleRefused, match=r"request out of range \(identifier not supported\) \(0x31\)") as e:
                client.read_did(0x1234)
            assert e.value.service == 0x22 and e.value.code == 0x31


def test_response_pending_forever_ends_as_busy_within_the_request_time():
    with modules_on_bus("busy:HVAC") as (modules, bus), car_link(bus) as notifier:
        with UdsClient(bus, notifier, modules.addresses["HVAC"], timing=FAST) as client:
            with pytest.raises(ModuleBusy, match="response pending"):
                client.read_did(0xF190)
            assert client.pending_seen >= 1


def test_broken_isotp_sequence_is_a_transport_error():
    with modules_on_bus("broken_isotp:SRS") as (modules, bus), car_link(bus) as notifier:
        with UdsClient(bus, notifier, modules.addresses["SRS"], timing=FAST) as client:
            with pytest.raises(TransportError, match="SequenceNumber"):
                client.read_did(0xF190)  # 20 bytes: a multi-frame reply
            assert client.read_dtcs()[0] == []  # single frames still work


def test_silence_is_a_timeout():
    with modules_on_bus() as (_modules, bus), car_link(bus) as notifier:
        with UdsClient(bus, notifier, ModuleAddress(0x7A0, 0x7A8), timing=FAST) as client:
            with pytest.raises(AdapterTimeout, match="no answer"):
                client.change_session(EXTENDED_SESSION)


def test_tester_present_keeps_running_until_stopped():
    with modules_on_bus() as (modules, bus), car_link(bus) as notifier:
        ecm = modules.modules["ECM"]
        with UdsClient(bus, notifier, modules.addresses["ECM"], timing=FAST) as client:
            client.change_session(EXTENDED_SESSION)
            before = ecm.requests
            client.start_tester_present(period_s=0.05)
            deadline = time.monotonic() + 5
            while ecm.requests < before + 3 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert ecm.requests >= before + 3  # 0x3E 80 arrived (suppressed: no reply)
            assert client.read_did(0xF190) == VIN.encode()  # requests and keep-alive share the channel
        assert not [t for t in threading.enumerate() if t.name.startswith("tester-present")]


def test_29_bit_normal_fixed_addressing():
    with modules_on_bus("airbag_squib_resistance_high", extended=True) as (modules, bus), car_link(bus) as notifier:
        address = modules.addresses["SRS"]
        assert address.label == "18DA58F1/18DAF158"
        with UdsClient(bus, notifier, address, timing=FAST) as client:
            assert [c.display for c in client.read_dtcs()[0]] == ["B0001-1B"]
