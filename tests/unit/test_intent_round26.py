"""Blind round 26 (tests/unit/intent_corpus/blind26.yaml: replies to a warehouse-software cold
mail, in English, Finnish, Swedish and German) read 88.3 % untuned, none unsafe; and the misses
left from round 25. Each wrong reading fixed, in other words than the rounds', with texts that
must keep their reading beside them.
"""

from __future__ import annotations

import re

import pytest
from intent_cases import reply_to_us

from sequencer.inbound.classify import Intent
from sequencer.inbound.intent import clauses


def intent(body: str, lang: str = "en") -> Intent | None:
    return reply_to_us(body, lang).intent


@pytest.mark.parametrize(
    ("body", "lang", "expected"),
    [
        # a refusal after a bare condition ("If not, ...") declines only if the answer is no
        (
            "Is there a Shopify connector? If there is, I'd like a demo. If not, no need to "
            "follow up.",
            "en",
            Intent.POSITIVE,
        ),
        (
            "Gibt es eine SAP-Anbindung? Dann gern einen Termin. Falls nicht, brauchen wir nicht "
            "weiter zu reden.",
            "de",
            Intent.POSITIVE,
        ),
        ("No need to follow up.", "en", Intent.NOT_INTERESTED),
        ("Not now, no need to follow up.", "en", Intent.NOT_INTERESTED),
        # "gladly, should that change": politeness, not a request that turns a refusal
        (
            "Wir haben keinen Bedarf. Falls sich bei uns etwas ändert, melden wir uns gerne.",
            "de",
            Intent.NOT_INTERESTED,
        ),
        (
            "Wir haben keinen Bedarf. Bei künftigem Bedarf kommen wir gerne auf Sie zu.",
            "de",
            Intent.NOT_INTERESTED,
        ),
        (
            "Vi är nöjda med vårt system. Jag hör gärna av mig om behovet uppstår.",
            "sv",
            Intent.NOT_INTERESTED,
        ),
        (
            "Not something we need right now. Happy to talk if that ever changes.",
            "en",
            Intent.NOT_INTERESTED,
        ),
        # beside it: a request in a sentence of its own still turns the refusal
        (
            "Wir haben keinen Bedarf. Schicken Sie mir trotzdem Unterlagen. Sollte sich etwas "
            "ändern, melde ich mich.",
            "de",
            Intent.POSITIVE,
        ),
        ("Dienstag passt gut. Sollte sich daran etwas ändern, melde ich mich.", "de",
         Intent.POSITIVE),
        ("Tuesday at 10 works. If anything changes, I'll let you know.", "en", Intent.POSITIVE),
        # a Finnish "not going into anything new", after praise
        (
            "Ratkaisu vaikuttaa fiksulta. Emme kuitenkaan lähde mihinkään uuteen ennen kesää.",
            "fi",
            Intent.NOT_INTERESTED,
        ),
        # "we're fine, thanks" with its comma; not "fine with Tuesday"
        ("Appreciate it, but we're good, thanks.", "en", Intent.NOT_INTERESTED),
        ("We're fine, thank you.", "en", Intent.NOT_INTERESTED),
        ("We're fine with Thursday, thanks. Send the invite.", "en", Intent.POSITIVE),
        # pointed elsewhere without an address
        ("Our agency runs all of that, so you had better speak with them.", "en",
         Intent.REFERRAL),
        ("Frågor om system går via vår inköpschef Ola.", "sv", Intent.REFERRAL),
        ("Mejlet bör skickas till vår ekonomichef istället.", "sv", Intent.REFERRAL),
        ("Sådana frågor går till mig, så ring gärna.", "sv", Intent.POSITIVE),
        # a call asked for, with a day and hours between
        ("Rufen Sie mich am Montag zwischen 8 und 10 Uhr an.", "de",
         Intent.POSITIVE),
        # the writer's own price list (a supplier who took us for a buyer), an invoice's details
        ("Please find attached our price list for pallet wrap.", "en", Intent.OTHER),
        ("Please send us your price list.", "en", Intent.POSITIVE),
        ("Mikä lasku tämä on? Lähettäkää laskun kopio.", "fi", Intent.OTHER),
        ("Lähettäkää hinnasto, kiitos.", "fi", Intent.POSITIVE),
    ],
)  # fmt: skip
def test_round_26(body: str, lang: str, expected: Intent) -> None:
    assert intent(body, lang) is expected


