"""The assessment life cycle through the use cases: invite, take, deadline, scoring, review, evidence."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from hirewise.assessments import attempts, scoring, services
from hirewise.assessments.builtin import add_kit_assessment, builtin_definitions
from hirewise.assessments.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AttemptStatus,
    ScoringStatus,
    SubmittedBy,
)
from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role
from hirewise.db import utcnow
from hirewise.decisions import services as decisions
from hirewise.decisions.evidence import evidence_for_applications
from hirewise.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.kits.services import ensure_builtin_kits
from hirewise.mail.models import OutboxMessage
from hirewise.openings.services import create_opening
from tests.assessment_samples import FREE_TEXT, MC
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory

SLUGIFY = """
import re

def slugify(title):
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
"""

CODE = {
    "kind": "code",
    "prompt": "Write slugify(title).",
    "points": 4,
    "content": {
        "function_name": "slugify",
        "examples": [{"args": ["Hello, World!"], "expected": "hello-world"}],
        "tests": [
            {"args": ["Top 10!"], "expected": "top-10"},
            {"args": [""], "expected": ""},
            {"args": ["a--b"], "expected": "a-b"},
        ],
    },
}


class Clock:
    """A frozen clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    frozen = Clock()
    monkeypatch.setattr(attempts, "clock", frozen)
    yield frozen


@pytest.fixture
def recruiter():
    return UserFactory(role=Role.RECRUITER)


def build_assessment(actor, opening, *questions, minutes: int = 20) -> Assessment:
    assessment = services.create_assessment(
        actor, opening, {"title": "Screening", "time_limit_minutes": minutes}
    )
    skill_id = opening.skills[0].id
    for values in questions or (MC, FREE_TEXT, CODE):
        services.add_question(actor, assessment, {**values, "skill_id": skill_id})
    return assessment


def invite_one(actor, assessment, application=None) -> services.IssuedInvitation:
    application = application or ApplicationFactory(opening=assessment.opening)
    [issued] = services.invite(actor, assessment, [application])
    return issued


def choose(attempt: AssessmentAttempt, question, *real_ids: str) -> dict[str, list[str]]:
    """What the candidate sends to choose the options with these real ids: the ids shown to their attempt."""
    return attempts.shown_response(attempt, question, {"selected": list(real_ids)})


def answer_all(attempt: AssessmentAttempt, *, code: str = SLUGIFY, text: str | None = None) -> None:
    for question in attempt.invitation.assessment.questions:
        if question.kind == "multiple_choice":
            correct = [o["id"] for o in question.content["options"] if o["correct"]]
            attempts.save_answer(attempt, question.id, choose(attempt, question, *correct))
        elif question.kind == "code":
            attempts.save_answer(attempt, question.id, {"code": code})
        else:
            attempts.save_answer(attempt, question.id, {"text": text or question.content["expected_answer"]})


# --- the built-in screening assessment ----------------------------------------------------------


def test_flask_kit_ships_a_screening_assessment_covering_every_must_have(recruiter):
    ensure_builtin_kits()
    kit = next(k for k in ensure_builtin_kits() if k.slug == "flask-developer")
    opening = create_opening(recruiter, title="Flask Developer", kit_id=kit.id)
    assessment = add_kit_assessment(recruiter, opening)

    kinds = {question.kind for question in assessment.questions}
    assert kinds == {"multiple_choice", "free_text", "code"}
    must_haves = {skill.id for skill in opening.skills if skill.kind == "must_have"}
    covered = {question.skill_id for question in assessment.questions}
    assert must_haves <= covered, "every must-have skill has at least one question"
    assert assessment.source == "kit:flask-developer"
    assert all(
        question.rubric_version == 1 and len(question.rubrics) == 1 for question in assessment.questions
    )
    assert "flask-developer" in builtin_definitions()


def test_opening_without_a_kit_assessment_says_so(recruiter):
    opening = OpeningFactory()
    with pytest.raises(NotFound, match="ships no screening assessment"):
        add_kit_assessment(recruiter, opening)


# --- building and validation --------------------------------------------------------------------


