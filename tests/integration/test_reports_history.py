"""Stage history for the reports: every change recorded with its time and when the stage was left,
bulk moves set-wise (SQL statements constant in the number of applications), and the migration's
backfill of what existed before."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from hirewise.auth.models import Role
from hirewise.candidates import services
from hirewise.candidates.models import Application, ApplicationSource, StageMove
from hirewise.extensions import db
from hirewise.openings.models import Opening
from tests.conftest import sql_count
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    OpeningFactory,
    UserFactory,
    without_must_haves,
)

backfill = importlib.import_module(
    "hirewise.migrations.versions.d5f3c4e6a7b8_stage_history_for_reports"
).BACKFILL


def _applied(opening: Opening, count: int) -> list[Application]:
    applications = [
        services.new_application(None, CandidateFactory(), opening, source=ApplicationSource.CAREERS)
        for _ in range(count)
    ]
    db.session.commit()
    return applications


def _moves(application: Application) -> list[tuple[str | None, str, datetime, datetime | None]]:
    db.session.expire_all()
    return [
        (move.from_stage.name if move.from_stage else None, move.to_stage.name, move.moved_at, move.left_at)
        for move in db.session.get(Application, application.id).stage_moves
    ]


def _stage(opening: Opening, name: str) -> int:
    return next(stage.id for stage in opening.stages if stage.name == name)


def test_a_move_records_its_time_and_ends_the_previous_stay() -> None:
    recruiter = UserFactory(role=Role.RECRUITER)
    opening = without_must_haves(OpeningFactory())
    (application,) = _applied(opening, 1)
    services.move_application(recruiter, application, _stage(opening, "Screen"))
    services.reject_application(recruiter, application, "Salary")
    (_, _, applied, left_applied), (_, _, screened, left_screen), (source, to, rejected, open_stay) = _moves(
        application
    )
    assert (source, to, open_stay) == ("Screen", "Rejected", None)
    assert left_applied == screened and left_screen == rejected
    assert applied <= screened <= rejected


def _count(app, run) -> int:  # type: ignore[no-untyped-def]
    with sql_count(app) as statements:
        run()
    return len(statements)


def test_bulk_moves_are_set_wise_and_recorded(app) -> None:  # type: ignore[no-untyped-def]
    recruiter = UserFactory(role=Role.RECRUITER)
    opening = without_must_haves(OpeningFactory())
    few, many = _applied(opening, 2), _applied(opening, 8)
    screen = _stage(opening, "Screen")
    few_ids, many_ids = [a.id for a in few], [a.id for a in many]
    db.session.expire_all()
    statements_few = _count(app, lambda: services.bulk_move(recruiter, few_ids, screen))
    db.session.expire_all()
    statements_many = _count(app, lambda: services.bulk_move(recruiter, many_ids, screen))
    assert statements_few == statements_many
    for application in many:
        (_, _, _, left), (source, to, moved_at, open_stay) = _moves(application)
        assert (source, to, open_stay) == ("Applied", "Screen", None)
        assert left == moved_at


def test_bulk_rejections_are_set_wise_and_recorded(app) -> None:  # type: ignore[no-untyped-def]
    recruiter = UserFactory(role=Role.RECRUITER)
    opening = OpeningFactory()
    few, many = _applied(opening, 2), _applied(opening, 8)
    few_ids, many_ids = [a.id for a in few], [a.id for a in many]
    db.session.expire_all()
    statements_few = _count(app, lambda: services.bulk_reject(recruiter, few_ids, "Position filled"))
    db.session.expire_all()
    statements_many = _count(app, lambda: services.bulk_reject(recruiter, many_ids, "Position filled"))
    assert statements_few == statements_many
    (_, _, _, left), (source, to, moved_at, _) = _moves(many[-1])
    assert (source, to, left) == ("Applied", "Rejected", moved_at)


def test_the_backfill_records_what_existed_before_the_history() -> None:
    opening = OpeningFactory()
    stages = {stage.name: stage for stage in opening.stages}
    day0 = datetime(2026, 3, 2, tzinfo=UTC)
    never_moved = ApplicationFactory(opening=opening, applied_at=day0, stage_entered_at=day0)
    moved_unrecorded = ApplicationFactory(
        opening=opening, stage=stages["Interview"], applied_at=day0, stage_entered_at=day0 + timedelta(days=3)
    )
    rejected_after_entry = ApplicationFactory(
        opening=opening,
        stage=stages["Rejected"],
        rejection_reason="Withdrew",
        applied_at=day0,
        stage_entered_at=day0 + timedelta(days=5),
    )
    db.session.add(
        StageMove(application_id=rejected_after_entry.id, to_stage_id=stages["Applied"].id, moved_at=day0)
    )
    db.session.commit()
    for statement in backfill:
        db.session.execute(text(statement))
    assert _moves(never_moved) == [(None, "Applied", day0, None)]
    assert _moves(moved_unrecorded) == [
        (None, "Applied", day0, day0 + timedelta(days=3)),
        ("Applied", "Interview", day0 + timedelta(days=3), None),
    ]
    assert _moves(rejected_after_entry) == [
        (None, "Applied", day0, day0 + timedelta(days=5)),
        ("Applied", "Rejected", day0 + timedelta(days=5), None),
    ]
    reason = db.session.execute(
        select(StageMove.reason).where(
            StageMove.application_id == rejected_after_entry.id,
            StageMove.to_stage_id == stages["Rejected"].id,
        )
    ).scalar_one()
    assert reason == "Withdrew"
    # Running it again adds nothing: every application's history already ends where it is.
    count = db.session.execute(select(StageMove.id)).all()
    for statement in backfill:
        db.session.execute(text(statement))
    assert db.session.execute(select(StageMove.id)).all() == count
