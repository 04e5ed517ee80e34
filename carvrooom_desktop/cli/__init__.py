"""The command line: one argparse parser for every subcommand, the GUI included.

``carvrooom`` alone (or with only common options: ``carvrooom --db URL``) starts the GUI, as
does ``carvrooom gui``; every other subcommand is headless and never imports Qt.

A subcommand's module (and what it imports: python-can, SQLAlchemy, the simulator...) is
imported only when that subcommand is chosen or the top-level help lists them all, so the
GUI's start-up does not pay for the CLI, and a subcommand whose stack cannot load on this
machine breaks only itself.

The common options (``--db``, ``-v``) are accepted before and after the subcommand (and after a
nested one: ``carvrooom sessions list -v``). Subparsers declare them with
``default=argparse.SUPPRESS``, so a subcommand that was not given one keeps the top-level value.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from carvrooom_desktop import __version__
from carvrooom_desktop.cli import gui
from carvrooom_desktop.errors import CarVrooomError
from drivers.errors import DriverError
from drivers.simulator.errors import UnknownFault

# Subcommand -> module in this package, in help order.
COMMAND_MODULES = {
    "gui": "gui", "scan": "scan", "clear": "clear", "record": "record", "sessions": "sessions", "simulate": "simulate",
    "health": "health", "rul": "rul", "import": "import_log", "export": "export", "decode": "decode", "diagnose": "diagnose",
    "schedule": "schedule",  # bay scheduling (issue 11)
    "sync": "sync",  # sync with the shared workshop database (issue 13)
    "warranty": "warranty",  # warranty claims, coverage and fraud signals (issue 12)
    "alerts": "alerts",  # the alert centre, escalation policies, mail (issue 14)
    "users": "users", "roles": "roles", "audit": "audit",  # people and trust (issue 14)
    "fleet": "fleet",  # the fleet: seeded demo fleet, health and due maintenance, a car's history (issue 15)
    "telematics": "telematics",  # telematics over MQTT: listen and store (issue 15)
    "report": "report",  # the owner's health report PDF (issue 15)
}

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def __getattr__(name: str) -> tuple[ModuleType, ...]:
    if name == "COMMANDS":  # every subcommand module, imported on first use of this name
        return tuple(importlib.import_module(f"{__name__}.{module}") for module in COMMAND_MODULES.values())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _common_options(*, in_subcommand: bool) -> argparse.ArgumentParser:
    unset = argparse.SUPPRESS if in_subcommand else None
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", default=unset,
                        help="database URL (default: the embedded SQLite store; env CARVROOOM_DB_URL)")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS if in_subcommand else False,
                        help="log details to stderr")
    common.add_argument("--as", dest="as_user", metavar="NAME", default=unset,
                        help="sign in as this user (password: prompt or CARVROOOM_PASSWORD; env CARVROOOM_USER)")
    return common


if TYPE_CHECKING:
    _SubParsersBase = argparse._SubParsersAction[argparse.ArgumentParser]
else:  # not subscriptable at run time
    _SubParsersBase = argparse._SubParsersAction


class _Subcommands(_SubParsersBase):
    """Subparsers that also accept the common options."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs["parents"] = [*kwargs.get("parents", ()), _common_options(in_subcommand=True)]
        return super().add_parser(name, **kwargs)


class _CommandParser(argparse.ArgumentParser):
    """An ArgumentParser whose nested subcommands (``sessions list``) get the common options too."""

    # typeshed spells add_subparsers as overloads that a **kwargs pass-through cannot restate
    def add_subparsers(self, **kwargs: Any) -> argparse._SubParsersAction[_CommandParser]:  # type: ignore[override]
        kwargs.setdefault("action", _Subcommands)
        return super().add_subparsers(**kwargs)


class _LazySubcommands(_Subcommands):
    """The top-level subcommands: a module is imported when its subcommand is chosen, or when the help lists them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # what argparse checks the name against, before anything is imported (typeshed says a dict;
        # argparse only tests membership)
        self.choices = tuple(COMMAND_MODULES)  # type: ignore[assignment]

    def load(self, name: str) -> argparse.ArgumentParser:
        if name not in self._name_parser_map:
            importlib.import_module(f"{__package__}.{COMMAND_MODULES[name]}").add_parser(self)
        return self._name_parser_map[name]

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        self.load(cast(Sequence[str], values)[0])  # nargs=PARSER: the command, then its arguments
        super().__call__(parser, namespace, values, option_string)

    def _get_subactions(self) -> list[argparse.Action]:
        for name in COMMAND_MODULES:
            self.load(name)
        order = list(COMMAND_MODULES)
        return sorted(super()._get_subactions(), key=lambda a: order.index(a.dest) if a.dest in order else len(order))


def build_parser() -> argparse.ArgumentParser:
    """The only parser of the command line (GUI options included)."""
    parser = _CommandParser(
        prog="carvrooom", parents=[_common_options(in_subcommand=False)],
        description="CarVrooom Desktop: diagnostic workstation. `carvrooom` alone or `carvrooom gui` starts the GUI; "
                    "the other commands are headless.",
    )
    parser.add_argument("--version", action="version", version=f"carvrooom {__version__}")
    parser.add_subparsers(dest="command", metavar="COMMAND", action=_LazySubcommands)
    return parser


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse a command line; arguments no option matches are an error (exit 2), except after ``gui``,
    where they go to Qt (``args.qt_args``)."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(list(argv))
    if unknown:
        if args.command != "gui":
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        args.qt_args = unknown
    return args


def run_cli(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    run = getattr(args, "run", None) or gui.run  # no subcommand: the GUI
    if run is not gui.run:  # the GUI sets up its own logging (a file, and -v for stderr)
        logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return run(args)
    except UnknownFault as e:
        print(f"carvrooom: {e}", file=sys.stderr)
        return EXIT_USAGE
    except (CarVrooomError, DriverError, ValueError) as e:
        print(f"carvrooom: {e}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("carvrooom: interrupted", file=sys.stderr)
        return 130
