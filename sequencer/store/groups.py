"""Group commit: the send path's writes for several sends in one transaction.

A dispatcher's lanes hand their writes to one writer (:mod:`sequencer.writer`), which runs them
here together: the results of sends that went out (marked ``sent``, day 0 anchored, the next step
queued or the enrollment completed) and the ``sending`` marks of sends about to go out. Each mark
is still one statement that re-checks the stop, the suppression list and the holds, and takes a
slot in the sender's day under its cap and gap; a mark that cannot be taken is undone on its own
row, so one refused send never rolls back the others. Results go in with ``executemany``. Every
statement is built once.

On PostgreSQL a group takes fewer statements, since most of a statement's cost is the client's:
a mark and its slot are one statement (:func:`begin_slot`: the send row is re-checked and locked,
then the slot taken, then the mark written, so a refused slot leaves nothing to undo), and a
group's results are one statement over arrays (:data:`RECORD_ALL`). :mod:`pipeline`
sends them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from sequencer.status import EnrollmentStatus, SendStatus
from sequencer.store import raw
from sequencer.store.core import aware
from sequencer.store.holds import holding
from sequencer.store.sender_days import BeginStatus, Begun, Quota, ensure_day
from sequencer.store.sends import NewChain, NewSend
from sequencer.store.tables import (
    ENROLLMENTS,
    SENDER_DAYS,
    SENDS,
    SUPPRESSIONS,
    Send,
)


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


def _slot_free(tag: str = "") -> tuple[Any, ...]:
    """The sender's day has a slot: under the cap, after the gap, not paused. ``tag`` ends each
    parameter's name (one statement may take several slots: :func:`mark_ctes`)."""
    d, p = SENDER_DAYS.c, sa.bindparam
    return (
        d.sender == p(f"_sender{tag}"),
        d.day == p(f"_day{tag}"),
        d.sent < p(f"_cap{tag}"),
        sa.or_(d.last_at.is_(None), d.last_at <= p(f"_gap_since{tag}")),
        sa.or_(d.paused_until.is_(None), d.paused_until <= p(f"_now{tag}")),
    )


_SLOT_FREE = _slot_free()


def _not_queued(enrollment_id: Any, step_index: Any) -> Any:
    """The enrollment has no send for that step yet: a result written again (its group's commit
    went through, but the answer was lost with the connection, and the writer wrote its items
    again one by one) queues the next step once."""
    prior = SENDS.alias("prior")
    return ~sa.exists().where(
        prior.c.enrollment_id == enrollment_id, prior.c.step_index == step_index
    )


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
    slot = sa.update(d).where(*_SLOT_FREE).values(sent=d.c.sent + 1, last_at=p("_now"))
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
    new = _not_queued(
        p("_enrollment_id", type_=e.c.id.type), p("_step_index", type_=s.c.step_index.type)
    )
    queue = sa.insert(s).from_select(list(columns), sa.select(*values).where(is_active, new))
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


def _eligible(keys: int, tag: str = "") -> list[Any]:
    """What a send's ``sending`` mark re-checks, with ``keys`` suppression keys (``_key0`` …): still
    claimed by this worker, its enrollment active, its address not suppressed, nothing held. A
    plain ``IN`` of that many parameters compiles once, where an expanding one is rewritten at
    every execution. ``tag`` ends each parameter's name."""
    s, e, p = SENDS, ENROLLMENTS, sa.bindparam
    active = sa.exists().where(e.c.id == s.c.enrollment_id, e.c.status == EnrollmentStatus.ACTIVE)
    keyed: list[Any] = [p(f"_key{i}{tag}") for i in range(keys)]
    # no key, nothing to look up: an empty IN is completed only at execution, which a statement
    # sent as it was compiled (the pipeline, one statement per group) never is
    suppressed = [~sa.exists().where(SUPPRESSIONS.c.key.in_(keyed))] if keys else []
    return [
        s.c.id == p(f"_id{tag}"),
        s.c.status == SendStatus.CLAIMED,
        s.c.claimed_by == p(f"_worker{tag}"),
        active,
        *suppressed,
        ~holding(),
    ]


