"""Enrollments: one contact's run through one sequence. Enrolling with the first send, chained
(deferred) enrollments starting or being skipped, and stopping: the event, the stop, the cancelled
steps and tasks, and with a company scope everyone else at the company, in the caller's
transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select

from sequencer.model import StopReason
from sequencer.status import EnrollmentStatus, SendStatus, TaskStatus
from sequencer.store import events, sends, tasks
from sequencer.store.core import aware, batches, built, first_model, models
from sequencer.store.tables import CONTACTS, ENROLLMENTS, SENDS, TASKS, Enrollment

#: An enrollment that can still send, or start to.
OPEN = (EnrollmentStatus.ACTIVE, EnrollmentStatus.DEFERRED)


@dataclass(frozen=True, kw_only=True)
class NewEnrollment:
    """What :meth:`Store.enroll` writes for one contact: the enrollment and its first send."""

    contact_id: int
    sequence: str
    sender: str
    timezone: str
    step_key: str
    channel: str
    due_at: datetime


# -- reads ---------------------------------------------------------------------------------------


def active(conn: sa.Connection, contact_ids: list[int]) -> dict[int, Enrollment]:
    """The active enrollment of each of these contacts that has one."""
    found: dict[int, Enrollment] = {}
    for chunk in batches(contact_ids):
        query = select(Enrollment).where(
            col(Enrollment.contact_id).in_(chunk), Enrollment.status == EnrollmentStatus.ACTIVE
        )
        found.update({e.contact_id: e for e in models(conn, query)})
    return found


def active_of(conn: sa.Connection, contact_id: int) -> Enrollment | None:
    """The contact's active enrollment, if any."""
    query = select(Enrollment).where(
        Enrollment.contact_id == contact_id, Enrollment.status == EnrollmentStatus.ACTIVE
    )
    return first_model(conn, query)


def is_active(conn: sa.Connection, contact_id: int) -> bool:
    """Whether the contact has an active enrollment."""
    query = sa.select(ENROLLMENTS.c.id).where(
        ENROLLMENTS.c.contact_id == contact_id, ENROLLMENTS.c.status == EnrollmentStatus.ACTIVE
    )
    return conn.execute(query).first() is not None


def past(conn: sa.Connection, sequence: str, contact_ids: list[int]) -> set[int]:
    """Contacts among ``contact_ids`` ever enrolled in ``sequence`` (not counting skipped ones)."""
    found: set[int] = set()
    for chunk in batches(contact_ids):
        query = sa.select(ENROLLMENTS.c.contact_id).where(
            ENROLLMENTS.c.sequence == sequence,
            ENROLLMENTS.c.status != EnrollmentStatus.SKIPPED,
            ENROLLMENTS.c.contact_id.in_(chunk),
        )
        found.update(conn.execute(query).scalars())
    return found


def of_contact(conn: sa.Connection, contact_id: int) -> list[Enrollment]:
    query = select(Enrollment).where(Enrollment.contact_id == contact_id)
    return models(conn, query.order_by(col(Enrollment.id)))


def by_ids(conn: sa.Connection, ids: list[int]) -> dict[int, Enrollment]:
    found = built(Enrollment, conn.execute(_BY_IDS, {"_ids": ids}))
    return {e.id: e for e in found if e.id is not None}


#: Read at every dispatch tick: built once, given its values at execution.
_BY_IDS = sa.select(ENROLLMENTS).where(ENROLLMENTS.c.id.in_(sa.bindparam("_ids", expanding=True)))


def last_senders(conn: sa.Connection, contact_ids: list[int]) -> dict[int, str]:
    """Each contact's sender in their latest enrollment."""
    found: dict[int, str] = {}
    for chunk in batches(contact_ids):
        query = (
            sa.select(ENROLLMENTS.c.contact_id, ENROLLMENTS.c.sender)
            .where(ENROLLMENTS.c.contact_id.in_(chunk))
            .order_by(ENROLLMENTS.c.id)
        )
        found.update({contact: sender for contact, sender in conn.execute(query)})
    return found


