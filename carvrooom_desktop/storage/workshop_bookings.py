"""Bay bookings, never doubled: the shared database refuses a booking that loses a race.

PostgreSQL (the shared workshop database): two exclusion constraints of migration 0003 —
``EXCLUDE USING gist (bay_id WITH =, tstzrange(starts_at, ends_at) WITH &&)`` and the same on
``technician_id`` — over live bookings. Two workstations inserting overlapping bookings at once:
the second insert waits for the first transaction and fails with SQLSTATE 23P01 when it commits;
we turn that into ``BookingConflict`` naming the bay or technician and the booking that won. A
booking written there is *confirmed* at once.

SQLite (the embedded store, offline): no exclusion constraints, so the check and the insert run
inside one ``BEGIN IMMEDIATE`` transaction (SQLite's database-wide write lock: another writer
waits on ``busy_timeout`` and then sees the first one's rows). Bookings made there are
*tentative* until ``push_tentative`` has the shared database confirm (or reject) them.

Two racing inserts can also deadlock inside the constraint check (each waits for the other's
uncommitted row); PostgreSQL aborts one, and that transaction is simply retried: by then the
winner has committed and the retry gets the clean refusal.

Half-open ranges everywhere: a booking ending at 10:00 and one starting at 10:00 do not overlap.
"""

from __future__ import annotations

import builtins
import random
import time
import uuid
from dataclasses import dataclass
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import overload

from sqlalchemy import ColumnElement, Engine, and_, or_, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from carvrooom_desktop.errors import CarVrooomError, NotFound
from carvrooom_desktop.storage.workshop_models import (
    BOOKING_STATUSES, INACTIVE_BOOKING_STATUSES, WorkshopBayRow, WorkshopBookingRow, WorkshopJobRow, WorkshopTechnicianRow,
)

EXCLUSION_VIOLATION = "23P01"
RETRY_STATES = {"40P01", "40001"}  # deadlock detected, serialization failure: the race is retried
RETRIES = 6
CONSTRAINT_RESOURCE = {"ex_workshop_bookings_bay_time": "bay", "ex_workshop_bookings_technician_time": "technician"}


@overload
def to_db(t: datetime) -> datetime: ...
@overload
def to_db(t: None) -> None: ...
def to_db(t: datetime | None) -> datetime | None:
    if t is None:
        return None
    if t.tzinfo is None:
        raise ValueError(f"a time without a time zone cannot be stored: {t.isoformat()}")
    return t.astimezone(UTC)


@overload
def from_db(t: datetime) -> datetime: ...
@overload
def from_db(t: None) -> None: ...
def from_db(t: datetime | None) -> datetime | None:
    if t is None:
        return None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


@dataclass(frozen=True)
class BookingRequest:
    job_id: uuid.UUID
    bay_id: uuid.UUID
    technician_id: uuid.UUID | None
    starts_at: datetime
    ends_at: datetime
    status: str = ""  # "" = confirmed on the shared database, tentative on the embedded one
    plan_id: uuid.UUID | None = None
    id: uuid.UUID | None = None


@dataclass(frozen=True)
class StoredBooking:
    id: uuid.UUID
    job_id: uuid.UUID
    bay_id: uuid.UUID
    technician_id: uuid.UUID | None
    starts_at: datetime
    ends_at: datetime
    status: str
    plan_id: uuid.UUID | None
    confirmed_at: datetime | None
    reason: str
    origin: str
    version: int


class BookingConflict(CarVrooomError):
    """A booking overlaps a live one on the same bay or technician: the database refused it."""

    def __init__(self, message: str, *, resource: str = "", resource_name: str = "", conflicting: StoredBooking | None = None) -> None:
        super().__init__(message)
        self.resource = resource
        self.resource_name = resource_name
        self.conflicting = conflicting


