"""A healthy car: determinism, plausible and coupled signals, no codes, step cost."""

from __future__ import annotations

import math
import statistics
import time
from itertools import pairwise

import pytest

from drivers.simulator.model import DEFAULT_VIN, SIGNALS, VehicleModel
from drivers.simulator.powertrain import K_AIR
from drivers.simulator.thermal import FAN_OFF, FAN_ON, Thermal

from .sim_helpers import drive, mean, switches, vin_check_digit

MANDATORY = (
    "engine_speed", "vehicle_speed", "throttle_position", "engine_load", "coolant_temp", "intake_air_temp",
    "ambient_air_temp", "intake_manifold_pressure", "barometric_pressure", "maf", "stft_b1", "ltft_b1",
    "o2_b1s1_voltage", "o2_b1s2_voltage", "battery_voltage", "timing_advance", "fuel_level", "odometer_km",
    "run_time", "misfire_cyl1", "misfire_cyl2", "misfire_cyl3", "misfire_cyl4", "brake_pad_front_mm",
    "brake_pad_rear_mm", "brake_pressure", "catalyst_temp_b1s1",
)
KEYS = tuple(SIGNALS)
DT = 0.02  # s: resolves cranking and 1-3 Hz O2 switching


@pytest.fixture(scope="module")
def healthy():
    model = VehicleModel(seed=7)
    start = model.signals()
    trace = drive(model, 600.0, DT, KEYS)
    return model, start, trace


def test_signals_match_their_table():
    model = VehicleModel(seed=1, history=False)
    assert set(model.signals()) == set(SIGNALS)
    assert set(MANDATORY) <= set(SIGNALS)
    for name, (unit, description) in SIGNALS.items():
        assert isinstance(unit, str) and description, name
    assert SIGNALS["engine_speed"][0] == "rpm" and SIGNALS["coolant_temp"][0] == "°C"


def test_default_vin_is_valid():
    model = VehicleModel(history=False)
    assert model.vin == DEFAULT_VIN and len(DEFAULT_VIN) == 17
    assert vin_check_digit(DEFAULT_VIN) == DEFAULT_VIN[8]
    assert VehicleModel(history=False, vin="WVWZZZ1KZ8W000001").vin == "WVWZZZ1KZ8W000001"


def test_same_seed_same_signals_different_seed_differs():
    a, b, c = VehicleModel(seed=3), VehicleModel(seed=3), VehicleModel(seed=4)
    for _ in range(60):
        for m in (a, b, c):
            drive(m, m.time + 1.0, 0.02)
        assert a.signals() == b.signals()
    assert a.signals() != c.signals()
    assert a.ecu.readiness() == b.ecu.readiness()


def test_reading_signals_changes_nothing():
    watched, unwatched = VehicleModel(seed=5), VehicleModel(seed=5)
    for _ in range(3000):
        watched.step(0.02)
        watched.signals()
        watched.signals()
        unwatched.step(0.02)
    assert watched.signals() == unwatched.signals()


def test_healthy_car_has_no_codes_and_ready_monitors(healthy):
    model, _, _ = healthy
    ecu = model.ecu
    assert ecu.stored == [] and ecu.pending == [] and ecu.permanent == [] and not ecu.mil_on
    assert ecu.freeze_frames == {}
    readiness = ecu.readiness()
    names = [r[0] for r in readiness]
    assert names == ["Misfire", "Fuel system", "Components", "Catalyst", "Heated catalyst", "EVAP system",
                     "Secondary air", "O2 sensor", "O2 sensor heater", "EGR/VVT"]
    for name, continuous, supported, complete in readiness:
        assert continuous == (name in ("Misfire", "Fuel system", "Components"))
        assert supported == (name not in ("Heated catalyst", "Secondary air"))
        assert complete == supported, name
    assert ecu.distance_with_mil_km == 0.0
    assert ecu.distance_since_clear_km > 1000 and ecu.warmups_since_clear > 0


def test_key_on_cranking_and_warm_up(healthy):
    model, start, tr = healthy
    assert start["engine_speed"] == 0.0 and start["run_time"] == 0.0
    assert 12.4 <= start["battery_voltage"] <= 12.7  # resting, key on
    assert abs(start["coolant_temp"] - start["ambient_air_temp"]) < 5.0
    assert 14.0 <= start["ambient_air_temp"] <= 21.0
    assert start["intake_manifold_pressure"] == pytest.approx(start["barometric_pressure"], abs=0.5)
    crank = [i for i, p in enumerate(tr.phase) if p == "cranking"]
    assert 0.6 <= len(crank) * DT <= 1.5  # about a second of cranking
    assert 9.6 <= min(tr["battery_voltage"][i] for i in crank) <= 10.5
    assert 150 <= max(tr["engine_speed"][i] for i in crank) <= 320
    cold_idle = mean(tr.where("engine_speed", "warm_up_idle", min_run_time=10.0))
    warm_idle = mean(tr.where("engine_speed", "idle", min_run_time=340.0))
    assert 750.0 <= warm_idle <= 820.0
    assert cold_idle > warm_idle + 150.0
    coolant = tr["coolant_temp"]
    assert 85.0 <= coolant[-1] <= 95.0
    assert max(coolant) < 100.0
    assert tr["run_time"][-1] == pytest.approx(model.run_time) and 595.0 < model.run_time < 600.0


