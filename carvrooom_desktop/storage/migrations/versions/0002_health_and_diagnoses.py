"""health models and diagnoses

Revision ID: 0002_health_and_diagnoses
Revises: 0001_initial
"""

from alembic import op
import sqlalchemy as sa


revision = '0002_health_and_diagnoses'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('health_models',
    sa.Column('vehicle_id', sa.Uuid(), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('fitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_health_models_vehicle_id_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_models'))
    )
    with op.batch_alter_table('health_models', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_models_vehicle_id'), ['vehicle_id'], unique=False)

    op.create_table('diagnoses',
    sa.Column('vehicle_id', sa.Uuid(), nullable=True),
    sa.Column('recording_id', sa.Uuid(), nullable=True),
    sa.Column('vin', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=False),
    sa.Column('complaint', sa.Text(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('input_tokens', sa.Integer(), nullable=False),
    sa.Column('output_tokens', sa.Integer(), nullable=False),
    sa.Column('cost_usd', sa.Float(), nullable=False),
    sa.Column('thread_id', sa.String(length=64), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'], name=op.f('fk_diagnoses_recording_id_recordings')),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_diagnoses_vehicle_id_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnoses'))
    )
    with op.batch_alter_table('diagnoses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnoses_vehicle_id'), ['vehicle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_diagnoses_vin'), ['vin'], unique=False)

    op.create_table('diagnosis_verdicts',
    sa.Column('diagnosis_id', sa.Uuid(), nullable=False),
    sa.Column('vin', sa.String(length=32), nullable=False),
    sa.Column('cause', sa.String(length=255), nullable=False),
    sa.Column('system', sa.String(length=64), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['diagnosis_id'], ['diagnoses.id'], name=op.f('fk_diagnosis_verdicts_diagnosis_id_diagnoses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnosis_verdicts'))
    )
    with op.batch_alter_table('diagnosis_verdicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnosis_verdicts_diagnosis_id'), ['diagnosis_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_diagnosis_verdicts_vin'), ['vin'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('diagnosis_verdicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnosis_verdicts_vin'))
        batch_op.drop_index(batch_op.f('ix_diagnosis_verdicts_diagnosis_id'))

    op.drop_table('diagnosis_verdicts')
    with op.batch_alter_table('diagnoses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnoses_vin'))
        batch_op.drop_index(batch_op.f('ix_diagnoses_vehicle_id'))

    op.drop_table('diagnoses')
    with op.batch_alter_table('health_models', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_models_vehicle_id'))

    op.drop_table('health_models')
