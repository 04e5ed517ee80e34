"""``carvrooom``: one argument parser (``carvrooom_desktop.cli``) for the GUI and the headless subcommands.

No subcommand (``carvrooom``, ``carvrooom --db URL``) or ``gui`` starts the GUI, which imports Qt
lazily; every other subcommand is headless and never imports Qt.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from carvrooom_desktop.cli import run_cli

    return run_cli(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
