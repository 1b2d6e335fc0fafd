"""opening stage automations

Each opening decides whether sending an assessment invitation moves the application to its Assessment
stage and whether scheduling an interview moves it to its Interview stage. Both are on for every
opening, existing ones included (server default true), as issue 11 asks.

Revision ID: b3f1a2c4d5e6
Revises: 9c1e4b7d2a60
Create Date: 2026-12-05 01:56:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3f1a2c4d5e6'
down_revision = '9c1e4b7d2a60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('openings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auto_move_on_assessment_invite', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('auto_move_on_interview_scheduled', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('openings', schema=None) as batch_op:
        batch_op.drop_column('auto_move_on_interview_scheduled')
        batch_op.drop_column('auto_move_on_assessment_invite')
