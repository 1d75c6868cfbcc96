"""The store: engine set-up and every query sequencer makes. Nothing else imports SQLAlchemy."""

from __future__ import annotations

import enum
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from sequencer.contacts import ERASED_PREFIX, FORGOTTEN, ContactRow, contact_key
from sequencer.model import StopReason
from sequencer.store import migrate
from sequencer.store.tables import (
    Contact,
    Decision,
    Enrollment,
    Event,
    HookNonce,
    InboundMessage,
    InboxState,
    JobRun,
    Send,
    SenderDay,
    Suppression,
    Task,
    VariantState,
)

_CONTACT_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "company",
    "title",
    "timezone",
    "linkedin_url",
)
_BATCH = 2000


class BeginStatus(enum.Enum):
    STARTED = "started"
    #: stopped, suppressed, or taken over by another worker: do not send
    GONE = "gone"
    #: the sender's daily cap is reached
    FULL = "full"
    #: the sender's previous send was less than its min gap ago
    TOO_SOON = "too_soon"


@dataclass(frozen=True)
class Begun:
    status: BeginStatus
    #: FULL / TOO_SOON: the earliest moment a new attempt can succeed.
    retry_at: datetime | None = None

    def __bool__(self) -> bool:
        return self.status is BeginStatus.STARTED


@dataclass(frozen=True, kw_only=True)
class Quota:
    """A sender's limits for the local day a send would go out on."""

    sender: str
    #: the sender's local date (ISO) and its bounds in UTC
    day: str
    since: datetime
    until: datetime
    cap: int
    gap: timedelta


