"""The ECU's memory: live detection (pending, then stored), mode 04 clear, permanent codes, counters."""

from __future__ import annotations

import pytest

from drivers.simulator.faults import parse_fault
from drivers.simulator.model import VehicleModel

from .sim_helpers import drive

INJECT_AT = 400.0  # s: engine warm, second lap of the drive cycle


def watch(model: VehicleModel, until: float, dt: float = 0.1) -> dict[tuple[str, str], float]:
    """Run to ``until``; return when each code first became pending / stored."""
    seen: dict[tuple[str, str], float] = {}
    while model.time < until:
        model.step(dt)
        for code in model.ecu.pending:
            seen.setdefault(("pending", code), model.time)
        for code in model.ecu.stored:
            seen.setdefault(("stored", code), model.time)
    return seen


@pytest.mark.parametrize(
    ("fault", "codes", "within"),
    [
        ("vacuum_leak", ("P0171",), 420.0),
        ("misfire_cyl2", ("P0302", "P0300"), 240.0),
        ("misfire_cyl4:0.4", ("P0304",), 240.0),
        ("lazy_o2_upstream", ("P0133",), 300.0),
        ("degraded_catalyst", ("P0420",), 300.0),
        ("thermostat_stuck_open", ("P0128",), 360.0),
        ("failing_alternator", ("P0562", "P0622"), 240.0),
        ("coolant_sensor_fault", ("P0118",), 30.0),
        ("coolant_sensor_fault:0.5", ("P0119",), 240.0),
    ],
)
def test_injected_fault_goes_pending_then_stored(fault, codes, within):
    model = VehicleModel(seed=6)
    drive(model, INJECT_AT, 0.1)
    assert model.ecu.stored == []
    model.inject(parse_fault(fault))
    assert model.faults == (parse_fault(fault),)
    seen = watch(model, INJECT_AT + within)
    for code in codes:
        assert ("stored", code) in seen, (code, seen)
        assert seen[("pending", code)] <= seen[("stored", code)]
        assert code in model.ecu.freeze_frames
    assert set(model.ecu.stored) == set(codes)
    emission = [c for c in codes if c not in ("P0562", "P0622")]
    assert model.ecu.mil_on == bool(emission)
    assert set(model.ecu.permanent) == set(emission)


def test_weak_battery_is_caught_at_the_next_starts():
    model = VehicleModel(seed=6)
    drive(model, 100.0, 0.1)
    model.inject(parse_fault("weak_battery"))
    drive(model, 300.0, 0.1)
    assert model.ecu.pending == []  # running, the alternator hides a weak battery
    model.key_cycle(cold=True)
    drive(model, 30.0, 0.05)
    assert model.ecu.pending == ["P0562"] and model.ecu.stored == []
    model.key_cycle(cold=True)
    drive(model, 30.0, 0.05)
    assert model.ecu.stored == ["P0562"] and not model.ecu.mil_on


def test_clear_is_mode_04():
    model = VehicleModel(seed=8, faults=[parse_fault("vacuum_leak")])
    ecu = model.ecu
    assert ecu.stored == ["P0171"] and ecu.mil_on and ecu.distance_with_mil_km > 0
    ecu.clear()
    assert ecu.stored == [] and ecu.pending == [] and ecu.freeze_frames == {} and not ecu.mil_on
    assert ecu.permanent == ["P0171"]  # a scan tool cannot erase it
    assert ecu.distance_with_mil_km == 0 and ecu.distance_since_clear_km == 0 and ecu.warmups_since_clear == 0
    for name, continuous, supported, complete in ecu.readiness():
        assert complete == (supported and continuous), name
    # The leak is still there: the code comes back.
    drive(model, 900.0, 0.1)
    assert ecu.stored == ["P0171"] and ecu.mil_on
    assert ecu.distance_since_clear_km > 5 and ecu.distance_with_mil_km > 0
    assert ecu.warmups_since_clear == 1


def test_catalyst_monitor_waits_while_the_engine_misfires():
    model = VehicleModel(seed=8, faults=[parse_fault("misfire_cyl1"), parse_fault("degraded_catalyst")])
    assert set(model.ecu.stored) == {"P0301", "P0300"}  # misfire would damage the test, so no P0420 yet


def test_repair_then_clear_erases_permanent_once_the_monitor_passes():
    model = VehicleModel(seed=8, faults=[parse_fault("misfire_cyl1"), parse_fault("thermostat_stuck_open")])
    ecu = model.ecu
    assert set(ecu.permanent) == {"P0301", "P0300", "P0128"}
    model.clear_faults()
    assert model.faults == ()
    assert set(ecu.permanent) == {"P0301", "P0300", "P0128"}  # repair alone changes no memory
    ecu.clear()
    drive(model, 700.0, 0.1)
    assert ecu.stored == [] and ecu.pending == [] and ecu.permanent == [] and not ecu.mil_on
    assert all(complete for _, _, supported, complete in ecu.readiness() if supported)


def test_fresh_ecu_runs_its_monitors_on_the_first_drive():
    model = VehicleModel(seed=9, history=False)
    incomplete = [name for name, cont, sup, complete in model.ecu.readiness() if sup and not complete]
    assert incomplete == ["Catalyst", "EVAP system", "O2 sensor", "O2 sensor heater", "EGR/VVT"]
    drive(model, 600.0, 0.1)
    assert all(complete for _, _, supported, complete in model.ecu.readiness() if supported)
    assert model.ecu.warmups_since_clear == 1
    assert 5.0 < model.ecu.distance_since_clear_km < 15.0
    assert model.ecu.stored == [] and model.ecu.distance_with_mil_km == 0


def test_repairing_worn_pads_fits_new_ones():
    model = VehicleModel(seed=1, faults=[parse_fault("worn_brake_pads")], history=False)
    assert model.signals()["brake_pad_front_mm"] == pytest.approx(2.5)
    model.clear_faults()
    assert model.signals()["brake_pad_front_mm"] == pytest.approx(9.5)


def test_inject_replaces_the_same_fault():
    model = VehicleModel(seed=1, history=False)
    model.inject(parse_fault("vacuum_leak:0.3"))
    model.inject(parse_fault("misfire_cyl2"))
    model.inject(parse_fault("vacuum_leak:0.9"))
    assert model.faults == (parse_fault("misfire_cyl2"), parse_fault("vacuum_leak:0.9"))
