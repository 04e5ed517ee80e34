"""warranty claims: the car, complaint/cause/correction, codes, causal part, labour, amount, evidence, status

Revision ID: 0007_warranty_claims
Revises: 0006_recording_sources
"""

import sqlalchemy as sa
from alembic import op

revision = '0007_warranty_claims'
down_revision = '0006_recording_sources'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('warranty_claims',
    sa.Column('claim_id', sa.String(length=40), nullable=False),
    sa.Column('claim_type', sa.String(length=16), nullable=False),
    sa.Column('vin', sa.String(length=32), nullable=False),
    sa.Column('claim_date', sa.String(length=10), nullable=False),
    sa.Column('repair_date', sa.String(length=10), nullable=False),
    sa.Column('in_service_date', sa.String(length=10), nullable=False),
    sa.Column('odometer_km', sa.Float(), nullable=True),
    sa.Column('odometer_out_km', sa.Float(), nullable=True),
    sa.Column('complaint', sa.Text(), nullable=False),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('correction', sa.Text(), nullable=False),
    sa.Column('dtcs', sa.JSON(), nullable=False),
    sa.Column('freeze_frames', sa.JSON(), nullable=False),
    sa.Column('part_number', sa.String(length=64), nullable=False),
    sa.Column('part_category', sa.String(length=48), nullable=False),
    sa.Column('labour_op', sa.String(length=32), nullable=False),
    sa.Column('dealer_id', sa.String(length=32), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('recording_id', sa.Uuid(), nullable=True),
    sa.Column('recording_sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_note', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=32), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'approved', 'rejected')", name=op.f('ck_warranty_claims_status_known')),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'], name=op.f('fk_warranty_claims_recording_id_recordings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warranty_claims'))
    )
    with op.batch_alter_table('warranty_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warranty_claims_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_warranty_claims_recording_sha256'), ['recording_sha256'], unique=False)
        batch_op.create_index('ix_warranty_claims_vin_part', ['vin', 'part_category'], unique=False)
        batch_op.create_index('ix_warranty_claims_dealer_date', ['dealer_id', 'claim_date'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('warranty_claims', schema=None) as batch_op:
        batch_op.drop_index('ix_warranty_claims_dealer_date')
        batch_op.drop_index('ix_warranty_claims_vin_part')
        batch_op.drop_index(batch_op.f('ix_warranty_claims_recording_sha256'))
        batch_op.drop_index(batch_op.f('ix_warranty_claims_claim_id'))
    op.drop_table('warranty_claims')
