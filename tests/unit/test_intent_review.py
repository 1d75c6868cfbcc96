"""An adversarial review of the day's intent rules, kept as tests: notices a person might
have written (a phone number, "but call me", a stand-in, words only a notice says below its
sign-off, week numbers) stay out-of-office answers; lists of ways refused and removals said by
anyone stay removals; a site closed or a holiday break spoken of is no notice; and the first day
away is no return date, while a day back said in other words is. Each case was read wrongly by
the rules as they stood that day; none may ever read an out-of-office answer as positive.
"""

from __future__ import annotations

import datetime

import pytest
from intent_cases import TODAY, _raw

from sequencer.inbound.classify import Intent, Kind, classify, return_date


def read(body: str, lang: str = "en") -> tuple[Kind, Intent | None]:
    got = classify(_raw({"id": "review", "lang": lang, "body": body}), today=TODAY)
    return got.kind, got.intent


@pytest.mark.parametrize(
    "body",
    [
        "I'm out of the office today, so call me on 040 1234567.",
        "I'm out of the office this week, but call me on +358 40 123 4567.",
        "I'm on holiday this week but call me on 040 1234567 if needed.",
        "I'm on holiday with no access to email, but call me on 07700 900123.",
        "I am on vacation, but please text me at 555 0101 or email me.",
        "I'm out of office today, however please give me a call on 07700 900123.",
        "I'm at a conference this week so call me on 07700 900123.",
        "I'm away this week, but I'm happy to take a call on 040 123 4567.",
        "I'm offline today but let's talk tomorrow.",
        "OOO - I'm on holiday but call me on 040 123 4567",
        "Olen lomalla, mutta soita numeroon 040 123 4567.",
        "Kiitos viestistäsi! Olen lomalla, joten soita 040 123 4567.",
        "Olen tänään poissa toimistolta, mutta soita 040 123 4567.",
        "Olen vuosilomalla, mutta voit laittaa viestiä numeroon 040 123 4567.",
        "Jag är på semester, men ring mig på 070 123 45 67.",
        "Jag är sjukskriven, men ring gärna 070 123 45 67.",
        "Autosvar: Jag är på semester, men ring mig på 070 123 45 67.",
        "Frånvaromeddelande: Jag är på semester, men ring mig.",
        "Ich bin im Urlaub, aber rufen Sie mich gerne unter 0171 2345678 an.",
        "Vielen Dank für Ihre Nachricht. Ich bin heute nicht im Büro, aber rufen Sie mich "
        "gerne an: 0171 2345678.",
        "Ich bin abwesend, aber rufen Sie an: 0171 2345678",
        "Ich bin auf Dienstreise, aber per Handy unter 0171 2345678 gerne erreichbar.",
        "Ich bin im Urlaub, aber rufen Sie gerne Herrn Müller an: 0171 2345678.",
        "Jag är på semester men ring gärna Peter på 070 123 45 67.",
        "I'm on holiday this week, but call me on 040 123 4567.\n\nBest regards\nJohn "
        "Smith\nSales Manager\n\nFor urgent matters please contact Anna.",
        "I'm away this week but call me.\n\nJohn\n\nIn my absence, please contact Anna.",
        "I am out of the office from 21 December to 4 January, but call me on 040 123 4567.",
        "I'm on holiday from 21/12 to 04/01 so please ring me on 07700 900123.",
        "Jag är ledig från 21/12, men ring gärna 070 123 45 67.",
        "Olen lomalla 21.12. alkaen, mutta soita 040 123 4567.",
        "Ich bin vom 21.12. an im Urlaub, aber melden Sie sich gerne im Januar.",
        "I'm on holiday over Christmas, but call me if anything comes up.",
        "I'm away until mid-January, but ring me.",
        "Olen lomalla viikot 51-52, mutta soita.",
        "Ich bin bis KW 2 im Urlaub, aber rufen Sie mich an.",
        "I'm out sick today, but call me on 040 123.",
        "My office is closed this week, but call me on 040 123 4567.",
        "Thanks for your message! We have received your request and will get back to you "
        "within 2 working days. For urgent issues call us on 0800 123 456.",
        "Thank you for contacting us. Your request has been received and a member of our team "
        "will respond shortly.",
    ],
)
def test_a_notice_that_asks_to_be_called_stays_an_out_of_office_answer(body: str) -> None:
    assert read(body) == (Kind.AUTO_REPLY, Intent.AUTO_REPLY)


