"""recordings remember their source kind and the signal database that decoded them

Existing recordings of the simulated car (adapter "simulated car ...") get source kind
"sim" and the simulator's DBC, so they keep decoding after the label stops being a test.

Revision ID: 0006_recording_sources
Revises: 0005_sync
"""

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0006_recording_sources'
down_revision = '0005_sync'
branch_labels = None
depends_on = None

SIM_DBC = ("dbc", "carvrooom_sim.dbc")


def _synced() -> list[sa.Column[Any]]:
    return [
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('origin', sa.String(length=36), nullable=False),
        sa.Column('deleted', sa.Boolean(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table('recording_sources',
    sa.Column('recording_id', sa.Uuid(), nullable=False),
    sa.Column('source_kind', sa.String(length=16), nullable=False),
    sa.Column('database_name', sa.String(length=255), nullable=False),
    sa.Column('database_sha256', sa.String(length=64), nullable=False),
    *_synced(),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'], name=op.f('fk_recording_sources_recording_id_recordings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_sources'))
    )
    with op.batch_alter_table('recording_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recording_sources_recording_id'), ['recording_id'], unique=True)

    op.create_table('signal_database_files',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    *_synced(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signal_database_files')),
    sa.UniqueConstraint('sha256', name=op.f('uq_signal_database_files_sha256'))
    )
    _backfill_simulated()


def _backfill_simulated() -> None:
    conn = op.get_bind()
    recordings = sa.table('recordings', sa.column('id', sa.Uuid()), sa.column('adapter', sa.String()))
    simulated = conn.execute(sa.select(recordings.c.id).where(recordings.c.adapter.like('simulated car%'))).scalars().all()
    if not simulated:
        return
    from resources import resource_path

    content = resource_path(*SIM_DBC).read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    now = datetime.now(UTC)
    synced: tuple[sa.ColumnClause[Any], ...] = (sa.column('id', sa.Uuid()), sa.column('updated_at', sa.DateTime(timezone=True)), sa.column('version', sa.Integer()),
              sa.column('origin', sa.String()), sa.column('deleted', sa.Boolean()))
    files = sa.table('signal_database_files', sa.column('sha256', sa.String()), sa.column('name', sa.String()),
                     sa.column('content', sa.LargeBinary()), *synced)
    synced = tuple(sa.column(c.name, c.type) for c in synced)  # a column belongs to one table
    sources = sa.table('recording_sources', sa.column('recording_id', sa.Uuid()), sa.column('source_kind', sa.String()),
                       sa.column('database_name', sa.String()), sa.column('database_sha256', sa.String()), *synced)
    op.bulk_insert(files, [{'id': uuid.uuid4(), 'sha256': digest, 'name': SIM_DBC[1], 'content': content, 'updated_at': now,
                            'version': 1, 'origin': 'migration', 'deleted': False}])
    op.bulk_insert(sources, [{'id': uuid.uuid4(), 'recording_id': rid,
                              'source_kind': 'sim', 'database_name': SIM_DBC[1], 'database_sha256': digest, 'updated_at': now,
                              'version': 1, 'origin': 'migration', 'deleted': False} for rid in simulated])


def downgrade() -> None:
    op.drop_table('signal_database_files')
    with op.batch_alter_table('recording_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recording_sources_recording_id'))
    op.drop_table('recording_sources')
