"""Health scores from findings, and the carOBD adapter on a tiny file of its own."""

import gzip

import numpy as np

from analysis.datasets.carobd import parse, read_trip, seconds_per_row
from analysis.health_score import score_findings, score_system
from carvrooom_desktop.domain import Finding, Severity


def f(system, severity, confidence=1.0, enough=True, check="c"):
    return Finding(system=system, check=check, severity=severity, summary="s", confidence=confidence, enough_data=enough)


def test_scores_follow_the_worst_finding_and_explain_it():
    report = score_findings([f("battery", Severity.OK), f("charging", Severity.CRITICAL, check="alternator"), f("cooling", Severity.WATCH)])
    scores = {s.system: s.score for s in report.systems}
    assert scores["battery"] == 100 and scores["charging"] == 20 and scores["cooling"] == 80
    assert report.vehicle_score <= 40
    assert "alternator" in report.system("charging").explanation
    assert "charging" in report.explanation and "critical" in report.explanation


def test_low_confidence_softens_and_no_data_is_not_assessed():
    assert score_system("x", [f("x", Severity.WARNING, confidence=0.5)]).score == 75
    unassessed = score_system("x", [f("x", Severity.OK, confidence=0.0, enough=False)])
    assert unassessed.score is None and "not assessed" in unassessed.explanation
    assert score_findings([]).vehicle_score is None
    extra = score_system("x", [f("x", Severity.WARNING), f("x", Severity.WATCH), f("x", Severity.WATCH)])
    assert extra.score == 40
    assert score_findings([f("a", Severity.OK)]).to_dict()["vehicle"]["score"] == 100


HEADER = ("ENGINE_RUN_TINE (),ENGINE_RPM (),VEHICLE_SPEED (),COOLANT_TEMPERATURE (),INTAKE_AIR_TEMP (),"
          "CONTROL_MODULE_VOLTAGE (),TIME_SINCE_TROUBLE_CODES_CLEARED ()")


def test_carobd_quirks_trailing_comma_truncated_line_empty_lines():
    rows = [f"{i // 2}.000000, 800.0, 0.0, 80.0, 30.0, 14.1, 10.0," for i in range(60)]
    text = HEADER + "\n" + "\n".join(rows[:30]) + "\n\n" + "\n".join(rows[30:]) + "\n1.0, 800.0,"
    header, data = parse(text)
    assert header[0] == "ENGINE_RUN_TINE" and data.shape == (60, 7)
    assert seconds_per_row(data[:, 0]) == np.float64(0.5) or abs(seconds_per_row(data[:, 0]) - 0.5) < 0.01


def test_carobd_trip_maps_names_units_and_time(tmp_path):
    rows = [f"{i / 2:.1f}, {800 + i}, 10.0, 85.0, 30.0, 14.0, 7.0," for i in range(100)]
    path = tmp_path / "live99.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(HEADER + "\n" + "\n".join(rows) + "\n")
    trip = read_trip(path)
    assert {"run_time", "engine_speed", "vehicle_speed", "coolant_temp", "intake_air_temp", "battery_voltage"} <= set(trip.names)
    rpm = trip.get("engine_speed")
    assert abs(rpm.typical_interval - 0.5) < 1e-6
    assert trip.get("time_since_codes_cleared").values[0] == 420.0  # minutes -> seconds


def test_carobd_file_with_fewer_columns():
    text = HEADER + "\n" + "\n".join("1, 800, 0, 80, 30" for _ in range(5))
    header, data = parse(text)
    assert header == ["ENGINE_RUN_TINE", "ENGINE_RPM", "VEHICLE_SPEED", "COOLANT_TEMPERATURE", "INTAKE_AIR_TEMP"]
    assert data.shape == (5, 5)
