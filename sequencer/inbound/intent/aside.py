"""An absence mentioned in passing: "I'm off on Friday, so let's do Thursday at 10", "Olen
huomenna lomalla, mutta torstaina sopii soittaa", "Jag är ledig på fredag, så torsdag passar
bättre". The out-of-office rules see the words of an absence at the top of a text; a person who
answers all the same writes them too. :func:`in_passing` tells the two apart, and the classifier
then reads the text as a human reply (:mod:`sequencer.inbound.classify`).

The test is narrow on purpose, since an out-of-office answer must never count as interest, and
notices say "but call me on 040 123 4567" too. The absence is the writer's own (a first-person
word on its line, before it), and a turn follows it on the same line ("so", "but", "mutta",
"så", "aber"). After the turn the writer either declines and asks for nothing, or asks for
something with a time offered (a weekday, tomorrow, a clock time) for an absence of one named
day ("on Friday", "huomenna", "på fredag"; never "today" or "this week", which a notice says),
without words of being available again ("aber am Donnerstag gerne erreichbar"). Nothing in the
subject or the text, signature included, is what only a notice says ("for urgent matters", "if
it cannot wait", "kiireellisissä asioissa", "Autosvar:"), the text gives no phone number (a
signature's is everyone's), nobody else is named to call, and no return date can be read. "I'm
on holiday this week, but call me on 040 123 4567" and "I'm on holiday, so no email access.
Please call me." stay out-of-office answers.

:func:`someone_answers` finds the other kind of person: one who tells of an absence and sends us
to someone else, or declines. Its text greets our sender by name (the reply's To), which a notice
written before our mail came cannot do ("Hi Lena, I'm starting parental leave on Friday … Jenny
covers AP"); or the absence is that of the person it refers us to, told after the referral
("tämä kuuluu Annelle: anne@… Anne on lomalla 4.1. asti"). Only a referral or a refusal is read
past the absence so, never interest.
"""

from __future__ import annotations

import re
from email.utils import getaddresses
from functools import lru_cache

from sequencer.inbound.intent.clauses import conditional
from sequencer.inbound.intent.rules import (
    _ABSENCE,
    _ABSENCE_HEAD,
    _INTEREST,
    _REFERRAL,
    _REFUSAL,
    _asks,
    _Cues,
    body,
    read,
)
from sequencer.inbound.message import Parsed
from sequencer.inbound.rules.auto_reply import _BACK_RE, return_date
from sequencer.inbound.rules.weeks import _WEEKDAYS
from sequencer.inbound.verdict import Intent

__all__ = ["in_passing", "someone_answers"]

_STANDING = _Cues.of(lambda lexicon: lexicon.standing)
#: The writer, in the line before the absence: "I'm", "olen", "mä oon", "jag är", "ich bin".
_PERSONAL_RE = re.compile(
    r"(?<!\w)(?:i|i['’]m|i['’]ll|i['’]ve|me|my|olen|oon|mä|minä|mie|olemme|ollaan|jag|ich|bin)"
    r"(?!\w)",
    re.IGNORECASE,
)
#: A turn from the absence to the answer, on its line: "so", "but", "mutta", "joten", "et",
#: "så", "men", "aber", "also".
_TURN_RE = re.compile(
    r"(?<!\w)(?:so|but|however|anyway|mutta|mut|joten|niin|et|eli|silti|så|men|aber|also|"
    r"deshalb|daher|doch|trotzdem)(?!\w)",
    re.IGNORECASE,
)
_TURN_REACH = 160  # characters after the absence its turn must come within
#: Monday to Friday in the four languages, as the return-date reader names them, in any form
#: ("perjantain", "fredagen", "Donnerstagvormittag").
_WEEKDAY = "(?:" + "|".join(name for names in _WEEKDAYS[:5] for name in names) + r")\w*"
#: An absence of one named day: "on Friday", "tomorrow", "huomenna", "perjantain", "på fredag",
#: "am Freitag" (never "today" or "this week": what a notice says while it is sent).
_ONE_DAY_RE = re.compile(
    rf"(?<!\w)(?:{_WEEKDAY}|tomorrow|huomenna|i\s?morgon|morgen|next\s+week|ensi\s+viikolla|"
    r"nästa\s+vecka|nächste\s+woche)(?!\w)",
    re.IGNORECASE,
)
#: A time offered: a weekday, tomorrow, a clock time ("at 10", "klo 14", "kl 9.30", "um 10").
_TIME_RE = re.compile(
    rf"(?<!\w)(?:{_WEEKDAY}|tomorrow|huomenna|i\s?morgon|morgen|übermorgen|ylihuomenna)(?!\w)|"
    r"(?<!\w)(?:at|klo|kl\.?|um)\s*\d{1,2}(?:[.:]\d\d)?(?!\d)|(?<![\d.])\d{1,2}[.:]\d\d(?![\d.])",
    re.IGNORECASE,
)
#: A phone number (seven digits or more, spaced or not, or in dotted groups): a notice's "call
#: me on 040 123 4567", "555.123.4567" (not a date: "21.12.2026").
_PHONE_RE = re.compile(
    r"(?<![\w.])\+?\d(?:[\s()/-]{0,2}\d){6,}|(?<![\w.])\d{3,4}(?:\.\d{2,4}){2,3}(?![\w.])"
)


