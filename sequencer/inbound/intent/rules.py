"""The intent rules: what a reply means, read from its new text with every language's word list.

Two rules join the classifier's chain (:data:`sequencer.inbound.classify.RULES`), right after the
unsubscribe rule, so that the inbox acts on what they find through the same paths:
:func:`removal_request` (a removal asked for in words the unsubscribe rule does not know: "älkää
lähettäkö enää", "no more emails") answers :attr:`Kind.UNSUBSCRIBE`, and
:func:`absence_in_reply` (an out-of-office text that quotes us, or a longer one) answers
:attr:`Kind.AUTO_REPLY` with the return date. What is left is a human reply, whose intent
:func:`read` finds by asking, in this order: a referral (:func:`referral`), a refusal
(:func:`refusal`; unless a contrast turns it into a request, :func:`turned`: "not now, but send
me a deck"), interest (:func:`interest`: a cue of interest that a negation in its clause turns
around, and no other, is a refusal); nothing found is :attr:`Intent.OTHER`. The order is the
policy: an unsubscribe request or an out-of-office answer is never read as interest, and
"interested, but not now" is a refusal.

The text read is the reply's fresh text (quotes removed) cut at its signature or sign-off, and
without a greeting line; for a reply answered between our quoted lines, each block of the
writer's text between them, read so; when nothing is left, the subject (read for no interest: it
may be our own words). Words the replier added to our subject (after a dash, or in capitals) are
read for a removal or a refusal only. All languages are asked at once, so a reply in two
languages is read as a whole.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache, partial

from sequencer.inbound.fresh import written_blocks
from sequencer.inbound.intent import clauses, de, en, fi, sv
from sequencer.inbound.intent.lexicon import Lexicon, compile_all, respelled
from sequencer.inbound.intent.scanning import Scanner
from sequencer.inbound.message import Parsed, addresses
from sequencer.inbound.rules.auto_reply import return_date
from sequencer.inbound.rules.unsubscribe import (
    _DISCLAIMER_RE,
    _SIGN_OFF_RE,
    _SIGNATURE_DELIMITER_RE,
    _SUBJECT_PREFIX_RE,
    _requests_in,
    postscript,
)
from sequencer.inbound.verdict import Inbound, Intent, Kind

__all__ = [
    "LEXICONS",
    "Reading",
    "absence_in_reply",
    "added_to_subject",
    "annotate",
    "body",
    "read",
    "removal_request",
]

#: The languages asked, all at once.
LEXICONS: tuple[Lexicon, ...] = (en.LEXICON, fi.LEXICON, sv.LEXICON, de.LEXICON)

_ABSENCE_HEAD = 400  # characters of the text's opening an absence cue must be in
#: Where a reply may turn from a refusal to a request: a contrast ("not now, but send me a
#: deck") or a new sentence ("Not a priority. If you have a case study, send it over.").
_TURN_RE = re.compile(
    r"(?<!\w)(?:but|however|that\s+said|having\s+said\s+that|still|mutta|mut|silti|kuitenkin|"
    r"toisaalta|men|aber)(?!\w)|[.!?](?:\s+|$)",
    re.IGNORECASE,
)
#: A cue of interest that is an opinion, not a request: polite after a refusal ("not for us, but
#: it sounds interesting"); a pain the writer owns to ("Pallets are a headache for sure").
_OPINION_RE = re.compile(
    r"interest|sound|curious|intrigu|keen|eager|timely|worth|headache|pain|could\s+be|might\s+be|"
    r"may\s+be|would\s+be|that|this|it|exactly|kiinnost|mielenkiin|kuulost|vaikutt|näyttä|nayt|"
    r"tuntuu|hyvä|hyva|siisti|loistav|mahtav|hieno|hyöty|hyoty|cost",
    re.IGNORECASE,
)
#: What may follow our own word asked back, up to its question mark: the rest of the word a
#: stem began, then the echo words of every language ("Interested in what, exactly?",
#: "Kiinnostaisi mitä?").
_ECHO_RE = re.compile(
    r"\w*(?:[\s,;:…–—-]|(?:"
    + "|".join(source for lexicon in LEXICONS for source in lexicon.echo)
    + r")(?!\w))*\?",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"\w")


def _answer_re(words: Callable[[Lexicon], str]) -> re.Pattern[str]:
    """A bare answer of the words of every language, right after a question mark: alone on its
    line or ended by punctuation ("Yes.", "Ei, ", "Nein danke!"), not the first word of a
    sentence that goes on ("No idea who you are")."""
    alternatives = "|".join(f"(?:{words(lexicon)})" for lexicon in LEXICONS)
    return re.compile(rf"\s*(?:{alternatives})(?=\s*(?:[.,!;:…)]|$))", re.IGNORECASE | re.MULTILINE)


_ANSWER_YES_RE = _answer_re(lambda lexicon: lexicon.answer_yes)
_ANSWER_NO_RE = _answer_re(lambda lexicon: lexicon.answer_no)
_GREETING_RE = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good\s+(?:morning|afternoon)|hei|moi|moikka|terve|hyvä|"
    r"huomenta|päivää|hej|hejsan|hallå|tjena|god\s+(?:morgon|dag|eftermiddag)|bästa|hallo|"
    r"guten\s+(?:tag|morgen|abend)|liebe|lieber|sehr\s+geehrte[rn]?|grüezi|gr(?:ü|ue)(?:ß|ss)\s+"
    r"gott|servus|moin)\b(?:[ \t]+[\w.'’-]+){0,3}[ \t]*(?:[,!:;.]+|$)",
    re.IGNORECASE,
)
_DEVICE_FOOTER_RE = re.compile(
    r"^\s*(?:sent\s+from\s+my|lähetetty\s+(?:\S+\s+)?(?:iphone|android|puhelime)|"
    r"skickat\s+från|von\s+meinem|(?:get|hanki|hämta)\s+outlook\s+f(?:or|ör)\b)",
    re.IGNORECASE,
)
#: A warning the mail server puts above the text of mail from outside the organisation
#: ("[EXTERNAL]", "CAUTION: This email originated from outside of the organization...", "ULKOINEN
#: VIESTI: Tämä viesti on tullut organisaation ulkopuolelta..."), read as no part of the reply: its
#: "do not click links" is no request, and it would fill the opening an out-of-office is looked in.
_BANNER_RE = re.compile(
    r"^\s*\[\s*(?:external|ext|ulkoinen|extern)\s*\]\s*$"  # the tag alone
    # a tag, then "this email ... from outside"
    r"|^\s*(?:(?:\[\s*\w+\s*\]|(?:external|caution|warning|ulkoinen(?:\s+viesti)?|varoitus|"
    r"extern|externt)\s*:)\s*)?(?:this|the|tämä|detta|diese)\s+(?:e-?mail|message|mail|"
    r"(?:sähkö)?(?:posti)?viesti|meddelande|nachricht)\s+(?:\w+\s+){0,3}?(?:from\s+outside|"
    r"organisaation\s+ulkopuol|utanför|außerhalb)"
    r"|^\s*you\s+don['’]t\s+often\s+get\s+e-?mail\s+from\b",
    re.IGNORECASE,
)
#: A quote header the quote finder missed ("Ann <ann@x> kirjoitti 17.11.2026 klo 10.30:").
_QUOTE_HEAD_RE = re.compile(
    r"^.{0,200}[@<].{0,200}\b(?:wrote|kirjoitti|skrev|schrieb)\b.{0,60}:\s*$", re.IGNORECASE
)
#: Words in double quotes are mentioned, not said: 'the "Book a demo" button is just a long
#: link', 'your subject says "Quick question"'. Short spans only, on one line.
_MENTION_RE = re.compile(r"[\"“”„][^\"“”„\n]{1,40}[\"“”]")
#: A signature alone ("t. Jari", "-Pasi", "/Micke", "BR, Lena"): a text that opens with one says
#: nothing.
_SIGNED_RE = re.compile(
    r"^\s*(?:-+\s*|/\s*|t\.\s*|(?:br|terv|t|mvh|rgds|regards),\s*)[A-ZÄÖÅ][a-zäöåé]+"
    r"(?:[ -][A-ZÄÖÅ][a-zäöåé]+)?\s*$",
    re.IGNORECASE,
)
#: The words a replier adds to our subject: after a dash ("Re: Pallet tracking – NOT
#: INTERESTED", "VS: Lavaseuranta - POISTAKAA LISTALTA"), or a run of capitals ending a subject
#: in lower case ("Re: Pallet tracking REMOVE ME").
_SUBJECT_DASH_RE = re.compile(r"\s[-–—|]\s+(?P<added>[^-–—|]+)$")
_SUBJECT_CAPS_RE = re.compile(r"(?:\s+[A-ZÄÖÅ]{2,}[!.]*)+\s*$")
_LOWER_RE = re.compile("[a-zäöå]")
#: A line that is only a name (a signature without a sign-off: "Heli", "-Pasi", "t. Niina"), or
#: the Swedish slash before a name or initials ("/Micke", "/L").
_NAME_LINE_RE = re.compile(
    r"^\s*(?:/\s*[A-ZÄÖÅ][A-ZÄÖÅa-zäöåé]*\.?\s*$|(?:-+\s*|/\s*|t\.\s*)?"
    r"(?!(?:Yes|No|Ok|Okay|Sure|Ei|Kyllä|Joo|Juu|Ja|Nej|Nein)\b)"
    r"[A-ZÄÖÅ][a-zäöåé]+(?:[ -][A-ZÄÖÅ][a-zäöåé]+){0,2}\s*$)"
)


#: A text typed without ä, ö and å ("meilla on jo", "ota yhteytta", "Gruesse") is read with the
#: cues written that way too (see :func:`~sequencer.inbound.intent.lexicon.respelled`).
_MARKED_RE = re.compile("[äöåÄÖÅ]")


@dataclass(frozen=True)
class _Set:
    """Patterns, each with the negation of its language."""

    #: Each pattern's negation, by the pattern's place in :attr:`scanner`.
    negations: tuple[re.Pattern[str], ...]
    #: The patterns, tried at the word starts whose character can begin them.
    scanner: Scanner

    @classmethod
    def of(cls, pick: Callable[[Lexicon], tuple[str, ...]], *, fold: bool) -> _Set:
        pairs: list[tuple[re.Pattern[str], re.Pattern[str]]] = []
        for lexicon in LEXICONS:
            spelled = partial(respelled, unmarked=fold, spelled_out=lexicon.spelled_out)
            negation = re.compile(rf"(?<!\w)(?:{spelled(lexicon.negation)})(?!\w)", re.IGNORECASE)
            sources = tuple(map(spelled, pick(lexicon)))
            pairs.extend((pattern, negation) for pattern in compile_all(sources))
        return cls(tuple(n for _, n in pairs), Scanner(p for p, _ in pairs))

    def scan(self, text: str) -> list[tuple[re.Match[str], bool]]:
        """Every match in ``text``, earliest first, each with whether a negation turns it."""
        found = self.scanner.find(text)
        # a place several languages' cues match ("demo") is negated when any of them says so
        asked = {(match.start(), self.negations[i]) for i, match in found}
        negated = {start for start, negation in asked if clauses.negated(text, start, negation)}
        return [(match, match.start() in negated) for _, match in found]


@dataclass(frozen=True)
class _Cues:
    """One intent's patterns, as written and with ä, ö and å folded to a, o and a."""

    marked: _Set
    unmarked: _Set

    @classmethod
    def of(cls, pick: Callable[[Lexicon], tuple[str, ...]]) -> _Cues:
        return cls(_Set.of(pick, fold=False), _Set.of(pick, fold=True))

    def scan(self, text: str) -> list[tuple[re.Match[str], bool]]:
        """Every match in ``text``, earliest first, each with whether a negation turns it; a
        text with no ä, ö or å is read with the folded cues.
        """
        return self._spelled(text).scan(text)

    def matches(self, text: str, *, negatable: bool = False) -> list[re.Match[str]]:
        """Every match in ``text``, earliest first (with ``negatable``, those not negated)."""
        if not negatable:
            return [match for _, match in self._spelled(text).scanner.find(text)]
        return [match for match, negated in self.scan(text) if not negated]

    def _spelled(self, text: str) -> _Set:
        return self.marked if _MARKED_RE.search(text) else self.unmarked

    def first(self, text: str, *, negatable: bool = False) -> re.Match[str] | None:
        """The earliest match in ``text`` (with ``negatable``, the earliest not negated)."""
        found = self.matches(text, negatable=negatable)
        return found[0] if found else None


