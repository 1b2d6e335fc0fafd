"""Privacy as people use it: the careers site's "Your data" request, the signed links (export, keep,
withdraw, scores and human review), the staff and admin pages, consent logging and the retention task."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hirewise.assessments import services as assessments
from hirewise.assessments.models import AssessmentAnswer
from hirewise.auth.models import Role
from hirewise.auth.services import create_api_token
from hirewise.candidates import services as candidate_services
from hirewise.candidates.models import Candidate
from hirewise.db import utcnow
from hirewise.errors import Conflict
from hirewise.extensions import db
from hirewise.mail.models import OutboxMessage
from hirewise.notifications.models import Notification, NotificationKind
from hirewise.openings.models import OpeningStatus
from hirewise.privacy import services as privacy
from hirewise.privacy.models import (
    CONSENT_TEXT_VERSION,
    ConsentPurpose,
    ConsentRecord,
    Erasure,
    ErasureTrigger,
    RetentionRun,
    ScoreReviewRequest,
)
from hirewise.privacy.tokens import LinkPurpose, make_token
from hirewise.tasks.privacy import enforce_retention
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory
from tests.integration.test_careers import make_pdf
from tests.integration.test_privacy_erasure import NAME, PHRASE, build_canary_candidate

LINK = re.compile(r"https?://[^\s]+/privacy/(export|scores|withdraw|keep)/([\w.-]+)")


def _links(body: str) -> dict[str, str]:
    return {kind: f"/privacy/{kind}/{token}" for kind, token in LINK.findall(body)}


def test_applying_on_the_careers_page_logs_the_consent(client):
    opening = OpeningFactory(status=OpeningStatus.OPEN)
    db.session.commit()
    response = client.post(
        f"/careers/{opening.slug}/apply",
        data={
            "full_name": "Cora Consent",
            "email": "cora@example.org",
            "consent": "y",
            "resume": (io.BytesIO(make_pdf()), "cv.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    candidate = db.session.execute(
        select(Candidate).where(Candidate.email == "cora@example.org")
    ).scalar_one()
    [consent] = db.session.execute(
        select(ConsentRecord).where(ConsentRecord.candidate_id == candidate.id)
    ).scalars()
    assert consent.purpose == ConsentPurpose.APPLICATION
    assert consent.text_version == CONSENT_TEXT_VERSION
    assert consent.page == f"/careers/{opening.slug}/apply" and consent.withdrawn_at is None


def test_careers_pages_say_scores_are_reviewed_by_people(client):
    opening = OpeningFactory(status=OpeningStatus.OPEN)
    db.session.commit()
    index = client.get("/careers").get_data(as_text=True)
    assert "/privacy/request" in index and "reviewed by people" in index
    apply_page = client.get(f"/careers/{opening.slug}/apply").get_data(as_text=True)
    assert "reviewed by people" in apply_page


def test_a_candidate_requests_their_data_and_downloads_the_zip(client):
    application = ApplicationFactory()
    candidate = application.candidate
    db.session.commit()
    page = client.get("/privacy/request")
    assert page.status_code == 200
    known = client.post("/privacy/request", data={"email": candidate.email.upper()})
    unknown = client.post("/privacy/request", data={"email": "nobody-here@example.org"})
    # The same answer either way: the form never tells whether an address applied.
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    [message] = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.candidate_id == candidate.id)
    ).scalars()
    assert (
        db.session.execute(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.to_email == "nobody-here@example.org")
        ).scalar_one()
        == 0
    )
    links = _links(message.body)
    assert set(links) == {"export", "scores", "withdraw"}

    download = client.get(links["export"])
    assert download.status_code == 200 and download.mimetype == "application/zip"
    document = json.loads(zipfile.ZipFile(io.BytesIO(download.data)).read("candidate.json"))
    assert document["profile"]["email"] == candidate.email
    assert document["emails"][0]["subject"] == message.subject

    # A link for one purpose does not open another, and a tampered one opens nothing.
    token = links["export"].rsplit("/", 1)[1]
    assert client.get(f"/privacy/scores/{token}").status_code == 404
    assert client.get(links["export"][:-3] + "abc").status_code == 404


def test_the_request_form_is_rate_limited(app, client):
    app.config["PRIVACY_REQUEST_RATE_LIMIT"] = "2 per hour"
    try:
        environ = {"REMOTE_ADDR": "203.0.113.77"}
        statuses = [
            client.post(
                "/privacy/request", data={"email": f"x{i}@example.org"}, environ_base=environ
            ).status_code
            for i in range(3)
        ]
    finally:
        app.config["PRIVACY_REQUEST_RATE_LIMIT"] = "1000 per minute"
    assert statuses == [200, 200, 429]


def test_signed_link_pages_are_not_cached_nor_sent_on_as_a_referer(client):
    """The link is the key: its pages (the candidate's scores, answers, buttons that erase) must not
    stay in a browser or proxy cache, where they would outlive an erasure."""
    candidate = ApplicationFactory().candidate
    db.session.commit()
    urls = [f"/privacy/{purpose}/{make_token(candidate, purpose)}" for purpose in LinkPurpose]
    for url in [*urls, "/privacy/scores/not-a-valid-token"]:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert response.headers["Cache-Control"] == "no-store", url
        assert response.headers["Referrer-Policy"] == "no-referrer", url
        assert response.headers["X-Robots-Tag"] == "noindex", url
    assert client.get("/privacy/request").headers.get("Referrer-Policy") != "no-referrer"


def test_keep_my_application_extends_the_retention_date(client):
    candidate = ApplicationFactory().candidate
    candidate.retain_until = utcnow() + timedelta(days=3)
    db.session.commit()
    url = f"/privacy/keep/{make_token(candidate, LinkPurpose.KEEP)}"
    assert client.get(url).status_code == 200
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).retain_until < utcnow() + timedelta(days=4)  # type: ignore[union-attr]
    assert client.post(url).status_code == 200
    db.session.expire_all()
    kept = db.session.get(Candidate, candidate.id)
    assert (
        kept is not None
        and kept.retain_until is not None
        and kept.retain_until > utcnow() + timedelta(days=300)
    )
    [consent] = db.session.execute(
        select(ConsentRecord).where(ConsentRecord.candidate_id == candidate.id)
    ).scalars()
    assert consent.purpose == ConsentPurpose.RETENTION_EXTENSION


def test_withdrawing_consent_erases_unless_a_legal_hold_blocks_it(client):
    held = ApplicationFactory().candidate
    free = ApplicationFactory().candidate
    db.session.commit()
    privacy.record_application_consent(free.id, "/careers/x/apply")
    privacy.place_hold(UserFactory(role=Role.ADMIN), held, "Regulator's request 7")
    held_url = f"/privacy/withdraw/{make_token(held, LinkPurpose.WITHDRAW)}"
    free_url = f"/privacy/withdraw/{make_token(free, LinkPurpose.WITHDRAW)}"

    blocked = client.post(held_url)
    assert blocked.status_code == 200 and "cannot erase your data yet" in blocked.get_data(as_text=True)
    assert db.session.execute(select(Erasure).where(Erasure.candidate_id == held.id)).first() is None

    assert client.get(free_url).status_code == 200  # opening the link changes nothing
    assert db.session.execute(select(Erasure).where(Erasure.candidate_id == free.id)).first() is None
    done = client.post(free_url)
    assert done.status_code == 200 and "has been erased" in done.get_data(as_text=True)
    erasure = db.session.execute(select(Erasure).where(Erasure.candidate_id == free.id)).scalar_one()
    assert erasure.trigger == ErasureTrigger.WITHDRAWAL
    consent = db.session.execute(
        select(ConsentRecord).where(ConsentRecord.candidate_id == free.id)
    ).scalar_one()
    assert consent.withdrawn_at is not None
    # The link died with the erasure (the address changed).
    assert client.post(free_url).status_code == 404


def test_scores_page_explains_and_a_review_request_becomes_a_recruiters_todo(client, auth):
    candidate, world = build_canary_candidate()
    recruiter = world["recruiter"]
    url = f"/privacy/scores/{make_token(candidate, LinkPurpose.SCORES)}"
    page = client.get(url).get_data(as_text=True)
    assert "Why use an application factory in Flask?" in page
    assert "reviews the scores" in page
    assert "Key points covered" in page or "Missed" in page or "Partly covered" in page

    answer_id = int(world["answer_id"])  # type: ignore[call-overload]
    posted = client.post(f"{url}/answers/{answer_id}/review", data={"message": "Please look again"})
    assert posted.status_code == 302
    [request] = db.session.execute(select(ScoreReviewRequest)).scalars()
    assert request.answer_id == answer_id and request.message == "Please look again"
    assert (
        db.session.execute(
            select(Notification).where(Notification.kind == NotificationKind.SCORE_REVIEW_REQUESTED)
        )
        .scalars()
        .first()
        is not None
    )
    # Asking twice makes one request.
    client.post(f"{url}/answers/{answer_id}/review", data={"message": "again"})
    assert db.session.execute(select(func.count()).select_from(ScoreReviewRequest)).scalar_one() == 1

    auth.login(recruiter)  # type: ignore[arg-type]
    home = client.get("/").get_data(as_text=True)
    assert "Scores to review on request" in home and NAME in home
    _, raw = create_api_token(recruiter, "todo", "read")  # type: ignore[arg-type]
    db.session.commit()
    todo = client.get("/api/v1/me/todo", headers={"Authorization": f"Bearer {raw}"}).get_json()
    assert [item["answer_id"] for item in todo["score_reviews"]] == [answer_id]
    assert todo["score_reviews"][0]["candidate"]["full_name"] == NAME
    answer = db.session.get(AssessmentAnswer, answer_id)
    assessments.override_score(recruiter, answer, 4.5, "Reviewed on the candidate's request")  # type: ignore[arg-type]
    assert (
        NAME
        not in client.get("/")
        .get_data(as_text=True)
        .split("Scores to review on request")[1]
        .split("</section>")[0]
    )

    # Found in review: once answered, the request stayed "asked" for good: the candidate's page hid
    # the button and asking again returned the answered request, which no to-do showed.
    auth.logout()
    asked = "You asked for a person to review this score."
    assert client.get(url).get_data(as_text=True).count(asked) == 0  # the button is back
    client.post(f"{url}/answers/{answer_id}/review", data={"message": "One more look, please"})
    assert db.session.execute(select(func.count()).select_from(ScoreReviewRequest)).scalar_one() == 2
    assert client.get(url).get_data(as_text=True).count(asked) == 1
    todo = client.get("/api/v1/me/todo", headers={"Authorization": f"Bearer {raw}"}).get_json()
    assert [item["answer_id"] for item in todo["score_reviews"]] == [answer_id]


def test_the_export_explains_each_automatic_score(client, auth):
    candidate, world = build_canary_candidate()
    auth.login(world["recruiter"])  # type: ignore[arg-type]
    response = client.get(f"/candidates/{candidate.id}/privacy/export")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    document = json.loads(archive.read("candidate.json"))
    [assessment] = document["assessments"]
    free_text = next(a for a in assessment["answers"] if a["kind"] == "free_text")
    assert PHRASE in free_text["response"]["text"]
    points = (
        free_text["key_points_covered"]
        + free_text["key_points_partly_covered"]
        + free_text["key_points_missed"]
    )
    assert len(points) == 2 and free_text["reviewed_by_person"] is True
    assert any(name.startswith("files/") for name in archive.namelist())
    assert document["applications"][0]["interview_feedback"] == []  # none by default
    privacy.update_settings(UserFactory(role=Role.ADMIN), {"export_includes_feedback": True})
    document = json.loads(
        zipfile.ZipFile(io.BytesIO(client.get(f"/candidates/{candidate.id}/privacy/export").data)).read(
            "candidate.json"
        )
    )
    assert any(app["interview_feedback"] for app in document["applications"])


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.ADMIN, 200), (Role.RECRUITER, 200), (Role.HIRING_MANAGER, 403), (Role.INTERVIEWER, 403)],
)
def test_who_sees_the_privacy_record_page(client, auth, role, status):
    candidate = ApplicationFactory().candidate
    db.session.commit()
    auth.login(role)
    assert client.get(f"/candidates/{candidate.id}/privacy").status_code == status
    assert client.get(f"/candidates/{candidate.id}/privacy/export").status_code == status
    erased = client.post(f"/candidates/{candidate.id}/privacy/erase", data={"erase-reason": "asked by email"})
    assert erased.status_code == (302 if status == 200 else 403)


def test_staff_pages_erase_and_hold(client, auth):
    candidate = ApplicationFactory().candidate
    db.session.commit()
    admin = auth.login(Role.ADMIN)
    held = client.post(f"/candidates/{candidate.id}/privacy/hold", data={"hold-reason": "Pending claim"})
    assert held.status_code == 302
    refused = client.post(f"/candidates/{candidate.id}/privacy/erase", data={"erase-reason": "asked"})
    assert refused.status_code == 409 and "legal hold" in refused.get_data(as_text=True)
    page = client.get(f"/candidates/{candidate.id}/privacy").get_data(as_text=True)
    assert "On legal hold" in page and "Pending claim" in page
    assert client.post(f"/candidates/{candidate.id}/privacy/release-hold").status_code == 302
    assert (
        client.post(f"/candidates/{candidate.id}/privacy/erase", data={"erase-reason": "asked"}).status_code
        == 302
    )
    erasure = db.session.execute(select(Erasure).where(Erasure.candidate_id == candidate.id)).scalar_one()
    assert erasure.erased_by_id == admin.id
    assert "Personal data erased" in client.get(f"/candidates/{candidate.id}/privacy").get_data(as_text=True)
    empty = client.post(f"/candidates/{candidate.id}/privacy/hold", data={"hold-reason": ""})
    assert empty.status_code == 422


def test_forms_need_the_csrf_token(app, client, auth):
    candidate = ApplicationFactory().candidate
    db.session.commit()
    auth.login(Role.ADMIN)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/candidates/{candidate.id}/privacy/erase", data={"erase-reason": "asked"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code in (400, 422)
    assert db.session.execute(select(Erasure)).first() is None


def test_admin_page_previews_runs_and_logs_retention(client, auth):
    due = ApplicationFactory().candidate
    due.retain_until = utcnow() - timedelta(days=100)
    db.session.commit()
    auth.login(Role.ADMIN)
    page = client.get("/admin/privacy").get_data(as_text=True)
    assert due.full_name in page and "erase" in page
    assert client.post("/admin/privacy/retention-runs", data={"dry_run": "1"}).status_code == 302
    assert db.session.execute(select(Erasure)).first() is None
    assert client.post("/admin/privacy/retention-runs", data={"dry_run": "0"}).status_code == 302
    assert db.session.execute(select(Erasure.candidate_id)).scalars().all() == [due.id]
    runs = db.session.execute(select(RetentionRun).order_by(RetentionRun.id)).scalars().all()
    assert [(run.dry_run, run.erased) for run in runs] == [(True, 1), (False, 1)]
    settings = client.post("/admin/privacy/settings", data={"retention_notice_days": "0"})
    assert settings.status_code == 422


def test_the_retention_task_is_scheduled_and_spares_the_hired_and_the_held(app):
    assert app.config["CELERY"]["beat_schedule"]["enforce-retention"]["task"] == enforce_retention.name
    past = utcnow() - timedelta(days=100)
    hired_application = ApplicationFactory()
    hired_application.stage = next(s for s in hired_application.opening.stages if s.kind == "hired")
    hired_application.candidate.retain_until = past
    held = ApplicationFactory().candidate
    held.retain_until = past
    due = ApplicationFactory().candidate
    due.retain_until = past
    db.session.commit()
    privacy.place_hold(UserFactory(role=Role.ADMIN), held, "Litigation")
    result = enforce_retention.apply().get()
    assert result == {"notices_sent": 0, "erased": 1, "held": 1}
    assert db.session.execute(select(Erasure.candidate_id)).scalars().all() == [due.id]


def test_multiple_choice_explanations_do_not_reveal_the_answer_key():
    from types import SimpleNamespace

    from hirewise.privacy.explanations import explain_answer

    def answer(points: float) -> SimpleNamespace:
        return SimpleNamespace(
            id=1,
            question=SimpleNamespace(prompt="Which status code means Created?", kind="multiple_choice"),
            response={"selected": ["shown-a"]},
            auto_points=points,
            max_points=2.0,
            final_points=points,
            override_points=None,
            scorer="choice",
            explanation={
                "kind": "multiple_choice",
                "selected": ["real-a"],
                "correct": ["real-b"],
                "rule": "full points only for exactly the correct option(s)",
                "rationale": "Chose real-a; correct: real-b.",
            },
        )

    wrong = explain_answer(answer(0.0))  # type: ignore[arg-type]
    assert "real-b" not in json.dumps(wrong) and wrong["rationale"] == "Your choice was not correct."
    assert explain_answer(answer(2.0))["rationale"] == "Your choice was correct."  # type: ignore[arg-type]


def test_an_erased_candidate_is_not_edited_emailed_noted_on_or_added_again():
    recruiter = UserFactory(role=Role.RECRUITER)
    application = ApplicationFactory()
    candidate = application.candidate
    privacy.erase_candidate(recruiter, candidate, reason="The candidate asked.")
    attempts = (
        lambda: candidate_services.update_candidate(
            recruiter, candidate, full_name="Back Again", email="back@example.com"
        ),
        lambda: candidate_services.add_note(recruiter, candidate, "Still here?", application.id),
        lambda: candidate_services.email_candidate(recruiter, candidate, "Hello", "Are you there?"),
        lambda: candidate_services.add_application(recruiter, candidate, OpeningFactory()),
    )
    for attempt in attempts:
        with pytest.raises(Conflict, match="erased"):
            attempt()
