"""The unsubscribe rule: a human asking to be removed, said in the first few lines of the *new*
text (before any sign-off or signature) or in a postscript below it ("P.S. take me off your
list"), or as the whole subject ("unsubscribe", "Re: remove
me", what a ``mailto:...?subject=unsubscribe`` link sends). The quoted copy of our own email
(with its unsubscribe footer) never counts, nor does "remove me from this thread", "take me off
this one", "no need to unsubscribe me" or "an opt-out period".
"""

from __future__ import annotations

import re

from sequencer.inbound.message import Parsed
from sequencer.inbound.verdict import Inbound, Kind

__all__ = ["request"]

# Unsubscribe requests. Each pattern has a group "phrase", the words the reason quotes.
_OBJECT_THREAD = (
    r"(?:(?:this|that)\s+one|(?:(?:the|this|that|our|these|your|tomorrow['’]s|today['’]s|"
    r"\w+day['’]s|next)\s+)?(?:e-?mail\s+|mail\s+|calendar\s+|teams\s+|zoom\s+)?"
    r"(?:thread|threads|cc|bcc|conversation|chain|loop|discussion|invite|invitation|meeting|"
    r"call|calendar|booking|appointment))(?!\w)"
)
_OBJECT_LIST = (
    r"(?:(?:your|the|this|these|that|all|any|our|future)\s+)*"
    r"(?:(?:mailing|e-?mail|distribution|contact|marketing|newsletter|sales|subscriber|"
    r"subscription)\s+)?"
    r"(?:lists?|mailings?|e-?mails?|distribution|newsletters?|messages|communications?|marketing|"
    r"database|register)(?!\w)"
)
_UNSUBSCRIBE_RES = (
    re.compile(r"(?<!\w)(?P<phrase>unsubscribe)(?!\w)", re.IGNORECASE),
    # "remove me", but not "remove me from the thread / from cc / off the thread"
    re.compile(
        rf"(?<!\w)(?P<phrase>remove\s+me)(?!\w)(?!\s+(?:from|off(?:\s+of)?)\s+{_OBJECT_THREAD})",
        re.IGNORECASE,
    ),
    # "take me off" only with a list to take me off: "you can take me off this one" is about a
    # thread
    re.compile(
        rf"(?<!\w)(?P<phrase>take\s+me\s+off)(?=\s+(?:of\s+)?{_OBJECT_LIST})", re.IGNORECASE
    ),
    re.compile(
        r"(?<!\w)(?P<phrase>stop\s+e-?mailing\s+me|stop\s+sending\s+me|do\s+not\s+contact\s+me|"
        # not where or when: "do not contact me on Teams", "don't contact me before 10"
        r"don['’]?t\s+contact\s+me)(?!\w)(?!\s+(?:on\s+(?:teams|whatsapp|linkedin|slack|my\s+"
        r"(?:mobile|cell|private|personal|old))|via|through|by\s+phone|before|after|until|during|"
        r"today|tomorrow|yet|at\s+(?:home|this|my\s+(?:old|private|personal))))",
        re.IGNORECASE,
    ),
    # Opting out, the verb: "opt me out", "opt out of your emails", "I'd like to opt-out." (never
    # the noun: "an opt-out period", "the opt-out clause").
    re.compile(r"(?<!\w)(?P<phrase>opt\s+me\s+out)(?!\w)", re.IGNORECASE),
    re.compile(rf"(?<!\w)(?P<phrase>opt[\s-]?out)\s+(?:of|from)\s+{_OBJECT_LIST}", re.IGNORECASE),
    re.compile(r"(?<!\w)(?:to|i|we|please)\s+(?P<phrase>opt[\s-]?out)(?!\s*[\w-])", re.IGNORECASE),
    re.compile(
        r"^\s*(?:please\s+)?(?P<phrase>opt[\s-]?out)(?:\s+please)?[\s.!]*$",
        re.IGNORECASE | re.MULTILINE,
    ),
    re.compile(
        r"(?<!\w)(?P<phrase>poista\s+minut|poistakaa\s+minut)(?!\w)"
        r"(?!\s+(?:tästä\s+|tältä\s+)?(?:viesti)?(?:ketjusta|keskustelusta|kopiosta|cc:?stä|"
        r"kopioista|(?:kalenteri)?kutsusta|kalenterista|palaverista|kokouksesta|tapaamisesta))",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?<!\w)(?P<phrase>poista\s+osoitteeni|en\s+halua\s+saada|peru\s+tilaus|"
        r"peruuta\s+tilaus)(?!\w)",
        re.IGNORECASE,
    ),
)
# A request said the other way round: "no need to unsubscribe me", "I do not want to unsubscribe".
# The negation must be in the same clause, at most a few words before the phrase.
_NEGATION_RE = re.compile(
    r"(?<!\w)(?:no\s+need\s+to|don['’]?t|dont|do\s+not|not|never|"
    r"without)(?P<between>(?:\s+[\w'’]+){0,3})\s+$",
    re.IGNORECASE,
)
# Words that show the negation is about something else: "not interested unsubscribe me".
_NOT_NEGATING = frozenset(
    {
        "interested",
        "relevant",
        "needed",
        "necessary",
        "useful",
        "signed",
        "subscribed",
        "registered",
        "opted",
        "agreed",
    }
)
_HEAD_LINES = (
    5  # only the first lines of the new text count: signatures and footers say "unsubscribe" too
)
_SIGNATURE_DELIMITER_RE = re.compile(r"^\s*--\s*$")
#: A legal footer line: what follows it is boilerplate ("To unsubscribe from our marketing..."),
#: never the writer's words. German and Swedish companies print their register there: "Sitz der
#: Gesellschaft: Münster | Amtsgericht Münster HRB 12345", "Geschäftsführer: Heinz Krüger", "FN
#: 123456a | Firmenbuchgericht", "Org.nr 556781-2234 | Säte: Örebro", "FO-nummer 1234567-8"
#: (the word alone in a sentence is no footer: "ich finde Sie nirgends im Handelsregister").
_DISCLAIMER_RE = re.compile(
    r"\b(?:confidential|privileged|intended\s+recipient|luottamuksellis|konfidentiell|"
    r"vertraulich)|^\s*disclaimer\b"
    r"|^\s*(?:geschäftsführer(?:in)?|geschäftsführung|vorstand|handelsregister|registergericht|"
    r"firmenbuch(?:gericht)?|ust-?id(?:nr)?\.?|säte|styrelsens\s+säte)\s*:"
    r"|\bsitz\s+der\s+gesellschaft\b|\bhr[ab]\s*\d|\bfn\s*\d{3,6}\s?[a-z]\b"
    r"|\b(?:org\.?\s*nr|organisationsnummer|fo-nummer|fo-nr)\.?\s*:?\s*\d",
    re.IGNORECASE,
)
_SIGN_OFF_WORDS = (
    r"(?:best|best\s+regards|best\s+wishes|all\s+the\s+best|br|kind\s+regards|regards|"
    r"warm\s+regards|"
    r"warmest\s+regards|many\s+thanks|thanks|thanks\s+again|thank\s+you|thx|cheers|sincerely|"
    r"yours\s+sincerely|"
    r"yours|ystävällisin\s+terveisin|ystävällisesti|parhain\s+terveisin|terveisin|terv|"
    r"yst\.?\s*terv|t|kiitos|"
    r"hälsningar|med\s+vänlig\s+hälsning|(?:med\s+)?vänliga\s+hälsningar|mvh|"
    r"(?:(?:mit\s+)?(?:freundliche[mn]?|beste[mn]?|herzliche[mn]?|liebe[mn]?|viele[mn]?|schöne[mn]?|"
    r"sonnige[mn]?|kollegiale[mn]?)\s+)?gr(?:ü|ue|u)(?:ß|ss)(?:e|en)?|mfg|lg|vg|"
    r"(?:bästa|varma|många|hjärtliga)\s+hälsningar|vänligen|tack\s+på\s+förhand|cordialement|"
    r"met\s+vriendelijke\s+groet(?:en)?|groeten|saludos|"
    r"un\s+saludo|"
    r"cordiali\s+saluti|atenciosamente|med\s+venlig\s+hilsen|med\s+vennlig\s+hilsen|"
    r"hilsen)"
)
#: A sign-off line: one sign-off, or two in two languages ("Mvh / Med vänliga hälsningar"),
#: perhaps sent from a place ("Hälsningar från Mariehamn", "LG aus Linz").
_SIGN_OFF_RE = re.compile(
    rf"^\s*{_SIGN_OFF_WORDS}(?:\s*[,.!]?\s*[/|]\s*{_SIGN_OFF_WORDS})?"
    r"(?:\s+(?:från|aus|vom)\s+[\w .-]{1,30}?)?\s*[,.!]?\s*$",
    re.IGNORECASE,
)
_SUBJECT_PREFIX_RE = re.compile(
    r"^\s*(?:(?:re|fwd?|vs|sv|aw|wg)\s*(?:\[\d+\])?\s*:\s*)*", re.IGNORECASE
)
# A subject that is itself a request, whole: "unsubscribe", "Re: Remove me from your list",
# "SV: Avregistrera mig", "AW: Abmelden".
_SUBJECT_REQUEST_RE = re.compile(
    r"\s*(?:please\s+)?(?P<phrase>unsubscribe(?:\s+me)?|remove\s+me(?:\s+from\s+(?:your|the|"
    r"this)\s+(?:mailing\s+)?list)?|"
    r"opt\s+me\s+out|opt[\s-]?out|poista\s+minut(?:\s+listalta)?|poistakaa\s+minut(?:\s+listalta)?|"
    r"peru\s+tilaus|peruuta\s+tilaus|stop\s+e-?mailing\s+me|avregistrera(?:\s+mig)?|"
    r"avsluta\s+prenumeration(?:en)?|ta\s+bort\s+mig(?:\s+från\s+(?:er\s+)?listan?)?|"
    r"(?:bitte\s+)?(?:abmelden|austragen|abbestellen))(?:\s*,?\s*(?:please|bitte|tack))?[\s.!]*",
    re.IGNORECASE,
)
_SHORT_BODY = (
    60  # characters of new text that still count as "no message": a signature, "Sent from my phone"
)


