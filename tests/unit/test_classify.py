"""The inbound classifier (sequencer/inbound/classify.py): bounces, auto-replies, unsubscribe
requests, replies.

Sample messages live in tests/unit/inbound_samples/*.eml. They were written for these tests,
with made-up people and reserved domains (.example); only the shapes follow what real mail
servers and clients send. "Today" is fixed at Sunday 2026-12-20 throughout.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sequencer.inbound.classify import Inbound, Intent, Kind, classify, fresh_text, return_date

TODAY = datetime.date(2026, 12, 20)
SAMPLES = Path(__file__).parent / "inbound_samples"


def sample(name: str) -> Inbound:
    return classify((SAMPLES / name).read_bytes(), today=TODAY)


def message(headers: str, body: str = "Hello.\n") -> bytes:
    """A raw message from a block of header lines and a body; LF line ends, as stored .eml files
    have.
    """
    return (headers.strip("\n") + "\n\n" + body).encode("utf-8")


REPLY_HEADERS = """\
From: Ann Example <ann@customer.example>
To: sales@acme.example
Subject: Re: Pallet tracking
Message-ID: <r1@customer.example>
In-Reply-To: <seq.1@acme.example>
"""


@dataclass(frozen=True)
class Expected:
    kind: Kind
    reason: str  # a part of the reason
    status: str | None = None
    hard: bool = False
    recipients: tuple[str, ...] = ()
    references: tuple[str, ...] = ()  # each must be present
    back: datetime.date | None = None
    from_address: str | None = None
    text_has: tuple[str, ...] = field(default=())
    text_lacks: tuple[str, ...] = field(default=())
    dsn: bool = False  # read from a message/delivery-status part
    policy: bool = False


CASES = {
    "bounce_postfix_dsn_hard.eml": Expected(
        Kind.BOUNCE,
        "DSN status 5.1.1",
        status="5.1.1",
        hard=True,
        recipients=("jdoe@globex.example",),
        references=("<seq.4f1c2a.1@acme.example>",),
        from_address="mailer-daemon@mail.acme.example",
        dsn=True,
    ),
    "bounce_gmail_dsn_failure.eml": Expected(
        Kind.BOUNCE,
        "DSN status 5.1.1",
        status="5.1.1",
        hard=True,
        recipients=("pat.nobody@initech.example",),
        references=("<seq.77ab01.1@acme.example>",),
        text_has=("Address not found",),
        dsn=True,
    ),
    "bounce_m365_ndr.eml": Expected(
        Kind.BOUNCE,
        "DSN status 5.1.10",
        status="5.1.10",
        hard=True,
        recipients=("m.virtanen@hooli.example",),
        references=("<seq.9d3e55.2@acme.example>", "<seq.9d3e55.1@acme.example>"),
        from_address="postmaster@acme.example",
        text_lacks=("Original message headers",),
        dsn=True,
    ),
    "bounce_exim_failed.eml": Expected(
        Kind.BOUNCE,
        "status 5.1.1",
        status="5.1.1",
        hard=True,
        recipients=("tuomas@umbrella.example",),
        references=("<seq.c0ffee.1@acme.example>",),
        text_lacks=("Quick question",),  # the returned copy is not the bounce's own text
    ),
    "bounce_yahoo_failure_notice.eml": Expected(
        Kind.BOUNCE,
        "SMTP 554",
        status="5.0.0",
        hard=True,
        recipients=("kalle.korhonen1987@yahoo.com",),
        references=("<seq.5a5a5a.1@acme.example>",),
    ),
    "bounce_soft_dsn_mailbox_full.eml": Expected(
        Kind.BOUNCE,
        "DSN status 4.2.2",
        status="4.2.2",
        hard=False,
        recipients=("helmi.makela@soylent.example",),
        references=(
            "<seq.e1e1e1.3@acme.example>",
            "<seq.e1e1e1.2@acme.example>",
            "<seq.e1e1e1.1@acme.example>",
        ),
        dsn=True,
    ),
    "bounce_gmail_delay_nondsn.eml": Expected(
        Kind.BOUNCE,
        "status 4.2.2",
        status="4.2.2",
        hard=False,
        recipients=("liisa.heikkinen@stark.example",),
        references=("<seq.d31a7e.1@acme.example>",),
    ),
    "bounce_policy_5_7_26.eml": Expected(
        Kind.BOUNCE,
        "DSN status 5.7.26",
        status="5.7.26",
        hard=True,
        recipients=("olli.nieminen@wayne.example",),
        references=("<seq.d3a4c0.1@acme.example>",),
        from_address="mailer-daemon@mail.acme.example",
        dsn=True,
        policy=True,  # DMARC: our domain's authentication, not a bad address
    ),
    "auto_outlook_ooo.eml": Expected(
        Kind.AUTO_REPLY,
        "Auto-Submitted: auto-replied",
        references=("<seq.ab12cd.1@acme.example>",),
        back=datetime.date(2027, 1, 5),
        from_address="sarah.connor@cyberdyne.example",
        text_has=("out of the office until January 5th, 2027", "Head of Logistics – Cyberdyne"),
    ),
    "auto_gmail_vacation.eml": Expected(
        Kind.AUTO_REPLY,
        "Auto-Submitted: auto-replied",
        references=("<seq.0a0b0c.1@acme.example>", "<seq.0a0b0c.2@acme.example>"),
        back=None,
    ),
    "auto_finnish_ooo.eml": Expected(
        Kind.AUTO_REPLY,
        "Auto-Submitted: auto-replied",
        references=("<seq.f1f2f3.1@acme.example>",),
        back=datetime.date(
            2027, 1, 7
        ),  # "palaan toimistolle 7.1.2027", not the 6.1. before the cue
        from_address="paivi.jarvinen@rauta-ja-puu.example",
        text_has=("23.12.–6.1.", "Kiireellisissä"),  # windows-1252 quoted-printable decoded
    ),
    "auto_subject_only_ooo.eml": Expected(
        Kind.AUTO_REPLY,
        "subject 'Out of Office'",
        references=("<seq.77f00d.2@acme.example>",),
        back=datetime.date(
            2027, 1, 4
        ),  # "away from 21 December until\n4 January": the latest, across a hard wrap
    ),
    "unsub_remove_me.eml": Expected(
        Kind.UNSUBSCRIBE,
        "says 'remove me'",
        references=("<seq.51dea1.1@acme.example>",),
        text_has=("Please remove me from your list.",),
        text_lacks=("wrote:", "Unsubscribe:"),
    ),
    "unsub_finnish.eml": Expected(
        Kind.UNSUBSCRIBE,
        "says 'poistakaa minut'",
        references=("<seq.e5e5e5.1@acme.example>",),
        from_address="matti.makinen@esimerkki.example",
        text_has=("Emme tarvitse tätä palvelua.",),  # iso-8859-1 in base64
        text_lacks=("kirjoitti", "peru tilaus"),
    ),
    "reply_human_interested.eml": Expected(
        Kind.REPLY,
        "human reply",
        references=("<seq.b0b0b0.2@acme.example>", "<seq.b0b0b0.1@acme.example>"),
        from_address="bob.ng@initrode.example",
        text_has=("Sounds interesting, can we talk on Tuesday?",),
        text_lacks=("unsubscribe", "Following up"),
    ),
    "reply_html_only_outlook.eml": Expected(
        Kind.REPLY,
        "human reply",
        references=("<seq.fade01.1@acme.example>",),
        from_address="kirsi.lahtinen@massive-dynamic.example",
        text_has=(
            "Thanks – please send me the pricing sheet. Our Järvenpää warehouse & the Oulu one",
        ),
        text_lacks=("unsubscribe", "From:", "<", "P {margin"),
    ),
}


def test_every_sample_has_a_case() -> None:
    assert sorted(path.name for path in SAMPLES.glob("*.eml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_sample(name: str) -> None:
    expected = CASES[name]
    got = sample(name)
    assert got.kind is expected.kind
    assert expected.reason in got.reason
    assert got.status == expected.status
    assert got.hard is expected.hard
    assert got.dsn is expected.dsn
    assert got.policy is expected.policy
    assert got.recipients == expected.recipients
    for reference in expected.references:
        assert reference in got.references
    assert len(set(got.references)) == len(got.references)
    assert got.return_date == expected.back
    if expected.from_address is not None:
        assert got.from_address == expected.from_address
    for needle in expected.text_has:
        assert needle in got.text
    for needle in expected.text_lacks:
        assert needle not in got.text
    assert (
        got.message_id is not None
        and got.message_id.startswith("<")
        and got.message_id.endswith(">")
    )


def test_bounce_from_mailer_daemon_with_auto_submitted_is_still_a_bounce() -> None:
    raw = (SAMPLES / "bounce_exim_failed.eml").read_bytes()
    assert b"Auto-Submitted: auto-replied" in raw
    assert classify(raw, today=TODAY).kind is Kind.BOUNCE


def test_bounce_diagnostic_is_one_line_of_remote_text() -> None:
    gmail = sample("bounce_gmail_dsn_failure.eml")
    assert gmail.diagnostic is not None
    assert gmail.diagnostic.startswith(
        "550-5.1.1 The email account that you tried to reach does not exist."
    )
    assert "\n" not in gmail.diagnostic and len(gmail.diagnostic) <= 300
    assert sample("bounce_m365_ndr.eml").diagnostic == (
        "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
    )
    assert sample("bounce_exim_failed.eml").diagnostic == (
        "550 5.1.1 <tuomas@umbrella.example>: Recipient address "
        "rejected: User unknown in local recipient table"
    )


def test_reply_references_keep_in_reply_to_first_then_references() -> None:
    assert sample("reply_human_interested.eml").references == (
        "<seq.b0b0b0.2@acme.example>",
        "<seq.b0b0b0.1@acme.example>",
    )


# --- malformed and unusual input -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\x00\xff not an email", "no headers"),
        (b"", "empty message"),
        (b"  \r\n\r\n \n", "empty message"),
    ],
)
def test_garbage_is_other_without_raising(raw: bytes, reason: str) -> None:
    got = classify(raw, today=TODAY)
    assert got.kind is Kind.OTHER
    assert reason in got.reason


def test_not_bytes_is_other_without_raising() -> None:
    got = classify("From: a@b.example\n\nhi", today=TODAY)  # type: ignore[arg-type]
    assert got.kind is Kind.OTHER


def test_message_without_from_is_other() -> None:
    got = classify(message("To: sales@acme.example\nSubject: hello"), today=TODAY)
    assert (got.kind, got.reason, got.subject) == (Kind.OTHER, "no From address", "hello")


def test_headers_the_email_package_chokes_on_are_read_raw() -> None:
    raw = message(
        REPLY_HEADERS.replace("Message-ID: <r1@customer.example>", "Message-ID: <a@[b>")
        + "To: a@[\n",
        "Thanks!\n",
    )
    got = classify(raw, today=TODAY)
    assert got.kind is Kind.REPLY
    assert got.message_id == "<a@[b>"
    assert got.from_address == "ann@customer.example"
    assert got.text == "Thanks!"


def test_unknown_charset_falls_back_without_raising() -> None:
    raw = (
        b"From: ann@customer.example\nSubject: Re: hi\n"
        b"Content-Type: text/plain; charset=x-made-up-8\n"
        b"Content-Transfer-Encoding: 8bit\n\nKiitos, j\xe4rjestet\xe4\xe4n palaveri.\n"
    )
    got = classify(raw, today=TODAY)
    assert got.kind is Kind.REPLY
    assert got.text == "Kiitos, järjestetään palaveri."


def test_a_datetime_as_today_is_accepted() -> None:
    got = classify(
        (SAMPLES / "auto_outlook_ooo.eml").read_bytes(),
        today=datetime.datetime(2026, 12, 20, 9, 30),
    )
    assert got.return_date == datetime.date(2027, 1, 5)


# --- delivery-status reports ------------------------------------------------------------------


def dsn(
    delivery_status: str,
    *,
    content_type: str = "message/delivery-status",
    human: str = "Delivery failed.",
) -> bytes:
    return message(
        """\
