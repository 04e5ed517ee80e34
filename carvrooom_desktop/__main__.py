"""``carvrooom``: one argument parser (``carvrooom_desktop.cli``) for the GUI and the headless subcommands.

No subcommand (``carvrooom``, ``carvrooom --db URL``) or ``gui`` starts the GUI, which imports Qt
lazily; every other subcommand is headless and never imports Qt.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from carvrooom_desktop.cli import run_cli
    from carvrooom_desktop.cli.gui import is_openable

    args = list(sys.argv[1:] if argv is None else argv)
    if args and is_openable(args[0]):  # `carvrooom drive.blf` (a file manager's "Open with"): the GUI opens it
        args.insert(0, "gui")
    return run_cli(args)


if __name__ == "__main__":
    sys.exit(main())
