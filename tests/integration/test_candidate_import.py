"""Importing candidates: other trackers' CSV, a semicolon cp1252 file and JSON Resume, through the
pages (with CSRF) and the API; duplicates merged or skipped, never added twice; our export re-imports
unchanged; and the number of SQL statements does not grow with the number of rows."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, event, func, select, update

from hirewise.auth.models import Role
from hirewise.auth.services import create_api_token
from hirewise.candidates import importing
from hirewise.candidates.import_models import ImportRun, ImportStatus
from hirewise.candidates.models import Application, ApplicationSource, Candidate, Note, StageMove
from hirewise.errors import Conflict, PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.openings.models import Opening
from hirewise.tasks.models import BackgroundTask
from tests.factories import ApplicationFactory, CandidateFactory, OpeningFactory, UserFactory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def by_email(email: str) -> Candidate:
    return db.session.execute(select(Candidate).where(Candidate.email == email)).scalar_one()


def application_of(candidate: Candidate, opening: Opening) -> Application:
    return db.session.execute(
        select(Application).where(
            Application.candidate_id == candidate.id, Application.opening_id == opening.id
        )
    ).scalar_one()


def notes_of(candidate: Candidate) -> str:
    return "\n".join(db.session.execute(select(Note.body).where(Note.candidate_id == candidate.id)).scalars())


def count(model: Any) -> int:
    return db.session.execute(select(func.count(model.id))).scalar_one()


# What each fixture gives, whichever way it is imported: created, merged, skipped, errors by (line, column).
EXPECTED = {
    "greenhouse.csv": (2, 1, 0, [(4, "Email")]),
    "opencats.csv": (2, 0, 1, [(4, "First Name"), (5, "Date Created")]),
    "semicolon_cp1252.csv": (2, 0, 0, [(4, "Applied")]),
    "resumes.json": (2, 0, 0, [(3, "email")]),
}
DETECTED = {
    "greenhouse.csv": ("csv", "utf-8", ","),
    "opencats.csv": ("csv", "utf-8", ","),
    "semicolon_cp1252.csv": ("csv", "cp1252", ";"),
    "resumes.json": ("json", "utf-8", ""),
}


def check_imported(name: str, opening: Opening, report: dict[str, Any]) -> None:
    """The rows of each fixture landed as they should, with the report naming every bad row."""
    created, merged, skipped, errors = EXPECTED[name]
    assert [(item["line"], item["column"]) for item in report["errors"]] == errors
    assert all(item["message"] for item in report["errors"])
    assert (len(report["merged"]), len(report["skipped"])) == (merged, skipped)
    if name == "greenhouse.csv":
        ada = by_email("ada@example.com")
        assert (ada.full_name, ada.phone) == ("Ada Lovelace", "+48 601 234 567")
        assert ada.links == ["https://ada.dev", "https://www.linkedin.com/in/ada"]
        application = application_of(ada, opening)
        assert application.source == ApplicationSource.SOURCED
        assert application.stage.name == "Applied"
        assert application.applied_at.isoformat() == "2024-03-15T09:30:00+00:00"
        assert "Tags: Python, Flask" in notes_of(ada)
        assert "Stage in the imported file: Application Review" in notes_of(ada)
        assert application_of(by_email("grace@example.com"), opening).stage.name == "Screen"
        assert report["merged"][0]["email"] == "known@example.com" and report["merged"][0]["line"] == 5
        assert report["errors"][0]["message"] == "Enter a valid email address."
    elif name == "opencats.csv":
        linus = by_email("linus@example.org")
        assert (linus.full_name, linus.phone) == ("Linus Torvalds", "+1 (503) 555-0100")
        assert linus.links == ["https://kernel.example.org"]
        assert by_email("margaret@example.org").phone == "617-555-0199"
        assert application_of(by_email("margaret@example.org"), opening).source == ApplicationSource.CAREERS
        assert application_of(linus, opening).applied_at.date().isoformat() == "2024-03-15"
        assert report["skipped"] == [
            {"line": 6, "email": "linus@example.org", "candidate_id": None, "reason": "same email as line 2"}
        ]
    elif name == "semicolon_cp1252.csv":
        zoe = by_email("zoe@example.de")
        assert zoe.full_name == "Zoë Müller"
        assert "\u201eSehr gut\u201c \u2013 Gehalt 70.000 \u20ac" in notes_of(zoe)  # cp1252-only characters
        assert by_email("francois@example.fr").full_name == "François Côté"
        assert application_of(zoe, opening).applied_at.date().isoformat() == "2024-03-15"
    else:
        richard = by_email("richard@example.com")
        assert richard.links == ["https://richardhendricks.example.com", "https://github.com/rhendricks"]
        notes = notes_of(richard)
        assert "Work: CEO/President at Pied Piper (2013-12-01 to 2014-12-01)" in notes
        assert "Education: Bachelor Information Technology at University of Oklahoma" in notes
        assert "Tags: Web Development, Compression" in notes
        assert by_email("dinesh@example.com").full_name == "Dinesh Chugtai"
    assert created >= 0


# --- through the pages ------------------------------------------------------------------------------


def csrf_from(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_shape_imports_through_the_pages(client: FlaskClient, auth, request, name: str) -> None:
    auth.login(Role.RECRUITER)
    request.getfixturevalue("csrf_enabled")  # after signing in: the login form is posted without it
    opening = OpeningFactory()
    CandidateFactory(email="known@example.com", full_name="Known Person", phone="")
    listing = client.get(f"/openings/{opening.id}/applications").get_data(as_text=True)
    refused = client.post(
        f"/openings/{opening.id}/imports",
        data={"file": (io.BytesIO(fixture(name)), name)},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400  # no CSRF token
    uploaded = client.post(
        f"/openings/{opening.id}/imports",
        data={"file": (io.BytesIO(fixture(name)), name), "csrf_token": csrf_from(listing)},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    mapping_page = client.get(uploaded.headers["Location"])
    page = mapping_page.get_data(as_text=True)
    assert "Which column is which?" in page
    run = db.session.execute(select(ImportRun).order_by(ImportRun.id.desc())).scalars().first()
    assert (run.kind, run.encoding, run.delimiter) == DETECTED[name]
    assert run.status == ImportStatus.MAPPING
    first_preview_cell = {
        "greenhouse.csv": "41234001",
        "opencats.csv": "Linus",
        "semicolon_cp1252.csv": "Zoë Müller",
        "resumes.json": "Richard Hendricks",
    }[name]
    assert first_preview_cell in page
    # The suggested mapping is selected in the form; submit it as the page offers it.
    chosen = re.findall(r'<select id="mapping-\d+" name="mapping">(.*?)</select>', page, re.S)
    mapping = [re.search(r'<option value="([a-z_]+)" selected>', options).group(1) for options in chosen]
    assert mapping == run.mapping
    started = client.post(
        f"/imports/{run.id}/start",
        data={"mapping": mapping, "csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    assert started.status_code == 200
    report_page = started.get_data(as_text=True)
    created, merged, skipped, errors = EXPECTED[name]
    assert f"{created} new, {merged} merged, {skipped} skipped, {len(errors)} with errors" in report_page
    status = client.get(f"/imports/{run.id}/status").get_json()
    assert status["status"] == "done" and status["percent"] == 100 and status["finished"]
    assert (status["created"], status["merged"], status["skipped"], status["errors"]) == (
        created,
        merged,
        skipped,
        len(errors),
    )
    db.session.expire_all()
    run = db.session.get(ImportRun, run.id)
    for problem in run.report["errors"]:
        assert f"<td>{problem['line']}</td><td>{problem['column']}</td>" in report_page
    check_imported(name, opening, run.report)
    assert "Recent imports" in client.get(f"/openings/{opening.id}/applications").get_data(as_text=True)


def test_a_wrong_mapping_is_answered_with_the_form_and_the_reason(client: FlaskClient, auth) -> None:
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    uploaded = client.post(
        f"/openings/{opening.id}/imports",
        data={"file": (io.BytesIO(fixture("opencats.csv")), "opencats.csv")},
        content_type="multipart/form-data",
    )
    run_id = int(uploaded.headers["Location"].rsplit("/", 1)[1])
    columns = len(db.session.get(ImportRun, run_id).headers)
    response = client.post(f"/imports/{run_id}/start", data={"mapping": ["ignore"] * columns})
    assert response.status_code == 422
    assert "Choose the column that holds the email address." in response.get_data(as_text=True)
    assert db.session.get(ImportRun, run_id).status == ImportStatus.MAPPING


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("people.xlsx", b"PK\x03\x04", "save a spreadsheet as CSV"),
        ("people.csv", b"PK\x03\x04\x00\x00binary", "not a text file"),
        ("people.csv", b"   \n", "The file is empty."),
        ("people.csv", b"name,email\n", "no rows to import"),
        ("people.json", b'{"name": "x"}', "JSON Resume object"),
        ("people.json", b"{not json", "malformed"),
        ("people.csv", b"name,email\n" + b"A,a@example.com\n" * 340_000, "larger than 5 MB"),
    ],
)
def test_unusable_files_are_refused_with_the_reason(client: FlaskClient, auth, filename, content, message):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    response = client.post(
        f"/openings/{opening.id}/imports",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert message in response.get_data(as_text=True)
    assert count(ImportRun) == 0


def test_only_staff_who_may_edit_the_opening_import_or_see_an_import(client: FlaskClient, auth) -> None:
    opening = OpeningFactory()
    recruiter = UserFactory(role=Role.RECRUITER)
    run = importing.upload_import(recruiter, opening, "people.csv", b"name,email\nA,a@example.com\n")
    manager = auth.login(Role.HIRING_MANAGER)
    opening.team.append(manager)
    db.session.commit()
    upload = client.post(
        f"/openings/{opening.id}/imports",
        data={"file": (io.BytesIO(b"name,email\nA,a@example.com\n"), "p.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 403
    assert client.get(f"/imports/{run.id}").status_code == 403
    assert client.get(f"/imports/{run.id}/status").status_code == 403
    assert client.post(f"/imports/{run.id}/start", data={"mapping": run.mapping}).status_code == 403
    with pytest.raises(PermissionDenied):
        importing.start_import(manager, run, run.mapping)


# --- through the API --------------------------------------------------------------------------------


@pytest.fixture
def bearer() -> dict[str, str]:
    _, raw = create_api_token(UserFactory(role=Role.RECRUITER), "import", "read,write")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_shape_imports_through_the_api(client: FlaskClient, bearer, name: str) -> None:
    opening = OpeningFactory()
    CandidateFactory(email="known@example.com", full_name="Known Person", phone="")
    uploaded = client.post(
        f"/api/v1/imports?opening_id={opening.id}",
        data={"file": (io.BytesIO(fixture(name)), name)},
        content_type="multipart/form-data",
        headers=bearer,
    )
    assert uploaded.status_code == 201, uploaded.get_json()
    body = uploaded.get_json()
    assert (body["kind"], body["encoding"], body["delimiter"]) == DETECTED[name]
    assert body["status"] == "mapping" and body["opening_id"] == opening.id
    assert len(body["suggested_mapping"]) == len(body["headers"]) and body["preview"]
    assert "email" in body["suggested_mapping"]
    started = client.post(
        f"/api/v1/imports/{body['id']}/start", json={"mapping": body["suggested_mapping"]}, headers=bearer
    )
    assert started.status_code == 202, started.get_json()
    done = client.get(f"/api/v1/imports/{body['id']}", headers=bearer).get_json()
    created, merged, skipped, errors = EXPECTED[name]
    assert done["status"] == "done" and done["percent"] == 100
    assert (done["created_count"], done["merged_count"], done["skipped_count"], done["error_count"]) == (
        created,
        merged,
        skipped,
        len(errors),
    )
    check_imported(name, opening, done["report"])
    again = client.post(
        f"/api/v1/imports/{body['id']}/start", json={"mapping": body["suggested_mapping"]}, headers=bearer
    )
    assert again.status_code == 409


def test_the_api_refuses_a_bad_mapping_and_a_bad_file(client: FlaskClient, bearer) -> None:
    uploaded = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(b"first name,email\nAda,ada@example.com\n"), "people.csv")},
        content_type="multipart/form-data",
        headers=bearer,
    ).get_json()
    assert uploaded["opening_id"] is None and uploaded["suggested_mapping"] == ["first_name", "email"]
    wrong = client.post(
        f"/api/v1/imports/{uploaded['id']}/start", json={"mapping": ["first_name"]}, headers=bearer
    )
    assert wrong.status_code == 422
    assert wrong.get_json()["error"]["details"] == {"mapping": ["Give a target for each of the 2 columns."]}
    unknown = client.post(
        f"/api/v1/imports/{uploaded['id']}/start",
        json={"mapping": ["first_name", "shoe_size"]},
        headers=bearer,
    )
    assert unknown.status_code == 422
    binary = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(b"\x00\x01\x02"), "people.csv")},
        content_type="multipart/form-data",
        headers=bearer,
    )
    assert binary.status_code == 422 and "not a text file" in binary.get_json()["error"]["message"]
    assert client.get("/api/v1/imports/999999", headers=bearer).status_code == 404
    # Without an opening, the people are added and no application is made.
    client.post(
        f"/api/v1/imports/{uploaded['id']}/start", json={"mapping": ["first_name", "email"]}, headers=bearer
    )
    ada = by_email("ada@example.com")
    assert ada.full_name == "Ada" and ada.applications == []


# --- slash dates: never read in an order the file does not show ---------------------------------

EUROPEAN = b"Name;Email;Applied\nAda Lovelace;ada@example.com;03/04/2024\nBo Berg;bo@example.com;25/04/2024\n"
UNDECIDED = (
    b"Name,Email,Applied\nAda Lovelace,ada@example.com,03/04/2024\nBo Berg,bo@example.com,05/06/2024\n"
)


def test_day_first_dates_are_read_day_first_through_the_pages(client: FlaskClient, auth) -> None:
    """Found: 03/04/2024 from a European file became March 4 (read as a US date)."""
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    uploaded = client.post(
        f"/openings/{opening.id}/imports",
        data={"file": (io.BytesIO(EUROPEAN), "people.csv")},
        content_type="multipart/form-data",
    )
    page = client.get(uploaded.headers["Location"]).get_data(as_text=True)
    assert '<option value="applied_at_day_first" selected>' in page
    run_id = int(uploaded.headers["Location"].rsplit("/", 1)[1])
    mapping = db.session.get(ImportRun, run_id).mapping
    client.post(f"/imports/{run_id}/start", data={"mapping": mapping})
    ada = application_of(by_email("ada@example.com"), opening)
    assert ada.applied_at.date().isoformat() == "2024-04-03"


def test_dates_that_could_be_either_order_are_asked_about_not_guessed(client: FlaskClient, auth) -> None:
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    uploaded = client.post(
        f"/openings/{opening.id}/imports",
        data={"file": (io.BytesIO(UNDECIDED), "people.csv")},
        content_type="multipart/form-data",
    )
    run_id = int(uploaded.headers["Location"].rsplit("/", 1)[1])
    assert db.session.get(ImportRun, run_id).mapping == ["full_name", "email", "applied_at"]
    asked = client.post(f"/imports/{run_id}/start", data={"mapping": ["full_name", "email", "applied_at"]})
    assert asked.status_code == 422
    assert "a date such as 03/04/2024 can be read day first or month first" in asked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ImportRun, run_id).status == ImportStatus.MAPPING and count(Candidate) == 0
    client.post(
        f"/imports/{run_id}/start", data={"mapping": ["full_name", "email", "applied_at_month_first"]}
    )
    ada = application_of(by_email("ada@example.com"), opening)
    assert ada.applied_at.date().isoformat() == "2024-03-04"


def test_the_api_asks_for_the_date_order_too(client: FlaskClient, bearer) -> None:
    opening = OpeningFactory()
    body = client.post(
        f"/api/v1/imports?opening_id={opening.id}",
        data={"file": (io.BytesIO(UNDECIDED), "people.csv")},
        content_type="multipart/form-data",
        headers=bearer,
    ).get_json()
    assert body["suggested_mapping"] == ["full_name", "email", "applied_at"]
    asked = client.post(
        f"/api/v1/imports/{body['id']}/start", json={"mapping": body["suggested_mapping"]}, headers=bearer
    )
    assert asked.status_code == 422
    assert "can be read day first or month first" in asked.get_json()["error"]["details"]["mapping"][0]
    started = client.post(
        f"/api/v1/imports/{body['id']}/start",
        json={"mapping": ["full_name", "email", "applied_at_day_first"]},
        headers=bearer,
    )
    assert started.status_code == 202
    bo = application_of(by_email("bo@example.com"), opening)
    assert bo.applied_at.date().isoformat() == "2024-06-05"


# --- duplicates ----------------------------------------------------------------------------------


def run_file(content: bytes, opening: Opening | None, user=None, filename: str = "people.csv") -> ImportRun:
    user = user or UserFactory(role=Role.RECRUITER)
    run = importing.upload_import(user, opening, filename, content)
    importing.start_import(user, run, run.mapping)
    db.session.expire_all()
    return db.session.get(ImportRun, run.id)


def test_known_people_are_merged_or_skipped_never_duplicated() -> None:
    opening = OpeningFactory()
    elsewhere = CandidateFactory(email="elsewhere@example.com", full_name="Kept Name", phone="", links=[])
    ApplicationFactory(candidate=elsewhere)
    applied = ApplicationFactory(opening=opening, candidate=CandidateFactory(email="applied@example.com"))
    typed_phone = CandidateFactory(email="typed@example.com", phone="+1 555 0100")
    before = count(Candidate)
    content = (
        b"name,email,phone,links\n"
        b"New Person,new@example.com,,\n"
        b"Other Name,ELSEWHERE@example.com,+48 601 234 567,https://kept.example\n"
        b"Applied Again,applied@example.com,,\n"
        b"Typed,typed@example.com,+1 999,\n"
        b"New Twice,new@example.com,,\n"
    )
    run = run_file(content, opening)
    assert run.status == ImportStatus.DONE
    assert (run.created_count, run.merged_count, run.skipped_count, run.error_count) == (1, 2, 2, 0)
    assert count(Candidate) == before + 1
    assert [(row["line"], row["email"]) for row in run.report["merged"]] == [
        (3, "elsewhere@example.com"),
        (5, "typed@example.com"),
    ]
    assert [(row["line"], row["reason"]) for row in run.report["skipped"]] == [
        (4, "already in this opening"),
        (6, "same email as line 2"),
    ]
    db.session.expire_all()
    # A merged candidate keeps what someone typed and gains what it lacked, and joins the opening.
    elsewhere = db.session.get(Candidate, elsewhere.id)
    assert (elsewhere.full_name, elsewhere.phone, elsewhere.links) == (
        "Kept Name",
        "+48 601 234 567",
        ["https://kept.example"],
    )
    assert db.session.get(Candidate, typed_phone.id).phone == "+1 555 0100"
    assert len(application_of(elsewhere, opening).stage_moves) == 1
    assert (
        db.session.execute(
            select(func.count(Application.id)).where(Application.candidate_id == applied.candidate_id)
        ).scalar_one()
        == 1
    )
    # Importing the same file again adds nobody and skips every row already in the opening.
    again = run_file(content, opening)
    assert (again.created_count, again.merged_count, again.skipped_count) == (0, 0, 5)
    assert count(Candidate) == before + 1


def test_a_run_is_started_once() -> None:
    user = UserFactory(role=Role.RECRUITER)
    run = run_file(b"name,email\nA,a@example.com\n", OpeningFactory(), user)
    with pytest.raises(Conflict):
        importing.start_import(user, run, run.mapping)
    assert importing.run_import(run.id) == "skipped"  # a second delivery of the task does nothing


def test_of_two_starts_at_once_only_one_queues_the_import() -> None:
    """Found in review: the start checked the status it had read, so two requests arriving together
    (a double click) both queued the import, which then loaded the file twice."""
    user = UserFactory(role=Role.RECRUITER)
    run = importing.upload_import(user, OpeningFactory(), "people.csv", people_csv(3, 0))
    # The other request started it after this one read the run: this session still sees "mapping".
    db.session.execute(
        update(ImportRun)
        .where(ImportRun.id == run.id)
        .values(status=ImportStatus.QUEUED)
        .execution_options(synchronize_session=False)
    )
    assert run.status == ImportStatus.MAPPING
    with pytest.raises(Conflict):
        importing.start_import(user, run, run.mapping)
    queued = select(func.count()).select_from(BackgroundTask).where(BackgroundTask.name.like("%import%"))
    assert db.session.execute(queued).scalar_one() == 0


def test_a_mapping_needs_an_email_and_a_name() -> None:
    user = UserFactory(role=Role.RECRUITER)
    run = importing.upload_import(user, None, "people.csv", b"a,b\n1,2\n")
    assert run.mapping == ["ignore", "ignore"]
    with pytest.raises(ValidationFailed) as refused:
        importing.start_import(user, run, ["email", "email"])
    assert refused.value.details == {
        "mapping": [
            "Only one column can be email.",
            "Choose the column(s) that hold the name (full name, or first and last name).",
        ]
    }


# --- our own export ----------------------------------------------------------------------------


def export_rows(client: FlaskClient, opening: Opening) -> list[list[str]]:
    response = client.get(f"/openings/{opening.id}/applications.csv")
    assert response.status_code == 200
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # spreadsheet programs then read it as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_our_export_reimports_losslessly(client: FlaskClient, auth) -> None:
    user = auth.login(Role.RECRUITER)
    source = OpeningFactory()
    screen = next(stage for stage in source.stages if stage.name == "Screen")
    ApplicationFactory(
        opening=source,
        candidate=CandidateFactory(
            full_name='=HYPERLINK("http://evil")',
            email="formula@example.com",
            phone="+48 601 234 567",
            links=["https://a.example", "https://b.example/x"],
        ),
        stage=screen,
        source=ApplicationSource.REFERRAL,
    )
    ApplicationFactory(
        opening=source,
        candidate=CandidateFactory(full_name="Zoë Żółć", email="zoe@example.com", phone="-", links=[]),
    )
    ApplicationFactory(
        opening=source, candidate=CandidateFactory(full_name="@mention", email="at@example.com", phone="")
    )
    exported = export_rows(client, source)
    assert exported[0] == [
        "name",
        "email",
        "phone",
        "links",
        "stage",
        "source",
        "applied_at",
        "detected_skills",
    ]
    formula = next(row for row in exported if row[1] == "formula@example.com")
    assert formula[0] == '\'=HYPERLINK("http://evil")'  # guarded
    assert formula[2] == "+48 601 234 567"  # a phone number is not a formula: left readable
    body = client.get(f"/openings/{source.id}/applications.csv").get_data()
    # As if into another installation: the people are known only from the file.
    db.session.execute(delete(Candidate))
    db.session.commit()
    target = OpeningFactory()
    run = run_file(body, target, user, filename=f"{source.slug}-applications.csv")
    assert (run.created_count, run.error_count, run.skipped_count) == (3, 0, 0)
    again = export_rows(client, target)
    assert again == exported
    formula = by_email("formula@example.com")
    assert formula.full_name == '=HYPERLINK("http://evil")' and formula.phone == "+48 601 234 567"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("+48 601 234 567", "+48 601 234 567"),
        ("+1 (503) 555-0100", "+1 (503) 555-0100"),
        ("-", "-"),
        ("=1+1", "'=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+SUM(A1:A2)", "'+SUM(A1:A2)"),
        ("-2+3", "'-2+3"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("\t=1", "'\t=1"),
        ("Ada", "Ada"),
    ],
)
def test_the_formula_guard_leaves_phone_numbers_alone(value: str, written: str) -> None:
    from hirewise.candidates.import_reading import unguard
    from hirewise.candidates.transfer import spreadsheet_safe

    assert spreadsheet_safe(value) == written
    assert unguard(written) == value


# --- speed: statements do not grow with rows -----------------------------------------------------


def people_csv(rows: int, offset: int) -> bytes:
    lines = ["First Name,Last Name,Email,Phone,Source,Tags,Application Date"]
    lines += [
        f"Person,{offset + n},person{offset + n}@example.com,+48 601 {n:06d},referral,a;b,2024-03-15"
        for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def statements_of_import(app: Flask, content: bytes) -> tuple[int, ImportRun]:
    user = UserFactory(role=Role.RECRUITER)
    opening = OpeningFactory()
    # Half the people are known already: the merge path runs too.
    run = importing.upload_import(user, opening, "people.csv", content)
    statements: list[str] = []

    def counted(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        importing.start_import(user, run, run.mapping)
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    db.session.expire_all()
    return len(statements), db.session.get(ImportRun, run.id)


def test_sql_statements_are_constant_in_the_number_of_rows(app: Flask) -> None:
    small_count, small = statements_of_import(app, people_csv(100, 0))
    large_count, large = statements_of_import(app, people_csv(1_000, 10_000))
    assert (small.created_count, large.created_count) == (100, 1_000)
    assert small_count == large_count
    assert count(StageMove) >= 1_100 and count(Note) >= 1_100


def test_the_page_of_a_running_import_shows_its_progress_and_polls(client: FlaskClient, auth) -> None:
    recruiter = auth.login(Role.RECRUITER)
    run = importing.upload_import(recruiter, None, "people.csv", people_csv(100, 0))
    run.status, run.processed_rows = ImportStatus.RUNNING, 40
    db.session.commit()
    page = client.get(f"/imports/{run.id}").get_data(as_text=True)
    assert '<progress id="import-bar" max="100" value="40"' in page
    assert f'data-status-url="/imports/{run.id}/status"' in page and "js/import-progress.js" in page
    assert 'href="/candidates"' in page  # no opening: back to the candidates
    status = client.get(f"/imports/{run.id}/status")
    assert status.headers["Cache-Control"] == "no-store"
    assert status.get_json() == {
        "id": run.id,
        "status": "running",
        "total_rows": 100,
        "processed_rows": 40,
        "percent": 40,
        "created": 0,
        "merged": 0,
        "skipped": 0,
        "errors": 0,
        "finished": False,
        "error": "",
    }


def test_a_failed_import_says_so_and_imports_nothing(client: FlaskClient, auth) -> None:
    recruiter = auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    run = importing.upload_import(recruiter, opening, "people.csv", people_csv(10, 0))
    run.mapping = ["first_name", "last_name", "email", "phone", "source", "tags", "applied_at"]
    run.status = ImportStatus.QUEUED
    run.data = b"\x00 no longer a CSV file"  # what the task reads is broken: it must fail cleanly
    db.session.commit()
    before = count(Candidate)
    assert importing.run_import(run.id) == "failed"
    db.session.expire_all()
    run = db.session.get(ImportRun, run.id)
    assert run.status == ImportStatus.FAILED and "nothing was imported" in run.error
    # A failed run is never retried (the page asks for a new upload): it keeps no copy of the people.
    assert run.data == b""
    assert count(Candidate) == before
    page = client.get(f"/imports/{run.id}").get_data(as_text=True)
    assert "The import failed" in page and "nothing was imported" in page


def test_a_finished_import_keeps_its_report_not_the_file() -> None:
    run = run_file(people_csv(5, 0), OpeningFactory())
    assert run.status == ImportStatus.DONE and run.data == b"" and run.preview


def test_the_mapping_page_names_what_was_detected(client: FlaskClient, auth) -> None:
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    uploaded = client.post(
        f"/openings/{opening.id}/imports",
        data={"file": (io.BytesIO(b"Name\tEmail\nAda\tada@example.com\n"), "people.tsv")},
        content_type="multipart/form-data",
    )
    page = client.get(uploaded.headers["Location"]).get_data(as_text=True)
    assert "CSV · 1 row(s) · encoding utf-8" in " ".join(page.split())
    assert "delimiter tab" in page and f"into {opening.title}" in page
