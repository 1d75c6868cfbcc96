"""The store's facade: :class:`Store` opens one transaction per call and runs the aggregate
modules' functions (contacts, enrollments, sends, sender days, suppressions, inbox, events, tasks,
variants, jobs, erasure, reports) inside it. Nothing outside ``store/`` imports SQLAlchemy."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from typing import ParamSpec, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from sequencer.contacts import ContactRow
from sequencer.model import StopReason
from sequencer.status import SendStatus
from sequencer.stops import StopPlan
from sequencer.store import (
    contacts,
    domain_checks,
    enrollments,
    erasure,
    groups,
    holds,
    migrate,
    pipeline,
    sender_days,
    sends,
    single,
    suppressions,
)
from sequencer.store.connection import make_engine, waiting_for_writers
from sequencer.store.contacts import UpsertCounts
from sequencer.store.enrollments import NewEnrollment
from sequencer.store.erasure import Compaction, Erasure
from sequencer.store.facade_inbox import InboxAndEvents
from sequencer.store.facade_reports import VariantsAndReports
from sequencer.store.listing import Listing
from sequencer.store.sender_days import BeginStatus, Begun, Quota
from sequencer.store.sends import NewChain, NewSend
from sequencer.store.suppressions import SuppressionBook
from sequencer.store.tables import (
    Contact,
    Enrollment,
    Send,
    Suppression,
)

__all__ = [
    "BeginStatus",
    "Begun",
    "Compaction",
    "Erasure",
    "NewChain",
    "NewEnrollment",
    "NewSend",
    "Quota",
    "Store",
    "UpsertCounts",
    "make_engine",
]

P = ParamSpec("P")
R = TypeVar("R")

#: Where :meth:`Store.counting` adds the commits made in its context.
_OWN_COMMITS: ContextVar[list[int] | None] = ContextVar("sequencer_own_commits", default=None)


class Store(InboxAndEvents, VariantsAndReports):
    """Every read and write of sequencer's state: one transaction per call.

    The inbox, events, tasks, variants and report queries are in the two classes it inherits, by
    aggregate, so no one class holds every method.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        #: Transactions committed through this store (those made under :meth:`counting` are also
        #: counted there): a dispatcher keeps what it read across ticks only while nothing but
        #: itself has written in this process since.
        self.commits = 0
        #: Sender days whose row this process knows exists (the send path's first-use check).
        self._known_days: set[tuple[str, str]] = set()
        #: the group writer commits from a thread too: no count may be lost
        self._counting = threading.Lock()
        #: PostgreSQL: the group writer's own connection, for groups in one statement
        self._groups = single.GroupConnection(self.engine)
        sa.event.listen(self.engine, "commit", self._committed)
        try:  # an empty database gets the schema; one made by another version raises SchemaOutdated
            migrate.prepare(self.engine)
        except BaseException:
            self.engine.dispose()
            raise

    def _committed(self, _conn: sa.Connection | None) -> None:
        own = _OWN_COMMITS.get()
        with self._counting:
            self.commits += 1
            if own is not None:
                own[0] += 1

    @contextmanager
    def counting(self, own: list[int]) -> Iterator[None]:
        """Commits made in this context (and tasks started in it) are also added to ``own[0]``."""
        token = _OWN_COMMITS.set(own)
        try:
            yield
        finally:
            _OWN_COMMITS.reset(token)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self._groups.close()
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """An ORM session, for tests that look at rows directly."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def upsert_contacts(self, rows: Sequence[ContactRow], *, now: datetime) -> UpsertCounts:
        """Insert new contacts and update known ones (matched case-insensitively), atomically."""
        return self._write(contacts.upsert, rows, now=now)

    def contact(self, email: str) -> Contact | None:
        return self._read(contacts.by_email, email)

    def contacts(
        self, *, emails: Iterable[str] | None = None, where: dict[str, str] | None = None
    ) -> list[Contact]:
        """All contacts, or those with the given addresses and/or field values."""
        return self._read(contacts.listed, emails=emails, where=where)

    def count_contacts(self) -> int:
        return self._read(contacts.count)

    def contacts_by_id(self, ids: Iterable[int]) -> dict[int, Contact]:
        return self._read(contacts.by_ids, list(ids))

    def active_enrollments(self, contact_ids: Iterable[int]) -> dict[int, Enrollment]:
        return self._read(enrollments.active, list(contact_ids))

    def scheduled_sends(self, enrollment_ids: Iterable[int]) -> list[tuple[int, int, datetime]]:
        """(send id, enrollment id, due) of these enrollments' scheduled sends."""
        return self._read(enrollments.scheduled_of, list(enrollment_ids))

    def rezone_enrollments(self, zones: dict[int, str], moves: dict[int, datetime]) -> None:
        """Active enrollments timed in a new zone, their scheduled sends moved (atomically)."""
        self._write(enrollments.rezone, zones, moves)

    def past_enrollments(self, sequence: str, contact_ids: Iterable[int]) -> set[int]:
        """Contacts among ``contact_ids`` ever enrolled in ``sequence`` (skipped chains aside)."""
        return self._read(enrollments.past, sequence, list(contact_ids))

    def enrollments(self, contact_id: int) -> list[Enrollment]:
        return self._read(enrollments.of_contact, contact_id)

    def enrollments_by_id(self, ids: Iterable[int]) -> dict[int, Enrollment]:
        return self._read(enrollments.by_ids, list(ids))

    def enroll(self, plans: Sequence[NewEnrollment], *, now: datetime) -> int:
        """Write enrollments with their first send, all or nothing; returns how many."""
        self._write(enrollments.enroll, plans, now=now)
        return len(plans)

    def last_senders(self, contact_ids: Iterable[int]) -> dict[int, str]:
        """Each contact's sender in their latest enrollment: a contact keeps one sender."""
        return self._read(enrollments.last_senders, list(contact_ids))

    def due_chains(self, *, now: datetime, limit: int = 500) -> list[Enrollment]:
        """Deferred (chained) enrollments whose start has come, oldest first."""
        return self._read(enrollments.due_chains, now=now, limit=limit)

    def next_chain_start(self) -> datetime | None:
        """When the earliest deferred enrollment starts."""
        return self._read(enrollments.next_chain_start)

    def deferred(self, contact_id: int | None = None) -> list[Enrollment]:
        """Enrollments waiting to start (of one contact, or all), soonest first."""
        return self._read(enrollments.deferred, contact_id)

    def start_chain(self, enrollment_id: int, plan: NewEnrollment, *, now: datetime) -> bool:
        """Turn a deferred enrollment active with its first send; False if it cannot start."""
        try:
            return self._write(enrollments.start_chain, enrollment_id, plan, now=now)
        except sa.exc.IntegrityError:  # active in another sequence since (enrollments_one_active)
            return False

    def skip_chain(self, enrollment_id: int, *, why: str, at: datetime) -> bool:
        """A deferred enrollment that will not start (its ``only_if`` failed...): marked skipped."""
        return self._write(enrollments.skip_chain, enrollment_id, why=why, at=at)

    def claim_due(self, *, now: datetime, worker: str, limit: int, lease: timedelta) -> list[Send]:
        """Claim up to ``limit`` due sends (and sends whose lease ran out) for ``worker``."""
        return self._write_one(sends.claim, now=now, worker=worker, limit=limit, lease=lease)

    def mark_uncertain(self, *, before: datetime) -> tuple[list[int], datetime | None]:
        """Rows left in ``sending`` since before ``before`` become ``uncertain``: their ids, and
        when the oldest row still in ``sending`` began."""
        oldest = self._read(sends.oldest_sending)  # a read: nothing to mark, no write
        if oldest is None or oldest >= before:
            return [], oldest
        return self._write(sends.mark_uncertain, before=before)

    def next_due(self) -> datetime | None:
        """The earliest due time of a send still to go out."""
        return self._read(sends.next_due)

    def next_moments(self) -> tuple[datetime | None, datetime | None]:
        """The earliest due time of a send still to go out, and of a chained start."""
        return self._read(enrollments.next_moments)

    def sender_slots(self, sender: str, *, since: datetime) -> list[datetime]:
        """The sender's book: emails begun since ``since`` and those still queued (their due)."""
        return self._read(sends.sender_slots, sender, since=since)

    def sender_load(
        self, sender: str, *, since: datetime, until: datetime
    ) -> tuple[int, datetime | None]:
        """How many sends ``sender`` made in [since, until), and when its latest went out."""
        return self._read(sender_days.sender_load, sender, since=since, until=until)

    def variant_counts(
        self, *, sequence: str, step_key: str, sender: str
    ) -> tuple[dict[str, int], dict[str, int]]:
        """Assignments so far of each subject and body key of a step, in one sender's mailbox."""
        return self._read(sends.variant_counts, sequence=sequence, step_key=step_key, sender=sender)

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
        """Commit ``sending`` before the channel is called, alone: a group of one mark
        (:meth:`write_group`, so its sender day is made and locked as any group's)."""
        send = self.send(send_id)
        if send is None:
            return Begun(BeginStatus.GONE)
        item = groups.Beginning(
            send=send,
            worker=worker,
            now=now,
            suppression_keys=tuple(suppression_keys),
            message_id=message_id,
            subject=subject,
            subject_key=subject_key,
            body_key=body_key,
            in_reply_to=in_reply_to,
            references=references,
            quota=quota,
        )
        return self.write_group([], [item])[0]

    def write_group(
        self,
        records: Sequence[groups.SentRecord],
        beginnings: Sequence[groups.Beginning],
        *,
        patience: float | None = None,
    ) -> list[Begun]:
        """Sends that went out recorded, then sends about to go out marked ``sending``, in one
        transaction (group commit, :mod:`sequencer.store.groups`); the marks' outcomes. On
        PostgreSQL the group is one pipeline (:mod:`sequencer.store.pipeline`; the writer tries
        :meth:`write_group_on_loop` first). On SQLite, ``patience`` (seconds) bounds the wait for
        another process's write."""
        piped = pipeline.usable(self.engine)
        write = pipeline.write if piped else groups.write
        try:
            with self.engine.begin() as conn, waiting_for_writers(conn, patience):
                written = write(conn, records, beginnings, self._known_days)
        except BaseException:
            self._known_days.clear()  # a day row made in the rolled-back transaction is gone
            raise
        # committed: what follows a refused mark must not fail the group (pipeline.outcomes)
        return pipeline.outcomes(self.engine, beginnings, written) if piped else written

    async def write_group_on_loop(
        self, records: Sequence[groups.SentRecord], beginnings: Sequence[groups.Beginning]
    ) -> list[Begun] | None:
        """:meth:`write_group` on the running event loop, without a thread, for a PostgreSQL
        group that fits in one statement (:mod:`sequencer.store.single`); None, having written
        nothing, for any other group (write it with :meth:`write_group`, in a thread). Why a
        refused mark was refused is read in a thread. Raises the driver's error when the
        statement failed: nothing of the group was written."""
        if not pipeline.usable(self.engine):
            return None
        rows = await self._groups.write(records, beginnings, self._known_days)
        if rows is None:
            return None
        self._committed(None)
        if all(pipeline.taken(item, row) for item, row in zip(beginnings, rows, strict=True)):
            return [Begun(BeginStatus.STARTED) for _ in beginnings]
        run = functools.partial(
            contextvars.copy_context().run, pipeline.outcomes, self.engine, beginnings, rows
        )
        return await asyncio.get_running_loop().run_in_executor(None, run)

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
        """Put a send ``worker`` holds back in the queue for later: see :func:`sends.reschedule`."""
        self._write(sends.reschedule, send_id, due_at, worker, error, refund, keep_message)

    def finish(self, send_id: int, *, status: str, worker: str, error: str | None = None) -> bool:
        """End a send ``worker`` holds: bounced, failed, uncertain or cancelled."""
        return self._write(sends.finish, send_id, status=status, worker=worker, error=error)

    def pause_sender(self, quota: Quota, *, until: datetime) -> None:
        """Hold the sender until ``until`` for every worker (a quota reply from its server)."""
        self._write(sender_days.pause, quota, until=until)

    @property
    def holds(self) -> holds.HoldBook:
        """Holds a person lifts, and what the guards read (:class:`holds.HoldBook`)."""
        return holds.HoldBook(self.engine)

    def first_send_at(self, sender: str) -> datetime | None:
        """When the sender's first message went out (None before any)."""
        return self._read(sends.first_send_at, sender)

    def first_sending_day(self, sender: str) -> date | None:
        """The sender's first local day with an email counted (day 1 of a warm-up ramp)."""
        return self._read(sender_days.first_sending_day, sender)

    def send(self, send_id: int) -> Send | None:
        return self._read(sends.get, send_id)

    def sends(self, enrollment_id: int) -> list[Send]:
        return self._read(sends.of_enrollment, enrollment_id)

    def thread(self, enrollment_id: int) -> list[Send]:
        """The enrollment's emails that went out (or may have), in step order."""
        return self._read(sends.thread, enrollment_id)

    def sends_by_message_id(self, message_ids: Iterable[str]) -> list[Send]:
        """Our sends with these Message-IDs, newest first."""
        ids = list(dict.fromkeys(message_ids))
        return self._read(sends.by_message_id, ids) if ids else []

    def latest_send_to(
        self, contact_id: int, *, sender: str | None = None, since: datetime | None = None
    ) -> Send | None:
        """The latest send that went out to a contact (from ``sender``, after ``since``)."""
        return self._read(sends.latest_to, contact_id, sender=sender, since=since)

    def message_times(
        self,
        contact_ids: Iterable[int],
        *,
        since: datetime,
        channels: tuple[str, ...] = ("email", "linkedin"),
    ) -> dict[int, list[datetime]]:
        """When each contact was sent a message at or after ``since``: the frequency rule."""
        return self._read(sends.message_times, list(contact_ids), since=since, channels=channels)

    def uncertain_sends(self, ids: Iterable[int] | None = None) -> list[Send]:
        """Sends in ``uncertain`` (all, or those among ``ids``), the oldest first."""
        return self._read(sends.uncertain, ids)

    def resend_uncertain(self, ids: Iterable[int], *, now: datetime) -> list[int]:
        """Re-queue uncertain sends of active enrollments, due ``now``, as the same message."""
        return self._write(sends.resend_uncertain, ids, now=now)

    def confirm_sent(
        self, send: Send, *, sent_at: datetime, next_send: NewSend | NewChain | None
    ) -> bool:
        """An uncertain send a person confirmed went out, recorded as the send path records one."""
        with self.engine.begin() as conn:
            if not sends.confirm_sent(conn, send.id, sent_at=sent_at):
                return False
            groups.follow(
                conn, [groups.SentRecord(send=send, sent_at=sent_at, next_send=next_send)]
            )
        return True

    def failed_since(self, since: datetime) -> int:
        """Sends that failed (given up) since ``since``."""
        return self._read(sends.failed_since, since)

    def stuck_sends(self, *, now: datetime, lease: timedelta) -> list[Send]:
        """Sends held past their lease: ``claimed`` by a worker gone, or left in ``sending``."""
        return self._read(sends.stuck, now=now, lease=lease)

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
        bounce_send: int | None = None,
    ) -> Enrollment | None:
        """Stop the contact, bounce ``bounce_send``, suppress ``suppress``: one transaction."""
        with self.engine.begin() as conn:
            if bounce_send is not None:
                sends.finish(
                    conn, bounce_send, status=SendStatus.BOUNCED, worker=None, error=detail
                )
            if suppress is not None:
                source = "worker" if bounce_send is not None else "stop"  # who, in the log
                suppressions.add(conn, suppress, reason=reason, at=at, source=source)
            return enrollments.stop(
                conn,
                contact_id,
                kind=kind,
                reason=reason,
                at=at,
                detail=detail,
                send_id=send_id,
                company=company,
            )

    def stop_many(
        self, plans: Sequence[tuple[int, StopPlan]], *, at: datetime, detail: str | None
    ) -> list[Enrollment]:
        """:meth:`stop` for each (contact id, plan) of a bulk stop, in one transaction; the
        enrollments that were active, as stopped."""
        with self.engine.begin() as conn:
            # every company stop's turn before the first stop locks anything
            enrollments.one_company_stop_at_a_time(conn, [p.company for _, p in plans if p.company])
            return [e for cid, plan in plans if (e := _stop_one(conn, cid, plan, at, detail))]

    @property
    def listing(self) -> Listing:
        """Read-only views of contacts and the queue (``contacts list|show``, ``queue``)."""
        return Listing(self.engine)

    def unsubscribe(
        self, contact_id: int, key: str, *, at: datetime, send_id: int | None, detail: str
    ) -> bool:
        """Suppress ``key`` and stop the contact's sequence, at once; whether anything changed."""
        unsubscribe = StopReason.UNSUBSCRIBE.value
        with self.engine.begin() as conn:
            new = suppressions.add(conn, key, reason=unsubscribe, at=at, source="link")
            changed = new or enrollments.is_active(conn, contact_id)
            if changed:
                enrollments.stop(
                    conn,
                    contact_id,
                    kind=unsubscribe,
                    reason=unsubscribe,
                    at=at,
                    detail=detail,
                    send_id=send_id,
                )
            return changed

    def suppress(self, key: str, *, reason: str, at: datetime, source: str = "cli") -> bool:
        """Add an address (or ``@domain``) to the suppression list; False if it was there."""
        return self._write(suppressions.add, key, reason=reason, at=at, source=source)

    def suppressed(self, keys: Sequence[str]) -> bool:
        return self._read(suppressions.any_of, keys)

    def suppress_many(
        self, keys: Sequence[str], *, reason: str, at: datetime, source: str = "cli"
    ) -> int:
        """Suppress every key, all or none (each logged); how many were new."""
        return self._write(suppressions.add_many, keys, reason=reason, at=at, source=source)

    def suppressions(self) -> list[Suppression]:
        return self._read(suppressions.listed)

    @property
    def suppression_book(self) -> SuppressionBook:
        """Removing entries, listing them by reason and age, and the list's change log."""
        return SuppressionBook(self.engine)

    def erased_keys(self) -> set[str]:
        """Every hashed suppression key that ``forget`` left (``sha256:…``)."""
        return self._read(suppressions.erased_keys)

    def domain_checks(
        self, domains: Sequence[str], *, since: datetime
    ) -> dict[str, tuple[str, str]]:
        """The (verdict, detail) of each of ``domains`` checked at or after ``since``."""
        return self._read(domain_checks.fresh, domains, since=since)

    def save_domain_checks(self, verdicts: Sequence[tuple[str, str, str]], *, at: datetime) -> None:
        """Keep each (domain, verdict, detail) of ``import --verify``, checked ``at``."""
        self._write(domain_checks.save, verdicts, at=at)

    def forget(self, email_key: str, *, erased_key: str, at: datetime) -> Erasure:
        """Erase what the database holds about the address ``email_key``, in one transaction."""
        return self._write(erasure.forget, email_key, erased_key=erased_key, at=at)

    def compact_after_erasure(self, *, rewrite: bool = False) -> Compaction:
        """Push erased text out of the database files, once :meth:`forget` has committed."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return erasure.compact(conn, rewrite=rewrite)


def _stop_one(
    conn: sa.Connection, contact_id: int, plan: StopPlan, at: datetime, detail: str | None
) -> Enrollment | None:
    """One stop of a bulk stop, inside its transaction: the suppression, then the stop."""
    assert plan.stop is not None, "a plan that only records is an event, not a stop"
    if plan.suppress is not None:
        suppressions.add(conn, plan.suppress, reason=plan.stop.value, at=at, source="stop")
    return enrollments.stop(
        conn, contact_id, kind=plan.event, reason=plan.stop.value, at=at, detail=detail,
        send_id=None, company=plan.company,
    )  # fmt: skip
