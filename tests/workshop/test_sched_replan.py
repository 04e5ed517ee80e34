"""Re-planning: urgent insertion at the earliest slot, frozen work, pins, moves and warnings."""

from __future__ import annotations

from datetime import timedelta

from carvrooom_desktop.workshop.scheduling import solve
from carvrooom_desktop.workshop.scheduling.domain import Bay, Part, Pin
from carvrooom_desktop.workshop.scheduling.replan import NewJob, Overrun, PartsLate, TechnicianOff, replan
from tests.workshop.sched_helpers import at, job, problem, tech

BAYS = (Bay("lift-1", "Lift 1", "general lift"), Bay("lift-2", "Lift 2", "general lift"))
TECHS = (tech("ana", "brakes", lunch=False), tech("ben", "brakes", lunch=False))
DET = {"deterministic": True, "random_seed": 1}


def _week():
    jobs = [job(f"j{i}", 120, promised_at=at(0, 17) if i < 4 else at(1, 17)) for i in range(6)]
    jobs.append(job("pinned", 60, pin=Pin("lift-2", "ben", at(0, 14))))
    return problem(jobs, bays=BAYS, techs=TECHS)


def test_urgent_job_gets_the_earliest_slot_frozen_and_pinned_work_stay():
    p = _week()
    plan = solve(p, time_limit_s=3, **DET)
    now = at(0, 9)
    running = {b.job_id for b in plan.bookings if b.starts_at < now}
    urgent = job("urgent", 60, urgency="do not drive", dropped_off_at=now, promised_at=at(0, 12), priority=3)
    result = replan(p, plan, NewJob(urgent), now=now, time_limit_s=3, **DET)
    # both lifts are busy with frozen work until 10:00: that is the earliest
    assert min(b.starts_at for b in result.urgent) == at(0, 10)
    for b in plan.bookings:
        if b.job_id in running:
            assert b.starts_at < now and (b.bay_id, b.technician_id, b.starts_at, b.ends_at) in {
                (x.bay_id, x.technician_id, x.starts_at, x.ends_at) for x in result.plan.bookings_of(b.job_id)}
    pinned = result.plan.bookings_of("pinned")
    assert [(b.bay_id, b.technician_id, b.starts_at) for b in pinned] == [("lift-2", "ben", at(0, 14))]
    moved = {m.job_id for m in result.moves}
    assert moved == set(result.plan.moved) and all(result.problem.job(j).promised_at for j in moved)


def test_overrun_warns_about_the_promise_it_endangers():
    p = problem([job("long", 240, promised_at=at(0, 12)), job("next", 240, promised_at=at(0, 16))],
                techs=(tech("ana", "brakes", lunch=False),))
    plan = solve(p, time_limit_s=2, **DET)
    assert plan.end_of("next") == at(0, 16)
    result = replan(p, plan, Overrun("long", 60), now=at(0, 11), time_limit_s=2, **DET)
    assert result.plan.end_of("long") == at(0, 13)
    assert result.warnings == ("overrun of long: long now ends Mon 13:00, after its promise at Mon 12:00",
                               "overrun of long endangers the promise of next at Mon 16:00: now planned to end Mon 17:00")


def test_technician_off_sick_moves_their_work_and_says_so():
    p = problem([job("a", 120, promised_at=at(0, 17)), job("b", 120, promised_at=at(0, 17))], bays=BAYS, techs=TECHS)
    plan = solve(p, time_limit_s=2, **DET)
    result = replan(p, plan, TechnicianOff("ben", at(0, 8), at(1, 0)), now=at(0, 8), time_limit_s=2, **DET)
    assert all(b.technician_id == "ana" for b in result.plan.bookings)
    assert sorted(result.plan.start_of(j) for j in "ab") == [at(0, 8), at(0, 10)]
    # a promise still kept is no warning
    assert result.warnings == ()


def test_parts_late_pushes_the_job_and_warns():
    p = problem([job("pads", 60, parts=(Part("pads", at(0, 9)),), promised_at=at(0, 12))])
    plan = solve(p, time_limit_s=2, **DET)
    assert plan.start_of("pads") == at(0, 9)
    result = replan(p, plan, PartsLate("pads", "pads", at(0, 15)), now=at(0, 8, 30), time_limit_s=2, **DET)
    assert result.plan.start_of("pads") == at(0, 15)
    assert result.warnings == ("late part 'pads' for pads: pads now ends Mon 16:00, after its promise at Mon 12:00",)
    assert [m.job_id for m in result.moves] == ["pads"]


def test_replan_of_a_planned_200_job_week_within_two_seconds():
    import time

    from carvrooom_desktop.workshop.scheduling.sample import WEEK, overloaded_week

    p = overloaded_week(0)
    plan = solve(p, time_limit_s=1, use_cpsat=False)
    now = WEEK + timedelta(days=1, hours=2)
    urgent = job("urgent", 90, urgency="do not drive", dropped_off_at=now, promised_at=now + timedelta(hours=3), priority=3)
    started = time.perf_counter()
    result = replan(p, plan, NewJob(urgent), now=now, time_limit_s=2.0)
    assert time.perf_counter() - started < 3.0  # 2 s of search plus set-up, on a shared machine
    assert result.urgent and min(b.starts_at for b in result.urgent) >= now
    frozen = [b for b in result.problem.previous if b.state == "in_progress"]
    assert frozen and all(any(x.starts_at == b.starts_at and x.bay_id == b.bay_id for x in result.plan.bookings_of(b.job_id)) for b in frozen)
