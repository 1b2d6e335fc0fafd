"""privacy: settings, consent log, legal holds, erasures, retention runs and notices, score review requests

Revision ID: e6a4d5f7b8c9
Revises: d5f3c4e6a7b8
Create Date: 2026-12-05 05:40:00.000000

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa
import hirewise.db


# revision identifiers, used by Alembic.
revision = 'e6a4d5f7b8c9'
down_revision = 'd5f3c4e6a7b8'
branch_labels = None
depends_on = None


def upgrade():
    settings = op.create_table('privacy_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('retention_notice_days', sa.Integer(), server_default='14', nullable=False),
    sa.Column('export_includes_feedback', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hirewise.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', hirewise.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_privacy_settings_single_row')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_privacy_settings_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_settings'))
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        settings,
        [{'id': 1, 'retention_notice_days': 14, 'export_includes_feedback': False, 'created_at': now, 'updated_at': now}],
    )
    op.create_table('consent_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=30), nullable=False),
    sa.Column('text_version', sa.String(length=60), nullable=False),
    sa.Column('page', sa.String(length=300), nullable=False),
    sa.Column('given_at', hirewise.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', hirewise.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_consent_records_candidate_id_candidates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_records'))
    )
    op.create_index(op.f('ix_consent_records_candidate_id'), 'consent_records', ['candidate_id'], unique=False)
    op.create_table('legal_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('placed_by_id', sa.Integer(), nullable=True),
    sa.Column('placed_at', hirewise.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('released_at', hirewise.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_legal_holds_candidate_id_candidates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['placed_by_id'], ['users.id'], name=op.f('fk_legal_holds_placed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_legal_holds_released_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_holds'))
    )
    op.create_index(op.f('ix_legal_holds_candidate_id'), 'legal_holds', ['candidate_id'], unique=False)
    op.create_table('erasures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('erased_at', hirewise.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('erased_by_id', sa.Integer(), nullable=True),
    sa.Column('rows_changed', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_erasures_candidate_id_candidates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['erased_by_id'], ['users.id'], name=op.f('fk_erasures_erased_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasures')),
    sa.UniqueConstraint('candidate_id', name=op.f('uq_erasures_candidate_id'))
    )
    op.create_index(op.f('ix_erasures_erased_at'), 'erasures', ['erased_at'], unique=False)
    op.create_table('retention_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('started_at', hirewise.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', hirewise.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notices_sent', sa.Integer(), nullable=False),
    sa.Column('erased', sa.Integer(), nullable=False),
    sa.Column('held', sa.Integer(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_retention_runs_started_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_runs'))
    )
    op.create_index(op.f('ix_retention_runs_started_at'), 'retention_runs', ['started_at'], unique=False)
    op.create_table('retention_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('retain_until', hirewise.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', hirewise.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_retention_notices_candidate_id_candidates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'], name=op.f('fk_retention_notices_outbox_message_id_outbox_messages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_notices')),
    sa.UniqueConstraint('candidate_id', 'retain_until', name=op.f('uq_retention_notices_candidate_id'))
    )
    op.create_index(op.f('ix_retention_notices_candidate_id'), 'retention_notices', ['candidate_id'], unique=False)
    op.create_table('score_review_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('requested_at', hirewise.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', hirewise.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answer_id'], ['assessment_answers.id'], name=op.f('fk_score_review_requests_answer_id_assessment_answers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_score_review_requests_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_score_review_requests_candidate_id_candidates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_score_review_requests_resolved_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_review_requests'))
    )
    op.create_index(op.f('ix_score_review_requests_answer_id'), 'score_review_requests', ['answer_id'], unique=False)
    op.create_index(op.f('ix_score_review_requests_application_id'), 'score_review_requests', ['application_id'], unique=False)
    op.create_index(op.f('ix_score_review_requests_candidate_id'), 'score_review_requests', ['candidate_id'], unique=False)


def downgrade():
    op.drop_table('score_review_requests')
    op.drop_table('retention_notices')
    op.drop_table('retention_runs')
    op.drop_table('erasures')
    op.drop_table('legal_holds')
    op.drop_table('consent_records')
    op.drop_table('privacy_settings')
