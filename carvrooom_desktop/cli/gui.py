"""``carvrooom gui`` (and ``carvrooom`` alone): the desktop window.

Parsing the options imports nothing of Qt; only :func:`run` loads the composition root
(``carvrooom_desktop.app``), by name, so ``carvrooom gui --help`` and every other subcommand
stay Qt-free (the layer contract "the CLI never imports Qt" holds for everything the CLI
does except this one deliberate door to the GUI).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

APP_MODULE = "carvrooom_desktop.app"
AUTOCONNECT_KINDS = ("sim", "sim-elm")
# Files `carvrooom FILE` / `carvrooom gui FILE` opens in the window (what a file manager hands over through the
# .desktop entry or the Windows file association): logs are imported, signal databases loaded.
OPENABLE_SUFFIXES = frozenset({".blf", ".asc", ".trc", ".mf4", ".mdf", ".log", ".csv", ".dbc", ".kcd", ".arxml", ".sym"})


def is_openable(arg: str) -> bool:
    """True for an argument that names a log or signal database (by its suffix), not an option or a command."""
    return not arg.startswith("-") and PurePath(arg).suffix.lower() in OPENABLE_SUFFIXES


@dataclass(frozen=True, slots=True)
class GuiOptions:
    """The GUI's parsed options, what ``app.build_gui``/``app.run_gui`` take."""

    db_url: str | None = None
    autoconnect: str | None = None  # "sim" (virtual CAN) or "sim-elm" (behind a simulated ELM327); None: no auto-connect
    faults: tuple[str, ...] = ()
    seed: int | None = None  # None: the settings' simulator seed
    verbose: bool = False
    shared_url: str | None = None  # the workshop's shared PostgreSQL (sync); None: CARVROOOM_SHARED_URL or the settings
    qt_args: tuple[str, ...] = ()  # arguments the parser does not know, handed to QApplication (-style fusion, ...)
    files: tuple[str, ...] = ()  # logs and signal databases to open once the window is up

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> GuiOptions:
        """From ``carvrooom gui ...`` or ``carvrooom`` alone (whose namespace has only the common options)."""
        return cls(
            db_url=getattr(args, "db", None),
            autoconnect=getattr(args, "autoconnect", None),
            faults=tuple(getattr(args, "fault", None) or ()),
            seed=getattr(args, "seed", None),
            verbose=bool(getattr(args, "verbose", False)),
            shared_url=getattr(args, "shared", None),
            qt_args=tuple(a for a in getattr(args, "qt_args", None) or () if not is_openable(a)),
            files=tuple(a for a in getattr(args, "qt_args", None) or () if is_openable(a)),
        )

    @classmethod
    def parse(cls, argv: Sequence[str]) -> GuiOptions:
        """``gui``'s arguments as a list (tests, the frozen self-check), through the one CLI parser."""
        from carvrooom_desktop.cli import parse_args

        return cls.from_args(parse_args(["gui", *argv]))


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "gui", help="the desktop window (what `carvrooom` alone starts)",
        description="Start the CarVrooom Desktop window. FILE arguments (logs: .blf .asc .trc .mf4 .csv .log; signal "
                    "databases: .dbc .kcd .arxml .sym) are opened in it, as if dropped on the window; `carvrooom FILE` "
                    "does the same. Other arguments it does not know are passed to Qt (e.g. -style fusion).",
    )
    parser.add_argument("--autoconnect", nargs="?", const="sim", default=None, choices=AUTOCONNECT_KINDS, metavar="sim|sim-elm",
                        help="connect to the simulated car at start: on virtual CAN (sim, the default) or behind a "
                             "simulated ELM327 (sim-elm; Linux/macOS). Env CARVROOOM_AUTOCONNECT does the same")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME[:SEVERITY]",
                        help="simulator fault for --autoconnect (repeatable); env CARVROOOM_FAULTS=a,b")
    parser.add_argument("--seed", type=int, default=None, help="simulator seed (default: the one in the settings)")
    parser.add_argument("--shared", metavar="URL", default=None,
                        help="sync with the workshop's shared PostgreSQL, e.g. postgresql://shop@server/workshop "
                             "(env CARVROOOM_SHARED_URL; default: the Sync page's settings)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    app = importlib.import_module(APP_MODULE)  # Qt loads here and nowhere else on the way from the command line
    code: int = app.run_gui(GuiOptions.from_args(args))
    return code
