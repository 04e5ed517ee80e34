"""Each check on synthetic drives: healthy, faulty, and not enough data."""

import numpy as np
import pytest
from health_synthetic import drive

from analysis.checks import (
    check_battery,
    check_brakes,
    check_catalyst,
    check_charging,
    check_coolant_sensor,
    check_fuel_control,
    check_misfire,
    check_o2_sensor,
    check_warm_up,
    run_all_checks,
)
from analysis.signals import SignalSet
from carvrooom_desktop.domain import Severity


@pytest.fixture(scope="module")
def healthy():
    return drive()


def by_check(findings):
    return {f.check: f for f in findings}


def assert_proper(finding):
    """Every judged finding carries its evidence."""
    assert finding.enough_data
    assert finding.summary and finding.threshold_source
    assert finding.measured is not None and finding.unit
    assert finding.time_range is not None and finding.time_range[0] <= finding.time_range[1]
    assert 0.0 < finding.confidence <= 1.0
    assert finding.signal


def test_healthy_drive_has_no_finding_worse_than_ok(healthy):
    findings = run_all_checks(healthy)
    assert findings
    judged = [f for f in findings if f.enough_data]
    assert len(judged) >= 20
    assert all(f.severity == Severity.OK for f in judged), [f.summary for f in judged if f.severity]
    for f in judged:
        assert_proper(f)


def test_battery_weak_and_flat():
    f = by_check(check_battery(drive(crank_v=8.0, rest_v=12.1)))
    assert f["cranking voltage"].severity == Severity.CRITICAL
    assert f["resting state of charge"].severity >= Severity.WATCH
    assert f["cranking voltage"].threshold_source.startswith("BCI")


def test_battery_without_key_on_period_is_not_enough_data(healthy):
    t, v = healthy.get("battery_voltage").t, healthy.get("battery_voltage").values
    rpm = healthy.get("engine_speed")
    late = SignalSet({"battery_voltage": (t[t > 60], v[t > 60]), "engine_speed": (rpm.t[rpm.t > 60], rpm.values[rpm.t > 60])})
    for finding in check_battery(late):
        assert not finding.enough_data and "Not enough data" in finding.summary


def test_charging_failed_alternator_and_overcharge():
    f = by_check(check_charging(drive(charge_idle_v=12.7, charge_high_v=12.8)))
    assert f["charging voltage at 2,500 rpm"].severity == Severity.CRITICAL
    over = by_check(check_charging(drive(charge_idle_v=15.2, charge_high_v=15.2)))
    assert over["charging voltage at 2,500 rpm"].severity == Severity.WARNING


def test_charging_band_is_temperature_compensated():
    cold = by_check(check_charging(drive(charge_high_v=14.9, charge_idle_v=14.9, air_temp=-10.0)))
    hot = by_check(check_charging(drive(charge_high_v=14.9, charge_idle_v=14.9, air_temp=40.0)))
    assert cold["charging voltage at 2,500 rpm"].severity == Severity.OK
    assert hot["charging voltage at 2,500 rpm"].severity == Severity.WARNING


def test_fuel_vacuum_leak_pattern_and_rich_everywhere():
    f = by_check(check_fuel_control(drive(idle_trim=18.0, load_trim=3.0)))
    assert f["fuel trim at idle"].severity == Severity.WARNING
    assert f["fuel trim under load"].severity == Severity.OK
    assert f["mixture pattern"].severity >= Severity.WARNING and "Vacuum-leak" in f["mixture pattern"].summary
    rich = by_check(check_fuel_control(drive(idle_trim=-16.0, load_trim=-16.0)))
    assert "Rich" in rich["mixture pattern"].summary


def test_fuel_control_needs_a_warm_engine():
    for finding in check_fuel_control(drive(coolant_plateau=50.0)):
        assert not finding.enough_data


