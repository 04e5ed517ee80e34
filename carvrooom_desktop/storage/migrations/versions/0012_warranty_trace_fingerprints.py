"""warranty claims keep their recording's trace fingerprint and duration (near-identical recordings on other cars)

Revision ID: 0012_warranty_trace_fingerprints
Revises: 0011_alerts
"""

import sqlalchemy as sa
from alembic import op

revision = '0012_warranty_trace_fingerprints'
down_revision = '0011_alerts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('warranty_claims') as batch:
        batch.add_column(sa.Column('trace_fingerprint', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('trace_duration_s', sa.Float(), nullable=True))
        batch.create_index('ix_warranty_claims_trace_duration_s', ['trace_duration_s'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('warranty_claims') as batch:
        batch.drop_index('ix_warranty_claims_trace_duration_s')
        batch.drop_column('trace_duration_s')
        batch.drop_column('trace_fingerprint')
