"""organisation settings

One row of organisation-wide settings, inserted here so that reading them never has to write.

Revision ID: deb8e3e1a21f
Revises: f673be56f8a4
Create Date: 2026-12-04 22:19:56.689383

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa
import hirewise.db


# revision identifiers, used by Alembic.
revision = 'deb8e3e1a21f'
down_revision = 'f673be56f8a4'
branch_labels = None
depends_on = None


def upgrade():
    settings = op.create_table('organisation_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('hiring_managers_write_code_questions', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hirewise.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', hirewise.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_organisation_settings_single_row')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_organisation_settings_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_settings'))
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        settings,
        [{'id': 1, 'hiring_managers_write_code_questions': False, 'created_at': now, 'updated_at': now}],
    )


def downgrade():
    op.drop_table('organisation_settings')
