"""The Gantt's live check (scheduling/moves.py): where a dragged job would go, or why it cannot, in words."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from carvrooom_desktop.workshop.scheduling.domain import Bay, Booking, Dependency, Holiday, Part
from carvrooom_desktop.workshop.scheduling.moves import MoveChecker, check_move
from tests.workshop.sched_helpers import at, job, problem, tech

LIFT, ALIGN = Bay("lift", "Lift", "general lift"), Bay("align", "Alignment", "alignment")
ANA = tech("ana", "brakes", "general service")  # lunch 12:00-12:30
BEN = tech("ben", "general service", lunch=False)


def _shop(*jobs, techs=(ANA, BEN), **kw):
    return problem(jobs, bays=(LIFT, Bay("lift2", "Lift 2", "general lift"), ALIGN), techs=techs, **kw)


def _booked(job_id, bay, who, day, hh, minutes):
    return Booking(job_id, bay, who, at(day, hh), at(day, hh) + timedelta(minutes=minutes))


def test_a_free_slot_is_accepted_with_the_bookings_it_makes():
    p = _shop(job("J1", 60))
    check = check_move(p, "J1", (), bay_id="lift", technician_id="ana", starts_at=at(0, 9))
    assert check.ok and check.reason == ""
    assert [(b.bay_id, b.technician_id, b.starts_at, b.ends_at) for b in check.bookings] == [("lift", "ana", at(0, 9), at(0, 10))]


def test_each_refusal_names_its_reason():
    p = _shop(job("J1", 60, parts=(Part("pads", at(0, 11), "ordered"),)), job("J2", 120, title="clutch"))
    other = (_booked("J2", "lift", "ben", 0, 13, 120),)
    checker = MoveChecker(p, "J1", other)
    assert "needs a general lift bay" in checker.check("align", "ana", at(0, 13)).reason
    assert "Ben lacks the skill 'brakes'" in checker.check("lift2", "ben", at(0, 13)).reason
    assert "the part 'pads' arrives Mon 07 Dec 11:00" in checker.check("lift2", "ana", at(0, 9)).reason
    assert "Lift is taken by J2 (clutch) Mon 07 Dec 13:00-15:00" in checker.check("lift", "ana", at(0, 14)).reason
    assert "run into Ana's break 12:00-12:30" in checker.check("lift2", "ana", at(0, 11, 30)).reason
    late_starter = MoveChecker(_shop(job("J1", 60), techs=(tech("cara", "brakes", start=9 * 60),)), "J1", ())
    assert "Cara is not on shift at Mon 07 Dec 08:00" in late_starter.check("lift", "cara", at(0, 8)).reason
    # work running past closing time carries on at the next opening (the car stays on the lift)
    overnight = checker.check("lift2", "ana", at(0, 16, 30))
    assert overnight.ok and [b.starts_at for b in overnight.bookings] == [at(0, 16, 30), at(1, 8)]
    assert "the workshop is closed at Mon 07 Dec 18:00" in checker.check("lift2", "ana", at(0, 18)).reason
    assert checker.check("lift2", "ana", at(0, 13)).ok


def test_the_technician_in_the_way_and_absences():
    p = _shop(job("J1", 60), job("J2", 60), techs=(replace(ANA, absences=(Holiday(at(1, 0), at(2, 0), "holiday"),)), BEN))
    checker = MoveChecker(p, "J1", (_booked("J2", "lift", "ana", 0, 9, 60),))
    assert "Ana is working on J2 Mon 07 Dec 09:00-10:00" in checker.check("lift2", "ana", at(0, 9)).reason
    assert "Ana is off (holiday)" in checker.check("lift2", "ana", at(1, 9)).reason


def test_dependencies_both_ways_and_started_work():
    p = _shop(job("S", 120, title="struts", skill="general service"),
              job("A", 60, title="alignment", skill="general service", bay_type="alignment", after=(Dependency("S"),)))
    s_booked, a_booked = _booked("S", "lift", "ben", 0, 8, 120), _booked("A", "align", "ana", 0, 13, 60)
    a = MoveChecker(p, "A", (s_booked, a_booked))
    assert "it waits for S (struts), which ends Mon 07 Dec 10:00" in a.check("align", "ana", at(0, 9)).reason
    assert a.check("align", "ana", at(0, 10)).ok
    s = MoveChecker(p, "S", (s_booked, a_booked))
    assert "A (alignment) waits for this job and starts Mon 07 Dec 13:00" in s.check("lift", "ben", at(0, 12)).reason
    started = MoveChecker(p, "S", (Booking("S", "lift", "ben", at(0, 8), at(0, 10), "in_progress"), a_booked))
    assert "has started" in started.check("lift", "ben", at(0, 11)).reason


def test_a_promise_missed_is_a_warning_and_earliest_is_the_first_free_slot():
    p = _shop(job("J1", 60, promised_at=at(0, 10)), job("J2", 60))
    checker = MoveChecker(p, "J1", (_booked("J2", "lift", "ana", 0, 8, 60), _booked("J2", "lift2", "ben", 0, 8, 60)))
    late = checker.check("lift", "ana", at(0, 14))
    assert late.ok and "after its promise Mon 07 Dec 10:00" in late.warnings[0]
    first = checker.earliest()
    assert first.ok and first.starts_at == at(0, 9)
