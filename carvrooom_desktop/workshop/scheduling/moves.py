"""One manual move on the Gantt: where the job would go, or in the front office's words why it cannot.

``MoveChecker`` is built once per drag (the job is compiled against every other booking, which
stays where it is and blocks its bay and technician) and answers ``check(bay, technician, start)``
in well under a millisecond, so the Schedule page can check every slot the pointer passes.
The rules are the planners' own (``compile`` for releases and splitting at breaks, the
dispatcher's ``Timeline`` placement); the checker only adds the words: the bay type, the skill,
the booking in the way, the shift or break, the part still on its way, the job it waits for.
``earliest()`` is the first slot any bay and technician have free: a job booked in one click.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from carvrooom_desktop.workshop.scheduling.calendar import workshop_tz
from carvrooom_desktop.workshop.scheduling.compile import SlotJob, compile_problem
from carvrooom_desktop.workshop.scheduling.domain import SLOT_MINUTES, Booking, Problem, Technician, minute_text
from carvrooom_desktop.workshop.scheduling.greedy import Timeline, _exact, place
from carvrooom_desktop.workshop.scheduling.objective import Placement
from carvrooom_desktop.workshop.scheduling.solve import bookings_of


@dataclass(frozen=True)
class MoveCheck:
    ok: bool
    reason: str = ""  # why not (empty when ok)
    bookings: tuple[Booking, ...] = ()  # where the job goes (split at the technician's breaks)
    warnings: tuple[str, ...] = ()  # allowed, but worth saying: the promise is missed

    @property
    def starts_at(self) -> datetime | None:
        return min((b.starts_at for b in self.bookings), default=None)

    @property
    def ends_at(self) -> datetime | None:
        return max((b.ends_at for b in self.bookings), default=None)


class MoveChecker:
    def __init__(self, problem: Problem, job_id: str, bookings: Sequence[Booking]) -> None:
        self.problem = problem
        self.job = problem.job(job_id)
        self.tz = workshop_tz(problem.timezone, problem.start)
        self.others = [b for b in bookings if b.job_id != job_id and b.ends_at > problem.start]
        self._labels = {j.id: j.label for j in problem.jobs}
        self.refusal = ""
        if self.job.state in ("in_progress", "done"):
            self.refusal = f"{self.job.label} is {self.job.state.replace('_', ' ')}: it stays where it is"
        elif any(b.job_id == job_id and b.state in ("in_progress", "done") for b in bookings):
            self.refusal = f"{self.job.label} has started: it stays where it is"
        job = replace(self.job, pin=None, state="new")
        blocking = tuple(replace(b, state="in_progress") for b in self.others)
        self.sp = compile_problem(replace(problem, jobs=(job,), previous=blocking, carry_over=True))
        if not self.refusal and not self.sp.jobs:
            why = next((u.reason for u in self.sp.unschedulable if u.job_id == job_id), "it cannot be scheduled")
            self.refusal = f"{self.job.label}: {self._named(why)}"
        self._sj = self.sp.jobs[0] if self.sp.jobs else None
        self._bay_index = {b.id: i for i, b in enumerate(problem.bays)}
        self._tech_index = {t.id: i for i, t in enumerate(problem.technicians)}

    # -- answers ----------------------------------------------------------------------------------------

    def check(self, bay_id: str, technician_id: str | None, starts_at: datetime) -> MoveCheck:
        """Can the job start at ``starts_at`` on this bay with this technician (None: keep none)?"""
        if self.refusal:
            return MoveCheck(False, self.refusal)
        sj, sp, job = self.sj, self.sp, self.job
        why = self._resource_reason(bay_id, technician_id)
        if why:
            return MoveCheck(False, why)
        if not job.skill:
            technician_id = None
        b, t = self._bay_index[bay_id], self._tech_index.get(technician_id) if technician_id else None
        axis = sp.axis
        if starts_at < self.problem.start:
            return MoveCheck(False, f"{self._at(starts_at)} is in the past")
        s = axis.first_slot_from(starts_at)
        if s >= sp.horizon:
            return MoveCheck(False, f"{self._at(starts_at)} is after the planning horizon")
        if axis.start_of(s) != starts_at:
            return MoveCheck(False, f"the workshop is closed at {self._at(starts_at)} (it opens {self._at(axis.start_of(s))})")
        if s < sj.release:
            return MoveCheck(False, self._release_reason(starts_at))
        d = next(d for bay, d in sj.bays if bay == b)
        p = _exact(sp, sj, b, d, t, s, self._timelines("bay"), self._timelines("tech"))
        if p is None:
            return MoveCheck(False, self._conflict_reason(b, t, s, d))
        return self._answer(p)

    def earliest(self) -> MoveCheck:
        """The first free slot on any bay and technician that can take the job, others left where they are."""
        if self.refusal:
            return MoveCheck(False, self.refusal)
        p = place(self.sp, self.sj, self.sj.release, self._timelines("bay"), self._timelines("tech"))
        if p is None:
            return MoveCheck(False, f"{self.job.label}: no free slot in the planning horizon")
        return self._answer(p)

    # -- helpers ------------------------------------------------------------------------------------------

    @property
    def sj(self) -> SlotJob:
        """The job at slot level (only asked for when the job is not refused outright)."""
        assert self._sj is not None, self.refusal
        return self._sj

    def _answer(self, p: Placement) -> MoveCheck:
        bookings = tuple(bookings_of(self.sp, {self.sj.index: p}))
        end = max(x.ends_at for x in bookings)
        for other in self.problem.jobs:  # a job that waits for this one must still start after it
            for dep in other.after:
                if dep.job_id != self.job.id:
                    continue
                theirs = [x.starts_at for x in self.others if x.job_id == other.id]
                if theirs and min(theirs) < end + _minutes(dep.gap_minutes):
                    return MoveCheck(False, f"{other.label} waits for this job and starts {self._at(min(theirs))}; "
                                            f"this job would end {self._at(end)}")
        warnings: tuple[str, ...] = ()
        if self.job.promised_at is not None and end > self.job.promised_at:
            warnings = (f"{self.job.label} would end {self._at(end)}, after its promise {self._at(self.job.promised_at)}",)
        return MoveCheck(True, "", bookings, warnings)

    def _timelines(self, kind: str) -> list[Timeline]:
        return [Timeline(r) for r in (self.sp.bay_blocked if kind == "bay" else self.sp.tech_blocked)]

    def _resource_reason(self, bay_id: str, technician_id: str | None) -> str:
        job, sj = self.job, self.sj
        if bay_id not in self._bay_index:
            return f"no bay {bay_id!r}"
        bay = self.problem.bays[self._bay_index[bay_id]]
        if not any(i == self._bay_index[bay_id] for i, _d in sj.bays):
            if job.bay_minutes:
                return f"{bay.name} is not one of the bays allowed for {job.label}"
            return f"{bay.name} is {_a(bay.bay_type)} bay; {job.label} needs {_a(job.bay_type)} bay"
        if not job.skill:
            return ""
        if technician_id is None:
            return f"{job.label} needs a technician with the skill {job.skill!r}"
        if technician_id not in self._tech_index:
            return f"no technician {technician_id!r}"
        tech = self.problem.technicians[self._tech_index[technician_id]]
        if job.skill not in tech.skills:
            return f"{tech.name} lacks the skill {job.skill!r} that {job.label} needs"
        if self._tech_index[technician_id] not in sj.techs:
            return f"{tech.name} is off for the whole planning horizon"
        return ""

    def _release_reason(self, starts_at: datetime) -> str:
        job = self.job
        for part in job.parts:
            if part.state == "ordered" and part.eta is not None and part.eta > starts_at:
                return f"the part {part.name!r} arrives {self._at(part.eta)}"
        if job.dropped_off_at is not None and job.dropped_off_at > starts_at:
            return f"the car is dropped off {self._at(job.dropped_off_at)}"
        for dep in job.after:
            ends = [b.ends_at for b in self.others if b.job_id == dep.job_id]
            if ends and max(ends) + _minutes(dep.gap_minutes) > starts_at:
                return f"it waits for {self._labels.get(dep.job_id, dep.job_id)}, which ends {self._at(max(ends))}"
        return f"it cannot start before {self._at(self.sp.axis.start_of(min(self.sj.release, self.sp.horizon - 1)))}"

    def _conflict_reason(self, b: int, t: int | None, s: int, d: int) -> str:
        sp, axis = self.sp, self.sp.axis
        bay = self.problem.bays[b]
        end = min(s + d, sp.horizon)
        if s + d > sp.horizon:
            return f"{self.job.hours:g} h from {self._at(axis.start_of(s))} does not fit before the end of the planning horizon"
        for other in self.others:
            i, j = axis.slots_overlapping(other.starts_at, other.ends_at)
            if other.bay_id == bay.id and i < end and j > s:
                return f"{bay.name} is taken by {self._labels.get(other.job_id, other.job_id)} {self._span(other)}"
        for a, z in bay.out_of_service:
            i, j = axis.slots_overlapping(a, z)
            if i < end and j > s:
                return f"{bay.name} is out of service {self._at(a)}-{z.astimezone(self.tz):%H:%M}"
        if t is None:
            return f"{bay.name} is not free long enough from {self._at(axis.start_of(s))}"
        tech = self.problem.technicians[t]
        for other in self.others:
            i, j = axis.slots_overlapping(other.starts_at, other.ends_at)
            if other.technician_id == tech.id and i < end and j > s:
                return f"{tech.name} is working on {self._labels.get(other.job_id, other.job_id)} {self._span(other)}"
        for absence in tech.absences:
            i, j = axis.slots_overlapping(absence.starts_at, absence.ends_at)
            if i < end and j > s:
                return f"{tech.name} is off ({absence.kind}) {self._at(absence.starts_at)} - {self._at(absence.ends_at)}"
        return self._shift_reason(tech, s, end)

    def _shift_reason(self, tech: Technician, s: int, end: int) -> str:
        axis = self.sp.axis
        for k in range(s, end):
            local = axis.local(k)
            minute = local.hour * 60 + local.minute
            shifts = [x for x in tech.shifts if x.weekday == local.weekday() and x.starts_minute <= minute
                      and minute + SLOT_MINUTES <= x.ends_minute]
            if tech.shifts and not shifts:
                if k == s:
                    return f"{tech.name} is not on shift at {self._at(axis.start_of(k))}"
                return f"{tech.name}'s shift ends {self._at(axis.start_of(k))}: {self.job.hours:g} h do not fit before"
            for shift in shifts:
                for br in shift.breaks:
                    if br.starts_minute < minute + SLOT_MINUTES and minute < br.ends_minute:
                        return (f"it would run into {tech.name}'s break {minute_text(br.starts_minute)}-"
                                f"{minute_text(br.ends_minute)} on {local:%a}")
        return f"{tech.name} is not free long enough from {self._at(axis.start_of(s))}"

    def _at(self, t: datetime) -> str:
        return f"{t.astimezone(self.tz):%a %d %b %H:%M}"

    def _span(self, b: Booking) -> str:
        return f"{self._at(b.starts_at)}-{b.ends_at.astimezone(self.tz):%H:%M}"

    def _named(self, reason: str) -> str:
        for job_id, label in self._labels.items():
            reason = reason.replace(f"job {job_id},", f"{label},")
        return reason


def _a(kind: str) -> str:
    return f"{'an' if kind[:1].lower() in 'aeiou' else 'a'} {kind}"


def _minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def check_move(problem: Problem, job_id: str, bookings: Sequence[Booking], *, bay_id: str, technician_id: str | None,
               starts_at: datetime) -> MoveCheck:
    """One-off check (the page keeps a ``MoveChecker`` for a whole drag)."""
    return MoveChecker(problem, job_id, bookings).check(bay_id, technician_id, starts_at)


__all__ = ["MoveCheck", "MoveChecker", "check_move"]
