"""Replies that look like something else: an absence a person mentions in passing and answers
past (sequencer/inbound/intent/aside.py), a whole office closed, the first day away named
beside the day back, a declined slot with another offered, a polite opener, a "stop" about
the writer's own work, and a Swedish "en" among Finnish negations. Each case was a wrong
reading found by a review or a blind round; the notices listed with them must keep their
reading.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from intent_cases import TODAY, reply_to_us

from sequencer.inbound.classify import Intent, Kind, classify, return_date


def read(body: str) -> tuple[Kind, Intent | None]:
    got = reply_to_us(body)
    return got.kind, got.intent


@pytest.mark.parametrize(
    ("body", "intent"),
    [
        ("I'm off on Friday, so let's do Thursday at 10.", Intent.POSITIVE),
        (
            "I'm out of the office tomorrow, but Wednesday afternoon works for a call.",
            Intent.POSITIVE,
        ),
        ("Olen huomenna lomalla, mutta torstaina sopii soittaa.", Intent.POSITIVE),
        ("Jag är ledig på fredag, så torsdag passar bättre.", Intent.POSITIVE),
        (
            "I'm on holiday next week so just quickly: not interested, we built our own.",
            Intent.NOT_INTERESTED,
        ),
    ],
)
def test_an_absence_mentioned_in_passing_is_a_persons_answer(body: str, intent: Intent) -> None:
    assert read(body) == (Kind.REPLY, intent)


@pytest.mark.parametrize(
    "body",
    [
        "I'm out of the office today, but you can call me on my mobile 040 123 4567.",
        "I am on leave until 4 January, but call me if it's urgent.",
        "I'm away this week, so please contact my colleague Jari at jari@acme.example.",
        "I'm on holiday, so please call Maria on 040 555 0100 instead.",
        "Olen lomalla 7.1. asti, mutta soita kiireellisissä asioissa numeroon 040 123 4567.",
        "Olen lomalla, joten soita Marjalle 040 555 0100.",
        "Jag är ledig till 7 januari, men ring mig om det brådskar.",
        "Ich bin bis zum 7.1. im Urlaub, aber rufen Sie mich in dringenden Fällen an.",
        "Ich bin im Urlaub, also rufen Sie bitte Frau Keller an: 0171 2345678.",
    ],
)
def test_a_notice_with_a_number_a_stand_in_or_a_return_date_stays_an_auto_reply(body: str) -> None:
    assert read(body) == (Kind.AUTO_REPLY, Intent.AUTO_REPLY)


def read_to(body: str, lang: str = "en", to: str = "Lena Berg <lena@acme.example>") -> Any:
    got = reply_to_us(body, lang, to=to)
    return got.kind, got.intent, got.referred


_LEAVE = (
    "Thanks for following up. I'm starting parental leave on Friday and won't be back until the "
    "summer, so there's not much point in us talking. Jenny Lowe covers AP while I'm away and "
    "she's the person who'd decide: jenny.lowe@brackenridge.example.\n\nAll the best,\nOlivia"
)
_BEHALF = (
    "ich betreue während seiner Elternzeit das Postfach von Herrn Bauer. Herr Bauer ist bis "
    "Ende Februar nicht im Haus. Für die Kreditorenbuchhaltung wenden Sie sich bitte an Herrn "
    "Tobias Wolf: tobias.wolf@elbtal.example.\n\nViele Grüße\nNicole Franke"
)


@pytest.mark.parametrize(
    ("body", "lang", "referred"),
    [
        ("Hi Lena,\n\n" + _LEAVE, "en", "jenny.lowe@brackenridge.example"),
        ("Lena,\n\n" + _LEAVE, "en", "jenny.lowe@brackenridge.example"),
        ("Hallo Frau Berg,\n\n" + _BEHALF, "de", "tobias.wolf@elbtal.example"),
        (  # the absence is the referred person's, told after the referral
            "Moi,\n\ntämä kuuluu Annelle, hän vetää ostolaskutiimiä: Anne Heikkinen, "
            "anne.heikkinen@lapinmatkat.example. Huom. Anne on lomalla 4.1. asti, joten vastausta "
            "voi joutua odottamaan.\n\nVille",
            "fi",
            "anne.heikkinen@lapinmatkat.example",
        ),
    ],
)
def test_a_person_who_tells_of_an_absence_and_refers_us_on_is_a_referral(
    body: str, lang: str, referred: str
) -> None:
    """A text that greets our sender by name (the reply's To), or whose absence is the referred
    person's: a person wrote it, and sends us to someone else."""
    assert read_to(body, lang) == (Kind.REPLY, Intent.REFERRAL, referred)


@pytest.mark.parametrize(
    ("body", "to"),
    [
        # an autoresponder may merge in the name: interest is never read past an absence so
        (
            "Hi Lena,\n\nThanks for getting in touch! Our team is out of the office until 4 "
            "January. In the meantime, feel free to book a meeting with us here: "
            "https://meetings.example/nordic",
            None,
        ),
        ("Hi Lena,\n\nI'm off from Friday until 4 January, but I'd like to see a demo.", None),
        ("Lena,\n\nI'm out of the office until 4 January. Interested, call me then.", None),
        (
            "Hi Lena,\n\nI'm out of the office until Monday 11 January with limited access to "
            "email. For anything urgent I'm reachable on Teams.",
            None,
        ),
        (
            "Sehr geehrte Frau Berg,\n\nich bin bis einschließlich 4. Januar abwesend. Ihre "
            "Nachricht wird nicht weitergeleitet. Gerne rufe ich Sie danach an.",
            None,
        ),
        ("Hej Lena,\n\nJag är ledig till 7 januari, men ring mig om det brådskar.", None),
        # a stand-in named by a greeted notice that says what only a notice says
        (
            "Hi Lena,\n\nI'm away this week, so please contact my colleague Jari at "
            "jari@acme.example. For anything urgent, call 040 123 4567.",
            None,
        ),
        (
            "Hi Lena,\n\nI'm on holiday until 4 January; please contact my colleague Jari at "
            "jari@acme.example instead.",
            None,
        ),
        # a help desk's notice with the name merged in: a team's absence, a role's address
        (
            "Hi Lena,\n\nThanks for getting in touch. We're closed for the holidays. For orders, "
            "please write to orders@nordicfreight.example.",
            None,
        ),
        (
            "Hi Lena,\n\nOur office is closed for the holidays. We are not interested in "
            "unsolicited offers.",
            None,
        ),
        (
            "Hi Lena,\n\nI'm out of the office. For orders, please write to "
            "orders@nordicfreight.example.",
            None,
        ),
        # a name of one word is a role's, not a person's
        (
            "Hi Info,\n\nI'm away this week, so please contact Jari at jari@acme.example.",
            "Info <info@acme.example>",
        ),
        ("Hi Sales,\n\nI'm away this week, not interested anyway.", "Sales <sales@acme.example>"),
        # a long first line is no greeting (and is read in linear time)
        ("Lena" + " " * 20000 + "x\n\nI am out of the office until 4 January. Call me.", None),
    ],
)
def test_a_notice_that_greets_our_sender_stays_an_auto_reply(body: str, to: str | None) -> None:
    """The greeting says a person wrote the text only when the text has no notice's words; and
    what it lets through is a referral or a refusal, never interest."""
    got = read_to(body, "en", to or "Lena Berg <lena@acme.example>")
    assert got[:2] == (Kind.AUTO_REPLY, Intent.AUTO_REPLY)


@pytest.mark.parametrize(
    ("body", "lang"),
    [
        ("Hi,\n\n" + _LEAVE, "en"),  # no name: a notice may say as much
        ("Hi Anna,\n\n" + _LEAVE, "en"),  # someone else's name
        ("Hallo,\n\n" + _BEHALF, "de"),
        (  # the writer's own absence, with the stand-in after it
            "Olen lomalla 4.1. asti. Kiireellisissä asioissa ota yhteyttä Anneen: "
            "anne.heikkinen@lapinmatkat.example. Anne on itse poissa 28.12.",
            "fi",
        ),
        (  # an office's notice, and a stand-in who is away with the writer
            "Thank you for your email. Please send all enquiries to sales@nordic.example. Our "
            "sales team is out of the office until 4 January.",
            "en",
        ),
        (
            "Ostoasioissa ota yhteyttä anne.heikkinen@nf.example. Anne ja minä olemme lomalla "
            "4.1. asti.",
            "fi",
        ),
        (
            "Please forward purchasing questions to an.nguyen@nordic.example. An and I are both "
            "on holiday until 4 January.",
            "en",
        ),
        (  # the referred person away with others, not alone
            "For purchasing please contact anne.heikkinen@nf.example. Anne and myself are on "
            "holiday until 4 January.",
            "en",
        ),
        (
            "For purchasing please contact anne.heikkinen@nf.example. Anne, like our whole "
            "office, is on holiday until 4 January.",
            "en",
        ),
        (
            "Ostoasioissa ota yhteyttä anne.heikkinen@nf.example. Anne, kuten koko toimisto, on "
            "lomalla 4.1. asti.",
            "fi",
        ),
        (  # interest is never read past a notice's absence without our sender's name
            "Hi there,\n\nI'm out of the office until 4 January. Interested, call me then.",
            "en",
        ),
        ("Hello,\n\nI'm off from Friday until 4 January, but I'd like to see a demo.", "en"),
    ],
)
def test_an_absence_without_a_person_answering_stays_an_auto_reply(body: str, lang: str) -> None:
    assert read_to(body, lang)[:2] == (Kind.AUTO_REPLY, Intent.AUTO_REPLY)


@pytest.mark.parametrize(
    ("body", "back"),
    [
        ("Our offices are closed from 23 December until 4 January.", datetime.date(2027, 1, 4)),
        (
            "Our office is closed for the holidays from 21 December to 6 January. We will respond "
            "to your message when we reopen on 7 January.",
            datetime.date(2027, 1, 7),
        ),
        (
            "Toimistomme on suljettu 23.12.–6.1. Vastaamme viesteihin 7.1. alkaen.",
            datetime.date(2027, 1, 7),
        ),
        ("Kontoret är stängt 23/12–6/1.", datetime.date(2027, 1, 6)),
        # the day back named after the range ("jälleen": again), in a sentence of being back
        (
            "Kiitos viestistänne. Toimistomme on suljettuna joulun ja uudenvuoden ajan "
            "21.12.2026–6.1.2027. Palvelemme jälleen torstaina 7.1. ja vastaamme viesteihin "
            "saapumisjärjestyksessä.",
            datetime.date(2027, 1, 7),
        ),
        ("Myymälämme on kiinni 24.12.–1.1. Olemme jälleen avoinna 2.1.", datetime.date(2027, 1, 2)),
        ("Unser Büro ist vom 23.12. bis 6.1. geschlossen.", datetime.date(2027, 1, 6)),
    ],
)
def test_a_whole_office_closed_is_an_auto_reply_with_its_day_back_or_last_day(
    body: str, back: datetime.date
) -> None:
    raw = (
        "From: Desk <desk@customer.example>\nTo: anna@acme.example\nSubject: Re: Pallet tracking\n"
        f"Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    ).encode()
    got = classify(raw, today=TODAY)
    assert (got.kind, got.return_date) == (Kind.AUTO_REPLY, back)


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("Ich bin ab dem 23.12. im Urlaub.", None),
        ("I am away from 18 December.", None),
        ("Olen jälleen lomalla 21.12. alkaen.", None),
        ("I'm out of office from 18.12. I return on 11 January.", datetime.date(2027, 1, 11)),
        ("Olen lomalla 21.12. alkaen ja palaan töihin 11.1.", datetime.date(2027, 1, 11)),
        (
            "Ab dem 23.12. bin ich im Urlaub, ab 7. Januar wieder erreichbar.",
            datetime.date(2027, 1, 7),
        ),
        ("Back in the office from 7 January.", datetime.date(2027, 1, 7)),
        ("Jag är ledig fr.o.m. 21/12, åter fr.o.m. 7/1.", datetime.date(2027, 1, 7)),
    ],
)
def test_the_first_day_away_is_no_return_date(text: str, back: datetime.date | None) -> None:
    assert return_date(text, today=TODAY) == back


