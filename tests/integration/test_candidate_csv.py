"""CSV export of an opening's applications and all-or-nothing CSV import of candidates."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from hirewise.auth.models import Role
from hirewise.candidates.models import Application, ApplicationSource, Candidate
from hirewise.candidates.transfer import export_applications_csv, import_candidates_csv
from hirewise.errors import PermissionDenied, ValidationFailed
from hirewise.extensions import db
from tests.factories import ApplicationFactory, CandidateFactory, OpeningFactory, UserFactory

GOOD_CSV = (
    "full_name,email,phone,links,source\n"
    "Ada Lovelace,ada@example.com,+44 1,https://ada.dev;https://github.com/ada,referral\n"
    "Grace Hopper,GRACE@example.com,,,\n"
)


def count(model) -> int:
    return db.session.execute(select(func.count(model.id))).scalar_one()


def test_export_lists_visible_applications_with_skills_and_defuses_formulas(client, auth):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    ApplicationFactory(
        opening=opening,
        candidate=CandidateFactory(full_name='=HYPERLINK("http://evil")', phone="+1 555"),
        detected_skills=[{"skill_id": 1, "skill": "Flask core", "keyword": "flask", "snippet": "x"}],
    )
    ApplicationFactory(opening=opening, candidate=CandidateFactory(full_name="Zed Last"))
    ApplicationFactory(candidate=CandidateFactory(full_name="Other Opening"))
    response = client.get(f"/openings/{opening.id}/applications.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f'filename="{opening.slug}-applications.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["name", "email", "phone", "stage", "source", "applied_at", "detected_skills"]
    assert len(rows) == 3
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["name"] == '\'=HYPERLINK("http://evil")'
    assert first["phone"] == "'+1 555"
    assert first["stage"] == "Applied" and first["source"] == "careers"
    assert first["detected_skills"] == "Flask core"
    assert rows[2][0] == "Zed Last"


def test_export_refuses_a_hiring_manager_off_the_team():
    with pytest.raises(PermissionDenied):
        export_applications_csv(UserFactory(role=Role.HIRING_MANAGER), OpeningFactory().id)


def test_import_creates_candidates_and_applications(client, auth):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    known = CandidateFactory(email="known@example.com", full_name="Known Person")
    body = GOOD_CSV + "Known Again,known@example.com,,,sourced\n"
    response = client.post(
        f"/openings/{opening.id}/applications/import",
        data={"file": (io.BytesIO(("\ufeff" + body).encode()), "people.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Imported 3 candidate(s): 2 new, 1 already known." in response.get_data(as_text=True)
    ada = db.session.execute(select(Candidate).where(Candidate.email == "ada@example.com")).scalar_one()
    assert ada.links == ["https://ada.dev", "https://github.com/ada"]
    sources = dict(
        db.session.execute(
            select(Candidate.email, Application.source)
            .join(Application.candidate)
            .where(Application.opening_id == opening.id)
        ).all()
    )
    assert sources == {
        "ada@example.com": ApplicationSource.REFERRAL,
        "grace@example.com": ApplicationSource.IMPORT,
        "known@example.com": ApplicationSource.SOURCED,
    }
    db.session.expire_all()
    assert db.session.get(Candidate, known.id).full_name == "Known Person"


def test_import_reports_every_bad_row_and_imports_nothing(client, auth):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    ApplicationFactory(opening=opening, candidate=CandidateFactory(email="already@example.com"))
    body = (
        "full_name,email,phone,links,source\n"
        "Fine Person,fine@example.com,,,\n"
        ",noname@example.com,,,\n"
        "Bad Email,not-an-email,,,\n"
        "Bad Link,link@example.com,,javascript:alert(1),\n"
        "Bad Source,source@example.com,,,carrier-pigeon\n"
        "Twice,fine@example.com,,,\n"
        "Applied,already@example.com,,,\n"
        "<script>alert(1)</script>,xss@example.com,,,\n"
    )
    before = count(Candidate)
    response = client.post(
        f"/openings/{opening.id}/applications/import",
        data={"file": (io.BytesIO(body.encode()), "people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "6 rows have errors; nothing was imported." in page
    for line in (
        "Row 3: Full name is required.",
        "Row 4: Enter a valid email address.",
        "Row 5: Not a web address",
        "Row 6: Source must be one of",
        "Row 7: Same email as row 2.",
        "Row 8: already@example.com is already in the pipeline",
    ):
        assert line in page, line
    assert "Row 2" not in page and "Row 9" not in page
    assert count(Candidate) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,mail\nA,a@example.com\n", "missing: full_name, email"),
        (b"full_name,email\n", "no rows to import"),
        ("full_name,email\nJos\xe9,j@example.com\n".encode("latin-1"), "UTF-8"),
        (b"full_name,email\n" + b"A,a@example.com\n" * 2001, "at most 2000 rows"),
    ],
)
def test_import_refuses_unusable_files(content, message):
    recruiter = UserFactory(role=Role.RECRUITER)
    with pytest.raises(ValidationFailed, match=message):
        import_candidates_csv(recruiter, OpeningFactory(), content)


def test_import_needs_permission():
    manager = UserFactory(role=Role.HIRING_MANAGER)
    with pytest.raises(PermissionDenied):
        import_candidates_csv(manager, OpeningFactory(team=[manager]), GOOD_CSV.encode())
