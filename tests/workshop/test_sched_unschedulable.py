"""Jobs that cannot be planned are listed with the reason, never dropped."""

from __future__ import annotations

from datetime import timedelta

from carvrooom_desktop.workshop.scheduling import solve
from carvrooom_desktop.workshop.scheduling.domain import Bay, Dependency, Holiday, Part, Pin
from tests.workshop.sched_helpers import MONDAY, at, job, problem, tech


def _reasons(p, **kw):
    plan = solve(p, time_limit_s=3, deterministic=True, **kw)
    assert {b.job_id for b in plan.bookings} | {u.job_id for u in plan.unschedulable} >= {j.id for j in p.jobs}
    return {u.job_id: u.reason for u in plan.unschedulable}, plan


def test_each_reason_names_what_is_missing():
    away = tech("ben", "electrical")
    away = away.__class__(away.id, away.name, away.skills, away.shifts, (Holiday(MONDAY - timedelta(days=1), MONDAY + timedelta(days=9)),))
    p = problem([
        job("ok", 60),
        job("no-bay", 60, bay_type="adas calibration"),
        job("no-skill", 60, skill="welding"),
        job("all-away", 60, skill="electrical"),
        job("part-gone", 60, parts=(Part("caliper", None, "unavailable"),)),
        job("part-no-date", 60, parts=(Part("gearbox", None, "ordered"),)),
        job("part-too-late", 60, parts=(Part("engine", at(9, 10), "ordered"),)),
        job("waits-for-no-skill", 60, after=(Dependency("no-skill"),)),
    ], techs=(tech("ana", "brakes"), away))
    reasons, plan = _reasons(p)
    assert "ok" not in reasons and plan.start_of("ok") == at(0, 8)
    assert reasons["no-bay"] == "no bay of type 'adas calibration'"
    assert reasons["no-skill"] == "no technician has the skill 'welding'"
    assert "every technician with the skill 'electrical' (Ben) is off" in reasons["all-away"]
    assert reasons["part-gone"] == "part 'caliper' is not available"
    assert reasons["part-no-date"] == "part 'gearbox' has no delivery date"
    assert "part 'engine' arrives" in reasons["part-too-late"] and "too late" in reasons["part-too-late"]
    assert reasons["waits-for-no-skill"].startswith("waits for job no-skill, which cannot be scheduled (no technician has the skill")


def test_dependency_cycle_is_named():
    p = problem([job("a", 60, after=(Dependency("b"),)), job("b", 60, after=(Dependency("a"),))])
    reasons, _plan = _reasons(p)
    assert "cycle" in reasons["a"] and "a -> b -> a" in reasons["a"] or "b -> a -> b" in reasons["a"]


def test_too_much_work_goes_to_the_carry_over_queue_with_its_reason():
    p = problem([job(f"j{i}", 8 * 60, promised_at=at(0, 17)) for i in range(3)], days=2)  # 24 h of work, 18 h open
    reasons, plan = _reasons(p)
    assert len(reasons) == 1 and "carry-over" in next(iter(reasons.values()))
    assert len({b.job_id for b in plan.bookings}) == 2


def test_conflicting_pins_are_named_from_the_solver_core():
    p = problem([job("first", 120, pin=Pin("lift", None, at(0, 9))), job("second", 120, pin=Pin("lift", None, at(0, 10)))])
    reasons, plan = _reasons(p)
    assert len(reasons) == 1
    (loser, why), = reasons.items()
    other = "first" if loser == "second" else "second"
    assert f"conflicts with the pins of {other}" in why
    assert plan.start_of(other) in (at(0, 9), at(0, 10))


def test_a_pin_before_the_parts_arrive_says_when_it_can_start():
    p = problem([job("early", 60, parts=(Part("pads", at(0, 11)),), pin=Pin(None, None, at(0, 9)))])
    reasons, _plan = _reasons(p)
    assert "pinned to Mon 07 Dec 09:00, but cannot start before Mon 07 Dec 11:00" in reasons["early"]


def test_pins_wrong_bay_type_or_unskilled_technician():
    bays = (Bay("lift", "Lift", "general lift"), Bay("rig", "Rig", "alignment"))
    p = problem([job("wrong-bay", 60, pin=Pin("rig")), job("wrong-tech", 60, skill="general service", pin=Pin(None, "ana"))],
                bays=bays, techs=(tech("ana", "brakes"), tech("ben", "general service")))
    reasons, _plan = _reasons(p)
    assert reasons["wrong-bay"] == "it is pinned to bay 'Rig', which is not a 'general lift' bay"
    assert reasons["wrong-tech"] == "it is pinned to Ana, who lacks the skill 'general service'"
