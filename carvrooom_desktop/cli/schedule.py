"""``carvrooom schedule add|list|optimise|show|export-ics|confirm|solve``: bay scheduling.

``solve PROBLEM.json`` plans a problem file (resources/schedule/problem.schema.json) without the
store. The other actions work on the store: ``add`` bays, technicians, opening hours, jobs (by
hand, from a diagnosis, or a whole shop file at once), ``list`` the repair-order board,
``optimise`` re-plans and writes the bookings (confirmed on the shared PostgreSQL, tentative in
the embedded store until ``confirm`` has the shared database accept them), ``show`` the plan per
bay or technician, ``export-ics`` calendars. OR-Tools is imported only when a plan is solved.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, overload

if TYPE_CHECKING:
    from carvrooom_desktop.storage.store import Store
    from carvrooom_desktop.storage.workshop import StoredJob, StoredShift, WorkshopRepository
    from carvrooom_desktop.storage.workshop_bookings import StoredBooking
    from carvrooom_desktop.workshop.scheduling.domain import Booking, Plan, Problem

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("schedule", help="bay scheduling: jobs, bays, technicians, optimised plan, calendars")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    solve = actions.add_parser("solve", help="plan a problem file (JSON) and print the plan")
    solve.add_argument("problem", metavar="PROBLEM.json")
    _solver_options(solve)
    solve.add_argument("--json", action="store_true", help="the plan as JSON")
    solve.add_argument("--ics", metavar="DIR", help="also write one .ics calendar per technician and per bay")

    add = actions.add_parser("add", help="add a job, bay, technician, opening hours, absence, a diagnosis's job, or a shop file")
    what = add.add_subparsers(dest="what", required=True, metavar="WHAT")
    job = what.add_parser("job", help="a job by hand (a do-not-drive job is booked at once)")
    job.add_argument("--title", required=True)
    job.add_argument("--hours", type=float, required=True, help="labour hours")
    job.add_argument("--skill", default="", help="the skill it needs (empty: no technician)")
    job.add_argument("--bay-type", required=True, help="e.g. 'general lift', 'alignment', 'ev high voltage'")
    job.add_argument("--reference", default="", help="repair-order number")
    job.add_argument("--vin", default="")
    job.add_argument("--promised", metavar="ISO", help="promised time, e.g. 2026-12-07T17:00+01:00")
    job.add_argument("--dropped-off", metavar="ISO", help="when the car is (or will be) here")
    job.add_argument("--waiting", action="store_true", help="the customer waits in the shop")
    job.add_argument("--priority", type=int, default=1, help="1 (normal) .. 5")
    job.add_argument("--urgency", default="drive", choices=("drive", "drive with care", "do not drive"))
    job.add_argument("--part", action="append", default=[], metavar="NAME[@ETA]", help="a part (repeatable); @ETA = ordered, arrives then")
    job.add_argument("--after", action="append", default=[], metavar="JOB[:GAP_MIN]", help="starts after this job (repeatable)")
    job.add_argument("--no-book", action="store_true", help="do not book a do-not-drive job at once")
    bay = what.add_parser("bay", help="a bay")
    bay.add_argument("name")
    bay.add_argument("--type", required=True, dest="bay_type")
    bay.add_argument("--serves", action="append", default=[], help="a further bay type it can take (repeatable)")
    tech = what.add_parser("technician", help="a technician with skills and weekly shifts")
    tech.add_argument("name")
    tech.add_argument("--skill", action="append", default=[], required=True, help="repeatable")
    tech.add_argument("--shift", action="append", default=[], metavar="DAYS=HH:MM-HH:MM[/HH:MM-HH:MM]",
                      help="e.g. mon-fri=08:00-16:30/12:00-12:30 (the part after / is a break); repeatable")
    hours = what.add_parser("hours", help="replace the opening hours, e.g. mon-fri=07:30-18:30 sat=08:00-13:00")
    hours.add_argument("spec", nargs="+", metavar="DAYS=HH:MM-HH:MM")
    absence = what.add_parser("absence", help="a technician off (holiday, sick, training)")
    absence.add_argument("technician")
    absence.add_argument("--from", dest="starts", required=True, metavar="ISO")
    absence.add_argument("--to", dest="ends", required=True, metavar="ISO")
    absence.add_argument("--kind", default="holiday", choices=("holiday", "sick", "training", "other"))
    diag = what.add_parser("diagnosis", help="the repair job a stored diagnosis proposes, in one step")
    diag.add_argument("diagnosis", metavar="ID", help="diagnosis id (a prefix is enough)")
    diag.add_argument("--promised", metavar="ISO")
    diag.add_argument("--waiting", action="store_true")
    diag.add_argument("--parts-eta", metavar="ISO", help="when the parts arrive (default: in stock)")
    diag.add_argument("--reference", default="")
    diag.add_argument("--no-book", action="store_true")
    shop = what.add_parser("file", help="bays, technicians, opening hours and jobs from a problem file, all or nothing")
    shop.add_argument("problem", metavar="FILE.json")

    listing = actions.add_parser("list", help="the repair-order board: open jobs, their state and booking")
    listing.add_argument("--all", action="store_true", help="include done and cancelled jobs")
    listing.add_argument("--json", action="store_true")

    optimise = actions.add_parser("optimise", aliases=["optimize"], help="re-plan the open jobs and write the bookings")
    _solver_options(optimise)
    _window_options(optimise)
    optimise.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    optimise.add_argument("--json", action="store_true")

    show = actions.add_parser("show", help="the booked plan per bay or technician")
    _window_options(show)
    show.add_argument("--bay")
    show.add_argument("--technician")
    show.add_argument("--json", action="store_true")

    ics = actions.add_parser("export-ics", help="iCalendar files of the booked plan: one per technician and per bay")
    _window_options(ics)
    ics.add_argument("--out", required=True, metavar="DIR")

    confirm = actions.add_parser("confirm", help="have the shared database confirm this store's tentative bookings")
    confirm.add_argument("--shared", required=True, metavar="URL", help="the shared PostgreSQL database")
    parser.set_defaults(run=run)


def _solver_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--time-limit", type=float, default=10.0, metavar="S", help="solver time limit in seconds (default 10)")
    p.add_argument("--workers", type=int, default=2, help="CP-SAT worker threads (default 2)")
    p.add_argument("--seed", type=int, default=0, help="solver random seed")
    p.add_argument("--deterministic", action="store_true", help="one worker, deterministic time: the same plan every run")
    p.add_argument("--greedy", action="store_true", help="the dispatcher's plan only (no CP-SAT)")


def _window_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--start", metavar="ISO", help="plan from (default: now)")
    p.add_argument("--days", type=int, default=7, help="horizon in days (default 7)")
    p.add_argument("--timezone", default="", help="IANA zone of the opening hours (default: this computer's offset)")


# -- parsing helpers ---------------------------------------------------------------------------------


@overload
def _when(text: str, what: str) -> datetime: ...
@overload
def _when(text: None, what: str) -> None: ...
@overload
def _when(text: str | None, what: str) -> datetime | None: ...
def _when(text: str | None, what: str) -> datetime | None:
    if text is None:
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError as e:
        raise ValueError(f"{what}: {text!r} is not an ISO date-time such as 2026-12-07T17:00+01:00") from e
    return t if t.tzinfo else t.astimezone()  # a local wall-clock time on this computer


def _days(text: str) -> list[int]:
    out: list[int] = []
    for piece in text.lower().split(","):
        if "-" in piece:
            a, b = piece.split("-", 1)
            if a[:3] not in WEEKDAYS or b[:3] not in WEEKDAYS:
                raise ValueError(f"{text!r}: days like mon-fri or sat,sun")
            i, j = WEEKDAYS.index(a[:3]), WEEKDAYS.index(b[:3])
            out.extend(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        elif piece[:3] in WEEKDAYS:
            out.append(WEEKDAYS.index(piece[:3]))
        else:
            raise ValueError(f"{piece!r} is not a weekday (mon..sun)")
    return out


def _clock(text: str, what: str) -> int:
    try:
        h, m = text.split(":")
        minute = int(h) * 60 + int(m)
    except ValueError as e:
        raise ValueError(f"{what}: {text!r} is not HH:MM") from e
    if not 0 <= minute <= 1440:
        raise ValueError(f"{what}: {text!r} is not a time of day")
    return minute


def _span(text: str, what: str) -> tuple[int, int]:
    if "-" not in text:
        raise ValueError(f"{what}: {text!r} is not HH:MM-HH:MM")
    a, b = (_clock(x, what) for x in text.split("-", 1))
    if b <= a:
        raise ValueError(f"{what}: {text!r} ends before it starts")
    return a, b


def _shift_spec(text: str) -> list[StoredShift]:
    from carvrooom_desktop.storage.workshop import StoredShift

    if "=" not in text:
        raise ValueError(f"shift {text!r}: write DAYS=HH:MM-HH:MM[/HH:MM-HH:MM], e.g. mon-fri=08:00-16:30/12:00-12:30")
    days, rest = text.split("=", 1)
    pieces = rest.split("/")
    a, b = _span(pieces[0], f"shift {text!r}")
    breaks = tuple(_span(p, f"shift {text!r} break") for p in pieces[1:])
    for x, y in breaks:
        if x < a or y > b:
            raise ValueError(f"shift {text!r}: the break {x // 60:02d}:{x % 60:02d}-{y // 60:02d}:{y % 60:02d} is outside the shift")
    return [StoredShift(d, a, b, breaks) for d in _days(days)]


# -- actions -----------------------------------------------------------------------------------------


SCHEDULE_EDITS = frozenset({"add", "optimise", "optimize", "confirm"})


def run(args: argparse.Namespace) -> int:
    if args.action == "solve":
        return _solve_file(args)
    from carvrooom_desktop.cli.common import open_store

    with open_store(args) as store:
        if args.action in SCHEDULE_EDITS:  # the plan is written: EDIT_SCHEDULE (refusals audited)
            from carvrooom_desktop.cli.signed_in import cli_actor
            from carvrooom_desktop.people.services import check_schedule_edit

            check_schedule_edit(cli_actor(args, store), args.action)
        handler = {"add": _add, "list": _list, "optimise": _optimise, "optimize": _optimise, "show": _show,
                   "export-ics": _export, "confirm": _confirm}[args.action]
        return handler(store, args)


def _solve(problem: Problem, args: argparse.Namespace) -> Plan:
    from carvrooom_desktop.workshop.scheduling import solve

    return solve(problem, time_limit_s=args.time_limit, num_workers=args.workers, random_seed=args.seed,
                 deterministic=args.deterministic, use_cpsat=not args.greedy)


def _solve_file(args: argparse.Namespace) -> int:
    from carvrooom_desktop.workshop.scheduling import load_problem, plan_to_dict

    problem = load_problem(args.problem)
    plan = _solve(problem, args)
    if args.ics:
        from carvrooom_desktop.workshop.scheduling.ics import write_calendars

        for path in write_calendars(plan, problem, args.ics):
            print(f"wrote {path}", file=sys.stderr)
    if args.json:
        print(json.dumps(plan_to_dict(plan, problem), indent=2))
    else:
        print_plan(plan, problem)
    return 0


def print_plan(plan: Plan, problem: Problem, out: TextIO | None = None) -> None:
    from carvrooom_desktop.workshop.scheduling.calendar import workshop_tz

    out = out or sys.stdout
    tz = workshop_tz(problem.timezone, problem.start)
    jobs = {j.id: j for j in problem.jobs}
    bays = {b.id: b.name for b in problem.bays}
    techs = {t.id: t.name for t in problem.technicians}
    bound = f"{plan.best_bound:.0f}" if plan.best_bound not in (float("inf"), float("-inf")) else "-"
    print(f"status {plan.status} ({plan.solver})  objective {plan.objective}  dispatcher {plan.greedy_objective}  "
          f"best bound {bound}  gap {plan.gap:.1%}  {plan.wall_time_s:.2f} s (first plan {plan.first_plan_s * 1000:.0f} ms)", file=out)
    print(f"weighted lateness {plan.weighted_lateness} min (dispatcher {plan.greedy_weighted_lateness} min)", file=out)
    day = None
    for b in sorted(plan.bookings, key=lambda b: (b.starts_at, bays.get(b.bay_id, ""))):
        local = b.starts_at.astimezone(tz)
        if local.date() != day:
            day = local.date()
            print(f"\n{local:%a %d %b %Y}", file=out)
        job = jobs.get(b.job_id)
        promise = ""
        if job is not None and job.promised_at is not None:
            ended = plan.end_of(job.id)
            late = ended > job.promised_at if ended else False
            promise = f"  promised {job.promised_at.astimezone(tz):%a %H:%M}{'  LATE' if late else ''}"
        part = f" [{b.part + 1}/{b.parts}]" if b.parts > 1 else ""
        state = "" if b.state == "planned" else f"  ({b.state.replace('_', ' ')})"
        print(f"  {local:%H:%M}-{b.ends_at.astimezone(tz):%H:%M}  {bays.get(b.bay_id, b.bay_id):<14} "
              f"{techs.get(b.technician_id, '-') if b.technician_id else '-':<10} {job.label if job else b.job_id}{part}{promise}{state}", file=out)
    if plan.unschedulable:
        print("\nnot scheduled:", file=out)
        for u in plan.unschedulable:
            print(f"  {jobs[u.job_id].label if u.job_id in jobs else u.job_id}: {u.reason}", file=out)
    if plan.moved:
        print(f"\npromised jobs moved: {', '.join(jobs[j].label if j in jobs else j for j in plan.moved)}", file=out)
    for note in plan.notes:
        print(f"note: {note}", file=out)


def _now_window(args: argparse.Namespace) -> tuple[datetime, int]:
    start = _when(args.start, "--start") if args.start else datetime.now().astimezone()
    return start, args.days


def _add(store: Store, args: argparse.Namespace) -> int:
    from carvrooom_desktop.storage.workshop import NewJob, StoredAbsence, StoredPart
    from carvrooom_desktop.workshop.shop import add_jobs_checked

    repo = store.workshop
    if args.what == "bay":
        bay_id = repo.add_bay(args.name, args.bay_type, tuple(args.serves))
        print(f"bay {args.name} ({args.bay_type}) {bay_id}")
        return 0
    if args.what == "technician":
        shifts = [s for spec in args.shift for s in _shift_spec(spec)]
        tech_id = repo.add_technician(args.name, tuple(args.skill), tuple(shifts))
        print(f"technician {args.name} ({', '.join(args.skill)}) {tech_id}")
        return 0
    if args.what == "hours":
        hours: list[tuple[int, int, int]] = []
        for spec in args.spec:
            if "=" not in spec:
                raise ValueError(f"opening hours {spec!r}: write DAYS=HH:MM-HH:MM, e.g. mon-fri=07:30-18:30")
            days, span = spec.split("=", 1)
            a, b = _span(span, f"opening hours {spec!r}")
            hours.extend((d, a, b) for d in _days(days))
        repo.set_opening_hours(hours)
        print(f"opening hours: {len(hours)} day window(s)")
        return 0
    if args.what == "absence":
        tech = repo.find_technician(args.technician)
        repo.add_absence(tech.id, StoredAbsence(_when(args.starts, "--from"), _when(args.ends, "--to"), args.kind))
        print(f"{tech.name} is off ({args.kind}) {args.starts} - {args.ends}; run `carvrooom schedule optimise` to re-plan")
        return 0
    if args.what == "file":
        return _add_file(store, args)
    if args.what == "diagnosis":
        from carvrooom_desktop.storage.diagnoses import DiagnosisRepository
        from carvrooom_desktop.workshop.shop import job_from_diagnosis

        diagnoses = DiagnosisRepository(store.engine, store.origin)
        matches = [d for d in diagnoses.list(limit=10_000) if str(d.id).startswith(args.diagnosis.lower())]
        if len(matches) != 1:
            raise ValueError(f"no diagnosis {args.diagnosis!r}" if not matches else f"{args.diagnosis!r} matches several diagnoses")
        job_id = job_from_diagnosis(repo, matches[0], promised_at=_when(args.promised, "--promised"), customer_waiting=args.waiting,
                                    parts_eta=_when(args.parts_eta, "--parts-eta"), reference=args.reference)
        job = repo.job(job_id)
        print(f"job {job.reference or str(job.id)[:8]}: {job.title}, {job.labour_hours:g} h, {job.skill}, {job.bay_type}, urgency {job.urgency}")
        return _book_if_urgent(store, job, args)
    parts = []
    for spec in args.part:
        name, _, eta = spec.partition("@")
        parts.append(StoredPart(name.strip(), _when(eta, f"part {name}") if eta else None, "ordered" if eta else "arrived"))
    after: list[tuple[uuid.UUID | int, int]] = []
    for spec in args.after:
        ref, _, gap = spec.partition(":")
        after.append((repo.find_job(ref).id, int(gap or 0)))
    new = NewJob(args.title, args.hours, args.bay_type, args.skill, args.reference, args.vin, urgency=args.urgency,
                 priority=args.priority, customer_waiting=args.waiting, dropped_off_at=_when(args.dropped_off, "--dropped-off"),
                 promised_at=_when(args.promised, "--promised"), parts=parts, after=after,
                 status="waiting_parts" if any(p.status == "ordered" for p in parts) else "new")
    job_id = add_jobs_checked(repo, [new])[0]
    job = repo.job(job_id)
    print(f"job {job.reference or str(job.id)[:8]}: {job.title} ({job.labour_hours:g} h, {job.skill or 'no technician'}, {job.bay_type})")
    return _book_if_urgent(store, job, args)


def _book_if_urgent(store: Store, job: StoredJob, args: argparse.Namespace) -> int:
    if job.urgency != "do not drive" or args.no_book:
        if job.urgency != "do not drive":
            print("run `carvrooom schedule optimise` to book it")
        return 0
    from dataclasses import replace

    from carvrooom_desktop.workshop.scheduling.replan import NewJob as NewJobEvent
    from carvrooom_desktop.workshop.scheduling.replan import replan
    from carvrooom_desktop.workshop.shop import plan_in_force, problem_from_store, save_plan

    now = datetime.now().astimezone()
    problem = problem_from_store(store.workshop, start=now)
    this = problem.job(str(job.id))
    before = replace(problem, jobs=tuple(j for j in problem.jobs if j.id != this.id))
    result = replan(before, plan_in_force(before), NewJobEvent(this), now=now, time_limit_s=2.0)
    saved = save_plan(store.workshop, result.plan, result.problem)
    for b in result.urgent:
        print(f"do not drive: booked {b.starts_at.astimezone(now.tzinfo):%a %d %b %H:%M}-{b.ends_at.astimezone(now.tzinfo):%H:%M} "
              f"({'confirmed' if saved.shared else 'tentative until the shared database confirms it'})")
    if not result.urgent:
        reason = next((u.reason for u in result.plan.unschedulable if u.job_id == this.id), "no slot in the horizon")
        print(f"do not drive, but it cannot be booked: {reason}")
    for m in result.moves:
        label = result.problem.job(m.job_id).label
        print(f"  moved promised job {label}: {m.old_start.astimezone(now.tzinfo):%a %H:%M} -> {m.new_start.astimezone(now.tzinfo):%a %H:%M}"
              if m.new_start else f"  moved promised job {label} out of the plan")
    for w in result.warnings:
        print(f"warning: {w}")
    return 0


def _add_file(store: Store, args: argparse.Namespace) -> int:
    """A whole shop from a problem file: validated completely first, then saved in one transaction."""
    from carvrooom_desktop.workshop.board import save_shop
    from carvrooom_desktop.workshop.scheduling import load_problem

    problem = load_problem(args.problem)
    saved = save_shop(store.workshop, problem)
    hours = problem.opening_hours
    print(f"saved {len(saved['bays'])} bay(s), {len(saved['technicians'])} technician(s), {len(saved['jobs'])} job(s)"
          + (f", opening hours ({len(hours)} windows)" if hours else ""))
    return 0


def _board_rows(store: Store) -> tuple[WorkshopRepository, dict[uuid.UUID, str], dict[uuid.UUID, str],
                                       dict[uuid.UUID, list[StoredBooking]]]:
    repo = store.workshop
    bays = {b.id: b.name for b in repo.bays(include_inactive=True)}
    techs = {t.id: t.name for t in repo.technicians(include_inactive=True)}
    bookings: dict[uuid.UUID, list[StoredBooking]] = {}
    for b in repo.bookings.list():
        bookings.setdefault(b.job_id, []).append(b)
    return repo, bays, techs, bookings


def _list(store: Store, args: argparse.Namespace) -> int:
    repo, bays, techs, bookings = _board_rows(store)
    jobs = repo.jobs(statuses=None if args.all else ("new", "waiting_parts", "planned", "in_progress"))
    rows: list[dict[str, Any]] = []
    for j in jobs:
        mine = sorted(bookings.get(j.id, []), key=lambda b: b.starts_at)
        waiting_parts = [p.name for p in j.parts if p.status != "arrived"]
        rows.append({
            "id": str(j.id), "reference": j.reference, "title": j.title, "status": j.status, "hours": j.labour_hours, "skill": j.skill,
            "bay_type": j.bay_type, "urgency": j.urgency, "priority": j.priority, "customer_waiting": j.customer_waiting,
            "promised": j.promised_at.isoformat() if j.promised_at else None, "waiting_for_parts": waiting_parts,
            "booked": [{"start": b.starts_at.isoformat(), "end": b.ends_at.isoformat(), "bay": bays.get(b.bay_id, ""),
                        "technician": techs.get(b.technician_id, "") if b.technician_id else "", "status": b.status} for b in mine],
        })
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("no open jobs")
    for r in rows:
        booked = r["booked"]
        when = (f"{datetime.fromisoformat(booked[0]['start']).astimezone():%a %d %b %H:%M} {booked[0]['bay']} {booked[0]['technician']}"
                f" ({booked[0]['status']})" if booked else "not booked")
        promised = f"promised {datetime.fromisoformat(r['promised']).astimezone():%a %H:%M}" if r["promised"] else ""
        flags = ("waiting customer " if r["customer_waiting"] else "") + ("DO NOT DRIVE " if r["urgency"] == "do not drive" else "")
        parts = f"  waiting for parts: {', '.join(r['waiting_for_parts'])}" if r["waiting_for_parts"] else ""
        print(f"{(r['reference'] or r['id'][:8]):<10} {r['status']:<13} {r['title'][:32]:<32} {r['hours']:>5.2f} h  {flags}{promised}  -> {when}{parts}")
    return 0


def _optimise(store: Store, args: argparse.Namespace) -> int:
    from carvrooom_desktop.workshop.scheduling import plan_to_dict
    from carvrooom_desktop.workshop.shop import problem_from_store, save_plan

    start, days = _now_window(args)
    problem = problem_from_store(store.workshop, start=start, days=days, timezone=args.timezone)
    if not problem.jobs:
        print("no open jobs to plan")
        return 0
    plan = _solve(problem, args)
    if args.json:
        print(json.dumps(plan_to_dict(plan, problem), indent=2))
    else:
        print_plan(plan, problem)
    if args.dry_run:
        return 0
    saved = save_plan(store.workshop, plan, problem)
    state = "confirmed by the shared database" if saved.shared else "tentative (embedded store): `schedule confirm --shared URL`"
    print(f"\nwrote {len(saved.bookings)} booking(s), replaced {saved.cancelled}; {state}", file=sys.stderr if args.json else sys.stdout)
    return 0


def _stored_plan(store: Store, args: argparse.Namespace) -> tuple[Plan, Problem]:
    """The booked plan in the store as (Plan, Problem), for show and export."""
    from dataclasses import replace

    from carvrooom_desktop.workshop.scheduling.domain import Booking, Plan
    from carvrooom_desktop.workshop.shop import problem_from_store

    start, days = _now_window(args)
    start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    problem = problem_from_store(store.workshop, start=start, days=days, timezone=args.timezone)
    end = start + timedelta(days=days)
    bookings = tuple(Booking(str(b.job_id), str(b.bay_id), str(b.technician_id) if b.technician_id else None, b.starts_at, b.ends_at,
                             b.status) for b in store.workshop.bookings.list(since=start, until=end))
    jobs = {str(j.id): j for j in store.workshop.jobs()}
    from carvrooom_desktop.workshop.shop import _job

    extra = tuple(_job(j, set()) for jid, j in jobs.items() if jid not in {x.id for x in problem.jobs} and any(b.job_id == jid for b in bookings))
    return Plan(bookings, (), "BOOKED", 0, 0, 0.0, 0, 0.0, "store"), replace(problem, jobs=problem.jobs + extra)


def _show(store: Store, args: argparse.Namespace) -> int:
    plan, problem = _stored_plan(store, args)
    bays = {b.id: b for b in problem.bays}
    techs = {t.id: t for t in problem.technicians}
    bookings = list(plan.bookings)
    if args.bay:
        bay = store.workshop.find_bay(args.bay)
        bookings = [b for b in bookings if b.bay_id == str(bay.id)]
    if args.technician:
        tech = store.workshop.find_technician(args.technician)
        bookings = [b for b in bookings if b.technician_id == str(tech.id)]
    jobs = {j.id: j for j in problem.jobs}
    if args.json:
        print(json.dumps([{"job": b.job_id, "title": jobs[b.job_id].title if b.job_id in jobs else "", "bay": bays[b.bay_id].name if b.bay_id in bays else b.bay_id,
                           "technician": techs[b.technician_id].name if b.technician_id in techs else None, "start": b.starts_at.isoformat(),
                           "end": b.ends_at.isoformat(), "status": b.state} for b in bookings], indent=2))
        return 0
    if not bookings:
        print("nothing booked in this window")
        return 0
    group: Callable[[Booking], str] = (lambda b: techs[b.technician_id].name if b.technician_id in techs else "-") if args.technician else \
        (lambda b: bays[b.bay_id].name if b.bay_id in bays else b.bay_id)
    current = None
    for b in sorted(bookings, key=lambda b: (group(b), b.starts_at)):
        if group(b) != current:
            current = group(b)
            print(f"\n{current}")
        job = jobs.get(b.job_id)
        who = techs[b.technician_id].name if b.technician_id in techs else "-"
        print(f"  {b.starts_at.astimezone():%a %d %b %H:%M}-{b.ends_at.astimezone():%H:%M}  {who:<10} {job.label if job else b.job_id}  ({b.state})")
    return 0


def _export(store: Store, args: argparse.Namespace) -> int:
    from carvrooom_desktop.workshop.scheduling.ics import write_calendars

    plan, problem = _stored_plan(store, args)
    paths = write_calendars(plan, problem, Path(args.out))
    for p in paths:
        print(p)
    if not paths:
        print("nothing booked in this window: no calendar written")
    return 0


def _confirm(store: Store, args: argparse.Namespace) -> int:
    from carvrooom_desktop.storage.store import Store
    from carvrooom_desktop.storage.workshop_bookings import push_tentative

    with Store.open(args.shared, origin=store.origin) as shared:
        if not shared.workshop.bookings.shared:
            raise ValueError("--shared must be the shared PostgreSQL database")
        results = push_tentative(store.workshop.bookings, shared.workshop.bookings)
    ok = sum(1 for _b, r in results if r == "confirmed")
    for b, r in results:
        if r != "confirmed":
            print(f"rejected {str(b.id)[:8]} ({b.starts_at.astimezone():%a %H:%M}): {r}")
    print(f"{ok} of {len(results)} tentative booking(s) confirmed")
    return 0 if ok == len(results) else 1