@dataclass(frozen=True, kw_only=True)
class UpsertCounts:
    inserted: int
    updated: int


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


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL mode, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1].split("?", 1)[0]
        if path and path != ":memory:":
            _create_private(Path(path))
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only (0600) before SQLite opens it; SQLite
    gives its -wal and -shm files the same mode. An existing file is left as it is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    _enter_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # deleted and overwritten content is zeroed, not left in free space (`sequencer forget`)
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _enter_wal(cursor: Any, patience: float = 30.0) -> None:
    """Switch the file to WAL (it stays so). The switch needs the file to itself, and SQLite answers
    "database is locked" at once, without its busy timeout, while another process holds it: so retry
    for up to ``patience`` seconds, as the busy timeout would."""
    deadline = time.monotonic() + patience
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class Store:
    """Every read and write of sequencer's state."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        try:  # an empty database gets the schema; one made by another version raises SchemaOutdated
            migrate.prepare(self.engine)
        except BaseException:
            self.engine.dispose()
            raise

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    # -- contacts -----------------------------------------------------------------------------

    def upsert_contacts(self, rows: Sequence[ContactRow], *, now: datetime) -> UpsertCounts:
        """Insert new contacts and update known ones (matched case-insensitively), atomically.

        A cell that is empty in the file leaves the stored value as it was; custom fields merge.
        """
        inserted = updated = 0
        table = Contact.__table__  # type: ignore[attr-defined]
        # only what a merge reads: no created_at/updated_at to convert back for every known row
        known = sa.select(
            table.c.id, table.c.email_key, *(table.c[c] for c in _CONTACT_COLUMNS), table.c.fields
        )
        with self.engine.begin() as conn:
            insert = _Many(
                conn, sa.insert(table), _NEW_COLUMNS, {"created_at": now, "updated_at": now}
            )
            update = _Many(
                conn,
                sa.update(table).where(table.c.id == sa.bindparam("_id")),
                _CHANGED_COLUMNS,
                {"updated_at": now},
            )
            for start in range(0, len(rows), _BATCH):
                batch = _last_per_key(rows[start : start + _BATCH])
                found = conn.execute(known.where(table.c.email_key.in_(list(batch)))).all()
                existing = {r.email_key: r for r in found}
                new = [_contact_values(row) for key, row in batch.items() if key not in existing]
                changed = [
                    _merged(existing[key], row) for key, row in batch.items() if key in existing
                ]
                if new:
                    insert(new)
                if changed:
                    update(changed)
                inserted += len(new)
                updated += len(changed)
        return UpsertCounts(inserted=inserted, updated=updated)

    def contact(self, email: str) -> Contact | None:
        with self.session() as s:
            return s.exec(select(Contact).where(Contact.email_key == contact_key(email))).first()

    def contacts(
        self, *, emails: Iterable[str] | None = None, where: dict[str, str] | None = None
    ) -> list[Contact]:
        """All contacts, or those with the given addresses and/or field values."""
        query = select(Contact).order_by(col(Contact.id))
        if emails is not None:
            query = query.where(col(Contact.email_key).in_([contact_key(e) for e in emails]))
        found = []
        with self.session() as s:
            for contact in s.exec(query):
                if where and not _matches(contact, where):
                    continue
                found.append(contact)
        return found

    def count_contacts(self) -> int:
        with self.session() as s:
            return s.exec(select(sa.func.count()).select_from(Contact)).one()

    # -- enrollments --------------------------------------------------------------------------

    def active_enrollments(self, contact_ids: Iterable[int]) -> dict[int, Enrollment]:
        ids = list(contact_ids)
        found: dict[int, Enrollment] = {}
        with self.session() as s:
            for start in range(0, len(ids), _BATCH):
                chunk = ids[start : start + _BATCH]
                query = select(Enrollment).where(
                    col(Enrollment.contact_id).in_(chunk), Enrollment.status == "active"
                )
                found.update({e.contact_id: e for e in s.exec(query)})
        return found

    def past_enrollments(self, sequence: str, contact_ids: Iterable[int]) -> set[int]:
        """Contacts among ``contact_ids`` who were ever enrolled in ``sequence`` (or are chained
        into it);
        a chained enrollment that never started (skipped) does not count."""
        ids = list(contact_ids)
        found: set[int] = set()
        with self.session() as s:
            for start in range(0, len(ids), _BATCH):
                query = select(Enrollment.contact_id).where(
                    Enrollment.sequence == sequence,
                    Enrollment.status != "skipped",
                    col(Enrollment.contact_id).in_(ids[start : start + _BATCH]),
                )
                found.update(s.exec(query))
        return found

    def enrollments(self, contact_id: int) -> list[Enrollment]:
        with self.session() as s:
            query = (
                select(Enrollment)
                .where(Enrollment.contact_id == contact_id)
                .order_by(col(Enrollment.id))
            )
            return list(s.exec(query))

    def enroll(self, plans: Sequence[NewEnrollment], *, now: datetime) -> int:
        """Write enrollments with their first send, all or nothing; returns how many."""
        with self.session() as s:
            for plan in plans:
                enrollment = Enrollment(
                    contact_id=plan.contact_id,
                    sequence=plan.sequence,
                    sender=plan.sender,
                    timezone=plan.timezone,
                    enrolled_at=now,
                )
                s.add(enrollment)
                s.flush()
                assert enrollment.id is not None
                s.add(
                    Send(
                        enrollment_id=enrollment.id,
                        contact_id=plan.contact_id,
                        sequence=plan.sequence,
                        sender=plan.sender,
                        step_key=plan.step_key,
                        step_index=0,
                        channel=plan.channel,
                        due_at=plan.due_at,
                        created_at=now,
                    )
                )
            s.commit()
        return len(plans)

    def sender_slots(self, sender: str, *, since: datetime) -> list[datetime]:
        """The sender's book: when each of its emails went out since ``since`` and when each one
        still queued (any step) is due. New placements fill the free slots around them."""
        sends = Send.__table__  # type: ignore[attr-defined]
        mine = sa.and_(sends.c.sender == sender, sends.c.channel == "email")
        with self.engine.connect() as conn:
            queued = conn.execute(
                sa.select(sends.c.due_at).where(mine, sends.c.status.in_(("scheduled", "claimed")))
            )
            made = conn.execute(
                sa.select(sends.c.sent_at).where(
                    mine,
                    sends.c.status.in_(("sending", "sent", "uncertain", "bounced")),
                    sends.c.sent_at >= since,
                )
            )
            return [moment for (at,) in [*queued, *made] if (moment := _aware(at)) is not None]

    def sends(self, enrollment_id: int) -> list[Send]:
        with self.session() as s:
            query = (
                select(Send)
                .where(Send.enrollment_id == enrollment_id)
                .order_by(col(Send.step_index))
            )
            return list(s.exec(query))

    # -- dispatch -----------------------------------------------------------------------------

    def claim_due(self, *, now: datetime, worker: str, limit: int, lease: timedelta) -> list[Send]:
        """Claim up to ``limit`` due sends (and sends whose lease ran out) for ``worker``.

        Two index range scans (scheduled by due time; claimed by lease) rather than one OR,
        which databases answer with a scan of the whole table: the cost stays flat however
        large the backlog. On PostgreSQL the rows are locked with SKIP LOCKED, so workers
        never wait for each other and never claim the same row.
        """
        sends = Send.__table__  # type: ignore[attr-defined]
        scheduled = sa.and_(sends.c.status == "scheduled", sends.c.due_at <= now)
        expired = sa.and_(sends.c.status == "claimed", sends.c.lease_until < now)
        queries = [
            sa.select(sends.c.id, sends.c.due_at)
            .where(condition)
            .order_by(sends.c.due_at, sends.c.id)
            .limit(limit)
            for condition in (scheduled, expired)
        ]
        if self.dialect == "postgresql":
            queries = [q.with_for_update(skip_locked=True) for q in queries]
        with self.engine.begin() as conn:
            found = sorted(
                {row for q in queries for row in conn.execute(q).all()}, key=lambda r: (r[1], r[0])
            )
            ids = [row[0] for row in found[:limit]]
            if ids:
                # the UPDATE re-checks the row is still due: on SQLite the SELECT above runs
                # before the write lock, and another process may have claimed it meanwhile
                claimed = conn.execute(
                    sa.update(sends)
                    .where(sends.c.id.in_(ids), sa.or_(scheduled, expired))
                    .values(status="claimed", claimed_by=worker, lease_until=now + lease)
                    .returning(sends.c.id)
                )
                ids = list(claimed.scalars())
        if not ids:
            return []
        with self.session() as s:
            return list(
                s.exec(
                    select(Send)
                    .where(col(Send.id).in_(ids))
                    .order_by(col(Send.due_at), col(Send.id))
                )
            )

    def mark_uncertain(self, *, before: datetime) -> list[int]:
        """Rows left in ``sending`` since before ``before`` (a crash or a cancelled tick) become
        ``uncertain``: the message may or may not have gone out, so it is never sent again
        without a person's decision."""
        sends = Send.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            result = conn.execute(
                sa.update(sends)
                .where(sends.c.status == "sending", sends.c.sent_at < before)
                .values(
                    status="uncertain",
                    lease_until=None,
                    error="found in 'sending' after a crash or an interrupted tick",
                )
                .returning(sends.c.id)
            )
            return list(result.scalars())

    def next_due(self) -> datetime | None:
        """The earliest due time of a send still to go out."""
        with self.session() as s:
            query = select(sa.func.min(Send.due_at)).where(
                col(Send.status).in_(("scheduled", "claimed"))
            )
            value = s.exec(query).one()
        return _aware(value)

    def contacts_by_id(self, ids: Iterable[int]) -> dict[int, Contact]:
        with self.session() as s:
            return {
                c.id: c
                for c in s.exec(select(Contact).where(col(Contact.id).in_(list(ids))))
                if c.id is not None
            }

    def enrollments_by_id(self, ids: Iterable[int]) -> dict[int, Enrollment]:
        with self.session() as s:
            found = s.exec(select(Enrollment).where(col(Enrollment.id).in_(list(ids))))
            return {e.id: e for e in found if e.id is not None}

    def thread(self, enrollment_id: int) -> list[Send]:
        """The enrollment's emails that went out (or may have), in step order."""
        with self.session() as s:
            query = (
                select(Send)
                .where(
                    Send.enrollment_id == enrollment_id,
                    Send.channel == "email",
                    col(Send.message_id).is_not(None),
                )
                .order_by(col(Send.step_index))
            )
            return list(s.exec(query))

    def sender_load(
        self, sender: str, *, since: datetime, until: datetime
    ) -> tuple[int, datetime | None]:
        """How many sends ``sender`` made in [since, until), and when its latest send went out."""
        with self.engine.connect() as conn:
            return _sender_load(conn, sender, since=since, until=until)

    def send(self, send_id: int) -> Send | None:
        with self.session() as s:
            return s.get(Send, send_id)

    def variant_counts(
        self, *, sequence: str, step_key: str, sender: str
    ) -> tuple[dict[str, int], dict[str, int]]:
        """Assignments so far of each subject and body key of a step, within one sender's
        mailbox.
        """
        with self.session() as s:
            where = (Send.sequence == sequence, Send.step_key == step_key, Send.sender == sender)
            subjects = s.exec(
                select(Send.subject_key, sa.func.count())
                .where(*where, col(Send.subject_key).is_not(None))
                .group_by(col(Send.subject_key))
            ).all()
            bodies = s.exec(
                select(Send.body_key, sa.func.count())
                .where(*where, col(Send.body_key).is_not(None))
                .group_by(col(Send.body_key))
            ).all()
        return {k: n for k, n in subjects if k}, {k: n for k, n in bodies if k}

    def begin_sending(
        self,
        send_id: int,
        *,
        now: datetime,
        worker: str,
        message_id: str | None,
        subject: str | None,
        subject_key: str | None,
        body_key: str | None,
        in_reply_to: str | None,
        references: str | None,
        suppression_keys: Sequence[str],
        quota: Quota | None = None,
    ) -> Begun:
        """Commit ``sending`` (with the Message-ID) just before the channel is called.

        In the same statement it checks that the send is still claimed by ``worker``, the
        enrollment still active and the address not suppressed; a stop (or another worker,
        after this one's lease ran out) that got there first gives ``Begun.GONE``.

        With a ``quota`` (email), the same transaction first takes a slot in the sender's day
        (``sender_days``): under the daily cap and at least the min gap after the sender's
        previous send, whichever worker made it. ``Begun.FULL`` / ``Begun.TOO_SOON`` say when
        to try again (``retry_at``); nothing is changed then.
        """
        with self.engine.connect() as conn, conn.begin() as tx:
            if quota is not None:
                refused = _take_slot(conn, quota, now)
                if refused is not None:
                    tx.rollback()
                    return refused
            result = conn.execute(
                _BEGIN_SENDING,
                {
                    "_id": send_id,
                    "_worker": worker,
                    "_keys": list(suppression_keys),
                    "_now": now,
                    "_message_id": message_id,
                    "_subject": subject,
                    "_subject_key": subject_key,
                    "_body_key": body_key,
                    "_in_reply_to": in_reply_to,
                    "_references": references,
                },
            )
            if result.rowcount != 1:
                tx.rollback()  # and give the slot back
                return Begun(BeginStatus.GONE)
        return Begun(BeginStatus.STARTED)

    def record_sent(
        self, send: Send, *, sent_at: datetime, next_send: NewSend | NewChain | None
    ) -> None:
        """Mark a send done; anchor day 0 on message 1; queue the next step or complete the
        enrollment.

        One transaction; the next step is queued (or the enrollment completed) only while the
        enrollment is still active, so a stop recorded meanwhile is never undone.
        """
        with self.engine.begin() as conn:
            conn.execute(_MARK_SENT, {"_id": send.id, "_at": sent_at})
            _after_sent(conn, send, sent_at=sent_at, next_send=next_send)

    def reschedule(
        self,
        send_id: int,
        *,
        due_at: datetime,
        worker: str,
        error: str | None = None,
        refund: bool = False,
        keep_message: bool = False,
    ) -> None:
        """Put a send ``worker`` holds back in the queue for later (window closed, cap reached,
        fault).

        ``refund`` gives back the delivery attempt: a pause of the sender is not the recipient's.
        The Message-ID of a failed attempt is dropped (the next attempt is a new message) unless
        ``keep_message``: a re-send of an uncertain message stays that same message. A row that
        was only claimed keeps what it has (a re-send's Message-ID, or none).
        """
        sends = Send.__table__  # type: ignore[attr-defined]
        counted = sends.c.status == "sending"  # begin_sending counted an attempt for these
        attempts = (
            sa.case((counted, sends.c.attempts - 1), else_=sends.c.attempts)
            if refund
            else sends.c.attempts
        )
        message_id = (
            sends.c.message_id
            if keep_message
            else sa.case((counted, None), else_=sends.c.message_id)
        )
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(sends)
                .where(
                    sends.c.id == send_id,
                    sends.c.claimed_by == worker,
                    sends.c.status.in_(("claimed", "sending")),
                )
                .values(
                    status="scheduled",
                    due_at=due_at,
                    claimed_by=None,
                    lease_until=None,
                    error=error,
                    sent_at=None,
                    message_id=message_id,
                    attempts=attempts,
                )
            )

    def finish(self, send_id: int, *, status: str, worker: str, error: str | None = None) -> bool:
        """End a send ``worker`` holds: bounced, failed, uncertain or cancelled.

        A send another worker has taken over (or a stop has cancelled) is left as it is.
        """
        sends = Send.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            result = conn.execute(
                sa.update(sends)
                .where(
                    sends.c.id == send_id,
                    sends.c.claimed_by == worker,
                    sends.c.status.in_(("claimed", "sending")),
                )
                .values(status=status, error=error, lease_until=None)
            )
            return result.rowcount == 1

    # -- uncertain sends: a person decides ------------------------------------------------------

    def uncertain_sends(self, ids: Iterable[int] | None = None) -> list[Send]:
        """Sends in ``uncertain`` (all, or those among ``ids``), the oldest first."""
        query = select(Send).where(Send.status == "uncertain")
        if ids is not None:
            query = query.where(col(Send.id).in_(list(ids)))
        with self.session() as s:
            return list(s.exec(query.order_by(col(Send.sent_at), col(Send.id))))

    def resend_uncertain(self, ids: Iterable[int], *, now: datetime) -> list[int]:
        """Put uncertain sends back in the queue, due ``now``, as the same message: the Message-ID,
        subject and variant keys stay, so the dispatcher sends that message again. Only sends whose
        enrollment is still active; returns the ids re-queued."""
        sends, enrollments = Send.__table__, Enrollment.__table__  # type: ignore[attr-defined]
        active = sa.exists().where(
            enrollments.c.id == sends.c.enrollment_id, enrollments.c.status == "active"
        )
        with self.engine.begin() as conn:
            result = conn.execute(
                sa.update(sends)
                .where(sends.c.id.in_(list(ids)), sends.c.status == "uncertain", active)
                .values(
                    status="scheduled",
                    due_at=now,
                    claimed_by=None,
                    lease_until=None,
                    sent_at=None,
                    error="re-queued by a person after an uncertain send",
                )
                .returning(sends.c.id)
            )
            return sorted(result.scalars())

    def confirm_sent(
        self, send: Send, *, sent_at: datetime, next_send: NewSend | NewChain | None
    ) -> bool:
        """An uncertain send a person confirmed went out: recorded as :meth:`record_sent` does
        (day 0 anchored on message 1, the next step queued). False if it was no longer uncertain."""
        sends = Send.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            done = conn.execute(
                sa.update(sends)
                .where(sends.c.id == send.id, sends.c.status == "uncertain")
                .values(
                    status="sent",
                    sent_at=sent_at,
                    lease_until=None,
                    error="was uncertain; marked sent by a person",
                )
            )
            if done.rowcount != 1:
                return False
            _after_sent(conn, send, sent_at=sent_at, next_send=next_send)
        return True

    def failed_since(self, since: datetime) -> int:
        """Sends that failed (given up) since ``since``."""
        with self.session() as s:
            when = sa.func.coalesce(col(Send.sent_at), col(Send.due_at))
            return s.exec(
                select(sa.func.count())
                .select_from(Send)
                .where(Send.status == "failed", when >= since)
            ).one()

    def stuck_sends(self, *, now: datetime, lease: timedelta) -> list[Send]:
        """Sends held past their lease: ``claimed`` by a worker that is gone, or left in ``sending``
        (a running worker turns those into ``uncertain`` on its next tick)."""
        with self.session() as s:
            query = select(Send).where(
                sa.or_(
                    sa.and_(col(Send.status) == "claimed", col(Send.lease_until) < now),
                    sa.and_(col(Send.status) == "sending", col(Send.sent_at) < now - lease),
                )
            )
            return list(s.exec(query.order_by(col(Send.id))))

    # -- stops ----------------------------------------------------------------------------------

    def stop(
        self,
        contact_id: int,
        *,
        kind: str,
        reason: str,
        at: datetime,
        detail: str | None = None,
        send_id: int | None = None,
        suppress: str | None = None,
        company: str | None = None,
    ) -> Enrollment | None:
        """Record the event and stop the contact's active enrollment, cancelling every pending step.

        One transaction (with the suppression of ``suppress``, if given): after it commits, no
        pending send of that contact can start sending. The event is credited to ``send_id``
        (the send it answers), else to the latest send. A chained enrollment waiting to start is
        stopped too; with ``company`` (a domain), so is everyone else at that company.
        """
        with self.session() as s:
            if suppress is not None:
                _suppress_in(s, suppress, reason=reason, at=at)
            enrollment = _stop_in(
                s,
                contact_id,
                kind=kind,
                reason=reason,
                at=at,
                detail=detail,
                send_id=send_id,
                company=company,
            )
            s.commit()
            return enrollment

    def unsubscribe(
        self, contact_id: int, key: str, *, at: datetime, send_id: int | None, detail: str
    ) -> bool:
        """Suppress ``key`` and stop the contact's sequence, in one transaction.

        The event is recorded only when something changed (the address was not suppressed yet,
        or a sequence was still active): a second click, or two at once, add nothing. Returns
        whether anything changed.
        """
        with self.session() as s:
            new = _suppress_in(s, key, reason="unsubscribe", at=at)
            active = s.exec(
                select(Enrollment.id).where(
                    Enrollment.contact_id == contact_id, Enrollment.status == "active"
                )
            ).first()
            if new or active is not None:
                _stop_in(
                    s,
                    contact_id,
                    kind="unsubscribe",
                    reason="unsubscribe",
                    at=at,
                    detail=detail,
                    send_id=send_id,
                )
            s.commit()
            return new or active is not None

    def pause_sender(self, quota: Quota, *, until: datetime) -> None:
        """Hold the sender until ``until`` for every worker (a quota reply from its server)."""
        days = SenderDay.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            _ensure_day(conn, quota)
            conn.execute(
                sa.update(days)
                .where(days.c.sender == quota.sender, days.c.day == quota.day)
                .values(paused_until=until)
            )

    def claim_job(self, job: str, slot: str, *, worker: str, at: datetime) -> bool:
        """True for the one worker that runs ``job`` for ``slot``; every other worker gets False."""
        table = JobRun.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            inserted = conn.execute(
                _insert_ignoring(conn, table, ["job", "slot"])
                .values(job=job, slot=slot, worker=worker, at=at)
                .returning(table.c.job)
            )
            return inserted.first() is not None

    def first_send_at(self, sender: str) -> datetime | None:
        """When the sender's first message went out (None before any)."""
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(sa.func.min(Send.__table__.c.sent_at)).where(  # type: ignore[attr-defined]
                    Send.__table__.c.sender == sender  # type: ignore[attr-defined]
                )
            ).scalar()
        return _aware(value)

    def first_sending_day(self, sender: str) -> date | None:
        """The sender's first local day with an email counted in ``sender_days`` (None before any):
        day 1 of a warm-up ramp that has no fixed start."""
        days = SenderDay.__table__  # type: ignore[attr-defined]
        with self.engine.connect() as conn:
            first = conn.execute(
                sa.select(sa.func.min(days.c.day)).where(days.c.sender == sender, days.c.sent > 0)
            ).scalar()
        return None if first is None else date.fromisoformat(first)

    def suppress(self, key: str, *, reason: str, at: datetime) -> bool:
        """Add an address (or ``@domain``) to the global suppression list; False if it was there."""
        with self.session() as s:
            new = _suppress_in(s, key, reason=reason, at=at)
            s.commit()
            return new

    def suppressed(self, keys: Sequence[str]) -> bool:
        with self.session() as s:
            return (
                s.exec(select(Suppression).where(col(Suppression.key).in_(list(keys)))).first()
                is not None
            )

    def suppress_many(self, keys: Sequence[str], *, reason: str, at: datetime) -> int:
        """Suppress every key in one transaction (all or none); returns how many were new."""
        unique = list(dict.fromkeys(keys))
        with self.session() as s:
            added = sum(_suppress_in(s, key, reason=reason, at=at) for key in unique)
            s.commit()
            return added

    def suppressions(self) -> list[Suppression]:
        with self.session() as s:
            return list(
                s.exec(
                    select(Suppression).order_by(col(Suppression.created_at), col(Suppression.id))
                ).all()
            )

    # -- chaining -------------------------------------------------------------------------------

    def due_chains(self, *, now: datetime, limit: int = 500) -> list[Enrollment]:
        """Deferred (chained) enrollments whose start has come, oldest first."""
        with self.session() as s:
            query = (
                select(Enrollment)
                .where(Enrollment.status == "deferred", col(Enrollment.starts_at) <= now)
                .order_by(col(Enrollment.starts_at), col(Enrollment.id))
                .limit(limit)
            )
            return list(s.exec(query))

    def next_chain_start(self) -> datetime | None:
        """When the earliest deferred enrollment starts."""
        with self.session() as s:
            found = s.exec(
                select(sa.func.min(Enrollment.starts_at)).where(Enrollment.status == "deferred")
            ).one()
        return _aware(found)

    def deferred(self, contact_id: int | None = None) -> list[Enrollment]:
        """Enrollments waiting to start (of one contact, or all), soonest first."""
        with self.session() as s:
            query = select(Enrollment).where(Enrollment.status == "deferred")
            if contact_id is not None:
                query = query.where(Enrollment.contact_id == contact_id)
            return list(s.exec(query.order_by(col(Enrollment.starts_at), col(Enrollment.id))))

    def event_kinds(self, contact_id: int, *, since: datetime) -> set[str]:
        """The kinds of event recorded for a contact at or after ``since`` (reply, open,
        click...).
        """
        with self.session() as s:
            return set(
                s.exec(
                    select(Event.kind)
                    .where(Event.contact_id == contact_id, col(Event.at) >= since)
                    .distinct()
                )
            )

    def start_chain(self, enrollment_id: int, plan: NewEnrollment, *, now: datetime) -> bool:
        """Turn a deferred enrollment active with its first send, in one transaction. False when it
        is no longer deferred (stopped meanwhile) or the contact became active elsewhere."""
        try:
            with self.session() as s:
                started = s.exec(
                    sa.update(Enrollment)
                    .where(
                        col(Enrollment.id) == enrollment_id, col(Enrollment.status) == "deferred"
                    )
                    .values(
                        status="active", sender=plan.sender, timezone=plan.timezone, enrolled_at=now
                    )
                )
                if started.rowcount != 1:
                    return False
                s.add(
                    Send(
                        enrollment_id=enrollment_id,
                        contact_id=plan.contact_id,
                        sequence=plan.sequence,
                        sender=plan.sender,
                        step_key=plan.step_key,
                        step_index=0,
                        channel=plan.channel,
                        due_at=plan.due_at,
                        created_at=now,
                    )
                )
                s.commit()
                return True
        except sa.exc.IntegrityError:  # active in another sequence since (enrollments_one_active)
            return False

    def skip_chain(self, enrollment_id: int, *, why: str, at: datetime) -> bool:
        """A deferred enrollment that will not start (its ``only_if`` failed...): kept, marked
        skipped.
        """
        with self.session() as s:
            done = s.exec(
                sa.update(Enrollment)
                .where(col(Enrollment.id) == enrollment_id, col(Enrollment.status) == "deferred")
                .values(status="skipped", stop_detail=why, finished_at=at)
            )
            s.commit()
            return bool(done.rowcount)

    def last_senders(self, contact_ids: Iterable[int]) -> dict[int, str]:
        """Each contact's sender in their latest enrollment: a contact keeps one sender
        throughout.
        """
        ids = list(contact_ids)
        found: dict[int, str] = {}
        with self.session() as s:
            for start in range(0, len(ids), _BATCH):
                query = (
                    select(Enrollment.contact_id, Enrollment.sender)
                    .where(col(Enrollment.contact_id).in_(ids[start : start + _BATCH]))
                    .order_by(col(Enrollment.id))
                )
                found.update({contact: sender for contact, sender in s.exec(query)})
        return found

    def message_times(
        self,
        contact_ids: Iterable[int],
        *,
        since: datetime,
        channels: tuple[str, ...] = ("email", "linkedin"),
    ) -> dict[int, list[datetime]]:
        """When each contact was sent a message (begun or sent) at or after ``since``: the
        frequency rule.
        """
        ids = list(contact_ids)
        found: dict[int, list[datetime]] = {}
        with self.session() as s:
            for start in range(0, len(ids), _BATCH):
                query = select(Send.contact_id, Send.sent_at).where(
                    col(Send.contact_id).in_(ids[start : start + _BATCH]),
                    col(Send.channel).in_(channels),
                    col(Send.status).in_(("sending", "sent", "uncertain", "bounced")),
                    col(Send.sent_at) >= since,
                )
                for contact, at in s.exec(query):
                    found.setdefault(contact, []).append(_aware(at))  # type: ignore[arg-type]
        return found

    # -- inbox ----------------------------------------------------------------------------------

    def inbox_position(self, sender: str, mailbox: str) -> tuple[int, int] | None:
        """(UIDVALIDITY, last UID handled) of a sender's folder, or None before its first poll."""
        with self.session() as s:
            state = s.get(InboxState, (sender, mailbox))
            return (state.uidvalidity, state.last_uid) if state else None

    def set_inbox_position(
        self, sender: str, mailbox: str, *, uidvalidity: int, last_uid: int, at: datetime
    ) -> None:
        with self.session() as s:
            _set_position(s, sender, mailbox, uidvalidity=uidvalidity, last_uid=last_uid, at=at)
            s.commit()

    def inbound_seen(self, key: str) -> bool:
        with self.session() as s:
            return (
                s.exec(select(InboundMessage.id).where(InboundMessage.key == key)).first()
                is not None
            )

    def sends_by_message_id(self, message_ids: Iterable[str]) -> list[Send]:
        """Our sends with these Message-IDs, newest first."""
        ids = list(dict.fromkeys(message_ids))
        if not ids:
            return []
        with self.session() as s:
            return list(
                s.exec(
                    select(Send)
                    .where(col(Send.message_id).in_(ids))
                    .order_by(col(Send.sent_at).desc(), col(Send.id).desc())
                ).all()
            )

    def latest_send_to(
        self, contact_id: int, *, sender: str | None = None, since: datetime | None = None
    ) -> Send | None:
        """The latest send that went out to a contact (from ``sender``, after ``since``)."""
        query = select(Send).where(
            Send.contact_id == contact_id, col(Send.status).in_(("sent", "sending", "uncertain"))
        )
        if sender is not None:
            query = query.where(Send.sender == sender)
        if since is not None:
            query = query.where(col(Send.sent_at) >= since)
        with self.session() as s:
            return s.exec(query.order_by(col(Send.sent_at).desc(), col(Send.id).desc())).first()

    def record_inbound(
        self,
        message: InboundMessage,
        *,
        mailbox: str,
        uidvalidity: int,
        event: str | None = None,
        stop_reason: str | None = None,
        suppress: str | None = None,
        bounce_send: bool = False,
        pause_until: datetime | None = None,
        company: str | None = None,
    ) -> bool:
        """Apply what one inbound message means, in one transaction with the mailbox position.

        Records ``event`` (credited to ``message.send_id``), stops the contact's active
        enrollment, suppresses an address, marks the answered send bounced or pauses the
        enrollment, as asked. A message already handled (same key) changes nothing but the
        position; returns False then.
        """
        assert message.uid >= 0
        try:
            return self._record_inbound(
                message,
                mailbox=mailbox,
                uidvalidity=uidvalidity,
                event=event,
                stop_reason=stop_reason,
                suppress=suppress,
                bounce_send=bounce_send,
                pause_until=pause_until,
                company=company,
            )
        except sa.exc.IntegrityError:  # another poller recorded the same message at the same moment
            self.set_inbox_position(
                message.sender,
                mailbox,
                uidvalidity=uidvalidity,
                last_uid=message.uid,
                at=message.at,
            )
            return False

    def _record_inbound(
        self,
        message: InboundMessage,
        *,
        mailbox: str,
        uidvalidity: int,
        event: str | None,
        stop_reason: str | None,
        suppress: str | None,
        bounce_send: bool,
        pause_until: datetime | None,
        company: str | None = None,
    ) -> bool:
        with self.session() as s:
            _set_position(
                s,
                message.sender,
                mailbox,
                uidvalidity=uidvalidity,
                last_uid=message.uid,
                at=message.at,
            )
            if (
                s.exec(select(InboundMessage.id).where(InboundMessage.key == message.key)).first()
                is not None
            ):
                s.commit()
                return False
            s.add(message)
            s.flush()  # the unique key first: a concurrent duplicate fails here, before any effect
            contact_id, at = message.contact_id, message.at
            if suppress is not None:
                _suppress_in(s, suppress, reason=stop_reason or event or message.kind, at=at)
            if bounce_send and message.send_id is not None:
                s.exec(
                    sa.update(Send)
                    .where(col(Send.id) == message.send_id, col(Send.status) == "sent")
                    .values(status="bounced", error=message.detail)
                )
            if contact_id is not None and stop_reason is not None:
                _stop_in(
                    s,
                    contact_id,
                    kind=event or stop_reason,
                    reason=stop_reason,
                    at=at,
                    detail=message.detail,
                    send_id=message.send_id,
                    company=company,
                )
            elif contact_id is not None and event is not None:
                active = s.exec(
                    select(Enrollment).where(
                        Enrollment.contact_id == contact_id, Enrollment.status == "active"
                    )
                ).first()
                s.add(
                    Event(
                        kind=event,
                        at=at,
                        contact_id=contact_id,
                        detail=message.detail,
                        send_id=message.send_id,
                        enrollment_id=active.id if active else None,
                    )
                )
                if pause_until is not None and active is not None:
                    _pause_in(s, active, pause_until)
            s.commit()
            return True

    def inbound(self, *, limit: int = 50) -> list[InboundMessage]:
        """The messages read most recently, newest first."""
        with self.session() as s:
            return list(
                s.exec(
                    select(InboundMessage).order_by(col(InboundMessage.id).desc()).limit(limit)
                ).all()
            )

    # -- hooks and links ------------------------------------------------------------------------

    def accept_hook(self, signature: str, *, at: datetime, window: timedelta) -> bool:
        """Remember a signed hook request; False if the same signature was accepted before.

        Signatures older than ``window`` are forgotten: their timestamps are refused anyway.
        """
        with self.session() as s:
            s.exec(sa.delete(HookNonce).where(col(HookNonce.at) < at - 2 * window))
            if s.get(HookNonce, signature) is not None:
                s.commit()
                return False
            s.add(HookNonce(signature=signature, at=at))
            try:
                s.commit()
            except (
                sa.exc.IntegrityError
            ):  # the same request, at the same moment, in another process
                return False
            return True

    # -- tasks ----------------------------------------------------------------------------------

    def add_task(self, task: Task) -> int:
        with self.session() as s:
            s.add(task)
            s.commit()
            assert task.id is not None
            return task.id

    def tasks(self, *, status: str = "open", due_before: datetime | None = None) -> list[Task]:
        with self.session() as s:
            query = (
                select(Task).where(Task.status == status).order_by(col(Task.due_at), col(Task.id))
            )
            if due_before is not None:
                query = query.where(col(Task.due_at) < due_before)
            return list(s.exec(query))

    def close_task(self, task_id: int, *, status: str, at: datetime) -> Task | None:
        with self.session() as s:
            task = s.get(Task, task_id)
            if task is None:
                return None
            if task.status == "open":
                task.status, task.closed_at = status, at
                s.add(task)
                s.commit()
            return task

    # -- variants and scoring -------------------------------------------------------------------

    def retired_keys(self, sequence: str, step_key: str, factor: str) -> set[str]:
        with self.session() as s:
            query = select(VariantState.key).where(
                VariantState.sequence == sequence,
                VariantState.step_key == step_key,
                VariantState.factor == factor,
                VariantState.status == "retired",
            )
            return set(s.exec(query))

    def variant_states(self) -> list[VariantState]:
        with self.session() as s:
            return list(
                s.exec(
                    select(VariantState).order_by(
                        col(VariantState.sequence),
                        col(VariantState.step_key),
                        col(VariantState.factor),
                        col(VariantState.key),
                    )
                )
            )

    def set_variant_status(
        self,
        *,
        sequence: str,
        step_key: str,
        factor: str,
        key: str,
        status: str,
        reason: str,
        at: datetime,
    ) -> None:
        """Record a variant's status (retired by scoring, revived by a person)."""
        with self.session() as s:
            state = s.exec(
                select(VariantState).where(
                    VariantState.sequence == sequence,
                    VariantState.step_key == step_key,
                    VariantState.factor == factor,
                    VariantState.key == key,
                )
            ).first()
            if state is None:
                state = VariantState(
                    sequence=sequence, step_key=step_key, factor=factor, key=key, since=at
                )
            if state.status != status:
                state.since = at
            state.status, state.reason = status, reason
            s.add(state)
            s.commit()

    def variant_stats(
        self, *, sequence: str, step_key: str, factor: str, until: datetime, metric: str
    ) -> dict[str, tuple[int, int]]:
        """Per variant key: (sends that went out by ``until``, of them those with a ``metric``
        event).
        """
        sends, events = Send.__table__, Event.__table__  # type: ignore[attr-defined]
        key = sends.c.subject_key if factor == "subject" else sends.c.body_key
        counted = (
            sends.c.sequence == sequence,
            sends.c.step_key == step_key,
            sends.c.status == "sent",
            sends.c.sent_at <= until,
            key.is_not(None),
        )
        # two plain GROUP BYs: the sends, then the sends with an event (joined from the events side,
        # which is small); one outer join with count(DISTINCT) was ~10x slower over 1M sends
        totals = self._rows(sa.select(key, sa.func.count()).where(*counted).group_by(key))
        with_event = (
            sa.select(events.c.send_id).where(events.c.kind == metric).distinct().subquery()
        )
        joined = sends.join(with_event, with_event.c.send_id == sends.c.id)
        hits = dict(
            self._rows(
                sa.select(key, sa.func.count()).select_from(joined).where(*counted).group_by(key)
            )
        )
        return {k: (n, hits.get(k, 0)) for k, n in totals}

    def add_decisions(self, rows: Sequence[Decision]) -> None:
        with self.session() as s:
            s.add_all(rows)
            s.commit()

    def latest_decisions(self) -> dict[tuple[str, str, str, str], Decision]:
        """The most recent decision row of every variant."""
        with self.session() as s:
            found: dict[tuple[str, str, str, str], Decision] = {}
            for row in s.exec(select(Decision).order_by(col(Decision.look_at), col(Decision.id))):
                found[(row.sequence, row.step_key, row.factor, row.key)] = row
            return found

    # -- reporting ------------------------------------------------------------------------------

    def step_counts(self) -> list[tuple[str, str, int, str, int]]:
        """(sequence, step_key, step_index, status, count) over all sends."""
        t = Send.__table__  # type: ignore[attr-defined]
        cols = (t.c.sequence, t.c.step_key, t.c.step_index, t.c.status)
        return self._rows(sa.select(*cols, sa.func.count()).group_by(*cols))

    def event_counts(self) -> list[tuple[str, str, str, int]]:
        """(sequence, step_key of the latest send before the event, event kind, count)."""
        t, e = Send.__table__, Event.__table__  # type: ignore[attr-defined]
        cols = (t.c.sequence, t.c.step_key, e.c.kind)
        return self._rows(
            sa.select(*cols, sa.func.count())
            .select_from(e.join(t, t.c.id == e.c.send_id))
            .group_by(*cols)
        )

    def enrollment_counts(self) -> list[tuple[str, str, str | None, int]]:
        """(sequence, status, stop_reason, count)."""
        t = Enrollment.__table__  # type: ignore[attr-defined]
        cols = (t.c.sequence, t.c.status, t.c.stop_reason)
        return self._rows(sa.select(*cols, sa.func.count()).group_by(*cols))

    def _rows(self, query: sa.Select[Any]) -> list[Any]:
        with self.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(query)]

    def add_event(
        self,
        *,
        kind: str,
        at: datetime,
        contact_id: int | None = None,
        enrollment_id: int | None = None,
        send_id: int | None = None,
        detail: str | None = None,
    ) -> None:
        """Record an event; one about a contact is credited to the latest send that went out to
        them.
        """
        with self.session() as s:
            if send_id is None and contact_id is not None:
                send_id = s.exec(
                    select(Send.id)
                    .where(Send.contact_id == contact_id, col(Send.status).in_(("sent", "sending")))
                    .order_by(col(Send.sent_at).desc(), col(Send.id).desc())
                ).first()
            s.add(
                Event(
                    kind=kind,
                    at=at,
                    contact_id=contact_id,
                    enrollment_id=enrollment_id,
                    send_id=send_id,
                    detail=detail,
                )
            )
            s.commit()

    def add_event_once(
        self,
        *,
        kind: str,
        at: datetime,
        since: datetime,
        send_id: int,
        contact_id: int,
        enrollment_id: int | None = None,
    ) -> bool:
        """Record an event on a send unless one of that kind was recorded on it at or after
        ``since``.
        """
        with self.session() as s:
            recent = s.exec(
                select(Event.id)
                .where(Event.kind == kind, Event.send_id == send_id, col(Event.at) >= since)
                .limit(1)
            ).first()
            if recent is not None:
                return False
            s.add(
                Event(
                    kind=kind,
                    at=at,
                    contact_id=contact_id,
                    enrollment_id=enrollment_id,
                    send_id=send_id,
                )
            )
            s.commit()
            return True

    # -- reporting --------------------------------------------------------------------------------
    # `sequencer report` (sequencer/reporting.py): every query a GROUP BY, never a row per send.

    def report_step_events(self) -> list[tuple[str, str, str, int]]:
        """(sequence, step_key, event kind, sends of that step with such an event credited to
        them).
        """
        t, e = Send.__table__, Event.__table__  # type: ignore[attr-defined]
        cols = (t.c.sequence, t.c.step_key, e.c.kind)
        return self._rows(
            sa.select(*cols, sa.func.count(sa.distinct(e.c.send_id)))
            .select_from(e.join(t, t.c.id == e.c.send_id))
            .group_by(*cols)
        )

    def report_stops(self) -> list[tuple[str, str | None, int | None, int]]:
        """(sequence, stop_reason, step_index of the last send that went out before the stop,
        count) of
        stopped enrollments; the index is None for an enrollment stopped before its first message.
        """
        t, e = Send.__table__, Enrollment.__table__  # type: ignore[attr-defined]
        last = (
            sa.select(sa.func.max(t.c.step_index))
            .where(
                t.c.enrollment_id == e.c.id,
                t.c.status.in_(("sent", "bounced", "uncertain", "sending")),
            )
            .scalar_subquery()
        )
        stopped = (
            sa.select(e.c.sequence, e.c.stop_reason, last.label("last"))
            .where(e.c.status == "stopped")
            .subquery()
        )
        cols = (stopped.c.sequence, stopped.c.stop_reason, stopped.c.last)
        return self._rows(sa.select(*cols, sa.func.count()).group_by(*cols))

    def report_sender_days(self) -> list[tuple[str, str, int]]:
        """(sender, the sender's local date in ISO format, sends counted against its cap
        that day).
        """
        d = SenderDay.__table__  # type: ignore[attr-defined]
        return self._rows(sa.select(d.c.sender, d.c.day, d.c.sent).order_by(d.c.sender, d.c.day))

    def report_first_message_flow(self) -> list[tuple[str, int, int, int]]:
        """(sender, quarter hour, message-1 emails queued in it, message-1 emails out of the queue
        in it).

        Quarter hours are counted from 1970-01-01 UTC (an instant's one is its Unix time // 900).
        Message-1 emails are the step-0 email sends not cancelled; one leaves the queue when it went
        out, or else when it is (or was) due, never before it was queued. Quarter hours keep the
        count
        independent of the number of sends, and exact in sender-local days: every zone's UTC offset
        today is a whole number of quarter hours, so no quarter hour straddles a local midnight."""
        t = Send.__table__  # type: ignore[attr-defined]
        out = sa.func.coalesce(t.c.sent_at, t.c.due_at)
        mine = sa.and_(t.c.step_index == 0, t.c.channel == "email", t.c.status != "cancelled")
        flow: dict[tuple[str, int], list[int]] = {}
        for position, at in enumerate(
            (t.c.created_at, sa.case((out < t.c.created_at, t.c.created_at), else_=out))
        ):
            quarter = self._quarter_hour(at).label("quarter")
            for sender, number, count in self._rows(
                sa.select(t.c.sender, quarter, sa.func.count())
                .where(mine)
                .group_by(t.c.sender, quarter)
            ):
                flow.setdefault((sender, int(number)), [0, 0])[position] += count
        return [(sender, number, queued, gone) for (sender, number), (queued, gone) in flow.items()]

    def _quarter_hour(self, at: Any) -> Any:
        """SQL for the quarter hour (Unix time // 900) of the datetime expression ``at``."""
        if (
            self.dialect == "sqlite"
        ):  # naive UTC ISO text there; cut the fraction first, %s would round it
            return sa.cast(sa.func.strftime("%s", sa.func.substr(at, 1, 19)), sa.Integer) // 900
        return sa.cast(sa.func.floor(sa.extract("epoch", at) / 900), sa.BigInteger)

    def report_reply_delays(self, kind: str = "reply") -> list[tuple[int, int]]:
        """(whole hours from a send going out to a ``kind`` event credited to it, count of such
        events).
        """
        t, e = Send.__table__, Event.__table__  # type: ignore[attr-defined]
        if self.dialect == "sqlite":  # datetimes are ISO text there
            hours: Any = sa.cast(
                (sa.func.julianday(e.c.at) - sa.func.julianday(t.c.sent_at)) * 24, sa.Integer
            )
        else:
            hours = sa.cast(
                sa.func.floor(sa.extract("epoch", e.c.at - t.c.sent_at) / 3600), sa.Integer
            )
        bucket = hours.label("hours")
        query = (
            sa.select(bucket, sa.func.count())
            .select_from(e.join(t, t.c.id == e.c.send_id))
            .where(e.c.kind == kind, t.c.sent_at.is_not(None))
            .group_by(bucket)
            .order_by(bucket)
        )
        return self._rows(query)

    # -- erasure --------------------------------------------------------------------------------
    # `sequencer forget` (GDPR): the text about a person goes, the anonymous counts stay.

    def forget(self, email_key: str, *, erased_key: str, at: datetime) -> Erasure:
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
        contacts = Contact.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            contact_id = conn.execute(
                sa.select(contacts.c.id).where(contacts.c.email_key == email_key)
            ).scalar()
            counts = _erase_contact(conn, contact_id, at=at) if contact_id is not None else {}
            counts["inbound"] = _erase_inbound(conn, email_key, contact_id)
            counts["mentions"] = _blank_mentions(conn, email_key)
            counts["unsuppressed"] = _swap_suppression(conn, email_key, erased_key, at=at)
        return Erasure(contact_id=contact_id, **counts)

    def compact_after_erasure(self, *, rewrite: bool = False) -> Compaction:
        """Push erased text out of the database files, once :meth:`forget` has committed.

        SQLite (``secure_delete`` is on, so freed cells and pages were zeroed): checkpoint the
        write-ahead log into the file and truncate it, which drops the old page copies it held;
        ``rewrite`` also runs VACUUM, for a file that held the address before ``secure_delete``
        was turned on (a database made by an older sequencer). PostgreSQL: VACUUM (``rewrite``:
        VACUUM FULL) the touched tables, outside any transaction.
        """
        started = time.perf_counter()
        statement = None
        wal_truncated = None
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if self.dialect == "sqlite":
                if rewrite:
                    statement = "VACUUM"
                    conn.exec_driver_sql(statement)
                # (busy, frames in the log, frames checkpointed); busy: a reader kept the log in use
                wal_truncated = (
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()[0] == 0
                )
            elif self.dialect == "postgresql":
                tables = ", ".join(t.__tablename__ for t in _ERASED_TABLES)
                statement = f"VACUUM {'FULL ' if rewrite else ''}{tables}"
                conn.exec_driver_sql(statement)
        return Compaction(
            dialect=self.dialect,
            wal_truncated=wal_truncated,
            vacuum=statement,
            seconds=time.perf_counter() - started,
        )

    def erased_keys(self) -> set[str]:
        """Every hashed suppression key that ``forget`` left (``sha256:…``)."""
        table = Suppression.__table__  # type: ignore[attr-defined]
        with self.engine.connect() as conn:
            return set(
                conn.execute(
                    sa.select(table.c.key).where(table.c.key.startswith(ERASED_PREFIX))
                ).scalars()
            )


