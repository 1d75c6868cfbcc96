"""Refusal classes of DSNs read from a real Dovecot inbox (issue 14, item 1), on both databases.

Message 1 goes out through a real SMTP capture server; delivery status notifications (RFC 3464)
about those messages are APPENDed to the sender's INBOX. Each is read by its ``Status:`` as a
refusal at send time is: 5.7.26 (DMARC) suppresses nobody, stops nobody and holds the sender,
which ``doctor`` lists; 5.7.1 for spam holds the body variant that was sent; 5.1.1 bounces and
suppresses as before, and the bounce guard looks at the sender after such a bounce too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from imap_account import ImapAccount
from sending_rig import Rig, person
from sqlmodel import col, select
from test_inbox import dsn, first_messages
from test_refusals import DMARC, cli

from sequencer.guard import Thresholds
from sequencer.store import Event, Send

SPAM = "554 5.7.1 Message rejected as spam: its content was judged suspicious"


@pytest.fixture
def mailbox(imap: ImapAccount) -> ImapAccount:
    """An account of its own on the test Dovecot: the shared one is emptied by other tests."""
    return imap.other("mikko")


def sent_rig(make: Callable[..., Rig], mailbox: ImapAccount, count: int, **extra: object) -> Rig:
    """A rig reading ``mailbox``, whose message 1 went out to p1..p``count``."""
    rig = make(imap=mailbox.settings(), **extra)
    rig.import_rows([person(i) for i in range(1, count + 1)])
    rig.engine.enroll("cold", sender="jane")
    rig.run(days=1)
    return rig


def first_send(rig: Rig, address: str) -> Send:
    return next(s for s in rig.sends(address) if s.step_index == 0)


def refusal_events(rig: Rig) -> list[Event]:
    with rig.engine.store.session() as s:
        query = select(Event).where(col(Event.kind).like("refused.%")).order_by(col(Event.id))
        return list(s.exec(query))


def test_a_dsn_is_read_by_its_refusal_class(
    rig_factory: Callable[..., Rig], mailbox: ImapAccount
) -> None:
    rig = sent_rig(rig_factory, mailbox, 4)
    ids = first_messages(rig, [f"p{i}@example.com" for i in (1, 2, 3)])
    mailbox.append(dsn("p1@example.com", ids["p1@example.com"], status="5.7.26", diagnostic=DMARC))
    mailbox.append(dsn("p2@example.com", ids["p2@example.com"], status="5.7.1", diagnostic=SPAM))
    mailbox.append(dsn("p3@example.com", ids["p3@example.com"], status="5.1.1"))

    polled = rig.engine.poll_inbox_sync()
    assert polled.errors == {}
    kinds = {h.contact: (h.kind, h.action) for h in polled.handled}
    assert kinds["p1@example.com"][0] == "refused", kinds
    assert kinds["p2@example.com"][0] == "refused", kinds
    assert kinds["p3@example.com"][0] == "bounce", kinds
    assert "not stopped, not suppressed" in kinds["p1@example.com"][1], kinds

    # our side's refusals: nobody suppressed, nobody stopped, the sends stay sent
    store = rig.engine.store
    assert {s.key for s in store.suppressions()} == {"p3@example.com"}
    for address in ("p1@example.com", "p2@example.com", "p4@example.com"):
        assert rig.enrollment(address).status == "active", address
        assert first_send(rig, address).status == "sent", address
    recorded = {e.send_id: e for e in refusal_events(rig)}
    p1, p2 = first_send(rig, "p1@example.com"), first_send(rig, "p2@example.com")
    assert set(recorded) == {p1.id, p2.id}, recorded
    assert recorded[p1.id].kind == "refused.sender" and "5.7.26" in recorded[p1.id].detail
    assert "sender class" in recorded[p1.id].detail
    assert recorded[p2.id].kind == "refused.content" and "5.7.1" in recorded[p2.id].detail

    # the holds the send path places: the sender for DMARC, the body sent for spam
    held = {(h.scope, h.reason): h for h in store.holds.standing()}
    assert set(held) == {("sender", "policy_refusal"), ("variant", "content_refusal")}, held
    sender = held["sender", "policy_refusal"]
    assert sender.sender == "jane" and "5.7.26" in sender.detail and "DMARC" in sender.detail
    assert "senders resume" in sender.detail
    variant = held["variant", "content_refusal"]
    assert p2.body_key, "message 1 to p2 has no body recorded"
    assert (variant.sequence, variant.step_key, variant.variant) == (
        "cold",
        p2.step_key,
        f"body:{p2.body_key}",
    )

    # the recipient's refusal: a bounce, as before
    stopped = rig.enrollment("p3@example.com")
    assert (stopped.status, stopped.stop_reason) == ("stopped", "bounce")
    assert first_send(rig, "p3@example.com").status == "bounced"

    # while the sender is held, nothing more goes out; doctor says why and how to lift it
    before = {f"p{i}@example.com": len(rig.received(f"p{i}@example.com")) for i in (1, 2, 4)}
    rig.run(until=rig.clock.now() + timedelta(days=10))
    assert {a: len(rig.received(a)) for a in before} == before
    doctor = cli(rig, "doctor")
    assert doctor.returncode == 1, doctor.stdout + doctor.stderr
    text = " ".join(doctor.stdout.split())
    assert "paused sender jane (policy_refusal" in text, text
    assert "DMARC" in text and "sequencer senders resume jane" in text, text

    # polling again changes nothing: each DSN counts once, and holds once
    assert rig.engine.poll_inbox_sync().handled == []
    assert len(refusal_events(rig)) == 2 and len(store.holds.standing()) == 2


def test_the_bounce_guard_looks_after_a_dsn_bounce(
    rig_factory: Callable[..., Rig], mailbox: ImapAccount
) -> None:
    guard = Thresholds(rate=0.3, window=100, min_sends=3, consecutive=10)
    rig = sent_rig(rig_factory, mailbox, 4, bounce_guard=guard)
    ids = first_messages(rig, ["p1@example.com", "p2@example.com"])
    mailbox.append(dsn("p1@example.com", ids["p1@example.com"]))
    rig.engine.poll_inbox_sync()
    assert rig.engine.store.holds.standing() == [], "1 bounce of 4 is under 30%"

    mailbox.append(dsn("p2@example.com", ids["p2@example.com"]))
    polled = rig.engine.poll_inbox_sync()
    assert [h.kind for h in polled.handled] == ["bounce"], polled.handled
    (hold,) = rig.engine.store.holds.standing()
    assert (hold.scope, hold.sender, hold.reason) == ("sender", "jane", "bounce_rate")
    assert "2 of the last 4 sends bounced" in hold.detail, hold.detail


def test_a_dsn_of_the_recipients_policy_suppresses_nobody(
    rig_factory: Callable[..., Rig], mailbox: ImapAccount
) -> None:
    """A 5.7.x DSN whose words name the recipient's side ("The recipient's organization does not
    accept mail from ...") is a policy rejection: the contact stops, nobody is suppressed. Read
    as the recipient_policy class, which the DSN path did not know, it was a hard bounce that
    suppressed the address for good (the review of the class)."""
    rig = sent_rig(rig_factory, mailbox, 2)
    ids = first_messages(rig, ["p1@example.com"])
    refusal = "550 5.7.1 The recipient's organization does not accept mail from acme.example"
    mailbox.append(dsn("p1@example.com", ids["p1@example.com"], status="5.7.1", diagnostic=refusal))
    polled = rig.engine.poll_inbox_sync()
    assert polled.errors == {}
    store = rig.engine.store
    assert store.suppressions() == []
    (handled,) = polled.handled
    assert "not suppressed" in handled.action, handled.action
