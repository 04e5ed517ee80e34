"""fleet: telematics messages, per-vehicle sequence state, odometer sources, maintenance plans

Revision ID: 0009_fleet_telematics
Revises: 0008_users_audit
"""

import sqlalchemy as sa
from alembic import op

revision = '0009_fleet_telematics'
down_revision = '0008_users_audit'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('telematics_messages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('vin', sa.String(length=32), nullable=False),
    sa.Column('workshop', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('sent_at', sa.Float(), nullable=True),
    sa.Column('received_at', sa.Float(), nullable=False),
    sa.Column('stored_at', sa.Float(), nullable=False),
    sa.Column('signals', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_telematics_messages'))
    )
    with op.batch_alter_table('telematics_messages', schema=None) as batch_op:
        batch_op.create_index('ix_telematics_messages_vin_seq', ['vin', 'seq'], unique=False)

    op.create_table('telematics_rejects',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('received_at', sa.Float(), nullable=False),
    sa.Column('topic', sa.String(length=255), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_telematics_rejects'))
    )
    with op.batch_alter_table('telematics_rejects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_telematics_rejects_received_at'), ['received_at'], unique=False)

    op.create_table('telematics_vehicles',
    sa.Column('vin', sa.String(length=32), nullable=False),
    sa.Column('workshop', sa.String(length=64), nullable=False),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=True),
    sa.Column('last_seen', sa.Float(), nullable=True),
    sa.Column('birth_at', sa.Float(), nullable=True),
    sa.Column('death_at', sa.Float(), nullable=True),
    sa.Column('odometer_obd_km', sa.Float(), nullable=True),
    sa.Column('odometer_gps_km', sa.Float(), nullable=True),
    sa.Column('counters', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('vin', name=op.f('pk_telematics_vehicles'))
    )
    op.create_table('fleet_maintenance',
    sa.Column('vehicle_id', sa.Uuid(), nullable=False),
    sa.Column('vin', sa.String(length=32), nullable=False),
    sa.Column('item', sa.String(length=48), nullable=False),
    sa.Column('interval_km', sa.Float(), nullable=True),
    sa.Column('interval_days', sa.Integer(), nullable=True),
    sa.Column('last_done_date', sa.String(length=10), nullable=False),
    sa.Column('last_done_km', sa.Float(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_fleet_maintenance_vehicle_id_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fleet_maintenance'))
    )
    with op.batch_alter_table('fleet_maintenance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fleet_maintenance_vehicle_id'), ['vehicle_id'], unique=False)

    op.create_table('fleet_vehicles',
    sa.Column('vehicle_id', sa.Uuid(), nullable=False),
    sa.Column('vin', sa.String(length=32), nullable=False),
    sa.Column('customer', sa.String(length=128), nullable=False),
    sa.Column('site', sa.String(length=64), nullable=False),
    sa.Column('in_service_date', sa.String(length=10), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_fleet_vehicles_vehicle_id_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fleet_vehicles'))
    )
    with op.batch_alter_table('fleet_vehicles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fleet_vehicles_vehicle_id'), ['vehicle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fleet_vehicles_vin'), ['vin'], unique=False)

    op.create_table('fleet_visits',
    sa.Column('vehicle_id', sa.Uuid(), nullable=False),
    sa.Column('vin', sa.String(length=32), nullable=False),
    sa.Column('site', sa.String(length=64), nullable=False),
    sa.Column('visit_date', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('odometer_km', sa.Float(), nullable=True),
    sa.Column('health_score', sa.Float(), nullable=True),
    sa.Column('systems', sa.JSON(), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('brake_pad_front_mm', sa.Float(), nullable=True),
    sa.Column('brake_pad_rear_mm', sa.Float(), nullable=True),
    sa.Column('codes', sa.String(length=255), nullable=False),
    sa.Column('cleared_codes', sa.String(length=255), nullable=False),
    sa.Column('flagged', sa.String(length=255), nullable=False),
    sa.Column('repaired', sa.String(length=255), nullable=False),
    sa.Column('work_done', sa.Text(), nullable=False),
    sa.Column('scan_id', sa.Uuid(), nullable=True),
    sa.Column('diagnosis_id', sa.Uuid(), nullable=True),
    sa.Column('job_id', sa.Uuid(), nullable=True),
    sa.Column('recording_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['diagnosis_id'], ['diagnoses.id'], name=op.f('fk_fleet_visits_diagnosis_id_diagnoses')),
    sa.ForeignKeyConstraint(['job_id'], ['workshop_jobs.id'], name=op.f('fk_fleet_visits_job_id_workshop_jobs')),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'], name=op.f('fk_fleet_visits_recording_id_recordings')),
    sa.ForeignKeyConstraint(['scan_id'], ['vehicle_scans.id'], name=op.f('fk_fleet_visits_scan_id_vehicle_scans')),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_fleet_visits_vehicle_id_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fleet_visits'))
    )
    with op.batch_alter_table('fleet_visits', schema=None) as batch_op:
        batch_op.create_index('ix_fleet_visits_vehicle_date', ['vehicle_id', 'visit_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_fleet_visits_vin'), ['vin'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('fleet_visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fleet_visits_vin'))
        batch_op.drop_index('ix_fleet_visits_vehicle_date')

    op.drop_table('fleet_visits')
    with op.batch_alter_table('fleet_vehicles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fleet_vehicles_vin'))
        batch_op.drop_index(batch_op.f('ix_fleet_vehicles_vehicle_id'))

    op.drop_table('fleet_vehicles')
    with op.batch_alter_table('fleet_maintenance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fleet_maintenance_vehicle_id'))

    op.drop_table('fleet_maintenance')
    op.drop_table('telematics_vehicles')
    with op.batch_alter_table('telematics_rejects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_telematics_rejects_received_at'))

    op.drop_table('telematics_rejects')
    with op.batch_alter_table('telematics_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_telematics_messages_vin_seq')

    op.drop_table('telematics_messages')