def _stop_in(
    s: Session,
    contact_id: int,
    *,
    kind: str,
    reason: str,
    at: datetime,
    detail: str | None,
    send_id: int | None,
    company: str | None = None,
) -> Enrollment | None:
    enrollment = s.exec(
        select(Enrollment).where(Enrollment.contact_id == contact_id, Enrollment.status == "active")
    ).first()
    # a chained enrollment still waiting to start never starts after a stop either
    s.exec(
        sa.update(Enrollment)
        .where(col(Enrollment.contact_id) == contact_id, col(Enrollment.status) == "deferred")
        .values(status="stopped", stop_reason=reason, stop_detail=detail, finished_at=at)
    )
    if company is not None:
        _stop_colleagues(s, contact_id, company, kind=kind, at=at)
    if send_id is None:  # credit the latest send that went out to this contact
        send_id = s.exec(
            select(Send.id)
            .where(Send.contact_id == contact_id, col(Send.status).in_(("sent", "sending")))
            .order_by(col(Send.sent_at).desc(), col(Send.id).desc())
        ).first()
    credited = s.get(Send, send_id) if send_id is not None else None
    s.add(
        Event(
            kind=kind,
            at=at,
            contact_id=contact_id,
            detail=detail,
            send_id=send_id,
            enrollment_id=enrollment.id
            if enrollment
            else (credited.enrollment_id if credited else None),
        )
    )
    # A task still open for this person is moot once they answered or left, even when the
    # enrollment already completed (a LinkedIn task is often the last step).
    s.exec(
        sa.update(Task)
        .where(col(Task.contact_id) == contact_id, col(Task.status) == "open")
        .values(status="cancelled", closed_at=at)
    )
    if enrollment is not None:
        enrollment.status, enrollment.stop_reason = "stopped", reason
        enrollment.stop_detail, enrollment.finished_at = detail, at
        s.add(enrollment)
        s.exec(
            sa.update(Send)
            .where(
                col(Send.enrollment_id) == enrollment.id,
                col(Send.status).in_(("scheduled", "claimed")),
            )
            .values(status="cancelled", claimed_by=None, lease_until=None)
        )
    return enrollment


