"""A whole car, module by module: discovery, naming, and each bad input a clear state of its own module."""

from __future__ import annotations

import uuid

import can
import pytest
from can.interfaces.virtual import VirtualBus

from carvrooom_desktop.domain.roles import Role
from carvrooom_desktop.errors import NotConfirmed, PermissionDenied
from drivers.obd.addressing import TWENTY_NINE_BIT
from drivers.simulator.can_face import SimulatedCar
from drivers.simulator.faults import Fault
from drivers.simulator.module_faults import parse_module_fault
from drivers.simulator.uds_bus import ModuleBus
from drivers.simulator.uds_car import SimulatedModules
from drivers.uds.addressing import ModuleAddress, candidates
from drivers.uds.client import car_link
from drivers.uds.discovery import discover_modules
from drivers.uds.module_scan import ModuleState, clear_module, scan_car
from tests.uds.uds_helpers import FAST, VIN, modules_on_bus

EIGHT = ["ECM", "TCM", "ABS", "SRS", "BCM", "IPC", "HVAC", "GWM"]


def test_discovery_finds_the_eight_modules_among_all_candidates():
    with modules_on_bus() as (modules, bus), car_link(bus) as notifier:
        found = discover_modules(bus, notifier)
    assert len(candidates()) > 300
    assert found == [modules.addresses[s] for s in EIGHT]


def test_every_bad_input_is_its_own_modules_state_and_the_others_still_read():
    faults = ("abs_wheel_speed_open", "busy:HVAC", "broken_isotp:SRS", "odd_dids:IPC", "gateway_block", "lost_communication_abs")
    with modules_on_bus(*faults) as (_modules, bus):
        scan = scan_car(bus, timing=FAST)
    by = {m.short: m for m in scan.modules}
    assert list(by) == EIGHT
    assert by["HVAC"].state is ModuleState.BUSY and "response pending" in by["HVAC"].detail
    assert by["SRS"].state is ModuleState.TRANSPORT and "SequenceNumber" in by["SRS"].detail
    assert by["IPC"].state is ModuleState.PARTIAL and "unknown format" in by["IPC"].detail
    assert by["IPC"].ident("serial_number") == "00 FF 13 37 80"
    assert [d.dtc.display for d in by["IPC"].dtcs] == ["U0121-87"]  # the partly read module's codes are there
    assert by["BCM"].state is ModuleState.BLOCKED and "security access denied" in by["BCM"].detail
    assert by["ABS"].state is ModuleState.READ and by["ECM"].state is ModuleState.READ and by["GWM"].state is ModuleState.READ
    abs_code = by["ABS"].dtcs[0]
    assert abs_code.dtc.display == "C0035-13"
    assert [(s.name, s.value, s.unit) for s in abs_code.snapshot] == [("Odometer", 84230.0, "km"), ("Battery voltage", 12.1, "V"), ("Vehicle speed", 46.0, "km/h")]
    assert dict(abs_code.extended) == {"occurrence counter": "3", "aging counter": "0"}
    assert scan.vin == VIN and scan.code_count == 2
    as_json = scan.to_dict()
    assert as_json["modules"][2]["dtcs"][0]["status_words"] == ["failing now", "failed this drive", "pending", "confirmed", "failed since clear", "warning lamp on"]


def test_a_module_that_is_not_there_is_no_answer():
    with modules_on_bus() as (_modules, bus):
        scan = scan_car(bus, [ModuleAddress(0x7A0, 0x7A8)], discover=False, timing=FAST)
    assert scan.modules[0].state is ModuleState.NO_ANSWER and scan.modules[0].name == ""


def test_clear_one_module_needs_confirmation_and_the_role():
    with modules_on_bus("abs_wheel_speed_open", "airbag_squib_resistance_high") as (modules, bus):
        with pytest.raises(NotConfirmed):
            clear_module(bus, modules.addresses["ABS"], Role.TECHNICIAN, confirmed=False)
        with pytest.raises(PermissionDenied, match="warranty clerk"):
            clear_module(bus, modules.addresses["ABS"], Role.WARRANTY_CLERK, confirmed=True)
        after = clear_module(bus, modules.addresses["ABS"], Role.TECHNICIAN, confirmed=True, timing=FAST)
        assert after.dtcs == () and after.state is ModuleState.READ
        assert [d.number for d in modules.modules["SRS"].memory.codes()]  # the airbag module kept its code


