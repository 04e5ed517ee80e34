"""Workshop roles and what each may do: every action a person can take is a ``Permission``.

Built-in roles are the five of the workshop; a custom role (stored by ``people/roles.py``) is any
set of these permissions under a new name. Deny by default: a role not listed here, a custom role
not found, or a permission not in the role's set is refused. The same table is written out in
``docs/ARCHITECTURE.md`` ("Who may do what") and a test compares the two.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Role(enum.StrEnum):
    TECHNICIAN = "technician"
    SERVICE_MANAGER = "service manager"
    WARRANTY_CLERK = "warranty clerk"
    FLEET_MANAGER = "fleet manager"
    ADMIN = "admin"


class Permission(enum.StrEnum):
    CLEAR_CODES = "clear trouble codes"
    TRANSMIT_FRAMES = "transmit CAN frames"
    START_RECORDING = "start recordings"
    RECORD = "start recordings"  # the older name of START_RECORDING (an alias: the same member)
    DELETE_RECORDING = "delete recordings"
    EDIT_SCHEDULE = "edit the schedule"
    DECIDE_CLAIMS = "approve or reject warranty claims"
    EDIT_COVERAGE = "change coverage rules"
    MANAGE_USERS = "manage users and roles"
    VIEW_AUDIT = "view the audit trail"
    CHANGE_SETTINGS = "change settings"
    SYNC = "configure sync and resolve conflicts"


_P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.TECHNICIAN: frozenset({_P.CLEAR_CODES, _P.TRANSMIT_FRAMES, _P.START_RECORDING}),
    Role.SERVICE_MANAGER: frozenset({_P.START_RECORDING, _P.DELETE_RECORDING, _P.EDIT_SCHEDULE, _P.CHANGE_SETTINGS, _P.SYNC}),
    Role.WARRANTY_CLERK: frozenset({_P.DECIDE_CLAIMS, _P.EDIT_COVERAGE}),
    Role.FLEET_MANAGER: frozenset({_P.VIEW_AUDIT, _P.SYNC}),
    Role.ADMIN: frozenset(Permission),
}


def allowed(role: Role, permission: Permission) -> bool:
    """Whether a built-in role holds ``permission`` (anything unknown: no)."""
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def builtin_role(name: str) -> Role | None:
    try:
        return Role(name)
    except ValueError:
        return None


def parse_permissions(names: Iterable[str]) -> frozenset[Permission]:
    """Permissions from their values or member names (``clear trouble codes`` or ``CLEAR_CODES``); ValueError names the unknown."""
    found: set[Permission] = set()
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        if name in Permission.__members__:
            found.add(Permission[name])
            continue
        try:
            found.add(Permission(name))
        except ValueError:
            known = ", ".join(p.name for p in Permission)
            raise ValueError(f"unknown permission {name!r} (known: {known})") from None
    return frozenset(found)
