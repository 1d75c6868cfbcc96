"""An absence still ahead of the writer: "I'm off from 18 December until 7 January, so nothing
will happen before then, but I'd like to see a demo. Could you send me a couple of slots for the
week of 11 January?", "Mä oon lomilla 21.12.–6.1., mut soitellaan heti sen jälkeen".

An out-of-office notice is sent while its writer is away, so the absence it tells of has begun
by the day it comes. One whose first day away is still to come was written by a person who is
at work today, telling us when they will not be. :func:`not_away_yet` finds that person; the
classifier then reads the text as a human reply (:mod:`sequencer.inbound.classify`).

The test is narrow, since an out-of-office answer must never count as interest: the first day
away is written, cued as a first day ("from 18 December", "from Friday", "21.12. alkaen", "ab
dem 21.12.", or a range's first date, "21.12.–6.1."), and later than the day the reply came; the
absence is the writer's own, in the first person singular; a turn follows it ("so", "but",
"mutta", "men", "aber") and after it the writer asks for something, with a question put to us, or
after interest shown before the absence ("Ich bin vom 21.12. an im Urlaub, aber melden Sie sich
gerne im Januar" has neither, and stays a notice); the text is read as interest;
and nothing in it is what only a notice says ("for urgent matters", "in my absence", a phone
number in the text, a link). A notice switched on ahead of time that says "I'm off from 18
December, but book a meeting here: https://…" stays a notice.
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache

from sequencer.inbound.intent.aside import (
    _PHONE_RE,
    _STANDING,
    _TURN_RE,
    _sentence,
    _writer_absent,
)
from sequencer.inbound.intent.rules import (
    _ABSENCE,
    _ABSENCE_HEAD,
    _INTEREST,
    _asks,
    _interested,
    body,
    read,
)
from sequencer.inbound.message import Parsed
from sequencer.inbound.rules.auto_reply import _dates_in
from sequencer.inbound.verdict import Intent

__all__ = ["not_away_yet"]

#: A first day away cued before its date: "from 18 December", "from Friday", "ab dem 21.12.",
#: "från den 21 december", "vom 21.12.".
_FROM_RE = re.compile(
    r"(?<!\w)(?:from|starting|ab|vom|från|fr\.\s?o\.\s?m\.?)\s+(?:the\s+|on\s+|dem\s+|den\s+)?$",
    re.IGNORECASE,
)
#: ... or after it: "21.12. alkaen", "perjantaista lähtien"; or a range's first date:
#: "21.12.–6.1.", "18-23 December".
_FROM_AFTER_RE = re.compile(r"\s*(?:alkaen|lähtien|[-–—]\s*\d)", re.IGNORECASE)
#: A link: a notice's "book a time here: https://…".
_LINK_RE = re.compile(r"https?://|www\.|calendly", re.IGNORECASE)
_TURN_REACH = 200  # characters after the absence its turn must come within
#: Days ahead a first day away may be: a date read as next year's (the date reader takes a day
#: of the month gone by as next year's) is one gone by this year, and the writer is away already.
_AHEAD_REACH = 62


def _first_day_away(sentence: str, today: datetime.date) -> datetime.date | None:
    """The first day away written in ``sentence`` and cued as one, if any."""
    for start, end, day in _dates_in(sentence, today):
        if _FROM_RE.search(sentence[max(0, start - 16) : start]) or _FROM_AFTER_RE.match(
            sentence, end
        ):
            return day
    return None


@lru_cache(maxsize=1)  # both body absence rules may ask it of the same message
def not_away_yet(msg: Parsed) -> bool:
    """Whether the absence read at the top of ``msg``'s text is still ahead of its writer, who
    answers past it with interest (see the module)."""
    text = body(msg)
    absence = _ABSENCE.first(text[:_ABSENCE_HEAD])
    if absence is None or not _writer_absent(text):
        return False
    start = max(text.rfind(end, 0, absence.start()) for end in (".\n", "\n", "!", "?")) + 1
    stop = text.find("\n", absence.end())
    line = text[start : stop if stop >= 0 else len(text)]
    first = _first_day_away(line, msg.today)
    if first is None or not 0 < (first - msg.today).days <= _AHEAD_REACH:
        return False
    turn = _TURN_RE.search(text, absence.end(), absence.end() + _TURN_REACH)
    if turn is None or not _asks(_INTEREST.scan(text[turn.end() :])):
        return False
    # a person's interest, not a notice's "aber melden Sie sich gerne im Januar": a question put
    # to us past the absence, or interest shown before it ("Kiinnostaa. Olen lomalla 21.12.–…")
    if "?" not in text[turn.end() :] and not _interested(text[: _sentence(text, absence.start())]):
        return False
    whole = f"{msg.subject}\n{msg.fresh}"
    if _PHONE_RE.search(text) or _STANDING.first(whole) is not None or _LINK_RE.search(text):
        return False
    return read(msg).intent is Intent.POSITIVE