_UNSUBSCRIBE = _Cues.of(lambda lexicon: lexicon.unsubscribe)
_SPAM_PLACE = _Cues.of(lambda lexicon: lexicon.spam_place)
_ABSENCE = _Cues.of(lambda lexicon: lexicon.absence)
_REFERRAL = _Cues.of(lambda lexicon: lexicon.referral)
_REFERRAL_WEAK = _Cues.of(lambda lexicon: lexicon.referral_weak)
_REFERRAL_BESIDE = _Cues.of(lambda lexicon: lexicon.referral_beside)
_REFUSAL = _Cues.of(lambda lexicon: lexicon.refusal)
_INTEREST = _Cues.of(lambda lexicon: lexicon.interest)
_ASIDE = _Cues.of(lambda lexicon: lexicon.aside)
_BEHALF = _Cues.of(lambda lexicon: lexicon.behalf)
_RECEIVED = _Cues.of(lambda lexicon: lexicon.received)
_INLINE = _Cues.of(lambda lexicon: lexicon.inline)
_BUSY = _Cues.of(lambda lexicon: lexicon.busy)
_UNDECIDED = _Cues.of(lambda lexicon: lexicon.undecided)
_DEFERRAL = _Cues.of(lambda lexicon: lexicon.deferral)


@dataclass(frozen=True, kw_only=True)
class Reading:
    """What a reply's text means: the intent, why, and the address a referral gives."""

    intent: Intent
    reason: str
    referred: str | None = None
    #: A referral that only names someone beside the writer ("add my colleague"), which a
    #: request of the writer's own outweighs.
    beside: bool = False


