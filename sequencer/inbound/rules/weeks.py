"""Numbered weeks (ISO 8601, as Finland, Sweden and Germany count them) in an out-of-office
answer's text, for :func:`sequencer.inbound.rules.auto_reply.return_date`: "until week 2",
"viikolle 2 asti", "åter v. 2", "bis KW 2", a range "viikot 52–1"; and the weekdays' names they
share with the dates there.
"""

from __future__ import annotations

import datetime
import re

#: The weekdays' names, Monday first: English, Finnish, Swedish, German (two for Saturday).
_WEEKDAYS = (
    ("monday", "maanantai", "måndag", "montag"),
    ("tuesday", "tiistai", "tisdag", "dienstag"),
    ("wednesday", "keskiviikko", "onsdag", "mittwoch"),
    ("thursday", "torstai", "torsdag", "donnerstag"),
    ("friday", "perjantai", "fredag", "freitag"),
    ("saturday", "lauantai", "lördag", "samstag", "sonnabend"),
    ("sunday", "sunnuntai", "söndag", "sonntag"),
)
_WEEKDAY_NAMES = "|".join(
    f"{en}|{fi}(?:na)?|{sv}(?:en)?|{'|'.join(de)}" for en, fi, sv, *de in _WEEKDAYS
)

# A numbered week (ISO 8601, as Finland, Sweden and Germany count them), read as its Monday, or as
# the weekday named before it: "until week 2", "viikolle 2 asti", "palaan tiistaina viikolla 2",
# "åter v. 2", "tillbaka måndag vecka 2", "bis KW 2", "ab der 2. KW", "Montag, KW 2/2027".
_WEEK_WORD = (
    r"(?:calendar\s+)?week|wk\.?|cw|viikolla|viikolle|viikolta|viikosta|viikon|viikkoon|viikko|"
    r"vkolla|vkolle|vkolta|vkosta|vkon|vko\.?|vk\.?|vecka|veckan|v\.|kw|kalenderwoche|woche"
)
#: What may not follow a week's number: a digit, a range ("KW 51-2": which week is not said), a
#: count ("diese Woche 2 Tage", "tällä viikolla 2 päivää").
_WEEK_END = (
    r"(?![\d.,:]\d|\w|/(?!20\d\d(?!\d))\d|\s*[-–—]\s*\d|\s+(?:tage?n?|päiv\w*|dag\w*|days?|"
    r"hours?|stunden|tuntia|timmar|veckor|wochen|weeks|viikkoa|mal|kertaa|gånger|times)(?!\w))"
)
_WEEK_RE = re.compile(
    rf"(?<!\w)(?:(?P<weekday>{_WEEKDAY_NAMES}),?\s+(?:(?:of|in|der|i)\s+)?)?"
    r"(?:(?:the\s+|der\s+)?(?P<ordinal>\d{1,2})\.\s*(?:kw|kalenderwoche)(?!\w)|"
    rf"(?:{_WEEK_WORD})\s*(?P<week>\d{{1,2}}){_WEEK_END})"
    r"(?:(?:\s*/\s*|,?\s+(?:of\s+)?)(?P<year>20\d\d)(?!\d))?",
    re.IGNORECASE,
)
#: A range of numbered weeks away ("lomalla viikot 52–1", "ledig v. 51 till v. 2", "KW 51–2 im
#: Urlaub"): the Monday after the last, read as a last day away is (a later sentence's day back
#: wins), and without a cue only in a sentence that speaks of being away (:data:`_AWAY_RE`): not
#: "we deliver in weeks 3–4", "Messe in KW 10-11".
_RANGE_WORD = (
    r"weeks?|wks?|(?:kalenteri)?viikot|(?:kalenteri)?viikoilla|viikoiksi|vkot|vko\.?|vk\.?|"
    r"veckorna|veckor|vecka|v\.|kw|kalenderwochen|wochen"
)
#: Plural words for weeks: after one, "to", "till" or "bis" may join two bare numbers ("weeks 52
#: to 1"); after a singular one, only two weeks each with its word ("KW 51 bis KW 2"), since "v. 52
#: till 6 januari" and "KW 2 bis 15 Uhr" end in a date or an hour.
_PLURAL_WEEKS = (
    r"weeks|wks|(?:kalenteri)?viikot|(?:kalenteri)?viikoilla|viikoiksi|vkot|veckorna|veckor"
)
#: What may not follow a range's last number: a month ("KW 51-8. Januar"), an hour, a time.
_NOT_A_WEEK_AFTER = (
    r"(?!\.?\s*(?:jan|feb|mar|mär|apr|may|mai|maj|jun|jul|aug|sep|oct|okt|nov|dec|dez|tammi|helmi|"
    r"maalis|huhti|touko|kesä|heinä|elo|syys|loka|marras|joulu)|\s*(?:uhr|h|am|pm|o['’]clock|klo)\b|"
    r"[:.]\d)"
)
_WEEK_RANGE_RE = re.compile(
    rf"(?<!\w)(?:(?:{_RANGE_WORD})\s*(?P<first>\d{{1,2}})\s*[-–—]\s*(?:(?:{_RANGE_WORD})\s*)?|"
    rf"(?:{_PLURAL_WEEKS})\s*\d{{1,2}}\s*(?:to|till|bis)\s+(?:(?:{_RANGE_WORD})\s*)?|"
    rf"(?:{_RANGE_WORD})\s*\d{{1,2}}\s*(?:to|till|bis)\s+(?:{_RANGE_WORD})\s*)"
    rf"(?P<week>\d{{1,2}}){_NOT_A_WEEK_AFTER}" + _WEEK_END,
    re.IGNORECASE,
)
_AWAY_RE = re.compile(
    r"(?<!\w)(?:\w*loma\w*|poissa|ledig|semester\w*|frånvarande|borta|tjänstledig|\w*urlaub\w*|"
    r"abwesend|elternzeit|nicht\s+im\s+büro|vacation|holidays?|on\s+leave|away|"
    r"out\s+of\s+(?:the\s+)?office|ooo|pto)(?!\w)",
    re.IGNORECASE,
)
#: German and Swedish for a last day away, inclusive ("bis einschließlich", "till och med"), as
#: :data:`auto_reply._LAST_DAY_RE` reads them before a date and :data:`_THROUGH_RE` before a week.
_INCLUSIVE_DE = r"einschließlich|einschl\.|inklusive|inkl\.|und\s+mit"
_INCLUSIVE_SV = r"till\s+och\s+med|t\.\s?o\.\s?m\.?"
#: Right before a numbered week, words that make it the last week away: its Sunday is read (and
#: a cue said inclusively, "t.o.m. v. 2", then gives the day after, as for a date).
_THROUGH_RE = re.compile(
    rf"(?<!\w)(?:{_INCLUSIVE_DE}|{_INCLUSIVE_SV}|through|thru|end\s+of|ende|slutet\s+av|"
    r"utgången\s+av)\s*(?:der\s+|vecka\s+|the\s+)?$",
    re.IGNORECASE,
)
#: Right before a numbered week, words that put the day back after it: the next Monday.
_AFTER_RE = re.compile(r"(?<!\w)(?:after|efter|nach|nach\s+der)\s*$", re.IGNORECASE)
#: Right after one, the same in Finnish: "viikon 2 loppuun asti", "viikon 2 jälkeen".
_FI_THROUGH_RE = re.compile(r"\s*loppuun(?!\w)", re.IGNORECASE)
_FI_AFTER_RE = re.compile(r"\s*jälkeen(?!\w)", re.IGNORECASE)
#: Weeks a numbered week may have ended and still be the one meant (a notice left on): none is
#: read then, rather than that week a year on.
_STALE_WEEKS = 8


