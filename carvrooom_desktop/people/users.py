"""Users: create (the first admin, then by an admin), sign in with lock-out, change and reset passwords,
change roles, unlock. Every sign-in (good or failed) and every change is audited; no password ever
leaves this module except as its Argon2id hash, and no message repeats one."""

from __future__ import annotations

import builtins
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from carvrooom_desktop.domain.roles import Permission, Role
from carvrooom_desktop.errors import CarVrooomError, InvalidRequest, NotFound
from carvrooom_desktop.people import passwords
from carvrooom_desktop.people.actor import DEMO_USER, Actor
from carvrooom_desktop.people.audit import AuditTrail
from carvrooom_desktop.people.authorize import authorize
from carvrooom_desktop.people.roles import RoleBook
from carvrooom_desktop.storage.models import utcnow
from carvrooom_desktop.storage.people_models import UserRow

log = logging.getLogger(__name__)

MAX_FAILURES = 5  # failed sign-ins in a row before the account locks
LOCKOUT = timedelta(minutes=15)


class SignInFailed(CarVrooomError):
    """Wrong name or password (which one is not said), or a locked account."""


class AccountLocked(SignInFailed):
    pass


@dataclass(frozen=True, slots=True)
class User:
    name: str
    display_name: str
    role: str
    email: str
    failed_logins: int
    locked_until: datetime | None

    @property
    def locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Contact:
    """Whom to tell: what the alerts need of a user."""

    name: str
    display_name: str
    email: str


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _user(row: UserRow) -> User:
    return User(row.name, row.display_name, row.role, row.email, row.failed_logins, _aware(row.locked_until))


