"""Bring a database to the newest schema with Alembic, cheaply when it already is.

Alembic costs ~0.2 s to import, so start-up first reads ``alembic_version`` and only
runs Alembic when the schema is behind (or new).
"""

from __future__ import annotations

import logging
from pathlib import Path

from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection

log = logging.getLogger(__name__)

HEAD_REVISION = "0012_warranty_trace_fingerprints"  # keep equal to the newest file in migrations/versions (a test checks)
MIGRATIONS = Path(__file__).parent / "migrations"


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _revision(conn)


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


MIGRATION_LOCK_KEY = 0x43415256  # "CARV": PostgreSQL advisory lock id


def upgrade_to_head(engine: Engine) -> bool:
    """Returns True when a migration ran.

    Two workstations (or two windows) starting on a new database at once must not both
    create the schema: the migration runs under a database-wide lock (SQLite: an
    immediate write transaction; PostgreSQL: an advisory lock) and re-reads the
    revision once it holds it.
    """
    if current_revision(engine) == HEAD_REVISION:
        return False
    from alembic import command

    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # waits (busy_timeout) for another migrator
        elif conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        if _revision(conn) == HEAD_REVISION:
            return False
        log.info("migrating database schema to %s", HEAD_REVISION)
        command.upgrade(alembic_config(conn), "head")
    return True


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    revision: str | None = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return revision
