"""Group commit: the send path's writes for several sends in one transaction.

A dispatcher's lanes hand their writes to one writer (:mod:`sequencer.writer`), which runs them
here together: the results of sends that went out (marked ``sent``, day 0 anchored, the next step
queued or the enrollment completed) and the ``sending`` marks of sends about to go out. Each mark
is still one statement that re-checks the stop, the suppression list and the holds, and takes a
slot in the sender's day under its cap and gap; a mark that cannot be taken is undone on its own
row, so one refused send never rolls back the others. Results go in with ``executemany`` (one
round trip each on PostgreSQL, whose driver pipelines it). Every statement is built once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from sequencer.status import EnrollmentStatus, SendStatus
from sequencer.store.core import aware
from sequencer.store.holds import holding
from sequencer.store.sender_days import BeginStatus, Begun, Quota, ensure_day
from sequencer.store.sends import NewChain, NewSend
from sequencer.store.tables import ENROLLMENTS, SENDER_DAYS, SENDS, SUPPRESSIONS, Send


@dataclass(frozen=True, kw_only=True)
class Beginning:
    """A send about to go out: what its ``sending`` mark writes, and the slot it takes."""

    send: Send
    worker: str
    now: datetime
    suppression_keys: tuple[str, ...]
    message_id: str | None
    subject: str | None
    subject_key: str | None
    body_key: str | None
    in_reply_to: str | None
    references: str | None
    #: the sender's cap and gap for the day (emails); None takes no slot
    quota: Quota | None = None


@dataclass(frozen=True, kw_only=True)
class SentRecord:
    """A send that went out, and what follows it in its enrollment."""

    send: Send
    sent_at: datetime
    next_send: NewSend | NewChain | None


#: The columns a ``sending`` mark writes from the message (and its undo puts back).
_HEADERS = ("message_id", "subject", "subject_key", "body_key", "in_reply_to", "references")


def _headers(row: Beginning | Send) -> dict[str, Any]:
    """The mark's header parameters, from a new message or from the claimed row as it was."""
    return {f"_{h}": getattr(row, h) for h in _HEADERS}


def _statements() -> dict[str, Any]:
    s, e, d, p = SENDS, ENROLLMENTS, SENDER_DAYS, sa.bindparam
    headers = _HEADERS
    # the claimed row as it was before the mark: only this worker holds it meanwhile
    undo = (
        sa.update(s)
        .where(s.c.id == p("_id"), s.c.status == SendStatus.SENDING)
        .values(
            status=SendStatus.CLAIMED,
            sent_at=p("_sent_at"),
            attempts=p("_attempts"),
            **{h: p(f"_{h}") for h in headers},
        )
    )
    day = sa.and_(d.c.sender == p("_sender"), d.c.day == p("_day"))
    slot = (
        sa.update(d)
        .where(
            day,
            d.c.sent < p("_cap"),
            sa.or_(d.c.last_at.is_(None), d.c.last_at <= p("_gap_since")),
            sa.or_(d.c.paused_until.is_(None), d.c.paused_until <= p("_now")),
        )
        .values(sent=d.c.sent + 1, last_at=p("_now"))
    )
    state = sa.select(d.c.sent, d.c.last_at, d.c.paused_until).where(day)
    held = sa.select(s.c.id).where(s.c.id == p("_id"), holding())
    mark = (
        sa.update(s)
        .where(s.c.id == p("_id"))
        .values(status=SendStatus.SENT, sent_at=p("_at"), lease_until=None)
    )
    anchor = (
        sa.update(e).where(e.c.id == p("_id"), e.c.anchor_at.is_(None)).values(anchor_at=p("_at"))
    )
    complete = (
        sa.update(e)
        .where(e.c.id == p("_id"), e.c.status == EnrollmentStatus.ACTIVE)
        .values(status=EnrollmentStatus.COMPLETED, finished_at=p("_at"))
    )
    # the next step, queued only while the enrollment is still active: one statement
    columns = (
        "enrollment_id",
        "contact_id",
        "sequence",
        "sender",
        "step_key",
        "step_index",
        "channel",
        "due_at",
        "created_at",
        "status",
        "attempts",
    )
    # typed parameters, not CASTs: SQLite would give a CAST AS DATETIME numeric affinity
    values = [p(f"_{c}", type_=s.c[c].type).label(c) for c in columns]
    is_active = sa.and_(
        e.c.id == p("_enrollment_id", type_=e.c.id.type), e.c.status == EnrollmentStatus.ACTIVE
    )
    queue = sa.insert(s).from_select(list(columns), sa.select(*values).where(is_active))
    return {
        "undo": undo,
        "slot": slot,
        "state": state,
        "held": held,
        "mark": mark,
        "anchor": anchor,
        "complete": complete,
        "queue": queue,
    }


