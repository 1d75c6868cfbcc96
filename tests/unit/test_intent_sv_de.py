"""Swedish and German replies a blind round (17) read wrongly: an absence mentioned in passing
beside a time that "would suit", a Finland-Swedish "det kunde vara skäl att höra mera", a
successor or a buyer named after the verb, the colleague who passed our mail on, a matter
"erledigt" for the writer, and the writer's own hall they would "gerne untervermieten". Each
case is the blind round's phrasing with variants (Swiss, Austrian, Finland-Swedish, no umlauts);
the near misses listed with them must keep their reading.
"""

from __future__ import annotations

import pytest
from intent_cases import reply_to_us

from sequencer.inbound.classify import Intent, Kind


def read(body: str) -> tuple[Kind, Intent | None, str | None]:
    got = reply_to_us(body)
    return got.kind, got.intent, got.referred


@pytest.mark.parametrize(
    ("body", "kind", "intent"),
    [
        (
            "Jag är borta på fredag men torsdag eftermiddag skulle passa bra, t.ex. kl. 13 finsk "
            "tid.",
            Kind.REPLY,
            Intent.POSITIVE,
        ),
        (
            "Jag är ledig på måndag, men tisdag förmiddag skulle funka fint.",
            Kind.REPLY,
            Intent.POSITIVE,
        ),
        ("Jag ar borta pa fredag men torsdag skulle passa bra.", Kind.REPLY, Intent.POSITIVE),
        (
            "Vi har nog redan ett system, men pallarna har vi inte koll på, så det kunde vara "
            "skäl att höra mera.",
            Kind.REPLY,
            Intent.POSITIVE,
        ),
        ("Det kunde vara värt att titta på.", Kind.REPLY, Intent.POSITIVE),
        # near misses: a notice with its day back, a refusal, more to hear turned down
        (
            "Jag är borta till den 7 januari men torsdag skulle passa bra.",
            Kind.AUTO_REPLY,
            Intent.AUTO_REPLY,
        ),
        ("Vi har redan ett system för pallarna.", Kind.REPLY, Intent.NOT_INTERESTED),
        ("Vi vill inte höra mer om det här.", Kind.REPLY, Intent.NOT_INTERESTED),
    ],
)
def test_a_time_that_would_suit_and_more_to_hear(body: str, kind: Kind, intent: Intent) -> None:
    assert read(body)[:2] == (kind, intent)


@pytest.mark.parametrize(
    ("body", "intent", "referred"),
    [
        (
            "Jag går på föräldraledighet efter jul och min tjänst tas över av Sara Lind. Hör "
            "gärna av dig direkt till henne, sara.lind@grossisten.example.",
            Intent.REFERRAL,
            "sara.lind@grossisten.example",
        ),
        ("Min roll tas över av Johan Berg från och med februari.", Intent.REFERRAL, None),
        (
            "Sånt här sköter vår inköpare Petra Almqvist på huvudkontoret. Ring växeln och be "
            "att bli kopplad.",
            Intent.REFERRAL,
            None,
        ),
        ("Sånt sköter vår inköpschef.", Intent.REFERRAL, None),
        ("Det bestämmer min chef, inte jag.", Intent.REFERRAL, None),
        ("Inköpen sköts numera av vårt huvudkontor i Örebro.", Intent.REFERRAL, None),
        # near misses: heard from again by the writer, their own work
        ("Hör gärna av dig till mig efter nyår.", Intent.POSITIVE, None),
        (
            "Vi sköter vår lagerhantering själva och har redan ett system.",
            Intent.NOT_INTERESTED,
            None,
        ),
    ],
)
def test_a_successor_or_a_handler_named_after_the_verb_is_a_referral(
    body: str, intent: Intent, referred: str | None
) -> None:
    assert read(body) == (Kind.REPLY, intent, referred)


