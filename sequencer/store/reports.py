"""Read-only reports: the counts ``sequencer report``, ``status`` and the dashboard read. Every
query is a GROUP BY, never a row per send."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from sequencer.model import Channel
from sequencer.status import EnrollmentStatus, SendStatus
from sequencer.store.core import unix_period
from sequencer.store.tables import ENROLLMENTS, EVENTS, SENDER_DAYS, SENDS

#: Statuses of a send that went out (or may have): what a stop is counted after.
_WENT_OUT = (SendStatus.SENT, SendStatus.BOUNCED, SendStatus.UNCERTAIN, SendStatus.SENDING)


def _rows(conn: sa.Connection, query: sa.Select[Any]) -> list[Any]:
    return [tuple(row) for row in conn.execute(query)]


def step_counts(conn: sa.Connection) -> list[tuple[str, str, int, str, int]]:
    """(sequence, step_key, step_index, status, count) over all sends."""
    t = SENDS
    cols = (t.c.sequence, t.c.step_key, t.c.step_index, t.c.status)
    return _rows(conn, sa.select(*cols, sa.func.count()).group_by(*cols))


def event_counts(conn: sa.Connection) -> list[tuple[str, str, str, int]]:
    """(sequence, step_key of the latest send before the event, event kind, count)."""
    t, e = SENDS, EVENTS
    cols = (t.c.sequence, t.c.step_key, e.c.kind)
    return _rows(
        conn,
        sa.select(*cols, sa.func.count())
        .select_from(e.join(t, t.c.id == e.c.send_id))
        .group_by(*cols),
    )


def enrollment_counts(conn: sa.Connection) -> list[tuple[str, str, str | None, int]]:
    """(sequence, status, stop_reason, count)."""
    t = ENROLLMENTS
    cols = (t.c.sequence, t.c.status, t.c.stop_reason)
    return _rows(conn, sa.select(*cols, sa.func.count()).group_by(*cols))


def step_events(conn: sa.Connection) -> list[tuple[str, str, str, int]]:
    """(sequence, step_key, event kind, sends of that step with such an event credited to them)."""
    t, e = SENDS, EVENTS
    cols = (t.c.sequence, t.c.step_key, e.c.kind)
    return _rows(
        conn,
        sa.select(*cols, sa.func.count(sa.distinct(e.c.send_id)))
        .select_from(e.join(t, t.c.id == e.c.send_id))
        .group_by(*cols),
    )


def stops(conn: sa.Connection) -> list[tuple[str, str | None, int | None, int]]:
    """(sequence, stop_reason, step_index of the last send that went out before the stop, count)
    of stopped enrollments; the index is None for an enrollment stopped before its first message.
    """
    t, e = SENDS, ENROLLMENTS
    last = (
        sa.select(sa.func.max(t.c.step_index))
        .where(t.c.enrollment_id == e.c.id, t.c.status.in_(_WENT_OUT))
        .scalar_subquery()
    )
    stopped = (
        sa.select(e.c.sequence, e.c.stop_reason, last.label("last"))
        .where(e.c.status == EnrollmentStatus.STOPPED)
        .subquery()
    )
    cols = (stopped.c.sequence, stopped.c.stop_reason, stopped.c.last)
    return _rows(conn, sa.select(*cols, sa.func.count()).group_by(*cols))


def sender_days(conn: sa.Connection) -> list[tuple[str, str, int, int | None]]:
    """(sender, the sender's local date in ISO format, sends counted against its cap that day,
    the cap in force that day; None for a row made before the cap was recorded)."""
    d = SENDER_DAYS
    query = sa.select(d.c.sender, d.c.day, d.c.sent, d.c.cap).order_by(d.c.sender, d.c.day)
    return _rows(conn, query)


def first_message_flow(conn: sa.Connection) -> list[tuple[str, int, int, int]]:
    """(sender, quarter hour, message-1 emails queued in it, message-1 emails out of the queue in
    it).

    Quarter hours are counted from 1970-01-01 UTC (an instant's one is its Unix time // 900).
    Message-1 emails are the step-0 email sends not cancelled; one leaves the queue when it went
    out, or else when it is (or was) due, never before it was queued. Quarter hours keep the count
    independent of the number of sends, and exact in sender-local days: every zone's UTC offset
    today is a whole number of quarter hours, so no quarter hour straddles a local midnight."""
    t = SENDS
    out = sa.func.coalesce(t.c.sent_at, t.c.due_at)
    mine = sa.and_(t.c.step_index == 0, t.c.channel == "email", t.c.status != SendStatus.CANCELLED)
    flow: dict[tuple[str, int], list[int]] = {}
    for position, at in enumerate(
        (t.c.created_at, sa.case((out < t.c.created_at, t.c.created_at), else_=out))
    ):
        quarter = _quarter_hour(conn, at).label("quarter")
        for sender, number, count in _rows(
            conn,
            sa.select(t.c.sender, quarter, sa.func.count())
            .where(mine)
            .group_by(t.c.sender, quarter),
        ):
            flow.setdefault((sender, int(number)), [0, 0])[position] += count
    return [(sender, number, queued, gone) for (sender, number), (queued, gone) in flow.items()]


def _quarter_hour(conn: sa.Connection, at: Any) -> Any:
    """SQL for the quarter hour (Unix time // 900) of the datetime expression ``at``."""
    return unix_period(conn.dialect.name, at, 900)


def reply_delays(conn: sa.Connection, kind: str) -> list[tuple[int, int]]:
    """(whole hours from a send going out to a ``kind`` event credited to it, count of such
    events)."""
    t, e = SENDS, EVENTS
    if conn.dialect.name == "sqlite":  # datetimes are ISO text there
        hours: Any = sa.cast(
            (sa.func.julianday(e.c.at) - sa.func.julianday(t.c.sent_at)) * 24, sa.Integer
        )
    else:
        hours = sa.cast(sa.func.floor(sa.extract("epoch", e.c.at - t.c.sent_at) / 3600), sa.Integer)
    bucket = hours.label("hours")
    query = (
        sa.select(bucket, sa.func.count())
        .select_from(e.join(t, t.c.id == e.c.send_id))
        .where(e.c.kind == kind, t.c.sent_at.is_not(None))
        .group_by(bucket)
        .order_by(bucket)
    )
    return _rows(conn, query)


def sender_complaints(conn: sa.Connection) -> list[tuple[str, int, int]]:
    """(sender, emails that went out (sent or bounced), those with a ``complaint`` event credited
    to them), per sender with an email out."""
    t, e = SENDS, EVENTS
    out_ = t.c.status.in_([SendStatus.SENT, SendStatus.BOUNCED]) & (t.c.channel == Channel.EMAIL)
    per_sender = sa.select(t.c.sender, sa.func.count()).where(out_).group_by(t.c.sender)
    sent = dict(_rows(conn, per_sender))
    complained = dict(
        _rows(
            conn,
            sa.select(t.c.sender, sa.func.count(sa.distinct(e.c.send_id)))
            .select_from(e.join(t, t.c.id == e.c.send_id))
            .where(e.c.kind == "complaint", out_)
            .group_by(t.c.sender),
        )
    )
    return [(sender, int(n), int(complained.get(sender, 0))) for sender, n in sorted(sent.items())]


def reply_intents(conn: sa.Connection) -> list[tuple[str, int]]:
    """(intent, events with it): what replies meant, over every event that has an intent."""
    query = (
        sa.select(EVENTS.c.intent, sa.func.count())
        .where(EVENTS.c.intent.is_not(None))
        .group_by(EVENTS.c.intent)
    )
    return [(str(intent), int(n)) for intent, n in _rows(conn, query)]
