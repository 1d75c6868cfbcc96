"""Reply intent through the inbox, on a real Dovecot IMAP server and both databases: the intent
stored on the inbound message and on its event, a referral's address added as a flagged contact
and never enrolled, a removal said in Finnish stopping and suppressing as any unsubscribe
request does, and an out-of-office answer that quotes us pausing rather than stopping.
"""

from __future__ import annotations

import pytest
from imap_account import ImapAccount
from sending_rig import Rig, person
from sqlmodel import col, select
from test_inbox import first_messages, quoted, reply

from sequencer.contacts import contact_key
from sequencer.reporting import to_html, to_json
from sequencer.store import Event, InboundMessage

MATTI = "matti.virtanen@yritys.example"
#: Addresses no other test writes from: the IMAP account is shared, and only mail from the
#: rig's own contacts acts on anything.
WHO = [f"intent{i}@example.com" for i in range(1, 5)]


@pytest.fixture
def answered(rig_factory: object, imap: ImapAccount) -> Rig:
    rig: Rig = rig_factory(imap=imap.settings())  # type: ignore[operator]
    rig.import_rows([person(i, email=WHO[i - 1]) for i in range(1, 5)])
    rig.engine.enroll("cold", sender="jane")
    rig.run(days=1)
    ids = first_messages(rig, WHO)
    original = quoted("Hi,\n\nWould you be interested in a call?\n\nUnsubscribe: reply 'stop'.")
    bodies = {
        WHO[0]: "Sounds interesting, call me on Tuesday.",
        WHO[1]: f"Please contact my colleague Matti Virtanen ({MATTI}), he decides.",
        WHO[2]: "Älkää lähettäkö enää viestejä tähän osoitteeseen.",
        WHO[3]: "Olen lomalla 2.1. asti.",
    }
    for n, (address, body) in enumerate(bodies.items()):
        imap.append(
            reply(
                address,
                "Re: An idea",
                f"{body}\n\n{original}",
                in_reply_to=ids[address],
                message_id=f"<intent-{n}@example.com>",
            )
        )
    report = rig.engine.poll_inbox_sync()
    ours = [(h.contact, h.kind, h.intent) for h in report.handled if h.contact in WHO]
    assert ours == [
        (WHO[0], "reply", "positive"),
        (WHO[1], "reply", "referral"),
        (WHO[2], "unsubscribe", "unsubscribe"),
        (WHO[3], "auto_reply", "auto_reply"),
    ]
    return rig


def test_the_intent_is_stored_on_the_message_and_its_event(answered: Rig) -> None:
    store = answered.engine.store
    with store.session() as s:
        stored = {
            m.from_address: m.intent
            for m in s.exec(select(InboundMessage))
            if m.from_address in WHO
        }
        events = list(s.exec(select(Event).where(col(Event.intent).is_not(None))))
    assert stored == {
        WHO[0]: "positive",
        WHO[1]: "referral",
        WHO[2]: "unsubscribe",
        WHO[3]: "auto_reply",
    }
    by_contact = {answered.contact_id(WHO[i - 1]): f"p{i}" for i in range(1, 5)}
    assert sorted((by_contact[e.contact_id or 0], e.kind, e.intent) for e in events) == [
        ("p1", "reply", "positive"),
        ("p2", "reply", "referral"),
        ("p3", "unsubscribe", "unsubscribe"),
        ("p4", "auto_reply", "auto_reply"),
    ]
    assert dict(store.report_reply_intents()) == {
        "positive": 1,
        "referral": 1,
        "unsubscribe": 1,
        "auto_reply": 1,
    }


def test_a_referral_adds_the_referred_contact_flagged_and_not_enrolled(answered: Rig) -> None:
    store = answered.engine.store
    referred = store.contact(MATTI)
    assert referred is not None and referred.id is not None
    assert referred.fields == {"referred_by": WHO[1]}
    assert store.enrollments(referred.id) == []
    assert answered.enrollment(WHO[1]).status == "stopped"
    detail = next(m.detail for m in store.inbound() if m.from_address == WHO[1])
    assert f"referred {MATTI}: added as a contact, not enrolled" in detail


def test_an_unsubscribe_intent_stops_and_suppresses_and_an_absence_only_pauses(
    answered: Rig,
) -> None:
    store = answered.engine.store
    removed = answered.enrollment(WHO[2])
    assert (removed.status, removed.stop_reason) == ("stopped", "unsubscribe")
    assert store.suppressed([contact_key(WHO[2])])
    assert answered.enrollment(WHO[0]).stop_reason == "reply"
    assert not store.suppressed([contact_key(WHO[0])])
    assert answered.enrollment(WHO[3]).status == "active"


def test_the_report_counts_replies_per_intent(answered: Rig) -> None:
    report = answered.engine.report()
    assert dict(report.intents) == {
        "positive": 1,
        "referral": 1,
        "unsubscribe": 1,
        "auto_reply": 1,
    }
    assert [intent for intent, _ in report.intents] == [
        "positive",
        "referral",
        "unsubscribe",
        "auto_reply",
    ]
    page = to_html(report)
    assert "<h2>Reply intents</h2>" in page and "What 4 replies meant" in page
    assert '"intents": {' in to_json(report)
