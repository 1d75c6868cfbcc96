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
from intent_cases import TODAY, reply_to_us

from sequencer.inbound.classify import Intent, Kind, return_date


def read(body: str, lang: str = "en") -> tuple[Kind, Intent | None]:
    got = reply_to_us(body, lang, id="review")
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


@pytest.mark.parametrize(
    ("body", "lang", "intent"),
    [
        (
            "I'm on holiday this week, so no email access. Please call me if anything comes up.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "I'm on annual leave, so no access to email. Please call me.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "I'm at a conference all week, so no laptop. Please call me.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "I'm out of the office this week so no access to my inbox - call me instead.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "Olen lomalla, joten ei pääsyä sähköpostiin. Soita jos on asiaa.",
            "fi",
            Intent.AUTO_REPLY,
        ),
        (
            "Olen tänään lomalla, joten ei. Soita huomenna.",
            "fi",
            Intent.AUTO_REPLY,
        ),
        (
            "Jag är sjukskriven, så nej. Ring mig nästa vecka.",
            "sv",
            Intent.AUTO_REPLY,
        ),
        (
            "Jag är på semester, så nej, ingen mejl. Ring mig om det gäller.",
            "sv",
            Intent.AUTO_REPLY,
        ),
        (
            "Vielen Dank für Ihre Nachricht. Ich bin morgen nicht im Büro, aber am "
            "Donnerstag um 10 Uhr gerne telefonisch erreichbar: 0171/2345678.",
            "de",
            Intent.AUTO_REPLY,
        ),
        (
            "Ich bin am Freitag, 18.12., außer Haus, aber am Montag um 8 Uhr gerne für Sie da.",
            "de",
            Intent.AUTO_REPLY,
        ),
        (
            "Ich bin morgen auf Dienstreise, aber am Donnerstag ab 9 Uhr gerne telefonisch "
            "für Sie erreichbar.",
            "de",
            Intent.AUTO_REPLY,
        ),
        (
            "Thank you for your email. I'm out of the office tomorrow, but please call me on "
            "Wednesday at 9.00 if it cannot wait.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "I'm out of the office on Friday 18 December, but I'm available Monday 21 "
            "December from 8:00.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "I'm off on Friday 18 December, but reachable Monday at 8:00 on 040 123 4567.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "I'm out of the office on Friday, so please call me on Monday on 040 123 4567.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "Kiitos viestistä. Olen huomenna poissa, mutta torstaina klo 9 alkaen soita 040 "
            "123 4567.",
            "fi",
            Intent.AUTO_REPLY,
        ),
        (
            "Olen perjantaina lomalla, mutta maanantaina tavoitettavissa klo 8.",
            "fi",
            Intent.AUTO_REPLY,
        ),
        (
            "Olen huomenna koulutuksessa, mutta torstaina klo 9 puhelimessa 040 123 4567.",
            "fi",
            Intent.AUTO_REPLY,
        ),
        (
            "Tack för ditt mejl! Jag är på utbildning i morgon men ring gärna på torsdag kl "
            "9, 070-123 45 67.",
            "sv",
            Intent.AUTO_REPLY,
        ),
        (
            "I'm on holiday this week, so not right now. Call me on 040.123.4567.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "I'm out of the office this week, so I'm swamped, but call me on 555.123.4567.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "I'm on parental leave, so no longer handling this, but call me on 0171.234.56.78.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "I never signed up for this. Send me the details of where you got my address.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "I never signed up for this - forward this to your data protection officer and "
            "have them call me.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "En ole tilannut näitä. Mistä saitte osoitteeni? Soittakaa ja kertokaa.",
            "fi",
            Intent.UNSUBSCRIBE,
        ),
        (
            "Jag har aldrig bett om det här. Ring mig och förklara var ni fått min adress.",
            "sv",
            Intent.UNSUBSCRIBE,
        ),
        (
            "Ich habe mich nie angemeldet. Rufen Sie mich an und erklären Sie, woher Sie "
            "meine Adresse haben.",
            "de",
            Intent.UNSUBSCRIBE,
        ),
        (
            "Ich habe das nie abonniert. Schicken Sie mir eine Auskunft nach Art. 15 DSGVO.",
            "de",
            Intent.UNSUBSCRIBE,
        ),
        (
            "I'm not interested, don't email me. Call me on Thursday if you must.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "Don't email me. Call me on my mobile if you must.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "Don't email me, call me on Thursday to explain where you got my address.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "Please stop.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "STOP",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "Stop. Just stop.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "Remove.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "unsub",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "Kindly refrain from contacting me in the future.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "Please refrain from sending me further emails.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "Please delete me from your system.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "I'd rather not get these emails.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "We've had enough of your emails. Please send me the opt-out link.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "Lose my address.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "Älkää enää sähköpostittako minulle.",
            "fi",
            Intent.UNSUBSCRIBE,
        ),
        (
            "Lakatkaa lähettämästä näitä.",
            "fi",
            Intent.UNSUBSCRIBE,
        ),
        (
            "I didn't sign up for this. Call me again and I'll report you.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "How did you get my email? I never gave consent. Send me the details of your "
            "data source.",
            "en",
            Intent.UNSUBSCRIBE,
        ),
        (
            "Ich bin bis 4.1. im Urlaub und lese keine E-Mails.",
            "de",
            Intent.AUTO_REPLY,
        ),
        (
            "Stop by our booth on Thursday, let's talk.",
            "en",
            Intent.POSITIVE,
        ),
        (
            "Please don't stop, send me the pricing.",
            "en",
            Intent.POSITIVE,
        ),
        (
            "Ich befinde mich im Urlaub. In dringenden Fällen rufen Sie mich bitte unter "
            "0171 2345678 an.",
            "de",
            Intent.AUTO_REPLY,
        ),
        (
            "Zurzeit bin ich im Urlaub. Gerne können Sie mich anrufen: 0171 2345678.",
            "de",
            Intent.AUTO_REPLY,
        ),
        (
            "Vom 21.12.2026 bis 04.01.2027 bin ich im Urlaub. Rufen Sie gerne meinen "
            "Kollegen an: 0171 2345678.",
            "de",
            Intent.AUTO_REPLY,
        ),
        (
            "Ich bin vom 21. Dezember bis zum 4. Januar im Urlaub. Gerne können Sie mich "
            "anrufen: 0171 2345678.",
            "de",
            Intent.AUTO_REPLY,
        ),
        (
            "Derzeit bin ich auf einer Messe. Gerne können Sie mich mobil unter 0171 2345678 "
            "anrufen.",
            "de",
            Intent.AUTO_REPLY,
        ),
        (
            "Bin bis 4.1. im Urlaub. Gerne telefonisch unter 0171 2345678.",
            "de",
            Intent.AUTO_REPLY,
        ),
        (
            "Ich bin in der Weihnachtspause. Rufen Sie mich gerne an.",
            "de",
            Intent.AUTO_REPLY,
        ),
        (
            "I'm OOO until 4 January. For anything urgent call me on 040 123 4567.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "I'm on PTO through Jan 4. For anything urgent, call me at 555-123-4567.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "I'm on a business trip until 4 January. If urgent, please call me on 040 123 4567.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "I'm on Christmas break until 4 January, call me on 040 123 4567 if needed.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "I'm on my Christmas holidays until 4 January. Call me on 040 123 4567 if it "
            "can't wait.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "I'm out from 21 December to 4 January. Call me on 040 123 4567 if urgent.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "Currently on holiday, back 4 Jan. Call me on 040 123 4567 if it's urgent.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "On holiday - back on 4 January. Please call my mobile +44 7700 900123 for "
            "anything urgent.",
            "en",
            Intent.AUTO_REPLY,
        ),
        (
            "Olen tänään sairaana. Kiireellisissä asioissa soita 040 123 4567.",
            "fi",
            Intent.AUTO_REPLY,
        ),
        (
            "Olen ulkomailla 4.1. asti. Kiireellisissä asioissa soita 040 123 4567.",
            "fi",
            Intent.AUTO_REPLY,
        ),
        (
            "Minulla on loma 4.1. asti. Soita tarvittaessa 040 123 4567.",
            "fi",
            Intent.AUTO_REPLY,
        ),
        (
            "Pidän lomaa 4.1. asti. Soita 040 123 4567.",
            "fi",
            Intent.AUTO_REPLY,
        ),
        (
            "Jag är sjuk idag. Ring mig på 070-123 45 67 om det är bråttom.",
            "sv",
            Intent.AUTO_REPLY,
        ),
        (
            "Jag är på affärsresa till den 4 januari. Ring gärna 070-123 45 67.",
            "sv",
            Intent.AUTO_REPLY,
        ),
        (
            "Hej! Jag är på kurs hela veckan. Ring gärna mig på 070 123 45 67 vid frågor.",
            "sv",
            Intent.AUTO_REPLY,
        ),
        (
            "Jag har semester. Ring gärna 070-123 45 67.",
            "sv",
            Intent.AUTO_REPLY,
        ),
        (
            "Jag är sjukt intresserad, ring mig!",
            "sv",
            Intent.POSITIVE,
        ),
    ],
)
def test_the_second_reviews_notices_complaints_and_removals(
    body: str, lang: str, intent: Intent
) -> None:
    assert read(body, lang)[1] is intent


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("Jag är på semester och tillbaka måndag v.2.", datetime.date(2027, 1, 11)),
        ("Ich bin im Urlaub und ab Montag, KW 2, wieder im Büro.", datetime.date(2027, 1, 11)),
        ("Jag är på semester och tillbaka tisdag v.2.", datetime.date(2027, 1, 12)),
        ("I am back on Monday 4 January.", datetime.date(2027, 1, 4)),
        ("Back on Monday.", datetime.date(2026, 12, 21)),
    ],
)
def test_a_weekday_of_a_numbered_week_is_that_day_of_that_week(
    text: str, back: datetime.date | None
) -> None:
    assert return_date(text, today=TODAY) == back


