"""Health checks on the simulated car: is every injected fault found, in the right system?

``python -m benchmarks.health_sim_eval [--minutes 15] [--seeds 0 1]``: for a healthy car and
each fault of drivers.simulator.faults.FAULT_CATALOGUE, drive ~15 simulated minutes (dt 0.1 s),
run every check and print a confusion table: injected fault (rows) against the trouble-code
system of the worst finding (columns). Pass = every fault's worst finding is warning or
critical and in the fault's system; healthy runs have no warning or critical finding.
"""

from __future__ import annotations

import argparse
import time

from analysis.checks import System, run_all_checks
from carvrooom_desktop.health.sources import simulate_signals
from carvrooom_desktop.domain import Finding, Severity

HEALTHY = "healthy"


def worst_finding(findings: list[Finding]) -> Finding | None:
    judged = [f for f in findings if f.enough_data]
    return max(judged, key=lambda f: (int(f.severity), f.confidence)) if judged else None


def dtc_system_of(finding: Finding) -> str:
    try:
        return str(System(finding.system).dtc_system)
    except ValueError:
        return finding.system


def evaluate(minutes: float = 15.0, seeds: tuple[int, ...] = (0,)) -> list[dict]:
    from drivers.simulator.faults import FAULT_CATALOGUE

    cases = [(HEALTHY, None)] + [(name, str(spec.system)) for name, spec in FAULT_CATALOGUE.items()]
    rows = []
    for seed in seeds:
        for name, expected in cases:
            started = time.perf_counter()
            signals = simulate_signals(() if name == HEALTHY else (name,), minutes, seed)
            findings = run_all_checks(signals)
            worst = worst_finding(findings)
            got = dtc_system_of(worst) if worst is not None and worst.severity >= Severity.WARNING else "-"
            alarms = [f for f in findings if f.enough_data and f.severity >= Severity.WARNING]
            if name == HEALTHY:
                ok = not alarms
            else:
                ok = worst is not None and worst.severity >= Severity.WARNING and got == expected
            rows.append({
                "seed": seed, "fault": name, "expected": expected or "-", "got": got, "ok": ok,
                "worst": f"{worst.severity.name.lower()} {worst.system}: {worst.check}" if worst else "none",
                "alarms": len(alarms), "seconds": time.perf_counter() - started,
            })
    return rows


def print_table(rows: list[dict]) -> None:
    systems = sorted({r["expected"] for r in rows if r["expected"] != "-"} | {r["got"] for r in rows if r["got"] != "-"})
    cols = systems + ["-"]
    short = {c: c.split(" ")[0][:10] if c != "-" else "none" for c in cols}
    print("\nSimulated car: injected fault vs trouble-code system of the worst finding (warning or critical; 'none' = no alarm)")
    print(f"{'fault':<24}{'seed':>5} " + " ".join(f"{short[c]:>10}" for c in cols) + "   result  worst finding")
    for r in rows:
        cells = " ".join(f"{'X' if r['got'] == c else '.':>10}" for c in cols)
        print(f"{r['fault']:<24}{r['seed']:>5} {cells}   {'PASS' if r['ok'] else 'FAIL':<6}  {r['worst']}")
    passed = sum(r["ok"] for r in rows)
    print(f"\n{passed}/{len(rows)} runs pass; columns: " + ", ".join(f"{short[c]} = {c}" for c in cols if c != "-"))
    print(f"total time {sum(r['seconds'] for r in rows):.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=15.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args(argv)
    rows = evaluate(args.minutes, tuple(args.seeds))
    print_table(rows)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
