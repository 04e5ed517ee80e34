"""Where the shared database is: ``--shared URL`` > ``CARVROOOM_SHARED_URL`` > the settings.

A password never goes into the settings file: ``remember_shared_url`` moves it to the OS
keyring (``config/secret_store.py``, under ``db:postgresql://user@host:port/db``) and stores
the URL without it; :func:`shared_password` reads it back. A password written in the URL on
the command line or in the environment is used as given, in memory only.
"""

from __future__ import annotations

import os
from pathlib import Path

from carvrooom_desktop.config.secret_store import database_secret_name, get_secret, set_secret, split_database_password
from carvrooom_desktop.config.settings import Settings, load_settings, save_settings
from carvrooom_desktop.storage.engine import parse_url

SHARED_URL_ENV = "CARVROOOM_SHARED_URL"


def resolve_shared_url(cli_url: str | None = None, settings: Settings | None = None) -> str | None:
    if cli_url:
        return cli_url
    if os.environ.get(SHARED_URL_ENV):
        return os.environ[SHARED_URL_ENV]
    settings = settings if settings is not None else load_settings()[0]
    return settings.shared_database_url or None


def shared_password(url: str) -> str | None:
    """The password for ``url``: its own, else the keyring's (None when there is none)."""
    parsed = parse_url(url)
    if parsed.password:
        return str(parsed.password)
    return get_secret(database_secret_name(parsed))


def remember_shared_url(url: str, settings_path: Path | None = None) -> str:
    """Save ``url`` as this workstation's shared database; a password in it goes to the keyring.

    Returns the URL as saved (no password). Raises SecretStoreUnavailable when a password
    was given and no keyring can hold it (nothing is saved then).
    """
    parse_url(url)  # refuse what is not a URL before touching anything
    bare, password = split_database_password(url)
    if password:
        set_secret(database_secret_name(bare), password)
    settings, _warnings = load_settings(settings_path)
    settings.shared_database_url = bare
    save_settings(settings, settings_path)
    return bare


__all__ = ["SHARED_URL_ENV", "remember_shared_url", "resolve_shared_url", "shared_password"]