def test_the_simulated_car_engine_module_reads_the_engine_models_codes_over_uds():
    channel = f"uds-car-{uuid.uuid4().hex[:8]}"
    faults = [parse_module_fault("abs_wheel_speed_open")]
    with SimulatedCar(channel=channel, speed=1.0, faults=[Fault("vacuum_leak")], module_faults=faults) as car:
        bus = can.Bus(interface="virtual", channel=channel, receive_own_messages=False)
        try:
            scan = scan_car(bus, timing=FAST)
            ecm = next(m for m in scan.modules if m.short == "ECM")
            assert "P0171" in [d.dtc.code for d in ecm.dtcs]  # the previous drive stored it
            assert [m.short for m in scan.modules] == EIGHT
            cleared = clear_module(bus, ecm.address, Role.TECHNICIAN, confirmed=True, timing=FAST)
            assert "P0171" not in [d.dtc.code for d in cleared.dtcs]
            assert car.model.ecu.clear_count == 1
        finally:
            bus.shutdown()


def test_the_simulated_car_on_29_bit_ids_is_found_by_normal_fixed_addressing():
    channel = f"uds-car29-{uuid.uuid4().hex[:8]}"
    with SimulatedCar(channel=channel, speed=1.0, addressing=TWENTY_NINE_BIT):
        bus = can.Bus(interface="virtual", channel=channel, receive_own_messages=False)
        try:
            scan = scan_car(bus, timing=FAST)
        finally:
            bus.shutdown()
    assert [m.address.label for m in scan.modules][:2] == ["18DA10F1/18DAF110", "18DA18F1/18DAF118"]
    assert sorted(m.short for m in scan.modules) == sorted(EIGHT)  # in address order
    assert all(m.state is ModuleState.READ for m in scan.modules)


def test_ignition_off_silences_the_modules():
    channel = f"uds-off-{uuid.uuid4().hex[:8]}"
    with SimulatedCar(channel=channel, speed=1.0) as car:
        car.set_ignition(False)
        bus = can.Bus(interface="virtual", channel=channel, receive_own_messages=False)
        try:
            assert scan_car(bus, timing=FAST).modules == ()
        finally:
            bus.shutdown()


class _FullQueueBus(VirtualBus):
    """A virtual bus whose transmit queue is full now and then, as SocketCAN's is during a burst."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused = 0

    def send(self, msg, timeout=None):
        if self.refused < 30 and self.refused % 3 == 0 and msg.data[:2] == b"\x02\x3e":
            self.refused += 1
            raise can.CanOperationError("No buffer space available")
        if msg.data[:2] == b"\x02\x3e":
            self.refused += 1
        super().send(msg, timeout)


def test_a_full_transmit_queue_during_the_probe_burst_is_waited_out():
    channel = f"uds-full-{uuid.uuid4().hex[:8]}"
    with ModuleBus(SimulatedModules(VIN, modules=("ECM", "ABS")), channel=channel):
        tester = _FullQueueBus(channel=channel, receive_own_messages=False)
        try:
            with car_link(tester) as notifier:
                found = discover_modules(tester, notifier)
        finally:
            tester.shutdown()
    assert [a.label for a in found] == ["7E0/7E8", "760/768"] and tester.refused >= 10


def test_a_module_outside_the_table_is_found_in_the_probe_range_and_named_from_its_dids():
    channel = f"uds-range-{uuid.uuid4().hex[:8]}"
    modules = SimulatedModules(VIN, modules=("ECM", "HVAC"))
    modules.addresses["HVAC"] = ModuleAddress(0x7A0, 0x7A8)  # an address the table does not list
    with ModuleBus(modules, channel=channel):
        tester = can.Bus(interface="virtual", channel=channel, receive_own_messages=False)
        try:
            scan = scan_car(tester, timing=FAST)
        finally:
            tester.shutdown()
    found = {m.address.label: m for m in scan.modules}
    assert list(found) == ["7E0/7E8", "7A0/7A8"]
    assert (found["7A0/7A8"].short, found["7A0/7A8"].name) == ("CLIMAT", "Climate control")