def _sending(tag: str = "") -> dict[str, Any]:
    """What a ``sending`` mark writes (``tag`` ends each parameter's name)."""
    p = sa.bindparam
    return {
        "status": SendStatus.SENDING,
        "sent_at": p(f"_now{tag}"),
        "attempts": SENDS.c.attempts + 1,
        **{h: p(f"_{h}{tag}") for h in _HEADERS},
    }


@lru_cache(maxsize=8)
def begin_alone(keys: int) -> Any:
    """The ``sending`` mark for a send with ``keys`` suppression keys, alone (its slot, if any, is
    taken by the next statement)."""
    return sa.update(SENDS).where(*_eligible(keys)).values(**_sending())


@lru_cache(maxsize=8)
def begin_slot(keys: int) -> Any:
    """PostgreSQL: the ``sending`` mark and its slot in the sender's day, in one statement
    (:func:`mark_ctes`). It answers whether the send was still eligible, and whether it was
    marked."""
    ok, mark = mark_ctes(keys, slot=True)
    return sa.select(sa.exists().select_from(ok), sa.exists().select_from(mark))


def mark_ctes(keys: int, *, slot: bool, tag: str = "") -> tuple[Any, Any]:
    """PostgreSQL: a ``sending`` mark as common table expressions, ``ok`` and ``mark`` (their
    names and their parameters' end in ``tag``). The send row is re-checked as
    :func:`begin_alone` does and locked (``ok``); with ``slot``, only then is the slot taken
    (``slot``), under the cap, after the gap and outside a pause, and only with the slot is the
    mark written (``mark``), so a refused slot leaves nothing to undo. A concurrent stop that
    changed the row first is seen (the lock re-reads it); one that comes later waits for this
    transaction."""
    s, d, p = SENDS, SENDER_DAYS, sa.bindparam
    ok = sa.select(s.c.id).where(*_eligible(keys, tag)).with_for_update(of=s).cte(f"ok{tag}")
    marked = [s.c.id == p(f"_id{tag}"), s.c.id.in_(sa.select(ok.c.id))]
    if slot:
        taken = (
            sa.update(d)
            .where(*_slot_free(tag), sa.exists().select_from(ok))
            .values(sent=d.c.sent + 1, last_at=p(f"_now{tag}"))
            .returning(d.c.sent)
            .cte(f"slot{tag}")
        )
        marked.append(sa.exists().select_from(taken))
    mark = sa.update(s).where(*marked).values(**_sending(tag)).returning(s.c.id).cte(f"mark{tag}")
    return ok, mark


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
    if conn.dialect.name == "postgresql":
        lock_days(conn, beginnings, known_days)
    outcomes: dict[int, Begun] = {}
    for index in by_sender(beginnings):
        outcomes[index] = begin(conn, beginnings[index], known_days)
    return [outcomes[i] for i in range(len(beginnings))]


def days_to_lock(beginnings: Sequence[Beginning]) -> list[tuple[str, str]]:
    """The sender days the marks take slots in, in the order every path locks them."""
    return sorted({(b.quota.sender, b.quota.day) for b in beginnings if b.quota is not None})


def lock_days_statement() -> Any:
    """PostgreSQL: lock the sender days of a group's marks (``_days_sender``, ``_days_day``) in
    (sender, day) order, before any mark. Each mark then starts its statement, and so reads the
    suppression list and the holds, only once its day is its transaction's: a mark that waited
    for the day in its own statement would read them as they were before the wait, however
    long it was, and send to an address suppressed meanwhile."""
    d = SENDER_DAYS
    keys = _unnest("days", sender=sa.String(), day=sa.String())
    return (
        sa.select(d.c.sender)
        .select_from(d.join(keys, sa.and_(d.c.sender == keys.c.sender, d.c.day == keys.c.day)))
        .order_by(d.c.sender, d.c.day)
        .with_for_update(of=d)
    )


def lock_days(
    conn: sa.Connection, beginnings: Sequence[Beginning], known_days: set[tuple[str, str]]
) -> None:
    """PostgreSQL: make the marks' sender days this process has not seen (a new day's row starts
    from the sends already begun), then lock them all (:func:`lock_days_statement`)."""
    make_days(conn, beginnings, known_days)
    days = days_to_lock(beginnings)
    if days:
        conn.execute(LOCK_DAYS, lock_days_values(days))


