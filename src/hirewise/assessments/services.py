"""Use cases of the hiring team, re-exported from the modules that hold them, one per use case.

- ``building.py``: an opening's assessments and their settings;
- ``questions.py``: their questions and rubric versions;
- ``builtin.py``: the screening assessment a kit ships, added once per opening;
- ``invitations.py``: private links to applications (a second attempt only as a retake), revoking them;
- ``review.py``: results of submitted attempts, overrides, re-scoring, per-skill results.

The HTML views and the API both call these functions, so both apply the same rules. Each use case
commits once, and rolls back what it changed when it fails (``hirewise.db.use_case``). Candidate-side
use cases (start, autosave, submit) are in ``attempts.py`` (the options' shown ids in ``option_ids.py``,
running a code question's examples in ``example_runs.py``); automatic scoring is in ``scoring.py``.
"""

from __future__ import annotations

from hirewise.assessments.building import (
    ASSESSMENT_FIELDS,
    create_assessment,
    get_assessment,
    get_visible_assessment,
    list_assessments,
    max_points,
    update_assessment,
)
from hirewise.assessments.builtin import (
    KitAssessment,
    add_kit_assessment,
    ensure_kit_assessment,
    kit_assessment,
)
from hirewise.assessments.invitations import (
    MAX_BULK_INVITATIONS,
    MAX_RETAKE_REASON_CHARS,
    TOKEN_BYTES,
    IssuedInvitation,
    candidate_link,
    describe_attempt,
    get_invitation,
    has_taken,
    invitation_refusal,
    invitation_state,
    invitations_for_application,
    invitations_for_assessment,
    invite,
    last_submitted_attempt,
    open_invitation,
    revoke_invitation,
)
from hirewise.assessments.questions import (
    CODE_QUESTION_AUTHORS,
    QuestionUpdate,
    add_bank_question,
    add_question,
    count_outdated_answers,
    delete_question,
    get_question,
    has_attempts,
    outdated_answer_counts,
    update_question,
)
from hirewise.assessments.review import (
    SIGNALS_NOTE,
    AttemptTotals,
    answers_in_question_order,
    application_attempts,
    attempt_totals,
    attempts_to_rescore,
    clear_override,
    get_attempt_for_review,
    opening_skill,
    override_score,
    request_rescore,
    retake_of_attempt_id,
    skill_names,
    skill_results,
    submitted_attempts,
)

__all__ = [
    "ASSESSMENT_FIELDS",
    "CODE_QUESTION_AUTHORS",
    "MAX_BULK_INVITATIONS",
    "MAX_RETAKE_REASON_CHARS",
    "SIGNALS_NOTE",
    "TOKEN_BYTES",
    "AttemptTotals",
    "IssuedInvitation",
    "KitAssessment",
    "QuestionUpdate",
    "add_bank_question",
    "add_kit_assessment",
    "add_question",
    "answers_in_question_order",
    "application_attempts",
    "attempt_totals",
    "attempts_to_rescore",
    "candidate_link",
    "clear_override",
    "count_outdated_answers",
    "create_assessment",
    "delete_question",
    "describe_attempt",
    "ensure_kit_assessment",
    "get_assessment",
    "get_attempt_for_review",
    "get_invitation",
    "get_question",
    "get_visible_assessment",
    "has_attempts",
    "has_taken",
    "invitation_refusal",
    "invitation_state",
    "invitations_for_application",
    "invitations_for_assessment",
    "invite",
    "kit_assessment",
    "last_submitted_attempt",
    "list_assessments",
    "max_points",
    "open_invitation",
    "opening_skill",
    "outdated_answer_counts",
    "override_score",
    "request_rescore",
    "retake_of_attempt_id",
    "revoke_invitation",
    "skill_names",
    "skill_results",
    "submitted_attempts",
    "update_assessment",
    "update_question",
]
