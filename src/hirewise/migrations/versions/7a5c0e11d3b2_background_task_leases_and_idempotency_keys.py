"""background task leases and idempotency keys

Every queued task is a row (dispatched after its commit, re-dispatched by a sweep when its broker was down or
its worker died); API POSTs carrying an Idempotency-Key keep their first response.

Revision ID: 7a5c0e11d3b2
Revises: deb8e3e1a21f
Create Date: 2026-12-04 22:44:13.520195

"""
from alembic import op
import sqlalchemy as sa
import hirewise.db


# revision identifiers, used by Alembic.
revision = '7a5c0e11d3b2'
down_revision = 'deb8e3e1a21f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('background_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('dispatched_at', hirewise.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', hirewise.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_until', hirewise.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', hirewise.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', hirewise.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', hirewise.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_background_tasks'))
    )
    with op.batch_alter_table('background_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_background_tasks_status_lease_until', ['status', 'lease_until'], unique=False)

    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('path', sa.String(length=2000), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('content_type', sa.String(length=200), nullable=False),
    sa.Column('response_body', sa.Text(), nullable=True),
    sa.Column('created_at', hirewise.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', hirewise.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_keys_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('user_id', 'key', name='uq_idempotency_keys_user_id_key')
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_created_at'), ['created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_created_at'))

    op.drop_table('idempotency_keys')
    with op.batch_alter_table('background_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_background_tasks_status_lease_until')

    op.drop_table('background_tasks')
