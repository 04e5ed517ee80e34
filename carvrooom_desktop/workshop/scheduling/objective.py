"""One objective for both planners, so the dispatcher's plan and CP-SAT's compare in the same units.

Per job j (weight w = priority, x2 when the customer waits), in 15-minute slots of opening time:

    lateness      W.lateness   * w * max(0, end - promised)
    idle bays     W.completion * the working day the job ends on (0 = the plan's first day): work that could be
                  done today and is pushed to tomorrow leaves a bay idle today. Counted in days, not slots, so
                  that its lower bound is reached by every job done on the day it can be, and CP-SAT can prove
                  a plan optimal (a sum of end slots keeps the bound at its trivial value); within a day
                  ``greedy.compact`` moves every job as early as its bay and technician allow.
    carry-over    a job left out of the horizon counts as ending ``carry_slots`` after it (lateness) and on
                  the day after the horizon, plus W.unscheduled * w
    moves         W.moved_promise for every promised job whose booking (start, bay or technician) changed
    makespan      W.makespan   * max end              (the classic job-shop benchmarks)

CP-SAT minimises exactly this sum (``cpsat.py`` builds the same terms), plus the constant part of
frozen jobs, so ``Plan.objective`` and ``Plan.greedy_objective`` are directly comparable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from carvrooom_desktop.workshop.scheduling.domain import SLOT_MINUTES

if TYPE_CHECKING:  # compile imports this module
    from carvrooom_desktop.workshop.scheduling.compile import SlotJob, SlotProblem


@dataclass
class Placement:
    start: int
    end: int
    bay: int
    tech: int | None
    part_starts: list[int] = field(default_factory=list)  # split jobs: where each part starts
    part_sizes: list[int] = field(default_factory=list)  # and how long it is (0: unused part)

    def pieces(self) -> list[tuple[int, int]]:
        """The slot ranges the technician works on it."""
        if self.part_sizes:
            return [(s, s + d) for s, d in zip(self.part_starts, self.part_sizes) if d > 0]
        return [(self.start, self.end)]


Solution = dict[int, Placement]  # slot-job index -> placement; absent = carry-over queue


@dataclass(frozen=True)
class Cost:
    total: int
    weighted_lateness_minutes: int
    carried_over: int
    moved: tuple[int, ...]
    makespan: int


def virtual_end(sp: SlotProblem) -> int:
    return sp.horizon + sp.carry_slots


def unperformed_cost(sp: SlotProblem, sj: SlotJob) -> int:
    W = sp.problem.weights
    end = virtual_end(sp)
    late = max(0, end - sj.due) if sj.due is not None else 0
    return W.lateness * sj.weight * late + W.completion * (len(sp.day_starts) + 1) + W.unscheduled * sj.weight


def evaluate(sp: SlotProblem, solution: Solution) -> Cost:
    W = sp.problem.weights
    total = sp.frozen_cost
    weighted = sp.frozen_weighted_lateness
    moved: list[int] = []
    makespan = 0
    carried = 0
    for sj in sp.jobs:
        p = solution.get(sj.index)
        if p is None:
            carried += 1
            total += unperformed_cost(sp, sj)
            if sj.due is not None:
                weighted += sj.weight * max(0, virtual_end(sp) - sj.due) * SLOT_MINUTES
            if sj.prev is not None and sj.promised:
                moved.append(sj.index)
                total += W.moved_promise
            continue
        late = max(0, p.end - sj.due) if sj.due is not None else 0
        total += W.lateness * sj.weight * late + W.completion * sp.axis.day_of_end(p.end, sp.day_starts)
        weighted += sj.weight * late * SLOT_MINUTES
        makespan = max(makespan, p.end)
        if sj.prev is not None and sj.promised and (p.start, p.bay, p.tech) != sj.prev:
            moved.append(sj.index)
            total += W.moved_promise
    total += W.makespan * makespan
    return Cost(total, weighted, carried, tuple(moved), makespan)


def frozen_costs(sp: SlotProblem, frozen_end: dict[str, int]) -> tuple[int, int]:
    """(objective, weighted lateness in minutes) of the frozen jobs: constants of every plan."""
    from carvrooom_desktop.workshop.scheduling.compile import job_weight

    W = sp.problem.weights
    cost = weighted = 0
    ids = {j.id: j for j in sp.problem.jobs}
    for job_id, end in frozen_end.items():
        job = ids.get(job_id)
        if job is None:
            continue
        w = job_weight(job)
        due = sp.axis.slots_ended_by(job.promised_at) if job.promised_at else None
        late = max(0, end - due) if due is not None else 0
        cost += W.lateness * w * late + W.completion * sp.axis.day_of_end(end, sp.day_starts)
        weighted += w * late * SLOT_MINUTES
    return cost, weighted


def trivial_bound(sp: SlotProblem) -> int:
    """A valid lower bound: every job alone at its release on its fastest bay (resources ignored)."""
    W = sp.problem.weights
    total = sp.frozen_cost
    latest = 0
    for sj in sp.jobs:
        end = sj.release + sj.min_duration
        latest = max(latest, end)
        late = max(0, end - sj.due) if sj.due is not None else 0
        placed = W.lateness * sj.weight * late + W.completion * sp.axis.day_of_end(end, sp.day_starts)
        total += placed if sj.must else min(placed, unperformed_cost(sp, sj))
    return total + W.makespan * latest
