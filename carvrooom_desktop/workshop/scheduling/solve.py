"""Plan a problem: the dispatcher's plan at once, then CP-SAT within the time limit, never worse.

``solve`` always returns a complete ``Plan``: every job is booked, in the carry-over queue, or
listed as unschedulable with its reason. The dispatcher's plan is ready in milliseconds
(``Plan.first_plan_s``), is CP-SAT's hint, and stays the answer (status ``GREEDY``) when
CP-SAT finds nothing better in time (presolve may drop a hint; a time limit may be too short).
"""

from __future__ import annotations

import time
from dataclasses import replace

from carvrooom_desktop.workshop.scheduling.compile import SlotJob, SlotProblem, compile_problem
from carvrooom_desktop.workshop.scheduling.domain import Booking, Plan, Problem, Unschedulable
from carvrooom_desktop.workshop.scheduling.greedy import compact, dispatch
from carvrooom_desktop.workshop.scheduling.objective import Cost, Solution, evaluate, trivial_bound


def _describe_pin(sp: SlotProblem, sj: SlotJob) -> str:
    what = []
    if sj.pin_bay is not None:
        what.append(f"bay {sp.problem.bays[sj.pin_bay].name}")
    if sj.pin_tech is not None:
        what.append(sp.problem.technicians[sj.pin_tech].name)
    if sj.pin_start is not None and sj.pin_start < sp.horizon:
        what.append(f"{sp.axis.start_of(sj.pin_start).astimezone(sp.axis.tz):%a %d %b %H:%M}")
    return ", ".join(what) or "its pin"


def _pin_reasons(sp: SlotProblem, left: dict[int, str], solution: Solution) -> dict[int, str]:
    """Why pinned jobs could not be placed: too early for their release, or pins that exclude each other."""
    reasons: dict[int, str] = {}
    stuck = [j for j, why in left.items() if why == "pin conflict"]
    if not stuck:
        return reasons
    core: list[int] | None = None
    for j in stuck:
        sj = sp.jobs[j]
        earliest = max([sj.release] + [solution[p].end + g for p, g in sj.preds if p in solution])
        if sj.pin_start is not None and sj.pin_start < earliest:
            at = sp.axis.start_of(min(earliest, sp.horizon - 1)).astimezone(sp.axis.tz)
            reasons[j] = f"it is pinned to {_describe_pin(sp, sj)}, but cannot start before {at:%a %d %b %H:%M} (parts, drop-off or the job it waits for)"
            continue
        if core is None:
            from carvrooom_desktop.workshop.scheduling.cpsat import conflicting_pins

            core = conflicting_pins(sp) or []
        others = [sp.jobs[k].job.label for k in core if k != j]
        if j in core and others:
            reasons[j] = f"its pin ({_describe_pin(sp, sj)}) conflicts with the pins of {', '.join(others)}"
        else:
            reasons[j] = (f"its pin ({_describe_pin(sp, sj)}) collides with a booking in progress, a break or an absence "
                          "on that bay or technician")
    return reasons


def _without(sp: SlotProblem, drop: dict[int, str]) -> SlotProblem:
    """The slot problem minus some jobs (and the jobs that wait for them), re-indexed."""
    drop = dict(drop)
    changed = True
    while changed:
        changed = False
        for sj in sp.jobs:
            if sj.index not in drop and any(p in drop for p, _g in sj.preds):
                first = next(p for p, _g in sj.preds if p in drop)
                drop[sj.index] = f"waits for job {sp.jobs[first].job.label}, which cannot be scheduled"
                changed = True
    keep = [sj for sj in sp.jobs if sj.index not in drop]
    remap = {sj.index: i for i, sj in enumerate(keep)}
    jobs = []
    for sj in keep:
        jobs.append(replace(sj, index=remap[sj.index], preds=[(remap[p], g) for p, g in sj.preds]))
    unschedulable = list(sp.unschedulable) + [Unschedulable(sp.jobs[j].job.id, why) for j, why in drop.items()]
    return replace(sp, jobs=jobs, unschedulable=unschedulable)


def bookings_of(sp: SlotProblem, solution: Solution) -> list[Booking]:
    out: list[Booking] = []
    for sj in sp.jobs:
        p = solution.get(sj.index)
        if p is None:
            continue
        pieces = [seg for a, b in p.pieces() for seg in sp.axis.segments(a, b)]
        for k, (a, b) in enumerate(pieces):
            out.append(Booking(sj.job.id, sp.bay_id(p.bay), sp.tech_id(p.tech), a, b, "planned", k, len(pieces)))
    return out


