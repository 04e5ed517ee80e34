"""Large-neighbourhood search over the full model's best plan: the decomposition for big weeks.

On an overloaded week CP-SAT's generic neighbourhoods rarely free a specialist: a five-hour
clutch job waiting in the carry-over queue needs the general work moved off the two
transmission technicians first. Each round here picks a neighbourhood that means something in
a workshop, keeps every other job where it is (its bookings become fixed intervals on its bay
and technician), solves that sub-problem with CP-SAT (hinted with the current plan, so never
worse) and keeps the result when the whole week's objective goes down:

- around a late or carried-over job: the jobs on the technicians who have its skill and on the
  bays that take it, near its promise;
- a time window: every job running in a span of a few hours;
- two technicians who share a skill: all their jobs, and the queued jobs they could do;
- relieve the specialists: a late job, the work its specialists do that others could do, and
  what those others do at the same time (the swap a service manager makes by hand).

Sub-problems hold at most ``size`` jobs and get a fraction of a second each; the neighbourhood
choice is seeded, so a run with ``deterministic=True`` repeats.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace

from carvrooom_desktop.workshop.scheduling.compile import SlotProblem, _merge
from carvrooom_desktop.workshop.scheduling.objective import Solution, evaluate, unperformed_cost


def _busy(sp: SlotProblem, solution: Solution, j: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(bay ranges, technician ranges) a placed job occupies."""
    p, sj = solution[j], sp.jobs[j]
    return [(p.start, p.end)], p.pieces()


def subproblem(sp: SlotProblem, solution: Solution, relaxed: set[int]) -> tuple[SlotProblem, list[int]]:
    """The jobs in ``relaxed`` to re-plan, every other placed job fixed; and sub index -> full index."""
    order = sorted(relaxed)
    new = {j: i for i, j in enumerate(order)}
    bays = [list(r) for r in sp.bay_blocked]
    techs = [list(r) for r in sp.tech_blocked]
    for j, p in solution.items():
        if j in relaxed:
            continue
        b_ranges, t_ranges = _busy(sp, solution, j)
        bays[p.bay].extend(b_ranges)
        if p.tech is not None:
            techs[p.tech].extend(t_ranges)
    successors: dict[int, list[tuple[int, int]]] = {}
    for sj in sp.jobs:
        for q, g in sj.preds:
            successors.setdefault(q, []).append((sj.index, g))
    jobs = []
    for j in order:
        sj = sp.jobs[j]
        release = max([sj.release] + [solution[q].end + g for q, g in sj.preds if q not in relaxed and q in solution])
        fixed_after = [solution[k].start - g for k, g in successors.get(j, ()) if k not in relaxed and k in solution]
        deadline = min(fixed_after) if fixed_after else None
        if sj.deadline is not None:
            deadline = sj.deadline if deadline is None else min(deadline, sj.deadline)
        jobs.append(replace(sj, index=new[j], release=release, deadline=deadline, must=sj.must or bool(fixed_after),
                            preds=[(new[q], g) for q, g in sj.preds if q in relaxed]))
    sub = replace(sp, jobs=jobs, bay_blocked=[_merge(r) for r in bays], tech_blocked=[_merge(r) for r in techs],
                  frozen=[], frozen_cost=0, frozen_weighted_lateness=0, unschedulable=[])
    return sub, order


def _job_cost(sp: SlotProblem, solution: Solution, j: int) -> int:
    sj = sp.jobs[j]
    p = solution.get(j)
    if p is None:
        return unperformed_cost(sp, sj)
    return sp.problem.weights.lateness * sj.weight * max(0, p.end - sj.due) if sj.due is not None else 0


def _around_late_job(sp: SlotProblem, solution: Solution, rng: random.Random, size: int) -> set[int]:
    costs = [(_job_cost(sp, solution, sj.index), sj.index) for sj in sp.jobs]
    costs = [(c, j) for c, j in costs if c > 0]
    if not costs:
        return set()
    j = rng.choices([j for _c, j in costs], [c for c, _j in costs])[0]
    sj = sp.jobs[j]
    techs, bays = set(sj.techs), {b for b, _d in sj.bays}
    # around its promise: that is where room must be made (a queued job without one: the horizon's end)
    centre = sj.due if sj.due is not None else (solution[j].end if j in solution else sp.horizon)
    width = rng.choice((1, 2, 3)) * sp.axis.slots_per_day()
    lo, hi = centre - width, centre + width // 2
    near = [k for k, p in solution.items() if (p.tech in techs or p.bay in bays) and p.end > lo and p.start < hi]
    queued = [sj2.index for sj2 in sp.jobs if sj2.index not in solution and (techs & set(sj2.techs) or bays & {b for b, _ in sj2.bays})]
    pool = near + queued
    rng.shuffle(pool)
    return {j} | set(pool[: size - 1])


def _time_window(sp: SlotProblem, solution: Solution, rng: random.Random, size: int) -> set[int]:
    if not solution:
        return set()
    t = rng.randrange(0, max(1, sp.horizon - 8))
    width = rng.choice((8, 16, 24))
    inside = [k for k, p in solution.items() if p.end > t and p.start < t + width]
    rng.shuffle(inside)
    return set(inside[:size])


