"""drop indexes that a unique constraint already provides

Each of these single-column indexes is the leading column of a unique constraint on the same table
(``uq_applications_candidate_id`` is on ``(candidate_id, opening_id)``, and so on), whose index
serves every lookup by that column, the foreign key's cascades included, on PostgreSQL and SQLite
alike. Keeping both only made every insert write one index more: 100,000 imported applications
took 80 ms longer on PostgreSQL (bench/importing.py).

Found with: pg_index pairs of one table where one index's columns are a prefix of another's.

Revision ID: b9d7e8f0a1c2
Revises: a8c6d7e9f0b1
Create Date: 2026-12-05 10:00:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "b9d7e8f0a1c2"
down_revision = "a8c6d7e9f0b1"
branch_labels = None
depends_on = None

# (table, column): the index ix_<table>_<column> and the constraint uq_<table>_<column> it duplicates.
REDUNDANT = [
    ("kit_skills", "kit_id"),
    ("opening_skills", "opening_id"),
    ("stages", "opening_id"),
    ("applications", "candidate_id"),
    ("bank_question_versions", "question_id"),
    ("feedback", "interview_id"),
    ("feedback_reminders", "interview_id"),
    ("feedback_answers", "feedback_id"),
    ("feedback_ratings", "feedback_id"),
    ("feedback_revisions", "feedback_id"),
    ("assessment_rubrics", "question_id"),
    ("assessment_answers", "attempt_id"),
    ("retention_notices", "candidate_id"),
]


def upgrade():
    for table, column in REDUNDANT:
        op.drop_index(f"ix_{table}_{column}", table_name=table)


def downgrade():
    for table, column in REDUNDANT:
        op.create_index(f"ix_{table}_{column}", table, [column], unique=False)
