"""Blind round 29 (tests/unit/intent_corpus/blind29.yaml: replies to a water-leak sensor cold
mail, in English, Finnish, Swedish and German) read 81.7 % untuned, none unsafe, one return date
of four a day late. Each wrong reading fixed, in other words than the round's, with texts that
must keep their reading beside them.
"""

from __future__ import annotations

import datetime

import pytest
from intent_cases import TODAY, reply_to_us

from sequencer.inbound.classify import Intent
from sequencer.inbound.rules.auto_reply import return_date


def intent(body: str, lang: str = "en") -> Intent | None:
    return reply_to_us(body, lang).intent


@pytest.mark.parametrize(
    ("body", "lang", "expected"),
    [
        # passing our mail along is no "I'll pass"
        (
            "We might well be interested. Send me the data sheet and I'll pass it to our "
            "facilities contractor.",
            "en",
            Intent.POSITIVE,
        ),
        (
            "Interesting. I'll pass these to Ian, who runs our sites; could you send pricing?",
            "en",
            Intent.POSITIVE,
        ),
        ("Thanks, but I'll pass.", "en", Intent.NOT_INTERESTED),
        # the writer who passes our material on to a contractor stays the one asking: beside
        (
            "Could we have a call next week? Send the spec sheet first and I'll pass it on to "
            "our electrician.",
            "en",
            Intent.POSITIVE,
        ),
        ("Not for me, but I'll pass it along to our facilities manager.", "en", Intent.REFERRAL),
        ("Please pass this on to Mark, mark.jensen@acme.example", "en", Intent.REFERRAL),
        ("We'll pass on this one, thank you.", "en", Intent.NOT_INTERESTED),
        ("I'd pass, to be honest. Not for us.", "en", Intent.NOT_INTERESTED),
        # a purchase order's reference is no customer reference asked for
        (
            "Is this about an unpaid bill? Please quote the order reference and the amount.",
            "en",
            Intent.OTHER,
        ),
        ("Do you have references from housing companies?", "en", Intent.POSITIVE),
        # Swedish: an invoice's details asked for; a reference to an invoice is no reference list
        (
            "Är det här en påminnelse? Skicka gärna fakturakopian och ert referensnummer.",
            "sv",
            Intent.OTHER,
        ),
        ("Har ni referenser från bostadsrättsföreningar?", "sv", Intent.POSITIVE),
        ("Onko teillä referenssejä isännöitsijöiltä?", "fi", Intent.POSITIVE),
        # a call in colloquial Swedish; Finland-Swedish "could be something for us"
        ("Ring mej nästa vecka.", "sv", Intent.POSITIVE),
        ("Det kan faktiskt vara nåt för oss.", "sv", Intent.POSITIVE),
        # "come back after the summer" after a no is still a no
        (
            "Det är inte aktuellt nu. Hör gärna av dig igen efter semestern.",
            "sv",
            Intent.NOT_INTERESTED,
        ),
        # Finnish: somebody else who keeps calling asks for no call; asking another party refers
        (
            "Yläkerran vesivahinko taas, ja naapuri soittelee mulle joka ilta. Kuka tätä hoitaa?",
            "fi",
            Intent.OTHER,
        ),
        ("Soittelen huomenna, sopiiko?", "fi", Intent.POSITIVE),
        ("En oo oikee ihminen. Kysykää mun esimieheltä.", "fi", Intent.REFERRAL),
        # Austrian German: a call asked for; a need denied with two words between
        ("Klingt guat. Rufen's mi morgen an.", "de", Intent.POSITIVE),
        (
            "Solche Sensoren brauchen wir hier eigentlich nicht.",
            "de",
            Intent.NOT_INTERESTED,
        ),
        # a mailbox that is no longer in use is a notice, however it names another address
        (
            "Diese Adresse ist nicht mehr in Betrieb. Ihre Nachricht wird nicht weitergeleitet. "
            "Schreiben Sie bitte an office@firma.example.",
            "de",
            Intent.AUTO_REPLY,
        ),
        (
            "Herr Berg ist nicht mehr bei uns. Wenden Sie sich bitte an Frau Lind, "
            "lind@firma.example.",
            "de",
            Intent.REFERRAL,
        ),
    ],
)
def test_round_29(body: str, lang: str, expected: Intent) -> None:
    assert intent(body, lang) is expected


@pytest.mark.parametrize(
    "text",
    [
        "Ich bin bis einschließlich 8.1. nicht im Büro und ab dem 11.1. wieder erreichbar.",
        "I'm out until 8 January inclusive, and back in the office from 11 January.",
        "Jag är ledig till och med 8/1 och åter på kontoret från 11/1.",
    ],
)
def test_a_first_day_back_after_a_last_day_away_in_one_sentence(text: str) -> None:
    """The date after "ab" / "from" is the day back, not a last day away the "bis einschließlich"
    before it would make it (it was read as the day after, a day late)."""
    assert return_date(text, today=TODAY) == datetime.date(2027, 1, 11)
