"""A language's word list for reading a reply's intent: regular expressions, one tuple per
intent, plus the words that negate a positive phrase in that language.

Patterns are written lower-case, matched case-insensitively, and may end in a word stem (the
Finnish ``kiinnost`` covers kiinnostaa, kiinnostunut, kiinnostaisi); each must start at a word
boundary, which :func:`compile_all` adds. The reason an intent is given quotes the whole match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Lexicon", "compile_all", "respelled"]

#: A text typed without ä, ö and å ("meilla on jo", "ota yhteytta") spells them a, o and a.
_FOLD = str.maketrans("äöåÄÖÅ", "aoaAOA")
#: German typed without umlauts spells them out, or drops their dots ("Gruesse", "hoert auf",
#: "fuer uns", "hatten"); Swiss German writes ss for ß whatever the keyboard ("ausser Haus").
_SPELLED_OUT = {"ä": "(?:ae|a)", "ö": "(?:oe|o)", "ü": "(?:ü|ue|u)", "ß": "(?:ß|ss)"}
_SHARP_S = {"ß": "(?:ß|ss)"}
#: Where a pattern's character stands for one character only: a class, or a lookbehind (which
#: must keep its width).
_ONE_CHARACTER = ("(?<=", "(?<!")


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
    #: Our mail passed on to the writer ("Lasse skickade ditt mejl vidare till mig", "mein
    #: Kollege hat mir Ihre Mail weitergeleitet"): a referral cue within it sends us to no one.
    received: tuple[str, ...] = ()
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
    #: Thinking it over, asking for nothing ("Let me chew on it over the holidays", "Hmm, pitää
    #: miettiä ... Katsellaan."): a cue of interest within it counts for nothing, and beside it
    #: a cue that is only an opinion ("Pallets are a headache for sure") shows no interest.
    undecided: tuple[str, ...] = ()
    #: A promise to come back should things change ("Sollte sich daran etwas ändern, komme ich
    #: gern auf Sie zu", "ifall läget skulle ändras", "if anything changes on our side"): a cue
    #: of interest in its sentence that names no day, time or thing to send turns no refusal into
    #: a request (see :func:`~sequencer.inbound.intent.clauses.offers_now`).
    deferral: tuple[str, ...] = ()
    #: Where our mail landed, not what the writer calls it ("it ended up in my spam folder",
    #: "viestisi meni roskapostiin", "lag im Spam-Ordner"): a removal cue within it asks for
    #: nothing.
    spam_place: tuple[str, ...] = ()
    #: What only an out-of-office notice says ("for urgent matters", "with limited access to
    #: email", "kiireellisissä asioissa", "in dringenden Fällen"): an absence beside them is no
    #: aside of a person answering (see :func:`~sequencer.inbound.intent.rules.in_passing`).
    standing: tuple[str, ...] = ()
    #: Words that, a few words before an interest phrase in the same clause, negate it.
    negation: str
    #: Whether a text typed without the language's marked letters may spell them out (German
    #: ae, oe, ue and ss): see :func:`respelled`.
    spelled_out: bool = False


def respelled(source: str, *, unmarked: bool, spelled_out: bool) -> str:
    """A pattern's source as a text spelled some way reads it: as written; ``unmarked`` (a text
    with no ä, ö or å), with those folded to a, o and a; ``spelled_out`` too (German), with each
    umlaut also read as its two letters (ä as ae or a; ü as ü, ue or u) and ß as ss, marked or
    not. In a character class or a lookbehind a letter is only folded, never spelled out.
    """
    if not spelled_out:
        return source.translate(_FOLD) if unmarked else source
    table = _SPELLED_OUT if unmarked else _SHARP_S
    written: list[str] = []
    behind: list[int] = []  # the depths of the open lookbehinds
    depth, in_class, at = 0, False, 0
    while at < len(source):
        char = source[at]
        if char == "\\":
            written.append(source[at : at + 2])
            at += 2
            continue
        if in_class or behind:
            in_class = char != "]" if in_class else char == "["
            written.append(char.translate(_FOLD) if unmarked else char)
        elif char == "[":
            in_class = True
            written.append(char)
        else:
            written.append(table.get(char, char.translate(_FOLD) if unmarked else char))
        if char == "(" and not in_class:
            depth += 1
            if source.startswith(_ONE_CHARACTER, at):
                behind.append(depth)
        elif char == ")" and not in_class:
            if behind and behind[-1] == depth:
                behind.pop()
            depth -= 1
        at += 1
    return "".join(written)


def compile_all(sources: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """The patterns compiled case-insensitively, each anchored at a word start."""
    flags = re.IGNORECASE | re.MULTILINE
    return tuple(re.compile(rf"(?<!\w)(?:{source})", flags) for source in sources)