@pytest.mark.parametrize(
    ("body", "lang", "expected"),
    [
        # a call refused with many words between
        ("Kein Interesse. Rufen Sie mich bitte in Zukunft auf keinen Fall wieder an.", "de",
         Intent.NOT_INTERESTED),
        ("Derzeit kein Bedarf. Rufen Sie mich bitte frühestens in einem halben Jahr wieder an.",
         "de", Intent.NOT_INTERESTED),
        ("Rufen Sie mich bitte weder heute noch nächste Woche an.", "de", Intent.OTHER),
        # "your price list" is ours
        ("Is your price list public? If so, please point me to it.", "en", Intent.POSITIVE),
        # "I'm good, thanks" answers "how are you"
        ("Thursday at 2pm works for a call. I'm good, thanks, hope you had a good weekend too.",
         "en", Intent.POSITIVE),
        # "går till" is also how a thing works; a channel or the writer is no one else
        ("Berätta gärna hur det här går till i praktiken, vi är intresserade av en demo.", "sv",
         Intent.POSITIVE),
        ("Boka gärna en demo. Frågor kan ställas via mejl i förväg.", "sv", Intent.POSITIVE),
        ("Låter intressant, skicka gärna en offert! Frågor går till mej.", "sv", Intent.POSITIVE),
        # a request beside a condition of change still asks
        ("Not now, but send me a deck in case our plans change.", "en", Intent.POSITIVE),
        ("Diese Woche passt es leider nicht. Rufen Sie mich aber gerne nächste Woche an, bei "
         "Bedarf auch abends.", "de", Intent.POSITIVE),
        ("Den här veckan passar inte, men boka gärna ett möte nästa vecka om inget ändras.", "sv",
         Intent.POSITIVE),
        # "to our lawyers" sends us nowhere; "even if not" is no condition
        ("You'd better talk to our lawyers next time. Not interested.", "en",
         Intent.NOT_INTERESTED),
        ("Even if not, we have no budget for this. Thanks anyway.", "en", Intent.NOT_INTERESTED),
    ],
)  # fmt: skip
def test_what_the_review_of_round_26_found(body: str, lang: str, expected: Intent) -> None:
    assert intent(body, lang) is expected


@pytest.mark.parametrize(
    ("body", "lang", "expected"),
    [
        (
            "Aktuell haben wir keinen Bedarf. Bei Bedarf kommen wir gerne auf Sie zu.",
            "de",
            Intent.NOT_INTERESTED,
        ),
        (
            "Derzeit kein Interesse. Im Bedarfsfall melden wir uns gerne bei Ihnen.",
            "de",
            Intent.NOT_INTERESTED,
        ),
        (
            "Danke, aktuell nicht. Wir kommen bei Bedarf gerne auf Sie zurück.",
            "de",
            Intent.NOT_INTERESTED,
        ),
        (
            "Not something we need right now. I'd love to chat if that changes.",
            "en",
            Intent.NOT_INTERESTED,
        ),
        (
            "We don't need this now. Let's talk again if anything changes.",
            "en",
            Intent.NOT_INTERESTED,
        ),
        (
            "Not interested at the moment, but we'd be open to a chat should our situation "
            "change.",
            "en",
            Intent.NOT_INTERESTED,
        ),
        (
            "No budget this year. Feel free to contact me again if anything changes.",
            "en",
            Intent.NOT_INTERESTED,
        ),
        (
            "Aktuell kein Bedarf. Melden Sie sich gerne wieder, falls sich bei uns etwas "
            "ändert.",
            "de",
            Intent.NOT_INTERESTED,
        ),
        (
            "Derzeit haben wir keinen Bedarf. Wenn sich das ändert, würden wir uns über ein "
            "Gespräch freuen.",
            "de",
            Intent.NOT_INTERESTED,
        ),
        (
            "Dienstag passt leider nicht. Gerne am Donnerstag um 10 Uhr – sollte sich etwas "
            "ändern, gebe ich Bescheid.",
            "de",
            Intent.POSITIVE,
        ),
        (
            "Tisdag passar tyvärr inte. Torsdag kl 10 går gärna, jag hör av mig om något "
            "ändras.",
            "sv",
            Intent.POSITIVE,
        ),
        (
            "We're happy with our current vendor. Happy to take a call though, to see if our "
            "process should change.",
            "en",
            Intent.POSITIVE,
        ),
        (
            "Vi är nöjda med nuvarande leverantör, men berätta gärna om hur processen "
            "förändras med er app.",
            "sv",
            Intent.POSITIVE,
        ),
        (
            "Thursday at 2pm works for a call. I'm good thanks, hope you had a good weekend "
            "too.",
            "en",
            Intent.POSITIVE,
        ),
        ("We're fine, thanks. Good luck with the launch.", "en", Intent.NOT_INTERESTED),
        ("Tack, men frågor om lagersystem går till inköpschefen, Ola Berg.", "sv", Intent.REFERRAL),
        ("Förfrågan bör riktas till våra inköpare.", "sv", Intent.REFERRAL),
        (
            "Ärenden om lager går till logistikansvarige Per Lund, per.lund@firma.example.",
            "sv",
            Intent.REFERRAL,
        ),
        (
            "Gibt es eine SAP-Anbindung? Auch wenn nicht, haben wir leider kein Budget.",
            "de",
            Intent.NOT_INTERESTED,
        ),
        ("Rufen Sie mich am Donnerstag von 9 bis 11 Uhr an.", "de", Intent.POSITIVE),
        ("Rufen Sie mich bitte nächste Woche am Dienstag an.", "de", Intent.POSITIVE),
        ("You'd better talk to procurement about that.", "en", Intent.REFERRAL),
        ("Please find attached our latest price list for pallet wrap.", "en", Intent.OTHER),
        ("Not now, but send me a deck in case our plans change.", "en", Intent.POSITIVE),
        (
            "Diese Woche passt es leider nicht. Rufen Sie mich aber gerne nächste Woche an, "
            "bei Bedarf auch abends.",
            "de",
            Intent.POSITIVE,
        ),
        (
            "Den här veckan passar inte, men boka gärna ett möte nästa vecka om inget ändras.",
            "sv",
            Intent.POSITIVE,
        ),
        (
            "We already have a provider, but send me pricing – if it's cheaper we'd change.",
            "en",
            Intent.POSITIVE,
        ),
    ],
)  # fmt: skip
def test_what_the_second_review_of_round_26_found(body: str, lang: str, expected: Intent) -> None:
    """A promise for later is politeness, a request made now (a day, a time, something to send)
    is not; "if" that means "whether" changes nothing; roles in their definite and plural forms;
    "auch wenn nicht"; a call asked for "von 9 bis 11 Uhr"; and a few more of each."""
    assert intent(body, lang) is expected