From: MAILER-DAEMON@mx.acme.example
To: sales@acme.example
Subject: Returned mail: see transcript for details
Message-ID: <b1@mx.acme.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BB"
""",
        f"""--BB
Content-Type: text/plain

{human}

--BB
Content-Type: {content_type}

Reporting-MTA: dns; mx.acme.example

{delivery_status}
--BB
Content-Type: text/rfc822-headers

Message-ID: <orig-1@acme.example>
References: <orig-0@acme.example>
Subject: Pallet tracking

--BB--
""",
    )


def test_dsn_without_status_takes_it_from_diagnostic_code() -> None:
    report = (
        "Final-Recipient: rfc822; Bob@Globex.example\nAction: "
        "failed\nDiagnostic-Code: smtp; 550 5.7.1 Relaying denied\n"
    )
    got = classify(dsn(report), today=TODAY)
    assert (got.kind, got.status, got.hard, got.recipients) == (
        Kind.BOUNCE,
        "5.7.1",
        True,
        ("bob@globex.example",),
    )
    assert got.diagnostic == "550 5.7.1 Relaying denied"
    assert got.references == ("<orig-1@acme.example>", "<orig-0@acme.example>")


def test_dsn_with_only_a_basic_code_maps_it() -> None:
    report = (
        "Final-Recipient: rfc822; bob@globex.example\nAction: "
        "delayed\nDiagnostic-Code: smtp; 451 try later\n"
    )
    got = classify(dsn(report), today=TODAY)
    assert (got.kind, got.status, got.hard) == (Kind.BOUNCE, "4.0.0", False)


def test_dsn_with_action_failed_and_nothing_else_is_hard() -> None:
    got = classify(
        dsn("Final-Recipient: rfc822; bob@globex.example\nAction: failed\n"), today=TODAY
    )
    assert (got.kind, got.status, got.hard, got.reason) == (
        Kind.BOUNCE,
        "5.0.0",
        True,
        "DSN status 5.0.0",
    )


def test_dsn_reports_every_failed_recipient_and_the_first_status() -> None:
    report = (
        "Final-Recipient: rfc822; carol@globex.example\nAction: delivered\nStatus: 2.0.0\n\n"
        "Final-Recipient: rfc822; bob@globex.example\nAction: failed\nStatus: 5.1.1\n\n"
        "Final-Recipient: rfc822; dave@globex.example\nAction: delayed\nStatus: 4.4.1\n\n"
        "Original-Recipient: rfc822; erin@globex.example\nAction: "
        "failed\nStatus: 5.2.1 (mailbox disabled)\n"
    )
    got = classify(dsn(report), today=TODAY)
    assert got.recipients == ("bob@globex.example", "erin@globex.example")
    assert (got.status, got.hard) == ("5.1.1", True)


def test_global_delivery_status_arrives_as_text_and_is_parsed() -> None:
    # The email package keeps message/global-delivery-status (RFC 6533) as a message with a text
    # body.
    report = "Final-Recipient: utf-8; pörrö@kärppä.example\nAction: failed\nStatus: 5.1.1\n"
    got = classify(dsn(report, content_type="message/global-delivery-status"), today=TODAY)
    assert (got.kind, got.status, got.recipients) == (
        Kind.BOUNCE,
        "5.1.1",
        ("pörrö@kärppä.example",),
    )


def test_dsn_that_only_reports_delivery_is_not_a_bounce() -> None:
    got = classify(
        dsn("Final-Recipient: rfc822; bob@globex.example\nAction: delivered\nStatus: 2.0.0\n"),
        today=TODAY,
    )
    assert got.kind is Kind.OTHER


def test_report_without_recipient_blocks_falls_back_to_the_text() -> None:
    got = classify(
        dsn("this block is not fields\n", human="<bob@globex.example>: 550 No such user here"),
        today=TODAY,
    )
    assert (got.kind, got.status, got.hard, got.recipients) == (
        Kind.BOUNCE,
        "5.0.0",
        True,
        ("bob@globex.example",),
    )


# --- non-DSN bounces --------------------------------------------------------------------------


def test_non_dsn_bounce_with_only_a_permanent_phrase_is_hard() -> None:
    raw = message(
        "From: Mail Delivery Subsystem <MAILER-DAEMON@relay.partner.example>\nTo: "
        "sales@acme.example\nSubject: Delivery has failed",
        "Your message to <gone@globex.example> could not be delivered: user unknown.\n",
    )
    got = classify(raw, today=TODAY)
    assert (got.kind, got.status, got.hard, got.recipients) == (
        Kind.BOUNCE,
        "5.0.0",
        True,
        ("gone@globex.example",),
    )
    assert "user unknown" in got.reason


def test_non_dsn_bounce_detected_by_subject_alone() -> None:
    raw = message(
        "From: Exchange Admin <it@partner.example>\nTo: sales@acme.example\nSubject: "
        "Undeliverable: Pallet tracking",
        "Delivery to the following recipients failed.\n\n "
        "     nobody@partner.example\n\n#550 5.1.1 RESOLVER.ADR.RecipNotFound\n",
    )
    got = classify(raw, today=TODAY)
    assert (got.kind, got.status, got.recipients) == (
        Kind.BOUNCE,
        "5.1.1",
        ("nobody@partner.example",),
    )
    assert "subject" in got.reason


def test_delay_warning_is_soft_even_with_a_code_free_body() -> None:
    raw = message(
        "From: Mail Delivery System <Mailer-Daemon@mx3.hosting.example>\nTo: sales@acme.example\n"
        "Subject: Warning: message 1tNxQa-00061B-0P delayed 24 hours",
        "This message was created automatically by mail delivery software.\n"
        "A message that you sent has not yet been delivered "
        "to one or more of its recipients.\n\n  slow@umbrella.example\n",
    )
    got = classify(raw, today=TODAY)
    assert (got.kind, got.status, got.hard, got.recipients) == (
        Kind.BOUNCE,
        "4.0.0",
        False,
        ("slow@umbrella.example",),
    )


def test_a_delay_notice_is_soft_whatever_codes_it_quotes() -> None:
    raw = message(
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: sales@acme.example\n"
        "Subject: Delivery Status Notification (Delay)",
        "Earlier attempt said: 550 5.7.1 policy, later: 421 "
        "4.7.0 try again. We will keep trying bob@globex.example.\n",
    )
    got = classify(raw, today=TODAY)
    assert (got.kind, got.status, got.hard) == (Kind.BOUNCE, "4.7.0", False)


def test_ip_addresses_and_versions_are_not_status_codes() -> None:
    raw = message(
        "From: postmaster@relay.partner.example\nTo: sales@acme.example\nSubject: "
        "Mail System Error - Returned Mail",
        "Relay 10.5.1.1 (software 2.4.1) could not deliver "
        "to bob@globex.example: mailbox unavailable\n",
    )
    got = classify(raw, today=TODAY)
    assert (got.status, got.hard) == ("5.0.0", True)


def test_a_departed_persons_notice_under_a_failure_subject_is_an_auto_reply() -> None:
    raw = message(
        "From: Harbor Freight Lines <noreply@harbor.example>\nTo: sales@acme.example\nSubject: "
        "Undeliverable to recipient: Pallet tracking",
        "Jake Miller is no longer with Harbor Freight Lines. This mailbox is not monitored and "
        "your message will not be forwarded.\n\nFor general inquiries please write to "
        "ops@harbor.example.\n",
    )
    got = classify(raw, today=TODAY)
    assert (got.kind, got.intent) == (Kind.AUTO_REPLY, Intent.AUTO_REPLY)


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        # a status read, the bounce sender, an address gone: still a failure
        (
            "IT <it@harbor.example>",
            "Your message to jake@harbor.example couldn't be delivered. Jake is no longer with "
            "the company. 550 5.1.1 RecipientNotFound",
        ),
        ("postmaster@harbor.example", "Jake Miller is no longer with Harbor Freight Lines."),
        ("IT <it@harbor.example>", "The e-mail address you wrote to is no longer in use."),
    ],
)
def test_a_failure_notice_that_names_a_departed_person_is_still_a_bounce(
    sender: str, text: str
) -> None:
    raw = message(
        f"From: {sender}\nTo: sales@acme.example\nSubject: Undeliverable: Pallet tracking", text
    )
    assert classify(raw, today=TODAY).kind is Kind.BOUNCE


# --- auto-replies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra_header", "reason"),
    [
        ("Auto-Submitted: auto-generated", "Auto-Submitted: auto-generated"),
        ("X-Autoreply: yes", "X-Autoreply header"),
        ("X-Autorespond: Vacation", "X-Autorespond header"),
        ("Precedence: auto_reply", "Precedence: auto_reply"),
        ("Precedence: bulk", "Precedence: bulk"),
        ("Precedence: junk", "Precedence: junk"),
        ("Precedence: List", "Precedence: list"),
        ("List-Id: Customers <customers.lists.customer.example>", "List-Id header"),
        ("List-Unsubscribe: <mailto:leave@lists.customer.example>", "List-Unsubscribe header"),
    ],
)
def test_auto_reply_headers(extra_header: str, reason: str) -> None:
    got = classify(message(REPLY_HEADERS + extra_header, "I'll answer later.\n"), today=TODAY)
    assert (got.kind, got.reason) == (Kind.AUTO_REPLY, reason)


@pytest.mark.parametrize(
    "extra_header",
    ["", "Auto-Submitted: no", "X-Auto-Response-Suppress: All", "Precedence: first-class"],
)
def test_headers_that_do_not_make_an_auto_reply(extra_header: str) -> None:
    got = classify(message(REPLY_HEADERS + extra_header, "Yes, let's talk.\n"), today=TODAY)
    assert got.kind is Kind.REPLY


@pytest.mark.parametrize(
    "subject",
    [
        "Re: Out of the office",
        "Automatic reply: Pallet tracking",
        "Auto-Reply: Pallet tracking",
        "VS: Poissa toimistolta",
        "Automaattinen vastaus: Lavaseuranta",
        "Lomalla 21.12.–6.1.",
        "Abwesenheitsnotiz: Pallet tracking",
        "[Out of Office] Pallet tracking",
    ],
)
def test_out_of_office_subjects(subject: str) -> None:
    got = classify(
        message(f"From: ann@customer.example\nSubject: {subject}", "Thanks for your message.\n"),
        today=TODAY,
    )
    assert got.kind is Kind.AUTO_REPLY
    assert got.reason.startswith("subject '")


def test_a_subject_mentioning_an_office_is_not_an_auto_reply() -> None:
    got = classify(
        message("From: ann@customer.example\nSubject: Re: Our new office in Oulu", "Come visit!\n"),
        today=TODAY,
    )
    assert got.kind is Kind.REPLY


def test_return_date_read_from_the_subject() -> None:
    got = classify(
        message("From: ann@customer.example\nSubject: Out of office until 11.1.", "Thanks.\n"),
        today=TODAY,
    )
    assert got.return_date == datetime.date(2027, 1, 11)


# --- unsubscribe requests ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        ("Please take me off your list.", "take me off"),
        ("Stop emailing me.", "stop emailing me"),
        ("I'd like to opt-out, thanks", "opt-out"),
        ("Don’t contact me again.", "don't contact me"),
        ("Poista osoitteeni rekisteristänne.", "poista osoitteeni"),
        ("En halua saada näitä viestejä.", "en halua saada"),
        ("Peruuta tilaus.", "peruuta tilaus"),
    ],
)
def test_unsubscribe_phrases_in_the_new_text(body: str, phrase: str) -> None:
    got = classify(message(REPLY_HEADERS, body + "\n"), today=TODAY)
    assert (got.kind, got.reason) == (Kind.UNSUBSCRIBE, f"says '{phrase}'")


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        ("Thanks, not now.\n\nBest,\nMark\nP.S. please take me off your list.", "take me off"),
        ("Not for us.\n\nBR\nMark Smith\nHead of IT\n\nPS: unsubscribe me", "unsubscribe"),
        ("Kiitos.\n\nTerveisin\nMatti\nPS. Poistakaa minut listalta.", "poistakaa minut"),
        ("Kiitos.\n\nTerveisin\nMatti\nPS. älkää lähettäkö enää viestejä", "älkää lähettäkö"),
        (
            "Danke.\n\nGrüße\nHans\nP.S.: Bitte nehmen Sie mich aus dem Verteiler.",
            "nehmen sie mich aus",
        ),
        ("Tack!\n\nMvh\nAnna\nPS Ta bort mig från er lista", "ta bort mig"),
        ("Thanks.\n\nCheers,\nMark\nP.P.S. Stop emailing me.", "stop emailing me"),
    ],
)
def test_a_removal_in_a_postscript_below_the_sign_off(body: str, phrase: str) -> None:
    """The head stops reading at the sign-off; a postscript below it is still the writer's own
    words, and a removal asked for there is honoured."""
    got = classify(message(REPLY_HEADERS, body + "\n"), today=TODAY)
    assert (got.kind, got.reason) == (Kind.UNSUBSCRIBE, f"says '{phrase}'")


@pytest.mark.parametrize(
    "body",
    [
        "Sounds good, Tuesday at 10.\n\nBest,\nMark\nPS: no need to unsubscribe me",
        "Yes, Thursday at 10.\n\nBest,\nMark\nP.S. your email ended up in my spam folder",
        "Yes, Thursday at 10.\n\nBest,\nMark\nPSA: unsubscribe from lists you never read",
        "Yes, Thursday at 10.\n\nBest,\nMark\n--\nPS: to unsubscribe from our news, click here",
        "Yes, Thursday at 10.\n\nBest,\nMark\nConfidential notice.\nP.S. unsubscribe: link",
    ],
)
def test_a_postscript_that_asks_no_removal(body: str) -> None:
    got = classify(message(REPLY_HEADERS, body + "\n"), today=TODAY)
    assert (got.kind, got.reason) == (Kind.REPLY, "human reply")


def test_unsubscribe_in_the_subject_with_an_empty_body() -> None:
    got = classify(message("From: ann@customer.example\nSubject: Unsubscribe", ""), today=TODAY)
    assert (got.kind, got.reason) == (Kind.UNSUBSCRIBE, "says 'unsubscribe'")


def test_unsubscribe_needs_whole_words() -> None:
    got = classify(
        message(REPLY_HEADERS, "We unsubscribed the old supplier; let's remove memory limits.\n"),
        today=TODAY,
    )
    assert got.kind is Kind.REPLY


# --- HTML bodies ------------------------------------------------------------------------------


def test_html_only_gmail_reply_drops_the_gmail_quote() -> None:
    body = (
        "<html><head><style>p{color:red}</style><script>var "
        'x = "unsubscribe";</script></head><body>'
        '<div dir="ltr">Yes &amp; thanks,<br>Tuesday at 10 '
        "works.<div><br></div><div>Ann</div></div><br>"
        '<div class="gmail_quote"><div class="gmail_attr">'
        "On Mon, Dec 14, 2026 at 9:00 AM Sales &lt;sales@acme.example&gt; wrote:<br></div>"
        "<blockquote>Hi Ann,<div>Worth a call?</div><div>Reply "
        "&quot;unsubscribe&quot; to stop.</div></blockquote></div>"
        "</body></html>"
    )
    got = classify(
        message(REPLY_HEADERS + "Content-Type: text/html; charset=utf-8", body), today=TODAY
    )
    assert got.kind is Kind.REPLY
    assert got.text == "Yes & thanks,\nTuesday at 10 works.\n\nAnn"


def test_html_blockquotes_are_dropped_even_when_nested() -> None:
    body = (
        "<p>Remove me, please.</p><blockquote>a<blockquote>b</blockquote>still "
        "quoted</blockquote><p>Ann</p>"
    )
    got = classify(message(REPLY_HEADERS + "Content-Type: text/html", body), today=TODAY)
    assert got.kind is Kind.UNSUBSCRIBE
    assert got.text == "Remove me, please.\n\nAnn"


# --- fresh_text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fresh"),
    [
        (
            "Sounds good.\n\nOn Mon, Dec 14, 2026 at 9:00 AM "
            "Sales <sales@acme.example> wrote:\n> Hi\n> unsubscribe",
            "Sounds good.",
        ),
        (
            "Sounds good.\n\nOn Mon, Dec 14, 2026 at 9:00 AM "
            "Sales <\nsales@acme.example> wrote:\n\n> Hi",
            "Sounds good.",
        ),
        (
            "On Tuesday works.\nOn Mon, Dec 14, 2026 Sales <sales@acme.example> wrote:\n> Hi",
            "On Tuesday works.",
        ),
        ("Yes.\n\n-----Original Message-----\nFrom: Sales\nSubject: Hi", "Yes."),
        (
            "Yes.\n\nFrom: Sales <sales@acme.example>\nSent: "
            "Monday, December 14, 2026 9:00 AM\nTo: Ann\nSubject: Hi",
            "Yes.",
        ),
        ("Yes.\n\n________________________________\nFrom: Sales\nSubject: Hi", "Yes."),
        (
            "Kyllä.\n\nma 14.12.2026 klo 9.00 Myynti <myynti@acme.example> kirjoitti:\n> Hei",
            "Kyllä.",
        ),
        (
            "Oui.\n\nLe lun. 14 déc. 2026 à 09:00, Sales <sales@acme.example> a écrit :\n> Bonjour",
            "Oui.",
        ),
        (
            "Top line\n> quoted one\nmiddle line\n>> quoted two\n\n\n\nlast",
            "Top line\nmiddle line\n\nlast",
        ),
        ("  Just text, no quote.  \n", "Just text, no quote."),
        ("From: the team, with thanks.\nWe agree.", "From: the team, with thanks.\nWe agree."),
    ],
)
def test_fresh_text(body: str, fresh: str) -> None:
    assert fresh_text(body) == fresh


# --- return_date ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I will be back on 2027-01-05.", datetime.date(2027, 1, 5)),
        ("Returning 5 January 2027.", datetime.date(2027, 1, 5)),
        ("Out until the 5th of January.", datetime.date(2027, 1, 5)),
        ("Back Monday, January 4.", datetime.date(2027, 1, 4)),
        ("Out of the office till Jan 5th, 2027, limited email.", datetime.date(2027, 1, 5)),
        ("Palaan 5.1.27.", datetime.date(2027, 1, 5)),
        ("Palaan 5.1.", datetime.date(2027, 1, 5)),
        (
            "Back 05/01/2027.",
            datetime.date(2027, 1, 5),
        ),  # 5 January or 1 May: both ahead, the earliest
        ("Olen takaisin 8. tammikuuta.", datetime.date(2027, 1, 8)),
        ("Palaan tammikuun 11. päivä.", datetime.date(2027, 1, 11)),
        ("Olen lomalla 6.1. asti.", datetime.date(2027, 1, 6)),
        ("Away from 20 Dec until 5 Jan.", datetime.date(2027, 1, 5)),  # the latest in the sentence
        ("Back on 3 March.", datetime.date(2027, 3, 3)),  # no year: the next occurrence
        ("Back on 20 December.", datetime.date(2026, 12, 20)),  # today itself counts
        ("Back on 1.12.2026.", None),  # past
        ("Back on 21.12.2027.", None),  # more than 365 days ahead
        ("Back on 20.12.2027.", datetime.date(2027, 12, 20)),  # exactly 365 days ahead
        ("Our party was on 18 December. Lovely!", None),  # no cue word
        ("On 5 January we launch.", None),  # a date before any cue
        ("Back on 29 February.", None),  # no such day within a year
        ("Klo 10.00. Palaan pian.", None),  # a time is not a date
    ],
)
def test_return_date(text: str, expected: datetime.date | None) -> None:
    assert return_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a day named without its date: the first such day after today (a Monday, 14 December)
        ("I am back in office next Monday.", datetime.date(2026, 12, 21)),
        ("Back on Friday.", datetime.date(2026, 12, 18)),
        ("Back tomorrow, limited email today.", datetime.date(2026, 12, 15)),
        ("Palaan maanantaina.", datetime.date(2026, 12, 21)),
        ("Olen lomalla. Palaan huomenna.", datetime.date(2026, 12, 15)),
        ("Palaan töihin keskiviikkona.", datetime.date(2026, 12, 16)),
        # a weekday with its date is read as the date
        ("Palaan töihin perjantaina 8.1.", datetime.date(2027, 1, 8)),
        ("I am back on Monday, 4 January 2027.", datetime.date(2027, 1, 4)),
        # no cue before it: no return date
        ("I will be out on Monday.", None),
        ("Tomorrow is a holiday here.", None),
    ],
)
def test_return_date_of_a_named_day(text: str, expected: datetime.date | None) -> None:
    assert return_date(text, today=datetime.date(2026, 12, 14)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Swedish: back on a day, month names, a slash date without a year (read both ways)
        ("Jag är tillbaka på kontoret måndag 4/1.", datetime.date(2027, 1, 4)),
        (
            "Jag är föräldraledig och tillbaka i tjänst måndag 12 april 2027.",
            datetime.date(2027, 4, 12),
        ),
        ("Jag är på semester till 7 januari.", datetime.date(2027, 1, 7)),
        ("Åter i tjänst den 8 mars.", datetime.date(2027, 3, 8)),
        ("Jag är tillbaka torsdag 7.1. och svarar då.", datetime.date(2027, 1, 7)),
        ("Tillbaka på måndag.", datetime.date(2026, 12, 21)),
        ("Jag är tillbaka i morgon.", datetime.date(2026, 12, 15)),
        ("Jag är ledig från 21/12 till 6/1.", datetime.date(2027, 1, 6)),
        # German: bis, ab, vom; a date before "wieder" or "zurück"; the day's dot before a month
        ("Ich bin bis zum 8. Januar im Urlaub.", datetime.date(2027, 1, 8)),
        ("Ab dem 3. Mai 2027 bin ich wieder für Sie da.", datetime.date(2027, 5, 3)),
        ("Ab Montag, 11. Januar 2027 bin ich zurück im Büro.", datetime.date(2027, 1, 11)),
        ("Ich bin am 11.01. wieder im Büro.", datetime.date(2027, 1, 11)),
        ("Ich bin vom 21.12. bis 6.1. nicht da.", datetime.date(2027, 1, 6)),
        ("Bis 8. Jänner bin ich auf Urlaub.", datetime.date(2027, 1, 8)),
        ("Ab Mittwoch wieder erreichbar.", datetime.date(2026, 12, 16)),
        ("Wieder da ab 15. Dez.", datetime.date(2026, 12, 15)),
        ("Zurück am 4. Dez. 2026.", None),  # past
        # June and July, in German and Swedish alike
        ("Ab dem 1. Juli 2027 bin ich wieder für Sie da.", datetime.date(2027, 7, 1)),
        ("Ich bin ab 14. Juni wieder im Büro.", datetime.date(2027, 6, 14)),
        ("Jag är föräldraledig och tillbaka den 2 juni.", datetime.date(2027, 6, 2)),
        ("Åter i tjänst 5 juli 2027.", datetime.date(2027, 7, 5)),
        ("Am 1. Juli ist Inventur.", None),
        # the last day away said inclusively gives way to a return date said later
        (
            "Ich bin bis einschließlich 01.01.2027 nicht im Büro. Ab dem 4.1. bin ich wieder da.",
            datetime.date(2027, 1, 4),
        ),
        ("Jag är ledig t.o.m. 6/1. Åter 7/1.", datetime.date(2027, 1, 7)),
        ("Jag är föräldraledig till och med 30 april 2027.", datetime.date(2027, 5, 1)),
        # no cue, or a number that is no date
        ("Vi inventerar 4/1.", None),
        ("Am 4. Januar ist Inventur.", None),
        ("Tillbaka med 24/7-support.", None),
    ],
)
def test_return_date_in_swedish_and_german(text: str, expected: datetime.date | None) -> None:
    assert return_date(text, today=datetime.date(2026, 12, 14)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a numbered week (ISO 8601) is its Monday, or the weekday named before it
        ("Olen lomalla viikolle 2 asti.", datetime.date(2027, 1, 11)),
        ("Palaan töihin viikolla 2.", datetime.date(2027, 1, 11)),
        ("Palaan tiistaina viikolla 2.", datetime.date(2027, 1, 12)),
        ("Olen lomalla vkolla 52 ja palaan viikolla 1.", datetime.date(2027, 1, 4)),
        ("I'm out of the office until week 2.", datetime.date(2027, 1, 11)),
        ("Back in week 2 of 2027.", datetime.date(2027, 1, 11)),
        ("Jag är tillbaka vecka 2.", datetime.date(2027, 1, 11)),
        ("Åter v. 2.", datetime.date(2027, 1, 11)),
        ("Jag är ledig till v.2.", datetime.date(2027, 1, 11)),
        ("Jag är tillbaka tisdag v.2.", datetime.date(2027, 1, 12)),
        ("Ich bin bis KW 2 im Urlaub.", datetime.date(2027, 1, 11)),
        ("Bis KW 2/2027 im Urlaub.", datetime.date(2027, 1, 11)),
        # the last week away, said inclusively: the Monday after
        ("Ich bin bis einschließlich KW 2 nicht im Büro.", datetime.date(2027, 1, 18)),
        ("Jag är ledig t.o.m. v. 2.", datetime.date(2027, 1, 18)),
        (
            "Ich bin bis einschließlich KW 2 nicht im Büro. Ab dem 18.1. wieder.",
            datetime.date(2027, 1, 18),
        ),
        ("Ab der 2. KW bin ich wieder erreichbar.", datetime.date(2027, 1, 11)),
        ("Ich bin ab Montag, KW 2 wieder da.", datetime.date(2027, 1, 11)),
        ("Ich bin in KW 53 zurück.", datetime.date(2026, 12, 28)),  # 2026 has a week 53
        ("Back in week 51.", datetime.date(2026, 12, 14)),  # this week: today
        ("Back in week 60.", None),
        # the last week away said otherwise, or the week after
        ("I'm out of the office through week 2.", datetime.date(2027, 1, 18)),
        ("Ich bin bis Ende KW 2 im Urlaub.", datetime.date(2027, 1, 17)),
        ("Ich bin bis einschl. KW 2 im Urlaub.", datetime.date(2027, 1, 18)),
        ("Jag är föräldraledig till slutet av v. 2.", datetime.date(2027, 1, 17)),
        ("Olen lomalla viikon 2 loppuun asti.", datetime.date(2027, 1, 17)),
        ("I'll be back after week 2.", datetime.date(2027, 1, 18)),
        ("Ich bin nach KW 2 wieder erreichbar.", datetime.date(2027, 1, 18)),
        ("Palaan viikon 2 jälkeen.", datetime.date(2027, 1, 18)),
        # a date said beats a week mentioned; a week beside a day away is read
        ("I'm back on 4 January, in time for week 2 of the training.", datetime.date(2027, 1, 4)),
        ("Palaan 4.1. ja viikolla 3 olen koulutuksessa.", datetime.date(2027, 1, 4)),
        ("Bin ab 4.1. zurück, in KW 3 auf Dienstreise.", datetime.date(2027, 1, 4)),
        ("I'm back on Monday, and week 2 of the pilot starts then.", datetime.date(2026, 12, 21)),
        ("Ich bin ab morgen bis KW 3 im Urlaub.", datetime.date(2027, 1, 18)),
        # a count after a week's word, a range, a version or a volume is no week
        (
            "Ich bin ab Donnerstag wieder da, diese Woche 2 Tage auf Schulung.",
            datetime.date(2026, 12, 17),
        ),
        (
            "Palaan torstaina; olen tällä viikolla 2 päivää koulutuksessa.",
            datetime.date(2026, 12, 17),
        ),
        ("Ich bin bis KW 51-2 im Urlaub.", datetime.date(2027, 1, 18)),  # the Monday after
        ("Olen vuosilomalla viikot 52–1.", datetime.date(2027, 1, 11)),
        ("Jag är ledig vecka 52-1.", datetime.date(2027, 1, 11)),
        ("Back on 4.1. with v 2 of the proposal.", datetime.date(2027, 1, 4)),
        ("Back Thursday with volume 2 of the report.", datetime.date(2026, 12, 17)),
        # no cue, or no week
        ("Our price list for week 2 is attached.", None),
        ("We released v2 last week.", None),
        ("Back with v2 of the product.", None),
        ("Back with 2 weeks of notes.", None),
    ],
)
def test_return_date_of_a_numbered_week(text: str, expected: datetime.date | None) -> None:
    assert return_date(text, today=datetime.date(2026, 12, 14)) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("Back in week 1.", datetime.date(2026, 12, 28), datetime.date(2027, 1, 4)),
        ("Back in week 1.", datetime.date(2027, 12, 30), datetime.date(2028, 1, 3)),
        ("Back in week 1.", datetime.date(2027, 1, 5), datetime.date(2027, 1, 5)),
        ("Back on Monday, week 1.", datetime.date(2027, 1, 5), datetime.date(2027, 1, 5)),
        # a notice left on after its week: no day, rather than that week a year on
        ("Out until week 51.", datetime.date(2026, 12, 22), None),
        ("Back in week 51.", datetime.date(2027, 1, 5), None),
        ("Parental leave until week 30.", datetime.date(2026, 12, 14), datetime.date(2027, 7, 26)),
    ],
)
def test_return_date_of_a_numbered_week_about_the_new_year(
    text: str, today: datetime.date, expected: datetime.date | None
) -> None:
    assert return_date(text, today=today) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a range of weeks away gives the Monday after it, and gives way to a day back said later
        ("Olen vuosilomalla viikot 52–1.", datetime.date(2027, 1, 11)),
        ("Jag är ledig vecka 52-1.", datetime.date(2027, 1, 11)),
        ("Olen lomalla viikot 51–1. Palaan töihin keskiviikkona 13.1.", datetime.date(2027, 1, 13)),
        ("I'm on leave weeks 51-1. I'll be back on Wednesday 13 January.",
         datetime.date(2027, 1, 13)),
        # a range of weeks in a sentence that says nothing of being away is no absence
        ("We deliver in weeks 3–4. I'm out of the office until 4 January.",
         datetime.date(2027, 1, 4)),
        ("Our office hours in weeks 1-2 are 9-15. I am back on 28 December.",
         datetime.date(2026, 12, 28)),
        ("Ich bin derzeit nicht im Büro. Besuchen Sie uns auf der Messe in KW 10-11!", None),
        ("Out of office. Our Q1 webinar series runs in weeks 3-6, join us.", None),
        # nor is a count
        ("I am working part-time over the coming weeks 2-3 days a week, so replies may be slow. "
         "I am back full-time on 11 January.", datetime.date(2027, 1, 11)),
        # a last day away said so: the day after; with a time that day, that day
        ("Jag är ledig t.o.m. 6/1.", datetime.date(2027, 1, 7)),
        ("Jag är ledig t.o.m. 6/1 kl. 12.", datetime.date(2027, 1, 6)),
        ("Ich bin bis einschließlich 8. Januar, 12 Uhr, nicht erreichbar.",
         datetime.date(2027, 1, 8)),
        ("Ich bin bis einschließlich 31.12. im Urlaub.", datetime.date(2027, 1, 1)),
        # "through" in English is a last day away too
        ("I'm out of the office through January 4.", datetime.date(2027, 1, 5)),
        ("Out of office thru 1/4.", datetime.date(2027, 1, 5)),
        ("I'm away through 4 January at 12:00.", datetime.date(2027, 1, 4)),
        # more ways to write a range of weeks
        ("Olen lomalla kalenteriviikot 1-2.", datetime.date(2027, 1, 18)),
        ("I'm on vacation weeks 52 to 1.", datetime.date(2027, 1, 11)),
        ("Ich bin von KW 51 bis KW 2 im Urlaub.", datetime.date(2027, 1, 18)),
        ("Jag är ledig v. 51 till v. 2.", datetime.date(2027, 1, 18)),
        ("We deliver in weeks 3 to 4. I'm back on 4 January.", datetime.date(2027, 1, 4)),
        # a range's end that is a date or an hour is no week
        ("I'm on holiday week 52 to 4 January.", datetime.date(2027, 1, 4)),
        ("Ich bin KW 51 bis 8. Januar im Urlaub.", datetime.date(2027, 1, 8)),
        ("Jag är ledig v. 52 till 6 januari.", datetime.date(2027, 1, 6)),
        ("Ich bin im Urlaub und ab KW 2 bis 15 Uhr erreichbar.", datetime.date(2027, 1, 11)),
        # "through" far before a date is no last day away
        ("I'm on vacation through the New Year and available from 4 January.",
         datetime.date(2027, 1, 4)),
        ("I'm on holiday, reachable through my mobile again from 4 January.",
         datetime.date(2027, 1, 4)),
        ("I am on PTO through Monday, Jan 4.", datetime.date(2027, 1, 5)),
        # many ranges in one sentence are read in linear time (one search for words of being
        # away per sentence, not per range: 53 s and 64 s for these texts when it was one per
        # range)
        pytest.param("weeks 2 to " * 10000, None, id="many-ranges"),
        pytest.param("KW 51-2 " * 8000, None, id="many-kw-ranges"),
    ],
)  # fmt: skip
def test_return_date_of_a_range_of_weeks_and_of_a_last_day_away(
    text: str, expected: datetime.date | None
) -> None:
    assert return_date(text, today=datetime.date(2026, 12, 14)) == expected


def test_return_date_ignores_a_date_in_a_quoted_header_once_fresh_text_has_run() -> None:
    body = (
        "I'm away, back soon.\n\nOn Mon, Dec 28, 2026 at 9:00 "
        "AM Sales <sales@acme.example> wrote:\n> until 30 Dec"
    )
    assert return_date(fresh_text(body), today=TODAY) is None


# --- unsubscribe: what is not a request to be removed -----------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "Adding my colleague Bob, he handles this. Please remove me from the thread.",
        "Adding Bob (cc). Please remove me from this thread.",
        "Bob is the right person. Please remove me from the cc.",
        "Bob is the right person; remove me from cc.",
        "Bob will take it from here, you can remove me off the thread.",
        "Bob will take it from here. Please remove me from this email chain.",
        "Bob will take it from here. Please remove me from the loop.",
        "Looping in Bob - you can take me off this one, he'll set up a call.",
        "Bob will answer, take me off the thread please.",
        "No need to unsubscribe me – I'm interested. Call me on Monday.",
        "Please don't unsubscribe me, I forwarded this to our COO.",
        "Don’t unsubscribe me, just send less often.",
        "I do not want to unsubscribe, the timing is just bad.",
        "We would never remove me from a good list, ha. Tuesday works.",
        "Is there an opt-out period in the contract?",
        "What does the opt out clause look like?",
        "Can we opt out of the contract after a year?",
        "Sure.\n\nMaija Meikäläinen\nSales Director\n\n-- "
        "\nTo unsubscribe from our newsletter, click here",
        "Sounds good, Tuesday at 10.\n\nBest,\nAnn\nAcme Customer Ltd | unsubscribe: https://customer.example/u",
        "Kiitos, sopii.\n\nYstävällisin terveisin\nMatti\nPoista minut tästä listasta: https://customer.example/u",
        # only the first five lines count
        "Line 1\nLine 2\nLine 3\nLine 4\nLine 5\nLine 6: unsubscribe",
        "Sovitaan tiistaille. Poista minut tästä ketjusta, Bob hoitaa.",
    ],
)
def test_not_an_unsubscribe_request(body: str) -> None:
    got = classify(message(REPLY_HEADERS, body + "\n"), today=TODAY)
    assert (got.kind, got.reason) == (Kind.REPLY, "human reply")


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        ("Please remove me from your list.", "remove me"),
        ("unsubscribe", "unsubscribe"),
        ("Unsubscribe me please", "unsubscribe"),
        ("stop emailing me", "stop emailing me"),
        ("Poistakaa minut listalta, kiitos.", "poistakaa minut"),
        ("poista minut", "poista minut"),
        ("peruuta tilaus", "peruuta tilaus"),
        ("Please take me off your mailing list.", "take me off"),
        ("Take me off your emails.", "take me off"),
        ("Take me off the distribution, thanks", "take me off"),
        ("Please remove me from one of your lists.", "remove me"),
        ("Bob takes over. Also remove me from your mailing list.", "remove me"),
        ("Please opt me out.", "opt me out"),
        ("I want to opt out of your emails.", "opt out"),
        ("Opt-out of the mailing list please", "opt-out"),
        ("OPT OUT", "opt out"),
        ("Not interested, unsubscribe.", "unsubscribe"),
        ("We are not interested. Please don't contact me again.", "don't contact me"),
        ("Hi Anna,\n\nRemove me, we are not the right company.\n\nBest,\nJane", "remove me"),
        (
            "Thanks,\nplease remove me from your list",
            "remove me",
        ),  # a first-line "Thanks," is not a sign-off
    ],
)
def test_clear_unsubscribe_requests_stay_unsubscribe(body: str, phrase: str) -> None:
    got = classify(message(REPLY_HEADERS, body + "\n"), today=TODAY)
    assert (got.kind, got.reason) == (Kind.UNSUBSCRIBE, f"says '{phrase}'")


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        (
            "unsubscribe",
            "",
        ),  # what our own List-Unsubscribe mailto:...?subject=unsubscribe produces
        ("UNSUBSCRIBE", "\n"),
        ("Re: Unsubscribe", "Sent from my iPhone\n"),
        ("re: unsubscribe", "--\nAnn Example\n"),
    ],
)
def test_list_unsubscribe_mailto_is_unsubscribe(subject: str, body: str) -> None:
    got = classify(
        message(
            f"From: ann@customer.example\nTo: unsubscribe@acme.example\nSubject: {subject}", body
        ),
        today=TODAY,
    )
    assert (got.kind, got.reason) == (Kind.UNSUBSCRIBE, "says 'unsubscribe'")


@pytest.mark.parametrize(
    ("subject", "phrase"),
    [
        ("Remove me", "remove me"),
        ("Re: Fwd: remove me from your list", "remove me from your list"),
        ("VS: Poista minut", "poista minut"),
        ("SV: AW: Unsubscribe me", "unsubscribe me"),
    ],
)
def test_a_subject_that_is_itself_a_request_counts(subject: str, phrase: str) -> None:
    raw = message(
        f"From: ann@customer.example\nSubject: {subject}",
        "Hi, see the subject. We have no budget this year.\n",
    )
    got = classify(raw, today=TODAY)
    assert (got.kind, got.reason) == (Kind.UNSUBSCRIBE, f"says '{phrase}'")


@pytest.mark.parametrize(
    "subject",
    [
        "Re: How do I unsubscribe my team from the old tool?",
        "Re: Please remove me from the thread",
        "Re: Pallet tracking (remove me from cc)",
        "Fwd: Opt-out period in the contract",
    ],
)
def test_a_phrase_inside_a_longer_subject_does_not_count(subject: str) -> None:
    raw = message(f"From: ann@customer.example\nSubject: {subject}", "Let's discuss on Tuesday.\n")
    assert classify(raw, today=TODAY).kind is Kind.REPLY


def test_a_subject_request_loses_to_a_longer_text_that_says_the_opposite() -> None:
    body = "No need to unsubscribe me – I'm interested after all. Can we talk on Tuesday at 10?\n"
    got = classify(
        message("From: ann@customer.example\nSubject: Re: unsubscribe", body), today=TODAY
    )
    assert got.kind is Kind.REPLY


# --- quote headers in more languages ----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fresh"),
    [
        (
            "Ja.\n\nVan: Sales <sales@acme.example>\nVerzonden: "
            "maandag 14 december 2026 09:00\nAan: Jan\nOnderwerp: Hoi",
            "Ja.",
        ),
        (
            "Sí.\n\nDe: Sales <sales@acme.example>\nEnviado: "
            "lunes, 14 de diciembre de 2026 9:00\nPara: Ana\nAsunto: Hola",
            "Sí.",
        ),
        (
            "Ja.\n\nFra: Sales <sales@acme.example>\nSendt: "
            "14. desember 2026 09:00\nTil: Ola\nEmne: Hei",
            "Ja.",
        ),
        (
            "Sì.\n\nDa: Sales <sales@acme.example>\nInviato: "
            "lunedì 14 dicembre 2026 09:00\nA: Anna\nOggetto: Ciao",
            "Sì.",
        ),
        (
            "Sim.\n\nDe: Sales <sales@acme.example>\nEnviada "
            "em: segunda-feira, 14 de dezembro de 2026 09:00\nPara: Ana",
            "Sim.",
        ),
        (
            "Sim.\n\nDe: Sales <sales@acme.example>\nEnviada: "
            "segunda-feira, 14 de dezembro de 2026 09:00\nPara: Ana",
            "Sim.",
        ),
        ("Ja.\n\nOp ma 14 dec. 2026 om 09:00 schreef Sales <sales@acme.example>:\n> Hoi", "Ja."),
        ("Ja.\n\nSales <sales@acme.example> schreef op 14 dec. 2026 om 09:00:\n> Hoi", "Ja."),
        (
            "Sí.\n\nEl lun, 14 dic 2026 a las 9:00, Sales (<sales@acme.example>)\nescribió:\n> "
            "Hola",
            "Sí.",
        ),
        ("Ja.\n\nman. 14. des. 2026 kl. 09:00 skrev Sales <sales@acme.example>:\n> Hei", "Ja."),
        ("Ja.\n\nDen 14. dec. 2026 kl. 09.00 skrev Sales <sales@acme.example>:\n> Hej", "Ja."),
        (
            "Sì.\n\nIl giorno lun 14 dic 2026 alle ore 09:00 "
            "Sales <sales@acme.example> ha scritto:\n> Ciao",
            "Sì.",
        ),
        (
            "Sim.\n\nEm seg., 14 de dez. de 2026 às 09:00, "
            "Sales <sales@acme.example> escreveu:\n> Olá",
            "Sim.",
        ),
        (
            "Da: domani va bene.\nA presto.",
            "Da: domani va bene.\nA presto.",
        ),  # "Da:" without "Inviato:" is text
    ],
)
def test_fresh_text_in_more_languages(body: str, fresh: str) -> None:
    assert fresh_text(body) == fresh


def test_dutch_outlook_reply_quoting_our_unsubscribe_footer_is_a_reply() -> None:
    body = (
        "Goedemorgen Anna,\n\nDinsdag om 10 uur past ons "
        "goed. Stuur maar een uitnodiging.\n\nMet vriendelijke groet,\nJan\n\n"
        "Van: Anna Lindqvist <anna.lindqvist@acme.example>\nVerzonden: "
        "maandag 14 december 2026 09:00\n"
        "Aan: Jan de Vries <jan@klant.example>\nOnderwerp: Pallet tracking\n\n"
        "Hi Jan,\n\nWorth a call?\n\nNot interested? Reply "
        '"unsubscribe" and we will take you off our list.\n'
    )
    got = classify(message(REPLY_HEADERS, body), today=TODAY)
    assert (got.kind, got.reason) == (Kind.REPLY, "human reply")
    assert got.text == (
        "Goedemorgen Anna,\n\nDinsdag om 10 uur past ons "
        "goed. Stuur maar een uitnodiging.\n\nMet vriendelijke groet,\nJan"
    )


def test_spanish_gmail_reply_quoting_our_unsubscribe_footer_is_a_reply() -> None:
    body = (
        "Hola Anna, el martes me va bien.\n\n"
        "El lun, 14 dic 2026 a las 9:00, Anna Lindqvist (<anna.lindqvist@acme.example>) escribió:\n"
        '> Hi,\n> Reply "unsubscribe" to stop.\n'
    )
    got = classify(message(REPLY_HEADERS, body), today=TODAY)
    assert (got.kind, got.text) == (Kind.REPLY, "Hola Anna, el martes me va bien.")


# --- slash dates in out-of-office replies -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "I'm back 01/04/2027.",
            datetime.date(2027, 1, 4),
        ),  # 4 January (US) is earlier than 1 April
        ("I will return on 12/01/2026.", None),  # 12 January and 1 December 2026: both past
        ("Back 13/01/2027.", datetime.date(2027, 1, 13)),  # only day/month is a date
        ("Back 01/13/2027.", datetime.date(2027, 1, 13)),  # only month/day is a date
        ("Back 04/01/27.", datetime.date(2027, 1, 4)),
        ("Back 12/20/2026.", datetime.date(2026, 12, 20)),  # today itself counts
        (
            "Back 20/12/2027.",
            datetime.date(2027, 12, 20),
        ),  # 12 August 2029 is not a reading; exactly 365 days
        ("Back 21/12/2027.", None),  # more than 365 days ahead either way (12/21 is not a month)
        ("Back 1.4.2027.", datetime.date(2027, 4, 1)),  # dots stay day first
        ("Back 4.1.2027.", datetime.date(2027, 1, 4)),
        ("Palaan 1.4.", datetime.date(2027, 4, 1)),
    ],
)
def test_return_date_slash_dates(text: str, expected: datetime.date | None) -> None:
    assert return_date(text, today=TODAY) == expected


def test_auto_reply_with_an_ambiguous_slash_date() -> None:
    raw = message(
        "From: ann@customer.example\nSubject: Automatic reply: "
        "Pallet tracking\nAuto-Submitted: auto-replied",
        "I am out of the office and will be back 01/04/2027.\n",
    )
    assert classify(raw, today=TODAY).return_date == datetime.date(2027, 1, 4)


# --- autoresponders without Auto-Submitted ----------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "phrase"),
    [
        ("[Ticket #12345] Re: Pallet tracking", "[Ticket #12345]"),
        ("Request received: Pallet tracking", "Request received"),
        ("We have received your email", "We have received your email"),
        ("Re: Pallet tracking - we have received your message", "we have received your message"),
        ("We've received your request", "We've received your request"),
        ("Automatic acknowledgement: Pallet tracking", "Automatic acknowledgement"),
        ("Your request (#4711) has been received", "Your request (#4711) has been received"),
        ("Your request #4711 has been received", "Your request #4711 has been received"),
        ("Kiitos viestistäsi", "Kiitos viestistäsi"),
        ("Re: Lavaseuranta - Kiitos viestistäsi!", "Kiitos viestistäsi"),
    ],
)
def test_ticket_acknowledgement_subjects_are_auto_replies(subject: str, phrase: str) -> None:
    raw = message(
        f"From: support@customer.example\nSubject: {subject}",
        "Our team will get back to you within 2 days.\n",
    )
    got = classify(raw, today=TODAY)
    assert (got.kind, got.reason) == (Kind.AUTO_REPLY, f"acknowledgement subject '{phrase}'")


@pytest.mark.parametrize("what", ["response", "message", "reply"])
def test_a_body_that_opens_as_automated_is_an_auto_reply(what: str) -> None:
    raw = message(
        REPLY_HEADERS,
        f"\nThis is an automated {what}. Your email has been forwarded to our sales team.\n",
    )
    got = classify(raw, today=TODAY)
    assert (got.kind, got.reason) == (Kind.AUTO_REPLY, f"body says 'this is an automated {what}'")


@pytest.mark.parametrize(
    "body",
    [
        "Kiitos viestistäsi! Soitellaan tiistaina.",  # the phrase counts in the subject only
        "We have received your email and would like a demo.",
        "Thanks. This is an automated response, I guess? Anyway: yes, let's talk.",
        "Request received: I'll forward it to Bob.",
    ],
)
def test_human_replies_with_acknowledgement_words_in_the_body_stay_replies(body: str) -> None:
    got = classify(message(REPLY_HEADERS, body + "\n"), today=TODAY)
    assert (got.kind, got.reason) == (Kind.REPLY, "human reply")


def test_a_reply_with_ticket_words_in_a_normal_subject_stays_a_reply() -> None:
    raw = message(
        "From: ann@customer.example\nSubject: Re: Ticket pricing for the event",
        "Yes, 40 tickets.\n",
    )
    assert classify(raw, today=TODAY).kind is Kind.REPLY


@pytest.mark.parametrize(
    "extra_header",
    [
        "Precedence: bulk",
        "List-Id: <bounces.customer.example>",
        "List-Unsubscribe: <mailto:x@customer.example>",
    ],
)
def test_bounces_are_checked_before_list_and_bulk_headers(extra_header: str) -> None:
    raw = message(
        "From: MAILER-DAEMON@relay.partner.example\nTo: sales@acme.example\nSubject: "
        "Mail delivery failed\n" + extra_header,
        "<gone@globex.example>: 550 5.1.1 user unknown\n",
    )
    got = classify(raw, today=TODAY)
    assert (got.kind, got.status, got.hard) == (Kind.BOUNCE, "5.1.1", True)


def test_bounces_are_checked_before_acknowledgement_subjects() -> None:
    got = classify(
        dsn("Final-Recipient: rfc822; bob@globex.example\nAction: failed\nStatus: 5.1.1\n"),
        today=TODAY,
    )
    assert got.kind is Kind.BOUNCE
    raw = message(
        "From: postmaster@partner.example\nSubject: Undeliverable: [Ticket #12345] Pallet tracking",
        "This is an automated message. Delivery to bob@globex.example "
        "failed: 550 5.1.1 user unknown\n",
    )
    assert classify(raw, today=TODAY).kind is Kind.BOUNCE


# --- DSN or not, policy or not ----------------------------------------------------------------


def test_dsn_flag_says_where_the_bounce_was_read() -> None:
    assert (
        classify(
            dsn("Final-Recipient: rfc822; bob@globex.example\nAction: failed\nStatus: 5.1.1\n"),
            today=TODAY,
        ).dsn
        is True
    )
    for name in (
        "bounce_exim_failed.eml",
        "bounce_yahoo_failure_notice.eml",
        "bounce_gmail_delay_nondsn.eml",
    ):
        got = sample(name)
        assert (got.kind, got.dsn) == (Kind.BOUNCE, False)
    fallback = classify(
        dsn("this block is not fields\n", human="<bob@globex.example>: 550 No such user here"),
        today=TODAY,
    )
    assert (fallback.kind, fallback.dsn) == (
        Kind.BOUNCE,
        False,
    )  # a delivery-status part with nothing in it
    assert sample("reply_human_interested.eml").dsn is False


@pytest.mark.parametrize(
    ("status", "diagnostic", "hard", "policy"),
    [
        (
            "5.7.1",
            "smtp; 550 5.7.1 Service unavailable, Client host "
            "[192.0.2.10] blocked using zen.spamhaus.example",
            True,
            True,
        ),
        (
            "5.7.26",
            "smtp; 550-5.7.26 This mail has been blocked because the sender is unauthenticated",
            True,
            True,
        ),
        ("5.7.1", "smtp; 550 5.7.1 Message rejected", True, True),  # 5.7.x says policy on its own
        ("5.0.0", "smtp; 550 Sending IP is blacklisted", True, True),
        ("5.0.0", "smtp; 550 Your IP is on our blocklist (listed as blocklisted)", True, True),
        ("5.0.0", "smtp; 554 Message rejected as spam", True, True),
        ("5.0.0", "smtp; 550 Rejected by local policy", True, True),
        ("5.0.0", "smtp; 550 SPF check failed for acme.example", True, True),
        ("5.0.0", "smtp; 550 DMARC reject", True, True),
        ("4.7.0", "smtp; 421 4.7.0 Temporarily rate limited due to IP reputation", False, True),
        ("5.1.1", "smtp; 550 5.1.1 User unknown", True, False),
        ("5.2.2", "smtp; 552 5.2.2 Mailbox full", False, False),  # soft: a mailbox empties
        ("5.5.0", "smtp; 550 5.5.0 Requested action not taken", True, True),
        ("5.3.4", "smtp; 552 5.3.4 Message size exceeds fixed limit", True, True),
        ("5.1.10", "smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound", True, False),
        ("4.2.2", "smtp; 452 4.2.2 Mailbox full", False, False),
    ],
)
def test_policy_rejections(status: str, diagnostic: str, hard: bool, policy: bool) -> None:
    action = "failed" if status.startswith("5") else "delayed"
    report = (
        "Final-Recipient: rfc822; bob@globex.example\nAction: "
        f"{action}\nStatus: {status}\nDiagnostic-Code: {diagnostic}\n"
    )
    got = classify(dsn(report), today=TODAY)
    assert (got.kind, got.status, got.hard, got.dsn, got.policy) == (
        Kind.BOUNCE,
        status,
        hard,
        True,
        policy,
    )


def test_policy_rejection_in_a_non_dsn_bounce() -> None:
    raw = message(
        "From: Mail Delivery System <Mailer-Daemon@mx.partner.example>\nSubject: "
        "Mail delivery failed",
        "bob@globex.example\n    host mx.globex.example said: "
        "550 5.7.1 Rejected: sender IP listed at bl.spam.example\n",
    )
    got = classify(raw, today=TODAY)
    assert (got.kind, got.status, got.hard, got.dsn, got.policy) == (
        Kind.BOUNCE,
        "5.7.1",
        True,
        False,
        True,
    )
    unknown = classify(
        message(
            "From: Mail Delivery System <Mailer-Daemon@mx.partner.example>\nSubject: "
            "Mail delivery failed",
            "bob@globex.example: 550 5.1.1 user unknown\n",
        ),
        today=TODAY,
    )
    assert (unknown.status, unknown.policy) == ("5.1.1", False)


def test_policy_and_dsn_are_false_outside_bounces() -> None:
    for name in ("auto_outlook_ooo.eml", "unsub_remove_me.eml", "reply_human_interested.eml"):
        got = sample(name)
        assert (got.dsn, got.policy) == (False, False)
