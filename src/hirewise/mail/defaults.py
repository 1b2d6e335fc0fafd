"""The email templates Hirewise ships with, their placeholders and the sample data for previews.

Bodies are plain text with Jinja placeholders. An admin may rewrite them on the Email templates
page; until then (or if the table is empty) these texts are used as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from hirewise.mail.models import TemplateKey


@dataclass(frozen=True)
class DefaultTemplate:
    key: TemplateKey
    name: str
    description: str
    subject: str
    body: str
    # Every name a template of this key may use; saving a template that uses another one fails.
    placeholders: tuple[str, ...]


COMMON_PLACEHOLDERS = ("candidate_name", "opening_title", "company_name")

APPLICATION_RECEIVED = DefaultTemplate(
    key=TemplateKey.APPLICATION_RECEIVED,
    name="Application received",
    description="Sent to the applicant right after they apply on the careers page.",
    subject="We received your application for {{ opening_title }}",
    body="""Hello {{ candidate_name }},

Thank you for applying to {{ company_name }} for the {{ opening_title }} position.
We have received your application and our team will review it carefully.

If your experience matches what we are looking for, we will contact you about the next steps.
Either way, we will let you know the outcome.

Kind regards,
The {{ company_name }} hiring team
""",
    placeholders=COMMON_PLACEHOLDERS,
)

REJECTION = DefaultTemplate(
    key=TemplateKey.REJECTION,
    name="Rejection",
    description=(
        "Sent when a recruiter rejects an application and chooses to notify the candidate. "
        "The internal rejection reason is available as {{ reason }} but the default text does not show it."
    ),
    subject="Your application for {{ opening_title }} at {{ company_name }}",
    body="""Hello {{ candidate_name }},

Thank you for your interest in the {{ opening_title }} position at {{ company_name }} and for the
time you put into your application.

After careful consideration, we have decided not to move forward with your application for this
position. This was not an easy decision, and it is not a judgement of your abilities.

We would be glad to hear from you again if you see another opening that suits you.

We wish you every success,
The {{ company_name }} hiring team
""",
    placeholders=(*COMMON_PLACEHOLDERS, "reason"),
)

GENERIC = DefaultTemplate(
    key=TemplateKey.GENERIC,
    name="Message to a candidate",
    description="Wraps a message a recruiter writes to a candidate: {{ subject }} and {{ body }} are theirs.",
    subject="{{ subject }}",
    body="""Hello {{ candidate_name }},

{{ body }}

Best regards,
The {{ company_name }} hiring team
""",
    placeholders=(*COMMON_PLACEHOLDERS, "subject", "body"),
)

ASSESSMENT_INVITATION = DefaultTemplate(
    key=TemplateKey.ASSESSMENT_INVITATION,
    name="Assessment invitation",
    description=(
        "Sent when a recruiter invites an application to an online assessment. {{ assessment_link }} is the "
        "candidate's private link; it is never stored, so keep it in the text."
    ),
    subject="Your {{ assessment_title }} for {{ opening_title }} at {{ company_name }}",
    body="""Hello {{ candidate_name }},

As the next step for the {{ opening_title }} position, we invite you to take a short online
assessment: {{ assessment_title }}.

It takes at most {{ time_limit_minutes }} minutes once you start, and the timer starts only when you
press Start. You can take it on a laptop or a phone. Please finish it by {{ expires_on }}.

Your private link (do not share it):
{{ assessment_link }}

Kind regards,
The {{ company_name }} hiring team
""",
    placeholders=(
        *COMMON_PLACEHOLDERS,
        "assessment_title",
        "assessment_link",
        "time_limit_minutes",
        "expires_on",
    ),
)

DEFAULT_TEMPLATES: dict[TemplateKey, DefaultTemplate] = {
    template.key: template for template in (APPLICATION_RECEIVED, REJECTION, GENERIC, ASSESSMENT_INVITATION)
}

# Shown in previews on the Email templates page; company_name comes from the configuration.
SAMPLE_CONTEXT: dict[str, str] = {
    "candidate_name": "Ada Lovelace",
    "opening_title": "Senior Flask Developer",
    "reason": "Needs more production experience with PostgreSQL.",
    "subject": "Scheduling your interview",
    "body": "Could you tell us which afternoon next week suits you for a one-hour video call?",
    "assessment_title": "Flask Developer screening",
    "assessment_link": "https://careers.example.com/assessment/AbCdEf123456",
    "time_limit_minutes": "30",
    "expires_on": "Friday 4 December 2026",
}
