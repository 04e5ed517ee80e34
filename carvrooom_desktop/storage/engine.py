"""Which database, and an engine tuned for it (SQLite WAL, durable commits; PostgreSQL timeouts)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.engine.interfaces import DBAPIConnection

from carvrooom_desktop.errors import StoreUnavailable
from carvrooom_desktop.paths import data_dir, ensure_dir

DB_URL_ENV = "CARVROOOM_DB_URL"
DEFAULT_FILE = "carvrooom.sqlite3"


def default_url() -> str:
    return f"sqlite:///{ensure_dir(data_dir()) / DEFAULT_FILE}"


def resolve_url(cli_url: str | None = None, settings_url: str | None = None) -> str:
    """``--db`` wins over the environment, which wins over the settings file."""
    return cli_url or os.environ.get(DB_URL_ENV) or settings_url or default_url()


def parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError as e:
        raise StoreUnavailable(f"not a database URL: {url!r} ({e})") from e


def display_url(url: str | URL) -> str:
    """The URL with any password hidden, fit for logs and the status bar."""
    return (url if isinstance(url, URL) else parse_url(url)).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers never block the recorder; FULL: a commit survives power loss.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str | URL, *, password: str | None = None) -> Engine:
    """An engine for ``url``; a password from the keyring is added only in memory."""
    parsed = parse_url(url) if isinstance(url, str) else url
    if password and not parsed.password:
        parsed = parsed.set(password=password)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            ensure_dir(_parent(parsed.database))
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 5})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {"connect_timeout": 3} if parsed.get_backend_name() == "postgresql" else {}
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)


def _parent(database: str) -> Path:
    from pathlib import Path

    return Path(database).expanduser().resolve().parent
