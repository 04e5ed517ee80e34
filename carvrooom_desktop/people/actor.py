"""Who is acting: the signed-in user (or the demo user) with the permissions of their role."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from carvrooom_desktop.domain.roles import ROLE_PERMISSIONS, Permission, Role

if TYPE_CHECKING:
    from carvrooom_desktop.people.audit import AuditTrail

DEMO_USER = "demo"
WORKSTATION = "workstation"  # the actor of a bare role (a caller that passes a Role, not a signed-in user)
# What a role always decided, before there were users: touching the car. In demo mode (no users) the
# workstation's role still decides these; the rest is open, as it was (a store without users has
# nobody to keep out, and the first admin ends demo mode).
CAR_PERMISSIONS = frozenset({Permission.CLEAR_CODES, Permission.TRANSMIT_FRAMES})


@dataclass(frozen=True)
class Actor:
    """A person acting on this workstation. ``audit`` is the trail their refusals and actions go to
    (the store they signed in to); ``demo`` marks the automatic user of demo mode."""

    name: str
    role: str
    permissions: frozenset[Permission]
    display_name: str = ""
    demo: bool = False
    audit: AuditTrail | None = field(default=None, compare=False, repr=False)

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def label(self) -> str:
        return f"{self.display_name or self.name} ({self.role})"

    @classmethod
    def for_role(cls, role: Role | str, *, name: str = WORKSTATION, audit: AuditTrail | None = None, demo: bool = False) -> Actor:
        """An actor holding a built-in role's permissions; an unknown role name holds none (deny by default)."""
        try:
            known: Role | None = Role(role)
        except ValueError:
            known = None
        permissions = ROLE_PERMISSIONS.get(known, frozenset()) if known is not None else frozenset()
        return cls(name=name, role=str(role), permissions=permissions, demo=demo, audit=audit)


def demo_actor(role: Role | str = Role.TECHNICIAN, audit: AuditTrail | None = None) -> Actor:
    """Demo mode's user, signed in automatically: the workstation's role (settings.role) for the car, the rest open."""
    base = Actor.for_role(role, name=DEMO_USER, audit=audit, demo=True)
    return replace(base, permissions=base.permissions | (frozenset(Permission) - CAR_PERMISSIONS))


__all__ = ["CAR_PERMISSIONS", "DEMO_USER", "WORKSTATION", "Actor", "demo_actor"]