@pytest.mark.parametrize(
    ("body", "intent"),
    [
        (
            "Mein Kollege hat mir Ihre Mail weitergeleitet (siehe unten). Können wir im Jänner "
            "telefonieren?",
            Intent.POSITIVE,
        ),
        (
            "Meine Kollegin Petra hat Ihre Nachricht an mich weitergegeben. Sollen wir nächste "
            "Woche kurz sprechen?",
            Intent.POSITIVE,
        ),
        ("Koennen wir im Jaenner mal telefonieren?", Intent.POSITIVE),
        (
            "Mein Kollege hat mir Ihre Mail weitergeleitet. Wir haben bereits ein System.",
            Intent.NOT_INTERESTED,
        ),
        (
            "Min kollega skickade ditt mejl vidare till mig. Vi har redan ett system.",
            Intent.NOT_INTERESTED,
        ),
        # near misses: forwarded to someone else, a colleague to talk to, a call declined
        (
            "Mein Kollege hat Ihre Mail an Herrn Berger weitergeleitet, b.berger@kunde.example.",
            Intent.REFERRAL,
        ),
        ("Bitte sprechen Sie mit meinem Kollegen, jan@kunde.example.", Intent.REFERRAL),
        ("Können wir leider nicht machen.", Intent.NOT_INTERESTED),
    ],
)
def test_the_colleague_who_passed_our_mail_on_is_no_referral(body: str, intent: Intent) -> None:
    assert read(body)[:2] == (Kind.REPLY, intent)


@pytest.mark.parametrize(
    ("body", "intent"),
    [
        (
            "Wir lösen unser Außenlager zum Jahresende auf. Für uns ist das Thema daher erledigt.",
            Intent.NOT_INTERESTED,
        ),
        ("Das Thema hat sich für uns erledigt.", Intent.NOT_INTERESTED),
        ("Damit is des Thema für uns erledigt.", Intent.NOT_INTERESTED),
        ("Fuer uns ist das Thema erledigt.", Intent.NOT_INTERESTED),
        ("Für üs isch das Thema erledigt.", Intent.NOT_INTERESTED),
        (
            "Sorry, I switch to English: pallet tracking is not a topic for us right now.",
            Intent.NOT_INTERESTED,
        ),
        ("Honestly, pallets aren't really a topic for us.", Intent.NOT_INTERESTED),
        # near misses: a chore done first, then a call; a topic the writer does not know
        (
            "Sobald das Thema Inventur erledigt ist, können wir gerne telefonieren.",
            Intent.POSITIVE,
        ),
        (
            "Pallet tracking is not a topic I know much about, but send me the pricing.",
            Intent.POSITIVE,
        ),
    ],
)
def test_a_matter_closed_for_the_writer_declines(body: str, intent: Intent) -> None:
    assert read(body)[:2] == (Kind.REPLY, intent)


@pytest.mark.parametrize(
    ("body", "intent"),
    [
        (
            "Kennen Sie zufällig jemanden, der ab Februar Lagerfläche sucht? Wir haben rund "
            "2.000 m² frei und würden die gerne untervermieten.",
            Intent.OTHER,
        ),
        ("Wir würden unsere alten Paletten gerne verkaufen.", Intent.OTHER),
        (
            "Vi skulle gärna hyra ut vår lageryta i Borås, känner du någon som söker?",
            Intent.OTHER,
        ),
        # near misses: more to hear, a call
        ("Wir würden gerne mehr erfahren.", Intent.POSITIVE),
        ("Vi tar gärna ett samtal.", Intent.POSITIVE),
    ],
)
def test_the_writers_own_business_to_let_or_sell_is_no_interest(body: str, intent: Intent) -> None:
    assert read(body)[:2] == (Kind.REPLY, intent)


@pytest.mark.parametrize(
    "body",
    [
        # a formal objection under § 7 UWG: "aus Ihren Verteilern zu löschen", "Werbe-E-Mails"
        "Sehr geehrte Frau Berg,\n\nich habe Ihnen zu keinem Zeitpunkt eine Einwilligung erteilt. "
        "Ich fordere Sie auf, meine E-Mail-Adresse unverzüglich aus Ihren Verteilern zu löschen "
        "und mir keine weiteren Werbe-E-Mails zuzusenden.\n\nMit freundlichen Grüßen\nDr. C. Vogel",
        "Bitte nehmen Sie uns aus den Verteilern.",
        "Keine Werbe-E-Mails mehr, danke.",
    ],
)
def test_a_german_demand_to_be_deleted_from_the_lists_is_a_removal(body: str) -> None:
    got = reply_to_us(body, "de")
    assert got.kind == Kind.UNSUBSCRIBE, got
