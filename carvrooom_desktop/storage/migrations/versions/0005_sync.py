"""sync with the shared workshop database: outbox, clock and conflicts (workstation); change log (server)

Every table exists on both sides (one schema); each side uses its half (storage/sync_models.py).
On PostgreSQL this also creates the server's change sequence ``sync_seq`` and stamps the
database with its identity (``sync_server``). The SQLite capture triggers are not created
here: ``storage/sync_capture.py`` generates them from the models when sync is switched on
for a store, and again whenever a migration changed a synced table (a batch migration drops
a table's triggers with the table).

Revision ID: 0005_sync
Revises: 0004_can_fd_frames
"""

import uuid

from alembic import op
import sqlalchemy as sa


revision = '0005_sync'
down_revision = '0004_can_fd_frames'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sync_applied',
    sa.Column('change_id', sa.Uuid(), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.Uuid(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('change_id', name=op.f('pk_sync_applied'))
    )
    op.create_table('sync_changes',
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('hlc', sa.BigInteger(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('stamps', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', 'row_id', name=op.f('pk_sync_changes'))
    )
    with op.batch_alter_table('sync_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_changes_seq'), ['seq'], unique=False)

    op.create_table('sync_conflicts',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('mine', sa.JSON(), nullable=False),
    sa.Column('theirs', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_conflicts'))
    )
    with op.batch_alter_table('sync_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_conflicts_row_id'), ['row_id'], unique=False)

    op.create_table('sync_outbox',
    sa.Column('local_seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('change_id', sa.String(length=32), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.String(length=32), nullable=False),
    sa.Column('op', sa.String(length=1), nullable=False),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.BigInteger(), nullable=False),
    sa.Column('captured_at', sa.Float(), nullable=False),
    sa.Column('acked', sa.Integer(), nullable=False),
    sa.Column('acked_seq', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('local_seq', name=op.f('pk_sync_outbox')),
    sa.UniqueConstraint('change_id', name=op.f('uq_sync_outbox_change_id')),
    sqlite_autoincrement=True,  # the service watches max(local_seq): it must never be reused
    )
    with op.batch_alter_table('sync_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_sync_outbox_pending', ['acked', 'local_seq'], unique=False)
        batch_op.create_index('ix_sync_outbox_row', ['table_name', 'row_id'], unique=False)

    op.create_table('sync_rows',
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.String(length=32), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', 'row_id', name=op.f('pk_sync_rows'))
    )
    op.create_table('sync_server',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('server_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_server'))
    )
    state = op.create_table('sync_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hlc', sa.BigInteger(), nullable=False),
    sa.Column('offset_ms', sa.BigInteger(), nullable=False),
    sa.Column('capturing', sa.Integer(), nullable=False),
    sa.Column('applying', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('server_id', sa.String(length=36), nullable=False),
    sa.Column('last_push_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_pull_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_state'))
    )
    op.bulk_insert(state, [{"id": 1, "hlc": 0, "offset_ms": 0, "capturing": 0, "applying": 0, "last_seq": 0,
                            "server_id": "", "last_error": ""}])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE SEQUENCE sync_seq")
        server = sa.table('sync_server', sa.column('id', sa.Integer), sa.column('server_id', sa.String),
                          sa.column('created_at', sa.DateTime(timezone=True)))
        op.execute(server.insert().values(id=1, server_id=str(uuid.uuid4()), created_at=sa.func.now()))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute("DROP SEQUENCE IF EXISTS sync_seq")
    else:
        for (name,) in bind.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync_capture_%'")):
            op.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    with op.batch_alter_table('sync_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_outbox_row')
        batch_op.drop_index('ix_sync_outbox_pending')
    with op.batch_alter_table('sync_conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_conflicts_row_id'))
    with op.batch_alter_table('sync_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_changes_seq'))
    for table in ('sync_state', 'sync_server', 'sync_rows', 'sync_outbox', 'sync_conflicts', 'sync_changes', 'sync_applied'):
        op.drop_table(table)
