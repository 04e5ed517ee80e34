"""People and trust (issue 14): users, roles, sign-in, one permission check, the audit trail.

For the alerts: ``from carvrooom_desktop.people import users_with_role`` ->
``users_with_role(store_or_engine, role) -> list[Contact]`` (``.name``, ``.display_name``, ``.email``).

Demo mode: a store without users (a fresh machine, the simulated car, ``make run``, the tests) signs
in the demo user ``demo`` with the workstation's role (``settings.role``) automatically. The first
``carvrooom users create-admin`` ends demo mode: from then on the GUI asks for a sign-in and the CLI
for ``--user`` (password from the prompt or ``CARVROOOM_PASSWORD``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from carvrooom_desktop.domain.roles import Role
from carvrooom_desktop.people.actor import DEMO_USER, Actor, demo_actor
from carvrooom_desktop.people.audit import AuditEntry, AuditTrail
from carvrooom_desktop.people.authorize import authorize, record_action, who_may
from carvrooom_desktop.people.roles import RoleBook, RoleInfo
from carvrooom_desktop.people.shift import SessionExpired, ShiftSession
from carvrooom_desktop.people.users import AccountLocked, Contact, SignInFailed, User, UserDirectory


@dataclass
class People:
    """The users, roles and audit trail of one store."""

    engine: Engine
    origin: str
    audit: AuditTrail
    roles: RoleBook
    users: UserDirectory

    @classmethod
    def of(cls, store_or_engine: Any, origin: str | None = None) -> People:
        engine = getattr(store_or_engine, "engine", store_or_engine)
        origin = origin if origin is not None else str(getattr(store_or_engine, "origin", ""))
        audit = AuditTrail(engine, origin)
        roles = RoleBook(engine, origin, audit)
        return cls(engine, origin, audit, roles, UserDirectory(engine, origin, audit, roles))

    @property
    def demo_mode(self) -> bool:
        return not self.users.has_users()

    def demo_actor(self, role: Role | str = Role.TECHNICIAN) -> Actor:
        return demo_actor(role, audit=self.audit)


def users_with_role(store_or_engine: Any, role: Role | str) -> list[Contact]:
    """Name, display name and e-mail of every user holding ``role`` (for whom an alert goes to)."""
    return People.of(store_or_engine).users.with_role(role)


__all__ = [
    "DEMO_USER", "AccountLocked", "Actor", "AuditEntry", "AuditTrail", "Contact", "People", "RoleBook", "RoleInfo",
    "SessionExpired", "ShiftSession", "SignInFailed", "User", "UserDirectory", "authorize", "demo_actor", "record_action",
    "users_with_role", "who_may",
]
