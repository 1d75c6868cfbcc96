"""Events and hook nonces: what happened to a contact (reply, goal, bounce, open...), credited to a
send, and the signed hook requests already accepted (a replay is refused)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa

from sequencer.store import sends
from sequencer.store.tables import EVENTS, HOOK_NONCES


def add(
    conn: sa.Connection,
    *,
    kind: str,
    at: datetime,
    contact_id: int | None = None,
    enrollment_id: int | None = None,
    send_id: int | None = None,
    detail: str | None = None,
    intent: str | None = None,
) -> None:
    """Record an event as given (``intent``: a reply's, as :class:`sequencer.inbound.verdict.Intent`
    names them)."""
    conn.execute(
        sa.insert(EVENTS).values(
            kind=kind,
            at=at,
            contact_id=contact_id,
            enrollment_id=enrollment_id,
            send_id=send_id,
            detail=detail,
            intent=intent,
        )
    )


#: One event row per parameter set (an executemany over :func:`add_many`'s rows).
_INSERT = sa.insert(EVENTS)


def add_many(conn: sa.Connection, rows: Sequence[Mapping[str, object]]) -> None:
    """Record events given as column values (kind, at, contact_id, enrollment_id, send_id,
    detail, intent), in their order, in one executemany."""
    if rows:
        conn.execute(_INSERT, list(rows))


def add_credited(
    conn: sa.Connection,
    kind: str,
    at: datetime,
    contact_id: int | None,
    enrollment_id: int | None,
    send_id: int | None,
    detail: str | None,
) -> None:
    """Record an event; one about a contact is credited to the latest send that went out to them."""
    if send_id is None and contact_id is not None:
        send_id = sends.latest_out_id(conn, contact_id)
    add(
        conn,
        kind=kind,
        at=at,
        contact_id=contact_id,
        enrollment_id=enrollment_id,
        send_id=send_id,
        detail=detail,
    )


def add_once(
    conn: sa.Connection,
    kind: str,
    at: datetime,
    since: datetime,
    send_id: int,
    contact_id: int,
    enrollment_id: int | None,
) -> bool:
    """Record an event on a send unless one of that kind was recorded on it since ``since``."""
    recent = conn.execute(
        sa.select(EVENTS.c.id)
        .where(EVENTS.c.kind == kind, EVENTS.c.send_id == send_id, EVENTS.c.at >= since)
        .limit(1)
    ).first()
    if recent is not None:
        return False
    add(conn, kind=kind, at=at, contact_id=contact_id, enrollment_id=enrollment_id, send_id=send_id)
    return True


def kinds(conn: sa.Connection, contact_id: int, *, since: datetime) -> set[str]:
    """The kinds of event recorded for a contact at or after ``since``."""
    query = (
        sa.select(EVENTS.c.kind)
        .where(EVENTS.c.contact_id == contact_id, EVENTS.c.at >= since)
        .distinct()
    )
    return set(conn.execute(query).scalars())


def accept_hook(conn: sa.Connection, signature: str, *, at: datetime, window: timedelta) -> bool:
    """Remember a signed hook request; False if the same signature was accepted before (a
    concurrent duplicate raises ``IntegrityError`` at the insert)."""
    conn.execute(sa.delete(HOOK_NONCES).where(HOOK_NONCES.c.at < at - 2 * window))
    seen = conn.execute(
        sa.select(HOOK_NONCES.c.signature).where(HOOK_NONCES.c.signature == signature)
    ).first()
    if seen is not None:
        return False
    conn.execute(sa.insert(HOOK_NONCES).values(signature=signature, at=at))
    return True
