"""Imports every feature's models so the metadata is complete for Alembic and relationships."""

from hirewise.api.models import IdempotencyKey
from hirewise.assessments.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AssessmentQuestion,
    AssessmentRubric,
)
from hirewise.audit.models import AuditEvent
from hirewise.auth.models import ApiToken, Invitation, User, UserSession
from hirewise.candidates.import_models import ImportRun
from hirewise.candidates.models import Application, Candidate, Document, Note, StageMove
from hirewise.feedback.models import (
    Decision,
    Feedback,
    FeedbackAnswer,
    FeedbackRating,
    FeedbackReminder,
    FeedbackRevision,
)
from hirewise.interviews.models import Interview, InterviewPlanItem
from hirewise.kits.models import Kit, KitQuestion, KitSkill
from hirewise.mail.models import EmailTemplate, OutboxMessage
from hirewise.notifications.models import Notification
from hirewise.openings.models import Opening, OpeningQuestion, OpeningSkill, Stage
from hirewise.organisation.models import OrganisationSettings
from hirewise.privacy.models import (
    ConsentRecord,
    Erasure,
    LegalHold,
    PrivacySettings,
    RetentionNotice,
    RetentionRun,
    ScoreReviewRequest,
)
from hirewise.questions.models import BankQuestion, BankQuestionVersion
from hirewise.tasks.models import BackgroundTask

__all__ = [
    "ApiToken",
    "Application",
    "Assessment",
    "AssessmentAnswer",
    "AssessmentAttempt",
    "AssessmentInvitation",
    "AssessmentQuestion",
    "AssessmentRubric",
    "AuditEvent",
    "BackgroundTask",
    "BankQuestion",
    "BankQuestionVersion",
    "Candidate",
    "ConsentRecord",
    "Decision",
    "Document",
    "EmailTemplate",
    "Erasure",
    "Feedback",
    "FeedbackAnswer",
    "FeedbackRating",
    "FeedbackReminder",
    "FeedbackRevision",
    "IdempotencyKey",
    "ImportRun",
    "Interview",
    "InterviewPlanItem",
    "Invitation",
    "Kit",
    "KitQuestion",
    "KitSkill",
    "LegalHold",
    "Note",
    "Notification",
    "Opening",
    "OpeningQuestion",
    "OpeningSkill",
    "OrganisationSettings",
    "OutboxMessage",
    "PrivacySettings",
    "RetentionNotice",
    "RetentionRun",
    "ScoreReviewRequest",
    "Stage",
    "StageMove",
    "User",
    "UserSession",
]