_SQL = _statements()


@lru_cache(maxsize=8)
def _begin(keys: int) -> Any:
    """The ``sending`` mark for a send with ``keys`` suppression keys (``_key0`` …): a plain
    ``IN`` of that many parameters, which compiles once, where an expanding one is rewritten at
    every execution."""
    s, e, p = SENDS, ENROLLMENTS, sa.bindparam
    active = sa.exists().where(e.c.id == s.c.enrollment_id, e.c.status == EnrollmentStatus.ACTIVE)
    suppressed = sa.exists().where(SUPPRESSIONS.c.key.in_([p(f"_key{i}") for i in range(keys)]))
    return (
        sa.update(s)
        .where(
            s.c.id == p("_id"),
            s.c.status == SendStatus.CLAIMED,
            s.c.claimed_by == p("_worker"),
            active,
            ~suppressed,
            ~holding(),
        )
        .values(
            status=SendStatus.SENDING,
            sent_at=p("_now"),
            attempts=s.c.attempts + 1,
            **{h: p(f"_{h}") for h in _HEADERS},
        )
    )


def write(
    conn: sa.Connection,
    records: Sequence[SentRecord],
    beginnings: Sequence[Beginning],
    known_days: set[tuple[str, str]],
) -> list[Begun]:
    """Record ``records``, then mark ``beginnings`` (sorted by sender, so two workers lock the
    sender days in one order); the marks' outcomes in the order given. ``known_days`` holds the
    sender days this process knows exist (so their rows are not looked for again)."""
    if records:
        record(conn, records)
    outcomes: dict[int, Begun] = {}
    for index in sorted(range(len(beginnings)), key=lambda i: beginnings[i].send.sender):
        outcomes[index] = begin(conn, beginnings[index], known_days)
    return [outcomes[i] for i in range(len(beginnings))]


def begin(conn: sa.Connection, item: Beginning, known_days: set[tuple[str, str]]) -> Begun:
    """Mark one send ``sending`` if it is still claimed by its worker, its enrollment active,
    its address not suppressed and nothing held; then take its slot, or undo the mark."""
    send, quota = item.send, item.quota
    if quota is not None and (quota.sender, quota.day) not in known_days:
        # before the mark: a new day's row starts from the sends already begun
        ensure_day(conn, quota)
        known_days.add((quota.sender, quota.day))
    keys = item.suppression_keys
    started = conn.execute(
        _begin(len(keys)),
        {
            "_id": send.id,
            "_worker": item.worker,
            "_now": item.now,
            **{f"_key{i}": key for i, key in enumerate(keys)},
            **_headers(item),
        },
    )
    if started.rowcount != 1:
        held = conn.execute(_SQL["held"], {"_id": send.id}).first() is not None
        return Begun(BeginStatus.HELD if held else BeginStatus.GONE)
    if quota is None:
        return Begun(BeginStatus.STARTED)
    refused = _take_slot(conn, quota, item.now)
    if refused is None:
        return Begun(BeginStatus.STARTED)
    conn.execute(
        _SQL["undo"],
        {"_id": send.id, "_sent_at": send.sent_at, "_attempts": send.attempts, **_headers(send)},
    )
    return refused