def test_addresses_are_read_from_runs_without_an_at_sign_in_one_pass() -> None:
    # a long run of an address's characters is tried once, not from each of its characters
    # (256 KB of digits took minutes); an address's local part is at most 64 characters
    from sequencer.inbound.message import addresses

    assert addresses("1" * 200_000) == []
    assert addresses("1" * 200_000 + "@x.example") == []
    text = "Contact Jari.Virtanen@acme.example or mari@firma.fi, thanks."
    assert addresses(text) == ["jari.virtanen@acme.example", "mari@firma.fi"]


@pytest.mark.parametrize(
    ("body", "lang", "intent"),
    [
        ("I'm on holiday tomorrow, but no thanks, we have no budget until week 10.", "en",
         Intent.NOT_INTERESTED),
        ("Olen huomenna lomalla, mutta ei kiitos, budjetti on jäädytetty viikolle 10 asti.", "fi",
         Intent.NOT_INTERESTED),
        ("Jag är ledig i morgon, men nej tack, vi har ingen budget fram till v. 10.", "sv",
         Intent.NOT_INTERESTED),
        ("Ich bin morgen im Urlaub, aber kein Interesse, wir haben bis KW 10 kein Budget.", "de",
         Intent.NOT_INTERESTED),
        ("I'm off on Friday, so could we talk on Thursday at 10? The pilot runs until week 12.",
         "en", Intent.POSITIVE),
        ("Hi Anna,\n\nI'm starting parental leave on Friday until week 10, so please write to"
         " jenny.smith@customer.example instead.", "en", Intent.REFERRAL),
    ],
)  # fmt: skip
def test_a_week_a_reply_mentions_does_not_make_it_a_notice(
    body: str, lang: str, intent: Intent
) -> None:
    """A numbered week is a return date for a notice, but not a sign that a text is one: these
    replies read as they did before weeks were read."""
    assert read(body, lang)[1] is intent