# -- enrolling and chains --------------------------------------------------------------------------


def enroll(conn: sa.Connection, plans: Sequence[NewEnrollment], *, now: datetime) -> None:
    """Write each enrollment (active) and its first send: one multi-row insert each (ids come
    back in the plans' order)."""
    if not plans:
        return
    rows = [
        {
            "contact_id": plan.contact_id,
            "sequence": plan.sequence,
            "sender": plan.sender,
            "status": EnrollmentStatus.ACTIVE,
            "timezone": plan.timezone,
            "enrolled_at": now,
        }
        for plan in plans
    ]
    insert = sa.insert(ENROLLMENTS).returning(ENROLLMENTS.c.id, sort_by_parameter_order=True)
    ids = conn.execute(insert, rows).scalars().all()
    sends.queue_first(conn, [_first_send(i, p, now=now) for i, p in zip(ids, plans, strict=True)])


def _first_send(enrollment_id: int, plan: NewEnrollment, *, now: datetime) -> dict[str, object]:
    return {
        "enrollment_id": enrollment_id,
        "contact_id": plan.contact_id,
        "sequence": plan.sequence,
        "sender": plan.sender,
        "step_key": plan.step_key,
        "channel": plan.channel,
        "due_at": plan.due_at,
        "created_at": now,
    }


def due_chains(conn: sa.Connection, *, now: datetime, limit: int) -> list[Enrollment]:
    """Deferred (chained) enrollments whose start has come, oldest first."""
    query = (
        select(Enrollment)
        .where(Enrollment.status == EnrollmentStatus.DEFERRED, col(Enrollment.starts_at) <= now)
        .order_by(col(Enrollment.starts_at), col(Enrollment.id))
        .limit(limit)
    )
    return models(conn, query)


def next_chain_start(conn: sa.Connection) -> datetime | None:
    """When the earliest deferred enrollment starts."""
    return aware(conn.execute(_NEXT_CHAIN_START).scalar())


#: Read at every wait of the worker and the simulation: built once.
_NEXT_CHAIN_START = sa.select(sa.func.min(ENROLLMENTS.c.starts_at)).where(
    ENROLLMENTS.c.status == EnrollmentStatus.DEFERRED
)


def next_moments(conn: sa.Connection) -> tuple[datetime | None, datetime | None]:
    """The earliest due time of a send still to go out (:func:`sends.next_due`) and when the
    earliest deferred enrollment starts, in one statement."""
    due, starts = conn.execute(_NEXT_MOMENTS).one()
    return aware(due), aware(starts)


_NEXT_MOMENTS = sa.select(sends.NEXT_DUE.scalar_subquery(), _NEXT_CHAIN_START.scalar_subquery())


def deferred(conn: sa.Connection, contact_id: int | None) -> list[Enrollment]:
    """Enrollments waiting to start (of one contact, or all), soonest first."""
    query = select(Enrollment).where(Enrollment.status == EnrollmentStatus.DEFERRED)
    if contact_id is not None:
        query = query.where(Enrollment.contact_id == contact_id)
    return models(conn, query.order_by(col(Enrollment.starts_at), col(Enrollment.id)))


def start_chain(
    conn: sa.Connection, enrollment_id: int, plan: NewEnrollment, *, now: datetime
) -> bool:
    """Turn a deferred enrollment active with its first send. False when it is no longer deferred;
    ``IntegrityError`` when the contact is active elsewhere."""
    started = conn.execute(
        sa.update(ENROLLMENTS)
        .where(ENROLLMENTS.c.id == enrollment_id, ENROLLMENTS.c.status == EnrollmentStatus.DEFERRED)
        .values(
            status=EnrollmentStatus.ACTIVE,
            sender=plan.sender,
            timezone=plan.timezone,
            enrolled_at=now,
        )
    )
    if started.rowcount != 1:
        return False
    sends.queue_first(conn, [_first_send(enrollment_id, plan, now=now)])
    return True