def _phrase(match: re.Match[str]) -> str:
    return " ".join(match.group(0).lower().split()).replace("’", "'")


@lru_cache(maxsize=1)  # the rules of one message ask for it several times in a row
def body(msg: Parsed) -> str:
    """The text the intent is read from: the fresh text read by :func:`_kept`; for a reply
    answered between our quoted lines (:func:`_interleaved`), each block of the writer's text
    read so and joined, our quoted lines left out; the subject (without Re:) when no text is
    left.
    """
    blocks = written_blocks(msg.body)
    readings = [_kept(block, below=place > 0) for place, block in enumerate(blocks)]
    if _interleaved(readings):
        return "\n\n".join(reading for reading in readings if reading) or _subject(msg)
    return _kept(msg.fresh, below=False) or _subject(msg)


def _interleaved(readings: list[str]) -> bool:
    """Whether the writer answered between our quoted lines: some text stands between two
    quoted runs, or the text above them says the answers are below ("see my answers below",
    "vastaukset tekstin sekaan") and some text follows. ``readings``: what :func:`_kept` reads
    in each block of :func:`~sequencer.inbound.fresh.written_blocks`.
    """
    if any(readings[1:-1]):
        return True
    return bool(readings[0] and any(readings[1:]) and _INLINE.first(readings[0]))