def _stop_colleagues(s: Session, contact_id: int, company: str, *, kind: str, at: datetime) -> None:
    """``stop_scope: company``: stop everyone else at ``company`` (their active and deferred
    enrollments).
    """
    colleagues = select(Contact.id).where(
        col(Contact.email_key).endswith(f"@{company}", autoescape=True),
        col(Contact.id) != contact_id,
    )
    found = s.exec(
        select(Enrollment).where(
            col(Enrollment.contact_id).in_(colleagues),
            col(Enrollment.status).in_(("active", "deferred")),
        )
    ).all()
    detail = f"a colleague at {company} ({kind})"
    for other in found:
        if other.status == "active":
            s.add(
                Event(
                    kind=StopReason.COMPANY.value,
                    at=at,
                    contact_id=other.contact_id,
                    enrollment_id=other.id,
                    detail=detail,
                )
            )
            s.exec(
                sa.update(Send)
                .where(
                    col(Send.enrollment_id) == other.id,
                    col(Send.status).in_(("scheduled", "claimed")),
                )
                .values(status="cancelled", claimed_by=None, lease_until=None)
            )
            s.exec(
                sa.update(Task)
                .where(col(Task.enrollment_id) == other.id, col(Task.status) == "open")
                .values(status="cancelled", closed_at=at)
            )
        other.status, other.stop_reason, other.stop_detail, other.finished_at = (
            "stopped",
            StopReason.COMPANY.value,
            detail,
            at,
        )
        s.add(other)


