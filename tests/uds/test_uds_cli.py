"""``carvrooom scan --all-modules``: the simulated car and a python-can interface, --json, a clear per module."""

from __future__ import annotations

import json
import uuid

import can

from carvrooom_desktop.cli import run_cli
from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.storage.vehicle_modules import modules_of_vehicle
from drivers.simulator.uds_bus import ModuleBus
from drivers.simulator.uds_car import SimulatedModules
from tests.uds.uds_helpers import VIN


def test_all_modules_of_the_simulated_car_as_json_stored_with_the_car(capsys, tmp_path):
    db = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    rc = run_cli(["scan", "--all-modules", "--sim", "--module-fault", "airbag_squib_resistance_high", "--module-fault", "odd_dids:IPC",
                  "--json", "--db", db])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    by = {m["short"]: m for m in out["modules"]}
    assert len(by) == 8 and out["vin"] == VIN and out["stored"] is True
    assert by["SRS"]["dtcs"][0]["dtc"] == "B0001-1B" and by["SRS"]["dtcs"][0]["failure_text"] == "Circuit resistance above threshold"
    assert by["IPC"]["state_key"] == "partial"
    with Store.open(db) as store:
        vehicle = store.vehicles.get_by_vin(VIN)
        assert vehicle is not None
        stored = modules_of_vehicle(store.engine, vin=VIN)
    assert sorted(m.short for m in stored) == sorted(by)


def test_clear_one_module_with_yes_reads_it_again(capsys, tmp_path):
    db = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    rc = run_cli(["scan", "--all-modules", "--sim", "--module-fault", "abs_wheel_speed_open", "--module-fault", "airbag_squib_resistance_high",
                  "--clear", "ABS", "--yes", "--db", db])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "cleared ABS 760/768: the module now reports none" in out
    assert "C0035-13  Left Front Wheel Speed Sensor Circuit: Circuit open" in out  # the scan before the clear
    with Store.open(db) as store:
        stored = {m.short: m for m in modules_of_vehicle(store.engine, vin=VIN)}
    assert stored["ABS"].code_count == 0 and stored["SRS"].code_count == 1


def test_clear_without_confirmation_is_refused(capsys, tmp_path):
    rc = run_cli(["scan", "--all-modules", "--sim", "--clear", "all", "--no-store", "--db", f"sqlite:///{tmp_path / 's.sqlite3'}"])
    assert rc == 1 and "Pass --yes to confirm" in capsys.readouterr().err


def test_over_a_python_can_interface_given_as_if_ch(capsys):
    channel = f"uds-cli-{uuid.uuid4().hex[:8]}"
    with ModuleBus(SimulatedModules(VIN, modules=("ECM", "ABS")), channel=channel):
        rc = run_cli(["scan", "--all-modules", "--can", f"virtual:{channel}", "--no-store", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and [m["short"] for m in out["modules"]] == ["ECM", "ABS"]


def test_nothing_answering_is_exit_3(capsys):
    channel = f"uds-empty-{uuid.uuid4().hex[:8]}"
    bus = can.Bus(interface="virtual", channel=channel)  # a bus with nobody on it
    try:
        rc = run_cli(["scan", "--all-modules", "--can", f"virtual:{channel}", "--no-store"])
    finally:
        bus.shutdown()
    assert rc == 3 and "no module answered" in capsys.readouterr().out


def test_module_options_of_the_simulated_car_need_sim(capsys):
    assert run_cli(["scan", "--all-modules", "--can", "virtual:x", "--module-fault", "busy:HVAC", "--no-store"]) == 1
    assert "only apply to the simulated car" in capsys.readouterr().err