def test_a_bare_condition_makes_the_next_clause_conditional() -> None:
    text = "I'd like to see it. If not, no need."
    assert clauses.conditional(text, text.index("no need"))
    text = "I'd like to see it. Not now, no need."
    assert not clauses.conditional(text, text.index("no need"))
    text = "If not. No need."  # a full stop ends the condition
    assert not clauses.conditional(text, text.index("No need"))


def test_in_sentences_finds_the_sentence_of_a_match() -> None:
    text = "First one. Gern, sollte sich etwas ändern. Third\nFourth"
    look = clauses.in_sentences(text, [re.search("sollte", text)])  # type: ignore[list-item]
    assert look(text.index("Gern")) and look(text.index("ändern"))
    assert not look(text.index("First")) and not look(text.index("Third"))
    assert not look(text.index("Fourth"))


@pytest.mark.parametrize(
    ("body", "lang", "expected"),
    [
        # an office closed for a while, said with "we're", "olemme", "vi har", "wir haben", and
        # a request after it: a notice, never interest (each read as positive before)
        ("We're closed from 24 December to 4 January, but send us your quote request anytime.",
         "en", Intent.AUTO_REPLY),
        ("Olemme suljettuna 24.12.–6.1. Lähetä tarjouspyyntö, niin palaamme asiaan.", "fi",
         Intent.AUTO_REPLY),
        ("Vi har stängt 24/12–6/1, men skicka gärna din förfrågan.", "sv", Intent.AUTO_REPLY),
        ("Wir haben vom 24.12. bis 6.1. geschlossen, schicken Sie uns aber gerne Ihre Anfrage.",
         "de", Intent.AUTO_REPLY),
        # beside them: a day closed, a site closed for good
        ("We're closed on Friday, so Thursday at 10 works.", "en", Intent.POSITIVE),
        ("Olemme kiinni perjantaina, mutta torstaina sopii soittaa.", "fi", Intent.POSITIVE),
        ("Wir haben am Freitag geschlossen, aber Donnerstag passt gut.", "de", Intent.POSITIVE),
        ("Vi har stängt lagret i Borås, så det är inte aktuellt längre.", "sv",
         Intent.NOT_INTERESTED),
    ],
)  # fmt: skip
def test_an_office_closed_for_a_while_is_a_notice(body: str, lang: str, expected: Intent) -> None:
    assert intent(body, lang) is expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # a call asked for a season later is "not now", as "nächstes Jahr wieder" was
        ("Kein Interesse. Rufen Sie mich im Herbst wieder an.", Intent.NOT_INTERESTED),
        ("Derzeit kein Bedarf. Melden Sie sich in ein paar Monaten wieder.", Intent.NOT_INTERESTED),
        ("Rufen Sie mich im Januar an, dann haben wir Zeit für eine Demo.", Intent.POSITIVE),
        # a season said of the writer's own plans, not of a call (the final review)
        (
            "Ja, gerne! Wir haben im Frühjahr wieder Budget, schicken Sie mir bitte ein Angebot.",
            Intent.POSITIVE,
        ),
        (
            "Danke, das klingt gut. Schicken Sie mir Infos, ich melde mich in zwei Monaten "
            "wieder mit Feedback.",
            Intent.POSITIVE,
        ),
    ],
)
def test_a_call_asked_for_a_season_later_declines(body: str, expected: Intent) -> None:
    assert intent(body, "de") is expected
