"""Who a role's notifications go to.

The people module (``carvrooom_desktop.people``, the other half of issue 14) owns users:
``PeopleDirectory`` asks its ``users_with_role(store, role)``. For a role with no user that has an
e-mail address (demo mode has no users at all), the recipients come from the alert settings
(``alerts.json``: role -> names and addresses), so a workshop can route mail before it has users.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str
    email: str = ""


class RecipientDirectory(Protocol):
    def recipients(self, role: str) -> list[Recipient]: ...


class SettingsDirectory:
    """Role -> recipients from the alert settings (``recipients: {"service manager": ["Ann <ann@shop>"]}``)."""

    def __init__(self, by_role: Mapping[str, Sequence[str]]) -> None:
        self.by_role = {role: [parse_recipient(x) for x in people] for role, people in by_role.items()}

    def recipients(self, role: str) -> list[Recipient]:
        return list(self.by_role.get(role, ()))


def parse_recipient(text: str) -> Recipient:
    """``Ann Smith <ann@shop.example>`` or ``ann@shop.example`` or a plain name (in-app / desktop only)."""
    text = text.strip()
    if "<" in text and text.endswith(">"):
        name, _, addr = text[:-1].partition("<")
        return Recipient(name.strip() or addr.strip(), addr.strip())
    return Recipient(text, text if "@" in text else "")


class PeopleDirectory:
    """The people module's users with a role (``users_with_role(role)``), then the settings' fallback."""

    def __init__(self, users_with_role: Any, fallback: RecipientDirectory | None = None) -> None:
        self._users_with_role = users_with_role
        self.fallback = fallback

    def recipients(self, role: str) -> list[Recipient]:
        found: list[Recipient] = []
        try:
            for u in self._users_with_role(role) or ():
                name = str(getattr(u, "display_name", "") or getattr(u, "name", "") or getattr(u, "username", "") or u)
                found.append(Recipient(name, str(getattr(u, "email", "") or "")))
        except Exception:  # the people store unavailable: the fallback still routes the alert
            log.exception("users_with_role(%r) failed; using the alert settings' recipients", role)
        if self.fallback is not None and not any(r.email for r in found):
            found += [r for r in self.fallback.recipients(role) if r not in found]
        return found


def default_directory(fallback: RecipientDirectory, store_or_engine: Any = None) -> RecipientDirectory:
    """The people module's users by role (``people.users_with_role``), then ``fallback``; ``fallback`` alone without a store."""
    if store_or_engine is None:
        return fallback
    from carvrooom_desktop.people import users_with_role  # imported here: the CLI's alerts commands need no argon2 at start

    return PeopleDirectory(lambda role: users_with_role(store_or_engine, role), fallback)


__all__ = ["PeopleDirectory", "Recipient", "RecipientDirectory", "SettingsDirectory", "default_directory", "parse_recipient"]
