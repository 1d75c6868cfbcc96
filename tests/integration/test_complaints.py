"""Feedback loops (issue 14, item 7) on a real Dovecot inbox, on SQLite and PostgreSQL.

Message 1 goes out through a real SMTP capture server; ARF complaint reports (RFC 5965, in the
shape Yahoo's CFL and Microsoft's JMRP send) about those messages are APPENDed to the sender's
INBOX; the poll suppresses each address (reason ``complaint``), stops its sequence through the
stop policy, records a ``complaint`` event, and the report shows the complaint rate per sender.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import format_datetime

import pytest
from imap_account import ImapAccount
from sending_rig import Rig, person
from sqlmodel import col, select

from sequencer.reporting import to_html
from sequencer.store import Event

JANE = "jane@acme.example"


def arf(
    recipient: str, *, original_id: str | None, at: datetime, feedback_type: str = "abuse"
) -> bytes:
    """A feedback report about our message to ``recipient``: its headers only, the Message-ID
    left out when ``original_id`` is None (a loop that redacts it)."""
    ident = f"Message-ID: {original_id}\n" if original_id else ""
    return f"""From: staff@hotmail.com
To: {JANE}
Subject: complaint about message from 203.0.113.25
Date: {format_datetime(at)}
Message-ID: <jmrp-{recipient}-{feedback_type}@hotmail.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="arf"

--arf
Content-Type: text/plain; charset=us-ascii

This is an email abuse report for an email message received from IP 203.0.113.25.

--arf
Content-Type: message/feedback-report

Feedback-Type: {feedback_type}
User-Agent: Microsoft JMRP/1.0
Version: 1
Original-Mail-From: <{JANE}>
Original-Rcpt-To: <{recipient}>
Source-IP: 203.0.113.25

--arf
Content-Type: text/rfc822-headers

From: Jane Doe <{JANE}>
To: <{recipient}>
Subject: An idea
{ident}
--arf--
""".encode()


def complaint_events(rig: Rig) -> list[Event]:
    with rig.engine.store.session() as s:
        return list(s.exec(select(Event).where(Event.kind == "complaint").order_by(col(Event.id))))


@pytest.fixture
def mailbox(imap: ImapAccount) -> ImapAccount:
    """An account of its own on the test Dovecot: the shared one is emptied by other tests."""
    return imap.other("jane")


@pytest.fixture
def sent_rig(rig_factory: object, mailbox: ImapAccount) -> Rig:
    rig: Rig = rig_factory(imap=mailbox.settings())  # type: ignore[operator]
    rig.import_rows([person(i) for i in range(1, 5)])
    rig.engine.enroll("cold", sender="jane")
    rig.run(days=1)
    return rig


def test_arf_reports_suppress_stop_and_count(sent_rig: Rig, mailbox: ImapAccount) -> None:
    rig, imap = sent_rig, mailbox
    first = {
        e: next(s for s in rig.sends(e) if s.step_index == 0 and s.status == "sent")
        for e in ("p1@example.com", "p2@example.com")
    }
    now = rig.clock.now()
    imap.append(arf("p1@example.com", original_id=first["p1@example.com"].message_id, at=now))
    imap.append(arf("p2@example.com", original_id=None, at=now))  # matched by Original-Rcpt-To
    imap.append(arf("p3@example.com", original_id=None, at=now, feedback_type="not-spam"))

    polled = rig.engine.poll_inbox_sync()
    assert polled.errors == {}
    assert polled.count("complaint") == 2, [h.action for h in polled.handled]

    for address in ("p1@example.com", "p2@example.com"):
        enrollment = rig.enrollment(address)
        assert enrollment.status == "stopped" and enrollment.stop_reason == "unsubscribe"
    assert rig.enrollment("p3@example.com").status == "active"
    listed = {s.key: s.reason for s in rig.engine.suppressions()}
    assert listed == {"p1@example.com": "complaint", "p2@example.com": "complaint"}
    logged = {(c.key, c.reason, c.source) for c in rig.engine.suppression_list.changes()}
    assert logged == {
        ("p1@example.com", "complaint", "inbox"),
        ("p2@example.com", "complaint", "inbox"),
    }
    events = complaint_events(rig)
    assert sorted(e.send_id for e in events) == sorted(s.id for s in first.values())

    # counted per sender in the report, with Google's lines, and nothing more goes to them
    report = rig.engine.report()
    (jane,) = report.complaints
    assert (jane.sender, jane.sent, jane.complaints) == ("jane", 4, 2)
    page = to_html(report)
    assert "Spam complaints" in page and "50.00%" in page and "0.3%" in page
    assert "Over Google&#x27;s 0.3% line: jane" in page
    before = {a: len(rig.received(a)) for a in ("p1@example.com", "p2@example.com")}
    rig.run(until=now + timedelta(days=10))
    assert {a: len(rig.received(a)) for a in before} == before
    assert len(rig.received("p4@example.com")) > 1

    # polling again changes nothing: each report counts once
    assert rig.engine.poll_inbox_sync().count("complaint") == 0
    assert len(complaint_events(rig)) == 2
