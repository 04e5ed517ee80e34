"""``carvrooom clear``: clear trouble codes (mode 04) after confirmation, if the role allows it."""

from __future__ import annotations

import argparse
import sys

from carvrooom_desktop.acquisition.session import LiveSession
from carvrooom_desktop.cli.common import add_source_options, open_store, source_from
from carvrooom_desktop.cli.signed_in import cli_actor
from carvrooom_desktop.domain import Permission
from carvrooom_desktop.errors import NotConfirmed
from carvrooom_desktop.events import EventBus
from carvrooom_desktop.people import Actor, authorize

WARNING = "Clearing erases the freeze frames and resets the readiness monitors (the car may fail an inspection until they run again)."


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("clear", help="clear trouble codes (asks for confirmation; exit 1: refused or failed)")
    add_source_options(parser)
    parser.add_argument("--yes", action="store_true", help="confirm without asking")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        actor = cli_actor(args, store)  # the demo user (the settings' role) or the signed-in one; refusals audited
        authorize(actor, Permission.CLEAR_CODES, record="vehicle:")  # before touching the car; the session checks again
        return _clear(args, actor)


def _clear(args: argparse.Namespace, actor: Actor) -> int:
    session = LiveSession(source_from(args), events=EventBus(), signals=[], actor=actor)
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
        after = session.clear_codes(actor, confirmed=True)
    finally:
        session.close()
    left = ", ".join(f"{d.code} ({d.kind.value})" for d in after.dtcs) or "none"
    print(f"cleared {codes}; the car now reports: {left}")
    return 0