def _kept(text: str, *, below: bool) -> str:
    """``text`` without an external-sender banner or a greeting line at its top, cut at the
    signature, the sign-off, a name alone on its line after a blank one, a legal footer or a
    quote header. ``below``: the text stands below a quoted line, where a sign-off, a legal
    footer or a name over more signature lines may open it (the writer's signature under our
    quoted lines).
    """
    kept: list[str] = []
    lines = text.split("\n")
    for place, line in enumerate(lines):
        if _SIGNATURE_DELIMITER_RE.match(line) or _DEVICE_FOOTER_RE.match(line):
            break
        if _QUOTE_HEAD_RE.match(line):
            break
        if (kept or below) and (_SIGN_OFF_RE.match(line) or _DISCLAIMER_RE.search(line)):
            break
        if kept and not kept[-1] and _NAME_LINE_RE.match(line):
            break
        greeting = None if kept else _GREETING_RE.match(line)
        if greeting is not None:
            line = line[greeting.end() :]  # "Hi Anna, yes let's talk": the answer stays
        if not kept and (not line.strip() or _BANNER_RE.match(line)):
            continue
        if not kept and _SIGNED_RE.match(line):
            break
        following = lines[place + 1] if place + 1 < len(lines) else ""
        if not kept and below and _NAME_LINE_RE.match(line) and following.strip():
            break  # a name over a title: a signature
        kept.append(line.strip())
    return "\n".join(kept).strip()


def _subject(msg: Parsed) -> str:
    return _SUBJECT_PREFIX_RE.sub("", msg.subject, count=1).strip()


