"""alerts: rules, raised alerts with acknowledge/resolve, escalation policies and their pending steps, outgoing notifications

Revision ID: 0011_alerts
Revises: 0010_vehicle_modules
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0011_alerts'
down_revision = '0010_vehicle_modules'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
