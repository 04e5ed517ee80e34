"""The workshop in the store as a scheduling problem, and a plan back into the store as bookings.

``problem_from_store`` reads bays, technicians, opening hours, open jobs and the live bookings:
bookings that have started are frozen, the rest are the plan in force (hint, moves of promised
jobs). ``save_plan`` writes a plan's bookings in one transaction: the planned bookings of the
re-planned jobs are cancelled and the new ones inserted, all or nothing; on the shared database
a booking that another workstation took meanwhile makes the whole write fail with
``BookingConflict`` (nothing half-written, the user re-plans). ``add_jobs_checked`` refuses a
job the shop cannot do (skill nobody has, bay type nobody has) before anything is saved.
"""

from __future__ import annotations

import uuid
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING

from carvrooom_desktop.storage.workshop import NewJob, StoredJob, WorkshopRepository
from carvrooom_desktop.storage.workshop_bookings import BookingRequest, StoredBooking
from carvrooom_desktop.workshop.scheduling.domain import (
    Bay, Booking, Break, Dependency, Holiday, Job, OpeningHours, Part, Pin, Plan, Problem, Shift, Technician,
)
from carvrooom_desktop.workshop.scheduling.errors import ScheduleProblemError

if TYPE_CHECKING:
    from carvrooom_desktop.storage.diagnoses import DiagnosisRecord
    from carvrooom_desktop.storage.workshop import StoredPart

DEFAULT_HOURS = tuple(OpeningHours(d, 8 * 60, 17 * 60) for d in range(5))  # when none are stored: Mon-Fri 08-17
OPEN_STATUSES = ("new", "waiting_parts", "planned", "in_progress")


def _job(j: StoredJob, open_ids: set[uuid.UUID]) -> Job:
    pin = None
    if j.pinned_bay_id or j.pinned_technician_id or j.pinned_start:
        pin = Pin(str(j.pinned_bay_id) if j.pinned_bay_id else None, str(j.pinned_technician_id) if j.pinned_technician_id else None,
                  j.pinned_start)
    return Job(
        str(j.id), j.title, int(round(j.labour_hours * 60)), j.bay_type, j.skill,
        tuple(Part(p.name, p.eta, p.status, p.quantity) for p in j.parts), j.customer_waiting, j.dropped_off_at, j.promised_at,
        j.priority, j.urgency, tuple(Dependency(str(a), g) for a, g in j.after if a in open_ids), MappingProxyType({}),
        j.status, pin, j.vin, j.reference or str(j.id)[:8])


def _booking_state(b: StoredBooking, now: datetime) -> str:
    if b.status in ("in_progress", "done"):
        return b.status
    return "in_progress" if b.starts_at < now else "planned"


def problem_from_store(repo: WorkshopRepository, *, start: datetime, days: int = 7, timezone: str = "") -> Problem:
    bays = tuple(Bay(str(b.id), b.name, b.bay_type, frozenset(b.serves)) for b in repo.bays())
    techs = tuple(Technician(str(t.id), t.name, frozenset(t.skills),
                             tuple(Shift(s.weekday, s.starts_minute, s.ends_minute, tuple(Break(a, z) for a, z in s.breaks)) for s in t.shifts),
                             tuple(Holiday(a.starts_at, a.ends_at, a.kind, a.note) for a in t.absences)) for t in repo.technicians())
    hours = tuple(OpeningHours(*h) for h in repo.opening_hours()) or DEFAULT_HOURS
    stored = repo.jobs(statuses=OPEN_STATUSES)
    open_ids = {j.id for j in stored}
    jobs = tuple(_job(j, open_ids) for j in stored)
    end = start + timedelta(days=days)
    previous = tuple(Booking(str(b.job_id), str(b.bay_id), str(b.technician_id) if b.technician_id else None, b.starts_at, b.ends_at,
                             _booking_state(b, start))
                     for b in repo.bookings.list(since=start - timedelta(days=2), until=end))
    return Problem(start, days, bays, techs, jobs, hours, timezone, previous, name="workshop")


def plan_in_force(problem: Problem) -> Plan:
    """The stored bookings of ``problem`` as a plan (what a re-plan starts from)."""
    return Plan(problem.previous, (), "BOOKED", 0, 0, 0.0, 0, 0.0, "store")


def check_shop_can_do(repo: WorkshopRepository, jobs: list[NewJob], *, extra_skills: AbstractSet[str] = frozenset(),
                      extra_bay_types: AbstractSet[str] = frozenset()) -> None:
    """ScheduleProblemError naming each job whose skill or bay type the shop does not have."""
    skills = {s for t in repo.technicians() for s in t.skills} | set(extra_skills)
    kinds = {b.bay_type for b in repo.bays()} | {k for b in repo.bays() for k in b.serves} | set(extra_bay_types)
    problems = []
    for j in jobs:
        name = f'job "{j.reference or j.title}"'
        if j.skill and j.skill not in skills:
            problems.append(f"{name}: no technician has the skill {j.skill!r} (skills here: {', '.join(sorted(skills)) or 'none'})")
        if j.bay_type not in kinds:
            problems.append(f"{name}: no bay of type {j.bay_type!r} (bay types here: {', '.join(sorted(kinds)) or 'none'})")
    if problems:
        raise ScheduleProblemError(problems)