def _stored(r: WorkshopBookingRow) -> StoredBooking:
    return StoredBooking(r.id, r.job_id, r.bay_id, r.technician_id, from_db(r.starts_at), from_db(r.ends_at), r.status, r.plan_id,
                         from_db(r.confirmed_at), r.reason, r.origin, r.version)


def _copy(r: WorkshopBookingRow) -> WorkshopBookingRow:
    """A fresh row with the same values (a row of a rolled-back session cannot be added again)."""
    return WorkshopBookingRow(id=r.id, job_id=r.job_id, bay_id=r.bay_id, technician_id=r.technician_id, starts_at=r.starts_at,
                              ends_at=r.ends_at, status=r.status, plan_id=r.plan_id, confirmed_at=r.confirmed_at, origin=r.origin)


def _live() -> ColumnElement[bool]:
    return and_(WorkshopBookingRow.deleted.is_(False), WorkshopBookingRow.status.notin_(INACTIVE_BOOKING_STATUSES))


class BookingRepository:
    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin

    @property
    def shared(self) -> bool:
        """True on the shared database (PostgreSQL): bookings are confirmed by its constraints."""
        return self.engine.dialect.name == "postgresql"

    # -- writing ---------------------------------------------------------------------------------------

    def book(self, request: BookingRequest) -> StoredBooking:
        """One booking; BookingConflict when the bay or technician is taken for any of that time."""
        return self.book_many([request])[0]

    def book_many(self, requests: list[BookingRequest], *, cancel: Sequence[uuid.UUID] = ()) -> list[StoredBooking]:
        """Cancel ``cancel`` and insert ``requests`` in one transaction: all of them, or none and BookingConflict."""
        for r in requests:
            if to_db(r.ends_at) <= to_db(r.starts_at):
                raise ValueError(f"a booking must end after it starts ({r.starts_at.isoformat()} - {r.ends_at.isoformat()})")
            if r.status and r.status not in BOOKING_STATUSES:
                raise ValueError(f"booking status must be one of {', '.join(BOOKING_STATUSES)}, got {r.status!r}")
        now = datetime.now(UTC)
        rows = [WorkshopBookingRow(
            id=r.id or uuid.uuid4(), job_id=r.job_id, bay_id=r.bay_id, technician_id=r.technician_id, starts_at=to_db(r.starts_at),
            ends_at=to_db(r.ends_at), status=r.status or ("confirmed" if self.shared else "tentative"), plan_id=r.plan_id,
            confirmed_at=now if (r.status or ("confirmed" if self.shared else "")) == "confirmed" else None, origin=self.origin)
            for r in requests]
        if self.shared:
            return self._insert_shared(rows, cancel)
        return self._insert_embedded(rows, cancel)

    def _insert_shared(self, rows: list[WorkshopBookingRow], cancel: Sequence[uuid.UUID]) -> list[StoredBooking]:
        for attempt in range(RETRIES):
            try:
                return self._insert_shared_once([_copy(r) for r in rows], cancel)
            except DBAPIError as e:
                state = getattr(getattr(e, "orig", None), "sqlstate", None)
                if state == EXCLUSION_VIOLATION:
                    diag = getattr(e.orig, "diag", None)
                    resource = CONSTRAINT_RESOURCE.get(getattr(diag, "constraint_name", "") or "", "bay")
                    raise self._conflict(self._failed_row(rows, resource) or rows[-1], resource) from e
                if state not in RETRY_STATES or attempt == RETRIES - 1:
                    raise
                # Two racing inserts can each wait for the other's uncommitted row while checking the
                # exclusion constraints: PostgreSQL aborts one with a deadlock. Try again: the winner has
                # committed by then, so the retry meets its row and gets a clean exclusion violation.
                time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))
        raise AssertionError("unreachable")

    def _insert_shared_once(self, rows: list[WorkshopBookingRow], cancel: Sequence[uuid.UUID]) -> list[StoredBooking]:
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            self._cancel(s, cancel)
            for row in rows:  # one flush per row: the failing row is the one named
                s.add(row)
                s.flush()
            return [_stored(r) for r in rows]

    def _failed_row(self, rows: list[WorkshopBookingRow], resource: str) -> WorkshopBookingRow | None:
        """Which of our rows collides with a committed booking (the transaction was rolled back)."""
        for row in rows:
            if self._overlapping(row, resource) is not None:
                return row
        return None

    def _insert_embedded(self, rows: list[WorkshopBookingRow], cancel: Sequence[uuid.UUID]) -> list[StoredBooking]:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite's write lock: check and insert as one step
            try:
                with Session(bind=conn, expire_on_commit=False) as s:
                    self._cancel(s, cancel)
                    s.flush()
                    for i, row in enumerate(rows):
                        for resource in ("bay", "technician"):
                            other = self._overlapping(row, resource, session=s) or self._overlapping_batch(row, rows[:i], resource)
                            if other is not None:
                                raise self._conflict(row, resource, other, session=s)
                        s.add(row)
                        s.flush()
                    out = [_stored(r) for r in rows]
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
        return out

    @staticmethod
    def _cancel(s: Session, ids: Iterable[uuid.UUID]) -> None:
        for bid in ids:
            row = s.get(WorkshopBookingRow, bid)
            if row is not None and row.status not in INACTIVE_BOOKING_STATUSES:
                row.status, row.version = "cancelled", row.version + 1

    def _overlapping(self, row: WorkshopBookingRow, resource: str, session: Session | None = None) -> WorkshopBookingRow | None:
        column = WorkshopBookingRow.bay_id if resource == "bay" else WorkshopBookingRow.technician_id
        value = row.bay_id if resource == "bay" else row.technician_id
        if value is None:
            return None
        q = (select(WorkshopBookingRow).where(_live(), column == value, WorkshopBookingRow.id != row.id,
                                              WorkshopBookingRow.starts_at < row.ends_at, WorkshopBookingRow.ends_at > row.starts_at)
             .order_by(WorkshopBookingRow.starts_at).limit(1))
        if session is not None:
            return session.scalars(q).first()
        with Session(self.engine) as s:
            found = s.scalars(q).first()
            if found is not None:
                s.expunge(found)
            return found

    @staticmethod
    def _overlapping_batch(row: WorkshopBookingRow, earlier: list[WorkshopBookingRow], resource: str) -> WorkshopBookingRow | None:
        for other in earlier:
            a, b = (row.bay_id, other.bay_id) if resource == "bay" else (row.technician_id, other.technician_id)
            if a is not None and a == b and other.starts_at < row.ends_at and other.ends_at > row.starts_at:
                return other
        return None

    def _conflict(self, row: WorkshopBookingRow, resource: str, other: WorkshopBookingRow | None = None,
                  session: Session | None = None) -> BookingConflict:
        def names(s: Session) -> tuple[str, str]:
            r: WorkshopBayRow | WorkshopTechnicianRow | None
            if resource == "bay":
                r = s.get(WorkshopBayRow, row.bay_id)
            else:
                r = s.get(WorkshopTechnicianRow, row.technician_id)
            job = s.get(WorkshopJobRow, other.job_id) if other is not None else None
            return (r.name if r else "?"), (job.reference or job.title if job else "")

        if other is None:
            other = self._overlapping(row, resource)
        if session is not None:
            who, job = names(session)
        else:
            with Session(self.engine) as s:
                who, job = names(s)
        when = f"{from_db(row.starts_at):%a %d %b %H:%M}-{from_db(row.ends_at):%H:%M} UTC"
        if other is None:
            msg = f"{resource} {who} is already booked for {when}; the booking was refused"
            return BookingConflict(msg, resource=resource, resource_name=who)
        theirs = f"{from_db(other.starts_at):%a %d %b %H:%M}-{from_db(other.ends_at):%H:%M} UTC"
        origin = f" from workstation {other.origin}" if other.origin and other.origin != self.origin else ""
        msg = (f"{resource} {who} is already booked {theirs} for job {job or other.job_id} (booking {str(other.id)[:8]}{origin}, "
               f"{other.status}); the booking for {when} was refused. Re-plan to pick another slot.")
        return BookingConflict(msg, resource=resource, resource_name=who, conflicting=_stored(other))

    def set_status(self, booking_id: uuid.UUID, status: str, reason: str = "") -> None:
        if status not in BOOKING_STATUSES:
            raise ValueError(f"booking status must be one of {', '.join(BOOKING_STATUSES)}, got {status!r}")
        with Session(self.engine) as s, s.begin():
            row = s.get(WorkshopBookingRow, booking_id)
            if row is None or row.deleted:
                raise NotFound(f"no booking {booking_id}")
            row.status, row.reason, row.version = status, reason, row.version + 1
            if status == "confirmed":
                row.confirmed_at = datetime.now(UTC)

    def cancel(self, booking_id: uuid.UUID) -> None:
        self.set_status(booking_id, "cancelled")

    # -- reading ---------------------------------------------------------------------------------------

    def list(self, *, since: datetime | None = None, until: datetime | None = None, bay_id: uuid.UUID | None = None,
             technician_id: uuid.UUID | None = None, job_id: uuid.UUID | None = None, live_only: bool = True) -> list[StoredBooking]:
        with Session(self.engine) as s:
            q = select(WorkshopBookingRow).where(WorkshopBookingRow.deleted.is_(False))
            if live_only:
                q = q.where(_live())
            if since is not None:
                q = q.where(WorkshopBookingRow.ends_at > to_db(since))
            if until is not None:
                q = q.where(WorkshopBookingRow.starts_at < to_db(until))
            if bay_id is not None:
                q = q.where(WorkshopBookingRow.bay_id == bay_id)
            if technician_id is not None:
                q = q.where(WorkshopBookingRow.technician_id == technician_id)
            if job_id is not None:
                q = q.where(WorkshopBookingRow.job_id == job_id)
            return [_stored(r) for r in s.scalars(q.order_by(WorkshopBookingRow.starts_at))]

    def tentative(self) -> builtins.list[StoredBooking]:  # builtins: ``list`` is a method here
        with Session(self.engine) as s:
            q = select(WorkshopBookingRow).where(WorkshopBookingRow.deleted.is_(False), WorkshopBookingRow.status == "tentative")
            return [_stored(r) for r in s.scalars(q.order_by(WorkshopBookingRow.starts_at))]


def push_tentative(local: BookingRepository, shared: BookingRepository) -> list[tuple[StoredBooking, str]]:
    """Ask the shared database to confirm each tentative local booking: (booking, "confirmed" | the refusal).

    The job, bay and technician rows must already be on the shared database (the sync engine's
    work; here a missing one is a refusal that says so). A refused booking stays in the local
    store as ``rejected`` with the reason, so the workstation shows it and re-plans.
    """
    out = []
    for b in local.tentative():
        try:
            shared.book(BookingRequest(b.job_id, b.bay_id, b.technician_id, b.starts_at, b.ends_at, "confirmed", b.plan_id, b.id))
        except BookingConflict as e:
            local.set_status(b.id, "rejected", str(e))
            out.append((b, str(e)))
            continue
        except IntegrityError as e:
            reason = f"the shared database lacks the job, bay or technician of this booking (sync them first): {str(e.orig).splitlines()[0]}"
            local.set_status(b.id, "rejected", reason)
            out.append((b, reason))
            continue
        local.set_status(b.id, "confirmed")
        out.append((b, "confirmed"))
    return out


__all__ = ["BookingConflict", "BookingRepository", "BookingRequest", "StoredBooking", "from_db", "push_tentative", "to_db"]