@lru_cache(maxsize=1)  # both body absence rules may ask it of the same message
def in_passing(msg: Parsed) -> bool:
    """Whether the absence at the top of ``msg``'s text is the writer's aside, answered past (see
    the module)."""
    text = body(msg)
    absence = _ABSENCE.first(text[:_ABSENCE_HEAD])
    if absence is None:
        return False
    line_start = text.rfind("\n", 0, absence.start()) + 1
    if not _PERSONAL_RE.search(text, line_start, absence.end()):
        return False
    line_end = text.find("\n", absence.end())
    reach = min(absence.end() + _TURN_REACH, line_end if line_end >= 0 else len(text))
    turn = _TURN_RE.search(text, absence.end(), reach)
    if turn is None:
        return False
    rest = text[turn.end() :]
    if _REFERRAL.first(rest, negatable=True) is not None:
        return False  # whom to call instead: a notice's stand-in ("joten soita Marjalle")
    if _notice_says(msg, text):
        return False  # "but call me on 040 123 4567", "for urgent matters", a day back
    asks = _asks(_INTEREST.scan(rest))
    # a refusal after the turn, asked of the whole text (a refusal said at a text's start,
    # "^no", must not match the first word after "so": "so no email access")
    declines = any(
        m.start() >= turn.end() and not conditional(text, m.start()) for m in _REFUSAL.matches(text)
    )
    offers = (
        asks
        and _BACK_RE.search(rest) is None  # a notice's "aber am Donnerstag gerne erreichbar"
        and _ONE_DAY_RE.search(text, line_start, turn.start()) is not None
        and _TIME_RE.search(rest) is not None
    )
    return (declines and not asks) or offers


def _notice_says(msg: Parsed, text: str) -> bool:
    """Whether ``msg`` says what only a notice says: a phone number in the text (a signature's
    is everyone's), a notice's standing words in the subject or anywhere in the fresh text
    (they may stand below its sign-off), or a day back."""
    whole = f"{msg.subject}\n{msg.fresh}"
    return (
        _PHONE_RE.search(text) is not None
        or _STANDING.first(whole) is not None
        or return_date(f"{msg.subject}\n\n{msg.fresh}", today=msg.today, weeks=False) is not None
    )


#: A text's first line that only greets someone by name (stripped, and short: it is matched on
#: no more): "Hi Lena,", "Lena,", "Hallo Frau Berg,", "Hei Mikko!", "Dear Ms Berg,". The name in
#: ``given`` (after a greeting word, or alone before a comma) or ``family`` (after a title).
_GREETING_RE = re.compile(
    r"(?:(?:hi|hello|hey|dear|good\s(?:morning|afternoon)|hei|moi|moikka|terve|heippa|hyvä|hej|"
    r"hejsan|hallå|bästa|kära|hallo|liebe|lieber|guten\s(?:tag|morgen))\s(?P<greeted>[^\W\d_]+)"
    r"[,.!:]?|(?P<alone>[^\W\d_]+),|(?:hi|hello|dear|hallo|guten\stag|sehr\sgeehrte[rs]?|hyvä|"
    r"bästa)?\s?(?:mr|mrs|ms|dr|frau|herr|fru)\.?\s(?P<family>[^\W\d_]+)[,.!:]?)",
    re.IGNORECASE,
)
_GREETING_LINE = 60  # characters: a longer first line is no bare greeting
_NAME_RE = re.compile(r"[^\W\d_]{2,}")


def _greets_recipient(msg: Parsed, text: str) -> bool:
    """Whether ``text`` opens by greeting, by name, the person it answers (our sender: the
    reply's first To with a name of two words or more, "Lena Berg" or "Berg, Lena"): by the given
    name, or by the family name after a title. A name that is one word ("Info", "Sales") is no
    person's."""
    first = next((line for line in text.split("\n") if line.strip()), "").strip()
    if len(first) > _GREETING_LINE:
        return False
    greeting = _GREETING_RE.fullmatch(" ".join(first.split()))
    if greeting is None:
        return False
    named = [name for name, _ in getaddresses([str(msg.mime.get("To", ""))[:_TO_READ]]) if name]
    if not named:
        return False
    family_first, _, given_after = named[0].partition(",")
    words: list[str] = _NAME_RE.findall(
        given_after + " " + family_first if given_after else named[0]
    )
    if len(words) < 2:
        return False
    given, family = words[0].casefold(), words[-1].casefold()
    said: str = greeting.group("family") or ""
    if said:
        return said.casefold() == family
    said = greeting.group("greeted") or greeting.group("alone") or ""
    return said.casefold() == given