def added_to_subject(subject: str) -> str:
    """The words the replier added to our subject (see :data:`_SUBJECT_DASH_RE`), or "". Our own
    subject may say "interested" or "question" too, so only a refusal or a removal is read in
    them, never interest.
    """
    text = _SUBJECT_PREFIX_RE.sub("", subject, count=1).strip()
    dash = _SUBJECT_DASH_RE.search(text)
    if dash is not None:
        return dash.group("added").strip()
    caps = _SUBJECT_CAPS_RE.search(text)
    if caps is not None and _LOWER_RE.search(text[: caps.start()]):
        return caps.group(0).strip()
    return ""


# --------------------------------------------------------------------------------------------
# Rules in the classifier's chain
# --------------------------------------------------------------------------------------------


#: The word spam alone, as a removal cue ("Stop the spam", "spämmiä"): not when the same reply
#: shows interest (:func:`_interested`), since it is then the mail's folder or a first
#: impression ("I almost deleted this as spam, but it sounds relevant. Call me Monday.").
_BARE_SPAM_RE = re.compile(r"(?:spam|spämm|spamm|roskapost|skräppost)\w*", re.IGNORECASE)
#: A complaint that we were not asked for, as a removal cue ("I never signed up for this", "en
#: ole tilannut tätä", "nie angemeldet"): not when the same reply asks for something (not mere
#: interest: "I didn't ask for this, but send me the pricing"). Consent denied stays a removal.
_COMPLAINT_REACH = 200  # characters after a complaint its contrast and request must stand in
_CONTRAST_RE = re.compile(
    r"(?<!\w)(?:but|however|still|anyway|that\s+said|mutta|mut|silti|kuitenkin|men|ändå|aber|"
    r"trotzdem|doch)(?!\w)",
    re.IGNORECASE,
)
#: A question about where we got the address or what we hold, in any language: a complaint
#: beside it is a data-protection demand, not a buyer's aside.
_DATA_QUESTION_RE = re.compile(
    r"(?:where|how)\s+(?:did\s+)?you\s+(?:got|get|found|find|obtain)|data\s+(?:protection|source)|"
    r"gdpr|dsgvo|tietosuoja|mistä\s+(?:saitte|sait|olette)|var\s+(?:har\s+)?ni\s+(?:fått|fick)|"
    r"varifrån|woher|art(?:\.|ikel|icle)?\s*15\b|auskunft|explain|förklara|erklären|kertokaa|selittäkää",
    re.IGNORECASE,
)
_COMPLAINT_RE = re.compile(
    r"(?:(?:i|we)\s+)?(?:never|didn['’]?t|did\s+not)\s+(?:ask|sign|subscrib|opt)|(?:en|emme)\s+"
    r"(?:ole\s+)?(?:tilannut|pyytänyt)|(?:aldrig|inte)\s+(?:bett\s+om|anmält|registrerat|"
    r"prenumererat)|(?:nie|niemals)\s+(?:\S+\s+)?(?:angemeldet|eingetragen|abonniert|darum)",
    re.IGNORECASE,
)


def _interested(text: str) -> bool:
    """Whether ``text`` shows interest: a cue of interest that no negation turns ("kiinnostaa
    kyllä", "call me", "sounds relevant")."""
    return any(not negated for _, negated in _INTEREST.scan(text))


def _removal(text: str) -> re.Match[str] | None:
    """The first removal cue of ``text`` that is not where our mail landed ("it ended up in my
    spam folder, but yes, let's talk" asks to be removed from nothing), nor the word spam alone
    in a reply that shows interest, nor a complaint that we were not asked for in one that asks
    for something."""
    landed = _spans(_SPAM_PLACE.matches(text))
    found = (m for m in _UNSUBSCRIBE.matches(text) if landed(m.start()) is None)
    interested: bool | None = None  # asked once, at the first bare spam
    for match in found:
        if _BARE_SPAM_RE.fullmatch(match.group(0).strip()):
            interested = _interested(text) if interested is None else interested
            if interested:
                continue
        if _COMPLAINT_RE.match(match.group(0)) and _asked_past(text, match):
            continue
        return match
    return None


def _asked_past(text: str, complaint: re.Match[str]) -> bool:
    """Whether a request follows the complaint past a contrast ("I never signed up for this, but
    send me the pricing"), in a text that asks nothing about where we got the address or what we
    hold ("Ring mig och förklara var ni fått min adress", "Auskunft nach Art. 15"). Each asks a
    bounded stretch after the complaint, so a text of many complaints is read in linear time."""
    stretch = text[complaint.end() : complaint.end() + _COMPLAINT_REACH]
    turn = _CONTRAST_RE.search(stretch)
    if turn is None or _asks_about_data(text):
        return False
    return _asks(_INTEREST.scan(stretch[turn.end() :]))


