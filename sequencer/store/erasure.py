"""Erasure (``sequencer forget``, GDPR): the text about a person goes, the anonymous counts stay;
then the database files are compacted so the old bytes leave them too."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from sequencer.contacts import FORGOTTEN
from sequencer.model import StopReason
from sequencer.status import EnrollmentStatus, SendStatus, TaskStatus
from sequencer.store import suppressions
from sequencer.store.enrollments import OPEN
from sequencer.store.sends import PENDING
from sequencer.store.tables import (
    CONTACTS,
    ENROLLMENTS,
    EVENTS,
    INBOUND_MESSAGES,
    SENDS,
    SUPPRESSION_CHANGES,
    SUPPRESSIONS,
    TASKS,
)


def forget(conn: sa.Connection, email_key: str, *, erased_key: str, at: datetime) -> Erasure:
    """Erase what the database holds about the address ``email_key``, in one transaction.

    The contact row stays, anonymised (``email`` 'forgotten', ``email_key`` 'forgotten:<id>',
    every other field empty), so its sends, events and enrollments still count in reports and
    A/B statistics: statuses, variant keys, Message-IDs, times and event kinds are kept. The
    text about the person is cleared: rendered subjects and SMTP errors of the sends, event
    details, task messages, enrollments' stop details and time zones, and the From, subject
    and detail of inbound messages (theirs, or from the address). Open enrollments stop and
    pending steps are cancelled. The address is blanked out wherever else it is written
    (another record's detail, a custom field), and its plaintext suppression is replaced by
    ``erased_key``, so it is never imported or mailed again.
    """
    contact_id = conn.execute(
        sa.select(CONTACTS.c.id).where(CONTACTS.c.email_key == email_key)
    ).scalar()
    counts = _erase_contact(conn, contact_id, at=at) if contact_id is not None else {}
    counts["inbound"] = _erase_inbound(conn, email_key, contact_id)
    counts["mentions"] = _blank_mentions(conn, email_key)
    counts["unsuppressed"] = _swap_suppression(conn, email_key, erased_key, at=at)
    return Erasure(contact_id=contact_id, **counts)


def compact(conn: sa.Connection, *, rewrite: bool) -> Compaction:
    """Push erased text out of the database files, once :func:`forget` has committed.

    SQLite (``secure_delete`` is on, so freed cells and pages were zeroed): checkpoint the
    write-ahead log into the file and truncate it, which drops the old page copies it held;
    ``rewrite`` also runs VACUUM, for a file that held the address before ``secure_delete``
    was turned on (a database made by an older sequencer). PostgreSQL: VACUUM (``rewrite``:
    VACUUM FULL) the touched tables, outside any transaction.
    """
    started = time.perf_counter()
    statement = None
    wal_truncated = None
    dialect = conn.dialect.name
    if dialect == "sqlite":
        if rewrite:
            statement = "VACUUM"
            conn.exec_driver_sql(statement)
        # (busy, frames in the log, frames checkpointed); busy: a reader kept the log in use
        wal_truncated = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()[0] == 0
    elif dialect == "postgresql":
        tables = ", ".join(t.name for t in _ERASED_TABLES)
        statement = f"VACUUM {'FULL ' if rewrite else ''}{tables}"
        conn.exec_driver_sql(statement)
    return Compaction(
        dialect=dialect,
        wal_truncated=wal_truncated,
        vacuum=statement,
        seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True, kw_only=True)
class Erasure:
    """What :meth:`Store.forget` changed: rows whose text about the person was cleared, and the
    rest.
    """

    #: The anonymised contact; None when the address was not a contact.
    contact_id: int | None
    sends: int = 0
    events: int = 0
    tasks: int = 0
    enrollments: int = 0
    #: Inbound messages about the contact or from the address.
    inbound: int = 0
    #: Enrollments still open (active, deferred) that were stopped, and pending steps cancelled.
    stopped: int = 0
    cancelled: int = 0
    #: Records about someone else in which the address was written, now blanked out.
    mentions: int = 0
    #: Plaintext suppression entries of the address removed (its hash replaces them).
    unsuppressed: int = 0


@dataclass(frozen=True, kw_only=True)
class Compaction:
    """What :meth:`Store.compact_after_erasure` did so that the old bytes leave the
    database files.
    """

    dialect: str
    #: SQLite: the write-ahead log was checkpointed and truncated. False when another connection
    #: kept reading past the busy timeout: the old page copies stay in it until a later checkpoint.
    wal_truncated: bool | None
    #: The VACUUM statement run, if any.
    vacuum: str | None
    seconds: float


#: The tables ``forget`` writes to.
_ERASED_TABLES = (
    CONTACTS,
    SENDS,
    EVENTS,
    TASKS,
    ENROLLMENTS,
    INBOUND_MESSAGES,
    SUPPRESSIONS,
    SUPPRESSION_CHANGES,
)
#: Free-text columns in which an address can be written (about the person, or in someone else's
#: record).
_TEXT_COLUMNS: tuple[tuple[sa.Table, tuple[str, ...]], ...] = (
    (SENDS, ("subject", "error")),
    (EVENTS, ("detail",)),
    (TASKS, ("message",)),
    (ENROLLMENTS, ("stop_detail",)),
    (INBOUND_MESSAGES, ("from_address", "subject", "detail")),
)
#: What an address written in someone else's record becomes.
_BLANKED = "[erased]"


def _erase_contact(conn: sa.Connection, contact_id: int, *, at: datetime) -> dict[str, int]:
    """Clear the text about one contact; stop what is open; anonymise the contact row."""
    contacts, sends, events, tasks, enrollments = CONTACTS, SENDS, EVENTS, TASKS, ENROLLMENTS
    their_sends = sa.select(sends.c.id).where(sends.c.contact_id == contact_id)
    their_enrollments = sa.select(enrollments.c.id).where(enrollments.c.contact_id == contact_id)

    def count(statement: Any) -> int:
        return int(conn.execute(statement).rowcount)

    pending = sends.c.status.in_(PENDING)
    counts = {
        "cancelled": count(
            sa.update(sends)
            .where(sends.c.contact_id == contact_id, pending)
            .values(status=SendStatus.CANCELLED, claimed_by=None, lease_until=None)
        ),
        "stopped": count(
            sa.update(enrollments)
            .where(
                enrollments.c.contact_id == contact_id,
                enrollments.c.status.in_(OPEN),
            )
            .values(
                status=EnrollmentStatus.STOPPED,
                stop_reason=StopReason.SUPPRESSED.value,
                finished_at=at,
            )
        ),  # the hash stays suppressed
        "sends": count(
            sa.update(sends)
            .where(sends.c.contact_id == contact_id)
            .values(subject=None, error=None)
        ),
        "enrollments": count(
            sa.update(enrollments)
            .where(enrollments.c.contact_id == contact_id)
            .values(stop_detail=None, timezone="UTC")
        ),
        "events": count(
            sa.update(events)
            .where(
                sa.or_(
                    events.c.contact_id == contact_id,
                    events.c.send_id.in_(their_sends),
                    events.c.enrollment_id.in_(their_enrollments),
                )
            )
            .values(detail=None)
        ),
    }
    conn.execute(
        sa.update(tasks)
        .where(tasks.c.contact_id == contact_id, tasks.c.status == TaskStatus.OPEN)
        .values(status=TaskStatus.CANCELLED, closed_at=at)
    )
    counts["tasks"] = count(
        sa.update(tasks).where(tasks.c.contact_id == contact_id).values(message="")
    )
    conn.execute(
        sa.update(contacts)
        .where(contacts.c.id == contact_id)
        .values(
            email=FORGOTTEN,
            email_key=f"{FORGOTTEN}:{contact_id}",
            first_name=None,
            last_name=None,
            company=None,
            title=None,
            timezone=None,
            linkedin_url=None,
            fields={},
            updated_at=at,
        )
    )
    return counts


def _erase_inbound(conn: sa.Connection, email_key: str, contact_id: int | None) -> int:
    """Clear the inbound messages about the contact, and those from the address that matched
    nobody.
    """
    inbound, sends = INBOUND_MESSAGES, SENDS
    theirs = [sa.func.lower(inbound.c.from_address) == email_key]
    if contact_id is not None:
        theirs += [
            inbound.c.contact_id == contact_id,
            inbound.c.send_id.in_(sa.select(sends.c.id).where(sends.c.contact_id == contact_id)),
        ]
    result = conn.execute(
        sa.update(inbound)
        .where(sa.or_(*theirs))
        .values(from_address=None, subject=None, detail="erased")
    )
    return int(result.rowcount)


def _blank_mentions(conn: sa.Connection, email_key: str) -> int:
    """Replace the address wherever else it is written (case-insensitively); returns the rows
    changed.
    """
    pattern = re.compile(re.escape(email_key), re.IGNORECASE)
    changed = 0
    for table, names in _TEXT_COLUMNS:
        columns = [table.c[name] for name in names]
        found = conn.execute(
            sa.select(table.c.id, *columns).where(
                sa.or_(*(c.icontains(email_key, autoescape=True) for c in columns))
            )
        ).all()
        for id_, *values in found:
            conn.execute(
                sa.update(table)
                .where(table.c.id == id_)
                .values(
                    {
                        name: pattern.sub(_BLANKED, value) if value else value
                        for name, value in zip(names, values, strict=True)
                    }
                )
            )
        changed += len(found)
    contacts = CONTACTS
    found = conn.execute(
        sa.select(contacts.c.id, contacts.c.fields).where(
            sa.cast(contacts.c.fields, sa.Text).icontains(email_key, autoescape=True)
        )
    ).all()
    for id_, fields in found:
        conn.execute(
            sa.update(contacts)
            .where(contacts.c.id == id_)
            .values(
                fields={
                    name: pattern.sub(_BLANKED, str(value))
                    for name, value in (fields or {}).items()
                }
            )
        )
    return changed + len(found)


def _swap_suppression(conn: sa.Connection, email_key: str, erased_key: str, *, at: datetime) -> int:
    """The address's plaintext suppression goes, its hash stays; returns the plaintext entries
    removed.
    """
    return suppressions.swap_for_hash(conn, email_key, erased_key, at=at)
