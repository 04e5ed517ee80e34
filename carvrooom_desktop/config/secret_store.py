"""Secrets (API keys, database passwords) in the OS keyring, and nowhere else.

With no usable keyring (a headless box without Secret Service) a secret is not
stored at all and the user is told, rather than falling back to a plain file.
"""

from __future__ import annotations

import keyring
import keyring.errors
from sqlalchemy.engine import URL, make_url

from carvrooom_desktop.errors import SecretStoreUnavailable

SERVICE = "carvrooom"
GEMINI_API_KEY = "gemini-api-key"


def _usable() -> bool:
    backend = keyring.get_keyring()
    return getattr(backend, "priority", 0) > 0 and type(backend).__module__ != "keyring.backends.fail"


def get_secret(name: str) -> str | None:
    if not _usable():
        return None
    try:
        return keyring.get_password(SERVICE, name)
    except keyring.errors.KeyringError:
        return None


def set_secret(name: str, value: str) -> None:
    if not _usable():
        raise SecretStoreUnavailable(
            f"no OS keyring is available, so {name!r} was not saved (it is never written to a file); "
            "install/unlock a keyring (GNOME Keyring, KWallet, Windows Credential Manager)"
        )
    try:
        keyring.set_password(SERVICE, name, value)
    except keyring.errors.KeyringError as e:
        raise SecretStoreUnavailable(f"the OS keyring refused to store {name!r}: {e}") from e


def delete_secret(name: str) -> None:
    if _usable():
        try:
            keyring.delete_password(SERVICE, name)
        except keyring.errors.PasswordDeleteError:
            pass


def database_secret_name(url: str | URL) -> str:
    u = make_url(url) if isinstance(url, str) else url
    return f"db:{u.get_backend_name()}://{u.username or ''}@{u.host or ''}:{u.port or ''}/{u.database or ''}"


def split_database_password(url: str) -> tuple[str, str | None]:
    """``postgresql://u:pw@h/db`` -> (``postgresql://u@h/db``, ``pw``)."""
    u = make_url(url)
    if not u.password:
        return url, None
    bare = URL.create(u.drivername, u.username, None, u.host, u.port, u.database, u.query)  # set(password=None) keeps it
    return bare.render_as_string(hide_password=False), str(u.password)
