"""the car's modules found by UDS discovery, per vehicle, with their last codes

Revision ID: 0010_vehicle_modules
Revises: 0009_fleet_telematics
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0010_vehicle_modules'
down_revision = '0009_fleet_telematics'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
