"""From a ``Problem`` (datetimes, ids) to slot-level data both planners share.

This is where "cannot be scheduled" is decided before any search: no bay of the type, no
technician with the skill (or all of them absent), parts unavailable or arriving after the
horizon, a pin that names the wrong kind of bay, a job waiting for one that cannot be done.
Each such job is listed with its reason and left out of the search; nothing is dropped
silently. Jobs in progress (or done) in the previous plan are frozen: their bookings stay as
they are and block their bay and technician.

A job longer than its technicians' longest stretch without a break is split into parts (same
bay, same technician, in order, each part as long as the technician's free stretch allows: the
work pauses for the break and carries on after it); its bay stays occupied from the first
part's start to the last part's end (the car does not leave the lift at lunch).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from carvrooom_desktop.workshop.scheduling.calendar import SlotAxis, workshop_tz
from carvrooom_desktop.workshop.scheduling.domain import SLOT_MINUTES, Booking, Job, Problem, Unschedulable, minute_text


@dataclass
class SlotJob:
    index: int
    job: Job
    bays: list[tuple[int, int]]  # (bay index, duration in slots)
    techs: list[int]  # technician indices; empty = no technician needed
    release: int
    due: int | None
    weight: int
    preds: list[tuple[int, int]] = field(default_factory=list)  # (slot-job index, gap in slots)
    parts: int = 0  # split job: at most this many parts (0: one piece), each at most part_max slots, pausing at breaks
    part_max: int = 0
    pin_bay: int | None = None
    pin_tech: int | None = None
    pin_start: int | None = None
    prev: tuple[int, int, int | None] | None = None  # (start, bay, technician) in the previous plan
    must: bool = False  # pinned or urgent: may not go to the carry-over queue
    urgent: bool = False
    deadline: int | None = None  # must end by (a sub-problem's fixed successor starts then)

    @property
    def min_duration(self) -> int:
        return min(d for _b, d in self.bays)

    @property
    def max_duration(self) -> int:
        return max(d for _b, d in self.bays)

    @property
    def promised(self) -> bool:
        return self.job.promised_at is not None

    @property
    def pinned(self) -> bool:
        return self.pin_start is not None or self.pin_bay is not None or self.pin_tech is not None


@dataclass
class SlotProblem:
    problem: Problem
    axis: SlotAxis
    jobs: list[SlotJob]  # schedulable jobs, search order free
    bay_blocked: list[list[tuple[int, int]]]  # per bay: fixed busy slot ranges (frozen bookings, out of service)
    tech_blocked: list[list[tuple[int, int]]]  # per technician: shifts' gaps, breaks, absences, frozen bookings
    frozen: list[Booking]  # bookings kept exactly as they are
    frozen_cost: int  # the objective's part for frozen jobs (constant)
    frozen_weighted_lateness: int  # minutes
    unschedulable: list[Unschedulable]
    carry_slots: int  # a job in the carry-over queue is costed as if it ended this far past the horizon
    day_starts: list[int] = field(default_factory=list)  # slot indices where a new working day begins

    @property
    def horizon(self) -> int:
        return self.axis.size

    def bay_id(self, b: int) -> str:
        return self.problem.bays[b].id

    def tech_id(self, t: int | None) -> str | None:
        return None if t is None else self.problem.technicians[t].id


def job_weight(job: Job) -> int:
    return max(1, job.priority) * (2 if job.customer_waiting else 1)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for a, b in sorted(r for r in ranges if r[1] > r[0]):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _free_runs(blocked: list[tuple[int, int]], horizon: int) -> list[tuple[int, int]]:
    runs, t = [], 0
    for a, b in blocked:
        if a > t:
            runs.append((t, a))
        t = max(t, b)
    if t < horizon:
        runs.append((t, horizon))
    return runs


def _technician_blocked(problem: Problem, axis: SlotAxis, t: int) -> list[tuple[int, int]]:
    tech = problem.technicians[t]
    blocked: list[tuple[int, int]] = []
    if tech.shifts:
        for k in range(axis.size):
            local = axis.local(k)
            minute = local.hour * 60 + local.minute
            ok = False
            for shift in tech.shifts:
                if shift.weekday == local.weekday() and shift.starts_minute <= minute and minute + SLOT_MINUTES <= shift.ends_minute:
                    ok = not any(br.starts_minute < minute + SLOT_MINUTES and minute < br.ends_minute for br in shift.breaks)
                    if ok:
                        break
            if not ok:
                blocked.append((k, k + 1))
    for absence in tech.absences:
        blocked.append(axis.slots_overlapping(absence.starts_at, absence.ends_at))
    return _merge(blocked)


def _slots(minutes: int) -> int:
    return max(1, math.ceil(minutes / SLOT_MINUTES))


def compile_problem(problem: Problem) -> SlotProblem:
    axis = SlotAxis(problem.start, problem.days, problem.opening_hours, workshop_tz(problem.timezone, problem.start))
    H = axis.size
    bay_index = {b.id: i for i, b in enumerate(problem.bays)}
    tech_index = {t.id: i for i, t in enumerate(problem.technicians)}
    job_ids = {j.id for j in problem.jobs}
    tech_blocked = [_technician_blocked(problem, axis, t) for t in range(len(problem.technicians))]
    bay_blocked: list[list[tuple[int, int]]] = [[axis.slots_overlapping(a, b) for a, b in bay.out_of_service] for bay in problem.bays]
    unschedulable: list[Unschedulable] = []
    carry = axis.slots_per_day()

    # -- frozen: in progress or done in the previous plan, and bookings of jobs not in this problem --
    frozen: list[Booking] = []
    frozen_end: dict[str, int] = {}
    prev_by_job: dict[str, list[Booking]] = {}
    for bk in problem.previous:
        if bk.ends_at <= problem.start and bk.job_id not in job_ids:
            continue
        job = problem.job(bk.job_id) if bk.job_id in job_ids else None
        is_frozen = job is None or bk.state in ("in_progress", "done") or (job is not None and job.state in ("in_progress", "done"))
        if not is_frozen:
            prev_by_job.setdefault(bk.job_id, []).append(bk)
            continue
        frozen.append(bk)
        i, j = axis.slots_overlapping(bk.starts_at, bk.ends_at)
        if bk.bay_id in bay_index:
            bay_blocked[bay_index[bk.bay_id]].append((i, j))
        if bk.technician_id in tech_index:
            tech_blocked[tech_index[bk.technician_id]].append((i, j))
        frozen_end[bk.job_id] = max(frozen_end.get(bk.job_id, 0), min(axis.first_slot_from(bk.ends_at), H))
    bay_blocked = [_merge(r) for r in bay_blocked]
    tech_blocked = [_merge(r) for r in tech_blocked]
    tech_runs = [max((b - a for a, b in _free_runs(tb, H)), default=0) for tb in tech_blocked]

    # -- one slot job per schedulable job --------------------------------------------------------------
    slot_jobs: list[SlotJob] = []
    by_id: dict[str, SlotJob] = {}
    reasons: dict[str, str] = {}
    frozen_ids = set(frozen_end)
    for job in problem.jobs:
        if job.id in frozen_ids or job.state in ("done", "cancelled"):
            continue
        reason = _structural_reason(problem, axis, job, bay_index, tech_index, tech_runs)
        if reason:
            reasons[job.id] = reason
            continue
        if job.bay_minutes:
            bays = [(bay_index[b], _slots(m)) for b, m in job.bay_minutes.items()]
        else:
            bays = [(i, _slots(job.minutes)) for i, b in enumerate(problem.bays) if b.takes(job.bay_type)]
        techs = [i for i, t in enumerate(problem.technicians) if job.skill and job.skill in t.skills and tech_runs[i] > 0]
        if job.pin and job.pin.bay_id:
            bays = [(b, d) for b, d in bays if b == bay_index[job.pin.bay_id]]
        if job.pin and job.pin.technician_id:
            techs = [t for t in techs if t == tech_index[job.pin.technician_id]]
        release_at = max([t for t in (job.dropped_off_at, problem.start) if t is not None]
                         + [p.eta for p in job.parts if p.state == "ordered" and p.eta is not None])
        sj = SlotJob(len(slot_jobs), job, bays, techs, axis.first_slot_from(release_at),
                     axis.slots_ended_by(job.promised_at) if job.promised_at else None, job_weight(job),
                     urgent=job.urgency == "do not drive")
        if job.pin:
            sj.pin_bay = bay_index[job.pin.bay_id] if job.pin.bay_id else None
            sj.pin_tech = tech_index[job.pin.technician_id] if job.pin.technician_id else None
            sj.pin_start = axis.first_slot_from(job.pin.starts_at) if job.pin.starts_at else None
            sj.must = True
        if sj.techs and len({d for _b, d in bays}) == 1:
            d = bays[0][1]
            runs = [tech_runs[t] for t in sj.techs]
            limit = min((r for r in runs if r >= min(d, 8)), default=max(runs))
            if d > limit:
                sj.parts, sj.part_max = math.ceil(d / limit) + 1, limit
        if sj.release + sj.min_duration > H:
            reasons[job.id] = _late_release_reason(problem, axis, job, release_at)
            continue
        previous = sorted(prev_by_job.get(job.id, ()), key=lambda b: b.starts_at)
        if previous and previous[0].bay_id in bay_index:
            t = tech_index.get(previous[0].technician_id) if previous[0].technician_id else None
            start = axis.first_slot_from(previous[0].starts_at)
            if start < H:
                sj.prev = (start, bay_index[previous[0].bay_id], t)
        by_id[job.id] = sj
        slot_jobs.append(sj)

    # -- dependencies: a job waiting for one that cannot be done cannot be done either ----------------------
    changed = True
    while changed:
        changed = False
        for sj in list(slot_jobs):
            for dep in sj.job.after:
                if dep.job_id in frozen_end:
                    gap = math.ceil(dep.gap_minutes / SLOT_MINUTES)
                    sj.release = max(sj.release, frozen_end[dep.job_id] + gap)
                elif dep.job_id not in by_id:
                    why = reasons.get(dep.job_id)
                    reasons[sj.job.id] = (f"waits for job {dep.job_id}, which cannot be scheduled ({why})" if why
                                          else f"waits for job {dep.job_id}, which is not in the plan")
                    by_id.pop(sj.job.id, None)
                    slot_jobs.remove(sj)
                    changed = True
                    break
    cycle = _dependency_cycle(slot_jobs, by_id)
    for job_id in cycle:
        reasons[job_id] = "its dependencies form a cycle: " + " -> ".join(cycle + [cycle[0]])
        slot_jobs.remove(by_id.pop(job_id))
    for i, sj in enumerate(slot_jobs):
        sj.index = i
    for sj in slot_jobs:
        sj.preds = [(by_id[d.job_id].index, math.ceil(d.gap_minutes / SLOT_MINUTES)) for d in sj.job.after if d.job_id in by_id]
    for job in problem.jobs:
        if job.id in reasons:
            unschedulable.append(Unschedulable(job.id, reasons[job.id]))
    if not problem.carry_over:
        for sj in slot_jobs:
            sj.must = True

    sp = SlotProblem(problem, axis, slot_jobs, bay_blocked, tech_blocked, frozen, 0, 0, unschedulable, carry, axis.day_starts())
    from carvrooom_desktop.workshop.scheduling.objective import frozen_costs

    sp.frozen_cost, sp.frozen_weighted_lateness = frozen_costs(sp, frozen_end)
    return sp


def _structural_reason(problem: Problem, axis: SlotAxis, job: Job, bay_index: dict[str, int], tech_index: dict[str, int],
                       tech_runs: list[int]) -> str:
    if job.bay_minutes:
        unknown = [b for b in job.bay_minutes if b not in bay_index]
        if unknown:
            return f"its allowed bay {unknown[0]!r} does not exist"
    elif not any(b.takes(job.bay_type) for b in problem.bays):
        return f"no bay of type {job.bay_type!r}"
    if job.skill:
        skilled = [i for i, t in enumerate(problem.technicians) if job.skill in t.skills]
        if not skilled:
            return f"no technician has the skill {job.skill!r}"
        if not any(tech_runs[i] for i in skilled):
            names = ", ".join(problem.technicians[i].name for i in skilled)
            return f"every technician with the skill {job.skill!r} ({names}) is off for the whole horizon"
    for part in job.parts:
        if part.state == "unavailable":
            return f"part {part.name!r} is not available"
        if part.state == "ordered" and part.eta is None:
            return f"part {part.name!r} has no delivery date"
    if job.pin:
        if job.pin.bay_id:
            if job.pin.bay_id not in bay_index:
                return f"it is pinned to the unknown bay {job.pin.bay_id!r}"
            bay = problem.bays[bay_index[job.pin.bay_id]]
            if job.bay_minutes and bay.id not in job.bay_minutes or not job.bay_minutes and not bay.takes(job.bay_type):
                return f"it is pinned to bay {bay.name!r}, which is not a {job.bay_type!r} bay"
        if job.pin.technician_id:
            if job.pin.technician_id not in tech_index:
                return f"it is pinned to the unknown technician {job.pin.technician_id!r}"
            tech = problem.technicians[tech_index[job.pin.technician_id]]
            if job.skill and job.skill not in tech.skills:
                return f"it is pinned to {tech.name}, who lacks the skill {job.skill!r}"
    return ""


def _late_release_reason(problem: Problem, axis: SlotAxis, job: Job, release_at: datetime) -> str:
    late_parts = [p for p in job.parts if p.state == "ordered" and p.eta is not None and p.eta >= release_at]
    end = axis.end_of(axis.size)
    if late_parts:
        p = late_parts[0]
        return f"part {p.name!r} arrives {p.eta:%a %d %b %H:%M}, too late to finish within the horizon (ends {end:%a %d %b %H:%M})"
    return f"{job.minutes / 60:g} h of work does not fit between {release_at:%a %H:%M} and the horizon's end ({end:%a %d %b %H:%M})"


def _dependency_cycle(slot_jobs: list[SlotJob], by_id: dict[str, SlotJob]) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(job_id: str) -> list[str]:
        state[job_id] = 1
        stack.append(job_id)
        for dep in by_id[job_id].job.after:
            if dep.job_id not in by_id:
                continue
            if state.get(dep.job_id) == 1:
                return stack[stack.index(dep.job_id):]
            if dep.job_id not in state:
                found = visit(dep.job_id)
                if found:
                    return found
        stack.pop()
        state[job_id] = 2
        return []

    for sj in slot_jobs:
        if sj.job.id not in state:
            found = visit(sj.job.id)
            if found:
                return list(found)
    return []


__all__ = ["SlotJob", "SlotProblem", "compile_problem", "job_weight", "minute_text"]
