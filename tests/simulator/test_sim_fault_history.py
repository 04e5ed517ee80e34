"""Long-standing faults: the codes the previous drive left in the ECU."""

from __future__ import annotations

import pytest

from drivers.simulator.ecu import CODES
from drivers.simulator.faults import parse_fault, parse_faults
from drivers.simulator.model import SIGNALS, VehicleModel

EMISSION_FREE = {"P0562", "P0622"}  # charging codes: battery lamp, not MIL, not permanent


@pytest.mark.parametrize(
    ("faults", "expected"),
    [
        ("weak_battery", {"P0562"}),
        ("weak_battery:0.7", {"P0562"}),
        ("weak_battery:0.4", set()),  # a mildly weak battery sets nothing, as on a real car
        ("failing_alternator", {"P0562", "P0622"}),
        ("vacuum_leak", {"P0171"}),
        ("vacuum_leak:0.6", set()),  # trims cope; a technician sees it in LTFT only
        ("misfire_cyl3", {"P0303", "P0300"}),
        ("misfire_cyl2:0.5", {"P0302"}),
        ("thermostat_stuck_open", {"P0128"}),
        ("lazy_o2_upstream", {"P0133"}),
        ("degraded_catalyst", {"P0420"}),
        ("worn_brake_pads", set()),
        ("coolant_sensor_fault", {"P0118"}),
        ("coolant_sensor_fault:0.5", {"P0119"}),
        ("coolant_sensor_fault:0.7", {"P0119", "P0116"}),
        ("vacuum_leak,misfire_cyl1:0.5", {"P0171", "P0301"}),
    ],
)
def test_history_leaves_the_codes_a_real_ecu_would(faults, expected):
    model = VehicleModel(seed=2, faults=parse_faults(faults))
    ecu = model.ecu
    assert set(ecu.stored) == expected
    allowed = {code for f in model.faults for code in f.spec.dtcs}
    assert set(ecu.pending) <= allowed and set(ecu.permanent) <= allowed
    assert set(ecu.permanent) == expected - EMISSION_FREE
    assert ecu.mil_on == bool(expected - EMISSION_FREE)
    if expected:
        first = ecu.stored[0]
        frame = ecu.freeze_frames[first]
        assert set(frame) <= set(SIGNALS) and "engine_speed" in frame and "coolant_temp" in frame
        assert set(ecu.freeze_frames) == set(ecu.stored)
    # The previous drive ran every monitor; the car now waits, engine off, for a cold start.
    assert all(complete for _, _, supported, complete in ecu.readiness() if supported)
    assert model.phase == "key_on" and not model.engine_running and model.time == 0.0
    assert abs(model.signals()["ambient_air_temp"] - model.thermal.coolant) < 5.0


def test_every_code_set_is_described():
    for code, (description, mil, permanent) in CODES.items():
        assert len(code) == 5 and description
        assert permanent <= mil  # only MIL codes go to permanent memory


def test_history_advances_the_odometer_but_not_without_history():
    fresh = VehicleModel(seed=1, history=False, odometer_km=1000.0)
    driven = VehicleModel(seed=1, odometer_km=1000.0)
    assert fresh.odometer_km == 1000.0
    assert 10.0 < driven.odometer_km - 1000.0 < 25.0
    assert fresh.ecu.stored == [] and fresh.ecu.distance_since_clear_km == 0.0
    assert not any(complete for name, cont, sup, complete in fresh.ecu.readiness() if not cont)


def test_freeze_frame_shows_the_fault_conditions():
    leak = VehicleModel(seed=3, faults=[parse_fault("vacuum_leak")]).ecu.freeze_frames["P0171"]
    assert leak["stft_b1"] + leak["ltft_b1"] > 25.0 and leak["engine_speed"] < 1000
    misfire = VehicleModel(seed=3, faults=[parse_fault("misfire_cyl4")]).ecu.freeze_frames["P0304"]
    assert misfire["misfire_cyl4"] > 20
    sensor = VehicleModel(seed=3, faults=[parse_fault("coolant_sensor_fault")]).ecu.freeze_frames["P0118"]
    assert sensor["coolant_temp"] == -40.0
