"""Sends: the outbox rows that are also the queue. Claiming, putting a send back or ending it,
the uncertain sends a person decides on, and the reads of one contact's or one sender's sends. The
send path's own writes (the ``sending`` mark, the recorded result) are in :mod:`groups`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from sequencer.status import EnrollmentStatus, SendStatus
from sequencer.store.core import aware, batches, built, first_model, models
from sequencer.store.holds import holding
from sequencer.store.sender_days import BEGUN
from sequencer.store.tables import ENROLLMENTS, SENDS, Send

#: A send still to go out.
PENDING = (SendStatus.SCHEDULED, SendStatus.CLAIMED)
#: A send a worker holds.
HELD = (SendStatus.CLAIMED, SendStatus.SENDING)


@dataclass(frozen=True, kw_only=True)
class NewSend:
    """The next step of an enrollment, queued when the previous one went out."""

    step_key: str
    step_index: int
    channel: str
    due_at: datetime


@dataclass(frozen=True, kw_only=True)
class NewChain:
    """What follows an enrollment's last step when its sequence chains (``then:``): an enrollment in
    the next sequence, deferred until ``starts_at``, with the same sender."""

    sequence: str
    starts_at: datetime


# -- the queue -----------------------------------------------------------------------------------


def _claim_statement(dialect: str) -> Any:
    """The claim, as one ``UPDATE … WHERE id IN (…) RETURNING`` every column: due scheduled sends
    not held, and claimed sends whose lease ran out, the earliest due first.

    Two index range scans (scheduled by due time; claimed by lease) rather than one OR, which
    databases answer with a scan of the whole table. On PostgreSQL each scan locks its rows with
    SKIP LOCKED, so workers never wait for each other and never claim the same row, and the locked
    rows cannot change before the UPDATE. SQLite has no row locks: its UPDATE re-checks that each
    row is still due (another process may have claimed it since the sub-select read it).
    """
    p = sa.bindparam
    # a send whose sender, sequence or step is held stays queued until a person lifts the hold
    scheduled = sa.and_(
        SENDS.c.status == SendStatus.SCHEDULED, SENDS.c.due_at <= p("_now"), ~holding()
    )
    expired = sa.and_(SENDS.c.status == SendStatus.CLAIMED, SENDS.c.lease_until < p("_now"))
    arms = []
    for condition in (scheduled, expired):
        arm = (
            sa.select(SENDS.c.id, SENDS.c.due_at)
            .where(condition)
            .order_by(SENDS.c.due_at, SENDS.c.id)
            .limit(p("_limit"))
        )
        if dialect == "postgresql":
            arm = arm.with_for_update(skip_locked=True)
        arms.append(sa.select(arm.subquery()))
    both = sa.union_all(*arms).subquery()
    chosen = sa.select(both.c.id).order_by(both.c.due_at, both.c.id).limit(p("_limit"))
    where: list[sa.ColumnElement[bool]] = [SENDS.c.id.in_(chosen)]
    if dialect != "postgresql":
        where.append(sa.or_(scheduled, expired))
    update = (
        sa.update(SENDS)
        .where(*where)
        .values(status=SendStatus.CLAIMED, claimed_by=p("_worker"), lease_until=p("_until"))
        .returning(*SENDS.c)
    )
    return update


_CLAIM = {dialect: _claim_statement(dialect) for dialect in ("postgresql", "sqlite")}


def claim(
    conn: sa.Connection, *, now: datetime, worker: str, limit: int, lease: timedelta
) -> list[Send]:
    """Claim up to ``limit`` due sends (and sends whose lease ran out) for ``worker``, in one
    statement (:func:`_claim_statement`); the sends as claimed, by due time."""
    values = {"_now": now, "_limit": limit, "_worker": worker, "_until": now + lease}
    claimed = built(Send, conn.execute(_CLAIM[conn.dialect.name], values))
    claimed.sort(key=lambda s: (s.due_at, s.id))
    return claimed


def mark_uncertain(conn: sa.Connection, *, before: datetime) -> tuple[list[int], datetime | None]:
    """Rows left in ``sending`` since before ``before`` become ``uncertain``: their ids, and when
    the oldest row still in ``sending`` began (None if none is)."""
    result = conn.execute(
        sa.update(SENDS)
        .where(SENDS.c.status == SendStatus.SENDING, SENDS.c.sent_at < before)
        .values(
            status=SendStatus.UNCERTAIN,
            lease_until=None,
            error="found in 'sending' after a crash or an interrupted tick",
        )
        .returning(SENDS.c.id)
    )
    return list(result.scalars()), oldest_sending(conn)


def oldest_sending(conn: sa.Connection) -> datetime | None:
    """When the oldest row in ``sending`` began (None if none is)."""
    return aware(conn.execute(_OLDEST_SENDING).scalar())


def next_due(conn: sa.Connection) -> datetime | None:
    """The earliest due time of a send still to go out."""
    return aware(conn.execute(NEXT_DUE).scalar())


# Read at every tick (or every wait of the worker and the simulation): built once, since building
# a statement (the hold check's most of all) costs several times what SQLite takes to run it.
_OLDEST_SENDING = sa.select(sa.func.min(SENDS.c.sent_at)).where(
    SENDS.c.status == SendStatus.SENDING
)
NEXT_DUE = sa.select(sa.func.min(SENDS.c.due_at)).where(SENDS.c.status.in_(PENDING), ~holding())


def cancel_pending(conn: sa.Connection, enrollment_id: int | None) -> None:
    """Cancel the enrollment's steps still to go out."""
    conn.execute(
        sa.update(SENDS)
        .where(SENDS.c.enrollment_id == enrollment_id, SENDS.c.status.in_(PENDING))
        .values(status=SendStatus.CANCELLED, claimed_by=None, lease_until=None)
    )