def _week_side(sentence: str, start: int, end: int) -> str:
    """Which day of a numbered week its words mean: "first", "last" (:data:`_THROUGH_RE`) or
    "after" (:data:`_AFTER_RE`)."""
    before = max(0, start - 30)
    if _THROUGH_RE.search(sentence, before, start) or _FI_THROUGH_RE.match(sentence, end):
        return "last"
    if _AFTER_RE.search(sentence, before, start) or _FI_AFTER_RE.match(sentence, end):
        return "after"
    return "first"


def _week_day(match: re.Match[str], today: datetime.date, side: str) -> datetime.date | None:
    """The day a numbered week names: its Monday, or the weekday named with it, or its Sunday
    (``side`` "last": the last week away), or the Monday after it (``side`` "after"). Without a
    year, in the week of that number under way or to come; none when that number's week ended
    less than :data:`_STALE_WEEKS` ago (a notice left on), nor for a week the year lacks. A day
    already past in a week under way gives today."""
    found = match.groupdict()
    week = int(found.get("week") or found["ordinal"])
    named = found.get("weekday")
    offset = {"first": 0, "last": 6, "after": 7}[side]
    if named:
        lowered = named.lower()
        offset = next(i for i, names in enumerate(_WEEKDAYS) if lowered.startswith(names))
    if found.get("year"):
        years = [int(found["year"])]
    else:
        this = today.isocalendar()[0]
        years = [this - 1, this, this + 1]
    for year in years:
        try:
            monday = datetime.date.fromisocalendar(year, week, 1)
        except ValueError:
            continue
        sunday = monday + datetime.timedelta(days=6)
        if sunday < today:
            if not found.get("year") and (today - sunday).days < 7 * _STALE_WEEKS:
                return None
            continue
        return max(monday + datetime.timedelta(days=offset), today)
    return None
