"""The review page states the free-text score's rule and the bound it sets for the answer's key points."""

from __future__ import annotations

from tests.integration.test_assessment_views import _submitted, _text, team  # noqa: F401  (fixture)


def test_review_shows_the_rule_and_the_bound_of_a_free_text_score(client, auth, team):  # noqa: F811
    attempt = _submitted(team["recruiter"], team["assessment"], team["application"])
    answer = next(a for a in attempt.answers if a.question.kind == "free_text")
    explanation = answer.explanation

    assert explanation["rule"].startswith("Score \u2264 5 \u00d7 (key points covered")
    assert explanation["score"] <= explanation["bound"]
    auth.login(team["recruiter"])
    page = _text(client.get(f"/assessment-attempts/{attempt.id}/review"))
    assert 'class="muted assessment-rule"' in page
    assert "Rule: Score \u2264 5 \u00d7 (key points covered + 0.5 \u00d7 partly covered)" in page
    assert f"can be at most <strong>{explanation['bound']:.2f}</strong> of 5" in page
