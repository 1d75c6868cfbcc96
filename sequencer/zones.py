"""A contact's time zone as CRM exports write it, read into an IANA name. Pure.

A list's ``timezone`` column holds IANA names ("Europe/Helsinki"), but also what Outlook,
Salesforce, HubSpot and hand-typed sheets put there: Windows zone names ("W. Europe Standard
Time"), Windows display names ("(UTC-05:00) Eastern Time (US & Canada)"), offsets ("UTC-5",
"GMT+2", "+02:00"), and IANA names in another case ("america/new_york"). :func:`read_zone` reads
each into the IANA name it stands for, and says when it read one otherwise than written, so the
import can tell the user; what it cannot read without guessing (a half-hour offset, "IST") stays
unread, and the contact gets the sequence's zone, as for a blank cell.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import cache

#: Windows zone ids and the IANA zone each stands for (CLDR's windowsZones, territory "001"),
#: the ones a sales list meets.
WINDOWS = {
    "dateline standard time": "Etc/GMT+12",
    "utc-11": "Etc/GMT+11",
    "hawaiian standard time": "Pacific/Honolulu",
    "alaskan standard time": "America/Anchorage",
    "pacific standard time (mexico)": "America/Tijuana",
    "pacific standard time": "America/Los_Angeles",
    "us mountain standard time": "America/Phoenix",
    "mountain standard time (mexico)": "America/Mazatlan",
    "mountain standard time": "America/Denver",
    "central america standard time": "America/Guatemala",
    "central standard time": "America/Chicago",
    "central standard time (mexico)": "America/Mexico_City",
    "canada central standard time": "America/Regina",
    "sa pacific standard time": "America/Bogota",
    "eastern standard time": "America/New_York",
    "eastern standard time (mexico)": "America/Cancun",
    "us eastern standard time": "America/Indiana/Indianapolis",
    "venezuela standard time": "America/Caracas",
    "atlantic standard time": "America/Halifax",
    "sa western standard time": "America/La_Paz",
    "pacific sa standard time": "America/Santiago",
    "newfoundland standard time": "America/St_Johns",
    "e. south america standard time": "America/Sao_Paulo",
    "argentina standard time": "America/Argentina/Buenos_Aires",
    "greenland standard time": "America/Nuuk",
    "utc": "Etc/UTC",
    "gmt standard time": "Europe/London",
    "greenwich standard time": "Atlantic/Reykjavik",
    "w. europe standard time": "Europe/Berlin",
    "central europe standard time": "Europe/Budapest",
    "romance standard time": "Europe/Paris",
    "central european standard time": "Europe/Warsaw",
    "w. central africa standard time": "Africa/Lagos",
    "gtb standard time": "Europe/Bucharest",
    "e. europe standard time": "Europe/Chisinau",
    "fle standard time": "Europe/Kyiv",
    "egypt standard time": "Africa/Cairo",
    "south africa standard time": "Africa/Johannesburg",
    "israel standard time": "Asia/Jerusalem",
    "turkey standard time": "Europe/Istanbul",
    "russian standard time": "Europe/Moscow",
    "arab standard time": "Asia/Riyadh",
    "e. africa standard time": "Africa/Nairobi",
    "iran standard time": "Asia/Tehran",
    "arabian standard time": "Asia/Dubai",
    "pakistan standard time": "Asia/Karachi",
    "india standard time": "Asia/Kolkata",
    "nepal standard time": "Asia/Kathmandu",
    "bangladesh standard time": "Asia/Dhaka",
    "se asia standard time": "Asia/Bangkok",
    "china standard time": "Asia/Shanghai",
    "singapore standard time": "Asia/Singapore",
    "taipei standard time": "Asia/Taipei",
    "w. australia standard time": "Australia/Perth",
    "tokyo standard time": "Asia/Tokyo",
    "korea standard time": "Asia/Seoul",
    "cen. australia standard time": "Australia/Adelaide",
    "aus central standard time": "Australia/Darwin",
    "e. australia standard time": "Australia/Brisbane",
    "aus eastern standard time": "Australia/Sydney",
    "new zealand standard time": "Pacific/Auckland",
    "tonga standard time": "Pacific/Tongatapu",
    "line islands standard time": "Pacific/Kiritimati",
    "middle east standard time": "Asia/Beirut",
    "jordan standard time": "Asia/Amman",
    "morocco standard time": "Africa/Casablanca",
}
#: Windows display names (after their "(UTC+hh:mm)"), for the zones above that lists meet most.
DISPLAY = {
    "eastern time (us & canada)": "America/New_York",
    "central time (us & canada)": "America/Chicago",
    "mountain time (us & canada)": "America/Denver",
    "pacific time (us & canada)": "America/Los_Angeles",
    "arizona": "America/Phoenix",
    "alaska": "America/Anchorage",
    "hawaii": "Pacific/Honolulu",
    "atlantic time (canada)": "America/Halifax",
    "brasilia": "America/Sao_Paulo",
    "dublin, edinburgh, lisbon, london": "Europe/London",
    "amsterdam, berlin, bern, rome, stockholm, vienna": "Europe/Berlin",
    "belgrade, bratislava, budapest, ljubljana, prague": "Europe/Budapest",
    "brussels, copenhagen, madrid, paris": "Europe/Paris",
    "sarajevo, skopje, warsaw, zagreb": "Europe/Warsaw",
    "athens, bucharest": "Europe/Bucharest",
    "helsinki, kyiv, riga, sofia, tallinn, vilnius": "Europe/Helsinki",
    "helsinki, kiev, riga, sofia, tallinn, vilnius": "Europe/Helsinki",
    "jerusalem": "Asia/Jerusalem",
    "istanbul": "Europe/Istanbul",
    "moscow, st. petersburg": "Europe/Moscow",
    "abu dhabi, muscat": "Asia/Dubai",
    "chennai, kolkata, mumbai, new delhi": "Asia/Kolkata",
    "beijing, chongqing, hong kong, urumqi": "Asia/Shanghai",
    "kuala lumpur, singapore": "Asia/Singapore",
    "osaka, sapporo, tokyo": "Asia/Tokyo",
    "seoul": "Asia/Seoul",
    "canberra, melbourne, sydney": "Australia/Sydney",
    "brisbane": "Australia/Brisbane",
    "perth": "Australia/Perth",
    "auckland, wellington": "Pacific/Auckland",
}
#: Zones with one offset all year, which a list may use for a place that changes its clocks.
FIXED = frozenset({"EST", "MST", "HST"})

_NAMED_RE = re.compile(r"\(([A-Za-z_]+(?:/[A-Za-z_+\-]+){1,2})\)")
_DISPLAY_RE = re.compile(r"^\(\s*(?:utc|gmt)\s*(?:([+\-−])\s*(\d{1,2}):?(\d{2}))?\s*\)\s*(.+)$")
_OFFSET_RE = re.compile(r"^(?:(?:utc|gmt)\s*)?([+\-−])\s*(\d{1,2})(?::?(\d{2}))?$")
_ETC_RE = re.compile(r"^etc/gmt([+-])(\d{1,2})$")


@dataclass(frozen=True)
class Zone:
    """A time zone cell read: the IANA name, and why it differs from what was written (empty
    when it was written so)."""

    name: str
    note: str = ""


def read_zone(cell: str) -> Zone | None:
    """The IANA zone ``cell`` stands for; None when it cannot be read without guessing."""
    text = " ".join(cell.split())
    if text in _names():
        return Zone(text, _fixed_note(text))
    lowered = text.lower()
    found = _by_case().get(lowered.replace(" ", "_"))
    if found is not None:
        said = (f"read '{text}' as {found}", _fixed_note(found))
        return Zone(found, "; ".join(n for n in said if n))
    named = _NAMED_RE.search(
        text
    )  # Salesforce: "(GMT-05:00) Eastern Standard Time (America/New_York)"
    if named is not None and named.group(1) in _names():
        return Zone(named.group(1), f"read '{text}' as {named.group(1)}")
    if lowered in WINDOWS:
        return _read_as(text, WINDOWS[lowered])
    city = _by_city().get(lowered.replace("_", " "))
    if city is not None:  # "Helsinki", "new york": the one IANA zone named after the city
        return _read_as(text, city)
    display = _DISPLAY_RE.match(lowered)
    if display is not None:
        sign, hours, minutes, place = display.groups()
        if place in DISPLAY:
            return _read_as(text, DISPLAY[place])
        return _offset(text, sign or "+", hours or "0", minutes)
    offset = _OFFSET_RE.match(lowered)
    if offset is not None:
        return _offset(text, *offset.groups())
    return None


def _read_as(text: str, name: str) -> Zone:
    return Zone(_installed(name), f"read '{text}' as {_installed(name)}")


def _offset(text: str, sign: str, hours: str, minutes: str | None) -> Zone | None:
    """A fixed offset: Etc/GMT with IANA's reversed sign ("UTC-5" is Etc/GMT+5), whole hours
    only (no IANA zone is a fixed offset of 5:30)."""
    hour, behind = int(hours), sign in "-−"  # a typographic minus too
    if int(minutes or 0) != 0 or hour > 14 or (behind and hour > 12):
        return None
    if hour == 0:
        return Zone("Etc/UTC", f"read '{text}' as Etc/UTC")
    name = f"Etc/GMT{'+' if behind else '-'}{hour}"
    return Zone(
        name,
        f"read '{text}' as {name}, a fixed offset with no daylight saving: write the place's "
        "IANA name (such as America/New_York) to follow its clock changes",
    )


def _fixed_note(name: str) -> str:
    """A warning for an IANA name with one offset all year that a list may mean otherwise."""
    if name == "GMT":
        return "GMT is UTC all year (no British summer time): for the UK write Europe/London"
    if name in FIXED:
        return (
            f"{name} is a fixed offset with no daylight saving all year: for a place that changes "
            "its clocks write its IANA name (America/New_York, America/Denver)"
        )
    etc = _ETC_RE.match(name.lower())
    if etc is not None and etc.group(2) != "0":
        real = f"UTC{'-' if etc.group(1) == '+' else '+'}{etc.group(2)}"
        return f"{name} is {real} (IANA's Etc zones reverse the sign)"
    return ""


def _installed(name: str) -> str:
    """``name``, or its older alias where the installed zone data predates it (Europe/Kyiv)."""
    older = {"Europe/Kyiv": "Europe/Kiev", "America/Nuuk": "America/Godthab"}
    return name if name in _names() or name not in older else older[name]


@cache
def _names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


#: The IANA areas whose zones are named after a mainland city: not the oceans' islands ("Norfolk",
#: "Samoa", "Chatham", "Christmas", "Easter" are places elsewhere too) nor Antarctica's stations.
_AREAS = frozenset({"Africa", "America", "Asia", "Australia", "Europe"})
#: Names in those areas that are no city's, or a more common place's elsewhere: Australia's
#: state aliases, New Jersey's "Jersey", the Virgin Islands.
_STATES = frozenset(
    {
        "ACT",
        "LHI",
        "NSW",
        "North",
        "Queensland",
        "South",
        "Tasmania",
        "Victoria",
        "West",
        "Yancowinna",
        "Jersey",
        "Virgin",
        "Guernsey",
    }
)


@cache
def _by_city() -> dict[str, str]:
    """IANA names of an area by their city ("helsinki", "new york"), where only one zone has it."""
    found: dict[str, list[str]] = {}
    for name in _names():
        area, _, city = name.rpartition("/")
        # the continents' zones only, two levels (not America/North_Dakota/Center), not the old
        # aliases by country or state (Brazil/East, Mexico/General, Australia/Victoria)
        if area in _AREAS and city not in _STATES:
            found.setdefault(city.lower().replace("_", " "), []).append(name)
    return {city: names[0] for city, names in found.items() if len(names) == 1}


@cache
def _by_case() -> dict[str, str]:
    """IANA names by their lower case (none clash)."""
    return {name.lower(): name for name in _names()}