def queue_first(conn: sa.Connection, sends: Sequence[dict[str, Any]]) -> None:
    """Insert first steps (``step_index`` 0, ``scheduled``), given as column values."""
    if sends:
        conn.execute(sa.insert(SENDS), [{**s, **_FIRST} for s in sends])


_FIRST = {"step_index": 0, "status": SendStatus.SCHEDULED, "attempts": 0}


# -- putting back and ending -------------------------------------------------------------------


def reschedule(
    conn: sa.Connection,
    send_id: int,
    due_at: datetime,
    worker: str,
    error: str | None,
    refund: bool,
    keep_message: bool,
) -> None:
    """Put a send ``worker`` holds back in the queue for later (window closed, cap reached, fault).

    ``refund`` gives back the delivery attempt: a pause of the sender is not the recipient's. The
    Message-ID of a failed attempt is dropped (the next attempt is a new message) unless
    ``keep_message``: a re-send of an uncertain message stays that same message. A row that was
    only claimed keeps what it has (a re-send's Message-ID, or none).
    """
    counted = SENDS.c.status == SendStatus.SENDING  # the sending mark counted an attempt for these
    attempts = (
        sa.case((counted, SENDS.c.attempts - 1), else_=SENDS.c.attempts)
        if refund
        else SENDS.c.attempts
    )
    message_id = (
        SENDS.c.message_id if keep_message else sa.case((counted, None), else_=SENDS.c.message_id)
    )
    conn.execute(
        sa.update(SENDS)
        .where(SENDS.c.id == send_id, SENDS.c.claimed_by == worker, SENDS.c.status.in_(HELD))
        .values(
            status=SendStatus.SCHEDULED,
            due_at=due_at,
            claimed_by=None,
            lease_until=None,
            error=error,
            sent_at=None,
            message_id=message_id,
            attempts=attempts,
        )
    )


def finish(
    conn: sa.Connection, send_id: int, *, status: str, worker: str | None, error: str | None
) -> bool:
    """End a held send (bounced, failed, uncertain, cancelled); with ``worker``, only if that
    worker holds it. False when it was no longer held."""
    held = [SENDS.c.id == send_id]
    if worker is not None:
        held.append(SENDS.c.claimed_by == worker)
    held.append(SENDS.c.status.in_(HELD))
    result = conn.execute(
        sa.update(SENDS).where(*held).values(status=status, error=error, lease_until=None)
    )
    return bool(result.rowcount == 1)