def _after_sent(
    conn: sa.Connection, send: Send, *, sent_at: datetime, next_send: NewSend | NewChain | None
) -> None:
    """What follows a send that went out: day 0 anchored on message 1, then the next step queued
    (while the enrollment is still active) or the enrollment completed, and when its sequence
    chains, the next sequence's enrollment deferred (only when this one completed without a stop).
    """
    if send.step_index == 0:
        conn.execute(_ANCHOR, {"_id": send.enrollment_id, "_at": sent_at})
    if not isinstance(next_send, NewSend):
        completed = (
            conn.execute(_COMPLETE, {"_id": send.enrollment_id, "_at": sent_at}).rowcount == 1
        )
        if completed and next_send is not None:
            timezone = conn.execute(
                sa.select(Enrollment.__table__.c.timezone).where(  # type: ignore[attr-defined]
                    Enrollment.__table__.c.id == send.enrollment_id  # type: ignore[attr-defined]
                )
            ).scalar_one()
            conn.execute(
                sa.insert(Enrollment.__table__).values(  # type: ignore[attr-defined]
                    contact_id=send.contact_id,
                    sequence=next_send.sequence,
                    sender=send.sender,
                    status="deferred",
                    timezone=timezone,
                    enrolled_at=sent_at,
                    starts_at=next_send.starts_at,
                    previous_id=send.enrollment_id,
                )
            )
        return
    active = conn.execute(_IS_ACTIVE, {"_id": send.enrollment_id}).first()
    if active is not None:
        conn.execute(
            _QUEUE_NEXT,
            {
                "enrollment_id": send.enrollment_id,
                "contact_id": send.contact_id,
                "sequence": send.sequence,
                "sender": send.sender,
                "step_key": next_send.step_key,
                "step_index": next_send.step_index,
                "channel": next_send.channel,
                "due_at": next_send.due_at,
                "created_at": sent_at,
                "status": "scheduled",
                "attempts": 0,
            },
        )


