"""Where a cue stands in its clause and its sentence: whether a negation turns it, whether a
condition opens its clause, whether its sentence holds another cue. The intent rules
(:mod:`sequencer.inbound.intent.rules`) ask these of the cues their word lists find.

Every question looks a bounded way back from the cue (:data:`REACH` characters), or up a list
made once per text, so a long hostile text is read in linear time.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from sequencer.inbound.rules.weeks import _WEEKDAYS

__all__ = ["REACH", "conditional", "in_sentences", "negated", "offers_now"]

_ARTICLES = frozenset({"en"})  # a negation in one language, an article in another
#: Swedish words in a clause: its "en" is the article ("Vi vill ha en kort genomgång och en demo").
_SWEDISH = frozenset({"och", "jag", "vi", "är", "det", "att", "med", "ett", "inte", "ni", "har"})
_NEGATION_WORDS = 6  # words before an interest cue a negation may stand (in its clause)
REACH = 300  # characters before a cue that hold those words, whatever the clause
_CLAUSE_END_RE = re.compile(
    r"[.,;:!?()\n–—]|\s-\s|\b(?:but|however|although|mutta|mut|muttei|men|utan|aber|sondern|"
    r"though|vaan)\b",
    re.I,
)
#: A clause that opens with a condition: a refusal in it declines nothing ("jos se ei sovi,
#: torstai käy myös", "if Tuesday doesn't work for you, Thursday is fine").
_CONDITION_RE = re.compile(r"(?<!\w)(?:if|unless|jos|jollei|mikäli|ifall|wenn|falls)(?!\w)", re.I)
#: A condition that is a clause of its own, before a comma: "If not, no need to set anything
#: up", "Falls nein, brauchen wir gar nicht weiterzumachen", "Jos ei, ...", "Om inte, ...". The
#: clause after it is the condition's.
_BARE_CONDITION_RE = re.compile(
    r"(?<!\w)(?<!even\s)(?<!auch\s)(?<!även\s)(?:if|falls|wenn|jos|om|ifall)\s+(?:not|no|nein|nicht|ei|inte|nej)\s*$",
    re.I,
)
_SENTENCE_END_RE = re.compile(r"[.!?\n]")
#: What a request made now names: a day or a time ("Gerne am Donnerstag um 10 Uhr", "Torsdag kl
#: 10 går gärna", "nächste Woche"), or something to send ("send me a deck").
_NOW_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(name for names in _WEEKDAYS for name in names) + r")\w*|(?<!\w)(?:"
    r"tomorrow|huomenna|i\s?morgon|morgen|übermorgen|next\s+week|nächste[nr]?\s+woche|ensi\s+"
    r"viikolla|nästa\s+vecka)(?!\w)|\d{1,2}[:.]\d\d|(?<!\w)(?:at|klo|kl\.?|um)\s*\d|"
    r"(?<!\w)(?:send|sende|schick|skicka|lähet|laita|forward)\w*",
    re.IGNORECASE,
)


def _ends_before(text: str, start: int) -> tuple[str, list[re.Match[str]]]:
    """The :data:`REACH` characters before ``start``, and where clauses end in them."""
    before = text[max(0, start - REACH) : start]
    return before, list(_CLAUSE_END_RE.finditer(before))


def negated(text: str, start: int, negation: re.Pattern[str]) -> bool:
    """Whether a negation stands a few words before ``start``, in the same clause. The word
    right before may not be an article of another language (Swedish "boka en demo" is not the
    Finnish "en", which stands before a verb), nor any such word among Swedish ones.
    """
    before, ends = _ends_before(text, start)
    clause = before[ends[-1].end() :] if ends else before
    words = [word.strip("\"'“”") for word in clause.split()[-_NEGATION_WORDS:]]
    if words and words[-1].lower() in _ARTICLES:
        words.pop()
    if any(word.lower() in _SWEDISH for word in words):
        words = [word for word in words if word.lower() not in _ARTICLES]
    return any(negation.fullmatch(word) for word in words)


def conditional(text: str, start: int) -> bool:
    """Whether the clause that holds ``start`` opens with a condition before it, or follows a
    condition that is a clause of its own ("If not, no need to set anything up")."""
    before, ends = _ends_before(text, start)
    if not ends:
        return _CONDITION_RE.search(before) is not None
    last = ends[-1]
    if _CONDITION_RE.search(before, last.end()) is not None:
        return True
    return (
        last.group(0) in ",;:–—"
        and _BARE_CONDITION_RE.search(before, ends[-2].end() if len(ends) > 1 else 0, last.start())
        is not None
    )


def in_sentences(text: str, matches: list[re.Match[str]]) -> Callable[[int], bool]:
    """A look-up of whether a position of ``text`` stands in a sentence (up to a full stop, a
    question or exclamation mark, or a line's end) that holds the start of one of ``matches``."""
    ends = [end.start() for end in _SENTENCE_END_RE.finditer(text)]
    held = {bisect.bisect_left(ends, match.start()) for match in matches}
    return lambda position: bisect.bisect_left(ends, position) in held


def offers_now(text: str, start: int, end: int) -> bool:
    """Whether the clause of the cue at ``start``–``end`` (to the cue's end at least) names a day, a
    time or something to send: a request made now, not a promise for later ("I'd love to chat if
    that changes")."""
    before, ends = _ends_before(text, start)
    opening = start - len(before) + (ends[-1].end() if ends else 0)
    closing = _CLAUSE_END_RE.search(text, end, end + REACH)
    return _NOW_RE.search(text, opening, closing.start() if closing else end + REACH) is not None
