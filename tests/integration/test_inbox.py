"""Reading senders' mailboxes on a real Dovecot IMAP server (started by tests/run.sh).

Message 1 goes out through a real SMTP capture server; the answers are APPENDed to the
sender's INBOX on Dovecot, with the Message-IDs the engine really used; then the inbox is
polled and the clock runs on to see what is (and is not) sent afterwards.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from email.utils import format_datetime

import pytest
from email_validator import validate_email
from imap_account import ImapAccount
from sending_rig import HELSINKI, MONDAY, Rig, person, write_sequence
from sqlmodel import col, select

from sequencer import Engine
from sequencer.store import Event, InboundMessage

JANE = "jane@acme.example"


def reply(
    sender: str,
    subject: str,
    body: str,
    *,
    in_reply_to: str | None = None,
    message_id: str,
    extra: str = "",
) -> bytes:
    threading = f"In-Reply-To: {in_reply_to}\nReferences: {in_reply_to}\n" if in_reply_to else ""
    return (
        f"From: {sender}\nTo: Jane Doe <{JANE}>\nSubject: "
        f"{subject}\nDate: {format_datetime(MONDAY)}\n"
        f"Message-ID: {message_id}\n{threading}{extra}MIME-Version: 1.0\n"
        f"Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    ).encode()


def quoted(original: str) -> str:
    return "\n".join("> " + line for line in original.splitlines())


def dsn(
    recipient: str,
    original_id: str,
    *,
    status: str = "5.1.1",
    action: str = "failed",
    diagnostic: str | None = None,
) -> bytes:
    code = "550" if status.startswith("5") else "452"
    diagnostic = diagnostic or f"{code} {status} <{recipient}>: Recipient address rejected"
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>
To: {JANE}
Subject: Undelivered Mail Returned to Sender
Date: {format_datetime(MONDAY)}
Message-ID: <dsn-{recipient}-{status}@mx.acme.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.example

Final-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {diagnostic}

--b1
Content-Type: text/rfc822-headers

From: Jane Doe <{JANE}>
To: {recipient}
Subject: An idea
Message-ID: {original_id}

--b1--
""".encode()


def first_messages(rig: Rig, emails: list[str]) -> dict[str, str]:
    ids = {}
    for address in emails:
        sent = [s for s in rig.sends(address) if s.step_index == 0 and s.status == "sent"]
        assert sent and sent[0].message_id, f"message 1 to {address} was not sent"
        ids[address] = sent[0].message_id
    return ids


def events(engine: Engine) -> list[Event]:
    with engine.store.session() as s:
        return list(s.exec(select(Event).order_by(col(Event.id))))


@pytest.fixture
def inbox_rig(rig_factory: object, imap: ImapAccount) -> Rig:
    rig: Rig = rig_factory(imap=imap.settings())  # type: ignore[operator]
    rig.import_rows([person(i) for i in range(1, 8)])
    rig.engine.enroll("cold", sender="jane")
    rig.run(days=1)
    return rig


