"""The headless CLI: one subcommand per core job, each in its own module."""

from __future__ import annotations

import argparse
import logging
import sys

from carvrooom_desktop import __version__
from carvrooom_desktop.cli import clear, decode, diagnose, export, health, import_log, record, rul, scan, sessions, simulate
from carvrooom_desktop.errors import CarVrooomError
from drivers.errors import DriverError
from drivers.simulator.errors import UnknownFault

COMMANDS = (scan, clear, record, sessions, simulate, health, rul, import_log, export, decode, diagnose)

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="carvrooom",
        description="CarVrooom Desktop: diagnostic workstation. `carvrooom` or `carvrooom gui [--autoconnect] [--fault F]` starts the GUI.",
    )
    parser.add_argument("--version", action="version", version=f"carvrooom {__version__}")
    parser.add_argument("--db", metavar="URL", help="database URL (default: the embedded SQLite store; env CARVROOOM_DB_URL)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.add_parser(sub)
    return parser


def run_cli(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.run(args)
    except UnknownFault as e:
        print(f"carvrooom: {e}", file=sys.stderr)
        return EXIT_USAGE
    except (CarVrooomError, DriverError, ValueError) as e:
        print(f"carvrooom: {e}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("carvrooom: interrupted", file=sys.stderr)
        return 130