def make_days(
    conn: sa.Connection, beginnings: Sequence[Beginning], known_days: set[tuple[str, str]]
) -> None:
    """Make the marks' sender days this process has not seen, in (sender, day) order: an insert
    that meets another worker's waits for it, so every worker makes them in one order."""
    quotas = {(b.quota.sender, b.quota.day): b.quota for b in beginnings if b.quota is not None}
    for key in sorted(quotas.keys() - known_days):
        ensure_day(conn, quotas[key])
        known_days.add(key)


def lock_days_values(days: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    return {"_days_sender": [s for s, _ in days], "_days_day": [d for _, d in days]}


def by_sender(beginnings: Sequence[Beginning]) -> list[int]:
    """The marks' indexes sorted by sender: every path writes them in this order, so two workers
    lock the sender days in one order."""
    return sorted(range(len(beginnings)), key=lambda i: beginnings[i].send.sender)


def begin(conn: sa.Connection, item: Beginning, known_days: set[tuple[str, str]]) -> Begun:
    """Mark one send ``sending`` if it is still claimed by its worker, its enrollment active,
    its address not suppressed and nothing held; then take its slot, or undo the mark."""
    send, quota = item.send, item.quota
    make_days(conn, [item], known_days)  # before the mark: a new day starts from those begun
    values = mark_values(item)
    if quota is not None and conn.dialect.name == "postgresql":
        return begin_with_slot(conn, item, quota, values)
    if raw.execute(conn, begin_alone(len(item.suppression_keys)), values) != 1:
        return not_begun(conn, send)
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


def mark_values(item: Beginning) -> dict[str, Any]:
    """The parameters of ``item``'s ``sending`` mark (its slot's aside)."""
    return {
        "_id": item.send.id,
        "_worker": item.worker,
        "_now": item.now,
        **{f"_key{i}": key for i, key in enumerate(item.suppression_keys)},
        **_headers(item),
    }


def mark_params(item: Beginning) -> dict[str, Any]:
    """The parameters of ``item``'s mark as one statement takes it: with its slot's, when it
    takes one (:func:`begin_slot`, :func:`mark_ctes`)."""
    params = mark_values(item)
    if item.quota is not None:
        params |= slot_values(item.quota, item.now)
    return params


def begin_with_slot(
    conn: sa.Connection, item: Beginning, quota: Quota, values: dict[str, Any]
) -> Begun:
    """The mark and its slot in one statement (:func:`begin_slot`); why not, when not."""
    slot = slot_values(quota, item.now)
    eligible, marked = conn.execute(begin_slot(len(item.suppression_keys)), values | slot).one()
    if marked:
        return Begun(BeginStatus.STARTED)
    if not eligible:
        return not_begun(conn, item.send)
    refused = refusal(conn, quota, item.now)
    if refused is None:  # the day's row is gone (erased by a test or a tool): make it, once more
        remake_day(conn, quota)
        return begin_with_slot(conn, item, quota, values)
    return refused


def remake_day(conn: sa.Connection, quota: Quota) -> None:
    """PostgreSQL: make a sender day found gone, and lock it before the mark is tried again, so
    that mark reads what was committed while it waited (:func:`lock_days_statement`)."""
    ensure_day(conn, quota)
    conn.execute(LOCK_DAYS, lock_days_values([(quota.sender, quota.day)]))


def not_begun(conn: sa.Connection, send: Send) -> Begun:
    """A send its mark did not take: held, or gone (stopped, suppressed, taken over)."""
    held = conn.execute(_SQL["held"], {"_id": send.id}).first() is not None
    return Begun(BeginStatus.HELD if held else BeginStatus.GONE)


def slot_values(quota: Quota, now: datetime) -> dict[str, Any]:
    return {
        "_sender": quota.sender,
        "_day": quota.day,
        "_cap": quota.cap,
        "_gap_since": now - quota.gap,
        "_now": now,
    }


def _take_slot(conn: sa.Connection, quota: Quota, now: datetime) -> Begun | None:
    """Count one send in the sender's day if the cap, the gap and a pause allow it; else why not,
    and until when."""
    if raw.execute(conn, _SQL["slot"], slot_values(quota, now)) == 1:
        return None
    refused = refusal(conn, quota, now)
    if refused is None:  # the day's row is gone (erased by a test or a tool): make it, once more
        ensure_day(conn, quota)
        return _take_slot(conn, quota, now)
    return refused


def refusal(conn: sa.Connection, quota: Quota, now: datetime) -> Begun | None:
    """Why the sender's day gave no slot, and until when; None when its row is missing."""
    row = conn.execute(_SQL["state"], {"_sender": quota.sender, "_day": quota.day}).first()
    if row is None:
        return None
    sent, last_at, paused = row[0], aware(row[1]), aware(row[2])
    if paused is not None and paused > now:
        return Begun(BeginStatus.TOO_SOON, retry_at=paused)
    if sent >= quota.cap:
        return Begun(BeginStatus.FULL, retry_at=quota.until)
    return Begun(BeginStatus.TOO_SOON, retry_at=(last_at or now) + quota.gap)


def record(conn: sa.Connection, records: Sequence[SentRecord]) -> None:
    """Mark sends ``sent``, anchor day 0 on message 1, then queue each next step (while its
    enrollment is active) or complete the enrollment (and defer its chained sequence)."""
    raw.execute_many(conn, _SQL["mark"], [{"_id": r.send.id, "_at": r.sent_at} for r in records])
    follow(conn, records)


def follow(conn: sa.Connection, records: Sequence[SentRecord]) -> None:
    """What follows sends that went out: day 0 anchored on message 1, then each next step queued
    (while its enrollment is still active) or the enrollment completed, and when its sequence
    chains, the next sequence's enrollment deferred (only when this one completed, not stopped).
    """
    anchors = [
        {"_id": r.send.enrollment_id, "_at": r.sent_at} for r in records if r.send.step_index == 0
    ]
    raw.execute_many(conn, _SQL["anchor"], anchors)
    queued = [_next_row(r, r.next_send) for r in records if isinstance(r.next_send, NewSend)]
    raw.execute_many(conn, _SQL["queue"], queued)
    ending = [
        {"_id": r.send.enrollment_id, "_at": r.sent_at} for r in records if r.next_send is None
    ]
    raw.execute_many(conn, _SQL["complete"], ending)
    chain(conn, records)


def chain(conn: sa.Connection, records: Sequence[SentRecord]) -> None:
    """Each enrollment whose sequence chains completed, and the next one deferred (only when this
    one completed, not stopped)."""
    for r in records:
        if isinstance(r.next_send, NewChain):
            completed = conn.execute(
                _SQL["complete"], {"_id": r.send.enrollment_id, "_at": r.sent_at}
            )
            if completed.rowcount == 1:
                _defer_chain(conn, r.send, r.next_send, at=r.sent_at)


def _unnest(name: str, **columns: Any) -> Any:
    """PostgreSQL: rows of ``columns`` from one array parameter each (``_<name>_<column>``).
    ``unnest`` of parameters is planned for a few rows, so each row is joined by its key's index
    (a JSON recordset is planned for 100 and joined by a scan of the whole table)."""
    arrays = [sa.bindparam(f"_{name}_{c}", type_=ARRAY(t)) for c, t in columns.items()]
    return (
        sa.func.unnest(*arrays)
        .table_valued(*(sa.column(c, t) for c, t in columns.items()))
        .render_derived(name=name)
    )


def _record_all() -> tuple[Any, Any, Any]:
    """PostgreSQL: what :func:`record` writes, for every record of a group, over arrays: the sends
    marked ``sent`` (``done``); each enrollment's day 0 anchored on message 1 and, after its last
    step, the enrollment completed (``ends``: one UPDATE, since a statement may change a row
    once); each next step queued while its enrollment is active (``queued``). The first two as
    common table expressions, the last as the INSERT that ends the statement."""
    s, e, text, number = SENDS, ENROLLMENTS, sa.String(), sa.Integer()
    when = sa.DateTime(timezone=True)
    done = _unnest("done", id=number, at=when)
    sent = (
        sa.update(s)
        .where(s.c.id == done.c.id)
        .values(status=SendStatus.SENT, sent_at=done.c.at, lease_until=None)
        .returning(s.c.id)
        .cte("sent")
    )
    ends = _unnest("ends", id=number, at=when, first=sa.Boolean(), last=sa.Boolean())
    anchoring = sa.and_(ends.c.first, e.c.anchor_at.is_(None))
    completing = sa.and_(ends.c.last, e.c.status == EnrollmentStatus.ACTIVE)
    ended = (
        sa.update(e)
        .where(e.c.id == ends.c.id, sa.or_(anchoring, completing))
        .values(
            anchor_at=sa.case((anchoring, ends.c.at), else_=e.c.anchor_at),
            status=sa.case((completing, EnrollmentStatus.COMPLETED), else_=e.c.status),
            finished_at=sa.case((completing, ends.c.at), else_=e.c.finished_at),
        )
        .returning(e.c.id)
        .cte("ended")
    )
    nexts = _unnest(
        "queued",
        enrollment_id=number,
        contact_id=number,
        sequence=text,
        sender=text,
        step_key=text,
        step_index=number,
        channel=text,
        due_at=when,
        created_at=when,
    )
    rows = sa.select(
        *nexts.c,
        sa.literal(SendStatus.SCHEDULED, text).label("status"),
        sa.literal(0, number).label("attempts"),
    ).where(
        e.c.id == nexts.c.enrollment_id,
        e.c.status == EnrollmentStatus.ACTIVE,
        _not_queued(nexts.c.enrollment_id, nexts.c.step_index),
    )
    columns = [*(c.name for c in nexts.c), "status", "attempts"]
    return sent, ended, sa.insert(s).from_select(columns, rows)


_SENT, _ENDED, _QUEUE = _record_all()
#: PostgreSQL: :func:`record` for a whole group, in one statement (``_done_id`` … arrays).
RECORD_ALL = _QUEUE.add_cte(_SENT, _ENDED)
LOCK_DAYS = lock_days_statement()


def group_statement(records: bool, marks: tuple[tuple[int, bool], ...]) -> Any:
    """PostgreSQL: a whole group in one statement: :data:`RECORD_ALL` (when ``records``) and one
    :func:`mark_ctes` per mark, given as (its suppression keys, whether it takes a slot), with
    parameters ending in ``__0``, ``__1`` …, in the order given. It answers how many sends the
    results marked ``sent``, enrollments they changed and steps they queued (0 without
    ``records``), then, for each mark in turn, whether its send was still eligible and whether
    it was marked. PostgreSQL runs the expressions in that order, and so takes the locks in the
    pipeline's order: the results' rows first (as a stop, enrollments before their sends), then
    each mark's send and sender day, the marks sorted by sender by the caller (two workers lock
    the sender days in one order). The marks must take slots in different sender days: a
    statement changes a row once. Run alone (autocommit), it is its own transaction."""
    columns: list[Any] = []
    if records:
        queue = _QUEUE.returning(SENDS.c.id).cte("queue")
        columns += [sa.select(sa.func.count()).select_from(c).scalar_subquery()
                    for c in (_SENT, _ENDED, queue)]  # fmt: skip
    else:
        columns += [sa.literal(0)] * 3
    for index, (keys, slot) in enumerate(marks):
        ok, mark = mark_ctes(keys, slot=slot, tag=f"__{index}")
        columns += [sa.exists().select_from(ok), sa.exists().select_from(mark)]
    return sa.select(*columns)


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
    timezone = conn.execute(_TIMEZONE, {"_id": send.enrollment_id}).scalar_one()
    conn.execute(
        _DEFER,
        {
            "contact_id": send.contact_id,
            "sequence": chain.sequence,
            "sender": send.sender,
            "status": EnrollmentStatus.DEFERRED,
            "timezone": timezone,
            "enrolled_at": at,
            "starts_at": chain.starts_at,
            "previous_id": send.enrollment_id,
        },
    )


_TIMEZONE = sa.select(ENROLLMENTS.c.timezone).where(ENROLLMENTS.c.id == sa.bindparam("_id"))
_DEFER = sa.insert(ENROLLMENTS)