def _take_slot(conn: sa.Connection, quota: Quota, now: datetime) -> Begun | None:
    """Count one send in the sender's day if the cap and the gap allow it; else why not (and until
    when).
    """
    days = SenderDay.__table__  # type: ignore[attr-defined]
    mine = sa.and_(days.c.sender == quota.sender, days.c.day == quota.day)
    _ensure_day(conn, quota)
    taken = conn.execute(
        sa.update(days)
        .where(
            mine,
            days.c.sent < quota.cap,
            sa.or_(days.c.last_at.is_(None), days.c.last_at <= now - quota.gap),
            sa.or_(days.c.paused_until.is_(None), days.c.paused_until <= now),
        )
        .values(sent=days.c.sent + 1, last_at=now)
        .returning(days.c.sent)
    ).first()
    if taken is not None:
        return None
    sent, last_at, paused = conn.execute(
        sa.select(days.c.sent, days.c.last_at, days.c.paused_until).where(mine)
    ).one()
    if paused is not None and _aware(paused) > now:  # type: ignore[operator]
        return Begun(BeginStatus.TOO_SOON, retry_at=_aware(paused))
    if sent >= quota.cap:
        return Begun(BeginStatus.FULL, retry_at=quota.until)
    previous = _aware(last_at) or now
    return Begun(BeginStatus.TOO_SOON, retry_at=previous + quota.gap)


