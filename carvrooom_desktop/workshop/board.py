"""The service manager's planning board: the week as stored, and every change to it, through the planners.

``load_board`` reads one window of the store (bays, technicians, jobs, live and refused bookings)
into a ``Board``: what the Schedule page draws, with each booking's state (waiting parts, in
progress, done, late, tentative until the shared database confirms it), the capacity warnings
(overloaded days, overruns that endanger a later promise, promises already missed, bookings the
shared database refused) and the open jobs that are not booked, each with its reason.

The changes: ``move_job`` (a drag on the Gantt, checked by ``MoveChecker`` and pinned there),
``book_job`` (the earliest free slot; a do-not-drive job through the urgent re-plan, which
may move others), ``book_diagnosis`` (a diagnosis's repair job, in one click), ``optimise`` (the
whole open week re-planned and written) and ``save_shop`` (bays, technicians, hours and jobs of a
problem file, all or nothing). No Qt: the page calls these on a worker thread.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, tzinfo

from carvrooom_desktop.storage.workshop import (
    NewJob, StoredAbsence, StoredBay, StoredPart, StoredShift, StoredTechnician, WorkshopRepository,
)
from carvrooom_desktop.storage.workshop_bookings import BookingRequest
from carvrooom_desktop.workshop.scheduling.calendar import workshop_tz
from carvrooom_desktop.workshop.scheduling.domain import Booking, Job, Plan, Problem, Technician, Unschedulable
from carvrooom_desktop.workshop.scheduling.moves import MoveCheck, MoveChecker
from carvrooom_desktop.workshop.shop import (
    _job, add_jobs_checked, check_shop_can_do, job_from_diagnosis, plan_in_force, problem_from_store, save_plan,
)

if TYPE_CHECKING:
    from carvrooom_desktop.storage.diagnoses import DiagnosisRecord

STATES = ("planned", "tentative", "waiting parts", "in progress", "done", "late", "refused")
BUSY_DAY = 0.9  # share of the technicians' time that makes a day "nearly full"


@dataclass(frozen=True)
class BoardBooking:
    """A stored booking as the Gantt draws it (times aware, ids as text)."""

    id: str
    job_id: str
    bay_id: str
    technician_id: str | None
    starts_at: datetime
    ends_at: datetime
    status: str  # the store's: tentative | confirmed | in_progress | done | rejected
    reason: str = ""  # why the shared database refused it


@dataclass(frozen=True)
class DayLoad:
    """One open day: technician hours booked, work promised for the day, and the tightest resource."""

    day: datetime  # local midnight
    booked_hours: float  # technician hours booked that day
    promised_hours: float  # open work promised by the end of that day (booked or not; overdue work on the first open day)
    capacity_hours: float  # the technicians' shift hours minus breaks and absences
    bottleneck: str = ""  # e.g. "general lift bays", "the 'transmission' technicians"
    bottleneck_need: float = 0.0  # hours of that day's promised work only it can do
    bottleneck_hours: float = 0.0  # hours it offers that day

    @property
    def share(self) -> float:
        if not self.capacity_hours:
            return float("inf")
        worst = self.bottleneck_need / self.bottleneck_hours if self.bottleneck_hours else 0.0
        return max(self.booked_hours / self.capacity_hours, self.promised_hours / self.capacity_hours, worst)

    @property
    def overloaded(self) -> bool:
        return self.share > 1.0 + 1e-9


@dataclass(frozen=True)
class Board:
    problem: Problem  # from ``now`` to the window's end: what checks and plans see
    now: datetime
    window_start: datetime
    days: int
    bookings: tuple[BoardBooking, ...]
    jobs: Mapping[str, Job]  # every job with a booking in the window, and every open job
    unscheduled: tuple[Unschedulable, ...]
    warnings: tuple[str, ...]
    load: tuple[DayLoad, ...]
    shared: bool  # the store is the shared database: bookings are confirmed as they are written

    @property
    def tz(self) -> tzinfo:
        return workshop_tz(self.problem.timezone, self.now)

    @property
    def window_end(self) -> datetime:
        return self.window_start + timedelta(days=self.days)

    def state_of(self, b: BoardBooking) -> str:
        job = self.jobs.get(b.job_id)
        if b.status == "rejected":
            return "refused"
        if b.status == "done" or job is not None and job.state == "done":
            return "done"
        if b.status == "in_progress" or job is not None and job.state == "in_progress" or b.starts_at <= self.now < b.ends_at:
            return "in progress"
        if job is not None and job.promised_at is not None and self.end_of(b.job_id) > job.promised_at:
            return "late"
        if job is not None and any(p.state == "ordered" and (p.eta is None or p.eta > self.now) for p in job.parts):
            return "waiting parts"
        if b.status == "tentative":
            return "tentative"
        return "planned"

    def end_of(self, job_id: str) -> datetime:
        return max(b.ends_at for b in self.bookings if b.job_id == job_id and b.status != "rejected")

    def live(self) -> list[BoardBooking]:
        return [b for b in self.bookings if b.status != "rejected"]

    def plan(self) -> Plan:
        """The live bookings as a plan (the iCalendar export's input)."""
        state = {"confirmed": "confirmed", "in_progress": "in_progress", "done": "done"}
        return Plan(tuple(Booking(b.job_id, b.bay_id, b.technician_id, b.starts_at, b.ends_at, state.get(b.status, "tentative"))
                          for b in self.live()), self.unscheduled, "BOOKED", 0, 0, 0.0, 0, 0.0, "store")

    def export_problem(self) -> Problem:
        return replace(self.problem, jobs=tuple(self.jobs.values()))

    def checker(self, job_id: str) -> MoveChecker:
        return MoveChecker(self.problem, job_id, self.problem.previous)


# -- reading ---------------------------------------------------------------------------------------------


def _horizon_days(now: datetime, end: datetime) -> int:
    return max(1, math.ceil((end - now).total_seconds() / 86400))


def load_board(repo: WorkshopRepository, *, now: datetime, window_start: datetime, days: int = 7, timezone: str = "",
               reasons: Mapping[str, str] | None = None) -> Board:
    """The window [window_start, +days) of the store; ``reasons``: why the last plan left jobs out."""
    end = window_start + timedelta(days=days)
    problem = problem_from_store(repo, start=now, days=_horizon_days(now, end), timezone=timezone)
    stored = [b for b in repo.bookings.list(since=window_start, until=end, live_only=False) if b.status != "cancelled"]
    bookings = tuple(BoardBooking(str(b.id), str(b.job_id), str(b.bay_id), str(b.technician_id) if b.technician_id else None,
                                  b.starts_at, b.ends_at, b.status, b.reason) for b in stored)
    jobs: dict[str, Job] = {j.id: j for j in problem.jobs}
    missing = {b.job_id for b in bookings} - set(jobs)
    if missing:
        for j in repo.jobs(ids=[uuid.UUID(x) for x in missing]):
            jobs[str(j.id)] = _job(j, set())
    booked = {b.job_id for b in bookings if b.status != "rejected"} | {b.job_id for b in problem.previous}
    unscheduled = _unscheduled(problem, booked, reasons or {})
    board = Board(problem, now, window_start, days, bookings, jobs, unscheduled, (), (), repo.bookings.shared)
    load = _day_loads(board, booked)
    return replace(board, load=load, warnings=_warnings(board, load))


def _unscheduled(problem: Problem, booked: set[str], reasons: Mapping[str, str]) -> tuple[Unschedulable, ...]:
    from carvrooom_desktop.workshop.scheduling.compile import compile_problem

    open_jobs = [j for j in problem.jobs if j.id not in booked and j.state not in ("in_progress", "done", "cancelled")]
    if not open_jobs:
        return ()
    structural = {u.job_id: u.reason for u in compile_problem(replace(problem, jobs=tuple(open_jobs), previous=())).unschedulable}
    return tuple(Unschedulable(j.id, structural.get(j.id) or reasons.get(j.id) or "not booked yet: Optimise plans it")
                 for j in open_jobs)


def _day_loads(board: Board, booked: set[str]) -> tuple[DayLoad, ...]:
    """Per open day of the window: booked and promised hours against the technicians, the bay types and the skills."""
    tz = board.tz
    problem = board.problem
    first = board.window_start.astimezone(tz).date()
    open_jobs = [(j, j.promised_at) for j in problem.jobs if j.promised_at is not None and j.state not in ("done", "cancelled")]
    out = []
    overdue_counted = False
    for d in range(board.days):
        day = datetime.combine(first + timedelta(days=d), time(0), tzinfo=tz)
        nxt = day + timedelta(days=1)
        capacity = sum(_shift_minutes(t, day) for t in problem.technicians) / 60
        if capacity == 0:
            continue  # closed, or nobody works
        booked_min = sum(_overlap(b.starts_at, b.ends_at, day, nxt) for b in board.live() if b.technician_id)
        due: list[Job] = []
        if nxt > board.now:  # work promised for the day (overdue work weighs on the first open day)
            due = [j for j, promised in open_jobs if day <= promised < nxt or not overdue_counted and promised < day]
            overdue_counted = True
        out.append(DayLoad(day, booked_min / 60, sum(j.minutes for j in due) / 60, capacity, *_bottleneck(problem, due, day)))
    return tuple(out)


def _bottleneck(problem: Problem, due: list[Job], day: datetime) -> tuple[str, float, float]:
    """The bay type or skill whose promised work that day is largest against what it offers."""
    opening = sum(_overlap(datetime.combine(day.date(), time(0), tzinfo=day.tzinfo) + timedelta(minutes=h.opens_minute),
                           datetime.combine(day.date(), time(0), tzinfo=day.tzinfo) + timedelta(minutes=h.closes_minute), day,
                           day + timedelta(days=1)) for h in problem.opening_hours if h.weekday == day.weekday())
    worst = ("", 0.0, 0.0)
    for kind in sorted({j.bay_type for j in due}):
        need = sum(j.minutes for j in due if j.bay_type == kind) / 60
        offer = sum(1 for b in problem.bays if b.takes(kind)) * opening / 60
        if offer and (not worst[2] or need / offer > worst[1] / worst[2]):
            worst = (f"{kind} bays", need, offer)
    for skill in sorted({j.skill for j in due if j.skill}):
        need = sum(j.minutes for j in due if j.skill == skill) / 60
        offer = sum(_shift_minutes(t, day) for t in problem.technicians if skill in t.skills) / 60
        if offer and (not worst[2] or need / offer > worst[1] / worst[2]):
            worst = (f"{skill!r} technicians", need, offer)
    return worst


def _overlap(a: datetime, b: datetime, lo: datetime, hi: datetime) -> float:
    return max(0.0, (min(b, hi) - max(a, lo)).total_seconds() / 60)


def _shift_minutes(tech: Technician, day: datetime) -> float:
    total = 0.0
    for s in tech.shifts:
        if s.weekday != day.weekday():
            continue
        a, z = day + timedelta(minutes=s.starts_minute), day + timedelta(minutes=s.ends_minute)
        minutes = (z - a).total_seconds() / 60 - sum(br.ends_minute - br.starts_minute for br in s.breaks)
        minutes -= sum(_overlap(a, z, x.starts_at, x.ends_at) for x in tech.absences)
        total += max(0.0, minutes)
    return total


def _warnings(board: Board, load: tuple[DayLoad, ...]) -> tuple[str, ...]:
    tz = board.tz
    out: list[str] = []
    for d in load:
        day = f"{d.day:%a %d %b}"
        if d.promised_hours > d.capacity_hours:
            out.append(f"{day} overloaded: {d.promised_hours:.1f} h promised for the day, {d.capacity_hours:.1f} h of technicians")
        elif d.bottleneck_hours and d.bottleneck_need > d.bottleneck_hours:
            out.append(f"{day} overloaded: {d.bottleneck_need:.1f} h promised for the {d.bottleneck}, which have {d.bottleneck_hours:.1f} h")
        elif d.share >= BUSY_DAY and d.day + timedelta(days=1) > board.now:
            out.append(f"{day} nearly full ({d.share:.0%})" + (f": the {d.bottleneck}" if d.bottleneck else ""))
    out += _overrun_warnings(board)
    for job_id in sorted({b.job_id for b in board.live()}):
        job = board.jobs.get(job_id)
        if job is None or job.promised_at is None or job.state == "done":
            continue
        end = board.end_of(job_id)
        if end > job.promised_at:
            out.append(f"{job.label} is planned to end {end.astimezone(tz):%a %H:%M}, after its promise "
                       f"{job.promised_at.astimezone(tz):%a %H:%M}")
    for b in board.bookings:
        if b.status == "rejected":
            job = board.jobs.get(b.job_id)
            out.append(f"the shared database refused the booking of {job.label if job else b.job_id}: {b.reason}")
    return tuple(out)


def _overrun_warnings(board: Board) -> list[str]:
    """Work still in progress after its booked end pushes what follows on its bay and technician."""
    tz = board.tz
    out = []
    live = board.live()
    for b in live:
        job = board.jobs.get(b.job_id)
        in_progress = b.status == "in_progress" or job is not None and job.state == "in_progress"
        if not in_progress or b.ends_at >= board.now or b.ends_at != board.end_of(b.job_id):
            continue
        delay = board.now - b.ends_at
        for later in sorted(live, key=lambda x: x.starts_at):
            if later.job_id == b.job_id or later.starts_at < b.ends_at or (later.bay_id != b.bay_id and (
                    later.technician_id is None or later.technician_id != b.technician_id)):
                continue
            other = board.jobs.get(later.job_id)
            if other is None or other.promised_at is None or later.starts_at - b.ends_at > timedelta(hours=4):
                continue
            if board.end_of(later.job_id) + delay > other.promised_at:
                out.append(f"overrun of {job.label if job else b.job_id} (booked to end {b.ends_at.astimezone(tz):%a %H:%M}) "
                           f"endangers the promise of {other.label} at {other.promised_at.astimezone(tz):%a %H:%M}")
    return out


# -- changing ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Booked:
    """The outcome of booking one job: where it went, and what the front office should know."""

    job_id: str
    label: str
    bookings: tuple[Booking, ...]
    message: str
    urgent: bool = False
    warnings: tuple[str, ...] = ()


def _write(repo: WorkshopRepository, job_id: str, bookings: tuple[Booking, ...], now: datetime) -> None:
    jid = uuid.UUID(job_id)
    cancel = [b.id for b in repo.bookings.list(job_id=jid, since=now) if b.status in ("tentative", "confirmed")]
    repo.bookings.book_many([BookingRequest(jid, uuid.UUID(b.bay_id), uuid.UUID(b.technician_id) if b.technician_id else None,
                                            b.starts_at, b.ends_at) for b in bookings], cancel=cancel)
    repo.set_job_status(jid, "planned")


def move_job(repo: WorkshopRepository, board: Board, job_id: str, *, bay_id: str, technician_id: str | None,
             starts_at: datetime) -> MoveCheck:
    """Move a job where the service manager dropped it, and pin it there; refused moves change nothing.

    On the shared database a booking another workstation took meanwhile raises ``BookingConflict``.
    """
    check = board.checker(job_id).check(bay_id, technician_id, starts_at)
    if not check.ok:
        return check
    _write(repo, job_id, check.bookings, board.now)
    first = min(check.bookings, key=lambda b: b.starts_at)
    repo.pin_job(uuid.UUID(job_id), bay_id=uuid.UUID(first.bay_id),
                 technician_id=uuid.UUID(first.technician_id) if first.technician_id else None, start=first.starts_at)
    return check


def book_job(repo: WorkshopRepository, job_id: str, *, now: datetime, days: int = 7, time_limit_s: float = 2.0,
             deterministic: bool = False) -> Booked:
    """Book a job at the earliest free slot; a do-not-drive job gets the earliest slot by the urgent re-plan."""
    problem = problem_from_store(repo, start=now, days=days)
    job = problem.job(job_id)
    tz = workshop_tz(problem.timezone, now)
    if job.urgency == "do not drive":
        from carvrooom_desktop.workshop.scheduling.replan import NewJob as NewJobEvent, replan

        before = replace(problem, jobs=tuple(j for j in problem.jobs if j.id != job_id))
        result = replan(before, plan_in_force(before), NewJobEvent(job), now=now, time_limit_s=time_limit_s,
                        deterministic=deterministic)
        save_plan(repo, result.plan, result.problem)
        if not result.urgent:
            why = next((u.reason for u in result.plan.unschedulable if u.job_id == job_id), "no slot in the horizon")
            return Booked(job_id, job.label, (), f"{job.label} (do not drive) cannot be booked: {why}", True, result.warnings)
        first = min(result.urgent, key=lambda b: b.starts_at)
        moved = f"; {len(result.moves)} promised job(s) moved" if result.moves else ""
        return Booked(job_id, job.label, result.urgent, f"{job.label} (do not drive) booked at the earliest slot, "
                      f"{first.starts_at.astimezone(tz):%a %d %b %H:%M}{moved}", True, result.warnings)
    check = MoveChecker(problem, job_id, problem.previous).earliest()
    if not check.ok:
        return Booked(job_id, job.label, (), f"{job.label} cannot be booked: {check.reason}")
    _write(repo, job_id, check.bookings, now)
    if job.pin is not None:  # booked anew: the manual place no longer holds
        repo.pin_job(uuid.UUID(job_id))
    starts, ends = min(b.starts_at for b in check.bookings), max(b.ends_at for b in check.bookings)
    return Booked(job_id, job.label, check.bookings, f"{job.label} booked {starts.astimezone(tz):%a %d %b %H:%M}-{ends.astimezone(tz):%H:%M}",
                  False, check.warnings)


def book_diagnosis(repo: WorkshopRepository, diagnosis: DiagnosisRecord, *, now: datetime, days: int = 7,
                   **job_options: Any) -> Booked:
    """A diagnosis's proposed repair job as a job (once per diagnosis), booked at once (``book_job``)."""
    job_id = job_from_diagnosis(repo, diagnosis, **job_options)
    live = repo.bookings.list(job_id=job_id, since=now)
    if live:  # booked before (one job per diagnosis): where it is
        job = repo.job(job_id)
        name = job.reference or job.title
        where = tuple(Booking(str(b.job_id), str(b.bay_id), str(b.technician_id) if b.technician_id else None, b.starts_at, b.ends_at,
                              b.status) for b in live)
        return Booked(str(job_id), name, where, f"{name} is already booked {live[0].starts_at.astimezone(now.tzinfo):%a %d %b %H:%M}")
    return book_job(repo, str(job_id), now=now, days=days)


def add_job(repo: WorkshopRepository, job: NewJob) -> str:
    """Save a job entered by hand (ScheduleProblemError when the shop cannot do it; nothing saved)."""
    return str(add_jobs_checked(repo, [job])[0])


@dataclass(frozen=True)
class Optimised:
    plan: Plan
    problem: Problem
    written: int
    replaced: int
    shared: bool


def optimise(repo: WorkshopRepository, *, now: datetime, days: int = 7, time_limit_s: float = 10.0, num_workers: int = 2,
             random_seed: int = 0, deterministic: bool = False) -> Optimised:
    """Re-plan every open job from ``now`` (CP-SAT after the dispatcher) and write the bookings."""
    from carvrooom_desktop.workshop.scheduling import solve

    problem = problem_from_store(repo, start=now, days=days)
    plan = solve(problem, time_limit_s=time_limit_s, num_workers=num_workers, random_seed=random_seed, deterministic=deterministic)
    saved = save_plan(repo, plan, problem)
    return Optimised(plan, problem, len(saved.bookings), saved.cancelled, saved.shared)


def save_shop(repo: WorkshopRepository, problem: Problem) -> dict[str, list[uuid.UUID]]:
    """The bays, technicians, opening hours and jobs of a problem (file) into the store, all or nothing."""
    from carvrooom_desktop.workshop.scheduling import check_staffed

    bay_ids = {b.id: uuid.uuid4() for b in problem.bays}
    bays = [StoredBay(bay_ids[b.id], b.name, b.bay_type, tuple(sorted(b.serves))) for b in problem.bays]
    techs = [StoredTechnician(uuid.uuid4(), t.name, tuple(sorted(t.skills)),
                              tuple(StoredShift(s.weekday, s.starts_minute, s.ends_minute,
                                                tuple((x.starts_minute, x.ends_minute) for x in s.breaks)) for s in t.shifts),
                              tuple(StoredAbsence(a.starts_at, a.ends_at, a.kind, a.note) for a in t.absences))
             for t in problem.technicians]
    index = {j.id: i for i, j in enumerate(problem.jobs)}
    jobs = [NewJob(j.title or j.id, j.minutes / 60, j.bay_type, j.skill, j.reference or j.id, j.vin, urgency=j.urgency,
                   priority=j.priority, customer_waiting=j.customer_waiting, dropped_off_at=j.dropped_off_at,
                   promised_at=j.promised_at, parts=[StoredPart(p.name, p.eta, p.state, p.quantity) for p in j.parts],
                   after=[(index[d.job_id], d.gap_minutes) for d in j.after],
                   status="waiting_parts" if j.state == "waiting_parts" or any(p.state == "ordered" for p in j.parts)
                   else "new") for j in problem.jobs]
    if problem.bays or problem.technicians:
        check_staffed(problem)
    check_shop_can_do(repo, jobs, extra_skills={s for t in problem.technicians for s in t.skills},
                      extra_bay_types={b.bay_type for b in problem.bays} | {k for b in problem.bays for k in b.serves})
    hours = [(h.weekday, h.opens_minute, h.closes_minute) for h in problem.opening_hours] or None
    return repo.save_all(bays=bays, technicians=techs, jobs=jobs, opening_hours=hours)


__all__ = [
    "Board", "BoardBooking", "Booked", "DayLoad", "Optimised", "STATES", "add_job", "book_diagnosis", "book_job", "load_board",
    "move_job", "optimise", "save_shop",
]
