"""assessment retakes and example runs

An invitation to an assessment the application has already submitted is a retake: it records the earlier
invitation and the reason (existing invitations are no retakes: an empty reason). Candidates run a code
question's visible examples before submitting: each run is a row, run by a background task.

Revision ID: 9c1e4b7d2a60
Revises: 5e5510a7b1d2
Create Date: 2026-12-05 00:38:29.854727

"""
from alembic import op
import sqlalchemy as sa
import hirewise.db


# revision identifiers, used by Alembic.
revision = '9c1e4b7d2a60'
down_revision = '5e5510a7b1d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessment_example_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.Text(), nullable=False),
    sa.Column('code_sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('created_at', hirewise.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', hirewise.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['assessment_attempts.id'], name=op.f('fk_assessment_example_runs_attempt_id_assessment_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['assessment_questions.id'], name=op.f('fk_assessment_example_runs_question_id_assessment_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_example_runs'))
    )
    with op.batch_alter_table('assessment_example_runs', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_example_runs_attempt_id_created_at', ['attempt_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_example_runs_question_id'), ['question_id'], unique=False)

    with op.batch_alter_table('assessment_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retake_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('retake_reason', sa.Text(), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_assessment_invitations_retake_of_id_assessment_invitations'), 'assessment_invitations', ['retake_of_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('assessment_invitations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assessment_invitations_retake_of_id_assessment_invitations'), type_='foreignkey')
        batch_op.drop_column('retake_reason')
        batch_op.drop_column('retake_of_id')

    with op.batch_alter_table('assessment_example_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_example_runs_question_id'))
        batch_op.drop_index('ix_assessment_example_runs_attempt_id_created_at')

    op.drop_table('assessment_example_runs')