def add_jobs_checked(repo: WorkshopRepository, jobs: list[NewJob]) -> list[uuid.UUID]:
    check_shop_can_do(repo, jobs)
    return repo.save_all(jobs=jobs)["jobs"]


@dataclass(frozen=True)
class SavedPlan:
    plan_id: uuid.UUID
    bookings: list[StoredBooking]
    cancelled: int
    shared: bool  # True: confirmed by the shared database; False: tentative until it confirms them


def save_plan(repo: WorkshopRepository, plan: Plan, problem: Problem) -> SavedPlan:
    """Write the plan's new bookings (frozen ones stay), replacing the planned bookings of the same jobs."""
    plan_id = uuid.uuid4()
    replanned = {b.job_id for b in plan.bookings if b.state == "planned"}
    left_out = {u.job_id for u in plan.unschedulable}
    live = repo.bookings.list(since=problem.start - timedelta(days=2))
    cancel = [b.id for b in live if (str(b.job_id) in replanned or str(b.job_id) in left_out)
              and _booking_state(b, problem.start) == "planned"]
    requests = [BookingRequest(uuid.UUID(b.job_id), uuid.UUID(b.bay_id), uuid.UUID(b.technician_id) if b.technician_id else None,
                               b.starts_at, b.ends_at, plan_id=plan_id)
                for b in plan.bookings if b.state == "planned"]
    written = repo.bookings.book_many(requests, cancel=cancel)
    for job_id in replanned:
        repo.set_job_status(uuid.UUID(job_id), "planned")
    waiting = {j.id for j in problem.jobs if any(p.state == "ordered" for p in j.parts)}
    for job_id in left_out & waiting:
        repo.set_job_status(uuid.UUID(job_id), "waiting_parts")
    return SavedPlan(plan_id, written, len(cancel), repo.bookings.shared)


# -- a job from a diagnosis, in one click ------------------------------------------------------------------

PRIORITY_BY_URGENCY = {"drive": 1, "drive with care": 2, "do not drive": 3}


def job_from_diagnosis(repo: WorkshopRepository, diagnosis: DiagnosisRecord, *, promised_at: datetime | None = None, customer_waiting: bool = False,
                       dropped_off_at: datetime | None = None, parts_eta: datetime | None = None, reference: str = "") -> uuid.UUID:
    """Book the diagnosis's proposed repair job (labour hours, skill, bay type, parts, urgency) as a job.

    ``diagnosis`` is a stored ``DiagnosisRecord`` (``storage/diagnoses.py``). One job per diagnosis:
    asking twice returns the job already made. Parts are taken as in stock unless ``parts_eta``
    says when they arrive. A job the shop cannot do raises ScheduleProblemError and saves nothing.
    """
    existing = repo.job_for_diagnosis(diagnosis.id)
    if existing is not None:
        return existing.id
    result = diagnosis.result or {}
    proposed = result.get("job")
    if not proposed:
        raise ScheduleProblemError([f"diagnosis {str(diagnosis.id)[:8]} proposes no repair job"])
    urgency = result.get("urgency", "drive")
    parts = [p for p in proposed.get("parts", []) if isinstance(p, str) and p.strip()]
    job = NewJob(
        title=str(proposed.get("title", "repair"))[:255], labour_hours=float(proposed.get("labour_hours", 1.0)),
        bay_type=str(proposed.get("bay_type", "diagnostic bay")), skill=str(proposed.get("skill", "")), reference=reference,
        vin=diagnosis.vin, vehicle_id=diagnosis.vehicle_id, diagnosis_id=diagnosis.id,
        urgency=urgency if urgency in PRIORITY_BY_URGENCY else "drive", priority=PRIORITY_BY_URGENCY.get(urgency, 1),
        customer_waiting=customer_waiting, dropped_off_at=dropped_off_at, promised_at=promised_at,
        status="waiting_parts" if parts and parts_eta else "new",
        parts=[_part(p, parts_eta) for p in parts],
        notes=f"from diagnosis {diagnosis.id} ({diagnosis.source}{', ' + diagnosis.model if diagnosis.model else ''})")
    return add_jobs_checked(repo, [job])[0]


def _part(name: str, eta: datetime | None) -> StoredPart:
    from carvrooom_desktop.storage.workshop import StoredPart

    return StoredPart(name[:255], eta, "ordered" if eta else "arrived")


__all__ = ["DEFAULT_HOURS", "SavedPlan", "add_jobs_checked", "check_shop_can_do", "job_from_diagnosis", "plan_in_force", "problem_from_store", "save_plan"]