@pytest.mark.parametrize(
    ("body", "intent"),
    [
        # a declined slot, another offered
        ("Montag passt leider nicht. Geht Dienstag um 10?", Intent.POSITIVE),
        ("Tisdag passar tyvärr inte. Går onsdag kl 14?", Intent.POSITIVE),
        ("Montag passt leider nicht.", Intent.NOT_INTERESTED),
        # a polite opener, then the answer
        ("Ei siinä mitään, soita vaikka huomenna.", Intent.POSITIVE),
        ("Ei kiitos.", Intent.NOT_INTERESTED),
        # our word asked back, answered
        ("Interesse? Auf jeden Fall!", Intent.POSITIVE),
        ("Intresserad? Självklart!", Intent.POSITIVE),
        # the writer's own work, not our mail
        (
            "We are trying to stop messaging our drivers on WhatsApp, but honestly we have no "
            "budget for new tools this year.",
            Intent.NOT_INTERESTED,
        ),
        (
            "Vi vill sluta ringa runt till lagren varje morgon. Skicka gärna en offert.",
            Intent.POSITIVE,
        ),
        # still removals
        ("Please stop emailing my team.", Intent.UNSUBSCRIBE),
        ("I want you to stop emailing my colleagues.", Intent.UNSUBSCRIBE),
        ("Kan ni sluta ringa?", Intent.UNSUBSCRIBE),
        ("Jag vill att ni ska sluta ringa mig.", Intent.UNSUBSCRIBE),
    ],
)
def test_slots_openers_answers_and_chores(body: str, intent: Intent) -> None:
    assert read(body)[1] is intent


