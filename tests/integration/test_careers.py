"""The public careers pages and the application form, end to end through the real stack."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fpdf import FPDF
from sqlalchemy import func, select

from hirewise.auth.models import Role
from hirewise.candidates.models import Application, ApplicationSource, Candidate, Document
from hirewise.db import utcnow
from hirewise.extensions import db, limiter
from hirewise.mail.models import OutboxMessage, OutboxStatus
from hirewise.openings.models import OpeningStatus
from tests.factories import OpeningFactory

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
DUPLICATE = "You have already applied to this opening with this email address."
# 1x1 PNG: a real image whatever its file name says.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def make_pdf(text: str = "Flask developer: blueprints, SQLAlchemy, Docker.") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Candidate, Application, Document, OutboxMessage)
    }


NOTHING = {"Candidate": 0, "Application": 0, "Document": 0, "OutboxMessage": 0}


def apply(client: Any, slug: str, **overrides: Any) -> Any:
    data: dict[str, Any] = {
        "full_name": "Ada Lovelace",
        "email": "Ada@Example.com",
        "phone": "+44 20 7946 0000",
        "links": "https://github.com/ada\r\nhttps://ada.dev",
        "cover_letter": "I love building Flask apps.",
        "consent": "y",
        "resume": (io.BytesIO(make_pdf()), "ada-cv.pdf", "application/pdf"),
    }
    data.update(overrides)
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(f"/careers/{slug}/apply", data=data, content_type="multipart/form-data")


@pytest.fixture
def opening() -> Any:
    return OpeningFactory(title="Senior Flask Developer", location="Berlin")


def test_index_lists_only_open_openings(client):
    OpeningFactory(title="Open Role", location="Lisbon")
    OpeningFactory(title="Draft Role", status=OpeningStatus.DRAFT)
    OpeningFactory(title="Closed Role", status=OpeningStatus.CLOSED)
    response = client.get("/careers")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Open Role" in page and "Lisbon" in page and "Full time" in page
    assert "Draft Role" not in page and "Closed Role" not in page


def test_index_without_openings_says_so(client):
    assert "no open positions" in client.get("/careers").get_data(as_text=True)


def test_opening_page_renders_sanitised_markdown_and_apply_button(client):
    found = OpeningFactory(description=f"Build **Flask** apps.\n\n{XSS}\n\n[x](javascript:alert(1))")
    page = client.get(f"/careers/{found.slug}").get_data(as_text=True)
    assert "<strong>Flask</strong>" in page
    assert XSS not in page and ESCAPED in page
    assert 'href="javascript' not in page
    assert f'href="/careers/{found.slug}/apply"' in page


@pytest.mark.parametrize("status", [OpeningStatus.DRAFT, OpeningStatus.CLOSED])
def test_unpublished_openings_are_not_found(client, status):
    found = OpeningFactory(status=status)
    for url in (f"/careers/{found.slug}", f"/careers/{found.slug}/apply", f"/careers/{found.slug}/applied"):
        assert client.get(url).status_code == 404
    assert apply(client, found.slug).status_code == 404
    assert counts() == NOTHING
    assert client.get("/careers/no-such-opening").status_code == 404


def test_apply_form_has_consent_retention_notice_and_hidden_honeypot(app, client, opening):
    page = client.get(f"/careers/{opening.slug}/apply").get_data(as_text=True)
    days = app.config["DATA_RETENTION_DAYS"]
    assert f"for {days} days" in page and "erase it" in page
    assert 'name="consent"' in page
    assert 'enctype="multipart/form-data"' in page
    honeypot = re.search(r'<div class="honeypot" aria-hidden="true">.*?</div>', page, re.S)
    assert honeypot is not None
    assert 'name="website"' in honeypot.group(0)
    assert 'tabindex="-1"' in honeypot.group(0) and 'autocomplete="off"' in honeypot.group(0)


def test_apply_with_a_pdf_creates_candidate_application_and_email(app, client, opening):
    response = apply(client, opening.slug)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/careers/{opening.slug}/applied")
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We emailed you a confirmation" in confirmation

    db.session.expire_all()
    candidate = db.session.execute(select(Candidate)).scalar_one()
    assert candidate.email == "ada@example.com"
    assert candidate.full_name == "Ada Lovelace"
    assert candidate.links == ["https://github.com/ada", "https://ada.dev"]
    assert candidate.consent_at is not None
    assert candidate.retain_until is not None
    expected_until = utcnow() + timedelta(days=app.config["DATA_RETENTION_DAYS"])
    assert abs(candidate.retain_until - expected_until) < timedelta(minutes=5)
    application = db.session.execute(select(Application)).scalar_one()
    assert application.opening_id == opening.id
    assert application.stage.name == "Applied"
    assert application.source == ApplicationSource.CAREERS
    assert application.cover_letter == "I love building Flask apps."
    assert application.resume is not None
    assert application.resume.content_type == "application/pdf"
    assert application.resume.filename == "ada-cv.pdf"

    message = db.session.execute(select(OutboxMessage)).scalar_one()
    assert message.to_email == "ada@example.com"
    assert message.template_key == "application_received"
    assert message.candidate_id == candidate.id and message.application_id == application.id
    assert message.status == OutboxStatus.HELD  # embedded mode in tests: kept in the outbox
    assert "Senior Flask Developer" in message.subject
    assert message.body.startswith("Hello Ada Lovelace,")


def test_the_outbox_shows_the_confirmation_email(client, auth, opening):
    apply(client, opening.slug)
    auth.login(Role.RECRUITER)
    page = client.get("/outbox").get_data(as_text=True)
    assert "We received your application for Senior Flask Developer" in page


def test_applying_twice_with_the_same_email_is_a_409(client, opening):
    assert apply(client, opening.slug).status_code == 302
    before = counts()
    response = apply(client, opening.slug, email="  ADA@example.COM ", full_name="Ada L.")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert DUPLICATE in page
    assert 'value="Ada L."' in page  # what the applicant typed is kept
    assert counts() == before


def test_same_person_may_apply_to_another_opening(client, opening):
    other = OpeningFactory()
    assert apply(client, opening.slug).status_code == 302
    assert apply(client, other.slug).status_code == 302
    assert counts() == {"Candidate": 1, "Application": 2, "Document": 2, "OutboxMessage": 2}


def test_filled_honeypot_looks_successful_but_stores_nothing(client, opening):
    response = apply(client, opening.slug, website="http://spam.example")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/careers/{opening.slug}/applied")
    assert counts() == NOTHING


def test_missing_consent_is_a_form_error(client, opening):
    response = apply(client, opening.slug, consent=None, cover_letter="Kept text")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Please agree to the processing of your data to apply." in page
    assert 'value="Ada Lovelace"' in page and "Kept text" in page
    assert "Please choose your file again" in page
    assert counts() == NOTHING


def test_png_renamed_to_pdf_is_refused_clearly(client, opening):
    response = apply(client, opening.slug, resume=(io.BytesIO(PNG), "cv.pdf", "application/pdf"))
    assert response.status_code == 422
    assert "Upload a PDF or Word (.docx) file." in response.get_data(as_text=True)
    assert counts() == NOTHING


def test_wrong_extension_is_refused_before_upload_processing(client, opening):
    response = apply(
        client, opening.slug, resume=(io.BytesIO(b"hello"), "cv.exe", "application/octet-stream")
    )
    assert response.status_code == 422
    assert "Upload a PDF or Word (.docx) file." in response.get_data(as_text=True)
    assert counts() == NOTHING


def test_missing_resume_is_a_form_error(client, opening):
    response = apply(client, opening.slug, resume=None)
    assert response.status_code == 422
    assert "Please attach your résumé." in response.get_data(as_text=True)
    assert counts() == NOTHING


def test_resume_over_the_size_limit_is_refused(app, client, opening):
    just_over = b"%PDF-1.4\n" + b"0" * app.config["MAX_RESUME_BYTES"]
    response = apply(client, opening.slug, resume=(io.BytesIO(just_over), "big.pdf", "application/pdf"))
    assert response.status_code == 422
    assert "larger than 5 MB" in response.get_data(as_text=True)
    assert counts() == NOTHING


TYPED = {
    "full_name": "Grace Hopper",
    "email": "grace@example.com",
    "phone": "+1 555 0100",
    "links": "https://grace.dev",
    "cover_letter": "I wrote the first compiler.\nAnd <b>debugged</b> a moth & more.",
    "consent": "y",
}


def _post_like_a_browser(client, slug: str, resume: bytes) -> Any:
    """The fields in the order of the form on the page, encoded as a browser sends them.

    (The test client's own encoder puts every file after every text field, which a browser does not.)
    """
    page = client.get(f"/careers/{slug}/apply").get_data(as_text=True)
    form = page[page.index("<form") : page.index("</form>")]
    order = list(dict.fromkeys(re.findall(r'name="([a-z_]+)"', form)))
    assert order.index("cover_letter") < order.index("resume")  # typed text travels before the file
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', form
    )
    values = {**TYPED, "csrf_token": (token.group(1) or token.group(2)) if token else ""}
    boundary = "----browserBoundary7MA4YWxkTrZu0gW"
    body = bytearray()
    for name in order:
        if name == "resume":
            body += (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="resume"; filename="grace-cv.pdf"\r\n'
                    "Content-Type: application/pdf\r\n\r\n"
                ).encode()
                + resume
                + b"\r\n"
            )
        elif name in values:
            body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            body += values[name].encode() + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return client.post(
        f"/careers/{slug}/apply", data=bytes(body), content_type=f"multipart/form-data; boundary={boundary}"
    )


@pytest.mark.parametrize(
    ("extra", "consent_kept"),
    [(1024, True), (3 * 1024 * 1024, True), (20 * 1024 * 1024, False)],
    ids=["just-over", "far-over", "beyond-what-is-read-back"],
)
def test_a_too_large_resume_gets_the_form_back_with_everything_typed(
    app, client, opening, csrf_enabled, extra, consent_kept
):
    # A browser without the page's script sends the file; the 413 answer is the form, filled in.
    huge = b"%PDF-1.4\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + extra)
    response = _post_like_a_browser(client, opening.slug, huge)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "a résumé may be at most 5 MB" in page
    form = page[page.index("<form") : page.index("</form>")]
    for name in ("full_name", "email", "phone"):
        assert f'value="{html.escape(TYPED[name])}"' in form, name
    assert html.escape(TYPED["links"]) + "</textarea>" in form
    assert html.escape(TYPED["cover_letter"]) + "</textarea>" in form
    consent = re.search(r'<input[^>]*checked[^>]*name="consent"|<input[^>]*name="consent"[^>]*checked', form)
    assert bool(consent) == consent_kept  # sent after the file: read back only if the body is not huge
    assert "Please choose your file again." in form
    assert 'name="csrf_token"' in form  # a fresh token: the form can be sent again
    assert counts() == NOTHING


def test_the_apply_form_checks_the_file_size_in_the_browser_first(app, client, opening):
    page = client.get(f"/careers/{opening.slug}/apply").get_data(as_text=True)
    assert f'data-max-bytes="{app.config["MAX_RESUME_BYTES"]}"' in page
    assert '<script src="/static/js/upload-limit.js"></script>' in page
    script = client.get("/static/js/upload-limit.js")
    assert script.status_code == 200
    assert b"data-max-bytes" in script.data


def test_upload_over_the_request_limit_gets_a_clear_413(app, client, opening):
    huge = b"%PDF-1.4\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    response = apply(client, opening.slug, resume=(io.BytesIO(huge), "huge.pdf", "application/pdf"))
    assert response.status_code == 413
    assert "a résumé may be at most 5 MB" in response.get_data(as_text=True)
    assert counts() == NOTHING


@pytest.mark.parametrize("links", ["javascript:alert(1)", "ftp://files.example.com/cv", "not a url"])
def test_links_must_be_web_addresses(client, opening, links):
    response = apply(client, opening.slug, links=links)
    assert response.status_code == 422
    assert "Not a web address" in response.get_data(as_text=True)
    assert counts() == NOTHING


def test_post_without_csrf_token_is_rejected(client, opening, csrf_enabled):
    response = apply(client, opening.slug)
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)
    assert counts() == NOTHING


def test_post_with_csrf_token_from_the_form_succeeds(client, opening, csrf_enabled):
    page = client.get(f"/careers/{opening.slug}/apply").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    assert apply(client, opening.slug, csrf_token=token.group(1)).status_code == 302
    assert counts()["Application"] == 1


@pytest.fixture
def strict_apply_limit(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    limiter.reset()
    monkeypatch.setitem(app.config, "APPLY_RATE_LIMIT", "2 per minute")
    try:
        yield
    finally:
        limiter.reset()


def test_third_application_in_a_minute_is_rate_limited(client, opening, strict_apply_limit):
    assert apply(client, opening.slug, email="one@example.com").status_code == 302
    assert apply(client, opening.slug, email="two@example.com").status_code == 302
    response = apply(client, opening.slug, email="three@example.com")
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "too many applications" in page and "try again" in page
    assert "Retry-After" in response.headers
    assert counts()["Application"] == 2
    assert client.get(f"/careers/{opening.slug}/apply").status_code == 200  # reading is not limited


def test_xss_in_application_fields_is_stored_but_escaped(client, auth, opening):
    response = apply(client, opening.slug, full_name=XSS, cover_letter=XSS)
    assert response.status_code == 302
    db.session.expire_all()
    candidate = db.session.execute(select(Candidate)).scalar_one()
    assert candidate.full_name == XSS
    assert db.session.execute(select(Application.cover_letter)).scalar_one() == XSS
    message = db.session.execute(select(OutboxMessage)).scalar_one()
    assert message.body.startswith(f"Hello {XSS},")  # plain-text email: no HTML escaping inside
    auth.login(Role.RECRUITER)
    for url in ("/outbox", f"/outbox/{message.id}"):
        page = client.get(url).get_data(as_text=True)
        assert XSS not in page
        assert ESCAPED in page


def test_xss_in_a_refused_form_is_escaped_on_re_render(client, opening):
    response = apply(client, opening.slug, full_name=XSS, cover_letter=XSS, consent=None)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert XSS not in page
    assert ESCAPED in page