def _ensure_day(conn: sa.Connection, quota: Quota) -> None:
    """The sender's row for the day, created on first use from what the sends table says."""
    days = SenderDay.__table__  # type: ignore[attr-defined]
    mine = sa.and_(days.c.sender == quota.sender, days.c.day == quota.day)
    if conn.execute(sa.select(days.c.sent).where(mine)).first() is None:
        # first send of the day: start from what the sends table says (older versions, other tools)
        count, last = _sender_load(conn, quota.sender, since=quota.since, until=quota.until)
        conn.execute(
            _insert_ignoring(conn, days, ["sender", "day"]).values(
                sender=quota.sender, day=quota.day, sent=count, last_at=last
            )
        )


def _sender_load(
    conn: sa.Connection, sender: str, *, since: datetime, until: datetime
) -> tuple[int, datetime | None]:
    """The sender's emails begun in [since, until), and when its latest one was begun."""
    sends = Send.__table__  # type: ignore[attr-defined]
    busy = sa.and_(
        sends.c.sender == sender,
        sends.c.channel == "email",
        sends.c.status.in_(("sending", "sent", "uncertain", "bounced")),
    )
    count = conn.execute(
        sa.select(sa.func.count()).where(busy, sends.c.sent_at >= since, sends.c.sent_at < until)
    ).scalar()
    # newest first along the (sender, sent_at) index: stops at the first match instead of reading
    # every row of the sender (max() with extra filters cannot use the index)
    last = conn.execute(
        sa.select(sends.c.sent_at)
        .where(busy, sends.c.sent_at.is_not(None))
        .order_by(sends.c.sent_at.desc())
        .limit(1)
    ).scalar()
    return count or 0, _aware(last)


