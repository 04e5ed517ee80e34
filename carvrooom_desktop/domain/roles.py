"""Workshop roles and what each may do. Users and sign-in come with the admin issue;
until then the workstation's role is a setting."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    TECHNICIAN = "technician"
    SERVICE_MANAGER = "service manager"
    WARRANTY_CLERK = "warranty clerk"
    FLEET_MANAGER = "fleet manager"
    ADMIN = "admin"


class Permission(enum.StrEnum):
    CLEAR_CODES = "clear trouble codes"
    TRANSMIT_FRAMES = "transmit CAN frames"
    RECORD = "record sessions"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.TECHNICIAN: frozenset({Permission.CLEAR_CODES, Permission.TRANSMIT_FRAMES, Permission.RECORD}),
    Role.SERVICE_MANAGER: frozenset({Permission.RECORD}),
    Role.WARRANTY_CLERK: frozenset(),
    Role.FLEET_MANAGER: frozenset(),
    Role.ADMIN: frozenset(Permission),
}


def allowed(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
