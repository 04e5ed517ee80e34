"""Users: first admin, sign-in with lock-out, re-hash on new parameters, passwords, roles, contacts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from carvrooom_desktop.domain.roles import Permission, Role
from carvrooom_desktop.errors import InvalidRequest, PermissionDenied
from carvrooom_desktop.people import AccountLocked, People, SignInFailed, passwords, users_with_role
from carvrooom_desktop.storage.models import utcnow
from tests.people.people_helpers import ADMIN_PASSWORD, PASSWORD, staff


def test_hash_parameters_are_at_least_owasps():
    params = passwords.hasher()
    assert params.memory_cost >= passwords.OWASP_MINIMUM["memory_cost"]
    assert params.time_cost >= passwords.OWASP_MINIMUM["time_cost"]
    assert params.parallelism >= passwords.OWASP_MINIMUM["parallelism"]
    assert passwords.hash_password("long enough").startswith("$argon2id$")


def test_first_admin_then_only_admins_add_users(people: People):
    assert people.demo_mode
    people.users.create_first_admin("boss", ADMIN_PASSWORD)
    assert not people.demo_mode
    with pytest.raises(InvalidRequest, match="users exist already"):
        people.users.create_first_admin("boss2", ADMIN_PASSWORD)
    admin = people.users.sign_in("boss", ADMIN_PASSWORD)
    people.users.create(admin, "tina", PASSWORD, Role.TECHNICIAN.value, email="tina@shop.example")
    tina = people.users.sign_in("tina", PASSWORD)
    with pytest.raises(PermissionDenied, match="may not manage users"):
        people.users.create(tina, "eve", PASSWORD, Role.ADMIN.value)
    refused = people.audit.entries(user="tina", action=Permission.MANAGE_USERS.value)
    assert refused and refused[0].outcome == "refused"


def test_wrong_password_locks_after_five_and_admin_unlocks(people: People):
    actors = staff(people)
    for _ in range(4):
        with pytest.raises(SignInFailed, match="wrong user name or password"):
            people.users.sign_in("technician", "not-the-password")
    with pytest.raises(SignInFailed, match="now locked for 15 minutes"):
        people.users.sign_in("technician", "not-the-password")
    with pytest.raises(AccountLocked, match="locked after 5 failed sign-ins"):
        people.users.sign_in("technician", PASSWORD)  # even the right password, while locked
    assert people.users.get("technician").locked
    people.users.unlock(actors["admin"], "technician")
    assert people.users.sign_in("technician", PASSWORD).role == Role.TECHNICIAN.value
    outcomes = [e.outcome for e in people.audit.entries(user="technician", action="sign in", newest_first=False)]
    assert outcomes.count("failed") == 5 and outcomes.count("refused") == 1 and outcomes.count("ok") == 2


def test_lockout_ends_by_itself(people: People):
    staff(people)
    later = [utcnow()]
    people.users.clock = lambda: later[0]
    for _ in range(5):
        with pytest.raises(SignInFailed):
            people.users.sign_in("technician", "nope-nope-nope")
    later[0] = later[0] + timedelta(minutes=16)
    assert people.users.sign_in("technician", PASSWORD).name == "technician"


def test_unknown_user_says_the_same_as_a_wrong_password(people: People):
    staff(people)
    with pytest.raises(SignInFailed, match="^wrong user name or password$"):
        people.users.sign_in("nobody", PASSWORD)


def test_old_parameters_are_rehashed_at_sign_in(people: People):
    import sqlalchemy as sa

    staff(people)
    weak = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1).hash(PASSWORD)
    with people.engine.begin() as conn:
        conn.execute(sa.text("UPDATE users SET password_hash = :h WHERE name = 'technician'"), {"h": weak})
    people.users.sign_in("technician", PASSWORD)
    with people.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT password_hash FROM users WHERE name = 'technician'")).scalar_one()
    assert stored != weak and not passwords.needs_rehash(stored)
    assert people.users.sign_in("technician", PASSWORD).name == "technician"


def test_change_and_reset_password(people: People):
    actors = staff(people)
    tech = actors["technician"]
    with pytest.raises(SignInFailed, match="current password is wrong"):
        people.users.change_password(tech, "wrong-old-pw", "a-new-password")
    with pytest.raises(InvalidRequest, match="at least 8"):
        people.users.change_password(tech, PASSWORD, "short")
    people.users.change_password(tech, PASSWORD, "a-new-password")
    people.users.sign_in("technician", "a-new-password")
    with pytest.raises(PermissionDenied):
        people.users.reset_password(tech, "service_manager", "hijacked-pw")
    people.users.reset_password(actors["admin"], "technician", "reset-by-admin")
    assert people.users.sign_in("technician", "reset-by-admin").name == "technician"


def test_role_change_is_audited_and_the_last_admin_stays(people: People):
    actors = staff(people)
    people.users.set_role(actors["admin"], "technician", Role.SERVICE_MANAGER.value)
    assert people.users.actor("technician").may(Permission.EDIT_SCHEDULE)
    entry = people.audit.entries(action="change role")[0]
    assert entry.actor == "admin" and entry.record == "user:technician"
    assert '"service manager"' in entry.after and '"technician"' in entry.before
    with pytest.raises(InvalidRequest, match="last admin"):
        people.users.set_role(actors["admin"], "admin", Role.TECHNICIAN.value)
    with pytest.raises(InvalidRequest, match="unknown role"):
        people.users.set_role(actors["admin"], "technician", "astronaut")


def test_custom_role_is_a_set_of_permissions(people: People):
    actors = staff(people)
    people.roles.save(actors["admin"], "apprentice", ["START_RECORDING", "view the audit trail"])
    people.users.create(actors["admin"], "appy", PASSWORD, "apprentice")
    appy = people.users.sign_in("appy", PASSWORD)
    assert appy.permissions == frozenset({Permission.START_RECORDING, Permission.VIEW_AUDIT})
    with pytest.raises(InvalidRequest, match="unknown permission"):
        people.roles.save(actors["admin"], "bad", ["fly"])
    with pytest.raises(InvalidRequest, match="built-in"):
        people.roles.save(actors["admin"], "technician", ["CLEAR_CODES"])
    people.roles.delete(actors["admin"], "apprentice")
    assert people.users.actor("appy").permissions == frozenset()  # deny by default


def test_users_with_role_for_the_alerts(people: People):
    staff(people)
    found = users_with_role(people.engine, Role.SERVICE_MANAGER)
    assert [(c.name, c.email) for c in found] == [("service_manager", "service_manager@shop.example")]
