"""Contact import on a real SQLite file: bad rows reported by row, re-import updates."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sequencer import Engine, ImportFileError
from sequencer.config import Config

BAD = {
    # row number in the file (header = row 1) -> (address, reason fragment)
    37: ("not-an-address", "invalid address"),
    101: ("two@@example.com", "invalid address"),
    150: ("", "email cell is empty"),
    222: ("spaces in@example.com", "invalid address"),
    345: ("nodomain@", "invalid address"),
    480: ("bob@localhost", "invalid address"),
    512: ("zone.bad@example.com", "unknown time zone"),
    640: ("dot..dot@example.com", "invalid address"),
    777: ("@example.com", "invalid address"),
    901: ("trailing.dot.@example.com", "invalid address"),
}


def make_csv(path: Path, rows: int = 1000) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Email", "First Name", "company", "timezone", "industry"])
        for row in range(2, rows + 2):
            email, _ = BAD.get(row, (f"Person{row}@Example.COM", ""))
            zone = "Mars/Olympus" if row == 512 else ("Pacific/Auckland" if row % 2 else "")
            writer.writerow([email, f"P{row}", f"Co {row % 17}", zone, "saas"])


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return Engine(Config(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}"))


def test_bad_rows_reported_good_rows_imported_reimport_adds_nothing(
    tmp_path: Path, engine: Engine
) -> None:
    # 1,000 data rows: rows 2..1001, of which 10 are bad.
    file = tmp_path / "leads.csv"
    make_csv(file, rows=1000)
    report = engine.import_contacts(file)
    assert sorted(e.row for e in report.errors) == sorted(BAD)
    for error in report.errors:
        assert BAD[error.row][1] in error.reason, error
    # issue 19: the bad-zone row (512) is kept, without its zone, as a warning; the 9 others skip
    assert [e.row for e in report.warnings] == [512]
    assert (report.inserted, report.updated) == (991, 0)
    assert engine.store.count_contacts() == 991
    assert engine.contact("zone.bad@example.com").timezone is None

    again = engine.import_contacts(file)
    assert (again.inserted, again.updated, len(again.errors)) == (0, 991, 10)
    assert engine.store.count_contacts() == 991


def test_addresses_are_normalised_and_matched_case_insensitively(
    tmp_path: Path, engine: Engine
) -> None:
    first = tmp_path / "a.csv"
    first.write_text("email,first_name,industry\nJane.Doe@Example.COM,Jane,saas\n")
    engine.import_contacts(first)
    second = tmp_path / "b.csv"
    second.write_text("e-mail,last name,region\njane.doe@example.com,Doe,emea\n")
    report = engine.import_contacts(second)
    assert (report.inserted, report.updated) == (0, 1)
    contact = engine.contact("JANE.DOE@example.com")
    # the domain is lower-cased by normalisation; the local part keeps the latest file's spelling
    assert contact.email == "jane.doe@example.com"
    # an empty cell never erases what was there; custom fields merge
    assert (contact.first_name, contact.last_name) == ("Jane", "Doe")
    assert contact.fields == {"industry": "saas", "region": "emea"}


def test_same_address_twice_in_one_file_is_one_contact(tmp_path: Path, engine: Engine) -> None:
    file = tmp_path / "dup.csv"
    file.write_text("email,company\na@x.example,One\nA@X.example,Two\n")
    report = engine.import_contacts(file)
    assert (report.inserted, report.repeated) == (1, 1)
    assert engine.contact("a@x.example").company == "Two"


def test_missing_email_column_names_the_file(tmp_path: Path, engine: Engine) -> None:
    file = tmp_path / "noemail.csv"
    file.write_text("name,company\nJane,Acme\n")
    with pytest.raises(
        ImportFileError,
        match=r"noemail.csv: row 1: no 'email' column \(columns found: name, company\)",
    ):
        engine.import_contacts(file)
    assert engine.store.count_contacts() == 0


def test_semicolon_csv_and_progress_is_reported(tmp_path: Path, engine: Engine) -> None:
    file = tmp_path / "semi.csv"
    file.write_text("email;first_name\n" + "".join(f"p{i}@x.example;P{i}\n" for i in range(2500)))
    seen: list[tuple[int, int]] = []
    report = engine.import_contacts(file, progress=lambda done, total: seen.append((done, total)))
    assert report.inserted == 2500
    assert len(seen) >= 3 and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
