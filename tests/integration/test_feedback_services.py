"""Feedback use cases: drafts, submitting, versions after submit, snapshots, and who reads what."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role, User
from hirewise.candidates.models import Application
from hirewise.errors import Conflict, PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.feedback import services
from hirewise.feedback.models import Feedback, FeedbackRevision, FeedbackStatus
from hirewise.interviews.models import Interview
from hirewise.openings.models import FeedbackVisibility, Opening
from hirewise.security import can_view_feedback
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory
from tests.integration.test_interview_services import add_questions, schedule


@dataclass
class Setup:
    opening: Opening
    application: Application
    manager: User
    recruiter: User
    first: User
    second: User
    first_interview: Interview
    second_interview: Interview


def interview_with_kit(recruiter: User, application: Application, interviewers: list[User]) -> Interview:
    interview = schedule(recruiter, application, interviewers)
    interview.focus_skill_ids = [skill.id for skill in application.opening.skills]
    interview.question_ids = [question.id for question in application.opening.questions]
    db.session.commit()
    return interview


def build_setup() -> Setup:
    """One application with two interviews, each with its own interviewer."""
    manager = UserFactory(role=Role.HIRING_MANAGER)
    opening = OpeningFactory(team=[manager])
    add_questions(opening)
    application = ApplicationFactory(opening=opening)
    recruiter = UserFactory(role=Role.RECRUITER)
    first = UserFactory(role=Role.INTERVIEWER)
    second = UserFactory(role=Role.INTERVIEWER)
    return Setup(
        opening=opening,
        application=application,
        manager=manager,
        recruiter=recruiter,
        first=first,
        second=second,
        first_interview=interview_with_kit(recruiter, application, [first]),
        second_interview=interview_with_kit(recruiter, application, [second]),
    )


@pytest.fixture
def setup() -> Setup:
    return build_setup()


def complete(feedback: Feedback, **overrides: Any) -> dict[str, Any]:
    """Valid scorecard fields for ``feedback``: every skill rated "Yes", the first key point covered."""
    values: dict[str, Any] = {
        "ratings": {r.skill_id: 3 for r in feedback.ratings},
        "answers": {
            a.question_id: {"notes": "Solid answer.", "covered_key_points": [0]} for a in feedback.answers
        },
        "recommendation": "yes",
        "summary": "Good candidate.",
    }
    values.update(overrides)
    return values


def submitted(user: User, interview: Interview, **overrides: Any) -> Feedback:
    feedback = services.get_or_start_feedback(user, interview)
    return services.submit_feedback(user, feedback, **complete(feedback, **overrides))


def test_starting_copies_the_kit_and_is_idempotent(setup):
    feedback = services.get_or_start_feedback(setup.first, setup.first_interview)
    assert feedback.status == FeedbackStatus.DRAFT
    assert [r.skill_name for r in feedback.ratings] == ["Flask core", "Docker"]
    assert [r.rating for r in feedback.ratings] == [None, None]
    assert [a.question_snapshot["text"] for a in feedback.answers] == [
        "Tell me about a hard bug you fixed.",
        "How do Flask blueprints work?",
    ]
    assert feedback.answers[1].question_snapshot["key_points"][0]["label"] == "Registration"
    again = services.get_or_start_feedback(setup.first, setup.first_interview)
    assert again.id == feedback.id
    assert db.session.execute(select(Feedback)).scalars().all() == [feedback]


def test_only_the_interviews_interviewers_start_feedback(setup):
    for outsider in (setup.second, setup.recruiter, setup.manager):
        with pytest.raises(PermissionDenied):
            services.get_or_start_feedback(outsider, setup.first_interview)


def test_draft_saves_ratings_notes_and_checklist(setup):
    feedback = services.get_or_start_feedback(setup.first, setup.first_interview)
    flask_id = feedback.ratings[0].skill_id
    question_id = feedback.answers[1].question_id
    services.save_draft(
        setup.first,
        feedback,
        ratings={str(flask_id): 4},  # a JSON key is text: the id as digits is the id
        answers={question_id: {"notes": "Knew url_prefix", "covered_key_points": [0]}},
        recommendation=None,
        summary="So far so good",
    )
    db.session.expire_all()
    stored = db.session.get(Feedback, feedback.id)
    assert stored is not None and stored.status == FeedbackStatus.DRAFT
    assert stored.ratings[0].rating == 4 and stored.ratings[1].rating is None
    assert stored.answers[1].notes == "Knew url_prefix"
    assert stored.answers[1].covered_key_points == [0]
    assert stored.summary == "So far so good"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ratings": {"SKILL": 5}}, "ratings"),
        ({"ratings": {"SKILL": 0}}, "ratings"),
        ({"ratings": {"SKILL": "x"}}, "ratings"),
        ({"ratings": {"SKILL": "4"}}, "ratings"),  # typed values only: the form types what it reads
        ({"ratings": {"SKILL": True}}, "ratings"),
        ({"ratings": {"not an id": 2}}, "ratings"),
        ({"ratings": {999999: 2}}, "ratings"),
        ({"answers": {"QUESTION": {"covered_key_points": [1]}}}, "answers"),
        ({"answers": {"QUESTION": {"covered_key_points": [-1]}}}, "answers"),
        ({"answers": {999999: {"notes": "x"}}}, "answers"),
        ({"answers": {"QUESTION": {"covered_key_points": ["0"]}}}, "answers"),
        ({"answers": {"QUESTION": {"notes": 5}}}, "answers"),
        ({"answers": {"QUESTION": "not an object"}}, "answers"),
        ({"summary": "x" * 20_001}, "summary"),
        ({"recommendation": "maybe"}, "recommendation"),
    ],
)
def test_invalid_drafts_are_refused_and_change_nothing(setup, fields, field):
    feedback = services.get_or_start_feedback(setup.first, setup.first_interview)
    skill_id, question_id = feedback.ratings[0].skill_id, feedback.answers[1].question_id
    swap = {"SKILL": skill_id, "QUESTION": question_id}
    fixed = {
        k: ({swap.get(key, key): val for key, val in v.items()} if isinstance(v, dict) else v)
        for k, v in fields.items()
    }
    with pytest.raises(ValidationFailed) as error:
        services.save_draft(setup.first, feedback, **fixed)
    assert field in error.value.details
    db.session.expire_all()
    stored = db.session.get(Feedback, feedback.id)
    assert stored is not None and stored.recommendation is None
    assert all(r.rating is None for r in stored.ratings)


def test_nobody_else_saves_your_draft(setup):
    feedback = services.get_or_start_feedback(setup.first, setup.first_interview)
    with pytest.raises(PermissionDenied):
        services.save_draft(setup.second, feedback, summary="mine now")


def test_submit_needs_a_recommendation_and_a_rating(setup):
    feedback = services.get_or_start_feedback(setup.first, setup.first_interview)
    with pytest.raises(ValidationFailed) as error:
        services.submit_feedback(setup.first, feedback, summary="no ratings")
    assert set(error.value.details) == {"recommendation", "ratings"}
    assert db.session.get(Feedback, feedback.id).status == FeedbackStatus.DRAFT


def test_submit_locks_writes_version_one_and_audits(setup):
    feedback = submitted(setup.first, setup.first_interview)
    assert feedback.status == FeedbackStatus.SUBMITTED and feedback.submitted_at is not None
    assert [(r.version, r.snapshot["recommendation"]) for r in feedback.revisions] == [(1, "yes")]
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "feedback", AuditEvent.action == "submit")
    ).scalar_one()
    assert event.candidate_id == setup.application.candidate_id
    assert event.opening_id == setup.opening.id
    with pytest.raises(Conflict):
        services.save_draft(setup.first, feedback, summary="sneaky change")
    with pytest.raises(Conflict):
        services.submit_feedback(setup.first, feedback, **complete(feedback))


def test_edit_after_submit_is_a_new_version_and_keeps_the_old_one(setup):
    feedback = submitted(setup.first, setup.first_interview)
    services.edit_submitted(
        setup.first, feedback, **complete(feedback, recommendation="strong_yes", summary="Better")
    )
    db.session.expire_all()
    stored = db.session.get(Feedback, feedback.id)
    assert stored is not None and stored.version == 2 and stored.summary == "Better"
    revisions = (
        db.session.execute(
            select(FeedbackRevision)
            .where(FeedbackRevision.feedback_id == feedback.id)
            .order_by(FeedbackRevision.version)
        )
        .scalars()
        .all()
    )
    assert [(r.version, r.snapshot["recommendation"], r.snapshot["summary"]) for r in revisions] == [
        (1, "yes", "Good candidate."),
        (2, "strong_yes", "Better"),
    ]
    update = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "feedback", AuditEvent.action == "update")
    ).scalar_one()
    assert update.before["summary"] == "Good candidate." and update.after["summary"] == "Better"
    with pytest.raises(ValidationFailed):
        services.edit_submitted(setup.first, stored, **complete(stored, recommendation=None))


def test_editing_a_question_later_leaves_the_feedback_snapshot_alone(setup):
    feedback = submitted(setup.first, setup.first_interview)
    question = setup.opening.questions[1]
    question.text = "Rewritten question"
    question.key_points = []
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Feedback, feedback.id)
    assert stored is not None
    assert stored.answers[1].question_snapshot["text"] == "How do Flask blueprints work?"
    assert stored.answers[1].covered_key_points == [0]
    assert stored.revisions[0].snapshot["answers"][1]["question"] == "How do Flask blueprints work?"


def test_pending_feedback_lists_ended_interviews_until_submitted(setup):
    from datetime import timedelta

    later = setup.first_interview.starts_at + timedelta(hours=2)
    assert [i.id for i in services.pending_feedback(setup.first, now=later)] == [setup.first_interview.id]
    assert services.pending_feedback(setup.first, now=setup.first_interview.starts_at) == []
    submitted(setup.first, setup.first_interview)
    assert services.pending_feedback(setup.first, now=later) == []


# --- visibility: one matrix for the predicate and the SQL filter ---------------------------------

VIEWERS = ["own", "other_before", "other_after", "recruiter", "admin", "manager_on_team", "manager_off_team"]
EXPECTED = {
    FeedbackVisibility.NEVER: {"own", "recruiter", "admin", "manager_on_team"},
    FeedbackVisibility.AFTER_SUBMIT: {"own", "other_after", "recruiter", "admin", "manager_on_team"},
    FeedbackVisibility.ALWAYS: {
        "own",
        "other_before",
        "other_after",
        "recruiter",
        "admin",
        "manager_on_team",
    },
}


def viewer_for(setup: Setup, name: str) -> User:
    """The viewer of the first interviewer's submitted feedback; ``other_after`` submits their own first."""
    if name == "own":
        return setup.first
    if name in ("other_before", "other_after"):
        if name == "other_after":
            submitted(setup.second, setup.second_interview)
        else:
            services.get_or_start_feedback(setup.second, setup.second_interview)  # a draft is not enough
        return setup.second
    roles = {"recruiter": Role.RECRUITER, "admin": Role.ADMIN}
    if name in roles:
        return UserFactory(role=roles[name])
    if name == "manager_on_team":
        return setup.manager
    return UserFactory(role=Role.HIRING_MANAGER)


