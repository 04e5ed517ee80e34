"""The CP-SAT model of a week in the workshop (OR-Tools, imported only when a solve runs).

Per job: a start and an end on the slot axis (opening time, 15-minute slots); a performed
literal (false = the carry-over queue, only when the job may wait); one literal per bay that can
take it and one per technician with the skill, exactly one of each when performed. The choice
(job, bay, technician) is the pair of literals: each optional interval sits on one resource, so
a job with 3 possible bays and 5 technicians costs 8 intervals instead of 15 combinations, with
the same meaning (the pair is free exactly when both intervals are). ``AddNoOverlap`` per bay and
per technician; breaks, shift gaps, absences, out-of-service periods and frozen bookings are fixed
intervals in those NoOverlaps. A split job's parts are chained on its technician and one
variable-size interval holds its bay. Dependencies are precedences with a gap; pins are fixed
starts/resources, behind assumption literals so that conflicting pins are named from
``sufficient_assumptions_for_infeasibility``. The objective is ``objective.py``'s, term by term.

The dispatcher's plan is the hint (``AddHint`` on every variable). Presolve may still discard
it (or-tools #4373, #4693), so ``solve.py`` keeps the dispatcher's plan as the answer whenever
CP-SAT returns nothing better.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from carvrooom_desktop.workshop.scheduling.compile import SlotProblem
from carvrooom_desktop.workshop.scheduling.objective import Placement, Solution, virtual_end

if TYPE_CHECKING:
    from ortools.sat.python.cp_model import CpModel, CpSolver, IntervalVar, IntVar, LinearExprT


@dataclass
class SolverSettings:
    time_limit_s: float = 10.0
    num_workers: int = 2
    random_seed: int = 0
    deterministic: bool = False  # one worker, deterministic time limit: the same plan on every run
    log: bool = False
    subsolvers: tuple[str, ...] = ()  # CP-SAT's worker kinds (empty: its default portfolio)


@dataclass
class CpSatResult:
    status: str  # OPTIMAL | FEASIBLE | INFEASIBLE | UNKNOWN | MODEL_INVALID
    solution: Solution | None
    objective: int | None
    best_bound: float
    wall_time_s: float
    conflicting_pins: list[int]  # slot-job indices whose pins cannot all hold
    hint_complete: bool


class _Vars:
    makespan: IntVar  # set only when the objective weighs the makespan (add_hint asks hasattr)

    def __init__(self) -> None:
        self.start: dict[int, IntVar] = {}
        self.end: dict[int, IntVar] = {}
        self.perf: dict[int, IntVar] = {}
        self.bay: dict[int, dict[int, IntVar]] = {}
        self.tech: dict[int, dict[int, IntVar]] = {}
        self.parts: dict[int, tuple[list[IntVar], list[IntVar], list[IntVar]]] = {}  # part starts, sizes, ends
        self.late: dict[int, IntVar] = {}
        self.comp: dict[int, IntVar] = {}
        self.moved: dict[int, IntVar] = {}
        self.pins: dict[int, IntVar] = {}
        self.days: dict[int, list[tuple[int, IntVar]]] = {}


def build_model(sp: SlotProblem, use_pin_assumptions: bool = False) -> tuple[CpModel, _Vars]:
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    v = _Vars()
    W = sp.problem.weights
    H = sp.horizon
    VE = virtual_end(sp)
    bay_intervals: list[list[IntervalVar]] = [[] for _ in sp.problem.bays]
    tech_intervals: list[list[IntervalVar]] = [[] for _ in sp.problem.technicians]
    objective: list[LinearExprT] = []

    used_bays = {b for sj in sp.jobs for b, _d in sj.bays}
    used_techs = {t for sj in sp.jobs for t in sj.techs}
    for r, blocked in enumerate(sp.bay_blocked):  # fixed intervals only where a job can go (LNS sub-problems)
        for a, b in blocked if r in used_bays else ():
            if b > a:
                bay_intervals[r].append(m.new_fixed_size_interval_var(a, b - a, f"bay{r}_blocked{a}"))
    for r, blocked in enumerate(sp.tech_blocked):
        for a, b in blocked if r in used_techs else ():
            if b > a:
                tech_intervals[r].append(m.new_fixed_size_interval_var(a, b - a, f"tech{r}_blocked{a}"))

    for sj in sp.jobs:
        j = sj.index
        dmin, dmax = sj.min_duration, sj.max_duration
        s = m.new_int_var(sj.release, H - dmin, f"s{j}")
        e = m.new_int_var(sj.release + dmin, H, f"e{j}")
        perf = m.new_constant(1) if sj.must else m.new_bool_var(f"perf{j}")
        v.start[j], v.end[j], v.perf[j] = s, e, perf
        if sj.deadline is not None:
            m.add(e <= sj.deadline)
        # bays
        if len(sj.bays) == 1:
            bay_lits = {sj.bays[0][0]: perf}
        else:
            bay_lits = {b: m.new_bool_var(f"x{j}_{b}") for b, _d in sj.bays}
            m.add(sum(bay_lits.values()) == perf)
        v.bay[j] = bay_lits
        if sj.parts:
            span = m.new_int_var(dmin, H, f"span{j}")
            m.add(span == e - s)
            for b, lit in bay_lits.items():
                bay_intervals[b].append(m.new_optional_interval_var(s, span, e, lit, f"bayspan{j}_{b}"))
        elif dmin == dmax:
            m.add(e == s + dmin)
            for b, lit in bay_lits.items():
                bay_intervals[b].append(m.new_optional_fixed_size_interval_var(s, dmin, lit, f"bay{j}_{b}"))
        else:
            dur = m.new_int_var(dmin, dmax, f"d{j}")
            m.add(dur == sum(d * bay_lits[b] for b, d in sj.bays) + dmin * (1 - perf))
            m.add(e == s + dur)
            for b, d in sj.bays:
                bay_intervals[b].append(m.new_optional_fixed_size_interval_var(s, d, bay_lits[b], f"bay{j}_{b}"))
        # technicians
        tech_lits = {}
        if sj.techs:
            tech_lits = {sj.techs[0]: perf} if len(sj.techs) == 1 else {t: m.new_bool_var(f"y{j}_{t}") for t in sj.techs}
            if len(sj.techs) > 1:
                m.add(sum(tech_lits.values()) == perf)
            if sj.parts:  # parts of free size (0 = unused) that add up to the job: the work pauses at breaks
                starts = [s] + [m.new_int_var(sj.release, H, f"p{j}_{k}") for k in range(1, sj.parts)]
                sizes = [m.new_int_var(1 if k == 0 else 0, min(dmin, sj.part_max), f"z{j}_{k}") for k in range(sj.parts)]
                m.add(sum(sizes) == dmin)
                for k in range(1, sj.parts):
                    m.add(starts[k] >= starts[k - 1] + sizes[k - 1])
                m.add(e == starts[-1] + sizes[-1])
                ends = [m.new_int_var(sj.release, H, f"q{j}_{k}") for k in range(sj.parts)]
                for st, z, en in zip(starts, sizes, ends):
                    m.add(en == st + z)
                v.parts[j] = (starts, sizes, ends)
                for t, lit in tech_lits.items():
                    for k, (st, z, en) in enumerate(zip(starts, sizes, ends)):
                        tech_intervals[t].append(m.new_optional_interval_var(st, z, en, lit, f"tech{j}_{t}_{k}"))
            else:
                size = e - s
                for t, lit in tech_lits.items():
                    if dmin == dmax:
                        tech_intervals[t].append(m.new_optional_fixed_size_interval_var(s, dmin, lit, f"tech{j}_{t}"))
                    else:
                        tech_intervals[t].append(m.new_optional_interval_var(s, size, e, lit, f"tech{j}_{t}"))
        v.tech[j] = tech_lits
        # pins (behind assumptions: conflicting pins are named, not just "infeasible")
        if sj.pin_start is not None:
            lit = m.new_bool_var(f"pin{j}") if use_pin_assumptions else m.new_constant(1)
            m.add(s == sj.pin_start).only_enforce_if(lit)
            v.pins[j] = lit
        # lateness and completion, as objective.py counts them
        comp = m.new_int_var(0, VE, f"c{j}")
        if sj.must:
            m.add(comp == e)
        else:
            m.add(comp == e).only_enforce_if(perf)
            m.add(comp == VE).only_enforce_if(perf.negated())
        v.comp[j] = comp
        if W.completion:
            # the working day it ends on: z_k = [end > start of day k], for the days it could end on
            sure = sum(1 for b in sp.day_starts if b < sj.release + dmin)
            objective.append(W.completion * sure * perf)
            for k, b in enumerate(sp.day_starts):
                if b < sj.release + dmin:
                    continue
                z = m.new_bool_var(f"z{j}_{k}")
                m.add(e >= b + 1).only_enforce_if(z)
                if sj.must:
                    m.add(e <= b).only_enforce_if(z.negated())
                else:
                    m.add(e <= b).only_enforce_if([z.negated(), perf])
                    m.add_implication(z, perf)
                v.days.setdefault(j, []).append((b, z))
                objective.append(W.completion * z)
            if not sj.must:
                objective.append(W.completion * (len(sp.day_starts) + 1) * (1 - perf))
        if sj.due is not None and W.lateness:
            late = m.new_int_var(0, max(0, VE - sj.due), f"late{j}")
            m.add(late >= comp - sj.due)
            v.late[j] = late
            objective.append(W.lateness * sj.weight * late)
        if not sj.must:
            objective.append(W.unscheduled * sj.weight * (1 - perf))
        if sj.prev is not None and sj.promised and W.moved_promise:
            moved = m.new_bool_var(f"moved{j}")
            ps, pb, pt = sj.prev
            if pb not in bay_lits or (pt is not None and pt not in tech_lits) or (pt is None and tech_lits) or not (sj.release <= ps <= H - dmin):
                m.add(moved == 1)
            else:
                m.add(s == ps).only_enforce_if(moved.negated())
                m.add_implication(moved.negated(), bay_lits[pb])
                if pt is not None:
                    m.add_implication(moved.negated(), tech_lits[pt])
            v.moved[j] = moved
            objective.append(W.moved_promise * moved)

    for sj in sp.jobs:
        for p, gap in sj.preds:
            m.add(v.start[sj.index] >= v.end[p] + gap).only_enforce_if(v.perf[sj.index])
            if not sp.jobs[p].must:
                m.add(v.perf[p] >= v.perf[sj.index])
    for intervals in bay_intervals + tech_intervals:
        if len(intervals) > 1:
            m.add_no_overlap(intervals)
    if W.makespan:
        ms = m.new_int_var(0, H, "makespan")
        m.add_max_equality(ms, [v.end[sj.index] for sj in sp.jobs] or [m.new_constant(0)])
        objective.append(W.makespan * ms)
        v.makespan = ms
    m.minimize(sum(objective) + sp.frozen_cost)
    return m, v


def add_hint(m: CpModel, v: _Vars, sp: SlotProblem, solution: Solution) -> bool:
    """Hint every variable from a complete plan (the dispatcher's or the previous one)."""
    complete = True
    VE = virtual_end(sp)
    hints: dict[int, tuple[IntVar, int]] = {}

    def hint(var: IntVar, value: int | bool) -> None:  # one hint per variable (a single bay's literal is the performed literal)
        hints.setdefault(var.index, (var, int(value)))

    for sj in sp.jobs:
        j = sj.index
        p = solution.get(j)
        if p is None:
            if sj.must:
                complete = False
                continue
            hint(v.perf[j], 0)
            for lit in list(v.bay[j].values()) + list(v.tech[j].values()):
                hint(lit, 0)
            hint(v.start[j], sj.release)
            hint(v.end[j], sj.release + sj.min_duration)
            hint(v.comp[j], VE)
            for b, z in v.days.get(j, ()):
                hint(z, 0)
            if j in v.late and sj.due is not None:  # v.late holds only jobs with a due slot
                hint(v.late[j], max(0, VE - sj.due))
            if j in v.moved:
                hint(v.moved[j], 1)
            if j in v.parts:
                starts, sizes, ends = v.parts[j]
                for k, (st, z, en) in enumerate(zip(starts, sizes, ends)):
                    hint(z, sj.min_duration if k == 0 else 0)
                    hint(en, sj.release + sj.min_duration)
                    if k:
                        hint(st, sj.release + sj.min_duration)
            continue
        hint(v.perf[j], 1)
        hint(v.start[j], p.start)
        hint(v.end[j], p.end)
        for b, lit in v.bay[j].items():
            hint(lit, int(b == p.bay))
        for t, lit in v.tech[j].items():
            hint(lit, int(t == p.tech))
        if j in v.parts:
            starts, sizes, ends = v.parts[j]
            for k, (st, z, en) in enumerate(zip(starts, sizes, ends)):
                hint(z, p.part_sizes[k])
                hint(en, p.part_starts[k] + p.part_sizes[k])
                if k:
                    hint(st, p.part_starts[k])
        hint(v.comp[j], p.end)
        for b, z in v.days.get(j, ()):
            hint(z, int(p.end > b))
        if j in v.late and sj.due is not None:
            hint(v.late[j], max(0, p.end - sj.due))
        if j in v.moved:
            hint(v.moved[j], int((p.start, p.bay, p.tech) != sj.prev))
    if hasattr(v, "makespan"):
        hint(v.makespan, max((p.end for p in solution.values()), default=0))
    for var, value in hints.values():
        m.add_hint(var, value)
    return complete


def _parameters(solver: CpSolver, settings: SolverSettings) -> None:
    p = solver.parameters
    p.random_seed = settings.random_seed
    p.log_search_progress = settings.log
    # Presolve probing on models with hundreds of optional intervals took seconds of wall time while
    # counting almost no deterministic time (0.44 s wall, 0.004 dtime on a 40-job sub-problem), so the
    # time limit ran out before the search began. Off: no measurable loss on the 50-job proofs.
    p.cp_model_probing_level = 0
    if settings.deterministic:
        p.num_workers = 1
        p.max_deterministic_time = max(0.005, settings.time_limit_s)
        p.max_time_in_seconds = max(1.0, settings.time_limit_s * 20)
    else:
        p.num_workers = max(1, settings.num_workers)
        p.max_time_in_seconds = max(0.05, settings.time_limit_s)
        if settings.subsolvers:
            p.subsolvers.extend(settings.subsolvers)


def solve_cpsat(sp: SlotProblem, hint: Solution | None, settings: SolverSettings) -> CpSatResult:
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    model, v = build_model(sp)
    complete = add_hint(model, v, sp, hint) if hint is not None else False
    solver = cp_model.CpSolver()
    _parameters(solver, settings)
    # repair_hint stays off: with 2 workers and presolve probing it aborted the process in 9.15
    # ("Check failed: heuristics.fixed_search != nullptr"); the dispatcher's plan is the fallback anyway.
    code = solver.solve(model)
    status = solver.status_name(code)
    wall = time.perf_counter() - started
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = float(solver.best_objective_bound) if code != cp_model.MODEL_INVALID else 0.0
        return CpSatResult(status, None, None, bound, wall, [], complete)
    solution: Solution = {}
    for sj in sp.jobs:
        j = sj.index
        if not solver.value(v.perf[j]):
            continue
        bay = next(b for b, lit in v.bay[j].items() if solver.value(lit))
        tech = next((t for t, lit in v.tech[j].items() if solver.value(lit)), None)
        s, e = solver.value(v.start[j]), solver.value(v.end[j])
        if j in v.parts:
            starts, sizes, _ends = v.parts[j]
            solution[j] = Placement(s, e, bay, tech, [solver.value(x) for x in starts], [solver.value(z) for z in sizes])
        else:
            solution[j] = Placement(s, e, bay, tech, [s])
    return CpSatResult(status, solution, int(round(solver.objective_value)), float(solver.best_objective_bound), wall, [], complete)


def conflicting_pins(sp: SlotProblem, time_limit_s: float = 2.0) -> list[int] | None:
    """Pinned jobs whose pins cannot all hold together (an infeasibility core over the pins), or None.

    Every pin is an assumption literal; when the model is infeasible CP-SAT names a subset of
    assumptions that is already infeasible (``sufficient_assumptions_for_infeasibility``).
    Assumptions need a single worker.
    """
    from ortools.sat.python import cp_model

    model, v = build_model(sp, use_pin_assumptions=True)
    if not v.pins:
        return None
    model.add_assumptions(list(v.pins.values()))
    solver = cp_model.CpSolver()
    _parameters(solver, SolverSettings(time_limit_s=time_limit_s, num_workers=1))
    code = solver.solve(model)
    if code != cp_model.INFEASIBLE:
        return None
    by_lit = {lit.index: j for j, lit in v.pins.items()}
    return sorted(by_lit[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_lit)


__all__ = ["CpSatResult", "SolverSettings", "build_model", "conflicting_pins", "solve_cpsat"]
