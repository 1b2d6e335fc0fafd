"""Multiple-choice options reach the candidate shuffled and under opaque ids of their attempt only.

The authoring ids (``a``, ``b``...) and the authoring order (the kit lists the correct option first)
would give the answer away: choosing value ``a`` used to score 9 of the 11 multiple-choice points
of the Flask Developer screening. Each attempt fixes, at start, its own order and its own random ids;
the server maps them back, so stored responses, scoring and review keep the real ids.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from hirewise.assessments import attempts, services
from hirewise.assessments.builtin import add_kit_assessment, builtin_definitions
from hirewise.assessments.models import Assessment, AssessmentAttempt, AssessmentQuestion, QuestionKind
from hirewise.auth.models import Role
from hirewise.extensions import db, limiter
from hirewise.kits.services import ensure_builtin_kits
from hirewise.openings.services import create_opening
from hirewise.scoring.choice import score_choice
from tests.assessment_samples import MC
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory
from tests.integration.test_assessment_attempts import Clock, build_assessment

TAKE = "/api/v1/assessment-attempts"
AUTHORING_IDS = set("abcdefghijklmnopqrstuvwxyz")
ATTEMPTS = 200
SEED = 20260110


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    frozen = Clock()
    monkeypatch.setattr(attempts, "clock", frozen)
    yield frozen


@pytest.fixture
def recruiter():
    return UserFactory(role=Role.RECRUITER)


def _issue(recruiter, assessment: Assessment, count: int = 1) -> list[services.IssuedInvitation]:
    applications = [ApplicationFactory(opening=assessment.opening) for _ in range(count)]
    return services.invite(recruiter, assessment, applications)


def _kit_assessment(recruiter) -> Assessment:
    kit = next(k for k in ensure_builtin_kits() if k.slug == "flask-developer")
    opening = create_opening(recruiter, title="Flask Developer", kit_id=kit.id)
    return add_kit_assessment(recruiter, opening)


def _radio_values(page: str) -> list[str]:
    return re.findall(r'name="selected" value="([^"]*)"', page)


def _checked_values(page: str) -> list[str]:
    return re.findall(r'name="selected" value="([^"]*)"\s+checked', page)


def _options(state: dict[str, Any], question_id: int) -> list[dict[str, str]]:
    question = next(q for q in state["questions"] if q["id"] == question_id)
    options: list[dict[str, str]] = question["options"]
    return options


# --- what the candidate's browser receives ---------------------------------------------------------


def test_the_page_and_the_api_show_only_opaque_ids(client: FlaskClient, recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), MC)
    [question] = assessment.questions
    [issued] = _issue(recruiter, assessment)
    client.post(f"/assessment/{issued.token}/start")

    values = _radio_values(client.get(f"/assessment/{issued.token}?q=1").get_data(as_text=True))
    assert len(values) == 3 and len(set(values)) == 3
    assert not set(values) & AUTHORING_IDS, "authoring ids never reach the page"
    assert all(len(value) >= 16 and re.fullmatch(r"[A-Za-z0-9_-]+", value) for value in values)

    state = client.get(f"{TAKE}/{issued.token}").get_json()
    api_ids = [option["id"] for option in _options(state, question.id)]
    assert api_ids == values, "the page and the API show the same order and ids"
    texts = {option["text"]: option["id"] for option in _options(state, question.id)}

    # The candidate answers with the id shown; the stored response keeps the real id, and comes back
    # to the candidate (page and API) under the id shown.
    saved = client.put(
        f"{TAKE}/{issued.token}/answers/{question.id}",
        json={"response": {"selected": [texts["201 Created"]]}},
    )
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json().keys() == {"saved_at", "seconds_left"}
    [answer] = issued.invitation.attempt.answers
    assert answer.response == {"selected": ["a"]}
    again = client.get(f"{TAKE}/{issued.token}").get_json()
    assert next(q for q in again["questions"] if q["id"] == question.id)["response"] == {
        "selected": [texts["201 Created"]]
    }
    page = client.get(f"/assessment/{issued.token}?q=1").get_data(as_text=True)
    assert _checked_values(page) == [texts["201 Created"]]
    raw = client.get(f"{TAKE}/{issued.token}").get_data(as_text=True)
    assert '"a"' not in raw and '"b"' not in raw and '"c"' not in raw


def test_the_authoring_ids_are_refused_like_any_unknown_id(client: FlaskClient, recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), MC)
    [question] = assessment.questions
    [issued] = _issue(recruiter, assessment)
    client.post(f"{TAKE}/{issued.token}/start")
    for value in ("a", "b", "c", "z"):
        api = client.put(
            f"{TAKE}/{issued.token}/answers/{question.id}", json={"response": {"selected": [value]}}
        )
        assert api.status_code == 422 and "selected" in api.get_json()["error"]["details"]
        form = client.post(
            f"/assessment/{issued.token}/answers/{question.id}",
            data={"selected": value},
            headers={"Accept": "application/json"},
        )
        assert form.status_code == 422
        assert form.get_json()["error"]["message"] == "Choose among the options shown."  # names no id
    with pytest.raises(Exception, match="among the options"):
        attempts.save_answer(issued.invitation.attempt, question.id, {"selected": ["a"]})
    assert not issued.invitation.attempt.answers[0].is_answered


def test_two_attempts_see_different_ids_for_the_same_option(client: FlaskClient, recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), MC)
    [question] = assessment.questions
    first, second = _issue(recruiter, assessment, 2)
    ids: list[dict[str, str]] = []
    for issued in (first, second):
        state = client.post(f"{TAKE}/{issued.token}/start").get_json()
        ids.append({option["text"]: option["id"] for option in _options(state, question.id)})
    assert ids[0].keys() == ids[1].keys() == {"201 Created", "200 OK", "302 Found"}
    for text in ids[0]:
        assert ids[0][text] != ids[1][text], f"{text!r} has the same id in two attempts"
    assert not set(ids[0].values()) & set(ids[1].values())


def test_order_and_ids_are_fixed_for_the_attempt_across_reloads_and_autosaves(
    client: FlaskClient, recruiter, clock
):
    assessment = build_assessment(recruiter, OpeningFactory(), MC)
    [question] = assessment.questions
    [issued] = _issue(recruiter, assessment)
    started = client.post(f"{TAKE}/{issued.token}/start").get_json()
    shown = _options(started, question.id)
    page_url = f"/assessment/{issued.token}?q=1"
    values = _radio_values(client.get(page_url).get_data(as_text=True))
    assert values == [option["id"] for option in shown]

    for option in (shown[2], shown[0], shown[1]):
        response = client.post(
            f"/assessment/{issued.token}/answers/{question.id}",
            data={"selected": option["id"], "time_spent_seconds": "3"},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 200, response.get_json()
        page = client.get(page_url).get_data(as_text=True)
        assert _radio_values(page) == values, "reloads keep the order and the ids"
        assert _checked_values(page) == [option["id"]]
        resumed = client.post(f"{TAKE}/{issued.token}/start").get_json()
        assert _options(resumed, question.id) == shown, "starting again keeps them too"
    # What a reload shows maps back to the same real option, every time.
    by_text = {option["text"]: option["id"] for option in shown}
    client.put(
        f"{TAKE}/{issued.token}/answers/{question.id}",
        json={"response": {"selected": [by_text["302 Found"]]}},
    )
    stored = issued.invitation.attempt.answers[0].response
    real = {option["text"]: option["id"] for option in question.content["options"]}
    assert stored == {"selected": [real["302 Found"]]}


def test_multiple_selections_map_back_and_score_as_before(client: FlaskClient, recruiter, clock):
    several = {
        "kind": "multiple_choice",
        "prompt": "Which are HTTP methods?",
        "points": 3,
        "content": {
            "options": [
                {"text": "GET", "correct": True},
                {"text": "POST", "correct": True},
                {"text": "FETCH"},
            ],
            "partial_credit": True,
        },
    }
    assessment = build_assessment(recruiter, OpeningFactory(), several)
    [question] = assessment.questions
    [issued] = _issue(recruiter, assessment)
    state = client.post(f"{TAKE}/{issued.token}/start").get_json()
    by_text = {option["text"]: option["id"] for option in _options(state, question.id)}
    saved = client.put(
        f"{TAKE}/{issued.token}/answers/{question.id}",
        json={"response": {"selected": [by_text["POST"], by_text["GET"]]}},
    )
    assert saved.status_code == 200
    assert client.post(f"{TAKE}/{issued.token}/submit").status_code == 200
    [answer] = issued.invitation.attempt.answers
    assert answer.response == {"selected": ["a", "b"]}
    assert answer.auto_points == 3.0
    assert answer.explanation["selected"] == ["a", "b"], "review and scoring see the real ids"


def test_options_are_shuffled_unless_the_question_says_not_to(recruiter, clock, monkeypatch):
    monkeypatch.setattr(attempts, "random_source", random.Random(7))
    ten = {
        "kind": "multiple_choice",
        "prompt": "Pick the first.",
        "content": {"options": [{"text": f"Option {n}", "correct": n == 0} for n in range(10)]},
    }
    fixed = {**ten, "prompt": "Kept in order.", "content": {**ten["content"], "shuffle": False}}
    assessment = build_assessment(recruiter, OpeningFactory(), ten, fixed)
    shuffled_q, fixed_q = assessment.questions
    orders = []
    for issued in _issue(recruiter, assessment, 3):
        attempt = attempts.start_attempt(issued.invitation)
        fixed_shown = attempts.shown_options(attempt, fixed_q)
        assert [option["id"] for _, option in fixed_shown] == list("abcdefghij")
        assert not {shown_id for shown_id, _ in fixed_shown} & AUTHORING_IDS, "ids are opaque even in order"
        orders.append([option["id"] for _, option in attempts.shown_options(attempt, shuffled_q)])
    assert all(order != list("abcdefghij") for order in orders)
    assert len({tuple(order) for order in orders}) == 3


def test_the_kit_screening_shuffles_its_options():
    definition = builtin_definitions()["flask-developer"]
    for item in definition["questions"]:
        if item["kind"] == "multiple_choice":
            assert item.get("shuffle", True) is True, item["prompt"]


def test_an_attempt_started_before_opaque_ids_keeps_working(client: FlaskClient, recruiter, clock):
    """Attempts in progress when this shipped stored a list of real ids per question: they keep them."""
    assessment = build_assessment(recruiter, OpeningFactory(), MC)
    [question] = assessment.questions
    [issued] = _issue(recruiter, assessment)
    attempt = attempts.start_attempt(issued.invitation)
    attempt.option_orders = {str(question.id): ["c", "a", "b"]}  # the shape stored before
    db.session.commit()

    page = client.get(f"/assessment/{issued.token}?q=1").get_data(as_text=True)
    assert _radio_values(page) == ["c", "a", "b"]
    state = client.get(f"{TAKE}/{issued.token}").get_json()
    assert [option["id"] for option in _options(state, question.id)] == ["c", "a", "b"]
    saved = client.post(
        f"/assessment/{issued.token}/answers/{question.id}", data={"selected": "a", "next_q": "1"}
    )
    assert saved.status_code == 302
    assert attempt.answers[0].response == {"selected": ["a"]}
    assert _checked_values(client.get(f"/assessment/{issued.token}?q=1").get_data(as_text=True)) == ["a"]
    assert (
        client.put(
            f"{TAKE}/{issued.token}/answers/{question.id}", json={"response": {"selected": ["zz"]}}
        ).status_code
        == 422
    )
    client.post(f"{TAKE}/{issued.token}/submit")
    assert attempt.answers[0].auto_points == 2.0


def test_an_option_added_after_the_start_gets_a_stable_opaque_id(client: FlaskClient, recruiter, clock):
    assessment = build_assessment(recruiter, OpeningFactory(), MC)
    [question] = assessment.questions
    [issued] = _issue(recruiter, assessment)
    client.post(f"{TAKE}/{issued.token}/start")
    options = [*question.content["options"], {"text": "418 I'm a teapot"}]
    services.update_question(recruiter, question, {"content": {**question.content, "options": options}})
    first = _options(client.get(f"{TAKE}/{issued.token}").get_json(), question.id)
    second = _options(client.get(f"{TAKE}/{issued.token}").get_json(), question.id)
    assert first == second and len(first) == 4
    teapot = next(option["id"] for option in first if option["text"] == "418 I'm a teapot")
    assert teapot not in AUTHORING_IDS and len(teapot) >= 16
    client.put(f"{TAKE}/{issued.token}/answers/{question.id}", json={"response": {"selected": [teapot]}})
    new_id = next(o["id"] for o in question.content["options"] if o["text"] == "418 I'm a teapot")
    assert issued.invitation.attempt.answers[0].response == {"selected": [new_id]}


# --- guessing scores chance, whatever the strategy ------------------------------------------------


def _single_pick(question: AssessmentQuestion) -> tuple[float, float]:
    """(points earned by a pick that scores, probability that one option picked at random scores).

    Picking one option of a multi-select question means selecting only it. Every single pick of the
    kit's questions earns either nothing or the same points, so each question's hits are binomial.
    """
    content = question.content
    known = [option["id"] for option in content["options"]]
    correct = [option["id"] for option in content["options"] if option["correct"]]
    earned = [
        question.points
        * score_choice(
            [option_id],
            correct,
            known,
            multiple=bool(content.get("multiple")),
            partial_credit=bool(content.get("partial_credit")),
        )
        for option_id in known
    ]
    scoring = {round(points, 9) for points in earned if points > 0}
    assert len(scoring) == 1, f"a single pick of {question.prompt!r} scores in one way"
    return scoring.pop(), sum(1 for points in earned if points > 0) / len(known)


def _binomial(n: int, p: float) -> list[float]:
    return [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]


def chance_bound(
    questions: list[AssessmentQuestion], n: int, level: float = 0.99
) -> tuple[float, float, float]:
    """(expected mean, lower, upper): the central ``level`` interval of the mean points of ``n``
    attempts that each pick one option at random per question: the exact distribution of
    sum(points_q x Binomial(n, p_q)), by convolution."""
    total: dict[float, float] = {0.0: 1.0}
    expected = 0.0
    for question in questions:
        points, p = _single_pick(question)
        expected += points * p
        combined: dict[float, float] = {}
        for value, weight in total.items():
            for hits, probability in enumerate(_binomial(n, p)):
                key = round(value + hits * points, 6)
                combined[key] = combined.get(key, 0.0) + weight * probability
        total = combined
    tail = (1 - level) / 2
    cumulative, lower, upper = 0.0, None, None
    for value in sorted(total):
        cumulative += total[value]
        if lower is None and cumulative > tail:
            lower = value
        if upper is None and cumulative >= 1 - tail:
            upper = value
    assert lower is not None and upper is not None
    return expected, lower / n, upper / n


def _first_shown(options: list[dict[str, str]]) -> str:
    return options[0]["id"]


def _lexically_first(options: list[dict[str, str]]) -> str:
    return min(option["id"] for option in options)


def _mean_choice_points(
    client: FlaskClient, recruiter, assessment: Assessment, pick: Any, count: int
) -> tuple[float, list[AssessmentAttempt]]:
    choice_ids = {q.id for q in assessment.questions if q.kind == QuestionKind.MULTIPLE_CHOICE}
    taken = []
    for number, issued in enumerate(_issue(recruiter, assessment, count)):
        # Each candidate from an address of their own, as they would be (one rate-limit bucket each).
        candidate = {"REMOTE_ADDR": f"10.0.{number // 250}.{number % 250 + 1}"}
        state = client.post(f"{TAKE}/{issued.token}/start", environ_base=candidate).get_json()
        for question in state["questions"]:
            if question["id"] in choice_ids:
                saved = client.put(
                    f"{TAKE}/{issued.token}/answers/{question['id']}",
                    json={"response": {"selected": [pick(question["options"])]}},
                    environ_base=candidate,
                )
                assert saved.status_code == 200, saved.get_json()
        assert client.post(f"{TAKE}/{issued.token}/submit", environ_base=candidate).status_code == 200
        taken.append(issued.invitation.attempt)
    total = sum(
        answer.auto_points or 0.0
        for attempt in taken
        for answer in attempt.answers
        if answer.question_id in choice_ids
    )
    return total / count, taken


@pytest.mark.parametrize("strategy", [_first_shown, _lexically_first], ids=["first-shown", "lexically-first"])
def test_guessing_strategies_score_chance_on_the_kit_screening(client, recruiter, monkeypatch, strategy):
    monkeypatch.setattr(attempts, "random_source", random.Random(SEED))
    assessment = _kit_assessment(recruiter)
    choices = [q for q in assessment.questions if q.kind == QuestionKind.MULTIPLE_CHOICE]
    assert sum(q.points for q in choices) == 11
    expected, lower, upper = chance_bound(choices, ATTEMPTS)
    assert expected == pytest.approx(2.6)  # 4 x 2 points x 1/4, and 1 point x 3/5 for the multi-select

    try:
        mean, taken = _mean_choice_points(client, recruiter, assessment, strategy, ATTEMPTS)
    finally:
        limiter.reset()
    print(
        f"\n{strategy.__name__}: mean {mean:.3f} of 11 multiple-choice points over {ATTEMPTS} attempts; "
        f"chance {expected:.3f}, 99% bound [{lower:.3f}, {upper:.3f}]"
    )
    assert lower <= mean <= upper, f"{mean:.3f} is outside the 99% bound [{lower:.3f}, {upper:.3f}] of chance"
    # The leak this closes: the same choice scoring full points in (nearly) every attempt.
    for question in choices:
        hits = sum(
            1
            for attempt in taken
            for answer in attempt.answers
            if answer.question_id == question.id and (answer.auto_points or 0) > 0
        )
        assert hits < ATTEMPTS * 0.9, question.prompt
