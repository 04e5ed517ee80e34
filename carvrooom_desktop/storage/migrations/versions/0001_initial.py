"""initial schema

Revision ID: 0001_initial
Revises: 
"""

from alembic import op
import sqlalchemy as sa


revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('vehicles',
    sa.Column('vin', sa.String(length=32), nullable=False),
    sa.Column('make', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('odometer_km', sa.Float(), nullable=True),
    sa.Column('signal_database', sa.String(length=255), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vehicles'))
    )
    with op.batch_alter_table('vehicles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vehicles_vin'), ['vin'], unique=False)

    op.create_table('recordings',
    sa.Column('vehicle_id', sa.Uuid(), nullable=True),
    sa.Column('vin', sa.String(length=32), nullable=False),
    sa.Column('adapter', sa.String(length=128), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('frame_count', sa.Integer(), nullable=False),
    sa.Column('sample_count', sa.Integer(), nullable=False),
    sa.Column('signal_names', sa.JSON(), nullable=False),
    sa.Column('signal_units', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_recordings_vehicle_id_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recordings'))
    )
    with op.batch_alter_table('recordings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recordings_started_at'), ['started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_recordings_vehicle_id'), ['vehicle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recordings_vin'), ['vin'], unique=False)

    op.create_table('recording_chunks',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('recording_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('t_start', sa.Float(), nullable=False),
    sa.Column('t_end', sa.Float(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('codec', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'], name=op.f('fk_recording_chunks_recording_id_recordings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_chunks')),
    sa.UniqueConstraint('recording_id', 'kind', 'seq', name='uq_recording_chunks_key')
    )
    with op.batch_alter_table('recording_chunks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recording_chunks_recording_id'), ['recording_id'], unique=False)

    op.create_table('recording_marks',
    sa.Column('recording_id', sa.Uuid(), nullable=False),
    sa.Column('timestamp', sa.Float(), nullable=False),
    sa.Column('label', sa.String(length=255), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'], name=op.f('fk_recording_marks_recording_id_recordings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_marks'))
    )
    with op.batch_alter_table('recording_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recording_marks_recording_id'), ['recording_id'], unique=False)

    op.create_table('vehicle_scans',
    sa.Column('vehicle_id', sa.Uuid(), nullable=True),
    sa.Column('recording_id', sa.Uuid(), nullable=True),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('adapter', sa.String(length=128), nullable=False),
    sa.Column('mil_on', sa.Boolean(), nullable=False),
    sa.Column('dtcs', sa.JSON(), nullable=False),
    sa.Column('readiness', sa.JSON(), nullable=False),
    sa.Column('freeze_frames', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'], name=op.f('fk_vehicle_scans_recording_id_recordings')),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_vehicle_scans_vehicle_id_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vehicle_scans'))
    )
    with op.batch_alter_table('vehicle_scans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vehicle_scans_vehicle_id'), ['vehicle_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('vehicle_scans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vehicle_scans_vehicle_id'))

    op.drop_table('vehicle_scans')
    with op.batch_alter_table('recording_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recording_marks_recording_id'))

    op.drop_table('recording_marks')
    with op.batch_alter_table('recording_chunks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recording_chunks_recording_id'))

    op.drop_table('recording_chunks')
    with op.batch_alter_table('recordings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recordings_vin'))
        batch_op.drop_index(batch_op.f('ix_recordings_vehicle_id'))
        batch_op.drop_index(batch_op.f('ix_recordings_started_at'))

    op.drop_table('recordings')
    with op.batch_alter_table('vehicles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vehicles_vin'))

    op.drop_table('vehicles')