def matrix() -> list[tuple[FeedbackVisibility, str, bool]]:
    return [(v, name, name in EXPECTED[v]) for v in FeedbackVisibility for name in VIEWERS]


@pytest.mark.parametrize(("visibility", "viewer_name", "allowed"), matrix())
def test_visibility_matrix_in_services(setup, visibility, viewer_name, allowed):
    setup.opening.feedback_visibility = visibility
    db.session.commit()
    feedback = submitted(setup.first, setup.first_interview)
    viewer = viewer_for(setup, viewer_name)
    assert can_view_feedback(viewer, feedback) is allowed
    listed = [f.id for f in services.feedback_for_application(viewer, setup.application)]
    assert (feedback.id in listed) is allowed


def test_drafts_of_others_are_never_visible(setup):
    setup.opening.feedback_visibility = FeedbackVisibility.ALWAYS
    db.session.commit()
    draft = services.get_or_start_feedback(setup.first, setup.first_interview)
    admin = UserFactory(role=Role.ADMIN)
    for viewer in (setup.second, setup.recruiter, setup.manager, admin):
        assert not can_view_feedback(viewer, draft)
        assert services.feedback_for_application(viewer, setup.application) == []
    assert can_view_feedback(setup.first, draft)
    assert [f.id for f in services.feedback_for_application(setup.first, setup.application)] == [draft.id]
