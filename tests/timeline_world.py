"""One candidate's history with every kind of event, for the visibility tests of timelines and the audit log.

An application of an opening (hiring team: ``manager``) is interviewed by three interviewers, each on
their own interview: ``peer`` has submitted feedback, ``drafter`` has a draft, ``submitter`` has
submitted; a fourth interview has ``panelist`` on its panel, a hiring manager who is not on the
opening's team. A recruiter wrote a note on the application and a general note on the candidate,
emailed the candidate and moved the application with a reason; the candidate took an assessment
whose free-text answer the recruiter overrode; the hiring manager recorded a decision, whose reason
became the reason of the stage move it made. The candidate also applied to another opening (hiring
team: ``manager_other``); the recruiter sent an email about that application and rejected it. Every kind of
event carries a distinctive text (the constants below), so a test can tell whether a surface shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hirewise.assessments import attempts
from hirewise.assessments import services as assessments
from hirewise.assessments.models import AssessmentAnswer
from hirewise.auth.models import Role, User
from hirewise.candidates import services as candidates
from hirewise.candidates.models import Application
from hirewise.decisions import services as decisions
from hirewise.extensions import db
from hirewise.feedback import services as feedback
from hirewise.feedback.models import Decision, Feedback
from hirewise.interviews.models import Interview
from hirewise.mail.models import TemplateKey
from hirewise.mail.services import queue_template_email
from hirewise.openings.models import FeedbackVisibility, Opening
from tests.assessment_samples import FREE_TEXT
from tests.factories import ApplicationFactory, CandidateFactory, OpeningFactory, UserFactory
from tests.integration.test_feedback_services import complete, interview_with_kit
from tests.integration.test_interview_services import add_questions

PEER_SUMMARY = "Peer verdict 7f3a: sharp on blueprints"
SUBMITTER_SUMMARY = "Submitter verdict 2c9e"
DRAFT_SUMMARY = "Drafter notes 5b1d, not finished"
DRAFTER_INTERVIEW = "Drafter interview"
NOTE_BODY = "Note body 8e4f about the application"
GENERAL_NOTE_BODY = "General note 4d8a about the person"
EMAIL_SUBJECT = "Email subject 3a7c"
OTHER_EMAIL_SUBJECT = "Other opening email 7b5c"
PANEL_INTERVIEW = "Panel interview 0e3d"
OTHER_REJECTION_REASON = "Other rejection reason 2f9a"
MOVE_REASON = "Move reason 6d2b"
DECISION_REASON = "Decision reason 9c4e"
OVERRIDE_REASON = "Override reason 1f8a: paraphrased well"
OVERRIDE_POINTS = 3.5
CANDIDATE_NAME = "Grace Timeline"

# The rating every skill gets from each interviewer, so a snapshot tells whose ratings leaked.
PEER_RATING = 4
SUBMITTER_RATING = 2


@dataclass
class World:
    opening: Opening
    application: Application
    admin: User
    recruiter: User
    manager: User
    manager_off_team: User
    peer: User
    drafter: User
    submitter: User
    outsider: User
    manager_other: User
    panelist: User
    other_application: Application
    panel_interview: Interview
    peer_feedback: Feedback
    draft: Feedback
    drafter_interview: Interview
    submitter_interview: Interview
    decision: Decision
    override: AssessmentAnswer
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def candidate_id(self) -> int:
        return self.application.candidate_id

    def user(self, role: str) -> User:
        return {
            "admin": self.admin,
            "recruiter": self.recruiter,
            "manager_on_team": self.manager,
            "manager_off_team": self.manager_off_team,
            "manager_other_opening": self.manager_other,
            "manager_on_panel": self.panelist,
            "interviewer_with_draft": self.drafter,
            "interviewer_submitted": self.submitter,
            "interviewer_unassigned": self.outsider,
        }[role]


def _stage(opening: Opening, name: str) -> int:
    return next(stage.id for stage in opening.stages if stage.name == name)


def _rated(item: Feedback, rating: int, summary: str) -> dict[str, object]:
    return complete(item, ratings={r.skill_id: rating for r in item.ratings}, summary=summary)


def build_world(
    visibility: FeedbackVisibility = FeedbackVisibility.AFTER_SUBMIT, *, submitter_submits: bool = True
) -> World:
    manager = UserFactory(role=Role.HIRING_MANAGER, full_name="Mona Manager")
    recruiter = UserFactory(role=Role.RECRUITER, full_name="Rita Recruiter")
    # The history below is written move by move; the stage automations would add moves of their own.
    opening = OpeningFactory(
        team=[manager],
        feedback_visibility=visibility,
        auto_move_on_assessment_invite=False,
        auto_move_on_interview_scheduled=False,
    )
    add_questions(opening)
    application = ApplicationFactory(opening=opening, candidate=CandidateFactory(full_name=CANDIDATE_NAME))
    peer = UserFactory(role=Role.INTERVIEWER, full_name="Pia Peer")
    drafter = UserFactory(role=Role.INTERVIEWER, full_name="Dan Drafter")
    submitter = UserFactory(role=Role.INTERVIEWER, full_name="Sam Submitter")

    peer_interview = interview_with_kit(recruiter, application, [peer])
    drafter_interview = interview_with_kit(recruiter, application, [drafter])
    drafter_interview.title = DRAFTER_INTERVIEW
    submitter_interview = interview_with_kit(recruiter, application, [submitter])
    panelist = UserFactory(role=Role.HIRING_MANAGER, full_name="Hal Panelist")
    panel_interview = interview_with_kit(recruiter, application, [panelist])
    panel_interview.title = PANEL_INTERVIEW
    manager_other = UserFactory(role=Role.HIRING_MANAGER, full_name="Otto Other")
    other_application = ApplicationFactory(
        opening=OpeningFactory(team=[manager_other]), candidate=application.candidate
    )
    db.session.commit()

    started = feedback.get_or_start_feedback(peer, peer_interview)
    peer_feedback = feedback.submit_feedback(peer, started, **_rated(started, PEER_RATING, PEER_SUMMARY))
    draft = feedback.get_or_start_feedback(drafter, drafter_interview)
    feedback.save_draft(drafter, draft, summary=DRAFT_SUMMARY)
    if submitter_submits:
        own = feedback.get_or_start_feedback(submitter, submitter_interview)
        feedback.submit_feedback(submitter, own, **_rated(own, SUBMITTER_RATING, SUBMITTER_SUMMARY))

    candidates.add_note(recruiter, application.candidate, NOTE_BODY, application.id)
    candidates.add_note(recruiter, application.candidate, GENERAL_NOTE_BODY)
    candidates.email_candidate(recruiter, application.candidate, EMAIL_SUBJECT, "Are you free on Monday?")
    # An email about the other application (as a rejection or an invitation there would be), with a subject to spot.
    queue_template_email(
        TemplateKey.GENERIC,
        to_email=application.candidate.email,
        to_name=CANDIDATE_NAME,
        context={"subject": OTHER_EMAIL_SUBJECT, "body": "About the other opening."},
        candidate_id=application.candidate_id,
        application_id=other_application.id,
        actor=recruiter,
    )
    db.session.commit()
    candidates.reject_application(recruiter, other_application, OTHER_REJECTION_REASON)
    candidates.move_application(recruiter, application, _stage(opening, "Screen"), MOVE_REASON)

    assessment = assessments.create_assessment(recruiter, opening, {"title": "Screening"})
    assessments.add_question(recruiter, assessment, FREE_TEXT)
    issued = assessments.invite(recruiter, assessment, [application])
    attempt = attempts.start_attempt(attempts.invitation_for_token(issued[0].token))
    attempts.save_answer(attempt, assessment.questions[0].id, {"text": "It builds the app."}, None)
    attempts.submit_attempt(attempt)
    db.session.expire_all()
    answer = db.session.get(AssessmentAnswer, attempt.answers[0].id)
    assert answer is not None
    assessments.override_score(recruiter, answer, OVERRIDE_POINTS, OVERRIDE_REASON)

    decision = decisions.record_decision(
        manager,
        db.session.get(Application, application.id),  # type: ignore[arg-type]
        kind="advance",
        reason=DECISION_REASON,
        to_stage_id=_stage(opening, "Interview"),
    )
    return World(
        opening=opening,
        application=application,
        admin=UserFactory(role=Role.ADMIN),
        recruiter=recruiter,
        manager=manager,
        manager_off_team=UserFactory(role=Role.HIRING_MANAGER),
        peer=peer,
        drafter=drafter,
        submitter=submitter,
        outsider=UserFactory(role=Role.INTERVIEWER),
        manager_other=manager_other,
        panelist=panelist,
        other_application=other_application,
        panel_interview=panel_interview,
        peer_feedback=peer_feedback,
        draft=draft,
        drafter_interview=drafter_interview,
        submitter_interview=submitter_interview,
        decision=decision,
        override=answer,
    )