@pytest.mark.parametrize(
    ("body", "intent"),
    [
        ("Don't email me, call me or text me.", Intent.UNSUBSCRIBE),
        (
            "don't email me, text me or call me ever again, you people are relentless",
            Intent.UNSUBSCRIBE,
        ),
        ("Don't call me or email me, text me if you must but I won't answer.", Intent.UNSUBSCRIBE),
        ("Don't write to me, send me nothing, and delete my number.", Intent.UNSUBSCRIBE),
        ("Please don't email me, message me or add me to anything.", Intent.UNSUBSCRIBE),
        ("Don't email me. You can call me if you want to hear no in person.", Intent.UNSUBSCRIBE),
        (
            "Do not email me. Your colleague already called me twice; call me once more and I "
            "will report you.",
            Intent.UNSUBSCRIBE,
        ),
        ("Do not email, text or call me.", Intent.UNSUBSCRIBE),
        ("Rufen Sie mich nicht an.", Intent.UNSUBSCRIBE),
        ("Rufen Sie mich bitte nie wieder an.", Intent.UNSUBSCRIBE),
        ("Soitellaan joulutauon jälkeen!", Intent.POSITIVE),
        ("Joulutauon jälkeen voidaan jutella, lähetä tarjous.", Intent.POSITIVE),
        ("Nach der Weihnachtspause gerne, schicken Sie mir ein Angebot.", Intent.POSITIVE),
        ("Nach der Betriebsruhe können wir gerne telefonieren.", Intent.POSITIVE),
        ("Our office is closed Friday, so can we do Thursday at 10?", Intent.POSITIVE),
        ("Das Büro ist am Freitag geschlossen, aber Donnerstag passt gut.", Intent.POSITIVE),
        ("Lagret är stängt på fredag, men torsdag passar bra.", Intent.POSITIVE),
        ("Toimisto on kiinni perjantaina, mutta torstaina sopii soittaa.", Intent.POSITIVE),
        ("Let's talk when we reopen the Oulu site in spring.", Intent.POSITIVE),
        (
            "Our Tampere warehouse will be closed next year, so no need for tracking there.",
            Intent.NOT_INTERESTED,
        ),
        ("Wir haben das Lager in Köln geschlossen, daher kein Bedarf mehr.", Intent.NOT_INTERESTED),
        ("Vi har stängt lagret i Borås, så vi behöver inte detta.", Intent.NOT_INTERESTED),
        (
            "Varastomme on suljettu ensi vuonna, joten emme tarvitse seurantaa.",
            Intent.NOT_INTERESTED,
        ),
        ("Please don't contact me, but thank you for reaching out.", Intent.UNSUBSCRIBE),
        ("Do not contact me by email.", Intent.UNSUBSCRIBE),
        ("Do not contact me here.", Intent.UNSUBSCRIBE),
        ("Don't contact me, just don't.", Intent.UNSUBSCRIBE),
        ("Do not contact me at work or at home.", Intent.UNSUBSCRIBE),
        ("Don't contact me this week or any other week.", Intent.UNSUBSCRIBE),
        ("Don't email me. Send me nothing.", Intent.UNSUBSCRIBE),
        ("Please don't message me on here. Email me if you need the invoice.", Intent.UNSUBSCRIBE),
        (
            "Stop. Don't email me, don't call me, don't message me. Send me nothing.",
            Intent.UNSUBSCRIBE,
        ),
        ("You have to stop contacting our employees.", Intent.UNSUBSCRIBE),
        ("Your reps need to stop contacting our employees.", Intent.UNSUBSCRIBE),
        ("Ni måste sluta skicka mejl.", Intent.UNSUBSCRIBE),
        ("Jag ber er att sluta skicka mejl till oss.", Intent.UNSUBSCRIBE),
        ("Jag vill att ni ska sluta skicka reklam.", Intent.UNSUBSCRIBE),
        ("Kan ni vara snälla att sluta skicka mejl?", Intent.UNSUBSCRIBE),
    ],
)
def test_removals_closures_and_holiday_breaks_read_as_written(body: str, intent: Intent) -> None:
    assert read(body)[1] is intent


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("I am out of the office from 21 December to 4 January.", datetime.date(2027, 1, 4)),
        ("Out of office from 21.12. to 6.1.", datetime.date(2027, 1, 6)),
        ("I'm on vacation from 12/21 to 1/4.", datetime.date(2027, 1, 4)),
        ("I will be unavailable from 21 December to 4 January.", datetime.date(2027, 1, 4)),
        ("I will respond to your email from 7 January.", datetime.date(2027, 1, 7)),
        ("Emails will be answered from 7 January.", datetime.date(2027, 1, 7)),
        ("I'll be at my desk from 4 January.", datetime.date(2027, 1, 4)),
        ("Ab 4.1. stehe ich Ihnen gerne zur Verfügung.", datetime.date(2027, 1, 4)),
        ("Ab dem 7.1. bin ich für Sie da.", datetime.date(2027, 1, 7)),
        ("Vastaan viesteihin 7.1. alkaen.", datetime.date(2027, 1, 7)),
        ("Olen tavattavissa 7.1. alkaen.", datetime.date(2027, 1, 7)),
        ("Olen käytettävissä 7.1. alkaen.", datetime.date(2027, 1, 7)),
        ("Jag svarar på mejl från den 7 januari.", datetime.date(2027, 1, 7)),
        ("Jag är på plats igen fr.o.m. 7/1.", datetime.date(2027, 1, 7)),
        ("I'm on holiday. For urgent matters call 040-1234567 on Monday.", None),
        ("In urgent cases call +44 20 7946-0000 Monday to Friday.", None),
        ("I'm out of office from 18 December and will be back in January.", None),
        ("Ich bin ab dem 23.12. im Urlaub und im neuen Jahr wieder erreichbar.", None),
        ("Olen lomalla 21.12. alkaen ja palaan tammikuussa.", None),
        ("Jag är ledig från 21/12 och tillbaka i januari.", None),
        ("Ich bin ab dem 21.12. nicht erreichbar.", None),
        ("I will not be available from 21 December.", None),
        ("Jag är inte tillgänglig från 21/12.", None),
        ("Ab 21.12. bin ich im Urlaub, meine Kollegin ist im Büro.", None),
        ("Ich bin ab dem 23.12. im Urlaub.", None),
        ("I am away from 18 December.", None),
        ("I'm out of office from 18.12. I return on 11 January.", datetime.date(2027, 1, 11)),
        ("Olen lomalla 21.12. alkaen ja palaan töihin 11.1.", datetime.date(2027, 1, 11)),
        (
            "Ab dem 23.12. bin ich im Urlaub, ab 7. Januar wieder erreichbar.",
            datetime.date(2027, 1, 7),
        ),
        ("Back in the office from 7 January.", datetime.date(2027, 1, 7)),
        ("Jag är ledig fr.o.m. 21/12, åter fr.o.m. 7/1.", datetime.date(2027, 1, 7)),
        (
            "Toimistomme on suljettu 23.12.–6.1. Vastaamme viesteihin 7.1. alkaen.",
            datetime.date(2027, 1, 7),
        ),
        ("Kontoret är stängt 23/12–6/1.", datetime.date(2027, 1, 6)),
        ("Unser Büro ist vom 23.12. bis 6.1. geschlossen.", datetime.date(2027, 1, 6)),
        ("Palvelemme jälleen torstaina 7.1. ja vastaamme viesteihin.", datetime.date(2027, 1, 7)),
        ("Olen jälleen lomalla 21.12. alkaen.", None),
        ("I am out of the office until 4 January.", datetime.date(2027, 1, 4)),
        ("Olen lomalla 6.1. asti.", datetime.date(2027, 1, 6)),
        (
            "Ich bin bis einschließlich 1.1. im Urlaub. Ab dem 4.1. bin ich wieder erreichbar.",
            datetime.date(2027, 1, 4),
        ),
        ("Back on Monday, 4 January.", datetime.date(2027, 1, 4)),
    ],
)
def test_the_day_back_and_not_the_first_day_away(text: str, back: datetime.date | None) -> None:
    assert return_date(text, today=TODAY) == back


@pytest.mark.parametrize(
    ("text", "back"),
    [
        (
            "Ab Donnerstag, 7. Jänner, sind wir wieder wie gewohnt für Sie da.",
            datetime.date(2027, 1, 7),
        ),
        ("From Monday, 4 January, I'm back in the office.", datetime.date(2027, 1, 4)),
        ("From 18 December, back in January.", None),
    ],
)
def test_a_date_set_off_by_commas_after_its_weekday(text: str, back: datetime.date | None) -> None:
    assert return_date(text, today=TODAY) == back
