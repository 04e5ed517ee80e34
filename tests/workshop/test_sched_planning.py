"""Dispatcher and CP-SAT on small cases whose answers are worked out by hand."""

from __future__ import annotations

from carvrooom_desktop.workshop.scheduling import solve
from carvrooom_desktop.workshop.scheduling.compile import compile_problem
from carvrooom_desktop.workshop.scheduling.domain import Bay, Dependency, Part
from carvrooom_desktop.workshop.scheduling.greedy import dispatch
from carvrooom_desktop.workshop.scheduling.verify import violations
from tests.workshop.sched_helpers import MONDAY, at, job, problem, tech


def _checked(p, **kw):
    plan = solve(p, **kw)
    sp = compile_problem(p)
    assert plan.status in ("OPTIMAL", "FEASIBLE", "GREEDY")
    return plan, sp


def test_dispatcher_books_earliest_promise_first_then_shortest():
    p = problem([job("late-promise", 60, promised_at=at(0, 16)), job("early-promise", 120, promised_at=at(0, 11)),
                 job("no-promise-short", 30), job("no-promise-long", 90)])
    plan = solve(p, use_cpsat=False)
    starts = sorted((plan.start_of(j.id), j.id) for j in p.jobs)
    assert [j for _s, j in starts] == ["early-promise", "late-promise", "no-promise-short", "no-promise-long"]
    assert plan.start_of("early-promise") == at(0, 8) and plan.end_of("early-promise") == at(0, 10)
    assert plan.first_plan_s < 0.5 and plan.status == "GREEDY"


def test_cpsat_beats_the_dispatcher_when_edd_is_wrong(deterministic):
    # EDD puts the long job (promised 10:00) first: it is late anyway, and makes the short one late too.
    # Optimal: the short job first (on time), the long one 30 minutes later (late either way).
    p = problem([job("long", 180, promised_at=at(0, 10), priority=1), job("short", 30, promised_at=at(0, 10, 15), priority=5)])
    greedy = solve(p, use_cpsat=False)
    plan = solve(p, **deterministic)
    assert greedy.start_of("long") == at(0, 8)
    assert plan.status == "OPTIMAL" and plan.objective < plan.greedy_objective == greedy.objective
    assert plan.start_of("short") == at(0, 8) and plan.start_of("long") == at(0, 8, 30)
    assert plan.weighted_lateness == 90 and plan.greedy_weighted_lateness == 60 + 5 * 75  # minutes late x weight


def test_no_overlap_per_bay_and_per_technician(deterministic):
    bays = (Bay("lift-1", "Lift 1", "general lift"), Bay("lift-2", "Lift 2", "general lift"))
    p = problem([job(f"j{i}", 60, promised_at=at(0, 10)) for i in range(4)], bays=bays,
                techs=(tech("ana", "brakes", lunch=False), tech("ben", "brakes", lunch=False)))
    plan, sp = _checked(p, **deterministic)
    assert plan.status == "OPTIMAL"
    by_bay = {}
    for b in plan.bookings:
        by_bay.setdefault(b.bay_id, []).append((b.starts_at, b.ends_at))
    assert sorted(len(v) for v in by_bay.values()) == [2, 2]
    assert sorted(plan.start_of(f"j{i}") for i in range(4)) == [at(0, 8), at(0, 8), at(0, 9), at(0, 9)]


def test_breaks_are_fixed_a_short_job_does_not_straddle_lunch(deterministic):
    p = problem([job("before", 210, promised_at=at(0, 11, 30)), job("ninety", 90, promised_at=at(0, 14))], techs=(tech("ana", "brakes"),))
    plan, _sp = _checked(p, **deterministic)
    assert plan.start_of("before") == at(0, 8)  # 08:00-11:30
    assert plan.start_of("ninety") == at(0, 12, 30)  # 11:30-13:00 would cross the 12:00-12:30 break


def test_a_long_job_pauses_for_the_break_and_carries_over_the_night(deterministic):
    p = problem([job("clutch", 10 * 60, bay_type="general lift")], techs=(tech("ana", "brakes"),))
    plan, sp = _checked(p, **deterministic)
    assert any(sj.parts for sj in sp.jobs)
    pieces = sorted((b.starts_at, b.ends_at) for b in plan.bookings_of("clutch"))
    assert pieces[0] == (at(0, 8), at(0, 12))
    assert (at(0, 12, 30), at(0, 17)) in pieces  # after lunch, to closing
    assert pieces[-1][1] == at(1, 9, 30)  # 4 + 4.5 h on Monday, 1.5 h on Tuesday
    assert sum((b - a).total_seconds() for a, b in pieces) == 10 * 3600


def test_parts_eta_is_the_release_and_dependencies_hold(deterministic):
    p = problem([job("struts", 120, skill="general service", parts=(Part("struts", at(0, 10)),)),
                 job("align", 60, bay_type="alignment", skill="general service", after=(Dependency("struts", 15),))],
                bays=(Bay("lift", "Lift", "general lift"), Bay("rig", "Rig", "alignment")),
                techs=(tech("ana", "general service", lunch=False),))
    plan, _sp = _checked(p, **deterministic)
    assert plan.start_of("struts") == at(0, 10)
    assert plan.start_of("align") == at(0, 12, 15)


def test_jobshop_ft06_is_55_through_the_same_model():
    from benchmarks.bench_schedule import jobshop_problem

    plan = solve(jobshop_problem("ft06"), time_limit_s=10, deterministic=True)
    assert plan.status == "OPTIMAL" and plan.makespan_minutes // 15 == 55


def test_same_plan_every_run_with_deterministic_settings(deterministic):
    from carvrooom_desktop.workshop.scheduling.sample import sample_week

    p = sample_week(30, 6, 4, seed=3, workdays=3)
    a, b = solve(p, **deterministic), solve(p, **deterministic)
    assert a.bookings == b.bookings and a.objective == b.objective


def test_every_plan_of_a_sample_week_holds(deterministic):
    from carvrooom_desktop.workshop.scheduling.sample import sample_week

    p = sample_week(40, 6, 4, seed=5, workdays=4)
    sp = compile_problem(p)
    greedy, _left = dispatch(sp)
    assert violations(sp, greedy) == []
    plan = solve(p, **deterministic)
    assert plan.objective <= plan.greedy_objective
    booked = {b.job_id for b in plan.bookings}
    listed = {u.job_id for u in plan.unschedulable}
    assert booked | listed == {j.id for j in p.jobs} and not booked & listed  # nobody silently dropped


def test_closing_time_is_respected_and_start_mid_window_rounds_up():
    p = problem([job("a", 60)], start=MONDAY.replace(hour=16, minute=50))
    plan = solve(p, use_cpsat=False)
    assert plan.start_of("a") == at(1, 8)  # 17:00 closing: nothing fits on Monday
