"""The one permission check of the core: allowed, or ``PermissionDenied`` and an audited refusal."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from carvrooom_desktop.domain.roles import ROLE_PERMISSIONS, Permission
from carvrooom_desktop.errors import PermissionDenied
from carvrooom_desktop.people.actor import DEMO_USER, WORKSTATION, Actor

if TYPE_CHECKING:
    from carvrooom_desktop.people.audit import AuditTrail

log = logging.getLogger(__name__)


def who_may(permission: Permission) -> str:
    roles = [r.value for r, held in ROLE_PERMISSIONS.items() if permission in held]
    return " or ".join(roles) if roles else "nobody"


def authorize(actor: Actor | None, permission: Permission, *, record: str = "", audit: AuditTrail | None = None) -> Actor:
    """Return ``actor`` if they may do ``permission``; otherwise audit the refusal and raise.

    Deny by default: no actor, an unknown role, a custom role without the permission. The refusal is
    written to ``audit`` or, failing that, the trail of the store the actor signed in to.
    """
    if actor is not None and permission in actor.permissions:
        return actor
    who = actor.name if actor is not None else "nobody signed in"
    trail = audit or (actor.audit if actor is not None else None)
    if trail is not None:
        trail.append(who, permission.value, outcome="refused", record=record,
                     after={"role": actor.role if actor is not None else ""})
    log.info("refused: %s may not %s %s", who, permission.value, record)
    if actor is None:
        raise PermissionDenied(f"nobody is signed in: sign in to {permission.value}")
    subject = f"a {actor.role}" if actor.name in (WORKSTATION, DEMO_USER) else actor.label
    raise PermissionDenied(f"{subject} may not {permission.value}; ask a {who_may(permission)}")


def record_action(actor: Actor | None, action: Permission | str, *, record: str = "", before: Any = None, after: Any = None,
                  audit: AuditTrail | None = None) -> None:
    """Audit an action that was allowed and done (a demo actor without a store has no trail: nothing to write)."""
    trail = audit or (actor.audit if actor is not None else None)
    if trail is not None:
        name = action.value if isinstance(action, Permission) else action
        trail.append(actor.name if actor is not None else "nobody", name, record=record, before=before, after=after)


__all__ = ["authorize", "record_action", "who_may"]
