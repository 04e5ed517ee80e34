"""``carvrooom scan --all-modules``: every module of the car over UDS, its codes, and a clear per module."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from carvrooom_desktop.cli.common import open_store
from carvrooom_desktop.domain import Permission, Vehicle
from carvrooom_desktop.errors import CarVrooomError, InvalidRequest, NotConfirmed
from drivers.uds.link import AnyModuleLink, open_can, open_elm, open_simulated, open_simulated_elm
from drivers.uds.module_scan import CarScan, ModuleReport, ModuleState

log = logging.getLogger(__name__)
EXIT_NO_MODULE = 3
WARNING = "Clearing erases the module's codes with their snapshots and counters."


def _link(args: argparse.Namespace) -> AnyModuleLink:
    if args.sim:
        if args.elm_face:
            if args.extended:
                raise InvalidRequest("--29-bit and --elm-face do not go together: the simulated ELM327 speaks 11-bit CAN")
            return open_simulated_elm(seed=args.seed, faults=args.fault, module_faults=args.module_fault)
        return open_simulated(seed=args.seed, faults=args.fault, module_faults=args.module_fault, extended=args.extended)
    if args.fault or args.module_fault or args.extended or args.elm_face:
        raise InvalidRequest("--fault, --module-fault, --29-bit and --elm-face only apply to the simulated car (--sim)")
    if args.elm:
        return open_elm(args.elm)  # the adapter must take raw headers (ATSH, ATCRA): ELM327 v1.3+ and STN chips do
    return open_can(args.can, bitrate=args.bitrate)


def run_modules(args: argparse.Namespace) -> int:
    with _link(args) as link:
        scan = link.scan()
        cleared: list[ModuleReport] = []
        if args.clear:
            cleared = _clear(args, link, scan)
    stored = False if args.no_store else _store(args, scan, cleared)
    if args.json:
        print(json.dumps({"adapter": link.label, **scan.to_dict(), "cleared": [m.to_dict() for m in cleared], "stored": stored}, indent=2))
    else:
        print(format_modules(scan, link.label, cleared))
    return 0 if scan.modules else EXIT_NO_MODULE


def _chosen(names: list[str], scan: CarScan) -> list[ModuleReport]:
    if any(n.lower() == "all" for n in names):
        return list(scan.modules)
    out: list[ModuleReport] = []
    for name in names:
        match = [m for m in scan.modules if m.short.upper() == name.upper() or m.address.label.upper() == name.upper()]
        if not match:
            raise InvalidRequest(f"no module {name!r} answered; found: {', '.join(m.short for m in scan.modules) or 'none'}")
        out += match
    return out


def _clear(args: argparse.Namespace, link: AnyModuleLink, scan: CarScan) -> list[ModuleReport]:
    from carvrooom_desktop.cli.signed_in import cli_actor
    from carvrooom_desktop.people import authorize, record_action

    chosen = _chosen(args.clear, scan)
    with open_store(args) as store:
        actor = cli_actor(args, store)
        record = f"vehicle:{scan.vin} modules:{','.join(m.short for m in chosen)}"
        authorize(actor, Permission.CLEAR_CODES, record=record)
        codes = ", ".join(f"{m.short} {d.dtc.display}" for m in chosen for d in m.dtcs) or "none"
        confirmed = args.yes
        if not confirmed:
            if not sys.stdin.isatty():
                raise NotConfirmed(f"{WARNING} Codes now: {codes}. Pass --yes to confirm.")
            confirmed = input(f"{WARNING}\nCodes now: {codes}. Clear them? [y/N] ").strip().lower() in ("y", "yes")
            if not confirmed:
                return []
        after = [link.clear(m.address, actor.permissions, confirmed=True) for m in chosen]
        record_action(actor, Permission.CLEAR_CODES, record=record, before=codes,
                      after=", ".join(f"{m.short} {d.dtc.display}" for m in after for d in m.dtcs) or "none")
    return after


def _store(args: argparse.Namespace, scan: CarScan, cleared: list[ModuleReport]) -> bool:
    """Keep the module list with the car; a store that cannot be opened is a warning, the scan still prints."""
    if not scan.vin:
        return False  # no module gave a VIN: nothing to file it under
    from carvrooom_desktop.storage.vehicle_modules import VehicleModuleRepository

    after = {m.address: m for m in cleared}
    try:
        with open_store(args) as store:
            vehicle_id = store.vehicles.upsert(Vehicle(vin=scan.vin))
            VehicleModuleRepository(store.engine, store.origin).save_scan(
                vehicle_id, scan.vin, [after.get(m.address, m).to_dict() for m in scan.modules])
    except CarVrooomError as e:
        print(f"carvrooom: the module list was not stored: {e}", file=sys.stderr)
        return False
    return True


def format_modules(scan: CarScan, adapter: str, cleared: Sequence[ModuleReport] = ()) -> str:
    lines = [f"Vehicle   {scan.vin or '(no module gave a VIN)'}",
             f"Adapter   {adapter}  (scan took {scan.elapsed_s:.2f} s; {scan.probed or 'the table'} addresses probed in {scan.discovery_s:.2f} s)",
             "", f"{'Module':<46} {'Address':<18} {'Codes':>5}  State"]
    for m in scan.modules:
        lines.append(f"{m.short + '  ' + m.name:<46} {m.address.label:<18} {len(m.dtcs):>5}  {m.state.value}")
        lines += _module_lines(m)
    if not scan.modules:
        lines.append("  no module answered (ignition on? right interface and bitrate?)")
    for m in cleared:
        left = ", ".join(d.dtc.display for d in m.dtcs) or "none"
        lines.append(f"cleared {m.short} {m.address.label}: the module now reports {left}")
    return "\n".join(lines)


def _module_lines(m: ModuleReport) -> list[str]:
    out: list[str] = []
    if m.state is not ModuleState.READ and m.detail:
        out.append(f"    {m.detail}")
    part, software = m.ident("part_number"), m.ident("software_number")
    if part or software:
        out.append(f"    part {part or '?'}  software {software or '?'}  {m.ident('software_version')}")
    for d in m.dtcs:
        out.append(f"    {d.dtc.display}  {d.dtc.description}: {d.dtc.failure_text}   [{', '.join(_words(d.to_dict()))}]")
        if d.snapshot:
            out.append("        snapshot: " + ", ".join(f"{s.name} {s.value:g} {s.unit}".rstrip() if s.value is not None else f"{s.name} {s.raw}" for s in d.snapshot))
        if d.extended:
            out.append("        " + ", ".join(f"{k} {v}" for k, v in d.extended))
    return out


def _words(d: dict[str, Any]) -> list[str]:
    return list(d.get("status_words", []))