def bounce_sent(conn: sa.Connection, send_id: int, *, error: str) -> None:
    """A send that went out came back as a bounce (read from the mailbox)."""
    conn.execute(
        sa.update(SENDS)
        .where(SENDS.c.id == send_id, SENDS.c.status == SendStatus.SENT)
        .values(status=SendStatus.BOUNCED, error=error)
    )


# -- uncertain sends: a person decides -----------------------------------------------------------


def uncertain(conn: sa.Connection, ids: Iterable[int] | None) -> list[Send]:
    """Sends in ``uncertain`` (all, or those among ``ids``), the oldest first."""
    query = select(Send).where(Send.status == SendStatus.UNCERTAIN)
    if ids is not None:
        query = query.where(col(Send.id).in_(list(ids)))
    return models(conn, query.order_by(col(Send.sent_at), col(Send.id)))


def resend_uncertain(conn: sa.Connection, ids: Iterable[int], *, now: datetime) -> list[int]:
    """Put uncertain sends of active enrollments back in the queue as the same message."""
    active = sa.exists().where(
        ENROLLMENTS.c.id == SENDS.c.enrollment_id, ENROLLMENTS.c.status == EnrollmentStatus.ACTIVE
    )
    result = conn.execute(
        sa.update(SENDS)
        .where(SENDS.c.id.in_(list(ids)), SENDS.c.status == SendStatus.UNCERTAIN, active)
        .values(
            status=SendStatus.SCHEDULED,
            due_at=now,
            claimed_by=None,
            lease_until=None,
            sent_at=None,
            error="re-queued by a person after an uncertain send",
        )
        .returning(SENDS.c.id)
    )
    return sorted(result.scalars())


def confirm_sent(conn: sa.Connection, send_id: int | None, *, sent_at: datetime) -> bool:
    """An uncertain send a person confirmed went out; False if it was no longer uncertain."""
    done = conn.execute(
        sa.update(SENDS)
        .where(SENDS.c.id == send_id, SENDS.c.status == SendStatus.UNCERTAIN)
        .values(
            status=SendStatus.SENT,
            sent_at=sent_at,
            lease_until=None,
            error="was uncertain; marked sent by a person",
        )
    )
    return bool(done.rowcount == 1)


def failed_since(conn: sa.Connection, since: datetime) -> int:
    """Sends that failed (given up) since ``since``."""
    when = sa.func.coalesce(SENDS.c.sent_at, SENDS.c.due_at)
    query = sa.select(sa.func.count()).where(SENDS.c.status == SendStatus.FAILED, when >= since)
    return int(conn.execute(query).scalar_one())


def stuck(conn: sa.Connection, *, now: datetime, lease: timedelta) -> list[Send]:
    """Sends held past their lease: ``claimed`` by a worker that is gone, or left in ``sending``."""
    query = select(Send).where(
        sa.or_(
            sa.and_(col(Send.status) == SendStatus.CLAIMED, col(Send.lease_until) < now),
            sa.and_(col(Send.status) == SendStatus.SENDING, col(Send.sent_at) < now - lease),
        )
    )
    return models(conn, query.order_by(col(Send.id)))


# -- reads -----------------------------------------------------------------------------------------


def get(conn: sa.Connection, send_id: int) -> Send | None:
    found = built(Send, conn.execute(_GET, {"_id": send_id}))
    return found[0] if found else None


# Read for every task and every threaded follow-up: built once, and given their values at
# execution (a statement made per call, even by .params(), has its cache key worked out anew).
_GET = sa.select(SENDS).where(SENDS.c.id == sa.bindparam("_id"))


def of_enrollment(conn: sa.Connection, enrollment_id: int) -> list[Send]:
    query = select(Send).where(Send.enrollment_id == enrollment_id)
    return models(conn, query.order_by(col(Send.step_index)))


def thread(conn: sa.Connection, enrollment_id: int) -> list[Send]:
    """The enrollment's emails that went out (or may have), in step order."""
    return built(Send, conn.execute(_THREAD, {"_enrollment_id": enrollment_id}))


_THREAD = (
    sa.select(SENDS)
    .where(
        SENDS.c.enrollment_id == sa.bindparam("_enrollment_id"),
        SENDS.c.channel == "email",
        SENDS.c.message_id.is_not(None),
    )
    .order_by(SENDS.c.step_index)
)


