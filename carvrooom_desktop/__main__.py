"""``carvrooom``: no arguments (or ``gui``) starts the GUI; subcommands are the headless CLI (no Qt imported)."""

from __future__ import annotations

import sys


def _gui_request(argv: list[str]) -> tuple[bool, str | None, list[str]]:
    """(is this a GUI start, the --db URL if given, the arguments left for the GUI)."""
    db, rest = None, list(argv)
    if len(rest) >= 2 and rest[0] == "--db":
        db, rest = rest[1], rest[2:]
    if not rest:
        return True, db, []
    if rest[0] == "gui":
        return True, db, rest[1:]
    return False, None, argv


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    is_gui, db, rest = _gui_request(argv)
    if is_gui:
        from carvrooom_desktop.app import run_gui  # the only path from the entry point to Qt

        return run_gui(rest, db_url=db)
    from carvrooom_desktop.cli import run_cli

    return run_cli(argv)


if __name__ == "__main__":
    sys.exit(main())
