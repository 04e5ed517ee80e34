"""alerts: rules, raised alerts with acknowledge/resolve, escalation policies and their pending steps, outgoing notifications

Revision ID: 0011_alerts
Revises: 0010_vehicle_modules
"""

import sqlalchemy as sa
from alembic import op

revision = '0011_alerts'
down_revision = '0010_vehicle_modules'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alerts',
    sa.Column('rule', sa.String(length=48), nullable=False),
    sa.Column('dedupe_key', sa.String(length=255), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('vin', sa.String(length=32), nullable=False),
    sa.Column('vehicle_id', sa.Uuid(), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('policy', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_by', sa.String(length=64), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=64), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.CheckConstraint("state IN ('raised', 'acknowledged', 'resolved')", name=op.f('ck_alerts_state_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_key_state', ['dedupe_key', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_raised_at'), ['raised_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_vin'), ['vin'], unique=False)

    op.create_table('alert_steps',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('idempotency_key', sa.String(length=160), nullable=False),
    sa.Column('alert_id', sa.Uuid(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=48), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('due_at', sa.Float(), nullable=False),
    sa.Column('stop_on', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.Float(), nullable=True),
    sa.Column('sent_at', sa.Float(), nullable=True),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'cancelled')", name=op.f('ck_alert_steps_state_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_steps')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_alert_steps_idempotency_key'))
    )
    with op.batch_alter_table('alert_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_steps_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index('ix_alert_steps_state_due', ['state', 'due_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alert_steps', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_steps_state_due')
        batch_op.drop_index(batch_op.f('ix_alert_steps_alert_id'))
    op.drop_table('alert_steps')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_vin'))
        batch_op.drop_index(batch_op.f('ix_alerts_raised_at'))
        batch_op.drop_index('ix_alerts_key_state')
    op.drop_table('alerts')
