"""UDS through an ELM327 that takes raw headers (ATSH/ATCRA), against the simulated car's ELM327 face
on a pseudo-terminal: the same module states as over CAN, a clear per module, OBD-II again afterwards."""

from __future__ import annotations

import json
import os

import pytest

from carvrooom_desktop.cli import run_cli
from carvrooom_desktop.domain.roles import Role
from drivers.simulator.elm_face import SimulatedElm327
from drivers.simulator.module_faults import parse_module_fault
from drivers.uds.elm_client import UdsElm327, clear_module_elm, scan_car_elm
from drivers.uds.module_scan import ModuleState
from tests.uds.uds_helpers import VIN

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="the simulated ELM327 sits on a pseudo-terminal (POSIX)")


def test_every_module_through_the_adapter_then_obd_again():
    faults = [parse_module_fault(t) for t in ("abs_wheel_speed_open", "busy:HVAC", "broken_isotp:SRS", "gateway_block", "odd_dids:IPC")]
    with SimulatedElm327.on_pty(module_faults=faults) as car:
        elm = UdsElm327(car.port)
        elm.open()
        try:
            scan = scan_car_elm(elm)
            by = {m.short: m for m in scan.modules}
            assert list(by) == ["ECM", "TCM", "ABS", "SRS", "BCM", "IPC", "HVAC", "GWM"] and scan.probed == 15
            assert [d.dtc.display for d in by["ABS"].dtcs] == ["C0035-13"]
            assert by["ABS"].dtcs[0].snapshot[2].value == 46.0 and dict(by["ABS"].dtcs[0].extended)["occurrence counter"] == "3"
            assert by["HVAC"].state is ModuleState.BUSY
            assert by["SRS"].state is ModuleState.TRANSPORT and "RX ERROR" in by["SRS"].detail
            assert by["BCM"].state is ModuleState.BLOCKED and by["IPC"].state is ModuleState.PARTIAL
            assert by["ECM"].ident("vin") == VIN
            after = clear_module_elm(elm, by["ABS"].address, Role.TECHNICIAN, confirmed=True)
            assert after.dtcs == () and after.state is ModuleState.READ
            assert elm.read_vin() == VIN  # the header is back on 7DF: OBD-II works as before
        finally:
            elm.close()


def test_cli_all_modules_through_the_simulated_elm327(capsys):
    rc = run_cli(["scan", "--all-modules", "--sim", "--elm-face", "--module-fault", "airbag_squib_resistance_high", "--json", "--no-store"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["adapter"].startswith("simulated car via ELM327")
    assert {m["short"]: [d["dtc"] for d in m["dtcs"]] for m in out["modules"]}["SRS"] == ["B0001-1B"]