def _insert_ignoring(conn: sa.Connection, table: sa.Table, keys: list[str]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING on either database."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing(index_elements=keys)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing(index_elements=keys)


def _suppress_in(s: Session, key: str, *, reason: str, at: datetime) -> bool:
    """Insert a suppression unless it exists (race-free on both databases); True if it was new."""
    table = Suppression.__table__  # type: ignore[attr-defined]
    conn = s.connection()
    # RETURNING, not rowcount: drivers report rowcount -1 for some INSERTs
    inserted = conn.execute(
        _insert_ignoring(conn, table, ["key"])
        .values(key=key, reason=reason, created_at=at)
        .returning(table.c.id)
    )
    return inserted.first() is not None


def _pause_in(s: Session, enrollment: Enrollment, until: datetime) -> None:
    """Hold an enrollment's next step until ``until``; later steps keep their spacing after it."""
    pending = s.exec(
        select(Send)
        .where(Send.enrollment_id == enrollment.id, Send.status == "scheduled")
        .order_by(col(Send.due_at))
    ).first()
    if pending is None or pending.due_at >= until:
        return
    shift = until - pending.due_at
    pending.due_at = until
    s.add(pending)
    if enrollment.anchor_at is not None:
        enrollment.anchor_at = enrollment.anchor_at + shift
        s.add(enrollment)


def _set_position(
    s: Session, sender: str, mailbox: str, *, uidvalidity: int, last_uid: int, at: datetime
) -> None:
    state = s.get(InboxState, (sender, mailbox))
    if state is None:
        s.add(
            InboxState(
                sender=sender,
                mailbox=mailbox,
                uidvalidity=uidvalidity,
                last_uid=last_uid,
                polled_at=at,
            )
        )
        return
    if state.uidvalidity != uidvalidity:
        state.uidvalidity, state.last_uid = uidvalidity, last_uid
    else:
        state.last_uid = max(state.last_uid, last_uid)
    state.polled_at = at
    s.add(state)


# -- statements of the send path, built once (compiling them per send is most of their cost)
# ---------


def _send_path_statements() -> tuple[Any, ...]:
    sends = Send.__table__  # type: ignore[attr-defined]
    enrollments = Enrollment.__table__  # type: ignore[attr-defined]
    suppressions = Suppression.__table__  # type: ignore[attr-defined]
    p = sa.bindparam
    active = sa.exists().where(
        enrollments.c.id == sends.c.enrollment_id, enrollments.c.status == "active"
    )
    suppressed = sa.exists().where(suppressions.c.key.in_(p("_keys", expanding=True)))
    begin = (
        sa.update(sends)
        .where(
            sends.c.id == p("_id"),
            sends.c.status == "claimed",
            sends.c.claimed_by == p("_worker"),
            active,
            ~suppressed,
        )
        .values(
            status="sending",
            message_id=p("_message_id"),
            subject=p("_subject"),
            subject_key=p("_subject_key"),
            body_key=p("_body_key"),
            in_reply_to=p("_in_reply_to"),
            references=p("_references"),
            sent_at=p("_now"),
            attempts=sends.c.attempts + 1,
        )
    )
    mark = (
        sa.update(sends)
        .where(sends.c.id == p("_id"))
        .values(status="sent", sent_at=p("_at"), lease_until=None)
    )
    anchor = (
        sa.update(enrollments)
        .where(enrollments.c.id == p("_id"), enrollments.c.anchor_at.is_(None))
        .values(anchor_at=p("_at"))
    )
    complete = (
        sa.update(enrollments)
        .where(enrollments.c.id == p("_id"), enrollments.c.status == "active")
        .values(status="completed", finished_at=p("_at"))
    )
    is_active = sa.select(enrollments.c.id).where(
        enrollments.c.id == p("_id"), enrollments.c.status == "active"
    )
    return begin, mark, anchor, complete, is_active, sa.insert(sends)


_BEGIN_SENDING, _MARK_SENT, _ANCHOR, _COMPLETE, _IS_ACTIVE, _QUEUE_NEXT = _send_path_statements()


def _aware(value: datetime | None) -> datetime | None:
    """Aggregates bypass the column type on SQLite and come back naive: they are UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _last_per_key(rows: Sequence[ContactRow]) -> dict[str, ContactRow]:
    """Rows by address; a later row for the same address merges over an earlier one."""
    out: dict[str, ContactRow] = {}
    for row in rows:
        previous = out.get(row.email_key)
        out[row.email_key] = row if previous is None else _overlay(previous, row)
    return out


def _overlay(old: ContactRow, new: ContactRow) -> ContactRow:
    values = {c: getattr(new, c) or getattr(old, c) for c in _CONTACT_COLUMNS}
    return ContactRow(
        row=new.row, email_key=new.email_key, fields={**old.fields, **new.fields}, **values
    )


#: Per-row values of an insert and of an update, in the order the helpers below build them.
_NEW_COLUMNS = (*_CONTACT_COLUMNS, "email_key", "fields")
_CHANGED_COLUMNS = (*_CONTACT_COLUMNS, "email_key", "fields", "_id")


def _contact_values(row: ContactRow) -> tuple[Any, ...]:
    return (
        row.email,
        row.first_name,
        row.last_name,
        row.company,
        row.title,
        row.timezone,
        row.linkedin_url,
        row.email_key,
        row.fields,
    )


def _merged(existing: Any, row: ContactRow) -> tuple[Any, ...]:
    """The update of a known contact: a cell empty in the file keeps the stored value; fields
    merge.
    """
    id_, _, email, first_name, last_name, company, title, timezone, linkedin_url, fields = (
        existing  # as `known` selects
    )
    return (
        row.email or email,
        row.first_name or first_name,
        row.last_name or last_name,
        row.company or company,
        row.title or title,
        row.timezone or timezone,
        row.linkedin_url or linkedin_url,
        row.email_key,
        {**(fields or {}), **row.fields},
        id_,
    )


class _Many:
    """One executemany of ``statement``: ``columns`` vary per row, ``constants`` are the same in
    every row.

    Each value goes through its column type's own bind processor for the connection's dialect, as
    ``conn.execute(statement, [dict, ...])`` would do, so what is stored is the same; but the
    constants are processed once, and the rows reach the driver without SQLAlchemy's per-row
    parameter handling, which cost more than SQLite's own work on a 100k-row import.
    """

    def __init__(
        self,
        conn: sa.Connection,
        statement: sa.Insert | sa.Update,
        columns: tuple[str, ...],
        constants: dict[str, Any],
    ) -> None:
        table = Contact.__table__  # type: ignore[attr-defined]
        dialect = conn.dialect
        names = [*columns, *constants]
        compiled = statement.compile(dialect=dialect, column_keys=names)
        if set(compiled.binds) != set(names):  # a statement this helper was not written for
            raise AssertionError(f"bind names {sorted(compiled.binds)} differ from {sorted(names)}")

        def processor(name: str) -> Any:
            return (
                table.c["id" if name == "_id" else name]
                .type.dialect_impl(dialect)
                .bind_processor(dialect)
            )

        self.conn = conn
        self.sql = compiled.string
        self.names = names
        self.per_row = [
            (i, p) for i, name in enumerate(columns) if (p := processor(name)) is not None
        ]
        self.constants = tuple(
            p(v) if (p := processor(k)) is not None else v for k, v in constants.items()
        )
        self.named = not compiled.positional
        self.order = None
        if compiled.positional:
            assert compiled.positiontup is not None
            positions = [names.index(key) for key in compiled.positiontup]
            if positions != list(range(len(names))):
                self.order = itemgetter(*positions)

    def __call__(self, rows: list[tuple[Any, ...]]) -> None:
        constants = self.constants
        params: list[Any]
        if self.per_row:
            params = []
            for row in rows:
                values = [*row, *constants]
                for i, process in self.per_row:
                    values[i] = process(values[i])
                params.append(values)
        else:
            params = [row + constants for row in rows]
        if self.order is not None:
            params = [self.order(p) for p in params]
        elif self.named:
            params = [dict(zip(self.names, p, strict=True)) for p in params]
        self.conn.exec_driver_sql(self.sql, params)


def _matches(contact: Contact, where: dict[str, str]) -> bool:
    for name, wanted in where.items():
        value = (
            getattr(contact, name, None) if name in _CONTACT_COLUMNS else contact.fields.get(name)
        )
        if (value or "").lower() != wanted.lower():
            return False
    return True


# -- erasure (Store.forget)
# ---------------------------------------------------------------------------


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
_ERASED_TABLES = (Contact, Send, Event, Task, Enrollment, InboundMessage, Suppression)
# : Free-text columns in which an address can be written (about the person, or in someone else's
# record).
_TEXT_COLUMNS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (Send, ("subject", "error")),
    (Event, ("detail",)),
    (Task, ("message",)),
    (Enrollment, ("stop_detail",)),
    (InboundMessage, ("from_address", "subject", "detail")),
)
#: What an address written in someone else's record becomes.
_BLANKED = "[erased]"


def _erase_contact(conn: sa.Connection, contact_id: int, *, at: datetime) -> dict[str, int]:
    """Clear the text about one contact; stop what is open; anonymise the contact row."""
    contacts, sends, events = Contact.__table__, Send.__table__, Event.__table__  # type: ignore[attr-defined]
    tasks, enrollments = Task.__table__, Enrollment.__table__  # type: ignore[attr-defined]
    their_sends = sa.select(sends.c.id).where(sends.c.contact_id == contact_id)
    their_enrollments = sa.select(enrollments.c.id).where(enrollments.c.contact_id == contact_id)

    def count(statement: Any) -> int:
        return int(conn.execute(statement).rowcount)

    pending = sends.c.status.in_(("scheduled", "claimed"))
    counts = {
        "cancelled": count(
            sa.update(sends)
            .where(sends.c.contact_id == contact_id, pending)
            .values(status="cancelled", claimed_by=None, lease_until=None)
        ),
        "stopped": count(
            sa.update(enrollments)
            .where(
                enrollments.c.contact_id == contact_id,
                enrollments.c.status.in_(("active", "deferred")),
            )
            .values(status="stopped", stop_reason="suppressed", finished_at=at)
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
        .where(tasks.c.contact_id == contact_id, tasks.c.status == "open")
        .values(status="cancelled", closed_at=at)
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
    inbound, sends = InboundMessage.__table__, Send.__table__  # type: ignore[attr-defined]
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
    for model, names in _TEXT_COLUMNS:
        table = model.__table__
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
    contacts = Contact.__table__  # type: ignore[attr-defined]
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
    table = Suppression.__table__  # type: ignore[attr-defined]
    removed = conn.execute(sa.delete(table).where(table.c.key == email_key)).rowcount
    conn.execute(
        _insert_ignoring(conn, table, ["key"]).values(
            key=erased_key, reason="forgotten", created_at=at
        )
    )
    return int(removed)
