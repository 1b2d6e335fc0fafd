"""Erasure: a candidate with a canary name, email, phone and phrase in every field and file goes
through every feature, is erased, and then no table, column or file holds a canary any more.

The database search is :func:`hirewise.privacy.scrub.find_strings`: every text, JSON and binary
column of every table the models declare, found by SQLAlchemy inspection, so a table added later is
searched too. It runs on SQLite and, with ``DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select

from hirewise.assessments import attempts
from hirewise.assessments import services as assessments
from hirewise.assessments.models import AssessmentAnswer
from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role
from hirewise.candidates import services as candidates
from hirewise.candidates.documents import ResumeUpload
from hirewise.candidates.models import Application, Candidate, Document, StageMove
from hirewise.decisions import services as decisions
from hirewise.errors import Conflict, PermissionDenied
from hirewise.extensions import db
from hirewise.feedback import services as feedback
from hirewise.feedback.models import FeedbackRating
from hirewise.privacy import services as privacy
from hirewise.privacy.models import ErasureTrigger
from hirewise.privacy.scrub import find_strings, textual_columns
from hirewise.tasks.resumes import extract_resume
from tests.assessment_samples import FREE_TEXT
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory
from tests.integration.test_careers import make_pdf
from tests.integration.test_feedback_services import complete, interview_with_kit
from tests.integration.test_interview_services import add_questions

NAME = "Zebulon Canaryfield"
EMAIL = "zebulon.canary7q3x@example.org"
PHONE = "+44 7700 900731"
PHRASE = "canaryphrase9k2v"
LINK = "https://canary-7q3x.example.org/portfolio"
CANARIES = (NAME, EMAIL, PHONE, PHRASE, LINK, "Canaryfield", "canary7q3x")
CODE_QUESTION = {
    "kind": "code",
    "prompt": "Write add(a, b).",
    "points": 3,
    "content": {
        "function_name": "add",
        "starter_code": "def add(a, b):\n    ...\n",
        "examples": [{"args": [1, 2], "expected": 3, "name": "small numbers"}],
        "tests": [{"args": [40, 2], "expected": 42, "name": "hidden"}],
    },
}


def _stage(application: Application, name: str) -> int:
    return next(stage.id for stage in application.opening.stages if stage.name == name)


def build_canary_candidate() -> tuple[Candidate, dict[str, object]]:
    """The canary candidate, through every feature that stores something about a person."""
    recruiter = UserFactory(role=Role.RECRUITER, full_name="Rita Recruiter")
    manager = UserFactory(role=Role.HIRING_MANAGER, full_name="Mona Manager")
    interviewer = UserFactory(role=Role.INTERVIEWER, full_name="Ivan Interviewer")
    opening = OpeningFactory(
        team=[manager], auto_move_on_assessment_invite=False, auto_move_on_interview_scheduled=False
    )
    add_questions(opening)
    db.session.commit()
    application = candidates.submit_application(
        opening,
        full_name=NAME,
        email=EMAIL,
        phone=PHONE,
        links=[LINK],
        cover_letter=f"Dear team, {PHRASE} in my cover letter. {NAME}",
        resume=ResumeUpload(
            f"{NAME} resume.pdf", make_pdf(f"{NAME} {EMAIL} {PHONE} Flask developer {PHRASE}")
        ),
        consent=True,
    )
    candidate = application.candidate
    privacy.record_application_consent(candidate.id, f"/careers/{opening.slug}/apply")
    extract_resume.apply(args=[application.id])  # the résumé's text and detected skills (idempotent)
    other = ApplicationFactory(candidate=candidate)
    db.session.commit()

    candidates.update_candidate(
        recruiter, candidate, full_name=NAME, email=EMAIL, phone=PHONE + "0", links=[LINK]
    )
    candidates.update_candidate(recruiter, candidate, full_name=NAME, email=EMAIL, phone=PHONE, links=[LINK])
    candidates.add_note(recruiter, candidate, f"@Mona Manager please look: {PHRASE} {NAME}", application.id)
    candidates.add_note(recruiter, candidate, f"General note {PHRASE}")
    candidates.email_candidate(recruiter, candidate, f"Hello {NAME} {PHRASE}", f"Body {PHRASE} for {NAME}")
    candidates.move_application(
        recruiter, application, _stage(application, "Screen"), f"Move reason {PHRASE}"
    )
    candidates.reject_application(recruiter, other, f"Rejection reason {PHRASE} {NAME}")

    interview = interview_with_kit(recruiter, application, [interviewer])
    interview.instructions = f"Instructions {PHRASE}"
    db.session.commit()
    started = feedback.get_or_start_feedback(interviewer, interview)
    values = complete(started, summary=f"Feedback summary {PHRASE} about {NAME}")
    values["answers"] = {
        a.question_id: {"notes": f"Notes {PHRASE}", "covered_key_points": [0]} for a in started.answers
    }
    feedback.submit_feedback(interviewer, started, **values)

    assessment = assessments.create_assessment(recruiter, opening, {"title": "Screening"})
    assessments.add_question(recruiter, assessment, FREE_TEXT)
    assessments.add_question(recruiter, assessment, CODE_QUESTION)
    issued = assessments.invite(recruiter, assessment, [application])
    attempt = attempts.start_attempt(attempts.invitation_for_token(issued[0].token))
    free_text_id, code_id = (question.id for question in assessment.questions)
    answer_text = f"A create_app function builds the app for tests. {PHRASE} {NAME}"
    attempts.save_answer(attempt, free_text_id, {"text": answer_text}, None)
    attempts.save_answer(
        attempt, code_id, {"code": f"def add(a, b):\n    # {PHRASE}\n    return a + b\n"}, None
    )
    attempts.submit_attempt(attempt)
    db.session.expire_all()
    answer = db.session.execute(
        select(AssessmentAnswer).where(
            AssessmentAnswer.attempt_id == attempt.id, AssessmentAnswer.question_id == free_text_id
        )
    ).scalar_one()
    assessments.override_score(recruiter, answer, 4.0, f"Override {PHRASE}")
    decisions.record_decision(
        manager,
        db.session.get(Application, application.id),  # type: ignore[arg-type]
        kind="advance",
        reason=f"Decision reason {PHRASE} {NAME}",
        to_stage_id=_stage(application, "Interview"),
    )
    db.session.expire_all()
    return db.session.get(Candidate, candidate.id), {  # type: ignore[return-value]
        "recruiter": recruiter,
        "application_id": application.id,
        "answer_id": answer.id,
    }


def canary_hits() -> list[dict[str, object]]:
    return find_strings(CANARIES)


def test_every_text_column_is_searched() -> None:
    """The search covers every table of the database (as the migrations built it) that has a text,
    JSON or binary column: the models' metadata and the database agree, so nothing is left out."""
    inspector = inspect(db.session.connection())
    textual = ("CHAR", "TEXT", "JSON", "BLOB", "BYTEA", "CLOB")
    in_database = {
        name
        for name in inspector.get_table_names()
        if name != "alembic_version"
        and any(
            any(kind in str(column["type"]).upper() for kind in textual)
            for column in inspector.get_columns(name)
        )
    }
    searched = {table.name for table, _ in textual_columns()}
    assert in_database <= searched, in_database - searched