def by_message_id(conn: sa.Connection, message_ids: list[str]) -> list[Send]:
    """Our sends with these Message-IDs, newest first."""
    query = select(Send).where(col(Send.message_id).in_(message_ids))
    return models(conn, query.order_by(col(Send.sent_at).desc(), col(Send.id).desc()))


def latest_to(
    conn: sa.Connection, contact_id: int, *, sender: str | None, since: datetime | None
) -> Send | None:
    """The latest send that went out to a contact (from ``sender``, after ``since``)."""
    out = (SendStatus.SENT, SendStatus.SENDING, SendStatus.UNCERTAIN)
    query = select(Send).where(Send.contact_id == contact_id, col(Send.status).in_(out))
    if sender is not None:
        query = query.where(Send.sender == sender)
    if since is not None:
        query = query.where(col(Send.sent_at) >= since)
    return first_model(conn, query.order_by(col(Send.sent_at).desc(), col(Send.id).desc()))


def latest_out_id(conn: sa.Connection, contact_id: int) -> int | None:
    """The id of the latest send that went out (or is going out) to a contact: what an event about
    the contact is credited to."""
    query = (
        sa.select(SENDS.c.id)
        .where(
            SENDS.c.contact_id == contact_id,
            SENDS.c.status.in_((SendStatus.SENT, SendStatus.SENDING)),
        )
        .order_by(SENDS.c.sent_at.desc(), SENDS.c.id.desc())
    )
    found: int | None = conn.execute(query).scalar()
    return found


def enrollment_of(conn: sa.Connection, send_id: int) -> int | None:
    """The enrollment a send belongs to (None for an unknown send)."""
    query = sa.select(SENDS.c.enrollment_id).where(SENDS.c.id == send_id)
    found: int | None = conn.execute(query).scalar()
    return found


def variant_counts(
    conn: sa.Connection, *, sequence: str, step_key: str, sender: str
) -> tuple[dict[str, int], dict[str, int]]:
    """Assignments so far of each subject and body key of a step, within one sender's mailbox."""
    where = (SENDS.c.sequence == sequence, SENDS.c.step_key == step_key, SENDS.c.sender == sender)
    counts = []
    for key in (SENDS.c.subject_key, SENDS.c.body_key):
        rows = conn.execute(
            sa.select(key, sa.func.count()).where(*where, key.is_not(None)).group_by(key)
        ).all()
        counts.append({k: n for k, n in rows if k})
    return counts[0], counts[1]


def sender_slots(conn: sa.Connection, sender: str, *, since: datetime) -> list[datetime]:
    """The sender's book: its emails begun since ``since`` and those still queued (their due)."""
    mine = sa.and_(SENDS.c.sender == sender, SENDS.c.channel == "email")
    queued = conn.execute(sa.select(SENDS.c.due_at).where(mine, SENDS.c.status.in_(PENDING)))
    made = conn.execute(
        sa.select(SENDS.c.sent_at).where(mine, SENDS.c.status.in_(BEGUN), SENDS.c.sent_at >= since)
    )
    return [moment for (at,) in [*queued, *made] if (moment := aware(at)) is not None]


def first_send_at(conn: sa.Connection, sender: str) -> datetime | None:
    """When the sender's first message went out (None before any)."""
    query = sa.select(sa.func.min(SENDS.c.sent_at)).where(SENDS.c.sender == sender)
    return aware(conn.execute(query).scalar())


def message_times(
    conn: sa.Connection, contact_ids: list[int], *, since: datetime, channels: tuple[str, ...]
) -> dict[int, list[datetime]]:
    """When each contact was sent a message (begun or sent) at or after ``since``."""
    found: dict[int, list[datetime]] = {}
    for chunk in batches(contact_ids):
        query = sa.select(SENDS.c.contact_id, SENDS.c.sent_at).where(
            SENDS.c.contact_id.in_(chunk),
            SENDS.c.channel.in_(channels),
            SENDS.c.status.in_(BEGUN),
            SENDS.c.sent_at >= since,
        )
        for contact, at in conn.execute(query):
            found.setdefault(contact, []).append(at)
    return found
