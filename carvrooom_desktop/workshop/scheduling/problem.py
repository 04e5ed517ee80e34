"""The JSON problem format (``resources/schedule/problem.schema.json``): load, validate, write.

Validation is by hand so that every message names the item and says what is wrong with it
(``jobs[3] "RO-1004": hours must be a positive number, got -2``); all problems of a file are
collected and raised together as one ``ScheduleProblemError``, so nothing is taken from a
half-valid file. What is well-formed but cannot be planned (a skill nobody has, a bay type the
shop lacks, parts that never come) is not an input error here: the plan lists such jobs with
the reason. ``check_staffed`` turns those into errors for callers that save jobs to the store.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from carvrooom_desktop.workshop.scheduling.domain import (
    ABSENCE_KINDS, JOB_STATES, PART_STATES, URGENCIES, WEEKDAYS, Bay, Booking, Break, Dependency, Holiday, Job,
    OpeningHours, Part, Pin, Plan, Problem, Shift, Technician, Weights, minute_text,
)
from carvrooom_desktop.workshop.scheduling.errors import ScheduleProblemError

FORMAT = "carvrooom-schedule-problem/1"
SCHEMA_PATH = Path(__file__).resolve().parents[3] / "resources" / "schedule" / "problem.schema.json"
TOP_KEYS = {"format", "name", "start", "days", "timezone", "opening_hours", "bays", "technicians", "jobs", "previous",
            "weights", "carry_over"}
BAY_KEYS = {"id", "name", "type", "serves", "out_of_service"}
TECH_KEYS = {"id", "name", "skills", "shifts", "absences"}
SHIFT_KEYS = {"days", "start", "end", "breaks"}
JOB_KEYS = {"id", "title", "hours", "skill", "bay_type", "parts", "customer_waiting", "dropped_off", "promised", "priority",
            "urgency", "after", "bays", "state", "pin", "vin", "reference"}
PART_KEYS = {"name", "eta", "state", "quantity"}
BOOKING_KEYS = {"job", "bay", "technician", "start", "end", "state"}
MAX_DAYS = 62


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def keys(self, where: str, obj: Any, allowed: set[str], required: tuple[str, ...] = ()) -> bool:
        if not isinstance(obj, dict):
            self.fail(where, f"must be an object, got {type(obj).__name__}")
            return False
        for key in sorted(set(obj) - allowed):
            self.fail(where, f"unknown key {key!r} (expected one of: {', '.join(sorted(allowed))})")
        for key in required:
            if key not in obj:
                self.fail(where, f"missing {key!r}")
        return True

    def text(self, where: str, obj: dict[str, Any], key: str, *, required: bool = False, default: str = "") -> str:
        value = obj.get(key, None)
        if value is None:
            if required:
                return ""  # reported by keys()
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(where, f"{key} must be a non-empty text, got {value!r}")
            return default
        return value.strip()

    def number(self, where: str, obj: dict[str, Any], key: str, *, positive: bool = True, default: float | None = None) -> float | None:
        value = obj.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.fail(where, f"{key} must be a number, got {value!r}")
            return None
        if positive and value <= 0:
            self.fail(where, f"{key} must be a positive number, got {value:g}")
            return None
        return float(value)

    def integer(self, where: str, obj: dict[str, Any], key: str, lo: int, hi: int, default: int) -> int:
        value = obj.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            self.fail(where, f"{key} must be a whole number from {lo} to {hi}, got {value!r}")
            return default
        return value

    def flag(self, where: str, obj: dict[str, Any], key: str, default: bool = False) -> bool:
        value = obj.get(key, default)
        if not isinstance(value, bool):
            self.fail(where, f"{key} must be true or false, got {value!r}")
            return default
        return value

    def when(self, where: str, obj: dict[str, Any], key: str, *, required: bool = False) -> datetime | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(where, f"{key} must be an ISO 8601 date-time text, got {value!r}")
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(where, f"{key} {value!r} is not an ISO 8601 date-time (e.g. 2026-12-07T08:00:00+01:00)")
            return None
        if parsed.tzinfo is None:
            self.fail(where, f"{key} {value!r} needs a UTC offset (e.g. +01:00 or Z)")
            return None
        return parsed

    def clock(self, where: str, obj: dict[str, Any], key: str) -> int | None:
        value = obj.get(key)
        if value is None:
            return None  # reported as missing
        if not isinstance(value, str) or len(value) != 5 or value[2] != ":" or not (value[:2] + value[3:]).isdigit():
            self.fail(where, f"{key} must be a time of day HH:MM, got {value!r}")
            return None
        h, m = int(value[:2]), int(value[3:])
        if h > 24 or m > 59 or h == 24 and m:
            self.fail(where, f"{key} {value!r} is not a time of day")
            return None
        return h * 60 + m

    def weekdays(self, where: str, obj: dict[str, Any]) -> list[int]:
        days = obj.get("days")
        if not isinstance(days, list) or not days:
            self.fail(where, f"days must be a list of weekdays ({', '.join(WEEKDAYS)}), got {days!r}")
            return []
        out = []
        for d in days:
            if not isinstance(d, str) or d.lower()[:3] not in WEEKDAYS:
                self.fail(where, f"{d!r} is not a weekday (use {', '.join(WEEKDAYS)})")
            else:
                out.append(WEEKDAYS.index(d.lower()[:3]))
        return out

    def strings(self, where: str, obj: dict[str, Any], key: str) -> list[str]:
        value = obj.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(where, f"{key} must be a list of non-empty texts, got {value!r}")
            return []
        return [v.strip() for v in value]

    def items(self, where: str, data: dict[str, Any], key: str) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.fail(where, f"{key} must be a list, got {type(value).__name__}")
            return []
        return value


def _label(kind: str, i: int, obj: Any) -> str:
    if isinstance(obj, dict) and isinstance(obj.get("id"), str):
        name = obj.get("name") if isinstance(obj.get("name"), str) else ""
        return f'{kind}[{i}] "{obj["id"]}"' + (f" ({name})" if name and name != obj["id"] else "")
    return f"{kind}[{i}]"


def problem_from_dict(data: Any, source: str = "") -> Problem:
    """A Problem from parsed JSON; raises ScheduleProblemError naming every item that is wrong."""
    c = _Checker()
    if not c.keys("problem", data, TOP_KEYS, ("start", "days", "bays", "jobs")):
        raise ScheduleProblemError(c.problems, source)
    if data.get("format", FORMAT) != FORMAT:
        c.fail("problem", f"format must be {FORMAT!r}, got {data.get('format')!r}")
    start = c.when("problem", data, "start")
    days = c.integer("problem", data, "days", 1, MAX_DAYS, 7)
    tz = c.text("problem", data, "timezone")
    if tz:
        from carvrooom_desktop.workshop.scheduling.calendar import workshop_tz

        try:
            workshop_tz(tz, start or datetime.now().astimezone())
        except ValueError as e:
            c.fail("problem", str(e))
    hours: list[OpeningHours] = []
    for i, h in enumerate(c.items("problem", data, "opening_hours")):
        where = f"opening_hours[{i}]"
        if not c.keys(where, h, {"days", "opens", "closes"}, ("days", "opens", "closes")):
            continue
        wd, a, b = c.weekdays(where, h), c.clock(where, h, "opens"), c.clock(where, h, "closes")
        if a is not None and b is not None and b <= a:
            c.fail(where, f"closes {minute_text(b)} before it opens {minute_text(a)}")
            continue
        if a is not None and b is not None:
            hours.extend(OpeningHours(d, a, b) for d in wd)

    bays: list[Bay] = []
    bay_ids: set[str] = set()
    for i, b in enumerate(c.items("problem", data, "bays")):
        where = _label("bays", i, b)
        if not c.keys(where, b, BAY_KEYS, ("id", "type")):
            continue
        bid, kind = c.text(where, b, "id", required=True), c.text(where, b, "type", required=True)
        if bid in bay_ids:
            c.fail(where, f"the id {bid!r} is used by another bay")
        bay_ids.add(bid)
        periods = []
        for k, period in enumerate(b.get("out_of_service", []) or []):
            w2 = f"{where} out_of_service[{k}]"
            if c.keys(w2, period, {"from", "to"}, ("from", "to")):
                since, until = c.when(w2, period, "from"), c.when(w2, period, "to")
                if since and until and until <= since:
                    c.fail(w2, f"ends {until:%Y-%m-%d %H:%M} before it starts {since:%Y-%m-%d %H:%M}")
                elif since and until:
                    periods.append((since, until))
        bays.append(Bay(bid, c.text(where, b, "name") or bid, kind, frozenset(c.strings(where, b, "serves")), tuple(periods)))

    techs: list[Technician] = []
    tech_ids: set[str] = set()
    for i, t in enumerate(c.items("problem", data, "technicians")):
        where = _label("technicians", i, t)
        if not c.keys(where, t, TECH_KEYS, ("id", "skills")):
            continue
        tid = c.text(where, t, "id", required=True)
        if tid in tech_ids:
            c.fail(where, f"the id {tid!r} is used by another technician")
        tech_ids.add(tid)
        shifts: list[Shift] = []
        for k, s in enumerate(t.get("shifts", []) or []):
            w2 = f"{where} shifts[{k}]"
            if not c.keys(w2, s, SHIFT_KEYS, ("days", "start", "end")):
                continue
            wd, a, z = c.weekdays(w2, s), c.clock(w2, s, "start"), c.clock(w2, s, "end")
            if a is None or z is None:
                continue
            if z <= a:
                c.fail(w2, f"ends {minute_text(z)} before it starts {minute_text(a)}")
                continue
            breaks = []
            for n, br in enumerate(s.get("breaks", []) or []):
                w3 = f"{w2} breaks[{n}]"
                if not c.keys(w3, br, {"start", "end"}, ("start", "end")):
                    continue
                ba, bz = c.clock(w3, br, "start"), c.clock(w3, br, "end")
                if ba is None or bz is None:
                    continue
                if bz <= ba:
                    c.fail(w3, f"ends {minute_text(bz)} before it starts {minute_text(ba)}")
                elif ba < a or bz > z:
                    c.fail(w3, f"{minute_text(ba)}-{minute_text(bz)} is outside the shift {minute_text(a)}-{minute_text(z)}")
                else:
                    breaks.append(Break(ba, bz))
            shifts.extend(Shift(d, a, z, tuple(breaks)) for d in wd)
        absences: list[Holiday] = []
        for k, ab in enumerate(t.get("absences", []) or []):
            w2 = f"{where} absences[{k}]"
            if not c.keys(w2, ab, {"from", "to", "kind", "note"}, ("from", "to")):
                continue
            since, until = c.when(w2, ab, "from"), c.when(w2, ab, "to")
            kind = c.text(w2, ab, "kind", default="holiday")
            if kind not in ABSENCE_KINDS:
                c.fail(w2, f"kind must be one of {', '.join(ABSENCE_KINDS)}, got {kind!r}")
            if since and until and until <= since:
                c.fail(w2, f"ends {until:%Y-%m-%d %H:%M} before it starts {since:%Y-%m-%d %H:%M}")
            elif since and until:
                absences.append(Holiday(since, until, kind, c.text(w2, ab, "note")))
        techs.append(Technician(tid, c.text(where, t, "name") or tid, frozenset(c.strings(where, t, "skills")), tuple(shifts), tuple(absences)))

    raw_jobs = c.items("problem", data, "jobs")
    job_ids = [j.get("id") for j in raw_jobs if isinstance(j, dict)]
    jobs: list[Job] = []
    seen: set[str] = set()
    for i, j in enumerate(raw_jobs):
        where = _label("jobs", i, j)
        if not c.keys(where, j, JOB_KEYS, ("id", "hours", "bay_type")):
            continue
        jid = c.text(where, j, "id", required=True)
        if jid in seen:
            c.fail(where, f"the id {jid!r} is used by another job")
        seen.add(jid)
        hours_ = c.number(where, j, "hours")
        if hours_ is not None and hours_ > 200:
            c.fail(where, f"hours must be at most 200, got {hours_:g}")
        parts: list[Part] = []
        for k, p in enumerate(j.get("parts", []) or []):
            w2 = f"{where} parts[{k}]"
            if not c.keys(w2, p, PART_KEYS, ("name",)):
                continue
            state = c.text(w2, p, "state", default="ordered")
            if state not in PART_STATES:
                c.fail(w2, f"state must be one of {', '.join(PART_STATES)}, got {state!r}")
            parts.append(Part(c.text(w2, p, "name", required=True), c.when(w2, p, "eta"), state,
                              c.integer(w2, p, "quantity", 1, 10_000, 1)))
        after: list[Dependency] = []
        for k, a in enumerate(j.get("after", []) or []):
            ref, gap = (a, 0) if isinstance(a, str) else (a.get("job"), a.get("gap_minutes", 0)) if isinstance(a, dict) else (None, 0)
            if not isinstance(ref, str) or ref not in job_ids:
                c.fail(where, f"after[{k}] names the unknown job {ref!r}")
            elif ref == jid:
                c.fail(where, f"after[{k}]: a job cannot wait for itself")
            elif isinstance(gap, bool) or not isinstance(gap, int) or gap < 0:
                c.fail(where, f"after[{k}]: gap_minutes must be a whole number >= 0, got {gap!r}")
            else:
                after.append(Dependency(ref, gap))
        bay_minutes: dict[str, int] = {}
        for bid, h in (j.get("bays") or {}).items() if isinstance(j.get("bays", {}), dict) else ():
            if bid not in bay_ids:
                c.fail(where, f"bays names the unknown bay {bid!r}")
            elif isinstance(h, bool) or not isinstance(h, (int, float)) or h <= 0:
                c.fail(where, f"bays[{bid!r}] must be a positive number of hours, got {h!r}")
            else:
                bay_minutes[bid] = int(round(h * 60))
        if not isinstance(j.get("bays", {}), dict):
            c.fail(where, f"bays must be an object {{bay id: hours}}, got {j.get('bays')!r}")
        urgency = c.text(where, j, "urgency", default="drive")
        if urgency not in URGENCIES:
            c.fail(where, f"urgency must be one of {', '.join(URGENCIES)}, got {urgency!r}")
        state = c.text(where, j, "state", default="new")
        if state not in JOB_STATES:
            c.fail(where, f"state must be one of {', '.join(JOB_STATES)}, got {state!r}")
        pin = None
        if j.get("pin") is not None and c.keys(f"{where} pin", j["pin"], {"bay", "technician", "start"}):
            pb, pt = c.text(where, j["pin"], "bay"), c.text(where, j["pin"], "technician")
            if pb and pb not in bay_ids:
                c.fail(where, f"pin names the unknown bay {pb!r}")
            if pt and pt not in tech_ids:
                c.fail(where, f"pin names the unknown technician {pt!r}")
            pin = Pin(pb or None, pt or None, c.when(f"{where} pin", j["pin"], "start"))
        dropped, promised = c.when(where, j, "dropped_off"), c.when(where, j, "promised")
        jobs.append(Job(jid, c.text(where, j, "title"), int(round((hours_ or 0) * 60)), c.text(where, j, "bay_type", required=True),
                        c.text(where, j, "skill"), tuple(parts), c.flag(where, j, "customer_waiting"), dropped, promised,
                        c.integer(where, j, "priority", 1, 5, 1), urgency, tuple(after), MappingProxyType(bay_minutes), state, pin,
                        c.text(where, j, "vin"), c.text(where, j, "reference")))

    previous: list[Booking] = []
    for i, b in enumerate(c.items("problem", data, "previous")):
        where = f"previous[{i}]"
        if not c.keys(where, b, BOOKING_KEYS, ("job", "bay", "start", "end")):
            continue
        jid, bid, tid = c.text(where, b, "job", required=True), c.text(where, b, "bay", required=True), c.text(where, b, "technician")
        if jid and jid not in job_ids:
            c.fail(where, f"names the unknown job {jid!r}")
        if bid and bid not in bay_ids:
            c.fail(where, f"names the unknown bay {bid!r}")
        if tid and tid not in tech_ids:
            c.fail(where, f"names the unknown technician {tid!r}")
        since, until = c.when(where, b, "start"), c.when(where, b, "end")
        if since and until and until <= since:
            c.fail(where, f"ends {until:%Y-%m-%d %H:%M} before it starts {since:%Y-%m-%d %H:%M}")
        elif since and until:
            previous.append(Booking(jid, bid, tid or None, since, until, c.text(where, b, "state", default="planned")))

    weights = Weights()
    if "weights" in data:
        w = data["weights"]
        fields = set(Weights.__dataclass_fields__)
        if c.keys("weights", w, fields):
            weights = Weights(**{k: c.integer("weights", w, k, 0, 1_000_000, getattr(Weights(), k)) for k in fields if k in w}
                              | {k: getattr(Weights(), k) for k in fields if k not in w})
    carry = c.flag("problem", data, "carry_over", True)
    if c.problems or start is None:
        raise ScheduleProblemError(c.problems or ["problem: missing 'start'"], source)
    return Problem(start, days, tuple(bays), tuple(techs), tuple(jobs), tuple(hours), tz, tuple(previous), weights, carry,
                   c.text("problem", data, "name"))


def load_problem(path: str | Path) -> Problem:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ScheduleProblemError([f"cannot read the file: {e.strerror or e}"], str(path)) from e
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ScheduleProblemError([f"not JSON: {e.msg} at line {e.lineno} column {e.colno}"], str(path)) from e
    return problem_from_dict(data, str(path))


def check_staffed(problem: Problem) -> None:
    """Refuse jobs the shop cannot do at all (for saving to the store): a skill nobody has, a bay type nobody has."""
    problems = []
    skills = {s for t in problem.technicians for s in t.skills}
    for job in problem.jobs:
        if job.skill and job.skill not in skills:
            problems.append(f'job "{job.id}" ({job.title}): no technician has the skill {job.skill!r} '
                            f"(skills in this shop: {', '.join(sorted(skills)) or 'none'})")
        if not job.bay_minutes and not any(b.takes(job.bay_type) for b in problem.bays):
            kinds = sorted({b.bay_type for b in problem.bays})
            problems.append(f'job "{job.id}" ({job.title}): no bay of type {job.bay_type!r} (bay types here: {", ".join(kinds) or "none"})')
    if problems:
        raise ScheduleProblemError(problems)


# -- writing ----------------------------------------------------------------------------------------


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def _clock(minute: int) -> str:
    return minute_text(minute)


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    def shifts(t: Technician) -> list[dict[str, Any]]:
        return [{"days": [WEEKDAYS[s.weekday]], "start": _clock(s.starts_minute), "end": _clock(s.ends_minute),
                 "breaks": [{"start": _clock(b.starts_minute), "end": _clock(b.ends_minute)} for b in s.breaks]} for s in t.shifts]

    return {
        "format": FORMAT, "name": problem.name, "start": _iso(problem.start), "days": problem.days, "timezone": problem.timezone,
        "opening_hours": [{"days": [WEEKDAYS[h.weekday]], "opens": _clock(h.opens_minute), "closes": _clock(h.closes_minute)}
                          for h in problem.opening_hours],
        "bays": [{"id": b.id, "name": b.name, "type": b.bay_type, "serves": sorted(b.serves),
                  "out_of_service": [{"from": _iso(a), "to": _iso(z)} for a, z in b.out_of_service]} for b in problem.bays],
        "technicians": [{"id": t.id, "name": t.name, "skills": sorted(t.skills), "shifts": shifts(t),
                         "absences": [{"from": _iso(a.starts_at), "to": _iso(a.ends_at), "kind": a.kind, "note": a.note} for a in t.absences]}
                        for t in problem.technicians],
        "jobs": [{k: v for k, v in {
            "id": j.id, "title": j.title, "hours": j.minutes / 60, "skill": j.skill, "bay_type": j.bay_type,
            "parts": [{"name": p.name, "eta": _iso(p.eta), "state": p.state, "quantity": p.quantity} for p in j.parts],
            "customer_waiting": j.customer_waiting, "dropped_off": _iso(j.dropped_off_at), "promised": _iso(j.promised_at),
            "priority": j.priority, "urgency": j.urgency, "after": [{"job": d.job_id, "gap_minutes": d.gap_minutes} for d in j.after],
            "bays": {b: m / 60 for b, m in j.bay_minutes.items()}, "state": j.state,
            "pin": None if j.pin is None else {k2: v2 for k2, v2 in {"bay": j.pin.bay_id, "technician": j.pin.technician_id,
                                                                     "start": _iso(j.pin.starts_at)}.items() if v2},
            "vin": j.vin, "reference": j.reference}.items() if v not in (None, "", [], {})} for j in problem.jobs],
        "previous": [{"job": b.job_id, "bay": b.bay_id, "technician": b.technician_id, "start": _iso(b.starts_at),
                      "end": _iso(b.ends_at), "state": b.state} for b in problem.previous],
        "weights": {k: getattr(problem.weights, k) for k in Weights.__dataclass_fields__},
        "carry_over": problem.carry_over,
    }


def plan_to_dict(plan: Plan, problem: Problem) -> dict[str, Any]:
    jobs = {j.id: j for j in problem.jobs}
    bays = {b.id: b.name for b in problem.bays}
    techs = {t.id: t.name for t in problem.technicians}
    return {
        "status": plan.status, "solver": plan.solver, "objective": plan.objective, "greedy_objective": plan.greedy_objective,
        "best_bound": plan.best_bound if math.isfinite(plan.best_bound) else None, "gap": round(plan.gap, 6),
        "weighted_lateness_minutes": plan.weighted_lateness, "greedy_weighted_lateness_minutes": plan.greedy_weighted_lateness,
        "wall_time_s": round(plan.wall_time_s, 3), "first_plan_s": round(plan.first_plan_s, 4),
        "moved_promised_jobs": list(plan.moved), "notes": list(plan.notes),
        "bookings": [{"job": b.job_id, "title": jobs[b.job_id].title if b.job_id in jobs else "", "bay": b.bay_id,
                      "bay_name": bays.get(b.bay_id, ""), "technician": b.technician_id,
                      "technician_name": techs.get(b.technician_id, "") if b.technician_id else "", "start": _iso(b.starts_at),
                      "end": _iso(b.ends_at), "state": b.state, "part": b.part + 1, "parts": b.parts} for b in plan.bookings],
        "unschedulable": [{"job": u.job_id, "reason": u.reason} for u in plan.unschedulable],
    }


__all__ = ["FORMAT", "SCHEMA_PATH", "check_staffed", "load_problem", "plan_to_dict", "problem_from_dict", "problem_to_dict"]
