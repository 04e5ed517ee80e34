"""``carvrooom health``: run every health check on the simulated car or on a recording.

``--sim`` drives drivers.simulator's VehicleModel directly, much faster than real time
(15 simulated minutes take about a second), collects every signal into a SignalSet and
runs the checks; ``--recording ID`` loads a recording's samples from the store.
"""

from __future__ import annotations

import argparse
import json
import math

from analysis.checks import run_all_checks
from analysis.health_score import HealthReport, score_findings
from analysis.signals import SignalSet
from carvrooom_desktop.domain import Finding, Severity

SIM_DT = 0.1  # s


def add_parser(sub) -> None:
    parser = sub.add_parser("health", help="health checks and scores on the simulated car or a recording")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--sim", action="store_true", help="drive the simulated car (faster than real time)")
    source.add_argument("--recording", metavar="ID", help="a recording in the store (an id prefix is enough)")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME[:SEVERITY]",
                        help="simulator fault to inject (repeatable), e.g. vacuum_leak or misfire_cyl3:0.5")
    parser.add_argument("--minutes", type=float, default=15.0, help="simulated driving time (default 15)")
    parser.add_argument("--seed", type=int, default=0, help="simulator seed (deterministic runs)")
    parser.add_argument("--all", action="store_true", help="also list checks that had not enough data")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def simulate_signals(faults: list[str] | tuple[str, ...] = (), minutes: float = 15.0, seed: int = 0, dt: float = SIM_DT) -> SignalSet:
    """Key on, crank and drive the simulated car for ``minutes``; every signal at every step."""
    from drivers.simulator.faults import parse_fault
    from drivers.simulator.model import SIGNALS, VehicleModel

    model = VehicleModel(seed=seed, faults=tuple(parse_fault(f) for f in faults), history=True)
    steps = max(1, round(minutes * 60.0 / dt))
    times, rows = [], []
    for k in range(steps):
        times.append(k * dt)
        rows.append(model.signals())
        model.step(dt)
    return SignalSet.from_rows(times, rows, units={name: unit for name, (unit, _desc) in SIGNALS.items()})


def recording_signals(args: argparse.Namespace) -> tuple[SignalSet, str]:
    from carvrooom_desktop.cli.common import open_store

    with open_store(args) as store:
        recording = store.recordings.find(args.recording)
        samples = store.recordings.load_samples(recording.id)
        units = dict(recording.signal_units)
    return SignalSet(samples, units), f"recording {recording.id}"


def run(args: argparse.Namespace) -> int:
    if args.sim:
        if args.minutes <= 0 or not math.isfinite(args.minutes):
            raise ValueError("--minutes must be a positive number")
        signals = simulate_signals(args.fault, args.minutes, args.seed)
        what = f"simulated car, seed {args.seed}, {args.minutes:g} min" + (f", faults: {', '.join(args.fault)}" if args.fault else ", no fault")
    else:
        if args.fault:
            raise ValueError("--fault only applies to the simulated car (--sim)")
        signals, what = recording_signals(args)
    findings = run_all_checks(signals)
    report = score_findings(findings)
    if args.json:
        print(json.dumps({"source": what, "findings": [finding_to_dict(f) for f in findings], "scores": report.to_dict()}, indent=2))
    else:
        print(format_report(what, findings, report, show_all=args.all))
    return 0


def finding_to_dict(f: Finding) -> dict:
    return {
        "system": f.system, "check": f.check, "severity": f.severity.name.lower(), "enough_data": f.enough_data,
        "summary": f.summary, "measured": f.measured, "unit": f.unit, "threshold": f.threshold,
        "threshold_source": f.threshold_source, "confidence": f.confidence,
        "time_range": list(f.time_range) if f.time_range else None, "signal": f.signal,
    }


def format_report(what: str, findings: list[Finding], report: HealthReport, show_all: bool = False) -> str:
    lines = [f"Health checks: {what}", ""]
    shown = [f for f in findings if f.enough_data or show_all]
    shown.sort(key=lambda f: (-int(f.severity), f.system, f.check))
    lines.append(f"{'severity':<9} {'system':<13} {'check':<38} {'measured':>12} {'limit':>10}  summary")
    for f in shown:
        sev = f.severity.name.lower() if f.enough_data else "no data"
        measured = f"{f.measured:g} {f.unit}" if f.measured is not None else ""
        limit = f"{f.threshold:g}" if f.threshold is not None else ""
        lines.append(f"{sev:<9} {f.system:<13} {f.check[:38]:<38} {measured:>12} {limit:>10}  {f.summary}")
    skipped = sum(1 for f in findings if not f.enough_data)
    if skipped and not show_all:
        lines.append(f"({skipped} checks had not enough data; --all lists them with the reason)")
    lines += ["", "Scores"]
    for s in report.systems:
        score = "  --" if s.score is None else f"{s.score:4.0f}"
        lines.append(f"  {s.system:<13} {score}  {s.explanation}")
    vehicle = "--" if report.vehicle_score is None else f"{report.vehicle_score:.0f}"
    lines.append(f"  {'vehicle':<13} {vehicle:>4}  {report.explanation}")
    worst = max((f.severity for f in findings if f.enough_data), default=Severity.OK)
    lines.append(f"\nWorst finding: {worst.name.lower()}")
    return "\n".join(lines)
