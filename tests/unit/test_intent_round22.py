"""Blind round 22 (tests/unit/intent_corpus/blind22.yaml: replies to a field-service cold mail,
in English, Finnish, Swedish and German) read 85.0 % untuned, and one out-of-office answer
written like a personal note as interest. Each wrong reading it found, in other words than the
round's, with the texts that must keep their reading beside them; and round 21's sceptic who
asks for slots; and round 23's (85.0 % untuned, none unsafe).
"""

from __future__ import annotations

import pytest
from intent_cases import reply_to_us

from sequencer.inbound.classify import Intent, Kind


def read(body: str, lang: str = "en") -> tuple[Kind, Intent | None, str | None]:
    got = reply_to_us(body, lang)
    return got.kind, got.intent, got.referred


def test_a_notice_written_like_a_note_is_an_out_of_office_answer() -> None:
    """No headers, our subject kept, a cheerful tone: "back at my desk on" is a notice's."""
    body = (
        "Hi there!\n\nThanks for your note - I'm on a beach with the laptop at home and back at "
        "my desk on Tuesday 12 January. I'll reply then, promise!\n\nIf it can't wait, my "
        "colleague Sam (sam.lee@harbour.example) is minding the shop.\n\nSophie"
    )
    assert read(body)[:2] == (Kind.AUTO_REPLY, Intent.AUTO_REPLY)


@pytest.mark.parametrize(
    ("body", "lang", "expected"),
    [
        # teams of people are no meeting; a meeting on Teams is
        (
            "Not my area, I'm afraid. Our field teams report to Dana Reyes "
            "(dana.reyes@brightwater.example); I've copied her in.",
            "en",
            (Kind.REPLY, Intent.REFERRAL, "dana.reyes@brightwater.example"),
        ),
        (
            "Happy to have a look - on Teams is fine, Thursday after 2.",
            "en",
            (Kind.REPLY, Intent.POSITIVE, None),
        ),
        (
            "We run four crews off a spreadsheet. Think we'll stick with it, thanks.",
            "en",
            (Kind.REPLY, Intent.NOT_INTERESTED, None),
        ),
        (  # a verb form asked of the assistant: "pyysi ohjaamaan asian X:lle"
            "vastaan johtajamme puolesta. Hän pyysi välittämään asian huoltopäällikkö Oskari "
            "Mäkelälle, joka vastaa hankinnoista: oskari.makela@kaakko.example.",
            "fi",
            (Kind.REPLY, Intent.REFERRAL, "oskari.makela@kaakko.example"),
        ),
        (  # the plural stem of "lista"
            "Ei kiitos.\n\nPS. Tämä on yhteisosoite, joten voitte poistaa sen listoiltanne.",
            "fi",
            (Kind.UNSUBSCRIBE, Intent.UNSUBSCRIBE, None),
        ),
        (
            "Det sköts från huvudkontoret, så det är bättre att du pratar med Jonas Berg där "
            "(jonas.berg@nordlift.example).",
            "sv",
            (Kind.REPLY, Intent.REFERRAL, "jonas.berg@nordlift.example"),
        ),
        (  # a note to a colleague, about us
            "Erik, är det de här som ringde förra veckan? Kolla gärna deras kunder innan vi "
            "svarar något.",
            "sv",
            (Kind.REPLY, Intent.OTHER, None),
        ),
        (
            "Klingt interessant. Wir haben allerdings gerade erst umgestellt und werden die "
            "nächsten Jahre bestimmt nicht wechseln.",
            "de",
            (Kind.REPLY, Intent.NOT_INTERESTED, None),
        ),
        # what the new words must not take (found by a review)
        (
            "Yes please, book the demo for Tuesday 2pm and we'll stick with that slot.",
            "en",
            (Kind.REPLY, Intent.POSITIVE, None),
        ),
        (
            "Not interested, thanks. Our drivers already work in teams of two.",
            "en",
            (Kind.REPLY, Intent.NOT_INTERESTED, None),
        ),
        (
            "Ja, gärna! Vi pratar med dig på torsdag kl 10.",
            "sv",
            (Kind.REPLY, Intent.POSITIVE, None),
        ),
        (
            "Nej tack, vi pratar med en annan leverantör sedan i höstas.",
            "sv",
            (Kind.REPLY, Intent.NOT_INTERESTED, None),
        ),
        (
            "Låter intressant, boka gärna en demo. Jag kollar med min chef innan vi svarar på "
            "tidsförslaget.",
            "sv",
            (Kind.REPLY, Intent.POSITIVE, None),
        ),
        # round 23 (blind23.yaml): "I'd like to see it" (a pattern opens at a word's start, so
        # "'d" never matched after "I"), a call proposed, a removal said as a wish, a mail passed
        # on to be reported, a job seeker, a Finnish "voidaan jutella", a Finnish removal typed
        # without ä
        (
            "If it handles Swedish VAT too, then yes, I'd like to see it.",
            "en",
            (Kind.REPLY, Intent.POSITIVE, None),
        ),
        (
            "Could we do a quick call next week? Thursday after 2 would work for me.",
            "en",
            (Kind.REPLY, Intent.POSITIVE, None),
        ),
        (
            "I'd be grateful if this was the last email I get from you.",
            "en",
            (Kind.UNSUBSCRIBE, Intent.UNSUBSCRIBE, None),
        ),
        (
            "Not sure this is real, so I've forwarded it to security as possible phishing.",
            "en",
            (Kind.REPLY, Intent.OTHER, None),
        ),
        ("Are you hiring? Happy to send you my CV.", "en", (Kind.REPLY, Intent.OTHER, None)),
        ("Jos hinta on kohdallaan, voidaan jutella.", "fi", (Kind.REPLY, Intent.POSITIVE, None)),
        (
            "Tahan osoitteeseen ei tarvitse jatkossa lahettaa mitaan markkinointia.",
            "fi",
            (Kind.UNSUBSCRIBE, Intent.UNSUBSCRIBE, None),
        ),
        # round 21's sceptic: times asked for, minutes given
        (
            "If it reads our ERP, fine: send me a couple of slots the week after next.",
            "en",
            (Kind.REPLY, Intent.POSITIVE, None),
        ),
        ("I can give you 15 minutes, no slides.", "en", (Kind.REPLY, Intent.POSITIVE, None)),
        (
            "Don't send me times, we're not interested.",
            "en",
            (Kind.REPLY, Intent.NOT_INTERESTED, None),
        ),
    ],
)
def test_round_22s_readings(body: str, lang: str, expected: tuple[object, ...]) -> None:
    assert read(body, lang) == expected
