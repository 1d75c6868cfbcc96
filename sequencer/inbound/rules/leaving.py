"""The first day of an absence a text names: "I'm off from Friday until 4 January", "olen lomalla
21.12.–6.1.", "ab dem 21.12. im Urlaub", "ledig fr.o.m. 21/12".

An out-of-office notice is sent while its writer is away, so the absence it tells of has begun.
A person who writes of an absence that begins after the day the reply is read is at work, and
answering (:func:`sequencer.inbound.intent.aside.leaving_later` asks more of the text before it
reads it so). :func:`departures` reads the dates; it does not decide.
"""

from __future__ import annotations

import bisect
import datetime
import re

from sequencer.inbound.message import as_date
from sequencer.inbound.rules.auto_reply import _WEEKDAY_RE, _Cues, _dates_in, _next_within

__all__ = ["departures"]

#: The words right before a first day away: "from Friday", "starting 21 December", "as of the
#: 18th", "från och med fredag", "fr.o.m. 21/12", "ab dem 21.12.", "vom 21.12.".
_SETS_OFF_RE = re.compile(
    r"(?<!\w)(?:from|starting|beginning|as\s+of|från(?:\s+och\s+med)?|fr\.\s?o\.\s?m\.?|"
    r"ab(?:\s+(?:dem|den))?|vom)\s+(?:(?:on|the|next|nästa|kommenden?|diesem|dieser)\s+)?$",
    re.IGNORECASE,
)
_SETS_OFF_REACH = 30  # characters before a date its words are looked for in
#: A Finnish postposition after a first day away: "21.12. alkaen", "perjantaista lähtien".
_ONWARDS_RE = re.compile(r"\s*(?:alkaen|lähtien)(?!\w)", re.IGNORECASE)
#: The end of a range right after a date, which makes it the range's first day: "21.12.–6.1.",
#: "21/12 - 6/1".
_RANGE_RE = re.compile(r"\s*[–—-]\s*\d{1,2}[./]\d")
_BACK_AFTER = 20  # characters after a first day away a word of being back makes it a day back
_SOON = datetime.timedelta(days=2)  # "from tomorrow": a notice switched on the evening before
_AHEAD = 45  # days ahead a first day away is read in: later than that, it is no near absence


def departures(text: str, *, today: datetime.date) -> list[tuple[int, datetime.date]]:
    """(where, day) of each first day away ``text`` names that comes after ``today`` and within
    :data:`_AHEAD` days: a date after words of setting off ("from", "starting", "från", "ab",
    "vom") or before "alkaen" / "lähtien", with no word of being back beside it ("ab Montag
    wieder erreichbar" names a day back); a range's first day ("21.12.–6.1."). Only the text's
    first date counts ("until 3 January, but from 4 January" names a day back), and not one
    before the day after tomorrow, nor a weekday named on that weekday. Earliest first."""
    today = as_date(today)
    latest = today + datetime.timedelta(days=_AHEAD)
    cued = _Cues(text)
    found: list[tuple[int, datetime.date]] = []
    dates = _dates_in(text, today, weeks=False)
    for place, (start, end, day, _) in enumerate(dates):
        if place > 0:
            break  # after another date ("until 3 January, but from 4 January"): a day back
        if not today + _SOON <= day <= latest or _same_weekday(text, start, end, today, day):
            continue
        following = dates[place + 1][0] if place + 1 < len(dates) else len(text)
        lead = _SETS_OFF_RE.search(text, max(0, start - _SETS_OFF_REACH), start)
        onwards = _ONWARDS_RE.match(text, end)
        if lead is not None:
            first, last = lead.start(), end
        elif onwards is not None:
            first, last = start, onwards.end()
        elif _RANGE_RE.match(text, end):
            found.append((start, day))
            continue
        else:
            continue
        if not _back_near(cued, first, last, following):
            found.append((start, day))
    return sorted(found)


def _back_near(cued: _Cues, first: int, last: int, following: int) -> bool:
    """Whether a word of being back (not turned by a negation: "nicht erreichbar") stands in the
    clause of ``first`` before it ("back in the office from 7 January"), or within
    :data:`_BACK_AFTER` characters after ``last`` and before the ``following`` date ("ab Montag
    wieder erreichbar"; not "from Friday until 4 Jan so if the answers are sensible")."""
    k = bisect.bisect_left(cued.clauses, first) - 1
    opening = cued.clauses[k] if k >= 0 else 0
    if _next_within(cued.backs, opening, first - opening - 1) is not None:
        return True
    after = _next_within(cued.backs, last, _BACK_AFTER)
    return after is not None and after < following


def _same_weekday(
    text: str, start: int, end: int, today: datetime.date, day: datetime.date
) -> bool:
    """Whether the date is a weekday named on that same weekday ("from Friday", written on a
    Friday), which the reader of return dates takes as a week on: this one begins today."""
    return (day - today).days == 7 and _WEEKDAY_RE.fullmatch(text, start, end) is not None
