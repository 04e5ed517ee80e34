"""``carvrooom roles``: the built-in and custom roles and their permissions; custom roles made and changed.

Exit codes: 0 done; 1 refused (needs "manage users and roles") or failed; 2 bad usage.
"""

from __future__ import annotations

import argparse
import json

from carvrooom_desktop.cli.common import open_store
from carvrooom_desktop.cli.signed_in import cli_actor
from carvrooom_desktop.domain.roles import Permission
from carvrooom_desktop.people import People


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("roles", help="roles and their permissions; custom roles (exit 1: refused/failed)",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every role with its permissions")
    listing.add_argument("--json", action="store_true")
    actions.add_parser("permissions", help="every permission there is (names for --allow)")
    save = actions.add_parser("save", help="create or change a custom role (admins)")
    save.add_argument("name")
    save.add_argument("--allow", action="append", default=[], metavar="PERMISSION",
                      help="a permission (repeatable), by name (CLEAR_CODES) or text ('clear trouble codes')")
    save.add_argument("--description", default="")
    delete = actions.add_parser("delete", help="delete a custom role (admins; its users then may do nothing)")
    delete.add_argument("name")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.action == "permissions":
        for p in Permission:
            print(f"{p.name:<18} {p.value}")
        return 0
    with open_store(args) as store:
        people = People.of(store)
        if args.action == "list":
            roles = people.roles.list()
            if args.json:
                print(json.dumps([{"name": r.name, "builtin": r.builtin, "permissions": sorted(p.name for p in r.permissions),
                                   "description": r.description} for r in roles], indent=2))
            for r in roles if not args.json else ():
                kind = "built-in" if r.builtin else "custom"
                print(f"{r.name:<18} {kind:<9} {', '.join(sorted(p.name for p in r.permissions)) or '(nothing)'}")
            return 0
        actor = cli_actor(args, store)
        if args.action == "save":
            role = people.roles.save(actor, args.name, args.allow, args.description)
            print(f"role {role.name}: {', '.join(sorted(p.name for p in role.permissions)) or '(nothing)'}")
        else:
            people.roles.delete(actor, args.name)
            print(f"role {args.name} deleted")
    return 0