def test_replies_bounces_and_out_of_office_from_a_real_inbox(
    inbox_rig: Rig, imap: ImapAccount
) -> None:
    rig = inbox_rig
    emails = [f"p{i}@example.com" for i in range(1, 8)]
    ids = first_messages(rig, emails)
    own_copy = rig.received("p5@example.com")[0].raw
    original = "Hi First1,\n\nAn idea for Company1.\n\nUnsubscribe: reply 'unsubscribe'."
    imap.append(
        reply(
            "First1 Last1 <p1@example.com>",
            "Re: An idea",
            "Sounds good, call me on Tuesday.\n\n" + quoted(original),
            in_reply_to=ids["p1@example.com"],
            message_id="<r1@example.com>",
        )
    )
    back = (MONDAY + timedelta(days=25)).date()
    imap.append(
        reply(
            "p2@example.com",
            "Automatic reply: An idea",
            f"I am out of the office until {back.strftime('%B')} {back.day}, {back.year}.",
            in_reply_to=ids["p2@example.com"],
            message_id="<ooo2@example.com>",
            extra="Auto-Submitted: auto-replied\n",
        )
    )
    imap.append(dsn("p3@example.com", ids["p3@example.com"]))
    imap.append(
        reply(
            "p4@example.com",
            "Re: An idea",
            "Please remove me from your list.\n\n" + quoted(original),
            in_reply_to=ids["p4@example.com"],
            message_id="<u4@example.com>",
        )
    )
    imap.append(
        own_copy
    )  # a copy of our own message in INBOX (a Cc to self, a rule): never a reply
    # Gmail rewrote the threading headers: matched by the From address of a contact we wrote to
    imap.append(
        reply("p6@example.com", "Re: An idea", "Not now, thanks.", message_id="<r6@example.com>")
    )
    imap.append(dsn("p7@example.com", ids["p7@example.com"], status="4.2.2", action="delayed"))
    imap.append(
        reply("stranger@example.org", "Hello", "Who are you?", message_id="<x@example.org>")
    )

    report = rig.engine.poll_inbox_sync()

    assert not report.errors
    by_contact = {h.contact: h.kind for h in report.handled if h.contact}
    assert by_contact == {
        "p1@example.com": "reply",
        "p2@example.com": "auto_reply",
        "p3@example.com": "bounce",
        "p4@example.com": "unsubscribe",
        "p6@example.com": "reply",
        "p7@example.com": "soft_bounce",
    }
    assert Counter(h.kind for h in report.handled) == Counter(
        {
            "reply": 2,
            "auto_reply": 1,
            "bounce": 1,
            "soft_bounce": 1,
            "unsubscribe": 1,
            "own": 1,
            "unmatched": 1,
        }
    )
    status = {e: rig.enrollment(e) for e in emails}
    assert (status["p1@example.com"].status, status["p1@example.com"].stop_reason) == (
        "stopped",
        "reply",
    )
    assert (status["p3@example.com"].status, status["p3@example.com"].stop_reason) == (
        "stopped",
        "bounce",
    )
    assert (status["p4@example.com"].status, status["p4@example.com"].stop_reason) == (
        "stopped",
        "unsubscribe",
    )
    assert (status["p6@example.com"].status, status["p6@example.com"].stop_reason) == (
        "stopped",
        "reply",
    )
    for active in ("p2@example.com", "p5@example.com", "p7@example.com"):
        assert status[active].status == "active", active
    store = rig.engine.store
    assert store.suppressed(["p3@example.com"]) and store.suppressed(["p4@example.com"])
    assert not store.suppressed(["p7@example.com"]) and not store.suppressed(["p1@example.com"])
    assert [s.status for s in rig.sends("p3@example.com") if s.step_index == 0] == ["bounced"]
    # the reply is credited to the very send it answers
    reply_event = next(
        e
        for e in events(rig.engine)
        if e.kind == "reply" and e.contact_id == rig.contact_id("p1@example.com")
    )
    assert reply_event.send_id == rig.sends("p1@example.com")[0].id
    # the out-of-office pauses p2's next step until the day they are back
    follow_up = next(s for s in rig.sends("p2@example.com") if s.status == "scheduled")
    assert follow_up.due_at.astimezone(HELSINKI).date() >= back
    # polling reads with BODY.PEEK: nothing in the salesperson's inbox was marked as read
    assert not any(b"\\Seen" in f for f in imap.flags())

    stop_moment = rig.clock.now()
    rig.run(days=40)

    for stopped in ("p1@example.com", "p3@example.com", "p4@example.com", "p6@example.com"):
        later = [
            m
            for m in rig.received(stopped)
            if m.message["Date"] and m.message["Date"].datetime > stop_moment
        ]
        assert len(rig.received(stopped)) == 1 and not later, stopped
    assert len(rig.received("p5@example.com")) == 2  # the copy of our own mail stopped nothing
    assert len(rig.received("p7@example.com")) == 2  # a soft bounce stops nothing
    p2_follow_up = rig.received("p2@example.com")[1].message["Date"].datetime
    assert p2_follow_up.date() >= back


def test_a_restart_never_handles_a_message_twice(inbox_rig: Rig, imap: ImapAccount) -> None:
    rig = inbox_rig
    ids = first_messages(rig, ["p1@example.com", "p2@example.com"])
    imap.append(
        reply(
            "p1@example.com",
            "Re: An idea",
            "Yes please.",
            in_reply_to=ids["p1@example.com"],
            message_id="<again1@example.com>",
        )
    )
    first = rig.engine.poll_inbox_sync()
    assert [h.kind for h in first.handled] == ["reply"]
    before = len(events(rig.engine))

    # a new process on the same database: the stored position means nothing is read again
    again = Engine(rig.engine.config, clock=rig.clock)
    try:
        second = again.poll_inbox_sync()
        assert second.handled == [] and second.duplicates == 0
        imap.append(
            reply(
                "p2@example.com",
                "Re: An idea",
                "Tell me more.",
                in_reply_to=ids["p2@example.com"],
                message_id="<again2@example.com>",
            )
        )
        third = again.poll_inbox_sync()
    finally:
        again.close()
    assert [(h.kind, h.from_address) for h in third.handled] == [("reply", "p2@example.com")]
    assert len(events(rig.engine)) == before + 1
    kinds = Counter(e.kind for e in events(rig.engine))
    assert kinds["reply"] == 2