def test_misfire_per_cylinder():
    findings = by_check(check_misfire(drive(misfire_per_rev=(0.0, 0.0, 0.2, 0.0))))
    assert findings["misfire cylinder 3"].severity == Severity.CRITICAL
    assert findings["misfire cylinder 1"].severity == Severity.OK
    mild = by_check(check_misfire(drive(misfire_per_rev=(0.0, 0.05, 0.0, 0.0))))
    assert mild["misfire cylinder 2"].severity == Severity.WARNING
    assert not check_misfire(SignalSet({"engine_speed": ([0, 1], [800, 800])}))[0].enough_data


def test_misfire_counter_reset_counts_on():
    t = np.arange(0, 600, 1.0)
    rpm = np.full(600, 1000.0)
    steady = np.floor(np.arange(600) / 5.0)  # 120 misfires over 10,000 revolutions, cumulative
    reset = steady.copy()
    reset[300:] -= steady[300]  # the ECU cleared the counter half way

    def cylinder1(counts):
        zeros = np.zeros(600)
        s = SignalSet({"engine_speed": (t, rpm), "misfire_cyl1": (t, counts), "misfire_cyl2": (t, zeros),
                       "misfire_cyl3": (t, zeros), "misfire_cyl4": (t, zeros)})
        return check_misfire(s)[0]

    a, b = cylinder1(steady), cylinder1(reset)
    assert a.enough_data and b.enough_data
    assert a.measured == pytest.approx(b.measured, abs=0.1)
    assert a.severity == b.severity


def test_o2_lazy_sensor_and_catalyst(healthy):
    ok = by_check(check_o2_sensor(healthy))
    assert ok["O2 transition time"].severity == Severity.OK and ok["O2 switching rate"].severity == Severity.OK
    lazy = by_check(check_o2_sensor(drive(o2_tau=0.2)))
    assert lazy["O2 transition time"].severity == Severity.WARNING
    assert check_catalyst(healthy)[0].severity == Severity.OK
    assert check_catalyst(drive(catalyst_ok=False))[0].severity == Severity.WARNING


def test_o2_checks_refuse_slow_logging(healthy):
    t = healthy.get("o2_b1s1_voltage").t
    s = SignalSet({n: (healthy.get(n).t[::10], healthy.get(n).values[::10]) for n in healthy.names})
    assert len(t) > 0
    for finding in check_o2_sensor(s) + check_catalyst(s):
        assert not finding.enough_data and "Hz" in finding.summary


def test_thermostat_stuck_open_and_healthy_warm_up(healthy):
    assert check_warm_up(healthy).severity == Severity.OK
    stuck = check_warm_up(drive(coolant_plateau=60.0))
    assert stuck.severity == Severity.WARNING and "stuck open" in stuck.summary


def test_coolant_sensor_plausibility():
    open_circuit = drive(coolant_start=-40.0, coolant_plateau=-40.0)
    f = by_check(check_coolant_sensor(open_circuit))
    assert f["coolant sensor circuit"].severity == Severity.CRITICAL
    low = by_check(check_coolant_sensor(drive(coolant_offset=-15.0)))
    assert low["coolant vs air after cold soak"].severity == Severity.WARNING
    s = drive()
    c = s.get("coolant_temp")
    v = c.values.copy()
    v[3000:3010] += 30.0
    v[5000:5005] -= 25.0
    v[6000:6003] += 40.0
    jumpy = s.with_signal("coolant_temp", c.t, v, "°C")
    assert by_check(check_coolant_sensor(jumpy))["coolant sensor jumps"].severity == Severity.WARNING
    frozen = s.with_signal("coolant_temp", c.t, np.full(len(c.t), 25.0), "°C")
    assert by_check(check_coolant_sensor(frozen))["coolant sensor flat line"].severity == Severity.WARNING


def test_brake_pads(healthy):
    f = by_check(check_brakes(healthy))
    assert f["front brake pads"].severity == Severity.OK
    worn = by_check(check_brakes(drive(pad_front_mm=2.6)))
    assert worn["front brake pads"].severity == Severity.WARNING
    assert worn["rear brake pads"].severity == Severity.CRITICAL
    soon = by_check(check_brakes(drive(pad_front_mm=3.6, pad_wear_mm_per_km=0.001)))
    assert soon["front brake pads"].severity >= Severity.WATCH and "km to 3 mm" in soon["front brake pads"].summary
