"""Issue 19, import: ``--map`` (and ``mapping=``), unknown columns named in the summary, a bad
time zone kept with the fallback zone and a warning, blank zones counted. On SQLite and
PostgreSQL through the engine, and through the CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sending_rig import REPO, Rig
from sqlmodel import col, select

from sequencer import ImportFileError
from sequencer.contacts import RowProblem
from sequencer.store import Enrollment

GERMAN = (
    "Email,Vorname,Firma,Land,Zeitzone,\n"
    "anna@kunde.example,Anna,Kunde GmbH,DE,Europe/Berlin,x\n"
    "bernd@kunde.example,Bernd,Kunde GmbH,DE,Europe/Helsinkk,\n"
    "clara@kunde.example,Clara,Kunde GmbH,AT,,\n"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_mapping_sends_columns_to_standard_fields_and_renames_custom_ones(rig: Rig) -> None:
    report = rig.engine.import_contacts(
        write(rig.tmp / "leads.csv", GERMAN),
        mapping={"Vorname": "first_name", "firma": "company", "Land": "country_code"},
    )
    assert (report.inserted, report.updated) == (3, 0)
    assert report.mapped == {"Vorname": "first_name", "Firma": "company", "Land": "country_code"}
    # every column that is not a standard field is kept, and named, as a custom field
    assert report.custom_columns == {"Land": "country_code", "Zeitzone": "zeitzone"}
    assert report.ignored_columns == ["column 6"]
    anna = rig.engine.contact("anna@kunde.example")
    assert (anna.first_name, anna.company) == ("Anna", "Kunde GmbH")
    assert anna.fields == {"country_code": "DE", "zeitzone": "Europe/Berlin"}


def test_unknown_columns_are_kept_as_custom_fields_and_named(rig: Rig) -> None:
    report = rig.engine.import_contacts(write(rig.tmp / "leads.csv", GERMAN))
    assert report.mapped == {}
    assert report.custom_columns == {
        "Vorname": "vorname",
        "Firma": "firma",
        "Land": "land",
        "Zeitzone": "zeitzone",
    }
    assert rig.engine.contact("anna@kunde.example").fields == {
        "vorname": "Anna",
        "firma": "Kunde GmbH",
        "land": "DE",
        "zeitzone": "Europe/Berlin",
    }
    # no time zone column at all: every row uses the sequence's zone, and the count says so
    assert report.no_zone == 3


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            {"Vornam": "first_name"},
            r"'Vornam' is not a column of the file \(did you mean 'Vorname'",
        ),
        (
            {"Vorname": "First Name"},
            r"'First Name' is not a field name \(did you mean 'first_name'",
        ),
        ({"Vorname": "firstname"}, r"'firstname' is not a field name \(did you mean 'first_name'"),
        ({"Firma": "compnay"}, r"'compnay' is not a field name \(did you mean 'company'"),
        ({"Vorname": "first-name!"}, r"'first-name!' is not a field name"),
        ({"Vorname": "email"}, r"'Email' and 'Vorname' would both be email"),
        ({"Vorname": "first_name", "Firma": "first_name"}, r"'Vorname' and 'Firma' would both"),
    ],
)
def test_a_mapping_that_does_not_fit_the_file_imports_nothing(
    rig: Rig, mapping: dict[str, str], message: str
) -> None:
    # a good mapping next to the bad one is not half-applied either
    with pytest.raises(ImportFileError, match=r"leads\.csv: row 1: .*" + message):
        rig.engine.import_contacts(
            write(rig.tmp / "leads.csv", GERMAN), mapping={"Zeitzone": "timezone", **mapping}
        )
    assert rig.engine.store.count_contacts() == 0


def test_a_bad_zone_is_kept_with_the_fallback_zone_and_a_warning(rig: Rig) -> None:
    report = rig.engine.import_contacts(
        write(rig.tmp / "leads.csv", GERMAN), mapping={"Zeitzone": "timezone"}
    )
    assert (report.inserted, report.skipped) == (3, [])
    [warning] = report.warnings
    assert warning is report.zone_fallbacks[0]
    assert (warning.row, warning.email, warning.problem) == (
        3,
        "bernd@kunde.example",
        RowProblem.CHANGED,
    )
    assert "'Europe/Helsinkk' (did you mean 'Europe/Helsinki'?)" in warning.reason
    assert "imported without a time zone" in warning.reason
    # the blank zone (clara) is counted; the bad one is a warning, not counted twice
    assert report.no_zone == 1
    assert rig.engine.contact("bernd@kunde.example").timezone is None

    enrolled = rig.engine.enroll("cold")
    assert enrolled.enrolled == 3, enrolled
    with rig.engine.store.session() as session:
        zones = {
            rig.engine.store.contacts_by_id({e.contact_id})[e.contact_id].email: e.timezone
            for e in session.exec(select(Enrollment).order_by(col(Enrollment.id)))
        }
    # the sequence's zone (cold: Europe/Helsinki), as for a blank one
    assert zones == {
        "anna@kunde.example": "Europe/Berlin",
        "bernd@kunde.example": "Europe/Helsinki",
        "clara@kunde.example": "Europe/Helsinki",
    }


def test_a_bad_zone_on_reimport_keeps_the_zone_stored_before(rig: Rig) -> None:
    file = write(rig.tmp / "one.csv", "email,timezone\nbernd@kunde.example,Europe/Berlin\n")
    rig.engine.import_contacts(file)
    again = rig.engine.import_contacts(
        write(file, "email,timezone\nbernd@kunde.example,Mars/Olympus\n")
    )
    assert again.updated == 1 and [w.row for w in again.zone_fallbacks] == [2]
    assert rig.engine.contact("bernd@kunde.example").timezone == "Europe/Berlin"


# -- the CLI ---------------------------------------------------------------------------------------

CONFIG = f"""\
database = "sqlite:///db.sqlite"
sequences = ["{REPO / "sequences"}"]

