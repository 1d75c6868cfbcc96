"""Strict CSV reading and address keys (issue 15): pure ``parse_csv`` and ``suppression_key``."""

from __future__ import annotations

import re
from collections import Counter

import fuzzcounts
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sequencer.contacts import (
    CELL_LIMIT,
    NAME_LIMIT,
    ContactRow,
    RowError,
    RowProblem,
    parse_csv,
    parse_mapping,
    read_columns,
    suppression_key,
)
from sequencer.errors import ImportFileError

HEADER = "email,first_name,last_name,company,notes\n"


def read(text: str, *, skip_bad: bool = False) -> tuple[list[ContactRow], list[RowError]]:
    items = list(parse_csv(text, file="x.csv", skip_bad=skip_bad))
    return [i for i in items if isinstance(i, ContactRow)], [
        i for i in items if isinstance(i, RowError)
    ]


def hostile(rows: int = 50) -> str:
    """Row 3 leaves a quote open in first_name; rows 4.. are ordinary and have quoted cells."""
    lines = [HEADER, "u0@example.com,Zoe,Zed,Zeta,ok\n", 'u1@example.com,"Ann,Acme,x,y\n']
    lines += [f'u{i}@example.com,Name{i},"Last{i}",Co{i},note {i}\n' for i in range(2, rows)]
    return "".join(lines)


def addresses_in(row: ContactRow) -> set[str]:
    values = [
        row.first_name,
        row.last_name,
        row.company,
        row.title,
        row.timezone,
        row.linkedin_url,
        *row.fields.values(),
    ]
    return {m.lower() for v in values if v for m in re.findall(r"[\w.+-]+@[\w.-]+", v)}


def test_an_unterminated_quote_stops_at_its_row_and_nothing_after_it_is_read() -> None:
    good, errors = read(hostile())
    assert [r.email for r in good] == ["u0@example.com"]
    assert [(e.row, e.email, e.problem) for e in errors] == [
        (3, "u1@example.com", RowProblem.BROKEN)
    ]
    assert "quote" in errors[0].reason


def test_skip_bad_skips_the_broken_row_and_reads_the_rows_it_swallowed() -> None:
    good, errors = read(hostile(), skip_bad=True)
    assert [(e.row, e.problem) for e in errors] == [(3, RowProblem.BROKEN)]
    assert [r.email for r in good] == ["u0@example.com"] + [
        f"u{i}@example.com" for i in range(2, 50)
    ]
    assert [r.row for r in good] == [2, *range(4, 52)]
    assert good[-1].last_name == "Last49"


@pytest.mark.parametrize("skip_bad", [False, True])
def test_no_row_ever_holds_another_rows_address(skip_bad: bool) -> None:
    text = (
        HEADER
        + "a0@example.com,Ann,Ash,Acme,plain\n"
        + '"a1@example.com,Bo,Bay,Beta,quote opened in the email cell\n'
        + "a2@example.com,Cy,Cole,Gamma,x\n"
        + 'a3@example.com,Di,Dunn,Delta,"note left open\n'
        + "a4@example.com,Ed,Eyre,Eps,y\n"
        + 'a5@example.com,Flo,"Fay\n'
        + 'a6@example.com,Gus,Gray,Omega,"closes ""here"" later"\n'
        + "a7@example.com,Hal,Hume,Eta,z\n"
    )
    good, errors = read(text, skip_bad=skip_bad)
    for row in good:
        assert addresses_in(row) <= {row.email_key}, row
    assert errors and errors[0].problem is RowProblem.BROKEN
    if skip_bad:
        assert {r.email for r in good} >= {
            "a0@example.com",
            "a2@example.com",
            "a4@example.com",
            "a7@example.com",
        }
    else:
        assert [r.email for r in good] == ["a0@example.com"]