def _two_technicians(sp: SlotProblem, solution: Solution, rng: random.Random, size: int) -> set[int]:
    n = len(sp.problem.technicians)
    if n < 2:
        return set()
    a = rng.randrange(n)
    shared = [b for b in range(n) if b != a and sp.problem.technicians[a].skills & sp.problem.technicians[b].skills]
    if not shared:
        return set()
    pair = {a, rng.choice(shared)}
    mine = [k for k, p in solution.items() if p.tech in pair]
    queued = [sj.index for sj in sp.jobs if sj.index not in solution and pair & set(sj.techs)]
    pool = queued + mine
    rng.shuffle(pool)
    return set(pool[:size])


def _relieve_specialists(sp: SlotProblem, solution: Solution, rng: random.Random, size: int) -> set[int]:
    """A late or queued job, the work its specialists do that others could do, and those others' work then."""
    costs = [(_job_cost(sp, solution, sj.index), sj.index) for sj in sp.jobs if sj.techs]
    costs = [(c, j) for c, j in costs if c > 0]
    if not costs:
        return set()
    j = rng.choices([j for _c, j in costs], [c for c, _j in costs])[0]
    sj = sp.jobs[j]
    skill = sj.job.skill
    specialists = set(sj.techs)
    centre = sj.due if sj.due is not None else sp.horizon
    width = rng.choice((1, 2)) * sp.axis.slots_per_day()
    lo, hi = centre - width, centre + width // 2
    movable = [k for k, p in solution.items() if p.tech in specialists and sp.jobs[k].job.skill != skill
               and p.end > lo and p.start < hi]
    takers = set()
    for k in movable:
        takers |= set(sp.jobs[k].techs) - specialists
    others = [k for k, p in solution.items() if p.tech in takers and p.end > lo and p.start < hi]
    rng.shuffle(movable)
    rng.shuffle(others)
    pool = movable[: size // 2] + others
    return {j} | set(pool[: size - 1])


# CP-SAT counted ~0.12 deterministic seconds for ~1 s of wall time on these sub-problems (2 shared cores):
# deterministic rounds get this fraction of ``round_s``, so a deterministic run lasts about as long as asked.
DTIME_PER_WALL_S = 0.15

NEIGHBOURHOODS = (_around_late_job, _relieve_specialists, _time_window, _two_technicians)


def _improvable(sp: SlotProblem, solution: Solution, relaxed: set[int]) -> bool:
    """False when every relaxed job already costs nothing beyond the day it is released on."""
    for j in relaxed:
        if _job_cost(sp, solution, j) > 0:
            return True
        p = solution.get(j)
        if p is not None and sp.axis.day_of_end(p.end, sp.day_starts) > sp.axis.day_of_end(sp.jobs[j].release + sp.jobs[j].min_duration, sp.day_starts):
            return True
    return False


def improve(sp: SlotProblem, solution: Solution, *, until: float, num_workers: int = 2, seed: int = 0,
            size: int = 14, round_s: float = 0.12, deterministic: bool = False,
            max_rounds: int | None = None) -> tuple[Solution, int]:
    """The best plan found by re-planning neighbourhoods until ``until`` (perf_counter); and the rounds run.

    Adaptive: a sub-problem solved to optimality in its time grows the next one, one that runs out
    of time shrinks it (10..60 jobs); a neighbourhood kind that improved the plan is picked more often.
    """
    from carvrooom_desktop.workshop.scheduling.cpsat import SolverSettings, solve_cpsat

    rng = random.Random(seed)
    best = dict(solution)
    best_cost = evaluate(sp, best).total
    rounds = skipped = 0
    success = [1.0] * len(NEIGHBOURHOODS)
    while True:
        left = until - time.perf_counter()
        if left < 0.1 or max_rounds is not None and rounds >= max_rounds:
            break
        kind = rng.choices(range(len(NEIGHBOURHOODS)), success)[0]
        relaxed = NEIGHBOURHOODS[kind](sp, best, rng, size)
        if len(relaxed) < 2 or not _improvable(sp, best, relaxed):
            skipped += 1
            if skipped > 200:
                break
            continue
        sub, order = subproblem(sp, best, relaxed)
        hint = {i: best[j] for i, j in enumerate(order) if j in best}
        budget = round_s * DTIME_PER_WALL_S if deterministic else min(round_s, max(0.05, left - 0.05))
        settings = SolverSettings(time_limit_s=budget, num_workers=num_workers,
                                  random_seed=rng.randrange(1 << 30), deterministic=deterministic)
        result = solve_cpsat(sub, hint, settings)
        rounds += 1
        if result.status == "OPTIMAL":
            size = min(60, size + 2)
        elif result.status in ("FEASIBLE", "UNKNOWN"):
            size = max(10, size - 2)
        if result.solution is None:
            continue
        candidate = {j: p for j, p in best.items() if j not in relaxed}
        candidate.update({order[i]: p for i, p in result.solution.items()})
        cost = evaluate(sp, candidate).total
        if cost < best_cost:
            success[kind] += 1.0
        if cost <= best_cost:  # equal cost too: a different plan of the same cost moves the search off a plateau
            best, best_cost = candidate, cost
    return best, rounds


__all__ = ["improve", "subproblem"]
