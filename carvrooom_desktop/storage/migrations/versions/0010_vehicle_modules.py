"""the car's modules found by UDS discovery, per vehicle, with their last codes

Revision ID: 0010_vehicle_modules
Revises: 0009_fleet_telematics
"""

import sqlalchemy as sa
from alembic import op

revision = '0010_vehicle_modules'
down_revision = '0009_fleet_telematics'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('vehicle_modules',
    sa.Column('vehicle_id', sa.Uuid(), nullable=False),
    sa.Column('vin', sa.String(length=32), nullable=False),
    sa.Column('address', sa.String(length=20), nullable=False),
    sa.Column('extended', sa.Boolean(), nullable=False),
    sa.Column('short', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=96), nullable=False),
    sa.Column('state', sa.String(length=48), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('identification', sa.JSON(), nullable=False),
    sa.Column('dtcs', sa.JSON(), nullable=False),
    sa.Column('not_read', sa.JSON(), nullable=False),
    sa.Column('code_count', sa.Integer(), nullable=False),
    sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_vehicle_modules_vehicle_id_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vehicle_modules'))
    )
    with op.batch_alter_table('vehicle_modules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vehicle_modules_vin'), ['vin'], unique=False)
        batch_op.create_index('ix_vehicle_modules_vehicle_address', ['vehicle_id', 'address'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('vehicle_modules', schema=None) as batch_op:
        batch_op.drop_index('ix_vehicle_modules_vehicle_address')
        batch_op.drop_index(batch_op.f('ix_vehicle_modules_vin'))
    op.drop_table('vehicle_modules')
