"""Inbox: how far each sender's mailbox has been read, and the inbound messages read from it with
what was made of each (recorded in one transaction with the position and the message's effects)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select

from sequencer.contacts import ContactRow
from sequencer.store import contacts, enrollments, events, sends, suppressions
from sequencer.store.core import batches, models
from sequencer.store.tables import INBOUND_MESSAGES, INBOX_STATE, Enrollment, InboundMessage


def position(conn: sa.Connection, sender: str, mailbox: str) -> tuple[int, int] | None:
    """(UIDVALIDITY, last UID handled) of a sender's folder, or None before its first poll."""
    found = conn.execute(
        sa.select(INBOX_STATE.c.uidvalidity, INBOX_STATE.c.last_uid).where(
            INBOX_STATE.c.sender == sender, INBOX_STATE.c.mailbox == mailbox
        )
    ).first()
    return (found.uidvalidity, found.last_uid) if found else None


def set_position(
    conn: sa.Connection,
    sender: str,
    mailbox: str,
    *,
    uidvalidity: int,
    last_uid: int,
    at: datetime,
) -> None:
    """Move the folder's position on (a new UIDVALIDITY starts it over)."""
    known = position(conn, sender, mailbox)
    if known is None:
        conn.execute(
            sa.insert(INBOX_STATE).values(
                sender=sender,
                mailbox=mailbox,
                uidvalidity=uidvalidity,
                last_uid=last_uid,
                polled_at=at,
            )
        )
        return
    old_validity, old_uid = known
    uid = last_uid if old_validity != uidvalidity else max(old_uid, last_uid)
    conn.execute(
        sa.update(INBOX_STATE)
        .where(INBOX_STATE.c.sender == sender, INBOX_STATE.c.mailbox == mailbox)
        .values(uidvalidity=uidvalidity, last_uid=uid, polled_at=at)
    )


def seen(conn: sa.Connection, keys: Sequence[str]) -> set[str]:
    """Those of ``keys`` whose message was handled already."""
    found: set[str] = set()
    for chunk in batches(list(dict.fromkeys(keys))):
        found.update(conn.execute(_SEEN, {"keys": list(chunk)}).scalars())
    return found


def latest(conn: sa.Connection, *, limit: int) -> list[InboundMessage]:
    """The messages read most recently, newest first."""
    query = select(InboundMessage).order_by(col(InboundMessage.id).desc()).limit(limit)
    return models(conn, query)


@dataclass(frozen=True, kw_only=True)
class InboundRow:
    """An inbound message's row as :func:`record` writes it: the columns of ``inbound_messages``
    but ``id``, without the cost of an ORM object (the poller builds one per message)."""

    key: str
    sender: str
    uid: int
    kind: str
    contact_id: int | None = None
    send_id: int | None = None
    from_address: str | None = None
    subject: str | None = None
    detail: str = ""
    intent: str | None = None
    at: datetime


#: A message as :func:`record` takes it.
Recordable = InboundMessage | InboundRow


@dataclass(frozen=True, kw_only=True)
class Effects:
    """What one inbound message does besides being recorded (see :func:`record`)."""

    #: The event recorded (credited to the message's send).
    event: str | None = None
    #: Stop the contact's active enrollment (and deferred ones) for this reason.
    stop_reason: str | None = None
    #: The suppression key added.
    suppress: str | None = None
    #: Mark the message's send bounced.
    bounce_send: bool = False
    #: Pause the active enrollment's next step until then.
    pause_until: datetime | None = None
    #: ``stop_scope: company``: the domain whose other contacts are stopped too.
    company: str | None = None
    #: A contact a reply points to, added unless known (never enrolled).
    referral: ContactRow | None = None