def test_question_validation_reports_every_bad_field(recruiter):
    assessment = services.create_assessment(recruiter, OpeningFactory(), {"title": "Screening"})
    with pytest.raises(ValidationFailed) as caught:
        services.add_question(
            recruiter,
            assessment,
            {
                "kind": "multiple_choice",
                "prompt": "",
                "points": 0,
                "content": {"options": [{"text": "only"}]},
            },
        )
    assert set(caught.value.details) >= {"prompt", "points", "options"}
    with pytest.raises(ValidationFailed) as caught:
        services.add_question(
            recruiter,
            assessment,
            {"kind": "code", "prompt": "x", "content": {"function_name": "class", "tests": "[{bad json"}},
        )
    assert set(caught.value.details) >= {"function_name", "tests"}
    assert assessment.questions == []


def test_interviewer_cannot_build_assessments():
    opening = OpeningFactory()
    with pytest.raises(PermissionDenied):
        services.create_assessment(UserFactory(role=Role.INTERVIEWER), opening, {"title": "Sneaky"})


def test_editing_the_rubric_bumps_its_version_and_counts_outdated_scores(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), FREE_TEXT)
    issued = invite_one(recruiter, assessment)
    attempt = attempts.start_attempt(issued.invitation)
    answer_all(attempt)
    attempts.submit_attempt(attempt)
    [question] = assessment.questions

    unchanged = services.update_question(recruiter, question, {"skill_id": question.skill_id})
    assert not unchanged.rubric_changed and question.rubric_version == 1

    changed = services.update_question(
        recruiter, question, {"content": {**question.content, "expected_answer": "Something else entirely."}}
    )
    assert changed.rubric_changed and question.rubric_version == 2
    assert [r.version for r in question.rubrics] == [1, 2]
    assert changed.outdated_answers == 1
    assert services.outdated_answer_counts(assessment) == {question.id: 1}
    assert services.attempts_to_rescore(question) == [attempt.id]

    assert services.request_rescore(recruiter, assessment, services.attempts_to_rescore(question)) == 1
    answer = db.session.execute(
        select(AssessmentAnswer).where(AssessmentAnswer.attempt_id == attempt.id)
    ).scalar_one()
    assert answer.rubric_version == 2
    assert services.count_outdated_answers(question) == 0
    assert services.outdated_answer_counts(assessment) == {}


def test_questions_stay_once_candidates_answered(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), MC)
    attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    with pytest.raises(Conflict):
        services.delete_question(recruiter, assessment.questions[0])
    with pytest.raises(Conflict):
        services.add_question(recruiter, assessment, MC)


# --- invitations --------------------------------------------------------------------------------


def test_invitation_token_is_long_stored_hashed_and_emailed(recruiter):
    assessment = build_assessment(recruiter, OpeningFactory(), MC)
    issued = invite_one(recruiter, assessment)

    assert len(issued.token) >= 43  # 32 random bytes in URL-safe base64: 256 bits
    stored = db.session.get(AssessmentInvitation, issued.invitation.id)
    assert stored.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in stored.token_hash
    message = db.session.get(OutboxMessage, stored.outbox_message_id)
    assert issued.link in message.body and issued.link.endswith(f"/assessment/{issued.token}")
    assert stored.expires_at - utcnow() > timedelta(days=6, hours=23)
    assert attempts.invitation_for_token(issued.token).id == stored.id


def test_a_second_open_invitation_is_refused_and_other_openings_too(recruiter):
    assessment = build_assessment(recruiter, OpeningFactory(), MC)
    application = ApplicationFactory(opening=assessment.opening)
    services.invite(recruiter, assessment, [application])
    with pytest.raises(Conflict, match="already has an open invitation"):
        services.invite(recruiter, assessment, [application])
    with pytest.raises(Conflict, match="another opening"):
        services.invite(recruiter, assessment, [ApplicationFactory()])


def test_bulk_invitation_is_all_or_nothing(recruiter):
    assessment = build_assessment(recruiter, OpeningFactory(), MC)
    fine = [ApplicationFactory(opening=assessment.opening) for _ in range(3)]
    stranger = ApplicationFactory()
    with pytest.raises(Conflict):
        services.invite(recruiter, assessment, [*fine, stranger])
    assert db.session.execute(select(AssessmentInvitation)).scalars().all() == []
    assert len(services.invite(recruiter, assessment, fine)) == 3


