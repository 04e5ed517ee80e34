"""Custom roles: a name and a set of permissions, stored (synced) beside the five built-in roles."""

from __future__ import annotations

import builtins
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from carvrooom_desktop.domain.roles import ROLE_PERMISSIONS, Permission, Role, builtin_role, parse_permissions
from carvrooom_desktop.errors import InvalidRequest, NotFound
from carvrooom_desktop.people.actor import Actor
from carvrooom_desktop.people.audit import AuditTrail
from carvrooom_desktop.people.authorize import authorize
from carvrooom_desktop.storage.people_models import RoleRow


@dataclass(frozen=True, slots=True)
class RoleInfo:
    name: str
    permissions: frozenset[Permission]
    builtin: bool
    description: str = ""


def _encode(perms: frozenset[Permission]) -> str:
    return "\n".join(sorted(p.value for p in perms))


def _decode(text: str) -> frozenset[Permission]:
    found = set()
    for line in text.splitlines():
        try:
            found.add(Permission(line))
        except ValueError:  # a permission of a newer version: not granted here (deny by default)
            continue
    return frozenset(found)


class RoleBook:
    def __init__(self, engine: Engine, origin: str, audit: AuditTrail) -> None:
        self.engine, self.origin, self.audit = engine, origin, audit

    def permissions_of(self, role: str) -> frozenset[Permission]:
        """A role's permissions; a name that is neither built in nor stored has none."""
        known = builtin_role(role)
        if known is not None:
            return ROLE_PERMISSIONS[known]
        with Session(self.engine) as s:
            row = s.scalars(select(RoleRow).where(RoleRow.name == role, RoleRow.deleted.is_(False))).first()
            return _decode(row.permissions) if row is not None else frozenset()

    def exists(self, role: str) -> bool:
        return builtin_role(role) is not None or any(r.name == role for r in self.list() if not r.builtin)

    def list(self) -> builtins.list[RoleInfo]:
        roles = [RoleInfo(r.value, ROLE_PERMISSIONS[r], True) for r in Role]
        with Session(self.engine) as s:
            for row in s.scalars(select(RoleRow).where(RoleRow.deleted.is_(False)).order_by(RoleRow.name)):
                roles.append(RoleInfo(row.name, _decode(row.permissions), False, row.description))
        return roles

    def save(self, by: Actor, name: str, permissions: builtins.list[str] | frozenset[Permission], description: str = "") -> RoleInfo:
        """Create a custom role or change its permissions (admins: MANAGE_USERS)."""
        name = name.strip()
        authorize(by, Permission.MANAGE_USERS, record=f"role:{name}", audit=self.audit)
        if not name or len(name) > 64:
            raise InvalidRequest("a role needs a name of 1-64 characters")
        if builtin_role(name) is not None:
            raise InvalidRequest(f"{name!r} is a built-in role; its permissions are fixed (make a custom role instead)")
        perms = permissions if isinstance(permissions, frozenset) else _parse(permissions)
        with Session(self.engine) as s, s.begin():
            row = s.scalars(select(RoleRow).where(RoleRow.name == name)).first()
            before = sorted(p.value for p in _decode(row.permissions)) if row is not None and not row.deleted else None
            if row is None:
                row = RoleRow(name=name, origin=self.origin)
                s.add(row)
            else:
                row.version += 1
            row.permissions, row.description, row.deleted = _encode(perms), description, False
        self.audit.append(by.name, "create role" if before is None else "change role permissions", record=f"role:{name}",
                          before=before, after=sorted(p.value for p in perms))
        return RoleInfo(name, perms, False, description)

    def delete(self, by: Actor, name: str) -> None:
        authorize(by, Permission.MANAGE_USERS, record=f"role:{name}", audit=self.audit)
        with Session(self.engine) as s, s.begin():
            row = s.scalars(select(RoleRow).where(RoleRow.name == name, RoleRow.deleted.is_(False))).first()
            if row is None:
                raise NotFound(f"no custom role {name!r}")
            before = sorted(p.value for p in _decode(row.permissions))
            row.deleted, row.version = True, row.version + 1
        self.audit.append(by.name, "delete role", record=f"role:{name}", before=before)


def _parse(names: list[str]) -> frozenset[Permission]:
    try:
        return parse_permissions(names)
    except ValueError as e:
        raise InvalidRequest(str(e)) from None


__all__ = ["RoleBook", "RoleInfo"]
