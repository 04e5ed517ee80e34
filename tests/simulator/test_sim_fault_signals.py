"""What each fault does to the signals a technician would look at."""

from __future__ import annotations

import statistics
from itertools import pairwise

import pytest

from drivers.simulator.faults import parse_fault
from drivers.simulator.model import VehicleModel

from .sim_helpers import drive, mean, switches

SEED = 4
O2_DT = 0.02  # fine enough for 1-3 Hz switching, half the cost of 10 ms


def run(fault: str | None, until: float, dt: float, keys: tuple[str, ...], record_from: float = 0.0):
    model = VehicleModel(seed=SEED, faults=[parse_fault(fault)] if fault else [])
    return model, drive(model, until, dt, keys + ("fuel_closed_loop",), record_from)


@pytest.fixture(scope="module")
def o2_runs():
    """Healthy, lazy upstream sensor, dead catalyst and a misfire, sampled every 20 ms."""
    keys = ("o2_b1s1_voltage", "o2_b1s2_voltage", "stft_b1", "ltft_b1", "engine_speed", "catalyst_temp_b1s1")
    # Recorded from the first cruise (run time ~200 s) to the end of the second lap's idle.
    return {f: run(f, 370.0, O2_DT, keys, 150.0)[1] for f in (None, "lazy_o2_upstream", "degraded_catalyst", "misfire_cyl3")}


def _hz(trace, key, phase):
    v = trace.where(key, phase, min_run_time=150.0, closed_loop=True)
    return switches(v) / 2.0 / (len(v) * O2_DT)


def test_vacuum_leak_trims_positive_at_idle_much_less_at_cruise():
    keys = ("ltft_b1", "stft_b1", "intake_manifold_pressure", "maf", "engine_speed")
    _, leak = run("vacuum_leak:0.6", 700.0, 0.1, keys, 300.0)
    _, ok = run(None, 700.0, 0.1, keys, 300.0)
    idle = mean(leak.where("ltft_b1", "idle", min_run_time=300.0))
    cruise = mean(leak.where("ltft_b1", "cruise", min_run_time=300.0))
    assert idle > 12.0 and cruise < idle / 2.0
    assert mean(leak.where("intake_manifold_pressure", "idle", min_run_time=300.0)) > mean(
        ok.where("intake_manifold_pressure", "idle", min_run_time=300.0)) + 1.0
    # The MAF never sees the leaked air: it reads less than the healthy engine at the same idle.
    assert mean(leak.where("maf", "idle", min_run_time=300.0)) < mean(ok.where("maf", "idle", min_run_time=300.0))
    _, severe = run("vacuum_leak", 700.0, 0.1, keys, 300.0)
    assert 15.0 <= mean(severe.where("ltft_b1", "idle", min_run_time=300.0)) <= 25.0
    assert mean(severe.where("stft_b1", "idle", min_run_time=300.0)) > 2.0


def test_thermostat_stuck_open_never_warms_up():
    _, tr = run("thermostat_stuck_open", 600.0, 0.1, ("coolant_temp", "cooling_fan"))
    assert tr["coolant_temp"][-1] < 71.0
    assert max(tr.where("coolant_temp", min_run_time=300.0)) < 75.0
    assert 50.0 <= mean(tr.where("coolant_temp", "cruise", min_run_time=200.0)) <= 70.0
    assert max(tr["cooling_fan"]) == 0.0


def test_degraded_catalyst_downstream_mirrors_upstream(o2_runs):
    for phase in ("idle", "cruise"):
        up_bad = _hz(o2_runs["degraded_catalyst"], "o2_b1s1_voltage", phase)
        down_bad = _hz(o2_runs["degraded_catalyst"], "o2_b1s2_voltage", phase)
        down_ok = _hz(o2_runs[None], "o2_b1s2_voltage", phase)
        assert down_bad >= 0.7 * up_bad > 0.5, phase
        assert down_ok < 0.1 * up_bad, phase


def test_lazy_upstream_sensor_switches_slower_with_less_swing(o2_runs):
    for phase in ("idle", "cruise"):
        assert _hz(o2_runs["lazy_o2_upstream"], "o2_b1s1_voltage", phase) < 0.75 * _hz(o2_runs[None], "o2_b1s1_voltage", phase)
    lazy = o2_runs["lazy_o2_upstream"].where("o2_b1s1_voltage", "cruise", min_run_time=150.0, closed_loop=True)
    ok = o2_runs[None].where("o2_b1s1_voltage", "cruise", min_run_time=150.0, closed_loop=True)
    assert max(lazy) - min(lazy) < max(ok) - min(ok) - 0.05


