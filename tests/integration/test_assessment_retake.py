"""No accidental second attempt: inviting a candidate who has submitted is refused unless it is a retake.

A retake needs a reason; it is audit-logged and recorded on the invitation, and the review page
lists every attempt of the candidate with its score.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from hirewise.assessments import attempts, services
from hirewise.assessments.models import Assessment, AssessmentAttempt, AssessmentInvitation
from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role
from hirewise.candidates.models import Application
from hirewise.errors import Conflict, ValidationFailed
from hirewise.extensions import db
from tests.assessment_samples import FREE_TEXT, MC
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory
from tests.integration.test_assessment_attempts import build_assessment

REASON = "The first sitting was cut short by a power cut; agreed on the phone."


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _flashes(client: Any) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


@pytest.fixture
def recruiter():
    return UserFactory(role=Role.RECRUITER)


@pytest.fixture
def assessment(recruiter) -> Assessment:
    return build_assessment(recruiter, OpeningFactory(), MC)


def take(recruiter, assessment: Assessment, application: Application, *, correct: bool = True, **invite: Any):
    """Invite (``invite``: retake options), start, answer the one MC question and submit; scored inline."""
    [issued] = services.invite(recruiter, assessment, [application], **invite)
    attempt = attempts.start_attempt(issued.invitation)
    [question] = assessment.questions
    real = next(o["id"] for o in question.content["options"] if o["correct"] is correct)
    shown = attempts.shown_response(attempt, question, {"selected": [real]})
    attempts.save_answer(attempt, question.id, shown)
    attempts.submit_attempt(attempt)
    return attempt


# --- the rule, in the use case ------------------------------------------------------------------------


def test_inviting_again_after_a_submitted_attempt_is_refused_naming_it(recruiter, assessment):
    application = ApplicationFactory(opening=assessment.opening)
    earlier = take(recruiter, assessment, application)
    assert earlier.scoring_status == "scored"
    with pytest.raises(Conflict) as refused:
        services.invite(recruiter, assessment, [application])
    message = refused.value.message
    assert refused.value.status == 409
    assert application.candidate.full_name in message
    assert f"attempt #{earlier.id}" in message
    assert earlier.submitted_at.strftime("%d %B %Y") in message
    assert "2/2 points (100%)" in message
    assert "retake" in message.lower()
    count = select(AssessmentInvitation).where(AssessmentInvitation.application_id == application.id)
    assert len(db.session.execute(count).scalars().all()) == 1, "nothing was issued"


def test_an_unscored_earlier_attempt_is_named_as_such(recruiter):
    assessment = build_assessment(recruiter, OpeningFactory(), FREE_TEXT)
    application = ApplicationFactory(opening=assessment.opening)
    [issued] = services.invite(recruiter, assessment, [application])
    attempt = attempts.start_attempt(issued.invitation)
    attempts.submit_attempt(attempt)
    attempt.scoring_status = "pending"
    db.session.commit()
    with pytest.raises(Conflict, match="not scored yet"):
        services.invite(recruiter, assessment, [application])


def test_a_retake_needs_a_reason_and_is_recorded_and_audited(recruiter, assessment):
    application = ApplicationFactory(opening=assessment.opening)
    earlier = take(recruiter, assessment, application, correct=False)
    for blank in (None, "", "   "):
        with pytest.raises(ValidationFailed) as caught:
            services.invite(recruiter, assessment, [application], retake=True, retake_reason=blank)
        assert "retake_reason" in caught.value.details

    [issued] = services.invite(
        recruiter, assessment, [application], retake=True, retake_reason=f"  {REASON} "
    )
    invitation = issued.invitation
    assert invitation.retake_reason == REASON
    assert invitation.retake_of_id == earlier.invitation_id
    [event] = db.session.execute(select(AuditEvent).where(AuditEvent.action == "retake")).scalars().all()
    assert event.object_type == "assessment_invitation" and event.object_id == invitation.id
    assert REASON in event.summary and f"#{earlier.id}" in event.summary
    assert event.actor_id == recruiter.id

    second = take_existing(invitation)
    assert second.id != earlier.id
    assert [a.id for a in services.application_attempts(application)] == [earlier.id, second.id]


def take_existing(invitation: AssessmentInvitation) -> AssessmentAttempt:
    attempt = attempts.start_attempt(invitation)
    attempts.submit_attempt(attempt)
    return attempt


def test_a_retake_flag_does_not_bypass_an_open_invitation(recruiter, assessment):
    application = ApplicationFactory(opening=assessment.opening)
    services.invite(recruiter, assessment, [application])
    with pytest.raises(Conflict, match="already has an open invitation"):
        services.invite(recruiter, assessment, [application], retake=True, retake_reason=REASON)


def test_a_bulk_invitation_names_every_refused_application(recruiter, assessment):
    taken = [ApplicationFactory(opening=assessment.opening) for _ in range(2)]
    for application in taken:
        take(recruiter, assessment, application)
    fresh = ApplicationFactory(opening=assessment.opening)
    with pytest.raises(Conflict) as refused:
        services.invite(recruiter, assessment, [fresh, *taken])
    listed = refused.value.details["applications"]
    for application in taken:
        assert any(application.candidate.full_name in line and "attempt #" in line for line in listed)
    assert services.open_invitation(assessment, fresh) is None, "all or nothing"
    # Leaving out the assessed ones (a board column) invites the rest and says why the others were left out.
    issued = services.invite(recruiter, assessment, [fresh, *taken], skip_invited=True)
    assert [item.invitation.application_id for item in issued] == [fresh.id]
    reason = services.invitation_refusal(assessment, taken[0])
    assert reason is not None and "attempt #" in reason


def test_a_different_assessment_of_the_same_opening_is_no_retake(recruiter, assessment):
    application = ApplicationFactory(opening=assessment.opening)
    take(recruiter, assessment, application)
    other = services.create_assessment(recruiter, assessment.opening, {"title": "Second round"})
    services.add_question(recruiter, other, FREE_TEXT)
    [issued] = services.invite(recruiter, other, [application])
    assert issued.invitation.retake_of_id is None and issued.invitation.retake_reason == ""


# --- the UI ---------------------------------------------------------------------------------------------


def test_the_application_page_refuses_a_second_invitation_and_offers_a_retake(
    client, auth, recruiter, assessment
):
    application = ApplicationFactory(opening=assessment.opening)
    earlier = take(recruiter, assessment, application)
    auth.login(recruiter)
    url = f"/applications/{application.id}/assessment-invitations"
    refused = client.post(url, data={"assessment_id": str(assessment.id)})
    assert refused.status_code == 302
    errors = [m for c, m in _flashes(client) if c == "error"]
    assert any(f"attempt #{earlier.id}" in m and "2/2 points" in m for m in errors), errors
    page = _text(client.get(f"/applications/{application.id}"))
    assert 'name="retake"' in page and 'name="retake_reason"' in page

    no_reason = client.post(
        url, data={"assessment_id": str(assessment.id), "retake": "y", "retake_reason": ""}
    )
    assert no_reason.status_code == 302
    assert any("reason" in m.lower() for c, m in _flashes(client) if c == "error")
    retake = client.post(
        url, data={"assessment_id": str(assessment.id), "retake": "y", "retake_reason": REASON}
    )
    assert retake.status_code == 302
    assert any(c == "link" for c, _ in _flashes(client))
    invitation = db.session.execute(
        select(AssessmentInvitation).where(AssessmentInvitation.retake_reason == REASON)
    ).scalar_one()
    assert invitation.application_id == application.id
    page = _text(client.get(f"/applications/{application.id}"))
    assert "Retake" in page and REASON in page


def test_ticked_rows_are_refused_clearly_and_can_be_a_retake(client, auth, recruiter, assessment):
    taken = ApplicationFactory(opening=assessment.opening)
    take(recruiter, assessment, taken)
    fresh = ApplicationFactory(opening=assessment.opening)
    auth.login(recruiter)
    listing = _text(client.get(f"/openings/{assessment.opening_id}/applications"))
    assert 'name="retake"' in listing and 'name="retake_reason"' in listing
    ids = [str(taken.id), str(fresh.id)]
    refused = client.post(f"/assessments/{assessment.id}/invite", data={"application_ids": ids})
    assert refused.status_code == 302
    errors = [m for c, m in _flashes(client) if c == "error"]
    assert any(taken.candidate.full_name in m and "attempt #" in m for m in errors), errors
    assert services.open_invitation(assessment, fresh) is None

    both = client.post(
        f"/assessments/{assessment.id}/invite",
        data={"application_ids": ids, "retake": "y", "retake_reason": REASON},
    )
    assert both.status_code == 302
    assert services.open_invitation(assessment, fresh) is not None
    retake = services.open_invitation(assessment, taken)
    assert retake is not None and retake.retake_reason == REASON


def test_the_board_column_leaves_out_the_assessed_and_names_them(client, auth, recruiter, assessment):
    opening = assessment.opening
    stage = opening.stages[0]
    taken = ApplicationFactory(opening=opening, stage=stage)
    take(recruiter, assessment, taken)
    fresh = ApplicationFactory(opening=opening, stage=stage)
    auth.login(recruiter)
    response = client.post(
        f"/assessments/{assessment.id}/invite",
        data={"application_ids": [str(taken.id), str(fresh.id)], "skip_invited": "1"},
    )
    assert response.status_code == 302
    infos = [m for c, m in _flashes(client) if c == "info"]
    assert any(taken.candidate.full_name in m and "attempt #" in m for m in infos), infos
    assert services.open_invitation(assessment, fresh) is not None
    assert services.open_invitation(assessment, taken) is None


def test_review_lists_every_attempt_of_the_candidate_with_scores(client, auth, recruiter, assessment):
    application = ApplicationFactory(opening=assessment.opening)
    first = take(recruiter, assessment, application, correct=False)
    second = take(recruiter, assessment, application, retake=True, retake_reason=REASON)
    other = services.create_assessment(recruiter, assessment.opening, {"title": "Second round"})
    services.add_question(recruiter, other, MC)
    third = take(recruiter, other, application)
    someone_else = take(recruiter, assessment, ApplicationFactory(opening=assessment.opening))

    auth.login(recruiter)
    page = _text(client.get(f"/assessment-attempts/{first.id}/review"))
    section = page[page.index('id="all-attempts"') :]
    section = section[: section.index("</section>")]
    for attempt in (first, second, third):
        assert f"/assessment-attempts/{attempt.id}/review" in section or f"#{attempt.id}" in section
    assert f"/assessment-attempts/{someone_else.id}/review" not in section
    assert "0 / 2" in section and "2 / 2" in section
    assert "Retake" in section and REASON in section
    assert "Second round" in section
    assert re.search(r'aria-current="page"[^>]*>\s*#' + str(first.id), section) or "this attempt" in section
