"""Bay scheduling: classic job shops through the workshop model, workshop weeks, urgent insertion.

Targets (issue 11; 2 cores, ``num_workers=2``; ratios against the dispatcher in the same run):

- job shop through the same model code (machines = bays, no technician, makespan weight only):
  ft06 = 55 proven in <= 1 s; la01 = 666 and ft10 = 930 found (ft10 proven if it can be; time shown);
- Brandimarte mk01-mk10 (flexible job shop, per-bay durations) within 2 % of the best known
  values of ScheduleOpt/benchmarks in 60 s each (``--brandimarte``; 10 minutes in all);
- a workshop week of 50 jobs proven optimal in <= 5 s;
- an overloaded week (200 jobs, 12 bays, 15 technicians): first plan <= 1 s, weighted lateness
  <= 0.75 x the dispatcher's in 10 s, gap reported;
- urgent (do-not-drive) insertion into the planned 200-job week: re-planned in <= 2 s, moves of
  promised jobs reported.

The instances: ``benchmarks/data/jobshop`` (OR-Library / Brandimarte, copied from ScheduleOpt/benchmarks);
the weeks come from the seeded generator ``carvrooom_desktop.workshop.scheduling.sample``.
A job-shop unit is one 15-minute slot. OR-Tools is imported (and timed) once before measuring.

    .venv/bin/python -m benchmarks.bench_schedule                 # job shop, weeks, urgent insertion
    .venv/bin/python -m benchmarks.bench_schedule --quick         # shorter (ft10 30 s, fewer repeats)
    .venv/bin/python -m benchmarks.bench_schedule --brandimarte --time-limit 60
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from carvrooom_desktop.workshop.scheduling.domain import Bay, Dependency, Job, Problem, Weights

DATA = Path(__file__).resolve().parent / "data" / "jobshop"
MAKESPAN = Weights(lateness=0, completion=0, unscheduled=0, moved_promise=0, makespan=1)
EPOCH = datetime(2026, 1, 5, tzinfo=UTC)


def best_known() -> dict:
    return json.loads((DATA / "best_known.json").read_text())


def jobshop_problem(name: str) -> Problem:
    """A classic job shop (``jobs machines`` then ``machine duration`` pairs per job) as a workshop problem."""
    rows = [list(map(int, line.split())) for line in (DATA / f"{name}.txt").read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]
    n, m = rows[0][:2]
    bays = tuple(Bay(f"m{k}", f"machine {k}", f"m{k}") for k in range(m))
    jobs, total = [], 0
    for j, row in enumerate(rows[1:1 + n]):
        prev = None
        for o in range(0, len(row), 2):
            machine, d = row[o], row[o + 1]
            total += d
            jid = f"j{j}o{o // 2}"
            jobs.append(Job(jid, "", 15 * d, f"m{machine}", after=(Dependency(prev),) if prev else ()))
            prev = jid
    return Problem(EPOCH, math.ceil(total * 15 / 1440) + 1, bays, (), tuple(jobs), weights=MAKESPAN, carry_over=False, name=name)


def fjsp_problem(name: str) -> Problem:
    """A Brandimarte flexible job shop: each operation may go to several machines, each with its own duration."""
    it = iter((DATA / "brandimarte" / f"{name}.txt").read_text().split())
    n, m = int(next(it)), int(next(it))
    next(it)
    bays = tuple(Bay(f"m{k}", f"machine {k}", "machine") for k in range(1, m + 1))
    jobs, total = [], 0
    for j in range(n):
        prev = None
        for o in range(int(next(it))):
            alternatives = {}
            for _ in range(int(next(it))):
                machine, d = int(next(it)), int(next(it))
                alternatives[f"m{machine}"] = 15 * d
            total += max(alternatives.values())
            jid = f"j{j}o{o}"
            jobs.append(Job(jid, "", min(alternatives.values()), "machine", bay_minutes=alternatives,
                            after=(Dependency(prev),) if prev else ()))
            prev = jid
    return Problem(EPOCH, math.ceil(total * 15 / 1440) + 1, bays, (), tuple(jobs), weights=MAKESPAN, carry_over=False, name=name)


def _solve(problem, limit, **kw):
    from carvrooom_desktop.workshop.scheduling import solve

    return solve(problem, time_limit_s=limit, num_workers=2, **kw)


def _warm_up() -> float:
    started = time.perf_counter()
    import ortools.sat.python.cp_model  # noqa: F401

    return time.perf_counter() - started


def bench_jobshop(quick: bool) -> list[dict]:
    known = best_known()["jobshop"]
    out = []
    print("\nClassic job shop through the workshop model (makespan in slots)")
    print(f"  {'instance':<8} {'ours':>6} {'best known':>11} {'status':<9} {'median s':>9} {'runs':>5}  dispatcher")
    for name, repeats, limit in (("ft06", 5, 10.0), ("la01", 3, 30.0), ("ft10", 1, 30.0 if quick else 120.0)):
        runs = [_solve(jobshop_problem(name), limit) for _ in range(repeats)]
        times = [p.wall_time_s for p in runs]
        best = min(runs, key=lambda p: p.makespan_minutes)
        row = {"instance": name, "makespan": best.makespan_minutes // 15, "best_known": known[name]["ub"], "status": best.status,
               "median_s": statistics.median(times), "times": times, "greedy": best.greedy_objective}
        out.append(row)
        print(f"  {name:<8} {row['makespan']:>6} {row['best_known']:>11} {row['status']:<9} {row['median_s']:>9.2f} {repeats:>5}  "
              f"{row['greedy']} ({row['greedy'] / row['makespan']:.2f}x ours)")
    return out


def bench_brandimarte(limit: float, only: list[str] | None = None) -> list[dict]:
    known = best_known()["brandimarte"]
    out = []
    print(f"\nBrandimarte flexible job shop, {limit:g} s each, 2 workers (best known from ScheduleOpt/benchmarks)")
    print(f"  {'inst':<5} {'ours':>5} {'best':>5} {'lb':>5} {'vs best':>8} {'status':<9} {'time s':>7}  dispatcher")
    for name in only or sorted(known):
        plan = _solve(fjsp_problem(name), limit)
        ours = plan.makespan_minutes // 15
        ub, lb = known[name]["ub"], known[name]["lb"]
        row = {"instance": name, "makespan": ours, "best_known": ub, "lb": lb, "excess": ours / ub - 1, "status": plan.status,
               "time_s": plan.wall_time_s, "greedy": plan.greedy_objective}
        out.append(row)
        print(f"  {name:<5} {ours:>5} {ub:>5} {lb:>5} {row['excess']:>+8.1%} {plan.status:<9} {plan.wall_time_s:>7.1f}  {plan.greedy_objective}",
              flush=True)
    within = sum(1 for r in out if r["excess"] <= 0.02)
    print(f"  within 2 % of the best known: {within} of {len(out)}")
    return out


def bench_week(quick: bool) -> dict:
    from carvrooom_desktop.workshop.scheduling.sample import sample_week

    print("\nWorkshop week: 50 jobs, 6 bays, 4 technicians (seeded), limit 5 s")
    repeats = 3 if quick else 5
    runs = [_solve(sample_week(50, 6, 4, seed=0, workdays=4), 5.0) for _ in range(repeats)]
    times = [p.wall_time_s for p in runs]
    proven = sum(p.status == "OPTIMAL" for p in runs)
    print(f"  seed 0: {proven} of {repeats} runs proven optimal, median {statistics.median(times):.2f} s "
          f"(objective {runs[0].objective}, dispatcher {runs[0].greedy_objective})")
    others = []
    for seed in range(1, 5):
        p = _solve(sample_week(50, 6, 4, seed=seed, workdays=4), 5.0)
        others.append({"seed": seed, "status": p.status, "time_s": p.wall_time_s, "gap": p.gap})
        print(f"  seed {seed}: {p.status:<8} {p.wall_time_s:5.2f} s  gap {p.gap:6.1%}  objective {p.objective} (dispatcher {p.greedy_objective})")
    return {"seed0_median_s": statistics.median(times), "seed0_proven": proven, "repeats": repeats, "others": others}


def bench_overloaded(quick: bool) -> dict:
    from carvrooom_desktop.workshop.scheduling.sample import overloaded_week

    problem = overloaded_week(0)
    print(f"\nOverloaded week: {len(problem.jobs)} jobs, {len(problem.bays)} bays, {len(problem.technicians)} technicians, limit 10 s")
    first = [_solve(problem, 10, use_cpsat=False).first_plan_s for _ in range(5)]
    print(f"  first plan (dispatcher): median {statistics.median(first) * 1000:.0f} ms of 5")
    rows = []
    for seed in range(3 if quick else 5):
        plan = _solve(overloaded_week(seed % 3), 10.0, random_seed=seed)
        ratio = plan.weighted_lateness / max(1, plan.greedy_weighted_lateness)
        rows.append(ratio)
        print(f"  week {seed % 3}, solver seed {seed}: weighted lateness {plan.weighted_lateness} min vs dispatcher "
              f"{plan.greedy_weighted_lateness} min = {ratio:.2f}x; gap {plan.gap:.1%} (bound {plan.best_bound:.0f}); "
              f"{plan.wall_time_s:.1f} s; carried over {sum('carry-over' in u.reason for u in plan.unschedulable)}", flush=True)
    print(f"  median ratio {statistics.median(rows):.2f}x (target <= 0.75x)")
    return {"first_plan_ms": statistics.median(first) * 1000, "ratios": rows, "median_ratio": statistics.median(rows)}


def bench_urgent(quick: bool) -> dict:
    from carvrooom_desktop.workshop.scheduling.replan import NewJob, replan
    from carvrooom_desktop.workshop.scheduling.sample import WEEK, overloaded_week

    problem = overloaded_week(0)
    plan = _solve(problem, 10.0)
    print(f"\nUrgent insertion into the planned 200-job week (planned in {plan.wall_time_s:.1f} s), re-plan limit 2 s")
    rows = []
    for k, hours in enumerate((2, 26, 50)[: 2 if quick else 3]):  # Mon 10:00, Tue 10:00, Wed 10:00
        now = WEEK + timedelta(hours=hours)
        urgent = Job(f"URGENT{k}", "brake caliper seized (do not drive)", 90, "general lift", "brakes", customer_waiting=True,
                     dropped_off_at=now, promised_at=now + timedelta(hours=3), priority=3, urgency="do not drive")
        started = time.perf_counter()
        result = replan(problem, plan, NewJob(urgent), now=now, time_limit_s=2.0)
        wall = time.perf_counter() - started
        slot = min((b.starts_at for b in result.urgent), default=None)
        frozen = sum(1 for b in result.problem.previous if b.state != "planned")
        rows.append(wall)
        print(f"  at {now:%a %H:%M}: re-planned in {wall:.2f} s; urgent job starts {slot:%a %H:%M} ({(slot - now).total_seconds() / 60:.0f} min "
              f"after it came in); {frozen} bookings frozen; promised jobs moved: {len(result.moves)}; warnings: {len(result.warnings)}"
              if slot else f"  at {now:%a %H:%M}: re-planned in {wall:.2f} s; the urgent job could not be booked", flush=True)
    print(f"  median re-plan {statistics.median(rows):.2f} s (target <= 2 s)")
    return {"median_s": statistics.median(rows), "times": rows}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="bench_schedule", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (ft10 30 s, fewer repeats)")
    parser.add_argument("--brandimarte", action="store_true", help="only Brandimarte mk01-mk10 (long: time limit each)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="Brandimarte time limit per instance (default 60)")
    parser.add_argument("--instances", nargs="*", help="Brandimarte instances (default all)")
    args = parser.parse_args(argv)
    print(f"OR-Tools import {_warm_up():.2f} s (once per process, not in the figures below)")
    if args.brandimarte:
        return {"brandimarte": bench_brandimarte(args.time_limit, args.instances)}
    results = {"jobshop": bench_jobshop(args.quick), "week": bench_week(args.quick), "overloaded": bench_overloaded(args.quick),
               "urgent": bench_urgent(args.quick)}
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
