"""fleet: telematics messages, per-vehicle sequence state, odometer sources, maintenance plans

Revision ID: 0009_fleet_telematics
Revises: 0008_users_audit
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0009_fleet_telematics'
down_revision = '0008_users_audit'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