[[senders]]
name = "jane"
display_name = "Jane Doe"
email = "jane@acme.example"
timezone = "Europe/Helsinki"
"""


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("SEQUENCER_CONFIG", None)
    env.pop("SEQUENCER_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "sequencer", *args],
        cwd=cwd,
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    write(tmp_path / "sequencer.toml", CONFIG)
    write(tmp_path / "leads.csv", GERMAN)
    return tmp_path


def test_cli_import_names_unknown_columns_and_counts_blank_zones(workdir: Path) -> None:
    result = run(workdir, "import", "leads.csv")
    assert result.returncode == 0, result.stderr
    assert "3 rows: 3 new" in result.stdout
    assert (
        "kept as custom fields: Vorname (as vorname), Firma (as firma), Land (as land), "
        'Zeitzone (as zeitzone); --map "COLUMN=FIELD" reads one as a standard field instead'
    ) in result.stdout
    assert "ignored (no column name): column 6" in result.stdout
    assert "3 row(s) have no time zone: the sequence's zone is used" in result.stdout


def test_cli_import_map_repeated_and_comma_separated(workdir: Path) -> None:
    result = run(
        workdir,
        "import",
        "leads.csv",
        "--map",
        "Vorname=first_name, Firma=company",
        "--map",
        "Zeitzone=timezone",
    )
    assert result.returncode == 0, result.stderr
    assert "3 rows: 3 new, 0 updated, 0 skipped, 1 imported with a change" in result.stdout
    assert "mapped: Vorname → first_name, Firma → company, Zeitzone → timezone" in result.stdout
    assert "kept as custom fields: Land (as land);" in result.stdout
    assert (
        "warning leads.csv: row 3 (bernd@kunde.example): unknown time zone 'Europe/Helsinkk' "
        "(did you mean 'Europe/Helsinki'?)"
    ) in result.stderr
    assert "1 row(s) had a time zone that is not valid" in result.stdout
    assert "1 row(s) have no time zone" in result.stdout


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("Vornam=first_name", "'Vornam' is not a column of the file (did you mean 'Vorname'?)"),
        ("Vorname=Vor Name", "'Vor Name' is not a field name"),
        ("Vorname", "--map: 'Vorname' is not COLUMN=FIELD"),
        ("Vorname=first_name,Vorname=last_name", "the column 'Vorname' is mapped twice"),
    ],
)
def test_cli_import_bad_map_is_an_error_and_imports_nothing(
    workdir: Path, option: str, message: str
) -> None:
    result = run(workdir, "import", "leads.csv", "--map", "Firma=company", "--map", option)
    assert result.returncode == 1
    assert message in result.stderr and "error:" in result.stderr
    assert "Traceback" not in result.stderr
    after = run(workdir, "import", "leads.csv")
    assert "3 rows: 3 new" in after.stdout, after.stderr


CRM_ZONES = (
    "email,first_name,timezone\n"
    'olga@kunde.example,Olga,"(UTC-05:00) Eastern Time (US & Canada)"\n'
    "pia@kunde.example,Pia,W. Europe Standard Time\n"
    "raul@kunde.example,Raul,UTC-5\n"
    "sami@kunde.example,Sami,america/new_york\n"
    "tove@kunde.example,Tove,UTC+05:30\n"
)


def test_zones_as_crms_write_them_are_read_and_said(rig: Rig) -> None:
    """Outlook's and Salesforce's zone names, offsets and a lower-case IANA name were all left out
    (the sequence's zone, Helsinki, then mailed New York at 2 a.m.), with a warning no later
    command repeated. Each is now read as the IANA zone it stands for, with a warning naming the
    row and what it was read as; a half-hour offset, which no IANA zone is, is still left out."""
    report = rig.engine.import_contacts(write(rig.tmp / "crm.csv", CRM_ZONES))
    assert (report.inserted, report.skipped) == (5, [])
    zones = {
        name: rig.engine.contact(f"{name}@kunde.example").timezone
        for name in ("olga", "pia", "raul", "sami", "tove")
    }
    assert zones == {
        "olga": "America/New_York",
        "pia": "Europe/Berlin",
        "raul": "Etc/GMT+5",
        "sami": "America/New_York",
        "tove": None,
    }
    said = {w.row: w.reason for w in report.warnings}
    assert "as America/New_York" in said[2] and "as Europe/Berlin" in said[3]
    assert "no daylight saving" in said[4]
    assert [w.row for w in report.zone_fallbacks] == [6]  # only the one left out
    enrolled = rig.engine.enroll("cold", emails=["olga@kunde.example"])
    assert enrolled.enrolled == 1
    (first,) = [s for s in rig.sends("olga@kunde.example") if s.step_index == 0]
    local = first.due_at.astimezone(ZoneInfo("America/New_York"))
    assert 9 <= local.hour < 17, local  # inside the window in New York, not Helsinki


def test_a_zone_fixed_after_enrolling_moves_the_contacts_sends(rig: Rig) -> None:
    """Imported without a zone (so timed in Helsinki's window) and enrolled, then re-imported
    with New York's: the enrollment kept Helsinki and the intro went out at 02:00 in New York,
    the follow-up too (the review of import and zones). The active enrollment now follows the
    contact's new zone, its scheduled send moved into New York's window, and it goes out there."""
    file = write(rig.tmp / "one.csv", "email,first_name\nbob@kunde.example,Bob\n")
    rig.engine.import_contacts(file)
    assert rig.engine.enroll("cold").enrolled == 1
    new_york = ZoneInfo("America/New_York")
    report = rig.engine.import_contacts(
        write(file, "email,first_name,timezone\nbob@kunde.example,Bob,America/New_York\n")
    )
    assert report.rezoned == 1
    assert rig.enrollment("bob@kunde.example").timezone == "America/New_York"
    (intro,) = rig.sends("bob@kunde.example", step="intro")
    assert 9 <= intro.due_at.astimezone(new_york).hour < 17, intro.due_at
    rig.run(days=14)
    sent = [s for s in rig.sends("bob@kunde.example") if s.status == "sent"]
    assert len(sent) >= 2, sent
    for send in sent:
        assert send.sent_at is not None
        assert 9 <= send.sent_at.astimezone(new_york).hour < 17, send.sent_at


def test_people_sharing_an_address_are_not_mixed_into_one(rig: Rig) -> None:
    """Three people at info@ were merged cell by cell: Carl Jones with Bob's title (the review of
    import and zones). A row naming another person replaces the earlier one whole, with a
    warning naming both rows; rows of one person still merge."""
    text = (
        "email,first_name,last_name,title,timezone\n"
        "info@acme.example,Anna,Smith,CEO,America/Los_Angeles\n"
        "info@acme.example,Bob,,CTO,\n"
        "Info@Acme.example,Carl,Jones,,Asia/Tokyo\n"
        "dora@acme.example,Dora,,COO,\n"
        "dora@acme.example,Dora,Lind,,\n"
    )
    report = rig.engine.import_contacts(write(rig.tmp / "shared.csv", text))
    assert (report.inserted, report.repeated) == (2, 3)
    carl = rig.engine.contact("info@acme.example")
    assert (carl.first_name, carl.last_name, carl.title, carl.timezone) == (
        "Carl",
        "Jones",
        None,
        "Asia/Tokyo",
    )
    dora = rig.engine.contact("dora@acme.example")
    assert (dora.first_name, dora.last_name, dora.title) == ("Dora", "Lind", "COO")
    said = {w.row: w.reason for w in report.warnings}
    assert set(said) == {3, 4}, said
    assert "row 2 (Anna Smith)" in said[3] and "(Bob)" in said[3]
    assert "row 3 (Bob)" in said[4] and "replaces row 3 whole" in said[4]


def test_a_title_on_two_lines_imports_every_row(rig: Rig) -> None:
    """Excel's Alt+Enter in a title stopped the import at that row as 'a quote left open', and
    with --skip-bad numbered every later row one off (the review of import and zones)."""
    text = (
        "email,first_name,title,company\n"
        "anna@ex.example,Anna,CEO,Acme\n"
        'bob@ex.example,Bob,"Head of Sales\nEMEA",Bobco\n'
        "carl@ex.example,Carl,CTO,Carlco\n"
    )
    report = rig.engine.import_contacts(write(rig.tmp / "titles.csv", text))
    assert (report.rows, report.inserted, report.errors) == (3, 3, [])
    assert rig.engine.contact("bob@ex.example").title == "Head of Sales EMEA"


def test_a_zone_stored_before_its_enrollment_followed_is_mended_by_importing_again(
    rig: Rig,
) -> None:
    """The contact holds New York's zone but its enrollment was left on Helsinki (an import
    whose follow-up failed, or one made before enrollments followed their contact's zone):
    importing the zone again compares, rather than looking for a change, and mends it."""
    rig.import_rows([{"email": "eve@kunde.example", "first_name": "Eve"}])
    assert rig.engine.enroll("cold").enrolled == 1
    rig.update_contact("eve@kunde.example", timezone="America/New_York")
    assert rig.enrollment("eve@kunde.example").timezone == "Europe/Helsinki"
    report = rig.engine.import_contacts(
        write(rig.tmp / "eve.csv", "email,timezone\neve@kunde.example,America/New_York\n")
    )
    assert (report.rezoned, report.rezone_error) == (1, None)
    assert rig.enrollment("eve@kunde.example").timezone == "America/New_York"


def test_shared_addresses_across_the_whole_file_and_one_person_spelled_twice(rig: Rig) -> None:
    """The rule held within one 2,000-row batch only: Anna Smith on row 2 and Bob on row 2,103 of
    info@ were stored as Bob Smith with Anna's zone. And a personal address is one person's
    however the rows spell the name ('José García', 'Jose Garcia'), where the rule had dropped
    the earlier row's zone and title; rows of a shared address that do not clash merge first."""
    filler = "".join(f"p{i}@filler.example,P{i},,,\n" for i in range(2100))
    text = (
        "email,first_name,last_name,title,timezone\n"
        "info@acme.example,Anna,Smith,CEO,America/New_York\n"
        + filler
        + "info@acme.example,Bob,,CTO,\n"
        + "jose@cliente.example,José,García,Director,America/Mexico_City\n"
        + "jose@cliente.example,Jose,Garcia,,\n"
        + "sales@acme.example,Anna,,CEO,America/Los_Angeles\n"
        + "sales@acme.example,,Smith,,\n"
        + "sales@acme.example,Bob,,,\n"
    )
    report = rig.engine.import_contacts(write(rig.tmp / "big.csv", text))
    bob = rig.engine.contact("info@acme.example")
    assert (bob.first_name, bob.last_name, bob.title, bob.timezone) == ("Bob", None, "CTO", None)
    jose = rig.engine.contact("jose@cliente.example")
    assert (jose.first_name, jose.title, jose.timezone) == (
        "Jose",
        "Director",
        "America/Mexico_City",
    )
    sales = rig.engine.contact("sales@acme.example")
    assert (sales.first_name, sales.last_name, sales.title) == ("Bob", None, None)
    said = {w.row: w.reason for w in report.warnings}
    assert sorted(said) == [2103, 2108], said
    assert "row 2 (Anna Smith)" in said[2103]
    assert "row 2107 (Anna Smith)" in said[2108]  # the rows merged before it, as stored


def test_a_shared_address_in_any_language_and_over_a_stored_contact(rig: Rig) -> None:
    """The second review: kontakt@ (not in the English role list) mixed Anna Schmidt and Bob into
    Bob Schmidt; importing Fritz over the stored Eva Braun at info@ gave Fritz Braun, CEO; and a
    person who came back after another (Anna, Bob, Anna) lost her own earlier cells."""
    rig.engine.import_contacts(
        write(
            rig.tmp / "one.csv",
            "email,first_name,last_name,title\ninfo@acme.example,Eva,Braun,CEO\n",
        )
    )
    text = (
        "email,first_name,last_name,title,timezone\n"
        "kontakt@kunde.example,Anna,Schmidt,CEO,Europe/Berlin\n"
        "kontakt@kunde.example,Bob,,CTO,\n"
        "sales@kunde.example,Anna,Smith,CEO,America/New_York\n"
        "sales@kunde.example,Bob,,,\n"
        "sales@kunde.example,Anna,,,\n"
        "info@acme.example,Fritz,,,\n"
    )
    report = rig.engine.import_contacts(write(rig.tmp / "two.csv", text))
    bob = rig.engine.contact("kontakt@kunde.example")
    assert (bob.first_name, bob.last_name, bob.title, bob.timezone) == ("Bob", None, "CTO", None)
    anna = rig.engine.contact("sales@kunde.example")
    assert (anna.first_name, anna.last_name, anna.title, anna.timezone) == (
        "Anna",
        "Smith",
        "CEO",
        "America/New_York",
    )
    fritz = rig.engine.contact("info@acme.example")
    assert (fritz.first_name, fritz.last_name, fritz.title) == ("Fritz", None, None)
    said = {w.row: w.reason for w in report.warnings}
    assert sorted(said) == [3, 5, 6, 7], said
    assert "stored for another person" in said[7]


def test_contacts_are_read_by_id_in_batches(rig: Rig) -> None:
    """More ids than PostgreSQL takes parameters in one statement (65,535): a re-import of 66,000
    enrolled contacts failed there, and importing again could not mend it (the second review)."""
    rig.import_rows([{"email": "one@kunde.example"}])
    one = rig.engine.contact("one@kunde.example")
    assert one.id is not None
    found = rig.engine.store.contacts_by_id([*range(one.id + 1, one.id + 70_001), one.id])
    assert list(found) == [one.id]


def test_a_crm_export_opt_out_column_suppresses_those_people(rig: Rig) -> None:
    """Salesforce's, HubSpot's and Outlook's exports: 'E-mail Address' and 'Email 1' were no
    address column ('no email column'), and an 'Email Opt Out' column was kept as a custom field,
    so the people who had opted out were enrolled and mailed like anyone (the review of import
    and zones). The address columns are read, and each person the file marks as opted out is
    suppressed before anything is stored: no sequence mails them."""
    text = (
        "E-mail Address,First Name,Email Opt Out\n"
        "ulla@kunde.example,Ulla,false\n"
        "vera@kunde.example,Vera,TRUE\n"
        "walt@kunde.example,Walt,\n"
    )
    report = rig.engine.import_contacts(write(rig.tmp / "sf.csv", text))
    assert (report.inserted, report.opted_out) == (3, 1)
    assert rig.engine.store.suppressed(["vera@kunde.example"])
    assert not rig.engine.store.suppressed(["ulla@kunde.example"])
    rig.engine.enroll("cold")
    rig.run(days=7)
    assert rig.received("vera@kunde.example") == []
    assert rig.received("ulla@kunde.example") and rig.received("walt@kunde.example")
    outlook = rig.engine.import_contacts(
        write(rig.tmp / "g.csv", "Name,Email 1\nXena,xena@kunde.example\n")
    )
    assert outlook.inserted == 1 and rig.engine.contact("xena@kunde.example") is not None
