"""attempt total score

Each assessment attempt keeps its total score on its row (``total_points``, ``total_max_points``),
so that the assessments report reads one row per attempt instead of adding up every answer (about
half its time on 340,000 answers). The application keeps it up to date where scores are written
(automatic scoring, overrides and their removal: assessments/totals.py).

Backfill (one statement, SQLite and PostgreSQL alike), the same figures as totals.total_of: the
answers' final points (the override, else the automatic score; NULL when no answer has one) and
their maximum points, summed per attempt; points are hundredths, so the sum is rounded to them.

Revision ID: a8c6d7e9f0b1
Revises: f7b5e6a8c9d0
Create Date: 2026-12-05 09:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a8c6d7e9f0b1"
down_revision = "f7b5e6a8c9d0"
branch_labels = None
depends_on = None


# tests/integration/test_attempt_totals.py runs it on a fixture.
BACKFILL = """
    UPDATE assessment_attempts SET
        total_points = (
            SELECT ROUND(CAST(SUM(COALESCE(a.override_points, a.auto_points)) AS NUMERIC), 2)
              FROM assessment_answers a
             WHERE a.attempt_id = assessment_attempts.id
        ),
        total_max_points = (
            SELECT COALESCE(SUM(a.max_points), 0)
              FROM assessment_answers a
             WHERE a.attempt_id = assessment_attempts.id
        )
"""


def upgrade():
    with op.batch_alter_table("assessment_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("total_points", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("total_max_points", sa.Double(), server_default="0", nullable=False))

    op.execute(BACKFILL)


def downgrade():
    with op.batch_alter_table("assessment_attempts", schema=None) as batch_op:
        batch_op.drop_column("total_max_points")
        batch_op.drop_column("total_points")