def skip_chain(conn: sa.Connection, enrollment_id: int, *, why: str, at: datetime) -> bool:
    """A deferred enrollment that will not start: kept, marked skipped."""
    done = conn.execute(
        sa.update(ENROLLMENTS)
        .where(ENROLLMENTS.c.id == enrollment_id, ENROLLMENTS.c.status == EnrollmentStatus.DEFERRED)
        .values(status=EnrollmentStatus.SKIPPED, stop_detail=why, finished_at=at)
    )
    return bool(done.rowcount)


def pause(conn: sa.Connection, enrollment: Enrollment, until: datetime) -> None:
    """Hold an enrollment's next step until ``until``; later steps keep their spacing after it."""
    pending = conn.execute(
        sa.select(SENDS.c.id, SENDS.c.due_at)
        .where(SENDS.c.enrollment_id == enrollment.id, SENDS.c.status == SendStatus.SCHEDULED)
        .order_by(SENDS.c.due_at)
    ).first()
    if pending is None or pending.due_at >= until:
        return
    shift = until - pending.due_at
    conn.execute(sa.update(SENDS).where(SENDS.c.id == pending.id).values(due_at=until))
    if enrollment.anchor_at is not None:
        enrollment.anchor_at = enrollment.anchor_at + shift
        conn.execute(
            sa.update(ENROLLMENTS)
            .where(ENROLLMENTS.c.id == enrollment.id)
            .values(anchor_at=enrollment.anchor_at)
        )


# -- stopping --------------------------------------------------------------------------------------


def stop(
    conn: sa.Connection,
    contact_id: int,
    *,
    kind: str,
    reason: str,
    at: datetime,
    detail: str | None,
    send_id: int | None,
    company: str | None = None,
    intent: str | None = None,
) -> Enrollment | None:
    """Record the event (with a reply's ``intent``) and stop the contact's active (and deferred)
    enrollments, cancelling their pending steps and the contact's open tasks; with ``company``,
    stop the colleagues too. Returns the enrollment that was active, as stopped."""
    if company is not None:
        one_company_stop_at_a_time(conn, [company])
    enrollment = active_of(conn, contact_id)
    # a chained enrollment still waiting to start never starts after a stop either
    conn.execute(
        sa.update(ENROLLMENTS)
        .where(
            ENROLLMENTS.c.contact_id == contact_id,
            ENROLLMENTS.c.status == EnrollmentStatus.DEFERRED,
        )
        .values(
            status=EnrollmentStatus.STOPPED, stop_reason=reason, stop_detail=detail, finished_at=at
        )
    )
    if company is not None:
        _stop_colleagues(conn, contact_id, company, kind=kind, at=at)
    if send_id is None:  # credit the latest send that went out to this contact
        send_id = sends.latest_out_id(conn, contact_id)
    if enrollment is not None:
        enrollment_id = enrollment.id
    else:
        enrollment_id = sends.enrollment_of(conn, send_id) if send_id is not None else None
    events.add(
        conn,
        kind=kind,
        at=at,
        contact_id=contact_id,
        detail=detail,
        send_id=send_id,
        enrollment_id=enrollment_id,
        intent=intent,
    )
    # A task still open for this person is moot once they answered or left, even when the
    # enrollment already completed (a LinkedIn task is often the last step).
    tasks.cancel_open(conn, contact_id=contact_id, at=at)
    if enrollment is not None:
        _mark_stopped(conn, enrollment, reason=reason, detail=detail, at=at)
        sends.cancel_pending(conn, enrollment.id)
    return enrollment