def test_a_line_break_is_kept_in_a_custom_cell_and_rows_count_as_a_spreadsheet_shows_them() -> None:
    good, errors = read(HEADER + 'a@x.example,Ann,,,"line one\r\nline two"\nb@x.example,Bob,,,\n')
    assert errors == []
    assert [(r.row, r.email) for r in good] == [(2, "a@x.example"), (3, "b@x.example")]
    assert good[0].fields == {"notes": "line one\nline two"}


def test_a_name_on_two_lines_is_one_line_but_a_break_in_an_address_breaks_the_structure() -> None:
    """A spreadsheet's Alt+Enter in a name, company or title ("Head of Sales" / "EMEA") is read
    as one line, joined by a space: it stopped the import as "a quote left open". A line break
    in the email cell, or in a name whose later line holds an address (another row's), is still
    the file's structure breaking."""
    good, errors = read(HEADER + 'a@x.example,"Ann\nMarie",,,\nb@x.example,Bob,,,\n')
    assert errors == [] and [(r.email, r.first_name) for r in good] == [
        ("a@x.example", "Ann Marie"),
        ("b@x.example", "Bob"),
    ]
    good, errors = read(HEADER + '"a@x.example\n",Ann,,,\nb@x.example,Bob,,,\n')
    assert [(e.row, e.problem) for e in errors] == [(2, RowProblem.BROKEN)]
    assert "email" in errors[0].reason
    good, errors = read(HEADER + 'a@x.example,"Ann\nb@x.example",,,\nc@x.example,Cy,,,\n')
    assert good == [] and [(e.row, e.problem) for e in errors] == [(2, RowProblem.BROKEN)]


def test_an_oversized_cell_is_reported_by_row_never_a_traceback() -> None:
    huge = "x" * 200_000  # over the csv module's own 131,072 limit too
    good, errors = read(
        HEADER
        + f"a@x.example,Ann,,,{huge}\nb@x.example,Bob,,,\n"
        + f"c@x.example,Cy,,,{'y' * (CELL_LIMIT + 1)}\n"
    )
    assert [r.email for r in good] == ["b@x.example"]
    assert [(e.row, e.problem) for e in errors] == [
        (2, RowProblem.SKIPPED),
        (4, RowProblem.SKIPPED),
    ]
    good, errors = read(
        HEADER + f'a@x.example,Ann,,,"{huge}\nb@x.example,Bob,,,\n'
    )  # and inside an open quote
    assert good == [] and [(e.row, e.problem) for e in errors] == [(2, RowProblem.BROKEN)]


def test_control_characters_are_stripped_from_cells() -> None:
    good, errors = read(HEADER + "a@x.example,A\x00nn\x1b[5m,O\tNeil,Ac\x07me\x9b,ok\x7f\n")
    assert errors == []
    assert (good[0].first_name, good[0].last_name, good[0].company, good[0].fields) == (
        "Ann[5m",
        "O Neil",
        "Acme",
        {"notes": "ok"},
    )


def test_a_long_name_is_cut_with_its_row_named() -> None:
    good, errors = read(HEADER + f"a@x.example,{'Ä' * 2000},Ok,{'C' * 300},\n")
    assert [(e.row, e.email, e.problem) for e in errors] == [
        (2, "a@x.example", RowProblem.CHANGED)
    ] * 2
    assert "first_name cell has 2,000 characters" in errors[0].reason
    assert good[0].first_name == "Ä" * NAME_LIMIT and good[0].company == "C" * NAME_LIMIT


def test_suppression_keys_of_idn_domains_are_the_idna_2008_forms_contacts_have() -> None:
    [row] = [
        r for r in parse_csv("email\nx@straße.de\n", file="x.csv") if isinstance(r, ContactRow)
    ]
    assert (
        suppression_key("@straße.de")
        == suppression_key("xn--strae-oqa.de")
        == "@" + row.email_key.split("@")[1]
    )
    assert suppression_key("@straße.de") != "@strasse.de"
    assert suppression_key("ςοφία.gr") == suppression_key("xn--kxae4blv.gr") == "@ςοφία.gr"


