"""A contact's time zone as CRM exports write it (sequencer.zones): Windows names and display
names, offsets, cities and IANA names in another case read as the IANA zone they stand for, with
a note; what cannot be read without guessing is left unread."""

from __future__ import annotations

import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sequencer.zones import DISPLAY, WINDOWS, read_zone


@pytest.mark.parametrize(
    ("cell", "name"),
    [
        ("Europe/Helsinki", "Europe/Helsinki"),
        ("america/new_york", "America/New_York"),
        ("America/New York", "America/New_York"),
        ("  Europe/Berlin ", "Europe/Berlin"),
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("Eastern Standard Time", "America/New_York"),
        ("(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"),
        ("(GMT+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius", "Europe/Helsinki"),
        ("(UTC+01:00) A place no table has", "Etc/GMT-1"),
        ("UTC-5", "Etc/GMT+5"),
        ("GMT+2", "Etc/GMT-2"),
        ("+02:00", "Etc/GMT-2"),
        ("-0500", "Etc/GMT+5"),
        ("UTC−3", "Etc/GMT+3"),  # a typographic minus
        ("Helsinki", "Europe/Helsinki"),
        ("new york", "America/New_York"),
        ("UTC", "UTC"),
        ("(GMT-05:00) Eastern Standard Time (America/New_York)", "America/New_York"),  # Salesforce
        ("UTC−12", "Etc/GMT+12"),
        ("Canberra", "Australia/Canberra"),
    ],
)
def test_a_zone_is_read_as_the_iana_zone_it_stands_for(cell: str, name: str) -> None:
    read = read_zone(cell)
    assert read is not None and read.name == name, read
    assert (read.note == "") is (cell.strip() == name)


@pytest.mark.parametrize(
    "cell",
    [
        "UTC+05:30",
        "IST",
        "Finland",
        "Mars/Olympus",
        "GMT+15",
        "",
        # old aliases by country or state, whose last word is no city (the review)
        "Victoria",
        "South",
        "North",
        "East",
        "General",
        "Continental",
        # islands and stations whose names are places elsewhere too (the second review)
        "Norfolk",
        "Samoa",
        "Chatham",
        "Davis",
        "Christmas",
        "Jersey",
        # past IANA's range, with a typographic minus too
        "UTC−13",
        "UTC-13",
    ],
)
def test_what_cannot_be_read_without_guessing_stays_unread(cell: str) -> None:
    assert read_zone(cell) is None


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("UTC-5", "no daylight saving"),
        ("EST", "no daylight saving"),
        ("est", "no daylight saving"),
        ("GMT", "Europe/London"),
        ("etc/gmt+2", "UTC-2"),
        ("Etc/GMT+2", "UTC-2"),
        ("W. Europe Standard Time", "read 'W. Europe Standard Time' as Europe/Berlin"),
    ],
)
def test_a_reading_that_may_surprise_says_so(cell: str, words: str) -> None:
    read = read_zone(cell)
    assert read is not None and words in read.note, read


def test_every_zone_in_the_tables_is_installed() -> None:
    installed = zoneinfo.available_timezones()
    for cell in [*WINDOWS, *(f"(UTC) {place}" for place in DISPLAY)]:
        read = read_zone(cell)
        assert read is not None and read.name in installed, (cell, read)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_cell_is_read_as_an_installed_zone_or_not_at_all(cell: str) -> None:
    read = read_zone(cell)
    assert read is None or read.name in zoneinfo.available_timezones()