@pytest.mark.parametrize(
    ("body", "intent"),
    [
        ("Vi vill ha en kort genomgång och en demo.", Intent.POSITIVE),
        ("Skicka en offert och en prislista.", Intent.POSITIVE),
        ("En usko että tarvitsemme demoa.", Intent.NOT_INTERESTED),
        ("Vi behöver inte en demo, tack.", Intent.NOT_INTERESTED),
    ],
)
def test_a_swedish_article_is_no_finnish_negation(body: str, intent: Intent) -> None:
    assert read(body)[1] is intent


@pytest.mark.parametrize(
    ("body", "intent"),
    [
        (
            "Can the system delete old pallet data automatically after 12 months? "
            "Send me the docs.",
            Intent.POSITIVE,
        ),
        ("Send over the spec sheet and a datasheet for the tags.", Intent.POSITIVE),
        (
            "Where did you get my email address? What personal data do you store about me?",
            Intent.OTHER,
        ),
        ("Please delete my data and confirm.", Intent.UNSUBSCRIBE),
    ],
)
def test_a_question_about_data_asks_for_no_erasure(body: str, intent: Intent) -> None:
    assert read(body)[1] is intent


@pytest.mark.parametrize(
    ("body", "intent"),
    [
        ("Poistimme vanhat lavat järjestelmästä, mutta hinnasto kiinnostaa.", Intent.POSITIVE),
        ("Olemme poistaneet lavat rekisteristä. Soita torstaina.", Intent.POSITIVE),
        ("Poistakaa minut rekisteristänne.", Intent.UNSUBSCRIBE),
        ("Poistakaa tietoni järjestelmästänne.", Intent.UNSUBSCRIBE),
    ],
)
def test_the_writers_own_removal_from_a_register_is_no_request(body: str, intent: Intent) -> None:
    assert read(body)[1] is intent