_TO_READ = 2000  # characters of the To header read for the name
#: The writer alone: "I'm starting parental leave", "olen lomalla", "jag är ledig", "ich bin".
_SINGULAR_RE = re.compile(
    r"(?<!\w)(?:i|i['’]m|i['’]ll|i['’]ve|my|olen|oon|mä|minä|mie|minulla|mulla|jag|mig|min|"
    r"ich|mein\w*)(?!\w)",
    re.IGNORECASE,
)
#: A team or an office: "we're closed", "our office", "olemme joululomalla", "vi", "wir".
_PLURAL_RE = re.compile(
    r"(?<!\w)(?:we|we['’](?:re|ll|ve)|our|olemme|ollaan|meidän|meillä|vi|vår\w*|wir|unser\w*)"
    r"(?!\w)",
    re.IGNORECASE,
)
#: Someone beside the referred person in the absence's sentence: "Anne and myself", "Anne, like
#: our whole office", "Anne ja minä", "Anna och jag", "Anne und ich".
_BESIDE_RE = re.compile(r"[,&(]|(?<!\w)(?:and|ja|sekä|och|samt|und|sowie)(?!\w)", re.IGNORECASE)
#: What may open a sentence before the name: "Huom.", "PS", "Note:", "Obs!", "NB".
_LEAD_RE = re.compile(r"\s*(?:(?:huom|ps|note|nb|obs|btw)\b[.:!]*\s*)?", re.IGNORECASE)


def _sentence(text: str, at: int) -> int:
    """Where the sentence holding ``text[at]`` starts."""
    return max(text.rfind(end, 0, at) for end in (".", "\n", "!", "?")) + 1


def _person(address: str) -> str | None:
    """The given name of a person's address (given.family@), capitalised; None for a role's
    (sales@, info@) or an initial's."""
    local = address.partition("@")[0]
    given = local.split(".")[0]
    if "." not in local or len(given) < 3 or not given.isalpha():
        return None
    return given.capitalize()


def _absent_is_referred(text: str, referred: str) -> bool:
    """Whether the absence read in ``text`` is the referred person's alone, told after the
    referral: "tämä kuuluu Annelle: anne.heikkinen@… Huom. Anne on lomalla 4.1. asti". The
    address must be a person's, and the absence's sentence must open with the given name, as a
    name, with nobody beside it ("Anne ja minä olemme lomalla", "Anne, like our whole office,
    is away" are a notice's)."""
    absence = _ABSENCE.first(text[:_ABSENCE_HEAD])
    given = _person(referred)
    if absence is None or given is None:
        return False
    pointed = text.casefold().find(referred)
    start = _sentence(text, absence.start())
    lead = _LEAD_RE.match(text, start)
    opening = lead.end() if lead else start
    if not text.startswith(given, opening):
        return False
    between = text[opening + len(given) : absence.start()]
    return 0 <= pointed < absence.start() and _BESIDE_RE.search(between) is None


def _writer_absent(text: str) -> bool:
    """Whether the absence read in ``text`` is told of the writer alone ("I'm starting parental
    leave on Friday"), not of a team or an office ("we're closed for the holidays")."""
    absence = _ABSENCE.first(text[:_ABSENCE_HEAD])
    if absence is None:
        return False
    start = _sentence(text, absence.start())
    end = text.find(".", absence.end())
    told = text[start : end if end >= 0 else len(text)]
    return _SINGULAR_RE.search(told) is not None and _PLURAL_RE.search(told) is None


@lru_cache(maxsize=1)  # both body absence rules may ask it of the same message
def someone_answers(msg: Parsed) -> bool:
    """Whether the absence read in ``msg``'s text is a person's, who answers it all the same by
    sending us to someone else or declining (never interest: a notice may say "book a meeting"):
    the text greets our sender by name, which a notice written before our mail came cannot do
    (though a help desk's autoresponder may merge it in, so the absence must be the writer's
    own, a referral must name a person's address, and nothing only a notice says may stand in
    the text: a phone number, "for anything urgent", a return date); or the absence is that of
    the person it refers us to, alone, told after the referral."""
    reading = read(msg)
    if reading.intent not in (Intent.REFERRAL, Intent.NOT_INTERESTED):
        return False
    text = body(msg)
    referred = reading.referred
    if _greets_recipient(msg, msg.fresh):  # the greeting, which the intent's text leaves out
        return (
            _writer_absent(text)
            and (reading.intent is Intent.NOT_INTERESTED or _person(referred or "") is not None)
            and not _notice_says(msg, text)
        )
    return (
        reading.intent is Intent.REFERRAL
        and referred is not None
        and _absent_is_referred(text, referred)
    )
