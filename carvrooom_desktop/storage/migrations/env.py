"""Alembic environment: always run with a connection handed in by carvrooom_desktop.storage.migrate."""

from alembic import context

from carvrooom_desktop.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through carvrooom_desktop.storage.migrate.upgrade_to_head")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTER TABLE needs batch mode
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