@pytest.mark.parametrize(
    ("body", "intent"),
    [
        (
            "I didn't ask for this, but the pricing would be interesting. Send it over.",
            Intent.POSITIVE,
        ),
        ("I never signed up for this, but ok — what does it cost?", Intent.POSITIVE),
        ("I never signed up for this. Remove me.", Intent.UNSUBSCRIBE),
        ("I didn't ask for these emails.", Intent.UNSUBSCRIBE),
        ("I didn't ask for this, but it sounds interesting.", Intent.UNSUBSCRIBE),
        ("I never consented to this. Send me the pricing anyway.", Intent.UNSUBSCRIBE),
        ("En ole tilannut näitä viestejä, mutta laita hinnasto.", Intent.POSITIVE),
        ("En ole tilannut näitä viestejä.", Intent.UNSUBSCRIBE),
        ("En halua näitä viestejä, laita hinnasto.", Intent.UNSUBSCRIBE),
        ("Jag har aldrig bett om det här, men skicka gärna en offert.", Intent.POSITIVE),
        ("Ich habe mich nie angemeldet, aber schicken Sie mir ein Angebot.", Intent.POSITIVE),
        ("Ich habe nie eingewilligt. Schicken Sie mir trotzdem ein Angebot.", Intent.UNSUBSCRIBE),
    ],
)
def test_a_complaint_that_we_were_not_asked_gives_way_to_a_request(
    body: str, intent: Intent
) -> None:
    assert read(body)[1] is intent


