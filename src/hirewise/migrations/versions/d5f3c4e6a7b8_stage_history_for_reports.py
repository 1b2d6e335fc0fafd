"""stage history for reports

Every stage change is a row of ``stage_moves``; the reports read time in stage from it. Each move
now also says when the application left the stage it entered (``left_at``: the next move's time,
NULL while it is still there), so time in stage is a plain column difference, not a window over
half a million rows, and an index serves the reports' "reached stage X" counts.

Backfill of what exists (set-wise, one statement each, on SQLite and PostgreSQL alike):
1. an application without any recorded move gets its entry into the pipeline: at ``applied_at``
   into its current stage when it never moved, otherwise into the opening's first active stage and
   then a move to its current stage at ``stage_entered_at``;
2. an application whose last recorded move does not end in its current stage (a move that was not
   recorded) gets that move, at ``stage_entered_at``, with the rejection reason if it is rejected;
3. ``left_at`` of every move is the time of the next move of the same application.

Revision ID: d5f3c4e6a7b8
Revises: c4e2b3d5f6a7
Create Date: 2026-12-05 05:40:00.000000

"""

from alembic import op
import sqlalchemy as sa
import hirewise.db


# revision identifiers, used by Alembic.
revision = "d5f3c4e6a7b8"
down_revision = "c4e2b3d5f6a7"
branch_labels = None
depends_on = None


_FIRST_ACTIVE_STAGE = """
    (SELECT s.id FROM stages s
      WHERE s.opening_id = a.opening_id AND s.kind = 'active'
      ORDER BY s.position, s.id LIMIT 1)
"""

_NO_MOVE = "NOT EXISTS (SELECT 1 FROM stage_moves m WHERE m.application_id = a.id)"

_LAST_MOVE_TO_STAGE = """
    (SELECT m.to_stage_id FROM stage_moves m
      WHERE m.application_id = a.id
      ORDER BY m.moved_at DESC, m.id DESC LIMIT 1)
"""

_REASON_IF_REJECTED = """
    CASE WHEN (SELECT s.kind FROM stages s WHERE s.id = a.stage_id) = 'rejected'
         THEN a.rejection_reason ELSE '' END
"""


# One statement each, in this order; tests/integration/test_reports_history.py runs them on a fixture.
BACKFILL = (
    # 1a. Never moved (or moved without any record, which 1b and 2 handle): entry into the current stage.
    f"""
    INSERT INTO stage_moves (application_id, from_stage_id, to_stage_id, moved_by_id, moved_at, reason)
    SELECT a.id, NULL, a.stage_id, NULL, a.applied_at, ''
      FROM applications a
     WHERE {_NO_MOVE}
       AND (a.stage_entered_at <= a.applied_at OR a.stage_id = {_FIRST_ACTIVE_STAGE})
    """,
    # 1b. Moved at least once without any record: entry into the first active stage; 2 adds the move.
    f"""
    INSERT INTO stage_moves (application_id, from_stage_id, to_stage_id, moved_by_id, moved_at, reason)
    SELECT a.id, NULL, {_FIRST_ACTIVE_STAGE}, NULL, a.applied_at, ''
      FROM applications a
     WHERE {_NO_MOVE} AND {_FIRST_ACTIVE_STAGE} IS NOT NULL
    """,
    # 2. The last recorded move does not end where the application is: record the missing move.
    f"""
    INSERT INTO stage_moves (application_id, from_stage_id, to_stage_id, moved_by_id, moved_at, reason)
    SELECT a.id, {_LAST_MOVE_TO_STAGE}, a.stage_id, NULL, a.stage_entered_at, {_REASON_IF_REJECTED}
      FROM applications a
     WHERE {_LAST_MOVE_TO_STAGE} <> a.stage_id
    """,
    # 3. When each move's stage was left: the next move of the same application.
    """
    UPDATE stage_moves SET left_at = (
        SELECT MIN(n.moved_at) FROM stage_moves n
         WHERE n.application_id = stage_moves.application_id
           AND (n.moved_at > stage_moves.moved_at
                OR (n.moved_at = stage_moves.moved_at AND n.id > stage_moves.id))
    )
    """,
)


def _backfill():
    for statement in BACKFILL:
        op.execute(statement)


def upgrade():
    with op.batch_alter_table("stage_moves", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_at", hirewise.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_stage_moves_to_stage_moved_at", ["to_stage_id", "moved_at"], unique=False)

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_applications_opening_applied_at", ["opening_id", "applied_at"], unique=False
        )

    _backfill()


def downgrade():
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index("ix_applications_opening_applied_at")

    with op.batch_alter_table("stage_moves", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_moves_to_stage_moved_at")
        batch_op.drop_column("left_at")
