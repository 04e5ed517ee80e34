"""``carvrooom clear``: clear trouble codes (mode 04) after confirmation, if the role allows it."""

from __future__ import annotations

import argparse
import sys

from carvrooom_desktop.acquisition.session import LiveSession
from carvrooom_desktop.cli.common import add_source_options, source_from
from carvrooom_desktop.config.settings import load_settings
from carvrooom_desktop.domain import Role
from carvrooom_desktop.errors import NotConfirmed
from carvrooom_desktop.events import EventBus

WARNING = "Clearing erases the freeze frames and resets the readiness monitors (the car may fail an inspection until they run again)."


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("clear", help="clear trouble codes (asks for confirmation)")
    add_source_options(parser)
    parser.add_argument("--yes", action="store_true", help="confirm without asking")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings, _ = load_settings()
    session = LiveSession(source_from(args), events=EventBus(), signals=[])
    try:
        before = session.connect()
        codes = ", ".join(sorted({d.code for d in before.dtcs})) or "none"
        confirmed = args.yes
        if not confirmed:
            if not sys.stdin.isatty():
                raise NotConfirmed(f"{WARNING} Codes now: {codes}. Pass --yes to confirm.")
            confirmed = input(f"{WARNING}\nCodes now: {codes}. Clear them? [y/N] ").strip().lower() in ("y", "yes")
            if not confirmed:
                print("nothing cleared")
                return 0
        after = session.clear_codes(Role(settings.role), confirmed=True)
    finally:
        session.close()
    left = ", ".join(f"{d.code} ({d.kind.value})" for d in after.dtcs) or "none"
    print(f"cleared {codes}; the car now reports: {left}")
    return 0