def _carry_over(sp: SlotProblem, solution: Solution, left: dict[int, str]) -> list[Unschedulable]:
    out = []
    for sj in sp.jobs:
        if sj.index not in solution:
            why = left.get(sj.index) or "no free slot in the horizon (carry-over queue)"
            out.append(Unschedulable(sj.job.id, why))
    return out


def plan_from(sp: SlotProblem, solution: Solution, *, status: str, solver: str, greedy_cost: Cost, left: dict[int, str],
              best_bound: float, started: float, first_plan_s: float, notes: list[str]) -> Plan:
    cost = evaluate(sp, solution)
    bookings = sorted(list(sp.frozen) + bookings_of(sp, solution), key=lambda b: (b.starts_at, b.bay_id))
    from carvrooom_desktop.workshop.scheduling.domain import SLOT_MINUTES

    return Plan(
        bookings=tuple(bookings), unschedulable=tuple(list(sp.unschedulable) + _carry_over(sp, solution, left)),
        status=status, objective=cost.total, greedy_objective=greedy_cost.total,
        best_bound=best_bound if status != "OPTIMAL" else float(cost.total),
        weighted_lateness=cost.weighted_lateness_minutes, wall_time_s=time.perf_counter() - started, solver=solver,
        first_plan_s=first_plan_s, greedy_weighted_lateness=greedy_cost.weighted_lateness_minutes,
        makespan_minutes=cost.makespan * SLOT_MINUTES, moved=tuple(sp.jobs[j].job.id for j in cost.moved), notes=tuple(notes),
    )


def solve(problem: Problem, *, time_limit_s: float = 10.0, num_workers: int = 2, random_seed: int = 0,
          deterministic: bool = False, use_cpsat: bool = True, log: bool = False) -> Plan:
    """The best plan found within ``time_limit_s`` (never worse than the dispatcher's)."""
    started = time.perf_counter()
    sp = compile_problem(problem)
    keep = bool(problem.previous)
    solution, left = dispatch(sp, keep_previous=keep)
    pin_reasons = _pin_reasons(sp, left, solution)
    if pin_reasons:
        sp = _without(sp, pin_reasons)
        solution, left = dispatch(sp, keep_previous=keep)
    first_plan_s = time.perf_counter() - started
    greedy_cost = evaluate(sp, solution)
    notes: list[str] = []
    must_left = [sp.jobs[j].job.label for j in left if sp.jobs[j].must]
    if must_left:
        notes.append(f"the dispatcher could not place {len(must_left)} job(s) that may not wait: {', '.join(must_left[:5])}")
    if not use_cpsat or not sp.jobs:
        return plan_from(sp, solution, status="GREEDY" if sp.jobs else "OPTIMAL", solver="greedy", greedy_cost=greedy_cost,
                         left=left, best_bound=float("-inf") if sp.jobs else float(greedy_cost.total), started=started,
                         first_plan_s=first_plan_s, notes=notes)
    from carvrooom_desktop.workshop.scheduling.cpsat import SolverSettings, solve_cpsat

    remaining = max(0.05, time_limit_s - (time.perf_counter() - started))
    W = problem.weights
    pure_makespan = bool(W.makespan) and not (W.lateness or W.completion or W.moved_promise)
    if len(sp.jobs) > LNS_ABOVE_JOBS and not pure_makespan:  # the neighbourhoods aim at lateness: job shops take the full model
        return _solve_by_neighbourhoods(sp, solution, greedy_cost, started, first_plan_s, time_limit_s, num_workers,
                                        random_seed, deterministic, notes)
    hint = solution
    if len(sp.jobs) > LNS_FIRST_ABOVE_JOBS and remaining > 1.0 and not pure_makespan:
        # a better starting plan first (neighbourhoods of the week), then the full model proves it
        from carvrooom_desktop.workshop.scheduling.lns import improve

        share = min(LNS_FIRST_S, LNS_FIRST_SHARE * time_limit_s)
        if deterministic:
            hint, _rounds = improve(sp, solution, until=float("inf"), num_workers=1, seed=random_seed, round_s=LNS_ROUND_S,
                                    deterministic=True, max_rounds=max(1, int(share / LNS_ROUND_S)))
        else:
            hint, _rounds = improve(sp, solution, until=time.perf_counter() + share, num_workers=num_workers, seed=random_seed,
                                    round_s=LNS_ROUND_S)
        hint = compact(sp, hint)
        remaining = max(0.05, time_limit_s - (time.perf_counter() - started))
    if pure_makespan and len(hint) == len(sp.jobs):
        # a pure makespan problem (the job-shop benchmarks): nothing may end after the best plan's makespan
        bound_end = max(p.end for p in hint.values())
        sp = replace(sp, jobs=[replace(sj, deadline=bound_end if sj.deadline is None else min(sj.deadline, bound_end)) for sj in sp.jobs])
    settings = SolverSettings(time_limit_s=remaining if not deterministic else time_limit_s, num_workers=num_workers,
                              random_seed=random_seed, deterministic=deterministic, log=log)
    result = solve_cpsat(sp, hint, settings)
    if result.solution is None and hint is not solution:
        result.solution = hint  # the model found nothing in time: the neighbourhoods' plan stands
        result.status = "FEASIBLE"
    if result.solution is not None:
        result.solution = compact(sp, result.solution)
        cost = evaluate(sp, result.solution)
        if cost.total <= greedy_cost.total:
            return plan_from(sp, result.solution, status=result.status, solver="cp-sat", greedy_cost=greedy_cost, left={},
                             best_bound=result.best_bound, started=started, first_plan_s=first_plan_s, notes=notes)
        notes.append(f"CP-SAT's plan ({cost.total}) is worse than the dispatcher's ({greedy_cost.total}): the dispatcher's is kept")
    else:
        notes.append(f"CP-SAT returned {result.status} in {result.wall_time_s:.1f} s: the dispatcher's plan is kept")
    status = "INFEASIBLE" if result.status == "INFEASIBLE" and must_left else "GREEDY"
    return plan_from(sp, solution, status=status, solver="greedy", greedy_cost=greedy_cost, left=left,
                     best_bound=result.best_bound, started=started, first_plan_s=first_plan_s, notes=notes)


