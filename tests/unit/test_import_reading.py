"""The pure part of imports: encodings, delimiters, header recognition, row checks, dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hirewise.candidates.import_reading import (
    AMBIGUOUS,
    DAY_FIRST,
    MIXED,
    MONTH_FIRST,
    CandidateRecord,
    ImportFileError,
    check_rows,
    column_date_order,
    decode,
    mapping_problems,
    parse_date,
    read_table,
    sniff_delimiter,
    source_value,
    suggest_mapping,
)


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        ("Zoë,z@example.com".encode(), "utf-8", "Zoë,z@example.com"),
        ("\ufeffZoë".encode(), "utf-8-sig", "Zoë"),
        ("Zoë – 5 €".encode("cp1252"), "cp1252", "Zoë – 5 €"),  # noqa: RUF001 - cp1252's own characters
        (b"Zo\xeb \x81", "latin-1", "Zo\xeb \x81"),  # 0x81 is undefined in cp1252
        ("Zoë".encode("utf-16"), "utf-16", "Zoë"),
    ],
)
def test_decode_finds_the_encoding(data: bytes, encoding: str, text: str) -> None:
    assert decode(data) == (text, encoding)


def test_decode_refuses_binary_files() -> None:
    with pytest.raises(ImportFileError, match="not a text file"):
        decode(b"PK\x03\x04\x00\x00")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_sniff_delimiter_over_the_usual_four(delimiter: str) -> None:
    rows = [["Full name", "Email", "Phone"], ["Ada Lovelace", "ada@example.com", "+48 601 234 567"]]
    rows.append(
        ["Grace, Admiral", "grace@example.com", ""] if delimiter != "," else ["Grace", "g@example.com", ""]
    )
    text = "\n".join(delimiter.join(row) for row in rows)
    assert sniff_delimiter(text) == delimiter


def test_a_comma_inside_a_semicolon_file_does_not_fool_the_sniffer() -> None:
    text = "Name;Email;Notes\nAda;ada@example.com;likes a, b, c\nGrace;g@example.com;x\n"
    assert sniff_delimiter(text) == ";"


def test_suggest_mapping_recognises_common_headers() -> None:
    headers = [
        "Candidate ID",
        "First Name",
        "Last Name",
        "E-Mail",
        "2nd E-Mail",
        "Cell Phone",
        "Work Phone",
        "LinkedIn",
        "Web Site",
        "Tags",
        "Source",
        "Date Created",
        "Current Stage",
        "Email",
    ]
    assert suggest_mapping(headers) == [
        "ignore",
        "first_name",
        "last_name",
        "email",
        "ignore",
        "phone",
        "phone",
        "links",
        "links",
        "tags",
        "source",
        "applied_at",
        "stage",
        "ignore",  # one email column only: the first
    ]
    assert suggest_mapping(["name", "full_name"]) == ["full_name", "ignore"]


def test_mapping_problems_name_each_one() -> None:
    assert mapping_problems(["a", "b"], ["email", "full_name"]) == []
    assert mapping_problems(["a", "b"], ["email", "first_name"]) == []
    assert mapping_problems(["a"], ["email", "x"]) == ["Give a target for each of the 1 columns."]
    assert mapping_problems(["a", "b"], ["email", "hat"]) == [
        "Column 'b': unknown target 'hat'.",
        "Choose the column(s) that hold the name (full name, or first and last name).",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-15", datetime(2024, 3, 15, tzinfo=UTC)),
        ("2024-03-15T09:30:00.000Z", datetime(2024, 3, 15, 9, 30, tzinfo=UTC)),
        ("2024-03-15 09:30:00 UTC", datetime(2024, 3, 15, 9, 30, tzinfo=UTC)),
        ("2024-03-15T10:30:00+01:00", datetime(2024, 3, 15, 9, 30, tzinfo=UTC)),
        ("15.03.2024", datetime(2024, 3, 15, tzinfo=UTC)),
        ("03/15/2024", datetime(2024, 3, 15, tzinfo=UTC)),
        ("03-15-24", datetime(2024, 3, 15, tzinfo=UTC)),
        # Day first, as most of the world writes it: the 15 says so (it was read as a US date, refused).
        ("15/03/2024", datetime(2024, 3, 15, tzinfo=UTC)),
        ("15-03-24 08:00", datetime(2024, 3, 15, 8, 0, tzinfo=UTC)),
        ("2024/03/15 08:00", datetime(2024, 3, 15, 8, 0, tzinfo=UTC)),
    ],
)
def test_parse_date_reads_what_trackers_write(value: str, expected: datetime) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["yesterday", "32.13.2024", "13/13/2024", "03/04/2024", "2024-13-01"])
def test_parse_date_refuses_the_rest(value: str) -> None:
    """03/04/2024 alone could be 3 April or March 4: it is never guessed."""
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "order", "expected"),
    [
        ("03/04/2024", DAY_FIRST, datetime(2024, 4, 3, tzinfo=UTC)),
        ("03/04/2024", MONTH_FIRST, datetime(2024, 3, 4, tzinfo=UTC)),
        ("3-4-24", DAY_FIRST, datetime(2024, 4, 3, tzinfo=UTC)),
        ("03/04/99", MONTH_FIRST, datetime(1999, 3, 4, tzinfo=UTC)),
        ("03/04/2024 10:30", DAY_FIRST, datetime(2024, 4, 3, 10, 30, tzinfo=UTC)),
        ("2024-03-04", DAY_FIRST, datetime(2024, 3, 4, tzinfo=UTC)),  # ISO dates have one order
        ("04.03.2024", MONTH_FIRST, datetime(2024, 3, 4, tzinfo=UTC)),  # dotted dates are day first
    ],
)
def test_parse_date_reads_slash_dates_in_the_order_given(value: str, order: str, expected: datetime) -> None:
    assert parse_date(value, order) == expected


@pytest.mark.parametrize(("value", "order"), [("15/03/2024", MONTH_FIRST), ("03/15/2024", DAY_FIRST)])
def test_a_date_against_the_order_given_is_refused(value: str, order: str) -> None:
    with pytest.raises(ValueError):
        parse_date(value, order)


@pytest.mark.parametrize(
    ("values", "order"),
    [
        (["03/04/2024", "15/04/2024"], DAY_FIRST),
        (["03/04/2024", "04/15/2024"], MONTH_FIRST),
        (["03-15-24", "03-16-24"], MONTH_FIRST),  # OpenCATS
        (["03/04/2024", "05/06/2024", ""], AMBIGUOUS),
        (["15/04/2024", "04/15/2024"], MIXED),
        (["2024-03-04", "15.03.2024", ""], None),
    ],
)
def test_a_column_shows_its_date_order_when_a_date_tells(values: list[str], order: str | None) -> None:
    assert column_date_order(values) == order


def test_the_suggested_mapping_reads_the_date_order_from_the_data() -> None:
    headers = ["Name", "Email", "Applied"]
    day_first = [["Ada", "ada@example.com", "03/04/2024"], ["Bo", "bo@example.com", "25/04/2024"]]
    month_first = [["Ada", "ada@example.com", "03/04/2024"], ["Bo", "bo@example.com", "04/25/2024"]]
    undecided = [["Ada", "ada@example.com", "03/04/2024"]]
    assert suggest_mapping(headers, day_first)[2] == "applied_at_day_first"
    assert suggest_mapping(headers, month_first)[2] == "applied_at_month_first"
    assert suggest_mapping(headers, undecided)[2] == "applied_at"
    assert suggest_mapping(headers, [["Ada", "ada@example.com", "2024-03-04"]])[2] == "applied_at"


def test_a_date_column_whose_order_nothing_tells_must_be_stated() -> None:
    headers = ["Name", "Email", "Applied"]
    rows = [["Ada", "ada@example.com", "03/04/2024"], ["Bo", "bo@example.com", "05/06/2024"]]
    (problem,) = mapping_problems(headers, ["full_name", "email", "applied_at"], rows)
    assert "03/04/2024 can be read day first or month first" in problem
    assert mapping_problems(headers, ["full_name", "email", "applied_at_day_first"], rows) == []
    mixed = [*rows, ["Cy", "cy@example.com", "25/04/2024"], ["Di", "di@example.com", "04/25/2024"]]
    (problem,) = mapping_problems(headers, ["full_name", "email", "applied_at"], mixed)
    assert "day first and others month first" in problem
    two = mapping_problems(
        [*headers, "Created"],
        ["full_name", "email", "applied_at", "applied_at_day_first"],
        [[*r, ""] for r in rows],
    )
    assert "Only one column can be the applied date." in two


def test_rows_are_read_in_the_stated_date_order() -> None:
    table = read_table(
        b"Name,Email,Applied\nAda,ada@example.com,03/04/2024\nBo,bo@example.com,31/04/2024\n", "p.csv"
    )
    ada, bo = check_rows(table, ["full_name", "email", "applied_at_day_first"])
    assert isinstance(ada, CandidateRecord) and ada.applied_at == datetime(2024, 4, 3, tzinfo=UTC)
    assert isinstance(bo, list) and "not one in the column's order" in bo[0].message  # 31 April
    us = list(check_rows(table, ["full_name", "email", "applied_at_month_first"]))
    assert isinstance(us[0], CandidateRecord) and us[0].applied_at == datetime(2024, 3, 4, tzinfo=UTC)
    assert isinstance(us[1], list)


def test_source_words_map_to_ours_and_the_unknown_is_kept() -> None:
    assert source_value("") == ("import", "")
    assert source_value("Employee Referral") == ("referral", "")
    assert source_value("LinkedIn") == ("sourced", "")
    assert source_value("carrier pigeon") == ("other", "carrier pigeon")


def test_rows_are_checked_with_the_candidate_rules_and_report_line_and_column() -> None:
    content = (
        b"Full name,Email,Phone,Links,Applied\n"
        b"Ada Lovelace,ADA@Example.com,+48 601 234 567,https://ada.dev https://ada.dev,2024-03-15\n"
        b'"Multi\nLine",ml@example.com,,,\n'
        b"No Email,,abc,javascript:x,soon\n"
        b"'=Guarded,guard@example.com,'+48 1,,\n"
    )
    table = read_table(content, "people.csv")
    results = list(check_rows(table, suggest_mapping(table.headers)))
    ada, multi, bad, guarded = results
    assert isinstance(ada, CandidateRecord)
    assert (ada.line, ada.email, ada.phone, ada.links) == (
        2,
        "ada@example.com",
        "+48 601 234 567",
        ["https://ada.dev"],
    )
    assert isinstance(multi, CandidateRecord) and multi.line == 4 and multi.full_name == "Multi Line"
    assert [(problem.line, problem.column) for problem in bad] == [
        (5, "Email"),
        (5, "Phone"),
        (5, "Links"),
        (5, "Applied"),
    ]
    assert isinstance(guarded, CandidateRecord)
    assert (guarded.full_name, guarded.phone) == ("=Guarded", "+48 1")


def test_the_quick_path_agrees_with_the_full_validator() -> None:
    """Addresses the quick path takes must come out as email-validator normalises them."""
    from email_validator import validate_email

    content = "name,email\n" + "".join(
        f"P,{email}\n"
        for email in ["Ada@Example.COM", "a.b+c@sub.example.org", "x_y@example.io", "o'neil@example.ie"]
    )
    table = read_table(content.encode(), "p.csv")
    for record, row in zip(check_rows(table, ["full_name", "email"]), table.rows, strict=True):
        assert isinstance(record, CandidateRecord)
        assert record.email == validate_email(row[1], check_deliverability=False).normalized.lower()


def test_json_resume_becomes_rows() -> None:
    table = read_table(
        b'{"basics": {"name": "R", "email": "r@example.com", "profiles": [{"url": "https://g.example/r"}]},'
        b' "work": [{"name": "PP", "position": "CEO", "startDate": "2013"}], "skills": [{"name": "C"}]}',
        "r.json",
    )
    assert table.kind == "json" and table.lines == [1]
    assert table.rows == [
        ["R", "r@example.com", "", "https://g.example/r", "C", "Work: CEO at PP (2013 to now)"]
    ]
    assert suggest_mapping(table.headers) == ["full_name", "email", "phone", "links", "tags", "note"]
