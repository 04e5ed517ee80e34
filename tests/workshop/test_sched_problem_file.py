"""The JSON problem format: the example, the schema, and bad files with messages that name the item."""

from __future__ import annotations

import json

import pytest

from carvrooom_desktop.workshop.scheduling import ScheduleProblemError, load_problem, problem_from_dict, problem_to_dict
from carvrooom_desktop.workshop.scheduling.domain import ABSENCE_KINDS, JOB_STATES, PART_STATES, URGENCIES, WEEKDAYS
from carvrooom_desktop.workshop.scheduling.problem import SCHEMA_PATH

EXAMPLE = SCHEMA_PATH.parent / "example-week.json"


def _example() -> dict:
    return json.loads(EXAMPLE.read_text())


def _errors(data) -> list[str]:
    with pytest.raises(ScheduleProblemError) as e:
        problem_from_dict(data)
    return e.value.problems


def test_the_example_loads_and_round_trips():
    p = load_problem(EXAMPLE)
    assert len(p.jobs) == 12 and len(p.bays) == 5 and len(p.technicians) == 3 and p.timezone == "Europe/Berlin"
    again = problem_from_dict(json.loads(json.dumps(problem_to_dict(p))))
    assert again.jobs == p.jobs and again.technicians == p.technicians and again.bays == p.bays
    assert again.opening_hours == p.opening_hours


def test_schema_file_agrees_with_the_validator():
    schema = json.loads(SCHEMA_PATH.read_text())
    props = schema["properties"]
    job = props["jobs"]["items"]["properties"]
    assert set(schema["required"]) == {"start", "days", "bays", "jobs"}
    assert job["urgency"]["enum"] == list(URGENCIES) and job["state"]["enum"] == list(JOB_STATES)
    assert job["parts"]["items"]["properties"]["state"]["enum"] == list(PART_STATES)
    assert props["technicians"]["items"]["properties"]["absences"]["items"]["properties"]["kind"]["enum"] == list(ABSENCE_KINDS)
    assert props["opening_hours"]["items"]["properties"]["days"]["items"]["enum"] == list(WEEKDAYS)
    from carvrooom_desktop.workshop.scheduling.problem import JOB_KEYS, TECH_KEYS, TOP_KEYS

    assert set(props) == TOP_KEYS and set(job) == JOB_KEYS and set(props["technicians"]["items"]["properties"]) == TECH_KEYS


def test_negative_hours_names_the_job():
    data = _example()
    data["jobs"][2]["hours"] = -2
    assert _errors(data) == ['jobs[2] "RO-1003": hours must be a positive number, got -2']


def test_shift_that_ends_before_it_starts_names_the_technician_and_shift():
    data = _example()
    data["technicians"][1]["shifts"][0]["end"] = "08:00"
    data["technicians"][1]["shifts"][0]["start"] = "17:00"
    data["technicians"][1]["shifts"][0]["breaks"] = []
    assert _errors(data) == ['technicians[1] "ben" (Ben) shifts[0]: ends 08:00 before it starts 17:00']


def test_every_problem_of_a_file_is_reported_at_once():
    data = _example()
    data["jobs"][0]["urgency"] = "soon"
    data["jobs"][1]["after"] = ["RO-9999"]
    data["jobs"][3]["colour"] = "red"
    data["bays"][1]["id"] = "lift-1"
    data["start"] = "2026-12-07T08:00:00"
    errors = _errors(data)
    assert 'jobs[0] "RO-1001": urgency must be one of drive, drive with care, do not drive, got \'soon\'' in errors
    assert 'jobs[1] "RO-1002": after[0] names the unknown job \'RO-9999\'' in errors
    assert any(e.startswith('jobs[3] "RO-1003A": unknown key \'colour\'') for e in errors)
    assert 'bays[1] "lift-1" (Lift 2): the id \'lift-1\' is used by another bay' in errors
    assert "problem: start '2026-12-07T08:00:00' needs a UTC offset (e.g. +01:00 or Z)" in errors


def test_not_json_and_missing_file(tmp_path):
    bad = tmp_path / "week.json"
    bad.write_text('{"start": ')
    with pytest.raises(ScheduleProblemError, match=r"week.json: not JSON: Expecting value at line 1 column 11"):
        load_problem(bad)
    with pytest.raises(ScheduleProblemError, match="cannot read the file"):
        load_problem(tmp_path / "nope.json")


def test_break_outside_its_shift_and_bad_clock():
    data = _example()
    data["technicians"][0]["shifts"][0]["breaks"] = [{"start": "18:00", "end": "18:30"}]
    data["opening_hours"][0]["opens"] = "8am"
    errors = _errors(data)
    assert 'technicians[0] "ana" (Ana) shifts[0] breaks[0]: 18:00-18:30 is outside the shift 08:00-16:30' in errors
    assert "opening_hours[0]: opens must be a time of day HH:MM, got '8am'" in errors