@dataclass(frozen=True, kw_only=True)
class Stop:
    """One contact's stop in :func:`stop_many`: what :func:`stop` is given, company aside."""

    contact_id: int
    kind: str
    reason: str
    detail: str | None
    send_id: int | None
    intent: str | None = None


#: What a stop sets on an enrollment, as executemany parameters.
_STOPPED = {
    "status": EnrollmentStatus.STOPPED,
    "stop_reason": sa.bindparam("b_reason"),
    "stop_detail": sa.bindparam("b_detail"),
    "finished_at": sa.bindparam("b_at"),
}
#: :func:`stop_many`'s statements, built once: each runs as one executemany.
_STOP_DEFERRED = (
    sa.update(ENROLLMENTS)
    .where(
        ENROLLMENTS.c.contact_id == sa.bindparam("b_contact"),
        ENROLLMENTS.c.status == EnrollmentStatus.DEFERRED,
    )
    .values(_STOPPED)
)
_STOP_ACTIVE = (
    sa.update(ENROLLMENTS).where(ENROLLMENTS.c.id == sa.bindparam("b_id")).values(_STOPPED)
)
_CANCEL_TASKS = (
    sa.update(TASKS)
    .where(TASKS.c.contact_id == sa.bindparam("b_contact"), TASKS.c.status == TaskStatus.OPEN)
    .values(status=TaskStatus.CANCELLED, closed_at=sa.bindparam("b_at"))
)
_CANCEL_SENDS = (
    sa.update(SENDS)
    .where(
        SENDS.c.enrollment_id == sa.bindparam("b_id"),
        sa.or_(*(SENDS.c.status == status for status in sends.PENDING)),
    )
    .values(status=SendStatus.CANCELLED, claimed_by=None, lease_until=None)
)


def stop_many(
    conn: sa.Connection, stops: Sequence[Stop], *, at: datetime, active: dict[int, Enrollment]
) -> None:
    """:func:`stop` for contacts that are all different, without a company scope, in five
    executemany statements whatever their number. ``active`` holds the contacts' active
    enrollments, read in this transaction."""
    if not stops:
        return
    deferred: list[dict[str, object]] = []
    ended: list[dict[str, object]] = []
    stop_events: list[dict[str, object]] = []
    for one in stops:
        enrollment = active.get(one.contact_id)
        send_id = one.send_id
        if send_id is None:  # credit the latest send that went out to this contact
            send_id = sends.latest_out_id(conn, one.contact_id)
        if enrollment is not None:
            enrollment_id = enrollment.id
        else:
            enrollment_id = sends.enrollment_of(conn, send_id) if send_id is not None else None
        change = {"b_reason": one.reason, "b_detail": one.detail, "b_at": at}
        deferred.append({**change, "b_contact": one.contact_id})
        if enrollment is not None:
            ended.append({**change, "b_id": enrollment.id})
        stop_events.append(
            {
                "kind": one.kind,
                "at": at,
                "contact_id": one.contact_id,
                "enrollment_id": enrollment_id,
                "send_id": send_id,
                "detail": one.detail,
                "intent": one.intent,
            }
        )
    conn.execute(_STOP_DEFERRED, deferred)
    events.add_many(conn, stop_events)
    conn.execute(_CANCEL_TASKS, [{"b_contact": s.contact_id, "b_at": at} for s in stops])
    if ended:
        conn.execute(_STOP_ACTIVE, ended)
        conn.execute(_CANCEL_SENDS, [{"b_id": row["b_id"]} for row in ended])


def _mark_stopped(
    conn: sa.Connection, enrollment: Enrollment, *, reason: str, detail: str | None, at: datetime
) -> None:
    conn.execute(
        sa.update(ENROLLMENTS)
        .where(ENROLLMENTS.c.id == enrollment.id)
        .values(
            status=EnrollmentStatus.STOPPED, stop_reason=reason, stop_detail=detail, finished_at=at
        )
    )
    enrollment.status, enrollment.stop_reason = EnrollmentStatus.STOPPED, reason
    enrollment.stop_detail, enrollment.finished_at = detail, at


