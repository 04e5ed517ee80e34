"""``carvrooom users``: create the first admin, list, add, change role, reset a password, unlock.

Exit codes: 0 done; 1 refused (the signed-in user may not) or failed (the message says which);
2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys

from carvrooom_desktop.cli.common import open_store
from carvrooom_desktop.cli.signed_in import cli_actor, read_password
from carvrooom_desktop.errors import InvalidRequest
from carvrooom_desktop.people import People


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("users", help="users: first admin, add, role, password reset, unlock (exit 1: refused/failed)",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    first = actions.add_parser("create-admin", help="the first run's admin (only while there are no users)")
    first.add_argument("name")
    first.add_argument("--email", default="")
    first.add_argument("--display-name", default="")
    first.add_argument("--password-stdin", action="store_true", help="read the password from stdin (else asked twice)")
    listing = actions.add_parser("list", help="every user, their role and lock state")
    listing.add_argument("--json", action="store_true")
    add = actions.add_parser("add", help="add a user (admins)")
    add.add_argument("name")
    add.add_argument("--role", required=True, help="a built-in role (technician, service manager, ...) or a custom one")
    add.add_argument("--email", default="")
    add.add_argument("--display-name", default="")
    add.add_argument("--password-stdin", action="store_true", help="read the new user's password from stdin")
    role = actions.add_parser("set-role", help="change a user's role (admins)")
    role.add_argument("name")
    role.add_argument("role")
    reset = actions.add_parser("reset-password", help="set a new password for a user (admins)")
    reset.add_argument("name")
    reset.add_argument("--password-stdin", action="store_true")
    unlock = actions.add_parser("unlock", help="lift a lock-out (admins)")
    unlock.add_argument("name")
    passwd = actions.add_parser("passwd", help="change your own password (--as NAME)")
    passwd.add_argument("--password-stdin", action="store_true", help="stdin: the current password, then the new one")
    parser.set_defaults(run=run)


def _new_password(args: argparse.Namespace, who: str) -> str:
    if args.password_stdin:
        return read_password("", stdin=True)
    if not sys.stdin.isatty():
        raise InvalidRequest("give the password with --password-stdin (or run on a terminal)")
    import getpass

    first = getpass.getpass(f"new password for {who}: ")
    if getpass.getpass("again: ") != first:
        raise InvalidRequest("the two passwords differ; nothing was changed")
    return first


def run(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        people = People.of(store)
        if args.action == "create-admin":
            user = people.users.create_first_admin(args.name, _new_password(args, args.name), email=args.email,
                                                   display_name=args.display_name)
            print(f"admin {user.name} created; sign in with --as {user.name} (demo mode is over)")
            return 0
        if args.action == "passwd":
            actor = cli_actor(args, store)
            old = read_password("", stdin=True) if args.password_stdin else read_password("current password: ")
            people.users.change_password(actor, old, _new_password(args, actor.name))
            print("password changed")
            return 0
        actor = cli_actor(args, store)
        if args.action == "list":
            users = people.users.list()
            if args.json:
                print(json.dumps([{"name": u.name, "display_name": u.display_name, "role": u.role, "email": u.email,
                                   "locked": u.locked, "failed_logins": u.failed_logins} for u in users], indent=2))
            for u in users if not args.json else ():
                print(f"{u.name:<20} {u.role:<18} {u.email:<30} {'LOCKED' if u.locked else ''}")
            return 0
        if args.action == "add":
            people.users.create(actor, args.name, _new_password(args, args.name), args.role, email=args.email,
                                display_name=args.display_name)
            print(f"user {args.name} added ({args.role})")
        elif args.action == "set-role":
            people.users.set_role(actor, args.name, args.role)
            print(f"{args.name} is now {args.role}")
        elif args.action == "reset-password":
            people.users.reset_password(actor, args.name, _new_password(args, args.name))
            print(f"password of {args.name} reset (they must change it at next sign-in)")
        elif args.action == "unlock":
            people.users.unlock(actor, args.name)
            print(f"{args.name} unlocked")
    return 0