def test_unknown_malformed_expired_and_revoked_links(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), MC)
    for token in ("nope", "x" * 43, "y" * 500):
        with pytest.raises(NotFound):
            attempts.invitation_for_token(token)

    expired = invite_one(recruiter, assessment)
    clock.advance(days=8)
    assert attempts.candidate_view(expired.invitation).state == "expired"
    with pytest.raises(attempts.AssessmentClosed, match="expired"):
        attempts.start_attempt(expired.invitation)

    clock.now = utcnow()
    revoked = invite_one(recruiter, assessment)
    services.revoke_invitation(recruiter, revoked.invitation)
    assert attempts.candidate_view(revoked.invitation).state == "revoked"
    with pytest.raises(attempts.AssessmentClosed, match="withdrawn"):
        attempts.start_attempt(revoked.invitation)
    # A revoked link frees the application for a new invitation.
    assert (
        invite_one(recruiter, assessment, revoked.invitation.application).invitation.id
        != revoked.invitation.id
    )


def test_revoking_a_started_attempt_stops_it_without_submitting(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), MC, minutes=5)
    issued = invite_one(recruiter, assessment)
    attempt = attempts.start_attempt(issued.invitation)
    services.revoke_invitation(recruiter, issued.invitation)

    assert services.invitation_state(issued.invitation) == "revoked"
    assert attempts.candidate_view(issued.invitation).state == "revoked"
    with pytest.raises(attempts.AssessmentClosed, match="withdrawn"):
        attempts.save_answer(
            attempt, assessment.questions[0].id, choose(attempt, assessment.questions[0], "a")
        )
    with pytest.raises(attempts.AssessmentClosed, match="withdrawn"):
        attempts.submit_attempt(attempt)
    clock.advance(hours=1)
    assert attempts.submit_overdue_attempts() == []
    assert attempt.status == AttemptStatus.IN_PROGRESS  # abandoned, never scored as if submitted
    # The application can be invited again, and only the new link is open.
    again = invite_one(recruiter, assessment, issued.invitation.application)
    assert services.open_invitation(assessment, issued.invitation.application).id == again.invitation.id


def test_the_same_application_twice_in_a_bulk_invitation_is_invited_once(recruiter):
    assessment = build_assessment(recruiter, OpeningFactory(), MC)
    application = ApplicationFactory(opening=assessment.opening)
    assert len(services.invite(recruiter, assessment, [application, application])) == 1


# --- taking it: the server's clock --------------------------------------------------------------


def test_starting_twice_keeps_the_first_deadline(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), MC, minutes=10)
    issued = invite_one(recruiter, assessment)
    attempt = attempts.start_attempt(issued.invitation)
    assert attempt.deadline_at == clock.now + timedelta(minutes=10)
    clock.advance(minutes=3)
    again = attempts.start_attempt(issued.invitation)
    assert again.id == attempt.id and again.deadline_at == attempt.deadline_at
    assert attempts.candidate_view(issued.invitation).seconds_left == 7 * 60


def test_answers_are_accepted_until_deadline_plus_grace_then_refused(app, recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), FREE_TEXT, minutes=10)
    attempt = attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    question = assessment.questions[0]
    grace = app.config["ASSESSMENT_GRACE_SECONDS"]

    clock.advance(minutes=10, seconds=grace - 1)  # within the grace: a save in flight still counts
    attempts.save_answer(attempt, question.id, {"text": "Saved just in time."})

    clock.advance(seconds=2)
    with pytest.raises(attempts.AssessmentClosed, match="time for this assessment is over"):
        attempts.save_answer(attempt, question.id, {"text": "Too late."})
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.submitted_by == SubmittedBy.DEADLINE and attempt.submitted_at == attempt.deadline_at
    [answer] = attempt.answers
    assert answer.response == {"text": "Saved just in time."}


def test_late_submit_closes_as_of_the_deadline(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), MC, minutes=5)
    attempt = attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    clock.advance(hours=1)
    attempts.submit_attempt(attempt)
    assert attempt.submitted_by == SubmittedBy.DEADLINE and attempt.submitted_at == attempt.deadline_at


