"""The use cases of applications: applying, adding people by hand, moves, rejections, notes, email."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role
from hirewise.candidates import queries, services
from hirewise.candidates.documents import ResumeUpload
from hirewise.candidates.models import (
    Application,
    ApplicationSource,
    Candidate,
    Document,
    Note,
    ResumeStatus,
    StageMove,
)
from hirewise.errors import Conflict, PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.mail.models import OutboxMessage
from hirewise.openings.models import OpeningStatus
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    OpeningFactory,
    UserFactory,
    without_must_haves,
)
from tests.unit.test_resume_extraction import make_pdf


def apply(opening, **overrides):
    fields = {
        "full_name": "Ada Lovelace",
        "email": "Ada@Example.com",
        "consent": True,
        "links": ["https://github.com/ada"],
        "cover_letter": "Hello",
    }
    fields.update(overrides)
    return services.submit_application(opening, **fields)


def stage(opening, name):
    return next(s for s in opening.stages if s.name == name)


def test_submit_application_creates_everything_and_reads_the_resume():
    opening = OpeningFactory()
    pdf = make_pdf()
    application = apply(opening, resume=ResumeUpload("Ada CV.pdf", pdf))
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.candidate.email == "ada@example.com"
    assert application.candidate.consent_at is not None
    assert application.stage.name == "Applied"
    assert application.source == ApplicationSource.CAREERS
    moves = application.stage_moves
    assert len(moves) == 1 and moves[0].from_stage_id is None and moves[0].to_stage_id == application.stage_id
    document = application.resume
    assert document.filename == "Ada CV.pdf"
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    assert document.size == len(pdf)
    # Inline task mode: extraction ran right after the commit.
    assert application.resume_status == ResumeStatus.EXTRACTED
    assert "Flask services with blueprints" in application.resume_text
    assert {s["skill"] for s in application.detected_skills} == {"Flask core", "Docker"}
    email = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.candidate_id == application.candidate_id)
    ).scalar_one()
    assert email.template_key == "application_received"
    assert opening.title in email.subject
    assert "Ada Lovelace" in email.body
    events = db.session.execute(
        select(AuditEvent.action).where(AuditEvent.candidate_id == application.candidate_id)
    ).scalars()
    assert {"create"} <= set(events)


def test_submit_without_resume_has_no_resume_status():
    application = apply(OpeningFactory())
    assert application.resume_status == ResumeStatus.NONE
    assert application.resume is None


def test_same_email_twice_to_one_opening_is_a_conflict_but_another_opening_reuses_the_candidate():
    opening = OpeningFactory()
    first = apply(opening)
    with pytest.raises(Conflict, match=r"You have already applied to this opening with this email address\."):
        apply(opening, email=" ADA@example.com ", full_name="Someone Else")
    second = apply(OpeningFactory(), phone="+44 1", links=["https://ada.dev"])
    assert second.candidate_id == first.candidate_id
    db.session.expire_all()
    candidate = db.session.get(Candidate, first.candidate_id)
    assert candidate.full_name == "Ada Lovelace"
    assert candidate.phone == "+44 1"
    assert candidate.links == ["https://github.com/ada", "https://ada.dev"]
    assert db.session.execute(select(func.count(Candidate.id))).scalar_one() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"full_name": "   "}, "full_name"),
        ({"full_name": "x" * 201}, "full_name"),
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"consent": False}, "consent"),
        ({"links": ["javascript:alert(1)"]}, "links"),
        ({"links": ["ftp://example.com/cv"]}, "links"),
        ({"links": [f"https://e.com/{i}" for i in range(11)]}, "links"),
        ({"phone": "<script>"}, "phone"),
        ({"cover_letter": "x" * 20_001}, "cover_letter"),
    ],
)
def test_submit_application_validation(overrides, field):
    with pytest.raises(ValidationFailed) as caught:
        apply(OpeningFactory(), **overrides)
    assert field in caught.value.details
    assert db.session.execute(select(func.count(Application.id))).scalar_one() == 0


def test_consent_is_only_required_on_the_careers_page():
    application = apply(OpeningFactory(), consent=False, source=ApplicationSource.API)
    assert application.candidate.consent_at is None


def test_closed_opening_refuses_careers_applications():
    with pytest.raises(Conflict, match="not accepting"):
        apply(OpeningFactory(status=OpeningStatus.CLOSED))


def test_bad_resume_refuses_the_whole_application():
    with pytest.raises(ValidationFailed, match="Upload a PDF or Word"):
        apply(OpeningFactory(), resume=ResumeUpload("cv.pdf", b"GIF89a"))
    assert db.session.execute(select(func.count(Candidate.id))).scalar_one() == 0


def test_create_candidate_with_opening_and_add_application():
    recruiter = UserFactory(role=Role.RECRUITER)
    opening, other = OpeningFactory(), OpeningFactory()
    candidate = services.create_candidate(
        recruiter,
        full_name="Grace Hopper",
        email="grace@example.com",
        opening=opening,
        source=ApplicationSource.REFERRAL,
        resume=ResumeUpload("grace.pdf", make_pdf()),
    )
    [application] = candidate.applications
    assert application.source == ApplicationSource.REFERRAL
    assert application.resume_status == ResumeStatus.EXTRACTED
    with pytest.raises(Conflict, match="already exists"):
        services.create_candidate(recruiter, full_name="G", email="GRACE@example.com")
    added = services.add_application(recruiter, candidate, other)
    assert added.source == ApplicationSource.SOURCED
    with pytest.raises(Conflict, match="already in the pipeline"):
        services.add_application(recruiter, candidate, other)
    # Nobody was emailed: the team added these people themselves.
    assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 0


def test_hiring_managers_cannot_create_candidates():
    manager = UserFactory(role=Role.HIRING_MANAGER)
    with pytest.raises(PermissionDenied):
        services.create_candidate(manager, full_name="X", email="x@example.com")


def test_update_candidate_records_only_changes():
    recruiter = UserFactory(role=Role.RECRUITER)
    candidate = CandidateFactory(full_name="Old Name")
    CandidateFactory(email="taken@example.com")
    services.update_candidate(
        recruiter, candidate, full_name="New Name", email=candidate.email, phone=candidate.phone
    )
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "candidate", AuditEvent.action == "update")
    ).scalar_one()
    assert event.before == {"full_name": "Old Name"} and event.after == {"full_name": "New Name"}
    with pytest.raises(Conflict):
        services.update_candidate(recruiter, candidate, full_name="N", email="taken@example.com")


def test_move_records_stage_move_audit_and_time():
    recruiter = UserFactory(role=Role.RECRUITER)
    application = ApplicationFactory(opening=without_must_haves(OpeningFactory()))
    entered = application.stage_entered_at
    screen = stage(application.opening, "Screen")
    services.move_application(recruiter, application, screen.id)
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.stage_id == screen.id
    assert application.stage_entered_at >= entered
    move = db.session.execute(
        select(StageMove).where(StageMove.application_id == application.id)
    ).scalar_one()
    assert move.to_stage_id == screen.id and move.moved_by_id == recruiter.id
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "move")).scalar_one()
    assert event.candidate_id == application.candidate_id
    assert event.opening_id == application.opening_id
    assert event.before == {"stage": "Applied"} and event.after == {"stage": "Screen"}
    # Moving to the stage it is already in changes nothing.
    services.move_application(recruiter, application, screen.id)
    assert db.session.execute(select(func.count(StageMove.id))).scalar_one() == 1


def test_move_refuses_a_stage_of_another_opening():
    recruiter = UserFactory(role=Role.RECRUITER)
    application = ApplicationFactory()
    foreign = OpeningFactory().stages[1]
    with pytest.raises(ValidationFailed, match="does not belong"):
        services.move_application(recruiter, application, foreign.id)


def test_moving_to_rejected_needs_a_reason_and_can_notify():
    recruiter = UserFactory(role=Role.RECRUITER)
    application = ApplicationFactory()
    rejected = stage(application.opening, "Rejected")
    with pytest.raises(ValidationFailed, match="reason"):
        services.move_application(recruiter, application, rejected.id)
    services.move_application(recruiter, application, rejected.id, "Not enough Flask")
    assert application.rejection_reason == "Not enough Flask"
    assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 0
    other = ApplicationFactory(opening=application.opening)
    services.reject_application(recruiter, other, "Position filled", notify=True)
    email = db.session.execute(select(OutboxMessage)).scalar_one()
    assert email.template_key == "rejection" and email.to_email == other.candidate.email
    # Moving back out of Rejected clears the reason.
    services.move_application(recruiter, other, stage(other.opening, "Applied").id)
    assert other.rejection_reason == ""


def test_bulk_move_and_reject_are_all_or_nothing():
    recruiter = UserFactory(role=Role.RECRUITER)
    opening = OpeningFactory()
    applications = [ApplicationFactory(opening=opening) for _ in range(3)]
    ids = [a.id for a in applications]
    moved = services.bulk_move(
        recruiter, ids, stage(opening, "Interview").id, reason="Strong résumés", confirm_gate=True
    )
    assert {a.stage.name for a in moved} == {"Interview"}
    assert db.session.execute(select(func.count(StageMove.id))).scalar_one() == 3
    with pytest.raises(ValidationFailed, match="Reject"):
        services.bulk_move(recruiter, ids, stage(opening, "Rejected").id)
    foreign = ApplicationFactory()
    with pytest.raises(ValidationFailed, match="does not belong"):
        services.bulk_move(recruiter, [*ids, foreign.id], stage(opening, "Offer").id)
    db.session.expire_all()
    assert {db.session.get(Application, i).stage.name for i in ids} == {"Interview"}
    with pytest.raises(ValidationFailed, match="reason"):
        services.bulk_reject(recruiter, ids, "  ")
    services.bulk_reject(recruiter, ids, "Opening filled", notify=True)
    db.session.expire_all()
    assert {db.session.get(Application, i).stage.name for i in ids} == {"Rejected"}
    assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 3


def test_bulk_checks_permission_on_every_application():
    manager = UserFactory(role=Role.HIRING_MANAGER)
    mine = ApplicationFactory(opening=OpeningFactory(team=[manager]))
    theirs = ApplicationFactory()
    with pytest.raises(PermissionDenied):
        services.bulk_move(manager, [mine.id, theirs.id], stage(mine.opening, "Screen").id)
    db.session.expire_all()
    assert db.session.get(Application, mine.id).stage.name == "Applied"
    with pytest.raises(ValidationFailed):
        services.bulk_move(manager, [], 1)


def test_notes_and_email_candidate():
    recruiter = UserFactory(role=Role.RECRUITER)
    application = ApplicationFactory()
    candidate = application.candidate
    services.add_note(recruiter, candidate, "Strong on SQLAlchemy", application.id)
    services.add_note(recruiter, candidate, "General note")
    with pytest.raises(ValidationFailed):
        services.add_note(recruiter, candidate, "   ")
    with pytest.raises(ValidationFailed):
        services.add_note(recruiter, candidate, "x", ApplicationFactory().id)
    assert [n.body for n in queries.notes_for(recruiter, candidate, application.id)] == [
        "Strong on SQLAlchemy"
    ]
    assert db.session.execute(select(func.count(Note.id))).scalar_one() == 2
    message = services.email_candidate(recruiter, candidate, "Interview", "Does Tuesday suit you?")
    assert message.subject == "Interview"
    assert "Does Tuesday suit you?" in message.body
    timeline = queries.candidate_timeline(recruiter, candidate)
    summaries = [entry.summary for entry in timeline]
    assert sum("Email “Interview”" in s for s in summaries) == 1  # from the outbox, not twice
    assert any("added a note" in s for s in summaries)


def test_replace_resume_swaps_the_document():
    recruiter = UserFactory(role=Role.RECRUITER)
    application = apply(OpeningFactory(), resume=ResumeUpload("a.pdf", make_pdf(["Only Docker"])))
    assert [s["skill"] for s in application.detected_skills] == ["Docker"]
    services.replace_resume(recruiter, application, ResumeUpload("b.pdf", make_pdf(["Only Flask"])))
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.resume.filename == "b.pdf"
    assert [s["skill"] for s in application.detected_skills] == ["Flask core"]
    assert db.session.execute(select(func.count(Document.id))).scalar_one() == 1


def test_hiring_manager_timeline_hides_other_openings():
    """A hiring manager sees the history of their own opening's application, never another team's."""
    manager = UserFactory(role=Role.HIRING_MANAGER)
    recruiter = UserFactory(role=Role.RECRUITER)
    mine = ApplicationFactory(opening=without_must_haves(OpeningFactory(team=[manager])))
    theirs = ApplicationFactory(candidate=mine.candidate, opening=OpeningFactory(title="Secret opening"))
    services.reject_application(recruiter, theirs, "Confidential salary reason XYZ", notify=True)
    services.move_application(recruiter, mine, stage(mine.opening, "Screen").id)

    manager_view = " ".join(
        e.summary + str(e.after) for e in queries.candidate_timeline(manager, mine.candidate)
    )
    recruiter_view = " ".join(
        e.summary + str(e.after) for e in queries.candidate_timeline(recruiter, mine.candidate)
    )
    assert "Screen" in manager_view
    assert "Confidential salary reason XYZ" not in manager_view
    assert "Secret opening" not in manager_view
    assert "Confidential salary reason XYZ" in recruiter_view


def test_hiring_manager_notes_only_on_their_applications_and_never_edits_contact_details():
    manager = UserFactory(role=Role.HIRING_MANAGER)
    mine = ApplicationFactory(opening=OpeningFactory(team=[manager]))
    candidate = mine.candidate
    note = services.add_note(manager, candidate, "Good systems thinking", mine.id)
    assert note.application_id == mine.id
    with pytest.raises(PermissionDenied):
        services.add_note(manager, candidate, "General remark")
    with pytest.raises(PermissionDenied):
        services.update_candidate(manager, candidate, full_name="X", email="redirected@example.com")
    with pytest.raises(PermissionDenied):
        services.email_candidate(manager, candidate, "Hi", "Hello")