def test_misfire_counts_roughness_catalyst_heat_and_lean_spikes(o2_runs):
    model = VehicleModel(seed=SEED, faults=[parse_fault("misfire_cyl3")])
    drive(model, 300.0, 0.1)
    counts = model.misfire.counts
    assert counts[2] > 300 and max(counts[0], counts[1], counts[3]) < counts[2] / 10
    bad, ok = o2_runs["misfire_cyl3"], o2_runs[None]
    # Roughness: sample-to-sample rpm changes at warm idle (settled, below 1,000 rpm).
    def rough(tr):
        rpm = [v for v in tr.where("engine_speed", "idle", min_run_time=150.0) if v < 1000.0]
        return statistics.pstdev(b - a for a, b in pairwise(rpm))
    assert rough(bad) > 2.0 * rough(ok)
    assert mean(bad.where("catalyst_temp_b1s1", "cruise", min_run_time=150.0)) > mean(
        ok.where("catalyst_temp_b1s1", "cruise", min_run_time=150.0)) + 80.0
    trims = lambda tr: mean(tr.where("stft_b1", min_run_time=150.0, closed_loop=True)) + mean(tr.where("ltft_b1", min_run_time=150.0))
    assert 0.5 < trims(bad) - trims(ok) < 15.0
    lean = lambda tr: sum(v < 0.15 for v in tr.where("o2_b1s1_voltage", "idle", min_run_time=150.0, closed_loop=True))
    assert lean(bad) > lean(ok)


def test_healthy_misfire_counters_stay_near_zero():
    model = VehicleModel(seed=SEED)
    drive(model, 600.0, 0.1)
    assert sum(model.misfire.counts) <= 2


def test_weak_battery_rests_low_dips_deep_and_cranks_slowly():
    keys = ("battery_voltage", "engine_speed")
    weak_model, weak = run("weak_battery", 5.0, 0.01, keys)
    _, ok = run(None, 5.0, 0.01, keys)
    assert 11.9 <= weak["battery_voltage"][0] <= 12.25 and ok["battery_voltage"][0] >= 12.4
    assert min(weak["battery_voltage"]) < 8.0 <= min(ok["battery_voltage"])
    crank = lambda tr: sum(p == "cranking" for p in tr.phase)
    assert crank(weak) > crank(ok) * 1.15
    assert weak_model.engine_running
    _, medium = run("weak_battery:0.7", 3.0, 0.01, keys)
    assert min(medium["battery_voltage"]) < 8.0


def test_failing_alternator_low_charging_voltage_and_draining_battery():
    model, tr = run("failing_alternator", 200.0, 0.1, ("battery_voltage",))
    hold = tr.where("battery_voltage", "hold_2500")
    assert 12.2 <= mean(hold) <= 12.9
    assert model.electrical.soc < model.electrical.rest_soc
    _, half = run("failing_alternator:0.5", 200.0, 0.1, ("battery_voltage",))
    assert mean(half.where("battery_voltage", "hold_2500")) > mean(hold) + 0.5


def test_worn_pads_near_limit_and_wearing_without_codes():
    model, tr = run("worn_brake_pads", 400.0, 0.1, ("brake_pad_front_mm", "brake_pad_rear_mm"))
    front = tr["brake_pad_front_mm"]
    assert 2.0 < front[-1] < front[0] <= 2.6
    assert tr["brake_pad_rear_mm"][-1] > 7.5
    assert model.ecu.stored == [] and model.ecu.pending == []


def test_coolant_sensor_open_circuit_reads_minus_40_while_engine_warms():
    model, tr = run("coolant_sensor_fault", 400.0, 0.1, ("coolant_temp",))
    assert set(tr["coolant_temp"]) == {-40.0}
    assert model.thermal.coolant > 80.0  # the engine itself is fine
    assert model.ecu.stored == ["P0118"]


def test_coolant_sensor_erratic_jumps_and_reads_low():
    model, tr = run("coolant_sensor_fault:0.5", 400.0, 0.05, ("coolant_temp",))
    reading = tr["coolant_temp"]
    assert max(abs(b - a) for a, b in pairwise(reading)) > 10.0
    assert model.thermal.coolant - statistics.median(reading[-100:]) > 5.0