def test_periodic_task_submits_overdue_attempts_once(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), MC, FREE_TEXT, minutes=5)
    overdue = attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    attempts.save_answer(overdue, assessment.questions[0].id, choose(overdue, assessment.questions[0], "a"))
    clock.advance(minutes=4)
    running = attempts.start_attempt(invite_one(recruiter, assessment).invitation)

    clock.advance(minutes=1, seconds=10)  # overdue's deadline passed, but not its 30-second grace
    assert attempts.submit_overdue_attempts() == []
    clock.advance(seconds=30)
    assert attempts.submit_overdue_attempts() == [overdue.id]
    assert attempts.submit_overdue_attempts() == []
    assert overdue.status == AttemptStatus.SUBMITTED and overdue.submitted_by == SubmittedBy.DEADLINE
    assert running.status == AttemptStatus.IN_PROGRESS
    # Unanswered questions become answers worth zero, so totals count them.
    assert len(overdue.answers) == 2
    assert overdue.scoring_status == ScoringStatus.SCORED
    assert services.attempt_totals(overdue).points == 2.0


def test_a_submitted_attempt_is_immutable(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), MC)
    issued = invite_one(recruiter, assessment)
    attempt = attempts.start_attempt(issued.invitation)
    attempts.submit_attempt(attempt)
    with pytest.raises(attempts.AssessmentClosed):
        attempts.save_answer(
            attempt, assessment.questions[0].id, choose(attempt, assessment.questions[0], "a")
        )
    with pytest.raises(attempts.AssessmentClosed):
        attempts.submit_attempt(attempt)
    with pytest.raises(attempts.AssessmentClosed, match="already submitted"):
        attempts.start_attempt(issued.invitation)


def test_answers_are_checked_against_the_question(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), MC, FREE_TEXT)
    attempt = attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    choice, text = assessment.questions
    with pytest.raises(ValidationFailed, match="among the options"):
        attempts.save_answer(attempt, choice.id, {"selected": ["z"]})
    with pytest.raises(ValidationFailed, match="Choose one"):
        attempts.save_answer(attempt, choice.id, choose(attempt, choice, "a", "b"))
    with pytest.raises(ValidationFailed, match="too long"):
        attempts.save_answer(attempt, text.id, {"text": "x" * 10_001})
    with pytest.raises(NotFound):
        attempts.save_answer(attempt, 10**6, {"text": "?"})


def test_integrity_signals_only_grow(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), FREE_TEXT)
    attempt = attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    question = assessment.questions[0]
    attempts.save_answer(
        attempt,
        question.id,
        {"text": "a"},
        {"paste_count": 2, "pasted_chars": 300, "blur_count": 1, "time_spent_seconds": 40},
    )
    answer = attempts.save_answer(
        attempt,
        question.id,
        {"text": "ab"},
        {"paste_count": 0, "pasted_chars": -5, "blur_count": "x", "time_spent_seconds": 55},
    )
    assert (answer.paste_count, answer.pasted_chars, answer.blur_count, answer.time_spent_seconds) == (
        2,
        300,
        1,
        55,
    )


# --- scoring, review and evidence ---------------------------------------------------------------


def test_submitted_attempt_is_scored_with_explanations(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory())
    attempt = attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    answer_all(attempt)
    attempts.submit_attempt(attempt)  # inline tasks: scored before this returns

    assert attempt.scoring_status == ScoringStatus.SCORED, attempt.scoring_error
    by_kind = {answer.question.kind: answer for answer in attempt.answers}
    choice, text, code = by_kind["multiple_choice"], by_kind["free_text"], by_kind["code"]
    assert choice.auto_points == 2.0 and choice.explanation["correct"] == ["a"]
    assert code.auto_points == 4.0 and code.explanation["passed"] == code.explanation["total"] == 4
    hidden = [o for o in code.explanation["outcomes"] if not o["visible"]]
    assert hidden and all(o["args"] is None and o["expected"] is None for o in hidden)
    assert text.auto_points is not None and text.auto_points >= 3.5, text.explanation
    assert [kp["label"] for kp in text.explanation["key_points"]] == ["Factory function", "Configurations"]
    assert {"status", "evidence", "similarity"} <= set(text.explanation["key_points"][0])
    assert text.explanation["rationale"] and text.scorer and text.scorer_version
    assert all(answer.rubric_version == 1 and answer.scored_at for answer in attempt.answers)

    totals = services.attempt_totals(attempt)
    assert totals.max_points == 11 and totals.pending == 0

    # Idempotent: scoring again changes nothing.
    before = [(a.id, a.auto_points) for a in attempt.answers]
    assert scoring.score_attempt(attempt.id) == ScoringStatus.SCORED
    assert [(a.id, a.auto_points) for a in attempt.answers] == before