def one_company_stop_at_a_time(conn: sa.Connection, companies: Iterable[str]) -> None:
    """PostgreSQL: wait until no other company stop at any of ``companies`` is under way (locks
    held to the end of the transaction, taken in sorted order). Two of them at once, from two
    colleagues' replies, would each lock the other's enrollment as a colleague's and then wait for
    its own: a deadlock, which PostgreSQL breaks after a second by failing one stop. Only company
    stops take these locks, before they lock any enrollment (a bulk stop takes all of its
    companies' before its first stop), so no other writer waits for them. (Locking every
    enrollment at the company in id order instead, the stopper's own among them, made new cycles
    with a bulk stop and with the group writer, which lock enrollments in their own orders.)
    Taking one again in the same transaction returns at once. SQLite's writers take turns as it
    is."""
    if conn.dialect.name != "postgresql":
        return
    for company in sorted({c.lower() for c in companies}):
        conn.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"sequencer company stop {company}"},
        )


def _stop_colleagues(
    conn: sa.Connection, contact_id: int, company: str, *, kind: str, at: datetime
) -> None:
    """``stop_scope: company``: stop everyone else at ``company`` (active and deferred)."""
    colleagues = sa.select(CONTACTS.c.id).where(
        CONTACTS.c.email_key.endswith(f"@{company}", autoescape=True),
        CONTACTS.c.id != contact_id,
    )
    # every colleague's enrollment locked before any of their sends is cancelled (a stop's
    # order, enrollments before their sends, which the group writer's marks rely on)
    found = models(
        conn,
        select(Enrollment)
        .where(col(Enrollment.contact_id).in_(colleagues), col(Enrollment.status).in_(OPEN))
        .order_by(col(Enrollment.id))
        .with_for_update(),
    )
    detail = f"a colleague at {company} ({kind})"
    for other in found:
        if other.status == EnrollmentStatus.ACTIVE:
            events.add(
                conn,
                kind=StopReason.COMPANY.value,
                at=at,
                contact_id=other.contact_id,
                enrollment_id=other.id,
                detail=detail,
            )
            sends.cancel_pending(conn, other.id)
            tasks.cancel_open(conn, enrollment_id=other.id, at=at)
        _mark_stopped(conn, other, reason=StopReason.COMPANY.value, detail=detail, at=at)


def scheduled_of(conn: sa.Connection, enrollment_ids: list[int]) -> list[tuple[int, int, datetime]]:
    """(send id, enrollment id, due) of the scheduled sends of these enrollments, in batches."""
    out: list[tuple[int, int, datetime]] = []
    for chunk in batches(enrollment_ids):
        query = sa.select(SENDS.c.id, SENDS.c.enrollment_id, SENDS.c.due_at).where(
            SENDS.c.enrollment_id.in_(list(chunk)), SENDS.c.status == SendStatus.SCHEDULED
        )
        out += [(row[0], row[1], aware(row[2]) or row[2]) for row in conn.execute(query)]
    return out


def rezone(conn: sa.Connection, zones: dict[int, str], moves: dict[int, datetime]) -> None:
    """Active enrollments timed in a new zone (id -> zone), and their scheduled sends moved
    into its window (send id -> due), in one transaction; a send claimed meanwhile is left."""
    for enrollment_id, zone in zones.items():
        conn.execute(
            sa.update(ENROLLMENTS)
            .where(
                ENROLLMENTS.c.id == enrollment_id, ENROLLMENTS.c.status == EnrollmentStatus.ACTIVE
            )
            .values(timezone=zone)
        )
    for send_id, due in moves.items():
        conn.execute(
            sa.update(SENDS)
            .where(SENDS.c.id == send_id, SENDS.c.status == SendStatus.SCHEDULED)
            .values(due_at=due)
        )
