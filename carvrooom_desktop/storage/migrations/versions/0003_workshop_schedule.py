"""workshop schedule: bays, technicians (shifts, absences), opening hours, jobs (parts, dependencies), bookings

On PostgreSQL (the shared workshop database) the server itself refuses double bookings: two
exclusion constraints over live bookings (not deleted, not cancelled/rejected), one on
(bay, time range) and one on (technician, time range), with half-open ranges so back-to-back
bookings are allowed. They need the btree_gist extension (for ``uuid WITH =`` in a GiST index).
SQLite has no exclusion constraints: ``storage/workshop.py`` checks and inserts inside one
``BEGIN IMMEDIATE`` transaction instead.

Revision ID: 0003_workshop_schedule
Revises: 0002_health_and_diagnoses
"""

from alembic import op
import sqlalchemy as sa


revision = '0003_workshop_schedule'
down_revision = '0002_health_and_diagnoses'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('workshop_bays',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('bay_type', sa.String(length=32), nullable=False),
    sa.Column('serves', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_bays'))
    )
    op.create_table('workshop_opening_hours',
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('opens_minute', sa.Integer(), nullable=False),
    sa.Column('closes_minute', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_opening_hours'))
    )
    op.create_table('workshop_technicians',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_technicians'))
    )
    op.create_table('workshop_absences',
    sa.Column('technician_id', sa.Uuid(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['technician_id'], ['workshop_technicians.id'], name=op.f('fk_workshop_absences_technician_id_workshop_technicians')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_absences'))
    )
    with op.batch_alter_table('workshop_absences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_absences_technician_id'), ['technician_id'], unique=False)

    op.create_table('workshop_shifts',
    sa.Column('technician_id', sa.Uuid(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('starts_minute', sa.Integer(), nullable=False),
    sa.Column('ends_minute', sa.Integer(), nullable=False),
    sa.Column('breaks', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['technician_id'], ['workshop_technicians.id'], name=op.f('fk_workshop_shifts_technician_id_workshop_technicians')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_shifts'))
    )
    with op.batch_alter_table('workshop_shifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_shifts_technician_id'), ['technician_id'], unique=False)

    op.create_table('workshop_jobs',
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('vin', sa.String(length=32), nullable=False),
    sa.Column('vehicle_id', sa.Uuid(), nullable=True),
    sa.Column('diagnosis_id', sa.Uuid(), nullable=True),
    sa.Column('labour_hours', sa.Float(), nullable=False),
    sa.Column('skill', sa.String(length=64), nullable=False),
    sa.Column('bay_type', sa.String(length=32), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('customer_waiting', sa.Boolean(), nullable=False),
    sa.Column('dropped_off_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('promised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('pinned_bay_id', sa.Uuid(), nullable=True),
    sa.Column('pinned_technician_id', sa.Uuid(), nullable=True),
    sa.Column('pinned_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['diagnosis_id'], ['diagnoses.id'], name=op.f('fk_workshop_jobs_diagnosis_id_diagnoses')),
    sa.ForeignKeyConstraint(['pinned_bay_id'], ['workshop_bays.id'], name=op.f('fk_workshop_jobs_pinned_bay_id_workshop_bays')),
    sa.ForeignKeyConstraint(['pinned_technician_id'], ['workshop_technicians.id'], name=op.f('fk_workshop_jobs_pinned_technician_id_workshop_technicians')),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_workshop_jobs_vehicle_id_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_jobs'))
    )
    with op.batch_alter_table('workshop_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_jobs_diagnosis_id'), ['diagnosis_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_jobs_reference'), ['reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_jobs_vin'), ['vin'], unique=False)

    op.create_table('workshop_bookings',
    sa.Column('job_id', sa.Uuid(), nullable=False),
    sa.Column('bay_id', sa.Uuid(), nullable=False),
    sa.Column('technician_id', sa.Uuid(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_workshop_bookings_ends_after_start')),
    sa.ForeignKeyConstraint(['bay_id'], ['workshop_bays.id'], name=op.f('fk_workshop_bookings_bay_id_workshop_bays')),
    sa.ForeignKeyConstraint(['job_id'], ['workshop_jobs.id'], name=op.f('fk_workshop_bookings_job_id_workshop_jobs')),
    sa.ForeignKeyConstraint(['technician_id'], ['workshop_technicians.id'], name=op.f('fk_workshop_bookings_technician_id_workshop_technicians')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_bookings'))
    )
    with op.batch_alter_table('workshop_bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_bookings_bay_id'), ['bay_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_bookings_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_bookings_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_bookings_technician_id'), ['technician_id'], unique=False)

    op.create_table('workshop_job_dependencies',
    sa.Column('job_id', sa.Uuid(), nullable=False),
    sa.Column('after_job_id', sa.Uuid(), nullable=False),
    sa.Column('min_gap_minutes', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['after_job_id'], ['workshop_jobs.id'], name=op.f('fk_workshop_job_dependencies_after_job_id_workshop_jobs')),
    sa.ForeignKeyConstraint(['job_id'], ['workshop_jobs.id'], name=op.f('fk_workshop_job_dependencies_job_id_workshop_jobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_job_dependencies'))
    )
    with op.batch_alter_table('workshop_job_dependencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_job_dependencies_after_job_id'), ['after_job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_job_dependencies_job_id'), ['job_id'], unique=False)

    op.create_table('workshop_job_parts',
    sa.Column('job_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('eta', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['workshop_jobs.id'], name=op.f('fk_workshop_job_parts_job_id_workshop_jobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_job_parts'))
    )
    with op.batch_alter_table('workshop_job_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_job_parts_job_id'), ['job_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        _create_exclusion_constraints()


LIVE = "NOT deleted AND status NOT IN ('cancelled', 'rejected')"


def _create_exclusion_constraints() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'")).scalar() is None:
        available = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'btree_gist'")).scalar()
        if available is None:
            raise RuntimeError("the shared database needs the PostgreSQL extension btree_gist (package postgresql-contrib) "
                               "for its no-double-booking constraints; ask the database administrator to install it")
        # In public, not the first schema of the search path: an extension exists once per database.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")
    op.execute("ALTER TABLE workshop_bookings ADD CONSTRAINT ex_workshop_bookings_bay_time "
               f"EXCLUDE USING gist (bay_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE ({LIVE})")
    op.execute("ALTER TABLE workshop_bookings ADD CONSTRAINT ex_workshop_bookings_technician_time "
               f"EXCLUDE USING gist (technician_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE ({LIVE})")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE workshop_bookings DROP CONSTRAINT IF EXISTS ex_workshop_bookings_technician_time")
        op.execute("ALTER TABLE workshop_bookings DROP CONSTRAINT IF EXISTS ex_workshop_bookings_bay_time")
    with op.batch_alter_table('workshop_job_parts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_job_parts_job_id'))

    op.drop_table('workshop_job_parts')
    with op.batch_alter_table('workshop_job_dependencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_job_dependencies_job_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_job_dependencies_after_job_id'))

    op.drop_table('workshop_job_dependencies')
    with op.batch_alter_table('workshop_bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_bookings_technician_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_bookings_starts_at'))
        batch_op.drop_index(batch_op.f('ix_workshop_bookings_job_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_bookings_bay_id'))

    op.drop_table('workshop_bookings')
    with op.batch_alter_table('workshop_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_jobs_vin'))
        batch_op.drop_index(batch_op.f('ix_workshop_jobs_reference'))
        batch_op.drop_index(batch_op.f('ix_workshop_jobs_diagnosis_id'))

    op.drop_table('workshop_jobs')
    with op.batch_alter_table('workshop_shifts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_shifts_technician_id'))

    op.drop_table('workshop_shifts')
    with op.batch_alter_table('workshop_absences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_absences_technician_id'))

    op.drop_table('workshop_absences')
    op.drop_table('workshop_technicians')
    op.drop_table('workshop_opening_hours')
    op.drop_table('workshop_bays')
