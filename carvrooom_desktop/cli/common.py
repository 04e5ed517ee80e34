"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import argparse

from carvrooom_desktop.acquisition.source import SourceSpec
from carvrooom_desktop.config.secret_store import database_secret_name, get_secret
from carvrooom_desktop.config.settings import load_settings
from carvrooom_desktop.storage.engine import resolve_url
from carvrooom_desktop.storage.store import Store


def add_source_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--sim", action="store_true", help="the built-in simulated car")
    group.add_argument("--can", metavar="INTERFACE:CHANNEL", help="a python-can interface, e.g. socketcan:can0")
    group.add_argument("--elm", metavar="PORT", help="an ELM327: /dev/ttyUSB0, COM3, /dev/rfcomm0 or socket://host:port")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME[:SEVERITY]",
                        help="inject a simulator fault (repeatable), e.g. vacuum_leak or misfire_cyl3:0.5")
    parser.add_argument("--seed", type=int, default=0, help="simulator seed (deterministic runs)")
    parser.add_argument("--bitrate", type=int, help="CAN bitrate for --can")


def source_from(args: argparse.Namespace, *, speed: float | None = 1.0) -> SourceSpec:
    if args.sim:
        return SourceSpec(kind="sim", faults=tuple(args.fault), seed=args.seed, speed=speed)
    if args.fault:
        raise ValueError("--fault only applies to the simulated car (--sim)")
    if args.elm:
        return SourceSpec(kind="elm", channel=args.elm)
    return SourceSpec(kind="can", channel=args.can, bitrate=args.bitrate)


def open_store(args: argparse.Namespace) -> Store:
    settings, _warnings = load_settings()
    url = resolve_url(args.db, settings.database_url or None)
    return Store.open(url, origin=settings.workstation_id, password=get_secret(database_secret_name(url)))
