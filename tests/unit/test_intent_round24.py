"""Blind round 24 (tests/unit/intent_corpus/blind24.yaml: replies to a fleet-telematics cold mail,
in English, Finnish, Swedish and German) read 91.7 % untuned, and one removal request as
interest: "I would like to know where you got my address, and I do not wish to hear from
Lastbil Data again". Each wrong reading it found, in other words than the round's, with texts
that must keep their reading beside them; and two of round 25's (80.0 % untuned, none unsafe).
"""

from __future__ import annotations

import pytest
from intent_cases import reply_to_us

from sequencer.inbound.classify import Intent


def intent(body: str, lang: str = "en") -> Intent | None:
    return reply_to_us(body, lang).intent


@pytest.mark.parametrize(
    ("body", "lang", "expected"),
    [
        # a removal that names the sender, beside a question that sounds like interest
        (
            "Who gave you my address? I would like to know. I don't want to hear from "
            "Acme Logistics again.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        ("We never want to hear from your company any more.", "en", Intent.UNSUBSCRIBE),
        ("I'd love to hear from you again in spring, when budgets open.", "en", Intent.POSITIVE),
        # a decline by not looking further, or by managing without
        (
            "Our contract runs until 2029, so we won't be looking at other providers.",
            "en",
            Intent.NOT_INTERESTED,
        ),
        ("Two trucks and a paper log. I think we'll manage.", "en", Intent.NOT_INTERESTED),
        ("We are looking at other providers too, so send me your prices.", "en", Intent.POSITIVE),
        ("Send me a demo link and we'll manage the rest.", "en", Intent.POSITIVE),
        # German: content with what they have, however many words between; no change planned
        (
            "Danke, wir sind mit unserer jetzigen Software im Moment sehr zufrieden.",
            "de",
            Intent.NOT_INTERESTED,
        ),
        ("Ein Wechsel ist bei uns nicht geplant, danke.", "de", Intent.NOT_INTERESTED),
        ("Wir planen keinen Anbieterwechsel.", "de", Intent.NOT_INTERESTED),
        ("Mit unserem jetzigen System sind wir gar nicht zufrieden. Rufen Sie mich an.", "de",
         Intent.POSITIVE),
        ("Ein Wechsel ist für uns nicht ausgeschlossen. Schicken Sie mir Preise.", "de",
         Intent.POSITIVE),
        ("Klingt gut, ein Wechsel wäre für uns interessant. Rufen Sie mich an.", "de",
         Intent.POSITIVE),
        # round 25: a Swedish "no need" typed short, a German "no reason to change"
        ("Tack men vi har inge behov av det här.", "sv", Intent.NOT_INTERESTED),
        ("Vi har ett behov av detta, ring mig.", "sv", Intent.POSITIVE),
        ("Wir sehen derzeit keinen Anlass für einen Wechsel.", "de", Intent.NOT_INTERESTED),
    ],
)  # fmt: skip
def test_round_24(body: str, lang: str, expected: Intent) -> None:
    assert intent(body, lang) is expected
