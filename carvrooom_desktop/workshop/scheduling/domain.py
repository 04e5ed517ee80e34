"""The workshop as the scheduler sees it: plain frozen dataclasses, no I/O, no solver.

Times are timezone-aware datetimes; shifts and opening hours are wall-clock minutes of the
day (0..1440) in the workshop's time zone. Ids are strings (the store's UUIDs as text, or
the ids of a problem file). A job's ``skill`` may be empty: then no technician is needed
(the classic job-shop benchmarks run through the same model that way).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

SLOT_MINUTES = 15
URGENCIES = ("drive", "drive with care", "do not drive")
JOB_STATES = ("new", "waiting_parts", "planned", "in_progress", "done", "cancelled")
PART_STATES = ("ordered", "arrived", "unavailable")
ABSENCE_KINDS = ("holiday", "sick", "training", "other")
# The scheduler's bay types: the diagnosis vocabulary's four plus the special bays of a modern shop.
BAY_TYPES = ("general lift", "heavy lift", "alignment", "ev high voltage", "adas calibration", "quick service",
             "diagnostic bay")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def minute_text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True, slots=True)
class Break:
    starts_minute: int
    ends_minute: int


@dataclass(frozen=True, slots=True)
class Shift:
    """A weekly shift: weekday 0 = Monday."""

    weekday: int
    starts_minute: int
    ends_minute: int
    breaks: tuple[Break, ...] = ()


@dataclass(frozen=True, slots=True)
class Holiday:
    """Any absence of a technician (holiday, sick, training): not available in [starts_at, ends_at)."""

    starts_at: datetime
    ends_at: datetime
    kind: str = "holiday"
    note: str = ""


@dataclass(frozen=True, slots=True)
class OpeningHours:
    weekday: int
    opens_minute: int
    closes_minute: int


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    eta: datetime | None = None  # None with state "ordered": nobody knows when it comes
    state: str = "ordered"  # ordered | arrived | unavailable
    quantity: int = 1


@dataclass(frozen=True, slots=True)
class Dependency:
    """This job starts only ``gap_minutes`` after ``job_id`` ended (alignment after suspension work)."""

    job_id: str
    gap_minutes: int = 0


@dataclass(frozen=True, slots=True)
class Pin:
    """A manual pin of the service manager: any of bay, technician and start may be fixed."""

    bay_id: str | None = None
    technician_id: str | None = None
    starts_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    title: str
    minutes: int  # labour time
    bay_type: str
    skill: str = ""  # "" = no technician needed
    parts: tuple[Part, ...] = ()
    customer_waiting: bool = False
    dropped_off_at: datetime | None = None  # the car is here from then on (the release time)
    promised_at: datetime | None = None
    priority: int = 1  # 1 (normal) .. 5 (most important)
    urgency: str = "drive"
    after: tuple[Dependency, ...] = ()
    # Bays allowed for this job with their own labour minutes (an older alignment rig is slower);
    # empty = every bay serving ``bay_type``, at ``minutes``.
    bay_minutes: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    state: str = "new"
    pin: Pin | None = None
    vin: str = ""
    reference: str = ""  # the shop's repair-order number

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def label(self) -> str:
        name = self.reference or self.id
        return f"{name} ({self.title})" if self.title and self.title != name else name


@dataclass(frozen=True, slots=True)
class Bay:
    id: str
    name: str
    bay_type: str
    serves: frozenset[str] = frozenset()  # further bay types it can take: a heavy lift takes general lift work
    out_of_service: tuple[tuple[datetime, datetime], ...] = ()

    def takes(self, bay_type: str) -> bool:
        return bay_type == self.bay_type or bay_type in self.serves


@dataclass(frozen=True, slots=True)
class Technician:
    id: str
    name: str
    skills: frozenset[str]
    shifts: tuple[Shift, ...] = ()
    absences: tuple[Holiday, ...] = ()


@dataclass(frozen=True, slots=True)
class Booking:
    """One job on one bay (and technician) for [starts_at, ends_at)."""

    job_id: str
    bay_id: str
    technician_id: str | None
    starts_at: datetime
    ends_at: datetime
    state: str = "planned"  # planned | in_progress | done (in a plan); the store adds tentative/confirmed
    part: int = 0  # long jobs split at technicians' breaks: part 0, 1, ... on the same bay and technician
    parts: int = 1


@dataclass(frozen=True, slots=True)
class Unschedulable:
    job_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Weights:
    """Integer weights of the objective (CP-SAT needs integers). Units: 15-minute slots."""

    lateness: int = 10  # per slot late x job weight (priority, x2 when the customer waits)
    completion: int = 1  # per slot of each job's end: work starts as soon as it can, bays are not left idle
    unscheduled: int = 20  # per slot of horizon a job is pushed past (carry-over) x job weight
    moved_promise: int = 200  # per already promised job whose booking moves
    makespan: int = 0  # job-shop benchmarks: the end of the last job


@dataclass(frozen=True)
class Problem:
    start: datetime
    days: int
    bays: tuple[Bay, ...]
    technicians: tuple[Technician, ...]
    jobs: tuple[Job, ...]
    opening_hours: tuple[OpeningHours, ...] = ()  # empty = open around the clock
    timezone: str = ""  # IANA name for wall-clock hours; "" = the offset of ``start``
    previous: tuple[Booking, ...] = ()  # the plan in force: hint, frozen jobs, moves of promised jobs
    weights: Weights = Weights()
    carry_over: bool = True  # jobs that do not fit the horizon go to the carry-over queue (else: infeasible)
    name: str = ""

    def job(self, job_id: str) -> Job:
        for j in self.jobs:
            if j.id == job_id:
                return j
        raise KeyError(job_id)


@dataclass(frozen=True)
class Plan:
    bookings: tuple[Booking, ...]
    unschedulable: tuple[Unschedulable, ...]
    status: str  # OPTIMAL | FEASIBLE | GREEDY (the dispatcher's plan) | INFEASIBLE
    objective: int
    greedy_objective: int
    best_bound: float
    weighted_lateness: int  # minutes late x job weight
    wall_time_s: float
    solver: str  # "cp-sat" | "greedy"
    first_plan_s: float = 0.0  # when the first complete plan (the dispatcher's) was ready
    greedy_weighted_lateness: int = 0
    makespan_minutes: int = 0
    moved: tuple[str, ...] = ()  # already promised jobs whose booking moved against the previous plan
    notes: tuple[str, ...] = ()

    @property
    def gap(self) -> float:
        """Relative gap between the objective and the best bound (0 when proven optimal)."""
        if self.status == "OPTIMAL":
            return 0.0
        if self.objective == 0:
            return 0.0 if self.best_bound >= 0 else 1.0
        return max(0.0, (self.objective - self.best_bound) / abs(self.objective))

    def bookings_of(self, job_id: str) -> list[Booking]:
        return [b for b in self.bookings if b.job_id == job_id]

    def end_of(self, job_id: str) -> datetime | None:
        ends = [b.ends_at for b in self.bookings if b.job_id == job_id]
        return max(ends) if ends else None

    def start_of(self, job_id: str) -> datetime | None:
        starts = [b.starts_at for b in self.bookings if b.job_id == job_id]
        return min(starts) if starts else None


__all__ = [
    "ABSENCE_KINDS", "BAY_TYPES", "JOB_STATES", "PART_STATES", "SLOT_MINUTES", "URGENCIES", "WEEKDAYS",
    "Bay", "Booking", "Break", "Dependency", "Holiday", "Job", "OpeningHours", "Part", "Pin", "Plan", "Problem",
    "Shift", "Technician", "Unschedulable", "Weights", "minute_text",
]