def _request_head(fresh: str) -> str:
    """The first few lines of the new text, up to a signature delimiter, a sign-off ("Best,") or
    a legal footer.
    """
    kept: list[str] = []
    for line in fresh.split("\n"):
        if not line.strip():
            continue
        if _SIGNATURE_DELIMITER_RE.match(line):
            break
        if kept and (_SIGN_OFF_RE.match(line) or _DISCLAIMER_RE.search(line)):
            break
        kept.append(line.strip())
        if len(kept) >= _HEAD_LINES:
            break
    return "\n".join(kept)


#: A postscript's first line: "P.S. take me off your list", "PS: …", "P.P.S.", "Ps." (all four
#: languages write it so), not a word that begins with the letters ("PSA", "Psst").
_POSTSCRIPT_RE = re.compile(r"^\s*p\.?\s?(?:p\.?\s?)?s(?![\w@])\.?\s*[:.,-]?\s*\S", re.IGNORECASE)
#: The most lines of a postscript read.
_POSTSCRIPT_LINES = 3


def postscript(fresh: str) -> str:
    """The first postscript of the new text, below the sign-off and the name where the head
    stops reading ("Best, Mark / P.S. please take me off your list"): its first line and the
    lines that follow it up to a blank one; empty when there is none before a signature
    delimiter or a legal footer."""
    lines = fresh.split("\n")
    for place, line in enumerate(lines):
        if _SIGNATURE_DELIMITER_RE.match(line) or _DISCLAIMER_RE.search(line):
            return ""
        if _POSTSCRIPT_RE.match(line):
            kept = []
            for following in lines[place : place + _POSTSCRIPT_LINES]:
                if not following.strip():
                    break
                kept.append(following.strip())
            return "\n".join(kept)
    return ""


