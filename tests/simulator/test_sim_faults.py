"""Fault names, severities and the catalogue."""

from __future__ import annotations

import pytest

from drivers.simulator.errors import UnknownFault
from drivers.simulator.faults import FAULT_CATALOGUE, Fault, parse_fault, parse_faults

REQUIRED = (
    "weak_battery", "failing_alternator", "vacuum_leak", "misfire_cyl1", "misfire_cyl2", "misfire_cyl3",
    "misfire_cyl4", "thermostat_stuck_open", "lazy_o2_upstream", "degraded_catalyst", "worn_brake_pads",
    "coolant_sensor_fault",
)


def test_catalogue_has_the_required_faults():
    for name in REQUIRED:
        spec = FAULT_CATALOGUE[name]
        assert spec.name == name and spec.system and spec.description
        assert all(len(code) == 5 and code[0] == "P" for code in spec.dtcs)
    assert FAULT_CATALOGUE["worn_brake_pads"].dtcs == ()
    assert FAULT_CATALOGUE["misfire_cyl3"].dtcs == ("P0303", "P0300")


@pytest.mark.parametrize(
    ("text", "name", "severity", "cylinder"),
    [
        ("vacuum_leak", "vacuum_leak", 1.0, None),
        ("vacuum_leak:0.6", "vacuum_leak", 0.6, None),
        ("  Vacuum_Leak : 0.25 ", "vacuum_leak", 0.25, None),
        ("misfire_cyl3", "misfire_cyl3", 1.0, 3),
        ("misfire_cyl3:0.5", "misfire_cyl3", 0.5, 3),
        ("coolant_sensor_fault:1", "coolant_sensor_fault", 1.0, None),
    ],
)
def test_parse_fault(text, name, severity, cylinder):
    assert parse_fault(text) == Fault(name, severity, cylinder)


def test_fault_normalises_misfire_forms_and_round_trips_through_str():
    assert Fault("misfire", cylinder=2) == Fault("misfire_cyl2") == parse_fault("misfire_cyl2")
    assert str(Fault("misfire_cyl2", 0.5)) == "misfire_cyl2:0.5"
    assert str(Fault("vacuum_leak")) == "vacuum_leak"
    for text in ("misfire_cyl4:0.3", "weak_battery"):
        assert parse_fault(str(parse_fault(text))) == parse_fault(text)
    assert parse_faults("vacuum_leak, misfire_cyl1:0.4,") == (Fault("vacuum_leak"), Fault("misfire_cyl1", 0.4))


def test_unknown_fault_lists_the_known_ones():
    with pytest.raises(UnknownFault) as err:
        parse_fault("flux_capacitor")
    assert isinstance(err.value, ValueError)
    message = str(err.value)
    assert "flux_capacitor" in message
    assert all(name in message for name in REQUIRED)
    with pytest.raises(UnknownFault):
        Fault("flat_tyre")


@pytest.mark.parametrize("text", ["vacuum_leak:0", "vacuum_leak:1.5", "vacuum_leak:-0.2", "vacuum_leak:abc", "vacuum_leak:nan", "vacuum_leak:"])
def test_bad_severity_is_a_clear_value_error(text):
    with pytest.raises(ValueError, match="severity"):
        parse_fault(text)


@pytest.mark.parametrize("text", ["misfire_cyl0", "misfire_cyl5", "misfire_cyl9:0.5"])
def test_bad_cylinder_is_a_clear_value_error(text):
    with pytest.raises(ValueError, match="cylinder") as err:
        parse_fault(text)
    assert not isinstance(err.value, UnknownFault)


def test_cylinder_only_for_misfires():
    with pytest.raises(ValueError, match="cylinder"):
        Fault("vacuum_leak", cylinder=2)
    with pytest.raises(ValueError, match="cylinder"):
        Fault("misfire_cyl2", cylinder=3)
    with pytest.raises(ValueError, match="cylinder"):
        parse_fault("misfire")