@lru_cache(maxsize=1)  # asked once per complaint of the same text
def _asks_about_data(text: str) -> bool:
    return _DATA_QUESTION_RE.search(text) is not None


def removal_request(msg: Parsed) -> Inbound | None:
    """:attr:`Kind.UNSUBSCRIBE` for a removal asked for in words of the intent word lists; one
    the replier seems to have added to our subject only when the text shows no interest (our own
    subject may hold such words after a dash: "Palettenverfolgung – keine Nachrichten mehr an
    Spediteure")."""
    if msg.from_address is None:
        return None
    text = body(msg)
    match = _removal(text) or _removal(postscript(msg.fresh))  # "Best, Mark / P.S. älkää …"
    if match is not None:
        return msg.build(Kind.UNSUBSCRIBE, f"says '{_phrase(match)}'", text=msg.text)
    # a removal the replier added to our subject, above a text that leans on it ("As subject.")
    added = added_to_subject(msg.subject)
    match = _removal(added)
    phrase = _phrase(match) if match is not None else _requests_in(added)[0]
    if phrase is None or _interested(text):
        return None
    return msg.build(Kind.UNSUBSCRIBE, f"subject adds '{phrase}'", text=msg.text)


def absence_in_reply(msg: Parsed) -> Inbound | None:
    """:attr:`Kind.AUTO_REPLY` for an out-of-office text in the opening of the new text, even
    one that quotes our message (the return date read as for any out-of-office answer).
    """
    if msg.from_address is None:
        return None
    match = _ABSENCE.first(body(msg)[:_ABSENCE_HEAD])
    if match is None:
        return None
    back = return_date(f"{msg.subject}\n\n{msg.fresh}", today=msg.today)
    return msg.build(
        Kind.AUTO_REPLY, f"body says '{_phrase(match)}'", return_date=back, text=msg.text
    )


# --------------------------------------------------------------------------------------------
# Reading a human reply
# --------------------------------------------------------------------------------------------


def referral(text: str, sender: str | None) -> Reading | None:
    """:attr:`Intent.REFERRAL`: a strong pointer to someone else (not our mail passed on to the
    writer: "mein Kollege hat mir Ihre Mail weitergeleitet"); else a mention of someone the
    writer brings along (``beside``: "add my colleague", "I've cc'd Dave"; not the one who passed
    our mail on); else a weak pointer
    beside an address that is not the writer's own. The first such address is the one referred
    to.
    """
    others = [address for address in addresses(text) if address != sender]
    received = _spans(_RECEIVED.matches(text))
    match = next(
        (m for m in _REFERRAL.matches(text, negatable=True) if not received(m.start())), None
    )
    beside = match is None
    if beside:
        mentioned = _REFERRAL_BESIDE.matches(text, negatable=True)
        match = next((m for m in mentioned if not received(m.start())), None)
    if match is None and others:
        match, beside = _REFERRAL_WEAK.first(text), False
    if match is None:
        return None
    after = [a for a in addresses(text[match.start() :]) if a != sender]
    referred = next(iter(after or others), None)
    shown = f", to {referred}" if referred else ""
    return Reading(
        intent=Intent.REFERRAL,
        reason=f"says '{_phrase(match)}'{shown}",
        referred=referred,
        beside=beside,
    )


def refusal(refusals: list[re.Match[str]]) -> Reading | None:
    """:attr:`Intent.NOT_INTERESTED`: declined, now or for a while (the first of ``refusals``,
    the refusal cues found)."""
    if not refusals:
        return None
    return Reading(intent=Intent.NOT_INTERESTED, reason=f"says '{_phrase(refusals[0])}'")


def interest(cues: list[tuple[re.Match[str], bool]]) -> Reading | None:
    """:attr:`Intent.POSITIVE`: a cue of interest that no negation in its clause turns around;
    :attr:`Intent.NOT_INTERESTED` when every cue of interest is negated ("I don't think we'd
    want a demo", "en usko että tämä sopii meille"). ``cues``: the interest cues found, each
    with whether it is negated.
    """
    for match, negated in cues:
        if not negated:
            return Reading(intent=Intent.POSITIVE, reason=f"says '{_phrase(match)}'")
    if not cues:
        return None
    return Reading(intent=Intent.NOT_INTERESTED, reason=f"negates '{_phrase(cues[0][0])}'")