@pytest.mark.parametrize(
    ("body", "intent"),
    [
        # off the job in hand, which says when the writer is free to talk
        (
            "so yes. call me thursday after 14, I'm off the floor then. 040 555 0192",
            Intent.POSITIVE,
        ),
        ("ring me friday, I'll be off the road by 4", Intent.POSITIVE),
        ("I'm off the phones after 3, call me then.", Intent.POSITIVE),
    ],
)
def test_off_the_job_in_hand_is_no_absence(body: str, intent: Intent) -> None:
    assert read(body) == (Kind.REPLY, intent)


@pytest.mark.parametrize(
    "body",
    ["I'm off until 4 January.", "I'm off work this week, back on Monday 21.12."],
)
def test_off_work_is_still_an_absence(body: str) -> None:
    assert read(body) == (Kind.AUTO_REPLY, Intent.AUTO_REPLY)


@pytest.mark.parametrize(
    ("text", "back"),
    [
        # the last day away said with "until", then the day back in a later sentence
        (
            "olen vuosilomalla 6.1. asti enkä lue sähköpostia. Palaan töihin torstaina 7.1.",
            datetime.date(2027, 1, 7),
        ),
        (
            "I'm away until 6 January. Back in the office on Thursday 7 January.",
            datetime.date(2027, 1, 7),
        ),
        # a weekday with its day of the month and no month
        ("I'll reply when I'm back at the depot on Friday 18th.", datetime.date(2026, 12, 18)),
        ("Palaan torstaina 17.", datetime.date(2026, 12, 17)),
        # serving again after a closed range
        (
            "Toimistomme on suljettu inventaarion vuoksi 14.–16.12. Palvelemme jälleen torstaina "
            "17.12. klo 8 alkaen.",
            datetime.date(2026, 12, 17),
        ),
        # "until" with no day back after it, a later "until" that is no day back, a weekday the
        # day does not fall on, a month named, service only limited
        (
            "I'm on leave until 4.1. For anything urgent call 040 123 4567.",
            datetime.date(2027, 1, 4),
        ),
        (
            "I'm away until 6 January. For urgent matters contact Jari until 31.12.",
            datetime.date(2027, 1, 6),
        ),
        ("Back on Tuesday 18th.", None),
        ("Back on Friday 18 December.", datetime.date(2026, 12, 18)),
        ("Palvelemme rajoitetusti 21.12. alkaen.", None),
    ],
)
def test_the_day_back_after_until_a_weekday_with_its_day_and_serving_again(
    text: str, back: datetime.date | None
) -> None:
    assert return_date(text, today=TODAY) == back


@pytest.mark.parametrize(
    ("body", "lang"),
    [
        # a return date cued like a first day away, a question and "gerne" after it
        (
            "Vielen Dank für Ihre Nachricht. Ich bin im Urlaub und ab dem 7. Januar wieder im "
            "Büro. Ihre E-Mail wird daher nicht weitergeleitet. Sie haben Fragen? Melden Sie sich "
            "gerne ab dem 7. Januar bei mir.",
            "de",
        ),
        (
            "Hej,\n\ntack för ditt mejl. Jag är på semester och tillbaka från den 7 januari, så "
            "svaret kan dröja. Har du frågor? Hör gärna av dig till mig i januari.",
            "sv",
        ),
        (
            "Kiitos viestistäsi. Olen lomalla ja tavoitettavissa taas 7.1. alkaen, mutta voisitko "
            "lähettää lisätietoja sähköpostilla?",
            "fi",
        ),
        # a first day named relative to the day the fixed notice is sent
        (
            "Hi,\n\nThanks for your email. I'm off from Friday until 4 January, so I won't see "
            "this until then. Interested in a demo? Feel free to book a meeting with me for the "
            "week of 11 January.\n\nJo",
            "en",
        ),
        # switched on early, asking for times
        (
            "I will be out of the office from 21 December to 4 January with no access to email, "
            "so if you would like to schedule a meeting, could you send me a few times for the "
            "week of 11 January?",
            "en",
        ),
        (
            "I'm out of the office from 18 December until 7 January, but feel free to book a "
            "meeting here: https://calendar.example/jo",
            "en",
        ),
    ],
)
def test_a_notice_with_its_days_away_and_an_invitation_stays_an_auto_reply(
    body: str, lang: str
) -> None:
    """Notices a review wrote against a rule that read interest past an absence whose first
    day had not come (reverted): each must stay an out-of-office answer."""
    got = reply_to_us(body, lang)
    assert (got.kind, got.intent) == (Kind.AUTO_REPLY, Intent.AUTO_REPLY)
