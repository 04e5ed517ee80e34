"""The workshop's repositories: bays, technicians (shifts, absences), opening hours and jobs (parts,
dependencies). Bookings, with the no-double-booking guarantee, are in ``workshop_bookings.py``.

Records cross as plain frozen dataclasses of this module (storage knows nothing of the scheduler;
``carvrooom_desktop.workshop.shop`` maps them to its types). Every write is one transaction:
``save_all`` takes bays, technicians, opening hours and jobs together, so a file with one bad
item saves nothing. Times go in as aware datetimes and are stored in UTC.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar, cast

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from carvrooom_desktop.errors import InvalidRequest, NotFound
from carvrooom_desktop.storage.workshop_bookings import BookingConflict, BookingRepository, StoredBooking, from_db, to_db
from carvrooom_desktop.storage.workshop_models import (
    ABSENCE_KINDS,
    JOB_STATUSES,
    PART_STATUSES,
    WorkshopAbsenceRow,
    WorkshopBayRow,
    WorkshopJobDependencyRow,
    WorkshopJobPartRow,
    WorkshopJobRow,
    WorkshopOpeningHoursRow,
    WorkshopShiftRow,
    WorkshopTechnicianRow,
)


@dataclass(frozen=True)
class StoredBay:
    id: uuid.UUID
    name: str
    bay_type: str
    serves: tuple[str, ...] = ()
    active: bool = True


@dataclass(frozen=True)
class StoredShift:
    weekday: int
    starts_minute: int
    ends_minute: int
    breaks: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class StoredAbsence:
    starts_at: datetime
    ends_at: datetime
    kind: str = "holiday"
    note: str = ""


@dataclass(frozen=True)
class StoredTechnician:
    id: uuid.UUID
    name: str
    skills: tuple[str, ...]
    shifts: tuple[StoredShift, ...] = ()
    absences: tuple[StoredAbsence, ...] = ()
    active: bool = True


@dataclass(frozen=True)
class StoredPart:
    name: str
    eta: datetime | None = None
    status: str = "ordered"
    quantity: int = 1


@dataclass(frozen=True)
class StoredJob:
    id: uuid.UUID
    title: str
    labour_hours: float
    bay_type: str
    skill: str = ""
    reference: str = ""
    vin: str = ""
    vehicle_id: uuid.UUID | None = None
    diagnosis_id: uuid.UUID | None = None
    urgency: str = "drive"
    priority: int = 1
    customer_waiting: bool = False
    dropped_off_at: datetime | None = None
    promised_at: datetime | None = None
    status: str = "new"
    pinned_bay_id: uuid.UUID | None = None
    pinned_technician_id: uuid.UUID | None = None
    pinned_start: datetime | None = None
    notes: str = ""
    parts: tuple[StoredPart, ...] = ()
    after: tuple[tuple[uuid.UUID, int], ...] = ()  # (job it waits for, gap minutes)
    created_at: datetime | None = None
    version: int = 1


@dataclass
class NewJob:
    """A job to save; ``after`` names jobs by id, or by index into the same ``save_all`` batch (int)."""

    title: str
    labour_hours: float
    bay_type: str
    skill: str = ""
    reference: str = ""
    vin: str = ""
    vehicle_id: uuid.UUID | None = None
    diagnosis_id: uuid.UUID | None = None
    urgency: str = "drive"
    priority: int = 1
    customer_waiting: bool = False
    dropped_off_at: datetime | None = None
    promised_at: datetime | None = None
    status: str = "new"
    notes: str = ""
    parts: list[StoredPart] = field(default_factory=list)
    after: list[tuple[uuid.UUID | int, int]] = field(default_factory=list)
    id: uuid.UUID | None = None


def _check_job(job: NewJob) -> None:
    name = f"job {job.reference or job.title!r}"
    if not job.title.strip():
        raise InvalidRequest("a job needs a title")
    if not job.labour_hours > 0 or job.labour_hours > 200:
        raise InvalidRequest(f"{name}: labour hours must be between 0 and 200, got {job.labour_hours:g}")
    if not job.bay_type.strip():
        raise InvalidRequest(f"{name}: needs a bay type")
    if job.status not in JOB_STATUSES:
        raise InvalidRequest(f"{name}: status must be one of {', '.join(JOB_STATUSES)}, got {job.status!r}")
    if not 1 <= job.priority <= 5:
        raise InvalidRequest(f"{name}: priority must be 1..5, got {job.priority}")
    for p in job.parts:
        if p.status not in PART_STATUSES:
            raise InvalidRequest(f"{name}: part {p.name!r} status must be one of {', '.join(PART_STATUSES)}")


class WorkshopRepository:
    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin
        self.bookings = BookingRepository(engine, origin)

    # -- bays, technicians, opening hours -------------------------------------------------------------

    def add_bay(self, name: str, bay_type: str, serves: tuple[str, ...] = (), *, id: uuid.UUID | None = None) -> uuid.UUID:
        return self.save_all(bays=[StoredBay(id or uuid.uuid4(), name, bay_type, tuple(serves))])["bays"][0]

    def add_technician(self, name: str, skills: tuple[str, ...], shifts: tuple[StoredShift, ...] = (),
                       absences: tuple[StoredAbsence, ...] = (), *, id: uuid.UUID | None = None) -> uuid.UUID:
        return self.save_all(technicians=[StoredTechnician(id or uuid.uuid4(), name, tuple(skills), tuple(shifts), tuple(absences))])["technicians"][0]

    def add_absence(self, technician_id: uuid.UUID, absence: StoredAbsence) -> None:
        if absence.kind not in ABSENCE_KINDS:
            raise InvalidRequest(f"absence kind must be one of {', '.join(ABSENCE_KINDS)}, got {absence.kind!r}")
        if to_db(absence.ends_at) <= to_db(absence.starts_at):
            raise InvalidRequest("an absence must end after it starts")
        with Session(self.engine) as s, s.begin():
            if s.get(WorkshopTechnicianRow, technician_id) is None:
                raise NotFound(f"no technician {technician_id}")
            s.add(WorkshopAbsenceRow(technician_id=technician_id, starts_at=to_db(absence.starts_at), ends_at=to_db(absence.ends_at),
                                     kind=absence.kind, note=absence.note, origin=self.origin))

    def set_opening_hours(self, hours: list[tuple[int, int, int]]) -> None:
        """Replace the opening hours: (weekday 0 = Monday, opens minute, closes minute)."""
        for wd, a, b in hours:
            if not 0 <= wd <= 6 or not 0 <= a < b <= 1440:
                raise InvalidRequest(f"opening hours ({wd}, {a}, {b}): weekday 0..6 and 0 <= opens < closes <= 1440")
        with Session(self.engine) as s, s.begin():
            self._replace_hours(s, hours)

    def _replace_hours(self, s: Session, hours: Iterable[tuple[int, int, int]]) -> None:
        for row in s.scalars(select(WorkshopOpeningHoursRow).where(WorkshopOpeningHoursRow.deleted.is_(False))):
            row.deleted, row.version = True, row.version + 1
        for wd, a, b in hours:
            s.add(WorkshopOpeningHoursRow(weekday=wd, opens_minute=a, closes_minute=b, origin=self.origin))

    def opening_hours(self) -> list[tuple[int, int, int]]:
        with Session(self.engine) as s:
            rows = s.scalars(select(WorkshopOpeningHoursRow).where(WorkshopOpeningHoursRow.deleted.is_(False))
                             .order_by(WorkshopOpeningHoursRow.weekday, WorkshopOpeningHoursRow.opens_minute))
            return [(r.weekday, r.opens_minute, r.closes_minute) for r in rows]

    def bays(self, include_inactive: bool = False) -> list[StoredBay]:
        with Session(self.engine) as s:
            q = select(WorkshopBayRow).where(WorkshopBayRow.deleted.is_(False))
            if not include_inactive:
                q = q.where(WorkshopBayRow.active.is_(True))
            return [StoredBay(r.id, r.name, r.bay_type, tuple(r.serves or ()), r.active) for r in s.scalars(q.order_by(WorkshopBayRow.name))]

    def technicians(self, include_inactive: bool = False) -> list[StoredTechnician]:
        with Session(self.engine) as s:
            q = select(WorkshopTechnicianRow).where(WorkshopTechnicianRow.deleted.is_(False))
            if not include_inactive:
                q = q.where(WorkshopTechnicianRow.active.is_(True))
            techs = list(s.scalars(q.order_by(WorkshopTechnicianRow.name)))
            ids = [t.id for t in techs]
            shifts = list(s.scalars(select(WorkshopShiftRow).where(WorkshopShiftRow.technician_id.in_(ids), WorkshopShiftRow.deleted.is_(False))
                                    .order_by(WorkshopShiftRow.weekday, WorkshopShiftRow.starts_minute))) if ids else []
            absences = list(s.scalars(select(WorkshopAbsenceRow).where(WorkshopAbsenceRow.technician_id.in_(ids), WorkshopAbsenceRow.deleted.is_(False))
                                      .order_by(WorkshopAbsenceRow.starts_at))) if ids else []
            return [StoredTechnician(
                t.id, t.name, tuple(t.skills or ()),
                tuple(StoredShift(x.weekday, x.starts_minute, x.ends_minute, tuple(cast(tuple[int, int], tuple(b)) for b in x.breaks or ())) for x in shifts if x.technician_id == t.id),
                tuple(StoredAbsence(from_db(a.starts_at), from_db(a.ends_at), a.kind, a.note) for a in absences if a.technician_id == t.id),
                t.active) for t in techs]

    def find_bay(self, text: str) -> StoredBay:
        return _find(self.bays(), text, "bay")

    def find_technician(self, text: str) -> StoredTechnician:
        return _find(self.technicians(), text, "technician")

    # -- jobs ------------------------------------------------------------------------------------------

    def add_job(self, job: NewJob) -> uuid.UUID:
        return self.save_all(jobs=[job])["jobs"][0]

    def save_all(self, *, bays: Sequence[StoredBay] = (), technicians: Sequence[StoredTechnician] = (), jobs: Sequence[NewJob] = (),
                 opening_hours: list[tuple[int, int, int]] | None = None) -> dict[str, list[uuid.UUID]]:
        """Save everything in one transaction (all or nothing); the new ids by kind."""
        for job in jobs:
            _check_job(job)
        out: dict[str, list[uuid.UUID]] = {"bays": [], "technicians": [], "jobs": []}
        with Session(self.engine) as s, s.begin():
            if opening_hours is not None:
                self._replace_hours(s, opening_hours)
            for b in bays:
                if not b.name.strip() or not b.bay_type.strip():
                    raise InvalidRequest("a bay needs a name and a type")
                s.add(WorkshopBayRow(id=b.id, name=b.name, bay_type=b.bay_type, serves=list(b.serves), active=b.active, origin=self.origin))
                out["bays"].append(b.id)
            for t in technicians:
                if not t.name.strip():
                    raise InvalidRequest("a technician needs a name")
                s.add(WorkshopTechnicianRow(id=t.id, name=t.name, skills=list(t.skills), active=t.active, origin=self.origin))
                s.flush()  # no ORM relationships: the parent row first
                for x in t.shifts:
                    if not 0 <= x.starts_minute < x.ends_minute <= 1440:
                        raise InvalidRequest(f"technician {t.name}: a shift must end after it starts")
                    s.add(WorkshopShiftRow(technician_id=t.id, weekday=x.weekday, starts_minute=x.starts_minute, ends_minute=x.ends_minute,
                                           breaks=[list(b) for b in x.breaks], origin=self.origin))
                for a in t.absences:
                    s.add(WorkshopAbsenceRow(technician_id=t.id, starts_at=to_db(a.starts_at), ends_at=to_db(a.ends_at), kind=a.kind,
                                             note=a.note, origin=self.origin))
                out["technicians"].append(t.id)
            s.flush()
            ids = [job.id or uuid.uuid4() for job in jobs]
            for job, jid in zip(jobs, ids):
                s.add(WorkshopJobRow(
                    id=jid, reference=job.reference, title=job.title, vin=job.vin, vehicle_id=job.vehicle_id,
                    diagnosis_id=job.diagnosis_id, labour_hours=job.labour_hours, skill=job.skill, bay_type=job.bay_type,
                    urgency=job.urgency, priority=job.priority, customer_waiting=job.customer_waiting,
                    dropped_off_at=to_db(job.dropped_off_at), promised_at=to_db(job.promised_at), status=job.status,
                    notes=job.notes, origin=self.origin))
            s.flush()
            for job, jid in zip(jobs, ids):
                for p in job.parts:
                    s.add(WorkshopJobPartRow(job_id=jid, name=p.name, quantity=p.quantity, eta=to_db(p.eta), status=p.status, origin=self.origin))
                for ref, gap in job.after:
                    after = ids[ref] if isinstance(ref, int) else ref
                    if isinstance(ref, uuid.UUID) and s.get(WorkshopJobRow, ref) is None:
                        raise NotFound(f"job {job.reference or job.title!r} waits for job {ref}, which is not stored")
                    s.add(WorkshopJobDependencyRow(job_id=jid, after_job_id=after, min_gap_minutes=gap, origin=self.origin))
            out["jobs"] = ids
        return out

    def jobs(self, statuses: tuple[str, ...] | None = None, ids: list[uuid.UUID] | None = None) -> list[StoredJob]:
        with Session(self.engine) as s:
            q = select(WorkshopJobRow).where(WorkshopJobRow.deleted.is_(False))
            if statuses:
                q = q.where(WorkshopJobRow.status.in_(statuses))
            if ids is not None:
                q = q.where(WorkshopJobRow.id.in_(ids))
            rows = list(s.scalars(q.order_by(WorkshopJobRow.created_at, WorkshopJobRow.reference)))
            job_ids = [r.id for r in rows]
            parts = list(s.scalars(select(WorkshopJobPartRow).where(WorkshopJobPartRow.job_id.in_(job_ids), WorkshopJobPartRow.deleted.is_(False)))) if job_ids else []
            deps = list(s.scalars(select(WorkshopJobDependencyRow).where(WorkshopJobDependencyRow.job_id.in_(job_ids),
                                                                         WorkshopJobDependencyRow.deleted.is_(False)))) if job_ids else []
            return [StoredJob(
                r.id, r.title, r.labour_hours, r.bay_type, r.skill, r.reference, r.vin, r.vehicle_id, r.diagnosis_id, r.urgency, r.priority,
                r.customer_waiting, from_db(r.dropped_off_at), from_db(r.promised_at), r.status, r.pinned_bay_id, r.pinned_technician_id,
                from_db(r.pinned_start), r.notes,
                tuple(StoredPart(p.name, from_db(p.eta), p.status, p.quantity) for p in parts if p.job_id == r.id),
                tuple((d.after_job_id, d.min_gap_minutes) for d in deps if d.job_id == r.id), from_db(r.created_at), r.version)
                for r in rows]

    def job(self, job_id: uuid.UUID) -> StoredJob:
        found = self.jobs(ids=[job_id])
        if not found:
            raise NotFound(f"no job {job_id}")
        return found[0]

    def find_job(self, text: str) -> StoredJob:
        """A job by repair-order number, or by (a prefix of) its id."""
        with Session(self.engine) as s:
            rows = list(s.scalars(select(WorkshopJobRow.id).where(WorkshopJobRow.deleted.is_(False),
                                                                  or_(WorkshopJobRow.reference == text))))
        if len(rows) == 1:
            return self.job(rows[0])
        matches = [j for j in self.jobs() if str(j.id).startswith(text.lower())]
        if len(matches) == 1:
            return matches[0]
        raise NotFound(f"no job {text!r}" if not matches and not rows else f"{text!r} matches several jobs: give more of the id")

    def set_job_status(self, job_id: uuid.UUID, status: str) -> None:
        if status not in JOB_STATUSES:
            raise InvalidRequest(f"job status must be one of {', '.join(JOB_STATUSES)}, got {status!r}")
        with Session(self.engine) as s, s.begin():
            row = s.get(WorkshopJobRow, job_id)
            if row is None or row.deleted:
                raise NotFound(f"no job {job_id}")
            row.status, row.version = status, row.version + 1

    def pin_job(self, job_id: uuid.UUID, *, bay_id: uuid.UUID | None = None, technician_id: uuid.UUID | None = None,
                start: datetime | None = None) -> None:
        """The service manager's pin (any of bay, technician, start); all None clears it."""
        with Session(self.engine) as s, s.begin():
            row = s.get(WorkshopJobRow, job_id)
            if row is None or row.deleted:
                raise NotFound(f"no job {job_id}")
            row.pinned_bay_id, row.pinned_technician_id, row.pinned_start = bay_id, technician_id, to_db(start)
            row.version += 1

    def job_for_diagnosis(self, diagnosis_id: uuid.UUID) -> StoredJob | None:
        with Session(self.engine) as s:
            jid = s.scalar(select(WorkshopJobRow.id).where(WorkshopJobRow.diagnosis_id == diagnosis_id, WorkshopJobRow.deleted.is_(False)))
        return None if jid is None else self.job(jid)


class _Named(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def name(self) -> str: ...


_N = TypeVar("_N", bound=_Named)


def _find(items: Sequence[_N], text: str, kind: str) -> _N:
    exact = [x for x in items if x.name.lower() == text.lower() or str(x.id) == text.lower()]
    if len(exact) == 1:
        return exact[0]
    prefix = [x for x in items if str(x.id).startswith(text.lower()) or x.name.lower().startswith(text.lower())]
    if len(prefix) == 1:
        return prefix[0]
    if not prefix:
        raise NotFound(f"no {kind} {text!r} (known: {', '.join(x.name for x in items) or 'none'})")
    raise NotFound(f"{text!r} matches several {kind}s: {', '.join(x.name for x in prefix)}")


__all__ = [
    "BookingConflict", "BookingRepository", "NewJob", "StoredAbsence", "StoredBay", "StoredBooking", "StoredJob", "StoredPart",
    "StoredShift", "StoredTechnician", "WorkshopRepository", "from_db", "to_db",
]