def turned(
    text: str, refusals: list[re.Match[str]], cues: list[tuple[re.Match[str], bool]]
) -> Reading | None:
    """:attr:`Intent.POSITIVE` for a refusal that a later request turns around: "not a priority
    this quarter. That said, send me a case study", "ei oo just nyt ajankohtanen, mut laita
    materiaalia". What follows the last refusal, after a contrast or in a later sentence, must
    ask for something (a cue of interest no negation turns around, and not a mere opinion such
    as "sounds interesting"), and not, in a sentence that promises to come back should things
    change, one whose clause names no day, time or thing to send ("Gerne kommen wir auf Sie zu,
    sollte sich daran etwas ändern", "I'd love to chat if that changes"; not "Gerne am Donnerstag
    um 10 Uhr – sollte sich etwas ändern, gebe ich Bescheid"); "interested, but not now" stays a
    refusal.
    """
    if not refusals:
        return None
    declined = refusals[-1]  # the request must come after every refusal
    turn = _TURN_RE.search(text, declined.end())
    if turn is None:
        return None
    deferred = clauses.in_sentences(text, _DEFERRAL.matches(text))
    for asked, negated in cues:
        if asked.start() < turn.end() or negated:
            continue
        if deferred(asked.start()) and not clauses.offers_now(text, asked.start(), asked.end()):
            continue
        if not _OPINION_RE.match(asked.group(0)):
            reason = f"says '{_phrase(declined)}', then '{_phrase(asked)}'"
            return Reading(intent=Intent.POSITIVE, reason=reason)
    return None


def _echoed(text: str, cue: re.Match[str]) -> re.Match[str] | None:
    """The question that makes a cue of interest our own word asked back ("Interested? Who are
    you?", "Interested in what, exactly?"), from the cue's end to its question mark, or None: it
    opens its sentence, and nothing but echo words stand between it and a question mark. A cue
    that asks for something ("Pricing?") is asked back only with an echo word after it
    ("Pricing for what?").
    """
    before = text[: cue.start()]
    opening = before[max(before.rfind(end) for end in ".!?\n") + 1 :]
    asked = _ECHO_RE.match(text, cue.end())
    if _WORD_RE.search(opening) or asked is None:
        return None
    if _OPINION_RE.match(cue.group(0)) or _WORD_RE.search(asked.group(0)):
        return asked
    return None


def _answered(text: str, echoes: list[tuple[re.Match[str], re.Match[str]]]) -> Reading | None:
    """The writer's bare answer to our word they asked back ("Interested? Yes.", "Kiinnostaako?
    Ei."): a yes is interest, a no declines. ``echoes``: each cue asked back, with its question
    (:func:`_echoed`)."""
    for cue, asked in echoes:
        for pattern, intent in (
            (_ANSWER_YES_RE, Intent.POSITIVE),
            (_ANSWER_NO_RE, Intent.NOT_INTERESTED),
        ):
            answer = pattern.match(text, asked.end())
            if answer is not None:
                said = " ".join(text[cue.start() : answer.end()].split())
                return Reading(intent=intent, reason=f"answers its own question: '{said}'")
    return None


def _spans(
    matches: list[re.Match[str]],
) -> Callable[[int], re.Match[str] | None]:
    """A look-up of which of ``matches`` (earliest first) stands over a position, in logarithmic
    time: a text of many matches and many cues (a hostile 256 KB body) is not read in quadratic
    time. Of those over it, the one that reaches furthest is given."""
    starts = [match.start() for match in matches]
    furthest: list[re.Match[str]] = []
    for match in matches:
        if not furthest or match.end() > furthest[-1].end():
            furthest.append(match)
        else:
            furthest.append(furthest[-1])

    def over(position: int) -> re.Match[str] | None:
        index = bisect.bisect_right(starts, position) - 1
        if index >= 0 and furthest[index].end() > position:
            return furthest[index]
        return None

    return over


def _asks(cues: list[tuple[re.Match[str], bool]]) -> bool:
    """Whether a cue of interest asks for something (no negation turns it, and it is no mere
    opinion such as "sounds interesting").
    """
    return any(not negated and not _OPINION_RE.match(cue.group(0)) for cue, negated in cues)