def test_canary_candidate_is_present_before_erasure() -> None:
    candidate, _ = build_canary_candidate()
    hits = canary_hits()
    tables = {hit["table"] for hit in hits}
    # The canary really went everywhere: the search is meaningful only if it found it first.
    for table in (
        "candidates",
        "applications",
        "documents",
        "notes",
        "outbox_messages",
        "assessment_answers",
        "audit_events",
        "notifications",
        "feedback",
        "feedback_answers",
        "decisions",
        "stage_moves",
        "interviews",
    ):
        assert table in tables, (table, sorted(tables))
    resume_text = db.session.execute(
        select(Application.resume_text).where(
            Application.candidate_id == candidate.id, Application.resume_text != ""
        )
    ).scalar_one()
    assert PHRASE in resume_text


def test_erasure_leaves_no_canary_anywhere_and_keeps_the_aggregates() -> None:
    candidate, world = build_canary_candidate()
    privacy_request = privacy.request_human_review  # the candidate's own request carries their text too
    from hirewise.privacy.tokens import LinkPurpose, make_token

    privacy_request(
        make_token(candidate, LinkPurpose.SCORES), int(world["answer_id"]), f"Please review {PHRASE}"
    )  # type: ignore[call-overload]
    moves_before = db.session.execute(select(func.count()).select_from(StageMove)).scalar_one()
    ratings_before = db.session.execute(select(func.count()).select_from(FeedbackRating)).scalar_one()
    assert canary_hits()

    erasure = privacy.erase_candidate(world["recruiter"], candidate, "The candidate asked by email")  # type: ignore[arg-type]

    assert canary_hits() == []
    assert erasure.trigger == ErasureTrigger.REQUEST
    assert sum(erasure.rows_changed.values()) > 20
    erased = db.session.get(Candidate, candidate.id)
    assert erased is not None and erased.full_name.startswith("Erased candidate")
    # Aggregates stay: applications, their source and stage, stage history, ratings and scores.
    assert (
        db.session.execute(
            select(func.count()).select_from(Application).where(Application.candidate_id == candidate.id)
        ).scalar_one()
        == 2
    )
    assert db.session.execute(select(func.count()).select_from(StageMove)).scalar_one() == moves_before
    assert db.session.execute(select(func.count()).select_from(FeedbackRating)).scalar_one() == ratings_before
    assert db.session.execute(select(func.count()).select_from(Document)).scalar_one() == 0
    answer = db.session.get(AssessmentAnswer, world["answer_id"])
    assert answer is not None and answer.auto_points is not None and answer.override_points == 4.0
    assert answer.response == {}
    key_points = answer.explanation.get("key_points", [])
    assert key_points and all("evidence" not in point for point in key_points)
    # The audit log keeps that the erasure happened, without the person.
    last = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert last is not None and last.action == "erase" and NAME not in last.summary


def test_erasure_twice_and_under_legal_hold_are_refused() -> None:
    candidate, world = build_canary_candidate()
    admin = UserFactory(role=Role.ADMIN)
    privacy.place_hold(admin, candidate, "Pending employment tribunal claim")
    with pytest.raises(Conflict) as refused:
        privacy.erase_candidate(world["recruiter"], candidate, "asked")  # type: ignore[arg-type]
    assert "legal hold" in refused.value.message and "tribunal" in refused.value.message
    assert canary_hits()  # nothing was erased
    privacy.release_hold(admin, candidate)
    privacy.erase_candidate(world["recruiter"], candidate, "asked again")  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        privacy.erase_candidate(world["recruiter"], candidate, "asked a third time")  # type: ignore[arg-type]


@pytest.mark.parametrize("role", [Role.HIRING_MANAGER, Role.INTERVIEWER])
def test_only_staff_erase_and_only_admins_hold(role: Role) -> None:
    application = ApplicationFactory()
    db.session.commit()
    with pytest.raises(PermissionDenied):
        privacy.erase_candidate(UserFactory(role=role), application.candidate, "asked")
    with pytest.raises(PermissionDenied):
        privacy.place_hold(UserFactory(role=Role.RECRUITER), application.candidate, "a claim")