cell_text = st.text(alphabet='ab ,"\n\r\t\x00;', max_size=8)


_counts: Counter[str] = Counter()


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(cell_text, min_size=4, max_size=5), min_size=1, max_size=12),
    quoted=st.lists(st.booleans(), min_size=60, max_size=60),
    skip_bad=st.booleans(),
)
def _never_misaddressed(rows: list[list[str]], quoted: list[bool], skip_bad: bool) -> None:
    flags = iter(quoted)
    lines = [
        ",".join([f"r{n}@example.com", *(f'"{c}' if next(flags, False) else c for c in cells)])
        for n, cells in enumerate(rows)
    ]
    _counts["tried"] += 1
    try:
        good, errors = read(HEADER + "\n".join(lines) + "\n", skip_bad=skip_bad)
    except Exception:
        _counts["tracebacks"] += 1
        raise
    _counts["misaddressed"] += sum(not addresses_in(row) <= {row.email_key} for row in good)
    for row in good:
        assert addresses_in(row) <= {row.email_key}, (row, lines)
    assert all(e.row >= 2 for e in errors)


def test_any_quoting_never_puts_one_rows_address_in_another_row() -> None:
    """Random cells with stray quotes, delimiters and line breaks after each row's own address:
    no traceback, and no contact holds an address but its own (counts in the fuzz summary)."""
    _counts.clear()
    try:
        _never_misaddressed()
    finally:
        fuzzcounts.record(
            "CSV importer",
            _counts["tried"],
            _counts["tracebacks"],
            misaddressed=_counts["misaddressed"],
        )


def test_a_non_ascii_local_part_is_imported_for_smtputf8() -> None:
    good, errors = read(HEADER + "Jörg@Bücher.de,Jörg,Müller,,\n")
    assert not errors and [row.email_key for row in good] == ["jörg@bücher.de"]
    assert suppression_key("JÖRG@bücher.de") == "jörg@bücher.de"


def test_parse_mapping_takes_repeated_and_comma_separated_pairs() -> None:
    assert parse_mapping(["Vorname=first_name, Firma = company", "Land=country", ""]) == {
        "Vorname": "first_name",
        "Firma": "company",
        "Land": "country",
    }
    with pytest.raises(ImportFileError, match="'Vorname' is not COLUMN=FIELD"):
        parse_mapping(["Vorname"])
    with pytest.raises(ImportFileError, match="'Firma' is mapped twice"):
        parse_mapping(["Firma=company", "Firma=title"])


def test_a_mapping_finds_a_column_by_its_normalised_name_in_a_semicolon_file() -> None:
    text = "E-Mail;First Name;Vorname;;Notiz\na@x.example;Ann;Anna;x;hi\n"
    mapping = {"first name": "nickname", "Vorname": "first_name"}
    columns = read_columns(text, file="x.csv", mapping=mapping)
    assert columns.mapped == {"First Name": "nickname", "Vorname": "first_name"}
    assert columns.custom == {"First Name": "nickname", "Notiz": "notiz"}
    assert columns.ignored == ["column 4"]
    [row] = list(parse_csv(text, file="x.csv", mapping=mapping))
    assert isinstance(row, ContactRow)
    assert (row.first_name, row.fields) == ("Anna", {"nickname": "Ann", "notiz": "hi"})


def test_a_bad_zone_keeps_its_row_without_the_zone() -> None:
    items = list(parse_csv("email,timezone\na@x.example,Europe/Helsinkk\n", file="x.csv"))
    assert [type(i) for i in items] == [RowError, ContactRow]
    warning, row = items
    assert isinstance(warning, RowError) and isinstance(row, ContactRow)
    assert (warning.row, warning.problem, warning.column) == (2, RowProblem.CHANGED, "timezone")
    assert "did you mean 'Europe/Helsinki'" in warning.reason
    assert row.timezone is None
