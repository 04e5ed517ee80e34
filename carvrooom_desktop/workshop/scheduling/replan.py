"""Re-plan on every change: a new (urgent) job, an overrun, a technician off sick, parts late.

The plan in force is the starting point: work that has started is frozen (every booking of a job
that has begun stays where it is), manual pins hold, the previous bookings are the hint and the
dispatcher keeps them where they are still free, and moving a job already promised to a
customer costs ``Weights.moved_promise``. A do-not-drive job gets the earliest slot any bay and
technician for it have free once frozen and pinned work is placed, and is pinned there before
the rest is re-optimised. The answer says which promised jobs moved and which promises are now
in danger, in the front office's words ("overrun of RO-1012 (brake pads) endangers the promise
of RO-1020 (inspection) at Tue 17:00: now planned to end 17:45").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from carvrooom_desktop.workshop.scheduling.domain import Booking, Holiday, Job, Pin, Plan, Problem
from carvrooom_desktop.workshop.scheduling.solve import solve


@dataclass(frozen=True)
class NewJob:
    job: Job

    def describe(self, problem: Problem) -> str:
        return f"new job {self.job.label}"


@dataclass(frozen=True)
class Overrun:
    job_id: str
    extra_minutes: int

    def describe(self, problem: Problem) -> str:
        return f"overrun of {problem.job(self.job_id).label}"


@dataclass(frozen=True)
class TechnicianOff:
    technician_id: str
    starts_at: datetime
    ends_at: datetime
    kind: str = "sick"

    def describe(self, problem: Problem) -> str:
        name = next((t.name for t in problem.technicians if t.id == self.technician_id), self.technician_id)
        return f"{name} off ({self.kind})"


@dataclass(frozen=True)
class PartsLate:
    job_id: str
    part: str
    eta: datetime | None  # None: nobody knows when

    def describe(self, problem: Problem) -> str:
        return f"late part {self.part!r} for {problem.job(self.job_id).label}"


Event = NewJob | Overrun | TechnicianOff | PartsLate


@dataclass(frozen=True)
class Move:
    job_id: str
    promised_at: datetime | None
    old_start: datetime
    new_start: datetime | None  # None: went to the carry-over queue or became unschedulable
    old_bay: str
    new_bay: str | None


@dataclass(frozen=True)
class Replan:
    problem: Problem  # the problem as re-planned (start = now, events applied)
    plan: Plan
    moves: tuple[Move, ...]  # promised jobs whose booking changed
    warnings: tuple[str, ...]
    urgent: tuple[Booking, ...] = ()  # where the do-not-drive job went


def _frozen_states(bookings: tuple[Booking, ...], now: datetime) -> list[Booking]:
    """Bookings with their state at ``now``: every booking of a job that has begun is frozen."""
    started = {b.job_id for b in bookings if b.starts_at < now or b.state in ("in_progress", "done")}
    out = []
    for b in bookings:
        if b.job_id in started:
            state = "done" if b.state == "done" or all(x.ends_at <= now for x in bookings if x.job_id == b.job_id) else "in_progress"
            out.append(replace(b, state=state))
        else:
            out.append(replace(b, state="planned"))
    return out


def apply_event(problem: Problem, plan: Plan, event: Event, now: datetime) -> Problem:
    """The problem after ``event``, starting at ``now`` with the plan in force as ``previous``."""
    previous = _frozen_states(plan.bookings, now)
    jobs = list(problem.jobs)
    techs = list(problem.technicians)
    if isinstance(event, NewJob):
        if any(j.id == event.job.id for j in jobs):
            raise ValueError(f"job {event.job.id!r} is already in the plan")
        jobs.append(event.job)
    elif isinstance(event, Overrun):
        mine = sorted((b for b in previous if b.job_id == event.job_id), key=lambda b: b.ends_at)
        if not mine:
            raise ValueError(f"job {event.job_id!r} has no booking to overrun")
        last = mine[-1]
        previous = [replace(b, ends_at=b.ends_at + timedelta(minutes=event.extra_minutes), state="in_progress") if b is last
                    else replace(b, state="in_progress") if b.job_id == event.job_id else b for b in previous]
        jobs = [replace(j, state="in_progress") if j.id == event.job_id else j for j in jobs]
    elif isinstance(event, TechnicianOff):
        if not any(t.id == event.technician_id for t in techs):
            raise ValueError(f"no technician {event.technician_id!r}")
        techs = [replace(t, absences=t.absences + (Holiday(event.starts_at, event.ends_at, event.kind),))
                 if t.id == event.technician_id else t for t in techs]
    elif isinstance(event, PartsLate):
        job = problem.job(event.job_id)
        if not any(p.name == event.part for p in job.parts):
            raise ValueError(f"job {job.label} has no part {event.part!r}")
        parts = tuple(replace(p, eta=event.eta, state="ordered") if p.name == event.part else p for p in job.parts)
        jobs = [replace(j, parts=parts) if j.id == event.job_id else j for j in jobs]
    end = problem.start + timedelta(days=problem.days)
    days = max(1, math.ceil((end - now).total_seconds() / 86400))
    return replace(problem, start=now, days=days, jobs=tuple(jobs), technicians=tuple(techs), previous=tuple(previous))


def _earliest_slot(problem: Problem, job: Job) -> Booking | None:
    """Where a do-not-drive job can go first, with only frozen and pinned work in the way."""
    from carvrooom_desktop.workshop.scheduling.compile import compile_problem
    from carvrooom_desktop.workshop.scheduling.greedy import dispatch
    from carvrooom_desktop.workshop.scheduling.solve import bookings_of

    others = tuple(j for j in problem.jobs if j.id == job.id or j.pin is not None)
    sp = compile_problem(replace(problem, jobs=others, previous=tuple(b for b in problem.previous if b.state != "planned")))
    solution, _left = dispatch(sp)
    mine = [b for b in bookings_of(sp, solution) if b.job_id == job.id]
    return min(mine, key=lambda b: b.starts_at) if mine else None


def _fmt(t: datetime, problem: Problem, ref: datetime) -> str:
    local = t.astimezone(ref.tzinfo)
    return f"{local:%a %H:%M}"


def replan(problem: Problem, plan: Plan, event: Event, *, now: datetime, time_limit_s: float = 2.0, num_workers: int = 2,
           random_seed: int = 0, deterministic: bool = False) -> Replan:
    """Apply ``event`` at ``now`` and re-plan from the plan in force."""
    import time

    started = time.perf_counter()
    new_problem = apply_event(problem, plan, event, now)
    urgent: tuple[Booking, ...] = ()
    if isinstance(event, NewJob) and event.job.urgency == "do not drive" and event.job.pin is None:
        first = _earliest_slot(new_problem, event.job)
        if first is not None:
            pinned = replace(event.job, pin=Pin(first.bay_id, first.technician_id, first.starts_at))
            new_problem = replace(new_problem, jobs=tuple(pinned if j.id == event.job.id else j for j in new_problem.jobs))
    budget = time_limit_s if deterministic else max(0.2, time_limit_s - (time.perf_counter() - started) - 0.1)  # moves, warnings
    new_plan = solve(new_problem, time_limit_s=budget, num_workers=num_workers, random_seed=random_seed,
                     deterministic=deterministic)
    if isinstance(event, NewJob):
        urgent = tuple(new_plan.bookings_of(event.job.id)) if event.job.urgency == "do not drive" else ()
    return Replan(new_problem, new_plan, _moves(problem, plan, new_plan), _warnings(new_problem, plan, new_plan, event), urgent)


def _moves(problem: Problem, old: Plan, new: Plan) -> tuple[Move, ...]:
    out = []
    for job in problem.jobs:
        if job.promised_at is None:
            continue
        before = sorted(old.bookings_of(job.id), key=lambda b: b.starts_at)
        if not before:
            continue
        after = sorted(new.bookings_of(job.id), key=lambda b: b.starts_at)
        if after and (after[0].starts_at, after[0].bay_id, after[0].technician_id) == (before[0].starts_at, before[0].bay_id, before[0].technician_id):
            continue
        out.append(Move(job.id, job.promised_at, before[0].starts_at, after[0].starts_at if after else None, before[0].bay_id,
                        after[0].bay_id if after else None))
    return tuple(out)


def _warnings(problem: Problem, old: Plan, new: Plan, event: Event) -> tuple[str, ...]:
    cause = event.describe(problem)
    out = []
    left_out = {u.job_id: u.reason for u in new.unschedulable}
    for job in problem.jobs:
        if job.promised_at is None or job.state in ("done", "cancelled"):
            continue
        was = old.end_of(job.id)
        was_late = was is not None and was > job.promised_at
        now_end = new.end_of(job.id)
        promise = _fmt(job.promised_at, problem, problem.start)
        if now_end is None and job.id in left_out:
            if was is not None:
                out.append(f"{cause} endangers the promise of {job.label} at {promise}: it is no longer planned ({left_out[job.id]})")
            continue
        if now_end is not None and now_end > job.promised_at and not was_late:
            end = _fmt(now_end, problem, problem.start)
            if getattr(event, "job_id", None) == job.id:
                out.append(f"{cause}: {job.label} now ends {end}, after its promise at {promise}")
            else:
                out.append(f"{cause} endangers the promise of {job.label} at {promise}: now planned to end {end}")
    if isinstance(event, TechnicianOff):
        for b in new.bookings:
            if b.technician_id == event.technician_id and b.state == "in_progress" and b.ends_at > event.starts_at and b.starts_at < event.ends_at:
                out.append(f"{cause}: job {problem.job(b.job_id).label} is in progress with them and needs someone to take it over")
    return tuple(out)


__all__ = ["Event", "Move", "NewJob", "Overrun", "PartsLate", "Replan", "TechnicianOff", "apply_event", "replan"]