def record(
    conn: sa.Connection,
    messages: Sequence[tuple[Recordable, Effects]],
    *,
    sender: str,
    mailbox: str,
    uidvalidity: int,
    last_uid: int,
    at: datetime,
) -> list[bool]:
    """Apply what each inbound message means, and move the mailbox position to ``last_uid``.

    Per message: records the event (credited to ``message.send_id``), stops the contact's active
    enrollment (``stop_reason``; with ``company``, the colleagues too), suppresses ``suppress``,
    marks the answered send bounced (``bounce_send``) or pauses the enrollment
    (``pause_until``), as asked. A ``referral`` is added unless the address is known already; it
    is never enrolled. The event carries the message's intent. The messages are about different
    contacts, each at most once.

    A message handled before (same key) moves only the position: False for it. A concurrent
    duplicate raises ``IntegrityError`` at the insert, before any effect. The statements run are
    a handful whatever the number of messages, plus one or two per message that asks for
    something rarer (a suppression, a bounce, a pause, a referral, a company stop).
    """
    set_position(conn, sender, mailbox, uidvalidity=uidvalidity, last_uid=last_uid, at=at)
    known = seen(conn, [m.key for m, _ in messages])
    fresh = [(m, e) for m, e in messages if m.key not in known]
    if fresh:  # the unique key first: a concurrent duplicate fails here
        conn.execute(_INSERT, [{c: getattr(m, c) for c in _COLUMNS} for m, _ in fresh])
    ids = [
        m.contact_id for m, e in fresh if m.contact_id is not None and (e.event or e.stop_reason)
    ]
    active = enrollments.active(conn, ids) if ids else {}
    stops: list[enrollments.Stop] = []
    notes: list[dict[str, object]] = []
    for message, effects in fresh:
        _apply(conn, message, effects)
        stop = _stop_or_note(conn, message, effects, active, notes)
        if stop is not None:
            stops.append(stop)
    enrollments.stop_many(conn, stops, at=at, active=active)
    events.add_many(conn, notes)
    return [m.key not in known for m, _ in messages]


def _apply(conn: sa.Connection, message: Recordable, effects: Effects) -> None:
    """A message's rarer effects: a referral, a suppression, a bounced send."""
    referral = effects.referral
    if referral is not None and contacts.by_email(conn, referral.email) is None:
        contacts.upsert(conn, [referral], now=message.at)
    if effects.suppress is not None:  # a complaint stops as an unsubscribe
        reason = effects.event or effects.stop_reason or message.kind
        suppressions.add(conn, effects.suppress, reason=reason, at=message.at, source="inbox")
    if effects.bounce_send and message.send_id is not None:
        sends.bounce_sent(conn, message.send_id, error=message.detail)


def _stop_or_note(
    conn: sa.Connection,
    message: Recordable,
    effects: Effects,
    active: dict[int, Enrollment],
    notes: list[dict[str, object]],
) -> enrollments.Stop | None:
    """The stop ``message`` asks for (a company stop is written at once), or its event added
    to ``notes`` (and the pause it asks for written)."""
    contact_id, at = message.contact_id, message.at
    if contact_id is None:
        return None
    if effects.stop_reason is not None:
        stop = enrollments.Stop(
            contact_id=contact_id,
            kind=effects.event or effects.stop_reason,
            reason=effects.stop_reason,
            detail=message.detail,
            send_id=message.send_id,
            intent=message.intent,
        )
        if effects.company is None:
            return stop
        enrollments.stop(
            conn,
            contact_id,
            kind=stop.kind,
            reason=stop.reason,
            at=at,
            detail=stop.detail,
            send_id=stop.send_id,
            company=effects.company,
            intent=stop.intent,
        )
        return None
    if effects.event is not None:
        enrollment = active.get(contact_id)
        notes.append(
            {
                "kind": effects.event,
                "at": at,
                "contact_id": contact_id,
                "enrollment_id": enrollment.id if enrollment else None,
                "send_id": message.send_id,
                "detail": message.detail,
                "intent": message.intent,
            }
        )
        if effects.pause_until is not None and enrollment is not None:
            enrollments.pause(conn, enrollment, effects.pause_until)
    return None


_SEEN = sa.select(INBOUND_MESSAGES.c.key).where(
    INBOUND_MESSAGES.c.key.in_(sa.bindparam("keys", expanding=True))
)
_INSERT = sa.insert(INBOUND_MESSAGES)
#: The columns an INSERT writes (every one but the id).
_COLUMNS = tuple(c.name for c in INBOUND_MESSAGES.columns if c.name != "id")