def _best_start(sp: SlotProblem, solution: Solution, keep: bool) -> Solution:
    """The better of the plain dispatcher's plan and its keep-the-specialists-free variants (a start, not the baseline)."""
    best, cost = solution, evaluate(sp, solution).total
    for spare in SPARE_VARIANTS:
        candidate, _left = dispatch(sp, keep_previous=keep, spare_specialists=spare)
        c = evaluate(sp, candidate).total
        if c < cost:
            best, cost = candidate, c
    return best


SPARE_VARIANTS = (1, 2, 4)  # slots: see greedy.place(spare_specialists=...)
LNS_ABOVE_JOBS = 100  # above this many jobs the week is improved by neighbourhoods (lns.py), not one full model
LNS_FIRST_ABOVE_JOBS = 20  # from this size the full model starts from a plan the neighbourhoods improved first
LNS_FIRST_S, LNS_FIRST_SHARE = 1.5, 0.3
LNS_ROUND_S = 0.12


def _solve_by_neighbourhoods(sp: SlotProblem, solution: Solution, greedy_cost: Cost, started: float, first_plan_s: float,
                             time_limit_s: float, num_workers: int, random_seed: int, deterministic: bool,
                             notes: list[str]) -> Plan:
    from carvrooom_desktop.workshop.scheduling.lns import improve

    solution = _best_start(sp, solution, keep=bool(sp.problem.previous))
    until = started + time_limit_s - min(0.15, 0.03 * time_limit_s)  # left for compaction and the bookings
    if deterministic:  # a fixed number of rounds of fixed deterministic time: the same plan every run
        until = float("inf")
    best, rounds = improve(sp, solution, until=until, num_workers=1 if deterministic else num_workers, seed=random_seed,
                           round_s=LNS_ROUND_S, deterministic=deterministic,
                           max_rounds=max(1, int(time_limit_s / LNS_ROUND_S)) if deterministic else None)
    best = compact(sp, best)
    cost = evaluate(sp, best)
    bound = trivial_bound(sp)
    notes.append(f"{len(sp.jobs)} jobs: improved by {rounds} neighbourhood re-plans (CP-SAT on up to 60 jobs each); "
                 "the bound is the trivial one (each job alone at its release)")
    if cost.total > greedy_cost.total:
        best = solution
    return plan_from(sp, best, status="OPTIMAL" if evaluate(sp, best).total <= bound else "FEASIBLE", solver="cp-sat lns",
                     greedy_cost=greedy_cost, left={}, best_bound=float(bound), started=started, first_plan_s=first_plan_s,
                     notes=notes)


__all__ = ["bookings_of", "solve"]