def test_weak_answers_score_lower_and_wrong_code_fails_tests(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory())
    strong = attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    answer_all(strong)
    attempts.submit_attempt(strong)
    weak = attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    answer_all(weak, code="def slugify(title):\n    return title\n", text="I like turtles and the sea.")
    attempts.submit_attempt(weak)

    assert services.attempt_totals(weak).points < services.attempt_totals(strong).points
    code = next(a for a in weak.answers if a.question.kind == "code")
    assert code.auto_points is not None and code.auto_points < 4.0
    visible = [o for o in code.explanation["outcomes"] if o["visible"]]
    assert visible[0]["status"] == "failed" and visible[0]["actual"] == "Hello, World!"


def test_copied_answers_are_flagged_as_similar(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), FREE_TEXT)
    shared = (
        "The factory is a function called create_app that returns a configured app for tests and production."
    )
    first = attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    answer_all(first, text=shared)
    attempts.submit_attempt(first)
    second = attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    answer_all(second, text=shared + " Yes.")
    attempts.submit_attempt(second)
    own = attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    answer_all(own, text="Blueprints split routes into modules; I never used a factory myself, honestly.")
    attempts.submit_attempt(own)

    [a1], [a2], [a3] = first.answers, second.answers, own.answers
    assert a2.similarity is not None and a2.similarity > 0.8 and a2.similar_answer_id == a1.id
    assert a1.similarity == a2.similarity and a1.similar_answer_id == a2.id
    assert a3.similarity is None or a3.similarity < 0.3


def test_override_keeps_the_automatic_score_and_is_audited(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), FREE_TEXT)
    attempt = attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    answer_all(attempt, text="Not much.")
    attempts.submit_attempt(attempt)
    [answer] = attempt.answers
    automatic = answer.auto_points

    with pytest.raises(ValidationFailed) as caught:
        services.override_score(recruiter, answer, 9, "")
    assert set(caught.value.details) == {"points", "reason"}

    services.override_score(recruiter, answer, 4.5, "Said it out loud in the call; short but right.")
    assert answer.final_points == 4.5 and answer.auto_points == automatic
    event = db.session.execute(
        select(AuditEvent).where(
            AuditEvent.object_type == "assessment_answer", AuditEvent.action == "override"
        )
    ).scalar_one()
    assert event.actor_id == recruiter.id and event.after["override_points"] == 4.5
    assert event.after["auto_points"] == automatic

    # Re-scoring never touches an override.
    scoring.score_attempt(attempt.id)
    assert answer.override_points == 4.5

    with pytest.raises(PermissionDenied):
        services.override_score(UserFactory(role=Role.INTERVIEWER), answer, 1, "no")
    services.clear_override(recruiter, answer)
    assert answer.final_points == automatic


def test_assessment_results_are_evidence_beside_interview_ratings(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), MC, CODE)
    issued = invite_one(recruiter, assessment)
    attempt = attempts.start_attempt(issued.invitation)
    answer_all(attempt)
    attempts.submit_attempt(attempt)
    application = issued.invitation.application
    skill = application.opening.skills[0]

    [evidence] = evidence_for_applications([application.id])[application.id]
    assert evidence.source == "assessment" and evidence.skill_id == skill.id
    assert evidence.score == 4.0 and evidence.reference == f"attempt:{attempt.id}"

    debrief = decisions.debrief(application)
    assert [column.title for column in debrief.assessment_columns] == ["Screening"]
    row = next(row for row in debrief.skills if row.skill_id == skill.id)
    assert row.assessment_cells[0] is not None and row.assessment_cells[0].rating == 4.0
    assert row.score == 4.0

    # A reviewer's override moves the evidence.
    code = next(a for a in attempt.answers if a.question.kind == "code")
    services.override_score(recruiter, code, 0, "Copied from the internet; confirmed in the interview.")
    [evidence] = evidence_for_applications([application.id])[application.id]
    assert evidence.score == pytest.approx(1 + 3 * 2 / 6)


