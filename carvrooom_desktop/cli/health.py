"""``carvrooom health``: run every health check on the simulated car or on a recording.

``--sim`` drives drivers.simulator's VehicleModel directly, much faster than real time
(15 simulated minutes take about a second), collects every signal into a SignalSet and
runs the checks; ``--recording ID`` loads a recording's samples from the store and keeps the
wear trends with the recording's vehicle. The work itself is carvrooom_desktop.health.
"""

from __future__ import annotations

import argparse
import json
import math

from collections.abc import Sequence
from typing import TYPE_CHECKING

from carvrooom_desktop.domain import Finding, Severity

if TYPE_CHECKING:  # numpy/scipy load only when the command runs, not for every `carvrooom` call
    from analysis.health_score import HealthReport
    from carvrooom_desktop.health.service import HealthResult
    from carvrooom_desktop.health.wear_trends import RulCard


from carvrooom_desktop.cli.common import add_live_options, live_spec


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("health", help="health checks and scores on the simulated car or a recording")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--sim", action="store_true", help="drive the simulated car (faster than real time)")
    source.add_argument("--recording", metavar="ID", help="a recording in the store (an id prefix is enough)")
    add_live_options(source, parser, what="check")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME[:SEVERITY]",
                        help="simulator fault to inject (repeatable), e.g. vacuum_leak or misfire_cyl3:0.5")
    parser.add_argument("--minutes", type=float, default=15.0, help="simulated driving time (default 15)")
    parser.add_argument("--seed", type=int, default=0, help="simulator seed (deterministic runs)")
    parser.add_argument("--all", action="store_true", help="also list checks that had not enough data")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def recording_health(args: argparse.Namespace) -> HealthResult:
    """Checks on a stored recording; the wear trends are kept with the recording's vehicle."""
    from carvrooom_desktop.cli.common import open_store
    from carvrooom_desktop.health.service import run_health
    from carvrooom_desktop.health.sources import signals_from_samples
    from carvrooom_desktop.storage.health_models import HealthModelRepository

    with open_store(args) as store:
        spec = live_spec(args)
        if spec is not None:
            from carvrooom_desktop.cli.common import record_live

            recording = record_live(store, spec, args.seconds, notes="health check")
        else:
            recording = store.recordings.find(args.recording)
        samples = store.recordings.load_samples(recording.id)
        models = HealthModelRepository(store.engine, store.origin)
        vehicle_id = models.vehicle_id_for_vin(recording.vin) if recording.vin else None
        signals = signals_from_samples(samples, recording.signal_units)
        return run_health(signals, f"recording {recording.id}", models=models, vehicle_id=vehicle_id)


def run(args: argparse.Namespace) -> int:
    from carvrooom_desktop.health.service import finding_to_dict, run_health
    from carvrooom_desktop.health.sources import simulate_signals

    if args.sim:
        if args.minutes <= 0 or not math.isfinite(args.minutes):
            raise ValueError("--minutes must be a positive number")
        signals = simulate_signals(args.fault, args.minutes, args.seed)
        what = f"simulated car, seed {args.seed}, {args.minutes:g} min" + (f", faults: {', '.join(args.fault)}" if args.fault else ", no fault")
        result = run_health(signals, what)
    else:
        if args.fault:
            raise ValueError("--fault only applies to the simulated car (--sim)")
        result = recording_health(args)
    if args.json:
        print(json.dumps({"source": result.source, "findings": [finding_to_dict(f) for f in result.findings],
                          "scores": result.report.to_dict(), "rul": [c.to_dict() for c in result.rul]}, indent=2))
    else:
        print(format_report(result.source, list(result.findings), result.report, show_all=args.all, rul=result.rul))
    return 0


def format_report(what: str, findings: list[Finding], report: HealthReport, show_all: bool = False,
                  rul: Sequence[RulCard] = ()) -> str:
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
    if rul:
        lines += ["", "Remaining life of wear items"]
        for card in rul:
            lines.append(f"  {card.title:<20} " + (card.estimate.describe() if card.estimate is not None else f"no estimate: {card.reason}"))
    worst = max((f.severity for f in findings if f.enough_data), default=Severity.OK)
    lines.append(f"\nWorst finding: {worst.name.lower()}")
    return "\n".join(lines)