def test_engine_signals_are_coupled(healthy):
    _, _, tr = healthy
    idle_map = tr.where("intake_manifold_pressure", "idle", min_run_time=340.0)
    assert 28.0 <= mean(idle_map) <= 36.0
    cruise_speed = tr.where("vehicle_speed", "cruise", min_run_time=250.0)
    assert 84.0 <= statistics.median(cruise_speed) <= 94.0
    # MAF agrees with speed-density (rpm x MAP / intake temperature) on a healthy engine.
    ratios = []
    for i, rpm in enumerate(tr["engine_speed"]):
        if tr.run_time[i] > 120 and rpm > 700:
            iat = tr["intake_air_temp"][i]
            expected = rpm / 120.0 * K_AIR * 298.0 / (iat + 273.0) * tr["intake_manifold_pressure"][i]
            ratios.append(tr["maf"][i] / expected)
    assert 0.97 <= statistics.median(ratios) <= 1.03
    load = tr.where("engine_load", "cruise", min_run_time=250.0)
    assert 35.0 <= statistics.median(load) <= 65.0
    assert 2.0 <= statistics.median(tr.where("throttle_position", "idle", min_run_time=340.0)) <= 10.0
    assert statistics.median(tr.where("timing_advance", "cruise", min_run_time=250.0)) > statistics.median(
        tr.where("timing_advance", "idle", min_run_time=340.0)) + 8.0
    gears = set(tr["gear"])
    assert {0.0, 1.0, 2.0, 5.0} <= gears
    assert max(tr["catalyst_temp_b1s1"]) > 450.0


def test_closed_loop_fuel_control(healthy):
    _, _, tr = healthy
    stft = tr.where("stft_b1", closed_loop=True, min_run_time=300.0)
    assert abs(mean(stft)) < 1.5 and max(stft) > 0.5 and min(stft) < -0.5  # oscillates around 0
    assert all(abs(v) < 3.0 for v in tr.where("ltft_b1", min_run_time=300.0))
    for phase, low, high in (("idle", 1.0, 2.2), ("cruise", 1.5, 4.0)):
        up = tr.where("o2_b1s1_voltage", phase, min_run_time=300.0, closed_loop=True)
        hz = switches(up) / 2.0 / (len(up) * DT)
        print(f"upstream O2 at {phase}: {hz:.2f} Hz")
        assert low <= hz <= high, phase
        down = tr.where("o2_b1s2_voltage", phase, min_run_time=300.0, closed_loop=True)
        assert switches(down) <= 2
        assert 0.55 <= statistics.median(down) <= 0.8
    # Overrun fuel cut: open loop, lean sensor.
    coast = tr.where("o2_b1s1_voltage", "coast", min_run_time=300.0, closed_loop=False)
    assert coast and min(coast) < 0.1


def test_charging_brakes_and_counters(healthy):
    _, start, tr = healthy
    hold = tr.where("battery_voltage", "hold_2500", min_run_time=100.0)
    assert 13.9 <= mean(hold) <= 14.5
    rpm = tr.where("engine_speed", "hold_2500", min_run_time=100.0)
    assert abs(statistics.median(rpm) - 2500.0) < 50.0
    assert all(13.5 <= v <= 14.8 for v in tr.where("battery_voltage", min_run_time=30.0))
    assert max(tr["brake_pressure"]) > 10.0
    assert 0 < start["brake_pad_front_mm"] - tr["brake_pad_front_mm"][-1] < 0.05
    assert start["brake_pad_front_mm"] == pytest.approx(9.5, abs=0.1)
    assert start["brake_pad_rear_mm"] == pytest.approx(8.0, abs=0.1)
    travelled = tr["odometer_km"][-1] - start["odometer_km"]
    assert 5.0 < travelled < 15.0
    assert 0.0 < start["fuel_level"] - tr["fuel_level"][-1] < 5.0
    assert all(tr[f"misfire_cyl{n}"][-1] <= 1 for n in range(1, 5))


def test_coarse_steps_stay_stable():
    model = VehicleModel(seed=11, history=False)
    tr = drive(model, 900.0, 0.25, KEYS)
    for key in KEYS:
        assert all(math.isfinite(v) for v in tr[key]), key
    assert max(tr["engine_speed"]) < 4000 and min(tr["battery_voltage"]) > 9.0
    assert max(tr["coolant_temp"]) < 100 and tr["coolant_temp"][-1] > 80
    assert all(abs(v) <= 25.0 for v in tr["stft_b1"] + tr["ltft_b1"])
    assert model.ecu.stored == []


def test_step_and_constructor_cost():
    model = VehicleModel(seed=2, history=False)
    drive(model, 100.0, 0.01)
    n = 20_000
    t0 = time.perf_counter()
    for _ in range(n):
        model.step(0.01)
    per_step = (time.perf_counter() - t0) / n
    t0 = time.perf_counter()
    VehicleModel(seed=2)
    ctor = time.perf_counter() - t0
    print(f"step(): {per_step * 1e6:.1f} µs; constructor with history: {ctor * 1e3:.0f} ms")
    assert per_step < 200e-6 and ctor < 3.0  # loose: shared CI machines vary


def test_step_rejects_non_positive_dt():
    model = VehicleModel(history=False)
    for dt in (0.0, -0.01, float("nan")):
        with pytest.raises(ValueError):
            model.step(dt)


def test_radiator_fan_switches_with_hysteresis():
    # A hot day, a long idle: the fan cuts in above 98 °C and out below 94 °C.
    thermal = Thermal(38.0)
    thermal.coolant = 90.0
    states = []
    for _ in range(12_000):
        thermal.step(0.1, True, 6.0, False, 0.0, 38.0, 0.0, False, None)
        states.append((thermal.fan_on, thermal.coolant))
    switched_on = [t for (was, _), (now, t) in pairwise(states) if now and not was]
    switched_off = [t for (was, _), (now, t) in pairwise(states) if was and not now]
    assert len(switched_on) >= 2 and len(switched_off) >= 2
    assert all(t > FAN_ON - 0.5 for t in switched_on) and all(t < FAN_OFF + 0.5 for t in switched_off)
