"""Read-only views for people at a terminal: contacts with their latest enrollment (``sequencer
contacts list``), one contact with everything recorded about them (``contacts show``), what is
due next per sender (``sequencer queue``), and the open enrollments a bulk stop would end.

:class:`Listing` opens one connection per call and never writes; ``Store.listing`` hands one out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from sequencer.addresses import FORGOTTEN, contact_key
from sequencer.status import EnrollmentStatus
from sequencer.store.core import aware, batches, first_model, models
from sequencer.store.sends import PENDING
from sequencer.store.tables import (
    CONTACTS,
    ENROLLMENTS,
    SENDS,
    Contact,
    Enrollment,
    Event,
    Send,
)

#: Enrollments a stop still changes: running, or waiting to start (a chained sequence).
OPEN = (EnrollmentStatus.ACTIVE, EnrollmentStatus.DEFERRED)


@dataclass(frozen=True, kw_only=True)
class ContactLine:
    """One contact in ``contacts list``, with the enrollment the filters picked (its latest)."""

    email: str
    name: str
    company: str
    #: The contact's own zone (None: the sequence's or the sender's is used).
    timezone: str | None
    sequence: str | None
    status: str | None
    stop_reason: str | None
    sender: str | None
    #: The enrollment's zone (what its sends are timed in).
    zone: str | None
    #: When its next step is due (UTC); None when nothing is waiting.
    next_due: datetime | None


@dataclass(frozen=True, kw_only=True)
class ContactPage:
    """Some contacts, and how many matched in all."""

    lines: list[ContactLine]
    total: int


@dataclass(frozen=True, kw_only=True)
class ContactDetail:
    """Everything recorded about one contact, oldest first."""

    contact: Contact
    enrollments: list[Enrollment]
    sends: list[Send]
    events: list[Event]


@dataclass(frozen=True, kw_only=True)
class QueueLine:
    """A send still to go out."""

    sender: str
    email: str
    sequence: str
    step_key: str
    channel: str
    status: str
    due_at: datetime
    #: The recipient's zone, as the enrollment times its sends.
    zone: str


class Listing:
    """The read-only views; one connection per call."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def contacts(
        self, *, sequence: str | None = None, status: str | None = None, limit: int = 50
    ) -> ContactPage:
        """Contacts in import order, each with its latest enrollment (in ``sequence``, with
        ``status``, when given: then only contacts that have one)."""
        latest = sa.select(
            ENROLLMENTS.c.contact_id, sa.func.max(ENROLLMENTS.c.id).label("enrollment_id")
        ).group_by(ENROLLMENTS.c.contact_id)
        if sequence is not None:
            latest = latest.where(ENROLLMENTS.c.sequence == sequence)
        if status is not None:
            latest = latest.where(ENROLLMENTS.c.status == status)
        picked = latest.subquery()
        nxt = (
            sa.select(SENDS.c.enrollment_id, sa.func.min(SENDS.c.due_at).label("next_due"))
            .where(SENDS.c.status.in_(PENDING))
            .group_by(SENDS.c.enrollment_id)
            .subquery()
        )
        filtered = sequence is not None or status is not None
        joined = CONTACTS.join(
            picked, picked.c.contact_id == CONTACTS.c.id, isouter=not filtered
        ).outerjoin(ENROLLMENTS, ENROLLMENTS.c.id == picked.c.enrollment_id)
        joined = joined.outerjoin(nxt, nxt.c.enrollment_id == ENROLLMENTS.c.id)
        where = CONTACTS.c.email != FORGOTTEN
        query = (
            sa.select(CONTACTS, ENROLLMENTS, nxt.c.next_due)
            .select_from(joined)
            .where(where)
            .order_by(CONTACTS.c.id)
            .limit(limit)
        )
        counted = sa.select(sa.func.count()).select_from(joined).where(where)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            total = int(conn.execute(counted).scalar_one())
        return ContactPage(lines=[_line(row) for row in rows], total=total)

    def contact(self, email: str) -> ContactDetail | None:
        """The contact with this address and everything recorded about them; None if unknown."""
        with self.engine.connect() as conn:
            contact = first_model(
                conn, select(Contact).where(col(Contact.email_key) == contact_key(email))
            )
            if contact is None:
                return None
            return ContactDetail(
                contact=contact,
                enrollments=models(
                    conn,
                    select(Enrollment)
                    .where(col(Enrollment.contact_id) == contact.id)
                    .order_by(col(Enrollment.id)),
                ),
                sends=models(
                    conn,
                    select(Send)
                    .where(col(Send.contact_id) == contact.id)
                    .order_by(col(Send.due_at), col(Send.id)),
                ),
                events=models(
                    conn,
                    select(Event)
                    .where(col(Event.contact_id) == contact.id)
                    .order_by(col(Event.at), col(Event.id)),
                ),
            )

    def queue(self, *, sender: str | None = None, limit: int = 10) -> list[QueueLine]:
        """The first ``limit`` sends still to go out for each sender (or for ``sender``), by
        sender, then due time."""
        rank = (
            sa.func.row_number()
            .over(partition_by=SENDS.c.sender, order_by=(SENDS.c.due_at, SENDS.c.id))
            .label("rank")
        )
        inner = (
            sa.select(
                SENDS.c.sender,
                CONTACTS.c.email,
                SENDS.c.sequence,
                SENDS.c.step_key,
                SENDS.c.channel,
                SENDS.c.status,
                SENDS.c.due_at,
                ENROLLMENTS.c.timezone,
                rank,
            )
            .select_from(
                SENDS.join(CONTACTS, CONTACTS.c.id == SENDS.c.contact_id).join(
                    ENROLLMENTS, ENROLLMENTS.c.id == SENDS.c.enrollment_id
                )
            )
            .where(SENDS.c.status.in_(PENDING))
        )
        if sender is not None:
            inner = inner.where(SENDS.c.sender == sender)
        ranked = inner.subquery()
        query = (
            sa.select(ranked)
            .where(ranked.c.rank <= limit)
            .order_by(ranked.c.sender, ranked.c.due_at, ranked.c.rank)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            QueueLine(
                sender=r.sender,
                email=r.email,
                sequence=r.sequence,
                step_key=r.step_key,
                channel=r.channel,
                status=r.status,
                due_at=aware(r.due_at) or r.due_at,
                zone=r.timezone,
            )
            for r in rows
        ]

    def open_enrollments(
        self, *, sequence: str | None = None, contact_ids: Iterable[int] | None = None
    ) -> list[tuple[Contact, Enrollment]]:
        """Each contact with an open (active or waiting) enrollment, and that enrollment: in
        ``sequence`` and among ``contact_ids`` when given."""
        query = (
            select(Contact, Enrollment)
            .join(Enrollment, col(Enrollment.contact_id) == col(Contact.id))
            .where(col(Enrollment.status).in_(OPEN))
            .order_by(col(Contact.id), col(Enrollment.id))
        )
        if sequence is not None:
            query = query.where(col(Enrollment.sequence) == sequence)
        found: dict[int, tuple[Contact, Enrollment]] = {}
        slices = [None] if contact_ids is None else batches(sorted(set(contact_ids)))
        with self.engine.connect() as conn, Session(conn) as session:
            for ids in slices:
                part = query if ids is None else query.where(col(Contact.id).in_(ids))
                for contact, enrollment in session.exec(part).all():
                    assert contact.id is not None
                    found.setdefault(contact.id, (contact, enrollment))
        return list(found.values())


def _line(row: sa.Row[tuple[object, ...]]) -> ContactLine:
    m = row._mapping
    names = [m[CONTACTS.c.first_name], m[CONTACTS.c.last_name]]
    return ContactLine(
        email=m[CONTACTS.c.email],
        name=" ".join(n for n in names if n),
        company=m[CONTACTS.c.company] or "",
        timezone=m[CONTACTS.c.timezone],
        sequence=m[ENROLLMENTS.c.sequence],
        status=m[ENROLLMENTS.c.status],
        stop_reason=m[ENROLLMENTS.c.stop_reason],
        sender=m[ENROLLMENTS.c.sender],
        zone=m[ENROLLMENTS.c.timezone],
        next_due=aware(m["next_due"]),
    )
