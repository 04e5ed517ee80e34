"""Shared helpers of the people tests: a store on a real SQLite file (or the local PostgreSQL) and its people."""

from __future__ import annotations

from carvrooom_desktop.domain.roles import Role
from carvrooom_desktop.people import People
from carvrooom_desktop.storage.store import Store

ADMIN_PASSWORD = "admin-pass-4217"
PASSWORD = "s3cret-workshop-pw"  # each test user's password (grepped for in the database file and the log)
DISPLAY = {"technician": "Tomás Reyes", "service manager": "Sam Okafor", "warranty clerk": "Wen Li",
           "fleet manager": "Farah Haddad"}


def open_people(url: str, origin: str = "ws-people") -> tuple[Store, People]:
    store = Store.open(url, origin=origin)
    return store, People.of(store)


def staff(people: People) -> dict[str, object]:
    """An admin and one user per built-in role; returns their actors by role value."""
    admin = people.users.create_first_admin("admin", ADMIN_PASSWORD, email="admin@shop.example")
    assert admin.role == Role.ADMIN.value
    actors: dict[str, object] = {Role.ADMIN.value: people.users.sign_in("admin", ADMIN_PASSWORD)}
    for role in Role:
        if role is Role.ADMIN:
            continue
        name = role.value.replace(" ", "_")
        people.users.create(actors[Role.ADMIN.value], name, PASSWORD, role.value, email=f"{name}@shop.example",
                            display_name=DISPLAY[role.value])
        actors[role.value] = people.users.sign_in(name, PASSWORD)
    return actors
