"""Small hand-checked workshops for the scheduling tests (times in one fixed zone, slots of 15 minutes).

A module of its own, imported as ``tests.workshop.sched_helpers``: ``from conftest import ...``
picks whichever directory's conftest pytest imported first when several directories run together.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from carvrooom_desktop.workshop.scheduling.domain import Bay, Break, Job, OpeningHours, Problem, Shift, Technician

TZ = timezone(timedelta(hours=1))
MONDAY = datetime(2026, 12, 7, 8, 0, tzinfo=TZ)
HOURS = tuple(OpeningHours(d, 8 * 60, 17 * 60) for d in range(5))  # Mon-Fri 08:00-17:00


def at(day: int, hh: int, mm: int = 0) -> datetime:
    """Monday + day, at hh:mm local."""
    return (MONDAY + timedelta(days=day)).replace(hour=hh, minute=mm)


def tech(tid: str, *skills: str, lunch: bool = True, start: int = 8 * 60, end: int = 17 * 60) -> Technician:
    breaks = (Break(12 * 60, 12 * 60 + 30),) if lunch else ()
    return Technician(tid, tid.title(), frozenset(skills), tuple(Shift(d, start, end, breaks) for d in range(5)))


def problem(jobs, bays=None, techs=None, *, days: int = 5, **kw) -> Problem:
    bays = bays if bays is not None else (Bay("lift", "Lift", "general lift"),)
    techs = techs if techs is not None else (tech("ana", "brakes", "general service", lunch=False),)
    return Problem(kw.pop("start", MONDAY), days, tuple(bays), tuple(techs), tuple(jobs), kw.pop("opening_hours", HOURS), **kw)


def job(jid: str, minutes: int, **kw) -> Job:
    kw.setdefault("bay_type", "general lift")
    kw.setdefault("skill", "brakes")
    return Job(jid, kw.pop("title", jid), minutes, **kw)
