"""An absence that begins after the reply was written: the writer is at work, and answering
(sequencer/inbound/intent/aside.py, ``leaving_later``; sequencer/inbound/rules/leaving.py). The
commonest miss of the blind rounds: "I'm off from Friday until 4 January, but could you send over
some pricing" was read as an out-of-office notice. Beside each kind of answer, notices that must
stay notices, since an out-of-office answer is never interest.
"""

from __future__ import annotations

import datetime

import pytest
from intent_cases import TODAY, _raw

from sequencer.inbound.classify import Intent, classify
from sequencer.inbound.rules.leaving import departures


def intent(body: str, lang: str = "en", *, today: datetime.date = TODAY) -> Intent | None:
    return classify(_raw({"id": "t", "lang": lang, "body": body}), today=today).intent


@pytest.mark.parametrize(
    ("body", "lang", "expected"),
    [
        # the writer leaves later, and asks for something after a turn
        ("I'm off from Friday until 11 January, so send me the pricing and we'll talk after.",
         "en", Intent.POSITIVE),
        ("Olen lomalla 23.12. alkaen, mutta lähetä tarjous niin katson sen ennen lomaa.", "fi",
         Intent.POSITIVE),
        ("Mä oon lomilla 21.12.–6.1., mut soitellaan heti sen jälkeen.", "fi", Intent.POSITIVE),
        ("Jag är ledig från fredag till 7 januari, men skicka gärna en offert innan dess.", "sv",
         Intent.POSITIVE),
        ("Ich bin ab Freitag im Urlaub, schicken Sie mir aber gerne vorher noch ein Angebot.", "de",
         Intent.POSITIVE),
        # (test_intent_aside.py read these two as notices until the day away was weighed; the
        # blind rounds' writers, who did not see the rules, wrote this shape as a person's eight
        # times)
        ("Hi Lena,\n\nI'm off from Friday until 4 January, but I'd like to see a demo.", "en",
         Intent.POSITIVE),
        ("Hello,\n\nI'm off from Friday until 4 January, but I'd like to see a demo.", "en",
         Intent.POSITIVE),
        # or asks a question before the absence's line
        ("Does it work with Business Central? What would it cost for two sites?\n\n"
         "I'm off from Friday until 4 Jan, so we can pick it up after.", "en", Intent.POSITIVE),
        # or declines after the turn
        ("I'm off from Friday until 4 January, but honestly we are not interested.", "en",
         Intent.NOT_INTERESTED),
        # notices stay notices: standing words, a link, a booking offered, a stand-in's address,
        # a team, an absence begun already, no turn to an answer, a day back
        ("I'm out of the office from Monday 21 December until 4 January with limited access to "
         "email, but send me your pricing.", "en", Intent.AUTO_REPLY),
        ("I'm off from Friday until 4 January, but feel free to schedule a call with me here: "
         "https://cal.example/jo", "en", Intent.AUTO_REPLY),
        ("Olen lomalla 21.12.–6.1., mutta voit varata ajan demoon kalenteristani.", "fi",
         Intent.AUTO_REPLY),
        ("Jag är ledig fr.o.m. 21/12 t.o.m. 6/1, men boka gärna ett möte efter det.", "sv",
         Intent.AUTO_REPLY),
        ("I'm on leave from 21 December to 6 January. Please contact my colleague Pekka Salo, "
         "pekka.salo@firma.example.", "en", Intent.AUTO_REPLY),
        ("I'm on leave from 21 December to 6 January, but pricing questions go to "
         "sales@firma.example.", "en", Intent.AUTO_REPLY),
        ("I'm on leave from 21 December to 6 January. Pricing questions: call the office.", "en",
         Intent.AUTO_REPLY),
        ("I'm on holiday from 10 December until 4 January, but send me pricing.", "en",
         Intent.AUTO_REPLY),
        ("Ab Montag bin ich wieder im Büro, rufen Sie mich dann gerne an.", "de",
         Intent.AUTO_REPLY),
        ("Olen lomalla 21.12.-6.1. Kiireellisissä asioissa soita vaihteeseen.", "fi",
         Intent.AUTO_REPLY),
        # a number to call, being reached asked for, a wish of whoever reads it
        ("Olen lomalla 21.12. alkaen, mutta soita 040 123 4567.", "fi", Intent.AUTO_REPLY),
        ("Ich bin vom 21.12. an im Urlaub, aber melden Sie sich gerne im Januar.", "de",
         Intent.AUTO_REPLY),
        ("I will be out of the office from 21 December to 4 January, so if you would like to "
         "schedule a meeting, could you send me a few times for the week of 11 January?", "en",
         Intent.AUTO_REPLY),
        # a bookkeeper is no booking
        ("I'm off from 18 December until 7 January, but I'd like to see a demo. Our bookkeeper "
         "might join too.", "en", Intent.POSITIVE),
    ],
)  # fmt: skip
def test_an_absence_that_begins_later(body: str, lang: str, expected: Intent) -> None:
    assert intent(body, lang) is expected


def test_the_day_written_counts_not_the_day_read() -> None:
    """Read a week late, the reply (dated Monday 14 December) still tells of an absence that
    began after it was written; its Friday is the 18th, not the Friday after the day read."""
    body = "I'm off from Friday until 11 January, but send me the pricing."
    assert intent(body, today=TODAY + datetime.timedelta(days=7)) is Intent.POSITIVE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm off from Friday until 4 January", [datetime.date(2026, 12, 18)]),
        ("olen lomalla 21.12.–6.1.", [datetime.date(2026, 12, 21)]),
        ("olen lomalla perjantaista loppiaiseen", [datetime.date(2026, 12, 18)]),
        ("lomalla 23.12. alkaen", [datetime.date(2026, 12, 23)]),
        ("ab dem 21.12. nicht erreichbar", [datetime.date(2026, 12, 21)]),
        ("ledig fr.o.m. 21/12", [datetime.date(2026, 12, 21)]),
        # a day back, a day gone by, a day too far, a date with no word of setting off
        ("ab Montag wieder erreichbar", []),
        ("back in the office from 7 January", []),
        ("away from 10 December", []),
        ("from 1 March", []),
        ("I'm away on 21 December", []),
        # not "the answers" some way after it
        ("off from Friday until 4 Jan so if the answers are sensible",
         [datetime.date(2026, 12, 18)]),
    ],
)  # fmt: skip
def test_departures(text: str, expected: list[datetime.date]) -> None:
    assert [day for _, day in departures(text, today=TODAY)] == expected