def _take_slot(conn: sa.Connection, quota: Quota, now: datetime) -> Begun | None:
    """Count one send in the sender's day if the cap, the gap and a pause allow it; else why not,
    and until when."""
    where = {"_sender": quota.sender, "_day": quota.day}
    taken = conn.execute(
        _SQL["slot"], {**where, "_cap": quota.cap, "_gap_since": now - quota.gap, "_now": now}
    )
    if taken.rowcount == 1:
        return None
    row = conn.execute(_SQL["state"], where).first()
    if row is None:  # the day's row is gone (erased by a test or a tool): make it, once more
        ensure_day(conn, quota)
        return _take_slot(conn, quota, now)
    sent, last_at, paused = row[0], aware(row[1]), aware(row[2])
    if paused is not None and paused > now:
        return Begun(BeginStatus.TOO_SOON, retry_at=paused)
    if sent >= quota.cap:
        return Begun(BeginStatus.FULL, retry_at=quota.until)
    return Begun(BeginStatus.TOO_SOON, retry_at=(last_at or now) + quota.gap)


def record(conn: sa.Connection, records: Sequence[SentRecord]) -> None:
    """Mark sends ``sent``, anchor day 0 on message 1, then queue each next step (while its
    enrollment is active) or complete the enrollment (and defer its chained sequence)."""
    conn.execute(_SQL["mark"], [{"_id": r.send.id, "_at": r.sent_at} for r in records])
    follow(conn, records)


def follow(conn: sa.Connection, records: Sequence[SentRecord]) -> None:
    """What follows sends that went out: day 0 anchored on message 1, then each next step queued
    (while its enrollment is still active) or the enrollment completed, and when its sequence
    chains, the next sequence's enrollment deferred (only when this one completed, not stopped).
    """
    anchors = [
        {"_id": r.send.enrollment_id, "_at": r.sent_at} for r in records if r.send.step_index == 0
    ]
    if anchors:
        conn.execute(_SQL["anchor"], anchors)
    queued = [_next_row(r, r.next_send) for r in records if isinstance(r.next_send, NewSend)]
    if queued:
        conn.execute(_SQL["queue"], queued)
    ending = [
        {"_id": r.send.enrollment_id, "_at": r.sent_at} for r in records if r.next_send is None
    ]
    if ending:
        conn.execute(_SQL["complete"], ending)
    for r in records:
        if isinstance(r.next_send, NewChain):
            completed = conn.execute(
                _SQL["complete"], {"_id": r.send.enrollment_id, "_at": r.sent_at}
            )
            if completed.rowcount == 1:
                _defer_chain(conn, r.send, r.next_send, at=r.sent_at)


def _next_row(r: SentRecord, step: NewSend) -> dict[str, Any]:
    send = r.send
    return {
        "_enrollment_id": send.enrollment_id,
        "_contact_id": send.contact_id,
        "_sequence": send.sequence,
        "_sender": send.sender,
        "_step_key": step.step_key,
        "_step_index": step.step_index,
        "_channel": step.channel,
        "_due_at": step.due_at,
        "_created_at": r.sent_at,
        "_status": SendStatus.SCHEDULED,
        "_attempts": 0,
    }


def _defer_chain(conn: sa.Connection, send: Send, chain: NewChain, *, at: datetime) -> None:
    """The next sequence's enrollment, deferred until its start, with the same sender and zone."""
    timezone = conn.execute(
        sa.select(ENROLLMENTS.c.timezone).where(ENROLLMENTS.c.id == send.enrollment_id)
    ).scalar_one()
    conn.execute(
        sa.insert(ENROLLMENTS).values(
            contact_id=send.contact_id,
            sequence=chain.sequence,
            sender=send.sender,
            status=EnrollmentStatus.DEFERRED,
            timezone=timezone,
            enrolled_at=at,
            starts_at=chain.starts_at,
            previous_id=send.enrollment_id,
        )
    )