def _negated(text: str, start: int) -> bool:
    """Whether the words just before ``start`` negate the request there ("don't unsubscribe me")."""
    before = text[:start]
    line_start = before.rfind("\n") + 1
    match = _NEGATION_RE.search(before[line_start:])
    if match is None:
        return False
    between = {word.lower() for word in match.group("between").split()}
    return not between & _NOT_NEGATING


def _phrase(text: str) -> str:
    return " ".join(text.lower().split()).replace("’", "'")


def _requests_in(text: str) -> tuple[str | None, bool]:
    """(the first request phrase that is meant, whether a negated one was seen) in a piece
    of text.
    """
    found = sorted(
        (match.start("phrase"), match.start(), match.group("phrase"))
        for pattern in _UNSUBSCRIBE_RES
        for match in pattern.finditer(text)
    )
    negated = False
    for start, match_start, phrase in found:
        if _negated(text, min(start, match_start)):
            negated = True
            continue
        return _phrase(phrase), negated
    return None, negated


def request(msg: Parsed) -> Inbound | None:
    """:attr:`Kind.UNSUBSCRIBE` when the message asks to be removed; None when it does not."""
    phrase = _request_phrase(msg.subject, msg.fresh)
    if phrase is None:
        return None
    return msg.build(Kind.UNSUBSCRIBE, f"says '{phrase}'", text=msg.text)


def _request_phrase(subject: str, fresh: str) -> str | None:
    """The request phrase when the message asks to be removed; None when it does not."""
    head = _request_head(fresh)
    phrase, negated = _requests_in(head)
    if phrase is not None:
        return phrase
    below = postscript(fresh)
    if below and below not in head:
        phrase, negated_below = _requests_in(below)
        if phrase is not None:
            return phrase
        negated = negated or negated_below
    # The subject counts only when it is itself a request, never for a phrase inside a longer
    # (quoted) subject. "Subject: unsubscribe" with next to no text is what a List-Unsubscribe
    # mailto: link sends; with a longer text that says "don't unsubscribe me", the text wins.
    request = _SUBJECT_REQUEST_RE.fullmatch(_SUBJECT_PREFIX_RE.sub("", subject, count=1))
    if request is None:
        return None
    if negated and len(fresh) > _SHORT_BODY:
        return None
    return _phrase(request.group("phrase"))
