"""CSV export of an opening's applications and CSV import of candidates with a per-row report."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from hirewise.auth.models import Role
from hirewise.candidates.models import Application, ApplicationSource, Candidate
from hirewise.candidates.transfer import export_applications_csv
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
    assert response.get_data().startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))
    assert rows[0] == ["name", "email", "phone", "links", "stage", "source", "applied_at", "detected_skills"]
    assert len(rows) == 3
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["name"] == '\'=HYPERLINK("http://evil")'
    assert first["phone"] == "+1 555"  # a phone number, not a formula: left readable
    assert first["stage"] == "Applied" and first["source"] == "careers"
    assert first["detected_skills"] == "Flask core"
    assert rows[2][0] == "Zed Last"


def test_export_refuses_a_hiring_manager_off_the_team():
    with pytest.raises(PermissionDenied):
        export_applications_csv(UserFactory(role=Role.HIRING_MANAGER), OpeningFactory().id)


def test_import_creates_candidates_and_applications():
    recruiter = UserFactory(role=Role.RECRUITER)
    opening = OpeningFactory()
    known = CandidateFactory(email="known@example.com", full_name="Known Person")
    body = GOOD_CSV + "Known Again,known@example.com,,,sourced\n"
    run = run_import("\ufeff" + body, opening, recruiter)
    assert (run.created_count, run.merged_count, run.skipped_count, run.error_count) == (2, 1, 0, 0)
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


def test_import_reports_every_bad_row_and_imports_the_good_ones(client, auth):
    recruiter = auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    ApplicationFactory(opening=opening, candidate=CandidateFactory(email="already@example.com"))
    body = (
        "full_name,email,phone,links,source\n"
        "Fine Person,fine@example.com,,,\n"
        ",noname@example.com,,,\n"
        "Bad Email,not-an-email,,,\n"
        "Bad Link,link@example.com,,javascript:alert(1),\n"
        "Odd Source,source@example.com,,,carrier-pigeon\n"
        "Twice,fine@example.com,,,\n"
        "Applied,already@example.com,,,\n"
        "<script>alert(1)</script>,xss@example.com,,,\n"
    )
    before = count(Candidate)
    run = run_import(body, opening, recruiter)
    assert [(p["line"], p["column"], p["message"][:20]) for p in run.report["errors"]] == [
        (3, "full_name", "Full name is require"),
        (4, "email", "Enter a valid email "),
        (5, "links", "Not a web address (h"),
    ]
    assert [(row["line"], row["reason"]) for row in run.report["skipped"]] == [
        (7, "same email as line 2"),
        (8, "already in this opening"),
    ]
    # An unknown source is kept in a note, the application counted as "other".
    odd = db.session.execute(select(Candidate).where(Candidate.email == "source@example.com")).scalar_one()
    assert odd.applications[0].source == ApplicationSource.OTHER
    assert count(Candidate) == before + 3
    page = client.get(f"/imports/{run.id}").get_data(as_text=True)
    assert "<td>5</td><td>links</td>" in page


def run_import(body: str | bytes, opening, user):
    from hirewise.candidates import importing
    from hirewise.candidates.import_models import ImportRun

    content = body.encode() if isinstance(body, str) else body
    run = importing.upload_import(user, opening, "people.csv", content)
    importing.start_import(user, run, run.mapping)
    db.session.expire_all()
    return db.session.get(ImportRun, run.id)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"full_name,email\n", "no rows to import"),
        (b"\x00\x01binary", "not a text file"),
    ],
)
def test_import_refuses_unusable_files(content, message):
    from hirewise.candidates.importing import upload_import

    recruiter = UserFactory(role=Role.RECRUITER)
    with pytest.raises(ValidationFailed, match=message):
        upload_import(recruiter, OpeningFactory(), "people.csv", content)


def test_a_cp1252_file_is_read_not_refused():
    recruiter = UserFactory(role=Role.RECRUITER)
    run = run_import("full_name,email\nJos\xe9,j@example.com\n".encode("cp1252"), OpeningFactory(), recruiter)
    assert run.encoding == "cp1252" and run.created_count == 1
    assert (
        db.session.execute(select(Candidate.full_name).where(Candidate.email == "j@example.com")).scalar_one()
        == "José"
    )


def test_import_needs_permission():
    from hirewise.candidates.importing import upload_import

    manager = UserFactory(role=Role.HIRING_MANAGER)
    with pytest.raises(PermissionDenied):
        upload_import(manager, OpeningFactory(team=[manager]), "people.csv", GOOD_CSV.encode())
