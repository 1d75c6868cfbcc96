"""Inbox: how far each sender's mailbox has been read, and the inbound messages read from it with
what was made of each (recorded in one transaction with the position and the message's effects)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select

from sequencer.contacts import ContactRow
from sequencer.store import contacts, enrollments, events, sends, suppressions
from sequencer.store.core import insert_model, models
from sequencer.store.tables import INBOUND_MESSAGES, INBOX_STATE, InboundMessage


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


def seen(conn: sa.Connection, key: str) -> bool:
    """Whether the message with ``key`` was handled already."""
    query = sa.select(INBOUND_MESSAGES.c.id).where(INBOUND_MESSAGES.c.key == key)
    return conn.execute(query).first() is not None


def add(conn: sa.Connection, message: InboundMessage) -> None:
    """Insert the message (its ``id`` is set); a concurrent duplicate raises ``IntegrityError``."""
    insert_model(conn, INBOUND_MESSAGES, message)


def latest(conn: sa.Connection, *, limit: int) -> list[InboundMessage]:
    """The messages read most recently, newest first."""
    query = select(InboundMessage).order_by(col(InboundMessage.id).desc()).limit(limit)
    return models(conn, query)


def record(
    conn: sa.Connection,
    message: InboundMessage,
    mailbox: str,
    uidvalidity: int,
    event: str | None,
    stop_reason: str | None,
    suppress: str | None,
    bounce_send: bool,
    pause_until: datetime | None,
    company: str | None,
    referral: ContactRow | None = None,
) -> bool:
    """Apply what one inbound message means, with the mailbox position.

    Records ``event`` (credited to ``message.send_id``), stops the contact's active enrollment
    (``stop_reason``; with ``company``, the colleagues too), suppresses ``suppress``, marks the
    answered send bounced (``bounce_send``) or pauses the enrollment (``pause_until``), as asked.
    A ``referral`` (the contact a reply points to) is added unless the address is known already;
    it is never enrolled. The event carries the message's intent.
    A message handled before (same key) moves only the position: False then. A concurrent
    duplicate raises ``IntegrityError`` at its insert, before any effect.
    """
    set_position(
        conn, message.sender, mailbox, uidvalidity=uidvalidity, last_uid=message.uid, at=message.at
    )
    if seen(conn, message.key):
        return False
    add(conn, message)  # the unique key first: a concurrent duplicate fails here
    contact_id, at = message.contact_id, message.at
    if referral is not None and contacts.by_email(conn, referral.email) is None:
        contacts.upsert(conn, [referral], now=at)
    if suppress is not None:
        reason = event or stop_reason or message.kind  # a complaint stops as an unsubscribe
        suppressions.add(conn, suppress, reason=reason, at=at, source="inbox")
    if bounce_send and message.send_id is not None:
        sends.bounce_sent(conn, message.send_id, error=message.detail)
    if contact_id is not None and stop_reason is not None:
        enrollments.stop(
            conn,
            contact_id,
            kind=event or stop_reason,
            reason=stop_reason,
            at=at,
            detail=message.detail,
            send_id=message.send_id,
            company=company,
            intent=message.intent,
        )
    elif contact_id is not None and event is not None:
        active = enrollments.active_of(conn, contact_id)
        events.add(
            conn,
            kind=event,
            at=at,
            contact_id=contact_id,
            detail=message.detail,
            send_id=message.send_id,
            enrollment_id=active.id if active else None,
            intent=message.intent,
        )
        if pause_until is not None and active is not None:
            enrollments.pause(conn, active, pause_until)
    return True