def test_demo_openings_get_the_screening_assessment_once():
    from hirewise import demo

    demo.seed()
    users = demo.ensure_demo_users()
    openings = demo.ensure_demo_openings(users)
    assert demo.ensure_demo_assessments(openings, users[Role.RECRUITER]) == len(openings)
    assert demo.ensure_demo_assessments(openings, users[Role.RECRUITER]) == 0
    titles = {a.title for o in openings for a in services.list_assessments(o)}
    assert titles == {"Flask Developer screening"}


def test_embedded_scheduler_submits_overdue_attempts_without_celery_beat(app, recruiter, clock):
    from hirewise.tasks.embedded import EmbeddedScheduler

    assessment = build_assessment(recruiter, OpeningFactory(), MC, minutes=5)
    attempt = attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    attempt_id = attempt.id
    scheduler = EmbeddedScheduler(app, app.config["CELERY"]["beat_schedule"])
    assert "submit-overdue-attempts" in scheduler.schedule

    assert "submit-overdue-attempts" in scheduler.run_due(now=1000.0)
    clock.advance(minutes=6)
    assert scheduler.run_due(now=1010.0) == []  # not due again yet: every 30 seconds
    assert "submit-overdue-attempts" in scheduler.run_due(now=1031.0)

    db.session.expire_all()
    submitted = db.session.get(AssessmentAttempt, attempt_id)
    assert submitted.status == AttemptStatus.SUBMITTED and submitted.submitted_by == SubmittedBy.DEADLINE
    assert submitted.scoring_status == ScoringStatus.SCORED


