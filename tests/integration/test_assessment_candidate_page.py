"""The candidate's page: reached by the private link alone, working with plain forms and with autosave."""

from __future__ import annotations

import re

import pytest

from hirewise.assessments import attempts, services
from hirewise.assessments.models import AttemptStatus, Layout
from hirewise.auth.models import Role
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory
from tests.integration.test_assessment_attempts import CODE, FREE_TEXT, MC, Clock, build_assessment


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock()
    monkeypatch.setattr(attempts, "clock", frozen)
    return frozen


@pytest.fixture
def issued():
    recruiter = UserFactory(role=Role.RECRUITER)
    assessment = build_assessment(recruiter, OpeningFactory(), MC, FREE_TEXT, CODE, minutes=15)
    [invitation] = services.invite(recruiter, assessment, [ApplicationFactory(opening=assessment.opening)])
    return invitation


def url(issued, suffix: str = "") -> str:
    return f"/assessment/{issued.token}{suffix}"


def test_the_time_limit_is_shown_before_starting_and_nothing_leaks(client, issued):
    response = client.get(url(issued))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Time limit: 15 minutes." in page and "cannot be paused" in page
    assert "Start the 15-minute assessment" in page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    # Nothing of the rubric is on the candidate's page.
    assert "create_app builds and returns" not in page and "top-10" not in page


def test_taking_it_with_plain_forms(client, issued, clock):
    assert client.post(url(issued, "/start")).status_code == 302
    page = client.get(url(issued, "?q=1")).get_data(as_text=True)
    assert "Question 1 of 3" in page and 'role="timer"' in page and "15:00" in page

    attempt = issued.invitation.attempt
    questions = {q.kind: q for q in attempts.ordered_questions(attempt)}
    order = [q.id for q in attempts.ordered_questions(attempt)]
    choice = attempts.shown_response(attempt, questions["multiple_choice"], {"selected": ["a"]})
    for kind, data in (
        ("multiple_choice", {"selected": choice["selected"][0]}),
        ("free_text", {"text": "create_app builds the app with a test configuration."}),
        ("code", {"code": "def slugify(t):\n    return t\n"}),
    ):
        question = questions[kind]
        response = client.post(
            url(issued, f"/answers/{question.id}"),
            data={
                **data,
                "paste_count": "1",
                "pasted_chars": "12",
                "blur_count": "2",
                "time_spent_seconds": "30",
                "next_q": str(order.index(question.id) + 2),
            },
        )
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"q={order.index(question.id) + 2}")

    # The saved code comes back in its textarea instead of the starter code.
    code_page = client.get(url(issued, f"?q={order.index(questions['code'].id) + 1}")).get_data(as_text=True)
    assert "return t" in code_page

    assert client.post(url(issued, "/submit")).status_code == 302
    page = client.get(url(issued)).get_data(as_text=True)
    assert "Submitted" in page and "Thank you" in page
    assert attempt.status == AttemptStatus.SUBMITTED
    answer = next(a for a in attempt.answers if a.question_id == questions["free_text"].id)
    assert (answer.paste_count, answer.pasted_chars, answer.blur_count, answer.time_spent_seconds) == (
        1,
        12,
        2,
        30,
    )
    assert attempt.scoring_status == "scored"

    # Immutable: a late save shows the reason and changes nothing.
    response = client.post(url(issued, f"/answers/{questions['free_text'].id}"), data={"text": "changed"})
    assert response.status_code == 409
    assert "can no longer change" in response.get_data(as_text=True)
    assert answer.response["text"].startswith("create_app")


