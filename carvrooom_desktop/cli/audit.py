"""``carvrooom audit``: check the audit trail (verify), read it (show), sign its head now (checkpoint).

Exit codes: 0 intact / done; 1 refused (needs "view the audit trail") or failed; 2 bad usage;
3 ``verify`` found tampering (the first bad entry is named).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta

from carvrooom_desktop.cli.common import open_store
from carvrooom_desktop.cli.signed_in import cli_actor
from carvrooom_desktop.domain.roles import Permission
from carvrooom_desktop.errors import InvalidRequest
from carvrooom_desktop.people import People, authorize

EXIT_TAMPERED = 3


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("audit", help="verify or show the audit trail (exit 3: tampered)",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    verify = actions.add_parser("verify", help="check every chain link, checkpoint signature and the signed head")
    verify.add_argument("--json", action="store_true")
    show = actions.add_parser("show", help="entries, newest first")
    show.add_argument("--user", dest="who", metavar="NAME", help="only what this user did (or tried)")
    show.add_argument("--record", help="only entries about this record (text in it: user:tina, recording:3f2a)")
    show.add_argument("--since", help="ISO date/time (UTC) or a duration: 2026-12-01, 2026-12-01T08:00, 2h, 3d")
    show.add_argument("--limit", type=int, default=200)
    show.add_argument("--json", action="store_true")
    actions.add_parser("checkpoint", help="sign the current head now")
    parser.set_defaults(run=run)


def _since(text: str | None) -> str | None:
    if not text:
        return None
    units = {"m": 60, "h": 3600, "d": 86400}
    if text[-1:] in units and text[:-1].isdigit():
        moment = datetime.now(UTC) - timedelta(seconds=int(text[:-1]) * units[text[-1]])
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidRequest(f"--since {text!r}: give an ISO date/time (2026-12-01T08:00) or a duration (2h, 3d)") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def run(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        people = People.of(store)
        actor = cli_actor(args, store)
        authorize(actor, Permission.VIEW_AUDIT, record="audit", audit=people.audit)
        if args.action == "checkpoint":
            print("checkpoint signed" if people.audit.checkpoint() else "nothing signed (no entries, or no keyring)")
            return 0
        if args.action == "verify":
            report = people.audit.verify()
            if args.json:
                print(json.dumps(report.as_dict(), indent=2))
            else:
                print(report.summary())
                for problem in report.problems[1:20]:
                    print(f"  also: {problem}")
                for origin, n in report.unsigned_tail.items():
                    print(f"  note: workstation {origin[:8]}: {n} newest entries after its last signed checkpoint")
                for note in report.notes:
                    print(f"  note: {note}")
            return 0 if report.ok else EXIT_TAMPERED
        entries = people.audit.entries(user=args.who, record=args.record, since=_since(args.since), limit=args.limit)
        if args.json:
            print(json.dumps([e.as_dict() for e in entries], indent=2))
            return 0
        if not entries:
            print("no entries", file=sys.stderr)
        for e in entries:
            change = f"  {e.before} -> {e.after}" if e.before != "null" or e.after != "null" else ""
            print(f"{e.at[:19]}  {e.actor:<16} {e.outcome:<8} {e.action:<36} {e.record}{change}")
    return 0