def test_a_renumbered_folder_is_read_again_without_duplicates(
    rig_factory: object, imap: ImapAccount
) -> None:
    imap.recreate("Leads")
    rig: Rig = rig_factory(imap=imap.settings("Leads"))  # type: ignore[operator]
    rig.import_rows([person(1), person(2)])
    rig.engine.enroll("cold", sender="jane")
    rig.run(days=1)
    ids = first_messages(rig, ["p1@example.com", "p2@example.com"])
    first_reply = reply(
        "p1@example.com",
        "Re: An idea",
        "Interested.",
        in_reply_to=ids["p1@example.com"],
        message_id="<renum1@example.com>",
    )
    imap.append(first_reply, "Leads")
    assert [h.kind for h in rig.engine.poll_inbox_sync().handled] == ["reply"]
    old = rig.engine.store.inbox_position("jane", "Leads")

    imap.recreate("Leads")  # the server gives the folder a new UIDVALIDITY: old UIDs mean nothing
    imap.append(first_reply, "Leads")
    imap.append(
        reply(
            "p2@example.com",
            "Re: An idea",
            "Not for us.",
            in_reply_to=ids["p2@example.com"],
            message_id="<renum2@example.com>",
        ),
        "Leads",
    )
    report = rig.engine.poll_inbox_sync()

    new = rig.engine.store.inbox_position("jane", "Leads")
    assert old is not None and new is not None and new[0] != old[0]
    assert report.duplicates == 1
    assert [h.from_address for h in report.handled] == ["p2@example.com"]
    assert Counter(e.kind for e in events(rig.engine))["reply"] == 2
    with rig.engine.store.session() as s:
        assert len(list(s.exec(select(InboundMessage)))) == 2


def test_a_sequence_that_keeps_going_after_replies_records_them(
    rig_factory: object, imap: ImapAccount, tmp_path: object
) -> None:
    from pathlib import Path

    folder = write_sequence(
        Path(str(tmp_path)) / "seqs",
        "nurture",
        """
name: nurture
defaults:
  timezone: Europe/Helsinki
stop_on: {reply: false}
steps:
  - key: one
    day: 0
    channel: email
    subjects: [{key: a, text: "Hello {{ first_name }}"}]
    bodies: [{key: a, text: "Hi {{ first_name }}"}]
  - key: two
    day: 3
    channel: email
    thread: true
    bodies: [{key: a, text: "Again, {{ first_name }}"}]
""",
    )
    rig: Rig = rig_factory(imap=imap.settings(), sequences=[folder])  # type: ignore[operator]
    rig.import_rows([person(1)])
    rig.engine.enroll("nurture", sender="jane")
    rig.run(days=1)
    ids = first_messages(rig, ["p1@example.com"])
    imap.append(
        reply(
            "p1@example.com",
            "Re: Hello",
            "Thanks!",
            in_reply_to=ids["p1@example.com"],
            message_id="<keep1@example.com>",
        )
    )
    report = rig.engine.poll_inbox_sync()
    assert [h.action for h in report.handled] == ["replied: recorded (sequence keeps going)"]
    assert rig.enrollment("p1@example.com").status == "active"
    rig.run(days=10)
    assert len(rig.received("p1@example.com")) == 2