def test_autosave_answers_json_and_errors_in_the_api_envelope(client, issued, clock):
    client.post(url(issued, "/start"))
    question = next(q for q in issued.invitation.assessment.questions if q.kind == "free_text")
    response = client.post(
        url(issued, f"/answers/{question.id}"), data={"text": "draft"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.json["seconds_left"] == 15 * 60 and response.json["saved_at"]

    too_long = client.post(
        url(issued, f"/answers/{question.id}"),
        data={"text": "x" * 10_001},
        headers={"Accept": "application/json"},
    )
    assert too_long.status_code == 422 and "too long" in too_long.json["error"]["message"]

    clock.advance(minutes=16)
    late = client.post(
        url(issued, f"/answers/{question.id}"), data={"text": "late"}, headers={"Accept": "application/json"}
    )
    assert late.status_code == 409
    assert "time for this assessment is over" in late.json["error"]["message"]
    assert issued.invitation.attempt.submitted_by == "deadline"


def test_opening_the_page_after_the_deadline_submits_it(client, issued, clock):
    client.post(url(issued, "/start"))
    clock.advance(hours=2)
    page = client.get(url(issued)).get_data(as_text=True)
    assert "when the time ran out" in page
    assert issued.invitation.attempt.status == AttemptStatus.SUBMITTED


def test_one_question_per_page_or_all_on_one(client, issued, clock):
    client.post(url(issued, "/start"))
    one = client.get(url(issued, "?q=2")).get_data(as_text=True)
    assert one.count('class="card take-question"') == 1 and 'aria-current="step"' in one
    issued.invitation.assessment.layout = Layout.ALL_ON_ONE_PAGE
    every = client.get(url(issued)).get_data(as_text=True)
    assert every.count('class="card take-question"') == 3
    assert len(re.findall(r"Question \d of 3", every)) == 3


def test_bad_links(client, issued, clock):
    assert client.get("/assessment/not-a-real-token-but-long-enough-xx").status_code == 404
    assert client.get("/assessment/short").status_code == 404
    clock.advance(days=30)
    expired = client.get(url(issued))
    assert expired.status_code == 410 and "This link has expired" in expired.get_data(as_text=True)
    started = client.post(url(issued, "/start"))
    assert started.status_code == 409 and "expired" in started.get_data(as_text=True)


def test_forms_need_the_csrf_token(client, issued, csrf_enabled):
    assert client.post(url(issued, "/start")).status_code == 400
    page = client.get(url(issued)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(url(issued, "/start"), data={"csrf_token": token}).status_code == 302


# --- bodies over the request limit -----------------------------------------------------------------


def test_the_answer_boxes_cannot_hold_more_than_the_server_accepts(client, issued, clock):
    # A browser cannot type or paste past maxlength, so it never builds a body near MAX_CONTENT_LENGTH.
    from hirewise.assessments.validation import MAX_CODE_CHARS, MAX_TEXT_ANSWER_CHARS

    client.post(url(issued, "/start"))
    order = attempts.ordered_questions(issued.invitation.attempt)
    pages = "".join(
        client.get(url(issued, f"?q={n}")).get_data(as_text=True) for n in range(1, len(order) + 1)
    )
    boxes = re.findall(r'<textarea[^>]*name="(text|code)"[^>]*>', pages)
    assert sorted(boxes) == ["code", "text"]
    assert re.search(rf'<textarea[^>]*name="text"[^>]*maxlength="{MAX_TEXT_ANSWER_CHARS}"', pages)
    assert re.search(rf'<textarea[^>]*name="code"[^>]*maxlength="{MAX_CODE_CHARS}"', pages)


def test_an_answer_over_the_request_limit_gets_the_question_back_not_a_redirect(app, client, issued, clock):
    client.post(url(issued, "/start"))
    order = attempts.ordered_questions(issued.invitation.attempt)
    question = next(q for q in order if q.kind == "free_text")
    number = order.index(question) + 1
    huge = {"text": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)}
    response = client.post(url(issued, f"/answers/{question.id}?q={number}"), data=huge)
    assert response.status_code == 413  # the page itself, not a redirect that would drop the text
    page = response.get_data(as_text=True)
    assert "too large to save" in page and "It was not saved" in page
    assert f'action="/assessment/{issued.token}/answers/{question.id}?q={number}"' in page  # its form
    assert response.headers["Cache-Control"] == "no-store"
    # Autosave gets the reason in JSON: the script shows it and keeps the text on the page.
    autosave = client.post(
        url(issued, f"/answers/{question.id}"), data=huge, headers={"Accept": "application/json"}
    )
    assert autosave.status_code == 413
    assert "too large to save" in autosave.json["error"]["message"]
    saved = [a.response for a in issued.invitation.attempt.answers if a.question_id == question.id]
    assert "xxxx" not in str(saved)  # nothing of it was saved
