"""A seeded workshop week: demo data for a fresh install, and the benchmarks' generator.

The job mix follows a general repair shop: quick services while the customer waits, brakes,
suspension work followed by an alignment, diagnostics, electrical and EV high-voltage work,
ADAS calibration after a windscreen, a few long engine/gearbox jobs that carry over to the
next day. Cars are dropped off in the morning (some during the day), promised for the same
evening or the next day; waiting customers are promised 30-60 minutes after the job's length.
Some jobs wait for parts (ETA the next morning). Technicians work early or late shifts with a
30-minute lunch break; one is on holiday mid-week. The same seed gives the same week.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from carvrooom_desktop.workshop.scheduling.domain import (
    Bay, Break, Dependency, Holiday, Job, OpeningHours, Part, Problem, Shift, Technician,
)

TZ = "Europe/Berlin"
WEEK = datetime(2026, 12, 7, 8, 0, tzinfo=ZoneInfo(TZ))  # a Monday

# title, hours (min, max), skill, bay type, weight in the mix, customer waits (probability)
CATALOGUE = (
    ("oil and filter service", (0.5, 1.0), "general service", "quick service", 18, 0.6),
    ("tyre change and balance", (0.5, 1.0), "general service", "quick service", 10, 0.7),
    ("inspection", (1.0, 2.0), "general service", "general lift", 12, 0.1),
    ("brake pads and discs", (1.0, 2.5), "brakes", "general lift", 12, 0.2),
    ("suspension struts", (2.0, 3.5), "general service", "general lift", 6, 0.0),
    ("engine fault diagnosis", (1.0, 2.0), "engine diagnostics", "diagnostic bay", 8, 0.2),
    ("electrical fault finding", (1.0, 3.0), "electrical", "diagnostic bay", 6, 0.0),
    ("network fault (CAN)", (1.0, 2.0), "network diagnostics", "diagnostic bay", 3, 0.0),
    ("EV battery and HV check", (1.5, 3.0), "high voltage", "ev high voltage", 5, 0.0),
    ("ADAS camera calibration", (1.0, 1.5), "adas calibration", "adas calibration", 4, 0.3),
    ("clutch replacement", (4.0, 6.0), "transmission", "general lift", 3, 0.0),
    ("timing belt and water pump", (3.0, 5.0), "engine diagnostics", "general lift", 3, 0.0),
    ("van leaf springs", (2.0, 4.0), "general service", "heavy lift", 3, 0.0),
)
SUSPENSION = "suspension struts"

BAY_MIX_12 = (("Lift 1", "general lift"), ("Lift 2", "general lift"), ("Lift 3", "general lift"), ("Lift 4", "general lift"),
              ("Heavy lift", "heavy lift"), ("Alignment", "alignment"), ("EV bay", "ev high voltage"),
              ("ADAS bay", "adas calibration"), ("Quick 1", "quick service"), ("Quick 2", "quick service"),
              ("Diagnosis 1", "diagnostic bay"), ("Diagnosis 2", "diagnostic bay"))
BAY_MIX_6 = (("Lift 1", "general lift"), ("Lift 2", "general lift"), ("Alignment", "alignment"), ("Quick", "quick service"),
             ("Diagnosis", "diagnostic bay"), ("EV/ADAS bay", "ev high voltage"))
SMALL_SHOP_SKILLS = (  # three or four mechanics cover everything between them
    {"general service", "brakes", "transmission"}, {"general service", "engine diagnostics", "electrical", "network diagnostics"},
    {"general service", "brakes", "high voltage", "adas calibration"}, {"general service", "brakes"},
)
SKILL_SETS = (
    {"general service", "brakes"}, {"general service", "brakes", "transmission"}, {"general service", "engine diagnostics"},
    {"electrical", "network diagnostics", "engine diagnostics"}, {"general service", "high voltage", "electrical"},
    {"general service", "adas calibration", "brakes"}, {"general service"}, {"general service", "brakes", "engine diagnostics"},
)


def _bays(n: int) -> tuple[Bay, ...]:
    mix = BAY_MIX_12 if n > 6 else BAY_MIX_6
    bays = []
    for i in range(n):
        name, kind = mix[i % len(mix)] if i < len(mix) else (f"Lift {i + 1}", "general lift")
        serves = frozenset({"general lift"}) if kind == "heavy lift" else frozenset({"adas calibration"}) if kind == "ev high voltage" and n <= 6 else frozenset()
        bays.append(Bay(f"bay-{i + 1:02d}", name, kind, serves))
    return tuple(bays)


def _technicians(n: int, rng: random.Random, start: datetime) -> tuple[Technician, ...]:
    names = ("Ana", "Ben", "Chloe", "Dev", "Emre", "Fatima", "Goran", "Hana", "Ivo", "Jonas", "Kasia", "Luca", "Mira",
             "Nils", "Olga", "Pavel", "Rosa", "Sven")
    out = []
    for i in range(n):
        early = i % 3 != 2
        hours = (480, 990, 720) if early else (570, 1080, 780)  # 08:00-16:30 or 09:30-18:00, lunch at 12:00 / 13:00
        shifts = tuple(Shift(d, hours[0], hours[1], (Break(hours[2], hours[2] + 30),)) for d in range(5))
        if i % 4 == 0:
            shifts += (Shift(5, 480, 780),)
        skills = set((SMALL_SHOP_SKILLS if n <= 4 else SKILL_SETS)[i % (4 if n <= 4 else len(SKILL_SETS))])
        absences: tuple[Holiday, ...] = ()
        if i == 1:  # on holiday Wednesday
            day = (start + timedelta(days=2)).replace(hour=0, minute=0)
            absences = (Holiday(day, day + timedelta(days=1), "holiday"),)
        out.append(Technician(f"tech-{i + 1:02d}", names[i % len(names)], frozenset(skills), shifts, absences))
    return tuple(out)


def sample_week(jobs: int = 50, bays: int = 6, technicians: int = 3, *, seed: int = 0, days: int = 7,
                workdays: int = 5, start: datetime = WEEK) -> Problem:
    """A week of ``jobs`` jobs dropped off over the first ``workdays`` days."""
    rng = random.Random(seed)
    hours = tuple(OpeningHours(d, 450, 1110) for d in range(5)) + (OpeningHours(5, 480, 780),)  # 07:30-18:30, Sat 08-13
    bay_list = _bays(bays)
    techs = _technicians(technicians, rng, start)
    bay_kinds = {b.bay_type for b in bay_list} | {k for b in bay_list for k in b.serves}
    all_skills = {k for t in techs for k in t.skills}
    catalogue = [c for c in CATALOGUE if c[3] in bay_kinds and c[2] in all_skills]  # only work this shop takes
    weights = [c[4] for c in catalogue]
    out: list[Job] = []
    tz = start.tzinfo
    n = -1
    while len(out) < jobs:
        n += 1
        title, (h0, h1), skill, bay_type, _w, p_wait = rng.choices(catalogue, weights)[0]
        minutes = int(round(rng.uniform(h0, h1) * 4)) * 15
        day = min(workdays - 1, int(len(out) * workdays / jobs))
        base = (start + timedelta(days=day)).astimezone(tz).replace(hour=8, minute=0)
        waiting = rng.random() < p_wait
        drop = base + timedelta(minutes=15 * rng.randrange(0, 28 if waiting else 8))
        if waiting:
            promised = drop + timedelta(minutes=minutes + rng.choice((30, 45, 60)))
        elif minutes > 240 or rng.random() < 0.3:
            promised = (drop + timedelta(days=1)).replace(hour=17, minute=0)
        else:
            promised = drop.replace(hour=rng.choice((16, 17, 17, 18)), minute=0)
        parts: tuple[Part, ...] = ()
        if not waiting and rng.random() < 0.15:
            eta = drop.replace(hour=rng.choice((10, 13, 15)), minute=0)
            parts = (Part(f"{title} parts", eta, "ordered"),)
        priority = rng.choices((1, 2, 3), (70, 22, 8))[0]
        job = Job(f"J{n + 1:03d}", title, minutes, bay_type, skill, parts, waiting, drop, promised, priority,
                  reference=f"RO-{1000 + n + 1}")
        out.append(job)
        if title == SUSPENSION and len(out) < jobs:  # alignment after suspension work
            out.append(Job(f"J{n + 1:03d}A", "wheel alignment", 60, "alignment", "general service", (), False, drop,
                           promised + timedelta(hours=1), priority, after=(Dependency(job.id, 0),), reference=f"RO-{1000 + n + 1}"))
    return Problem(start, days, bay_list, techs, tuple(out), hours, TZ, name=f"sample week ({jobs} jobs, seed {seed})")


def overloaded_week(seed: int = 0) -> Problem:
    """200 jobs, 12 bays, 15 technicians: more work than fits before the promises."""
    return sample_week(200, 12, 15, seed=seed, workdays=4)


__all__ = ["CATALOGUE", "TZ", "WEEK", "overloaded_week", "sample_week"]