class UserDirectory:
    def __init__(self, engine: Engine, origin: str, audit: AuditTrail, roles: RoleBook,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.engine, self.origin, self.audit, self.roles, self.clock = engine, origin, audit, roles, clock

    # -- reading ------------------------------------------------------------------------------------------

    def has_users(self) -> bool:
        with Session(self.engine) as s:
            return bool(s.scalar(select(func.count()).select_from(UserRow).where(UserRow.deleted.is_(False))))

    def list(self) -> builtins.list[User]:
        with Session(self.engine) as s:
            return [_user(r) for r in s.scalars(select(UserRow).where(UserRow.deleted.is_(False)).order_by(UserRow.name))]

    def get(self, name: str) -> User:
        with Session(self.engine) as s:
            return _user(self._row(s, name))

    def with_role(self, role: Role | str) -> builtins.list[Contact]:
        with Session(self.engine) as s:
            rows = s.scalars(select(UserRow).where(UserRow.role == str(role), UserRow.deleted.is_(False)).order_by(UserRow.name))
            return [Contact(r.name, r.display_name, r.email) for r in rows]

    def actor(self, name: str) -> Actor:
        """The actor of a stored user (their role's permissions now)."""
        u = self.get(name)
        return Actor(u.name, u.role, self.roles.permissions_of(u.role), u.display_name, audit=self.audit)

    # -- creating ------------------------------------------------------------------------------------------

    def create_first_admin(self, name: str, password: str, *, display_name: str = "", email: str = "") -> User:
        """The first run's admin; refused once any user exists (then an admin adds users)."""
        if self.has_users():
            raise InvalidRequest("users exist already: an admin adds users (carvrooom users add)")
        user = self._insert(name, password, Role.ADMIN.value, display_name, email)
        self.audit.append(name, "create user", record=f"user:{name}", after={"role": Role.ADMIN.value, "first admin": True})
        return user

    def create(self, by: Actor, name: str, password: str, role: str, *, display_name: str = "", email: str = "") -> User:
        authorize(by, Permission.MANAGE_USERS, record=f"user:{name}", audit=self.audit)
        self._check_role(role)
        if role != Role.ADMIN.value and not self.has_users():  # demo mode's Admin page: never a store without an admin
            raise InvalidRequest("the first user must be an admin (it ends demo mode; the admin then adds the others)")
        user = self._insert(name, password, role, display_name, email)
        self.audit.append(by.name, "create user", record=f"user:{name}", after={"role": role, "email": email})
        return user

    def _insert(self, name: str, password: str, role: str, display_name: str, email: str) -> User:
        name = name.strip()
        if not name or len(name) > 64 or any(c.isspace() for c in name):
            raise InvalidRequest("a user name needs 1-64 characters and no spaces")
        if name == DEMO_USER:
            raise InvalidRequest(f"{DEMO_USER!r} is the demo mode's user; choose another name")
        if email and "@" not in email:
            raise InvalidRequest(f"{email!r} is not an e-mail address")
        passwords.check_policy(password)
        with Session(self.engine) as s, s.begin():
            if s.scalars(select(UserRow).where(UserRow.name == name)).first() is not None:
                raise InvalidRequest(f"a user {name!r} exists already")
            row = UserRow(name=name, display_name=display_name or name, role=role, email=email, origin=self.origin,
                          password_hash=passwords.hash_password(password), failed_logins=0)
            s.add(row)
            s.flush()
            return _user(row)

    # -- signing in ----------------------------------------------------------------------------------------

    def sign_in(self, name: str, password: str) -> Actor:
        """The user's actor, or SignInFailed/AccountLocked (audited either way)."""
        now = self.clock()
        with Session(self.engine) as s, s.begin():
            row = s.scalars(select(UserRow).where(UserRow.name == name, UserRow.deleted.is_(False))).first()
            if row is None:
                passwords.burn_time(password)
                outcome, message = "failed", "wrong user name or password"
            elif (until := _aware(row.locked_until)) is not None and until > now:
                outcome = "refused"
                message = (f"the account {name!r} is locked after {MAX_FAILURES} failed sign-ins until "
                           f"{until:%H:%M} UTC; an admin can unlock it")
            elif not passwords.verify_password(row.password_hash, password):
                row.failed_logins += 1
                row.version += 1
                outcome, message = "failed", "wrong user name or password"
                if row.failed_logins >= MAX_FAILURES:
                    row.locked_until = now + LOCKOUT
                    message += f"; the account is now locked for {int(LOCKOUT.total_seconds() // 60)} minutes"
            else:
                if passwords.needs_rehash(row.password_hash):  # parameters changed since it was hashed
                    row.password_hash = passwords.hash_password(password)
                    log.info("password of %s re-hashed with the current parameters", name)
                if row.failed_logins or row.locked_until is not None:
                    row.failed_logins, row.locked_until = 0, None
                row.version += 1
                outcome, message = "ok", ""
            failures = row.failed_logins if row is not None else 0
        self.audit.append(name, "sign in", outcome=outcome, record=f"user:{name}",
                          after={"failed_in_a_row": failures} if outcome != "ok" else None)
        if outcome == "refused":
            raise AccountLocked(message)
        if outcome == "failed":
            raise SignInFailed(message)
        return self.actor(name)

    # -- changing ------------------------------------------------------------------------------------------

    def change_password(self, actor: Actor, old: str, new: str) -> None:
        """The user's own password: the old one must be right."""
        with Session(self.engine) as s, s.begin():
            row = self._row(s, actor.name)
            if not passwords.verify_password(row.password_hash, old):
                ok = False
            else:
                passwords.check_policy(new)
                row.password_hash, row.must_change_password, row.version = passwords.hash_password(new), False, row.version + 1
                ok = True
        self.audit.append(actor.name, "change password", outcome="ok" if ok else "failed", record=f"user:{actor.name}")
        if not ok:
            raise SignInFailed("the current password is wrong; the password was not changed")

    def reset_password(self, by: Actor, name: str, new: str) -> None:
        authorize(by, Permission.MANAGE_USERS, record=f"user:{name}", audit=self.audit)
        passwords.check_policy(new)
        with Session(self.engine) as s, s.begin():
            row = self._row(s, name)
            row.password_hash = passwords.hash_password(new)
            row.must_change_password, row.failed_logins, row.locked_until = True, 0, None
            row.version += 1
        self.audit.append(by.name, "reset password", record=f"user:{name}")

    def set_role(self, by: Actor, name: str, role: str) -> None:
        authorize(by, Permission.MANAGE_USERS, record=f"user:{name}", audit=self.audit)
        self._check_role(role)
        with Session(self.engine) as s, s.begin():
            row = self._row(s, name)
            before = row.role
            if before == Role.ADMIN.value and role != before and self._admins(s) <= 1:
                raise InvalidRequest(f"{name!r} is the last admin; make another admin first")
            row.role, row.version = role, row.version + 1
        self.audit.append(by.name, "change role", record=f"user:{name}", before={"role": before}, after={"role": role})

    def update_contact(self, by: Actor, name: str, *, display_name: str | None = None, email: str | None = None) -> None:
        authorize(by, Permission.MANAGE_USERS, record=f"user:{name}", audit=self.audit)
        with Session(self.engine) as s, s.begin():
            row = self._row(s, name)
            before = {"display_name": row.display_name, "email": row.email}
            if display_name is not None:
                row.display_name = display_name
            if email is not None:
                if email and "@" not in email:
                    raise InvalidRequest(f"{email!r} is not an e-mail address")
                row.email = email
            row.version += 1
            after = {"display_name": row.display_name, "email": row.email}
        self.audit.append(by.name, "change user", record=f"user:{name}", before=before, after=after)

    def unlock(self, by: Actor, name: str) -> None:
        authorize(by, Permission.MANAGE_USERS, record=f"user:{name}", audit=self.audit)
        with Session(self.engine) as s, s.begin():
            row = self._row(s, name)
            row.failed_logins, row.locked_until, row.version = 0, None, row.version + 1
        self.audit.append(by.name, "unlock user", record=f"user:{name}")

    def _check_role(self, role: str) -> None:
        if not self.roles.exists(role):
            known = ", ".join(r.name for r in self.roles.list())
            raise InvalidRequest(f"unknown role {role!r} (known: {known})")

    def _admins(self, s: Session) -> int:
        return int(s.scalar(select(func.count()).select_from(UserRow)
                            .where(UserRow.role == Role.ADMIN.value, UserRow.deleted.is_(False))) or 0)

    @staticmethod
    def _row(s: Session, name: str) -> UserRow:
        row = s.scalars(select(UserRow).where(UserRow.name == name, UserRow.deleted.is_(False))).first()
        if row is None:
            raise NotFound(f"no user {name!r}")
        return row


__all__ = ["LOCKOUT", "MAX_FAILURES", "AccountLocked", "Contact", "SignInFailed", "User", "UserDirectory"]
