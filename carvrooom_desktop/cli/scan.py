"""``carvrooom scan``: identify the car, read codes, readiness and freeze frame."""

from __future__ import annotations

import argparse
import json

from carvrooom_desktop.acquisition.scan import ScanReport
from carvrooom_desktop.acquisition.session import LiveSession
from carvrooom_desktop.cli.common import add_source_options, source_from
from carvrooom_desktop.events import EventBus


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("scan", help="read VIN, trouble codes, readiness and freeze frame (--all-modules: every module over UDS)",
                            epilog="exit codes: 0 scanned (with --all-modules: each module's state is in the output), "
                                   "1 failed (adapter, refused clear), 2 usage, 3 --all-modules found no module answering")
    add_source_options(parser)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    add_module_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "all_modules", False):
        from carvrooom_desktop.cli.scan_modules import run_modules  # UDS stack loaded only when asked for

        return run_modules(args)
    session = LiveSession(source_from(args), events=EventBus(), store=None, signals=[])
    try:
        report = session.connect()
    finally:
        session.close()
    print(json.dumps(report.to_dict(), indent=2) if args.json else format_report(report))
    return 0


def add_module_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("every module of the car (UDS, ISO 14229 over ISO-TP)")
    group.add_argument("--all-modules", action="store_true",
                       help="discover and read every module (with --can IF:CH, --elm PORT taking raw headers, or --sim)")
    group.add_argument("--module-fault", action="append", default=[], metavar="NAME[:MODULE]",
                       help="with --sim: a module fault (repeatable), e.g. abs_wheel_speed_open, busy:HVAC, gateway_block")
    group.add_argument("--clear", action="append", default=[], metavar="MODULE",
                       help="clear one module's codes after the scan (repeatable: ABS, 760/768, or 'all'); asks unless --yes")
    group.add_argument("--yes", action="store_true", help="confirm --clear without asking")
    group.add_argument("--29-bit", dest="extended", action="store_true", help="with --sim: the car's modules on 29-bit ids")
    group.add_argument("--elm-face", action="store_true", help="with --sim: reach the modules through the simulated ELM327 (ATSH/ATCRA)")
    group.add_argument("--no-store", action="store_true", help="do not keep the module list in the store")


def format_report(report: ScanReport) -> str:
    v, info = report.vehicle, report.vin_info
    lines = [f"Vehicle   {v.vin}  ({'valid' if info.valid else 'INVALID: ' + '; '.join(info.problems)})"]
    who = " ".join(str(x) for x in (info.model_year, info.manufacturer, f"- {info.country}" if info.country else "") if x)
    if who:
        lines.append(f"          {who}")
    if v.odometer_km is not None:
        lines.append(f"Odometer  {v.odometer_km:,.1f} km")
    lines.append(f"Adapter   {report.adapter}  (scan took {report.elapsed_s:.2f} s)")
    lines += [f"          {detail}" for detail in report.adapter_details]
    if report.readiness is not None:
        lines.append(f"MIL       {'ON' if report.mil_on else 'off'}   confirmed codes reported: {report.readiness.dtc_count}")
    else:
        lines.append("MIL       not read")
    lines.append("")
    if report.dtcs:
        lines.append("Trouble codes")
        for d in report.dtcs:
            lines.append(f"  {d.code}  {d.kind.value:<9}  {d.ecu:<4} {d.system.value:<28}  {d.description}")
    else:
        lines.append("Trouble codes: none")
    lines.append("")
    if report.readiness is not None:
        lines.append("Readiness")
        for m in report.readiness.monitors:
            lines.append(f"  {m.name:<18} {m.state.value}")
    if report.tests:
        lines.append("")
        lines.append("On-board tests (mode 06)")
        for t in report.tests:
            verdict = "pass" if t.passed else "FAIL"
            lines.append(f"  {t.mid:02X}/{t.tid:02X} {t.monitor:<26} {t.test:<38} {t.value:9.3f} [{t.minimum:g} .. {t.maximum:g}] {t.unit:<6} {verdict}")
    if report.calibration_ids:
        lines.append("")
        lines.append(f"Calibration {', '.join(report.calibration_ids)}   CVN {', '.join(report.cvns)}")
    for frame in report.freeze_frames:
        lines.append("")
        lines.append(f"Freeze frame ({frame.dtc_code})")
        for name, value in frame.values.items():
            lines.append(f"  {name:<26} {value:10.2f} {frame.units.get(name, '')}")
    if len(report.ecus) > 1:
        lines.append("")
        lines.append("Control units answering OBD-II")
        lines += [f"  {label:<5} {len(pids)} PIDs advertised" for label, pids in report.ecus]
    if report.raw_pids:
        lines.append("")
        lines.append("PIDs without a decoder (raw)")
        lines += [f"  {ecu:<5} {pid:02X}  {data}" for ecu, pid, data in report.raw_pids]
    if report.not_read:
        lines.append("")
        lines.append(f"Not read ({len(report.not_read)}): the scan went on without these")
        lines += [f"  {n.item:<48} {n.reason}" for n in report.not_read]
    return "\n".join(lines)