def test_an_unreadable_mailbox_is_reported_and_changes_nothing(
    rig_factory: object, imap: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig: Rig = rig_factory(imap=imap.settings())  # type: ignore[operator]
    monkeypatch.setenv(ImapAccount.PASSWORD_ENV, "wrong")
    report = rig.engine.poll_inbox_sync()
    assert list(report.errors) == ["jane"]
    assert "login as sender" in report.errors["jane"] and "wrong" not in report.errors["jane"]
    assert rig.engine.store.inbox_position("jane", "INBOX") is None


def test_mail_from_before_our_messages_is_never_taken_for_a_reply(
    inbox_rig: Rig, imap: ImapAccount
) -> None:
    from datetime import UTC, datetime

    rig = inbox_rig
    year_ago = rig.clock.now() - timedelta(days=365)
    # in the mailbox long before the first poll: a first poll does not read that far back
    imap.append(
        reply("p1@example.com", "Lunch?", "Old thread.", message_id="<old1@example.com>"),
        arrived=datetime(year_ago.year, year_ago.month, year_ago.day, tzinfo=UTC),
    )
    # arrived now, but written a year ago (a late delivery, a moved message): older than our mail to
    # p2
    old = reply("p2@example.com", "Lunch?", "Old thread.", message_id="<old2@example.com>")
    imap.append(old.replace(format_datetime(MONDAY).encode(), format_datetime(year_ago).encode()))
    report = rig.engine.poll_inbox_sync()
    assert [(h.kind, h.action) for h in report.handled] == [
        ("unmatched", "ignored: older than our last message to them")
    ]
    assert (
        rig.enrollment("p1@example.com").status == "active"
        and rig.enrollment("p2@example.com").status == "active"
    )


def test_a_message_that_breaks_the_handler_is_recorded_and_skipped(
    inbox_rig: Rig, imap: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sequencer.inbox

    rig = inbox_rig
    ids = first_messages(rig, ["p1@example.com", "p2@example.com"])
    real = sequencer.inbox.classify

    def fragile(raw: bytes, **kwargs: object) -> object:
        if b"<poison@example.com>" in raw:
            raise ValueError("a database or parser failure on hostile input")
        return real(raw, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sequencer.inbox, "classify", fragile)
    imap.append(
        reply(
            "p1@example.com",
            "Re: An idea",
            "x",
            in_reply_to=ids["p1@example.com"],
            message_id="<poison@example.com>",
        )
    )
    imap.append(
        reply(
            "p2@example.com",
            "Re: An idea",
            "Yes.",
            in_reply_to=ids["p2@example.com"],
            message_id="<fine@example.com>",
        )
    )
    report = rig.engine.poll_inbox_sync()
    assert [h.kind for h in report.handled] == ["error", "reply"]
    assert not report.errors
    assert rig.enrollment("p2@example.com").stop_reason == "reply"
    assert (
        rig.engine.poll_inbox_sync().handled == []
    )  # the poison message is behind the position now


def test_a_reply_reaching_another_senders_mailbox_still_stops(
    rig_factory: object, imap: ImapAccount
) -> None:
    from sequencer.config import Config

    rig: Rig = rig_factory(imap=imap.settings())  # type: ignore[operator]
    mikko_box = imap.other("mikko")
    jane = rig.engine.config.senders["jane"]
    mikko = jane.__class__(
        **{
            **jane.__dict__,
            "name": "mikko",
            "email": "mikko@acme.example",
            "imap": mikko_box.settings(),
        }
    )
    engine = Engine(
        Config(**{**rig.engine.config.__dict__, "senders": {"mikko": mikko, "jane": jane}}),
        clock=rig.clock,
    )
    rig.engine = engine
    rig.import_rows([person(1)])
    engine.enroll("cold", sender="jane")
    rig.run(days=1)
    unthreaded = reply(
        "p1@example.com", "Question", "Can you call me?", message_id="<both@example.com>"
    )
    mikko_box.append(unthreaded)  # the person wrote to both of us; mikko's mailbox is read first
    imap.append(unthreaded)
    report = engine.poll_inbox_sync()
    assert [(h.sender, h.kind) for h in report.handled] == [("mikko", "reply")]
    assert report.duplicates == 1
    assert rig.enrollment("p1@example.com").stop_reason == "reply"
    engine.close()


def test_one_unreadable_mailbox_does_not_stop_the_others_and_utf8_passwords_work(
    rig_factory: object, imap: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sequencer.config import Config, ImapSettings

    rig: Rig = rig_factory(imap=imap.settings())  # type: ignore[operator]
    monkeypatch.setenv("ULLA_PASSWORD", "Päivä2026!")
    jane = rig.engine.config.senders["jane"]
    broken = jane.__class__(
        **{
            **jane.__dict__,
            "name": "broken",
            "email": "b@acme.example",
            "imap": ImapSettings(
                host=imap.host,
                port=imap.port,
                security=jane.imap.security,  # type: ignore[union-attr]
                username="nobody",
                password_env="MISSING_PASSWORD_VARIABLE",
            ),
        }
    )
    ulla = jane.__class__(
        **{
            **jane.__dict__,
            "name": "ulla",
            "email": "ulla@acme.example",
            "imap": ImapSettings(
                host=imap.host,
                port=imap.port,
                security=jane.imap.security,  # type: ignore[union-attr]
                username="ulla",
                password_env="ULLA_PASSWORD",
            ),
        }
    )
    monkeypatch.delenv("MISSING_PASSWORD_VARIABLE", raising=False)
    engine = Engine(
        Config(
            **{
                **rig.engine.config.__dict__,
                "senders": {"broken": broken, "ulla": ulla, "jane": jane},
            }
        ),
        clock=rig.clock,
    )
    try:
        report = engine.poll_inbox_sync()
        assert (
            list(report.errors) == ["broken"]
            and "MISSING_PASSWORD_VARIABLE" in report.errors["broken"]
        )
        assert (
            engine.store.inbox_position("ulla", "INBOX") is not None
        )  # logged in with a non-ASCII password
        assert engine.store.inbox_position("jane", "INBOX") is not None
    finally:
        engine.close()


def test_a_reply_over_imap_stops_the_whole_company(
    rig_factory: object, imap: ImapAccount, tmp_path: object
) -> None:
    import shutil
    from pathlib import Path

    from sending_rig import REPO

    folder = Path(str(tmp_path)) / "seqs"
    shutil.copytree(REPO / "sequences", folder)  # the shipped ones, with cold scoped to the company
    text = (
        (folder / "cold.yaml")
        .read_text(encoding="utf-8")
        .replace("stop_on:", "stop_scope: company\nstop_on:")
    )
    write_sequence(folder, "cold", text)
    rig: Rig = rig_factory(imap=imap.settings(), sequences=[folder])  # type: ignore[operator]
    colleagues = ["ada@northwind.example", "bob@northwind.example", "cy@northwind.example"]
    rig.import_rows(
        [
            person(1, email=colleagues[0]),
            person(2, email=colleagues[1]),
            person(3, email=colleagues[2]),
            person(4, email="dee@southwind.example"),
        ]
    )
    rig.engine.enroll("cold", sender="jane")
    rig.run(days=1)
    ids = first_messages(rig, colleagues)
    imap.append(
        reply(
            f"Ada <{colleagues[0]}>",
            "Re: Question",
            "Yes, let's talk. I'll loop in Bob.",
            in_reply_to=ids[colleagues[0]],
            message_id="<ada-1@northwind.example>",
        )
    )

    report = rig.engine.poll_inbox_sync()
    assert [h.kind for h in report.handled] == ["reply"]
    rig.run(days=40)

    assert [(rig.enrollment(e).status, rig.enrollment(e).stop_reason) for e in colleagues] == [
        ("stopped", "reply"),
        ("stopped", "company"),
        ("stopped", "company"),
    ]
    assert [len(rig.received(e)) for e in colleagues] == [1, 1, 1]  # nothing after Ada's reply
    assert (
        len(rig.received("dee@southwind.example")) == 2
        and rig.enrollment("dee@southwind.example").status == "completed"
    )
    assert rig.engine.store.deferred(rig.contact_id("bob@northwind.example")) == []


# -- who a message is about (issue 15)
# ---------------------------------------------------------------


def test_a_reply_in_another_contacts_thread_acts_on_the_person_who_wrote(
    inbox_rig: Rig, imap: ImapAccount
) -> None:
    rig = inbox_rig
    ids = first_messages(rig, ["p1@example.com", "p2@example.com"])
    # p2 answers in p1's thread (a forwarded message, a colleague's client): p2 asked, not p1
    imap.append(
        reply(
            "p2@example.com",
            "Re: An idea",
            "Please remove me from your list.",
            in_reply_to=ids["p1@example.com"],
            message_id="<b-in-a@example.com>",
        )
    )
    report = rig.engine.poll_inbox_sync()
    [handled] = report.handled
    assert (handled.kind, handled.contact) == ("unsubscribe", "p2@example.com")
    assert "in the thread of send" in handled.action
    assert (
        rig.enrollment("p2@example.com").status,
        rig.enrollment("p2@example.com").stop_reason,
    ) == ("stopped", "unsubscribe")
    assert rig.enrollment("p1@example.com").status == "active"
    store = rig.engine.store
    assert store.suppressed(["p2@example.com"]) and not store.suppressed(["p1@example.com"])
    [event] = [e for e in events(rig.engine) if e.kind == "unsubscribe"]
    assert event.contact_id == rig.contact_id("p2@example.com") and "thread" in (event.detail or "")


def test_a_delivery_report_acts_only_on_the_recipient_it_names(
    inbox_rig: Rig, imap: ImapAccount
) -> None:
    rig = inbox_rig
    ids = first_messages(rig, ["p1@example.com", "p2@example.com"])
    # returns p1's message but reports another address (a forward that failed further on)
    imap.append(dsn("someone@elsewhere.example", ids["p1@example.com"]))
    # from a stranger, naming p2 but none of our messages
    imap.append(dsn("p2@example.com", "<not-ours@elsewhere.example>"))
    report = rig.engine.poll_inbox_sync()
    assert not report.errors
    store = rig.engine.store
    assert not store.suppressed(["p1@example.com"]) and not store.suppressed(["p2@example.com"])
    assert not store.suppressed(["someone@elsewhere.example"])
    assert rig.enrollment("p1@example.com").status == "active"
    assert [s.status for s in rig.sends("p1@example.com") if s.step_index == 0] == ["sent"]
    first = report.handled[0]
    assert (first.kind, first.contact) == (
        "unmatched",
        None,
    ) and "another recipient" in first.action


def test_an_out_of_office_with_a_re_subject_and_no_headers_is_not_a_reply(
    inbox_rig: Rig, imap: ImapAccount
) -> None:
    rig = inbox_rig
    ids = first_messages(rig, ["p1@example.com", "p2@example.com"])
    back = (MONDAY + timedelta(days=20)).date()
    imap.append(
        reply(
            "p1@example.com",
            "Re: An idea",
            "Thank you for your email. I am out of the office "
            f"until {back.strftime('%B')} {back.day}, "
            f"{back.year}, with limited access to email.",
            in_reply_to=ids["p1@example.com"],
            message_id="<ooo-re1@example.com>",
        )
    )
    imap.append(
        reply(
            "p2@example.com",
            "Vs: An idea",
            f"Hei, olen lomalla {back.day}.{back.month}. asti.",
            in_reply_to=ids["p2@example.com"],
            message_id="<ooo-re2@example.com>",
        )
    )
    report = rig.engine.poll_inbox_sync()
    assert [(h.contact, h.kind) for h in report.handled] == [
        ("p1@example.com", "auto_reply"),
        ("p2@example.com", "auto_reply"),
    ]
    for address in ("p1@example.com", "p2@example.com"):
        assert rig.enrollment(address).status == "active", address
        follow_up = next(s for s in rig.sends(address) if s.status == "scheduled")
        assert follow_up.due_at.astimezone(HELSINKI).date() >= back, address


def test_a_reply_and_a_bounce_naming_the_idna_form_find_the_idn_contact(
    rig_factory: object, imap: ImapAccount
) -> None:
    # We send to x@xn--strae-oqa.de (IDNA 2008); replies and delivery reports name that form, while
    # the
    # contact was imported as x@straße.de. Both must find the contact.
    rig: Rig = rig_factory(imap=imap.settings())  # type: ignore[operator]
    rig.import_rows([person(1, email="x@straße.de"), person(2, email="q@ςοφία.gr")])
    rig.engine.enroll("cold", sender="jane")
    rig.run(days=1)
    ids = first_messages(rig, ["x@straße.de", "q@ςοφία.gr"])
    assert rig.engine.store.contact("X@xn--strae-oqa.de") is not None
    imap.append(
        reply(
            "x@xn--strae-oqa.de", "Re: An idea", "Yes, let's talk.", message_id="<idn1@example.com>"
        )
    )
    imap.append(
        dsn(validate_email("q@ςοφία.gr", check_deliverability=False).ascii_email, ids["q@ςοφία.gr"])
    )

    report = rig.engine.poll_inbox_sync()

    assert {h.contact: h.kind for h in report.handled if h.contact} == {
        "x@straße.de": "reply",
        "q@ςοφία.gr": "bounce",
    }
    assert (rig.enrollment("x@straße.de").status, rig.enrollment("x@straße.de").stop_reason) == (
        "stopped",
        "reply",
    )
    assert (rig.enrollment("q@ςοφία.gr").status, rig.enrollment("q@ςοφία.gr").stop_reason) == (
        "stopped",
        "bounce",
    )
    assert rig.engine.store.suppressed(["q@ςοφία.gr"])