def test_embedded_scheduler_starts_only_when_configured(app):
    from hirewise import create_app

    assert app.config["EMBEDDED_SCHEDULER"] is False  # tests run no background thread
    serving = create_app(
        {"TESTING": True, "EMBEDDED_SCHEDULER": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    names = [f.__name__ for f in serving.before_request_funcs.get(None, [])]
    assert "start_embedded_scheduler" in names
    celery_mode = create_app(
        {
            "TESTING": True,
            "EMBEDDED_SCHEDULER": True,
            "TASK_MODE": "celery",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
        }
    )
    assert "start_embedded_scheduler" not in [
        f.__name__ for f in celery_mode.before_request_funcs.get(None, [])
    ]


def test_archived_bank_questions_are_not_added(recruiter):
    from hirewise.questions.models import BankQuestion

    assessment = services.create_assessment(recruiter, OpeningFactory(), {"title": "Screening"})
    archived = BankQuestion(text="Old?", expected_answer="Yes.", archived=True)
    db.session.add(archived)
    db.session.commit()
    with pytest.raises(Conflict, match="archived"):
        services.add_bank_question(recruiter, assessment, archived)
    unanswered = BankQuestion(text="Why?", expected_answer="  ")
    db.session.add(unanswered)
    db.session.commit()
    with pytest.raises(Conflict, match="no expected answer"):
        services.add_bank_question(recruiter, assessment, unanswered)
    # The bank allows longer expected answers than an assessment question: the question does not fit.
    long_winded = BankQuestion(text="Explain.", expected_answer="Because. " * 700)
    db.session.add(long_winded)
    db.session.commit()
    with pytest.raises(Conflict, match="does not fit an assessment question") as refused:
        services.add_bank_question(recruiter, assessment, long_winded)
    assert "expected_answer" in refused.value.details
    assert services.get_assessment(assessment.id).questions == []
    assert services.request_rescore(recruiter, assessment, []) == 0
    assert not db.session.execute(select(AuditEvent).where(AuditEvent.action == "rescore")).first()


def test_review_page_escapes_the_candidates_code_and_output(client, auth, clock):
    recruiter = auth.login(Role.RECRUITER)
    assessment = build_assessment(recruiter, OpeningFactory(), CODE)
    attempt = attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    hostile = 'def slugify(title):\n    return "<script>alert(1)</script> & more"\n'
    attempts.save_answer(attempt, assessment.questions[0].id, {"code": hostile})
    attempts.submit_attempt(attempt)

    page = client.get(f"/assessment-attempts/{attempt.id}/review").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&#34;&lt;script&gt;alert(1)&lt;/script&gt; &amp; more&#34;" in page  # readable JSON, escaped once
    assert "\\u003c" not in page


def test_one_skill_matrix_holds_interview_ratings_and_assessment_results(client, auth, clock):
    from tests.integration.test_debrief import interviewer, make_feedback

    recruiter = auth.login(Role.RECRUITER)
    assessment = build_assessment(recruiter, OpeningFactory(), MC, CODE)
    issued = invite_one(recruiter, assessment)
    application = issued.invitation.application
    attempt = attempts.start_attempt(issued.invitation)
    answer_all(attempt)  # everything right: 4.0 on the rating scale
    attempts.submit_attempt(attempt)
    skill = application.opening.skills[0]
    make_feedback(application, interviewer("Ivy Interviewer"), {skill.name: 2})

    debrief = decisions.debrief(application)
    row = next(row for row in debrief.skills if row.skill_id == skill.id)
    assert [cell.rating for cell in row.cells] == [2]
    assert row.assessment_cells[0] is not None and row.assessment_cells[0].rating == 4.0
    assert row.score == pytest.approx(3.0)  # the interview's 2 and the assessment's 4, equally weighted

    page = client.get(f"/applications/{application.id}/debrief").get_data(as_text=True)
    assert "Ivy Interviewer" in page and "Screening" in page and "4.0 · 6/6 pts" in page


def test_options_keep_their_ids_across_edits_so_given_answers_keep_their_meaning(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), MC)
    [question] = assessment.questions
    attempt = attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    attempts.save_answer(attempt, question.id, choose(attempt, question, "a"))  # 201 Created: correct
    attempts.submit_attempt(attempt)
    [answer] = attempt.answers
    assert answer.auto_points == 2.0

    options = [
        {"text": "418 I'm a teapot"},  # a new option first
        {"text": "201 Created", "correct": True},
        {"text": "200 OK, nothing else"},  # edited in place: keeps its slot's id
        {"text": "302 Found"},
    ]
    services.update_question(recruiter, question, {"content": {**question.content, "options": options}})
    ids = {option["text"]: option["id"] for option in question.content["options"]}
    assert ids["201 Created"] == "a" and ids["302 Found"] == "c"
    assert ids["200 OK, nothing else"] == "b"
    assert ids["418 I'm a teapot"] not in {"a", "b", "c"}

    services.request_rescore(recruiter, assessment)
    assert answer.auto_points == 2.0 and answer.rubric_version == 2


def test_odd_numbers_are_field_errors_not_crashes(recruiter):
    opening = OpeningFactory()
    for value in ("--5", "²", "9" * 5000, "1e3", " 12 x"):
        with pytest.raises(ValidationFailed) as caught:
            services.create_assessment(recruiter, opening, {"title": "T", "time_limit_minutes": value})
        assert "time_limit_minutes" in caught.value.details


def test_every_answer_row_exists_from_the_start_and_archived_assessments_do_not_start(recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), MC, FREE_TEXT)
    attempt = attempts.start_attempt(invite_one(recruiter, assessment).invitation)
    assert sorted(a.question_id for a in attempt.answers) == sorted(q.id for q in assessment.questions)
    assert not any(answer.is_answered for answer in attempt.answers)
    attempts.save_answer(attempt, assessment.questions[1].id, {"text": "   "})
    assert not any(answer.is_answered for answer in attempt.answers), "blank text is no answer"
    attempts.save_answer(attempt, assessment.questions[0].id, choose(attempt, assessment.questions[0], "b"))
    assert [a.question_id for a in attempt.answers if a.is_answered] == [assessment.questions[0].id]

    pending = invite_one(recruiter, assessment)
    services.update_assessment(recruiter, assessment, {"status": "archived"})
    with pytest.raises(attempts.AssessmentClosed, match="no longer open"):
        attempts.start_attempt(pending.invitation)