@lru_cache(maxsize=1)  # an absence rule's aside.someone_answers, then annotate, ask for it
def read(msg: Parsed) -> Reading:
    """The intent of a human reply (one no rule of the chain took): see the module's order. A
    referral that only brings someone along ("Thursday works, add my colleague Dave too") gives
    way to a request of the writer's own: the writer is the one interested. Words in double
    quotes are read as mentioned, not said; a note to a colleague about us has no intent; our
    own word asked back (:func:`_echoed`), the writer's own meeting ("mulla venyy palaveri") and
    an opinion beside thinking it over ("a headache for sure. Let me chew on it") are no
    interest, but the writer's bare answer to the word asked back is their intent
    (:func:`_answered`).
    """
    text = _MENTION_RE.sub(lambda quoted: " " * len(quoted.group(0)), body(msg))
    aside = _ASIDE.first(text)
    if aside is not None:  # meant for a colleague, not for us
        return Reading(intent=Intent.OTHER, reason=f"a note to a colleague: '{_phrase(aside)}'")
    found = referral(text, msg.from_address)
    unread: list[str] = []  # why a cue of interest found was not read as interest
    echoes: list[tuple[re.Match[str], re.Match[str]]] = []
    if found is not None and found.beside and _BEHALF.first(text) is not None:
        found = None  # the one named is whom the writer answers for ("on his behalf")
    if found is None or found.beside:
        refusals = [m for m in _REFUSAL.matches(text) if not clauses.conditional(text, m.start())]
        # a subject read for want of text may be ours word for word ("Interested in cutting
        # pallet losses?"): no interest is read in it, nor in our word asked back, nor in the
        # writer's own meeting ("mulla venyy palaveri")
        scanned = [] if text == _subject(msg) else _INTEREST.scan(text)
        within, mulled = _spans(_BUSY.matches(text)), _spans(_UNDECIDED.matches(text))
        cues = []
        for cue, negated in scanned:
            held = within(cue.start())
            thought = mulled(cue.start())
            asked = None if held is not None or thought is not None else _echoed(text, cue)
            if held is not None:
                unread.append(f"their own meeting: '{_phrase(held)}'")
            elif thought is not None:
                unread.append(f"thinks it over: '{_phrase(thought)}'")
            elif asked is not None:
                unread.append(f"asks back '{_phrase(cue)}'")
                echoes.append((cue, asked))
            else:
                cues.append((cue, negated))
        own = turned(text, refusals, cues) or refusal(refusals) or interest(cues)
        undecided = _UNDECIDED.first(text)
        if own is not None and own.intent is Intent.POSITIVE and undecided and not _asks(cues):
            unread.append(f"thinks it over: '{_phrase(undecided)}'")  # an opinion, no request
            own = None
        if found is None or (own is not None and own.intent is Intent.POSITIVE and _asks(cues)):
            found = own
    found = found or _answered(text, echoes) or _declined_in_subject(msg)
    if found is None and unread:
        return Reading(intent=Intent.OTHER, reason=unread[0])
    return found or Reading(intent=Intent.OTHER, reason="no intent cue")


def _declined_in_subject(msg: Parsed) -> Reading | None:
    """:attr:`Intent.NOT_INTERESTED` for a refusal the replier added to our subject, over a text
    with no cue of its own ("Re: Pallet tracking – NOT INTERESTED" over "Thanks.").
    """
    added = added_to_subject(msg.subject)
    declined = [m for m in _REFUSAL.matches(added) if not clauses.conditional(added, m.start())]
    negated = [m for m, negated in _INTEREST.scan(added) if negated]
    if not declined and not negated:
        return None
    return Reading(
        intent=Intent.NOT_INTERESTED, reason=f"subject adds '{_phrase((declined or negated)[0])}'"
    )


def annotate(msg: Parsed, verdict: Inbound) -> Inbound:
    """``verdict`` with its intent: an auto-reply's and an unsubscribe request's follow from their
    kind; a human reply's is :func:`read`; other kinds have none.
    """
    if verdict.kind is Kind.AUTO_REPLY:
        return replace(verdict, intent=Intent.AUTO_REPLY, intent_reason=verdict.reason)
    if verdict.kind is Kind.UNSUBSCRIBE:
        return replace(verdict, intent=Intent.UNSUBSCRIBE, intent_reason=verdict.reason)
    if verdict.kind is not Kind.REPLY:
        return verdict
    found = read(msg)
    return replace(
        verdict, intent=found.intent, intent_reason=found.reason, referred=found.referred
    )
