"""A language's word list for reading a reply's intent: regular expressions, one tuple per
intent, plus the words that negate a positive phrase in that language.

Patterns are written lower-case, matched case-insensitively, and may end in a word stem (the
Finnish ``kiinnost`` covers kiinnostaa, kiinnostunut, kiinnostaisi); each must start at a word
boundary, which :func:`compile_all` adds. The reason an intent is given quotes the whole match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Lexicon", "compile_all"]


@dataclass(frozen=True, kw_only=True)
class Lexicon:
    """One language's cues, by intent. Each tuple holds regular expression sources."""

    #: The language's ISO 639-1 code.
    language: str
    #: Asking to be removed, in words the unsubscribe rule does not already know.
    unsubscribe: tuple[str, ...]
    #: An out-of-office answer written as text ("olen lomalla 2.1. asti").
    absence: tuple[str, ...]
    #: Pointing to someone else, strongly ("please contact my colleague").
    referral: tuple[str, ...]
    #: Weak referral cues, that count only beside an address ("the right person is").
    referral_weak: tuple[str, ...]
    #: Naming someone else without sending us away ("add my colleague", "I've cc'd Dave", "he
    #: runs the dispatch desk"): a referral only when the writer asks for nothing themselves.
    referral_beside: tuple[str, ...] = ()
    #: Declining, now or for a while ("ei kiinnosta", "not right now, try in Q3").
    refusal: tuple[str, ...]
    #: Interest: a call, a meeting, a price, more information.
    interest: tuple[str, ...]
    #: A note to a colleague forwarded to us by mistake, that speaks of us as "them" ("don't reply
    #: to them yet"): no intent of the writer's towards us.
    aside: tuple[str, ...] = ()
    #: Writing for someone else ("he asked me to reply on his behalf", "pyysi minua vastaamaan
    #: puolestaan"): the one named is the writer's principal, not someone we are sent to.
    behalf: tuple[str, ...] = ()
    #: Saying that the answers stand between our quoted lines ("see my answers below", "vastaukset
    #: tekstin sekaan"): the text below our quoted lines is read too.
    inline: tuple[str, ...] = ()
    #: Words that, after a cue of interest that opens a question, make it our own word asked
    #: back ("Interested in what, exactly?", "Kiinnostaisi mitä?"): no interest.
    echo: tuple[str, ...] = ()
    #: A bare yes and a bare no, answering our word asked back by the writer ("Interested? Yes.",
    #: "Kiinnostaako? Ei."): the answer is the writer's intent.
    answer_yes: str = r"(?!)"
    answer_no: str = r"(?!)"
    #: The writer's own meeting or call, spoken of, not asked for ("mulla venyy palaveri", "I'm
    #: stuck in a meeting"): a cue of interest within it counts for nothing.
    busy: tuple[str, ...] = ()
    #: Words that, a few words before an interest phrase in the same clause, negate it.
    negation: str


def compile_all(sources: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """The patterns compiled case-insensitively, each anchored at a word start."""
    flags = re.IGNORECASE | re.MULTILINE
    return tuple(re.compile(rf"(?<!\w)(?:{source})", flags) for source in sources)
