"""The facade a host program uses: ``from sequencer import Engine``.

Everything the CLI does is a method here; the CLI only parses arguments and prints.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sequencer import enrollment as plan
from sequencer import timing, tokens
from sequencer.caps import SenderBook
from sequencer.channels.base import ChannelAdapter
from sequencer.channels.smtp import SmtpChannel
from sequencer.channels.tasks import TaskChannel
from sequencer.channels.webhook import WebhookChannel
from sequencer.clock import Clock, SimulatedClock, SystemClock
from sequencer.config import Config, ImapSettings, Sender, load_config
from sequencer.contacts import (
    FORGOTTEN,
    ContactRow,
    RowError,
    blocking_keys,
    company_domain,
    erasure_key,
    parse_csv,
    suppression_key,
)
from sequencer.dispatch import Dispatcher, TickReport, new_book, next_step
from sequencer.errors import (
    AlreadyEnrolled,
    ConfigError,
    ContactNotFound,
    ImportFileError,
    Problem,
    SequenceNotFound,
    SequencerError,
    TaskNotFound,
)
from sequencer.inbound.imap import ImapMailbox, Mailbox
from sequencer.inbox import InboxPoller, PollReport
from sequencer.loader import load_paths, load_sequences
from sequencer.logs import get_logger
from sequencer.looks import Family, families, run_look
from sequencer.model import Sequence, Step, StopReason
from sequencer.store import (
    Contact,
    Decision,
    Enrollment,
    NewEnrollment,
    Send,
    Store,
    Suppression,
    Task,
)

if TYPE_CHECKING:
    from sequencer.reporting import Report


@dataclass
class StepRow:
    """One line of the per-step table."""

    sequence: str
    step: str
    by_status: dict[str, int] = field(default_factory=dict)
    #: Events (reply, goal, bounce, unsubscribe, manual) credited to the step sent last before them.
    events: dict[str, int] = field(default_factory=dict)

    @property
    def sent(self) -> int:
        return self.by_status.get("sent", 0) + self.by_status.get("bounced", 0)

    @property
    def pending(self) -> int:
        return sum(self.by_status.get(s, 0) for s in ("scheduled", "claimed", "sending"))

    @property
    def replied(self) -> int:
        return self.events.get("reply", 0)

    @property
    def stopped(self) -> int:
        return sum(n for kind, n in self.events.items() if kind in {r.value for r in StopReason})


@dataclass(frozen=True, kw_only=True)
class VariantRow:
    """One variant as `sequencer variants` shows it."""

    sequence: str
    step: str
    factor: str
    key: str
    status: str
    since: datetime | None
    reason: str
    latest: Decision | None


#: Open-pixel fetches of one send closer together than this are recorded once.
OPEN_EVERY = timedelta(hours=1)
#: Called as ``progress(rows_done, rows_total)`` while a long job runs.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, kw_only=True)
class Unsubscribe:
    """What an unsubscribe link shows: no more than a masked address."""

    address: str
    sender: str
    already: bool


class HookRejected(SequencerError):
    """An inbound hook call was refused."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def mask_address(address: str) -> str:
    """``jane.doe@example.com`` → ``j***@example.com``."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def read_utf8(file: Path, what: str) -> str:
    """A UTF-8 text file (a BOM is dropped); a missing or mis-encoded file is an ImportFileError."""
    try:
        return file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFileError(f"{file}: no such file") from None
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{file}: not UTF-8 text (byte {exc.start}); save {what} as UTF-8"
        ) from None


def read_suppression_file(file: Path) -> list[str]:
    """Keys from a CSV with an ``email`` or ``domain`` column, or a plain list one per line."""
    import csv
    import io

    text = read_utf8(file, "it")
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    column, start = 0, 0
    for name in ("email", "domain", "address", "e-mail"):
        if name in header:
            column, start = header.index(name), 1
            break
    keys, errors = [], []
    for number, row in enumerate(rows[start:], start=start + 1):
        value = row[column].strip() if len(row) > column else ""
        if not value or value.startswith("#"):
            continue
        try:
            keys.append(suppression_key(value))
        except ValueError as exc:
            errors.append(f"{file}: row {number}: {exc}")
    if errors:
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise ImportFileError(
            "nothing was added; fix these rows first:\n" + "\n".join(errors[:20]) + more
        )
    return keys


@dataclass(frozen=True, kw_only=True)
class ImportReport:
    file: str
    rows: int
    inserted: int
    updated: int
    errors: list[RowError]
    #: Rows whose address appeared earlier in the same file (merged into that contact).
    repeated: int = 0
    #: Row numbers of addresses erased by ``forget``: skipped, nothing of them stored.
    forgotten: list[int] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class EnrollReport:
    sequence: str
    sender: str
    enrolled: int
    #: (address, sequence it is already active in) for each contact refused.
    refused: list[tuple[str, str]] = field(default_factory=list)
    #: Addresses skipped because they have been through this sequence before.
    done_before: list[str] = field(default_factory=list)
    first_due: datetime | None = None
    last_due: datetime | None = None
    #: How many of the enrolled went to each sender.
    by_sender: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class PreviewStep:
    step: Step
    due_at: datetime
    local: datetime
    #: Whether the time is the real one (already sent or scheduled) or a projection.
    status: str
    rendered: dict[str, list[plan.Rendered]]


@dataclass(frozen=True, kw_only=True)
class PreviewChain:
    """Where a recipient goes after the sequence (``then:``): a projected window, or the deferred
    enrollment already waiting with its exact start."""

    sequence: str
    earliest: datetime
    latest: datetime
    only_if: tuple[str, ...]
    #: ``projected`` (the sequence has not finished) or ``deferred`` (waiting; earliest == latest).
    status: str


@dataclass(frozen=True, kw_only=True)
class Preview:
    sequence: Sequence
    contact: Contact
    sender: Sender
    zone: ZoneInfo
    steps: list[PreviewStep]
    then: PreviewChain | None = None

    @property
    def errors(self) -> list[str]:
        return [
            f"{p.step.key}.{factor}[{r.key}]: {r.error}"
            for p in self.steps
            for factor, items in p.rendered.items()
            for r in items
            if r.error
        ]


@dataclass
class ChainReport:
    """What one run of the chaining job did."""

    started: int = 0
    #: (address, sequence, why) of each chained enrollment that will not start.
    skipped: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class UncertainSend:
    """A send that may or may not have gone out: what a person needs to decide about it."""

    id: int
    email: str
    sequence: str
    step: str
    sender: str
    message_id: str | None
    subject: str | None
    #: When it was begun: ``sending`` committed just before the server was called.
    begun_at: datetime | None
    #: Why it is uncertain.
    error: str | None


@dataclass(frozen=True, kw_only=True)
class Health:
    """What ``sequencer doctor`` reports."""

    uncertain: list[UncertainSend]
    #: Sends given up as failed in the last 7 days (for information: their enrollments ended).
    failed_recently: int
    #: Sends held in ``claimed`` or ``sending`` past their lease: is a worker running?
    stuck: list[Send]

    @property
    def needs_decision(self) -> bool:
        return bool(self.uncertain or self.stuck)


@dataclass(frozen=True, kw_only=True)
class ResendReport:
    requeued: list[int]
    #: (send id, why) of uncertain sends left alone: their enrollment is no longer active.
    skipped: list[tuple[int, str]]


@dataclass(frozen=True, kw_only=True)
class ForgetReport:
    """What :meth:`Engine.forget` erased, and what it kept."""

    #: The address as given (it is stored nowhere any more).
    address: str
    #: The anonymised contact (``forgotten``); None when the address was not a contact.
    contact_id: int | None
    #: Rows whose text about the person was cleared; the rows stay, for the counts.
    sends: int
    events: int
    tasks: int
    enrollments: int
    inbound: int
    #: Open enrollments stopped, and pending steps cancelled, by the erasure.
    stopped: int
    cancelled: int
    #: Records about someone else in which the address was written, now ``[erased]``.
    mentions: int
    #: Plaintext suppression entries of the address, replaced by its hash.
    unsuppressed: int
    #: The suppression key kept: ``sha256:`` and the SHA-256 of the normalised address.
    suppression_key: str
    #: SQLite: whether the write-ahead log was checkpointed and truncated (False: another process
    #: kept reading; old page copies stay in it until its next checkpoint). None on PostgreSQL.
    wal_truncated: bool | None
    #: The VACUUM statement run afterwards, if any.
    vacuum: str | None
    compact_seconds: float


def _person_address(email: str) -> str:
    """The normalised key of one address, as contacts are stored under; a domain or a typo is
    refused.
    """
    try:
        key = suppression_key(email)
    except ValueError as exc:
        raise SequencerError(f"nothing was erased: {exc}") from None
    if key.startswith("@"):
        raise SequencerError(
            f"nothing was erased: '{email}' is a domain; forget takes one person's address"
        )
    return key


class Engine:
    """One sequencer: configuration, sequences, a store and a clock."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        database_url: str | None = None,
        clock: Clock | None = None,
        sequence_paths: Iterable[Path | str] | None = None,
        channels: dict[str, ChannelAdapter] | None = None,
        log: Any = None,
        worker_id: str | None = None,
        batch: int | None = None,
        mailbox: Callable[[ImapSettings], Mailbox] | None = None,
    ) -> None:
        self.config = config or load_config(database_url=database_url)
        url = database_url or self.config.database_url
        self.store = Store(url)
        self.clock: Clock = clock or SystemClock()
        self.log = log or get_logger()
        self._paths = tuple(Path(p) for p in (sequence_paths or self.config.sequences))
        self._sequences: dict[str, Sequence] | None = None
        self._extra_channels = dict(channels or {})
        # unique per process: lease and ownership checks tell workers apart by it
        self._worker_id = (
            worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        )
        self._batch = batch or self.config.batch
        self._dispatcher: Dispatcher | None = None
        self._inbox: InboxPoller | None = None
        self._mailbox = mailbox or ImapMailbox

    @property
    def worker_id(self) -> str:
        """This engine's identity in claims and job runs (host:pid:random)."""
        return self._worker_id

    @classmethod
    def from_config(
        cls,
        path: Path | str | None = None,
        *,
        database_url: str | None = None,
        clock: Clock | None = None,
    ) -> Engine:
        return cls(
            load_config(path, database_url=database_url), database_url=database_url, clock=clock
        )

    def close(self) -> None:
        self.store.close()

    # -- sending --------------------------------------------------------------------------------

    @property
    def dispatcher(self) -> Dispatcher:
        if self._dispatcher is None:
            self._dispatcher = Dispatcher(
                store=self.store,
                config=self.config,
                sequences=self.sequences,
                channels={},
                clock=self.clock,
                log=self.log,
                worker_id=self._worker_id,
                batch=self._batch,
                links=self.links,
            )
            tasks = TaskChannel(self._dispatcher.create_task)
            self._dispatcher.channels = {
                "email": SmtpChannel(),
                "linkedin": tasks,
                "call": tasks,
                "webhook": WebhookChannel(self.config.webhook_secret),
                **self._extra_channels,
            }
        return self._dispatcher

    async def tick(self) -> TickReport:
        """Run one dispatch tick: claim what is due and send it (async: use from your
        event loop).
        """
        return await self.dispatcher.tick()

    async def drain(self, *, max_ticks: int = 10_000) -> TickReport:
        """Tick until nothing due is left at the current time (claims come in batches)."""
        total = TickReport()
        for _ in range(max_ticks):
            report = await self.tick()
            total.merge(report)
            if report.claimed == 0 or report.claimed == report.deferred:
                break
        return total

    async def run_until(
        self, until: datetime, *, on_step: Callable[[datetime], None] | None = None
    ) -> TickReport:
        """Fast-forward a :class:`~sequencer.clock.SimulatedClock` to ``until``, jumping from one
        due send (or chained start) to the next, starting chains and ticking at each;
        ``on_step(now)``
        runs before every tick."""
        clock = self.clock
        if not isinstance(clock, SimulatedClock):
            raise TypeError("run_until needs the engine to run on a SimulatedClock")
        total = TickReport()
        while True:
            if on_step is not None:
                on_step(clock.now())
            self.advance_chains()
            report = await self.drain()
            total.merge(report)
            upcoming = min(
                (
                    t
                    for t in (self.store.next_due(), self.store.next_chain_start())
                    if t is not None
                ),
                default=None,
            )
            if upcoming is None or upcoming > until:
                clock.set(until)
                return total
            clock.set(max(upcoming, clock.now() + timedelta(seconds=1)))

    async def aclose(self) -> None:
        """Close channel connections (SMTP) and the database."""
        if self._dispatcher is not None:
            await self._dispatcher.close()
        self.close()

    def tick_sync(self) -> TickReport:
        """One tick for synchronous callers; connections are closed afterwards."""
        import asyncio

        async def once() -> TickReport:
            try:
                return await self.tick()
            finally:
                if self._dispatcher is not None:
                    await self._dispatcher.close()

        return asyncio.run(once())

    # -- chaining -------------------------------------------------------------------------------

    def advance_chains(self, *, limit: int = 500) -> ChainReport:
        """Start the chained enrollments whose time has come (``then:`` after ``after_days``).

        Each starts with the sender the contact had, message 1 placed in their window and that
        sender's cap, unless the finished sequence's ``only_if`` does not hold, the address is
        suppressed, or the contact is active in another sequence: then it is marked skipped, with
        why.
        What the worker's chaining job runs; safe to run in several workers at once.
        """
        now = self.clock.now()
        report = ChainReport()
        due = self.store.due_chains(now=now, limit=limit)
        contacts = self.store.contacts_by_id({e.contact_id for e in due})
        previous = self.store.enrollments_by_id(
            {e.previous_id for e in due if e.previous_id is not None}
        )
        books: dict[str, SenderBook] = {}
        for waiting in due:
            assert waiting.id is not None
            contact = contacts[waiting.contact_id]
            why = self._chain_refusal(waiting, contact, previous.get(waiting.previous_id or 0))
            if why is None:
                why = self._start_chain(waiting, contact, books, now)
            if why is None:
                report.started += 1
                self.log.info(
                    "chain.started",
                    enrollment_id=waiting.id,
                    contact_id=contact.id,
                    sequence=waiting.sequence,
                    sender=waiting.sender,
                )
            elif self.store.skip_chain(waiting.id, why=why, at=now):
                report.skipped.append((contact.email, waiting.sequence, why))
                self.log.info(
                    "chain.skipped",
                    enrollment_id=waiting.id,
                    contact_id=contact.id,
                    sequence=waiting.sequence,
                    why=why,
                )
        return report

    def _chain_refusal(
        self, waiting: Enrollment, contact: Contact, previous: Enrollment | None
    ) -> str | None:
        """Why a due chained enrollment must not start, or None."""
        if waiting.sequence not in self.sequences:
            return f"sequence '{waiting.sequence}' is no longer loaded"
        before = self.sequences.get(previous.sequence) if previous is not None else None
        if previous is None or before is None or before.then is None:
            return "the sequence it follows no longer chains into it"
        assert contact.id is not None
        events = self.store.event_kinds(contact.id, since=previous.enrolled_at)
        unmet = plan.unmet_conditions(
            before.then, events=events, fields={**contact.fields, **contact.model_dump()}
        )
        if unmet:
            return "only_if not met: " + ", ".join(unmet)
        if self.store.suppressed(blocking_keys(contact.email_key)):
            return f"the address or @{contact.email_key.rpartition('@')[2]} is suppressed"
        active = self.store.active_enrollments([contact.id]).get(contact.id)
        if active is not None:
            return f"active in '{active.sequence}'"
        return None

    def _start_chain(
        self, waiting: Enrollment, contact: Contact, books: dict[str, SenderBook], now: datetime
    ) -> str | None:
        assert waiting.id is not None and contact.id is not None
        seq = self.sequences[waiting.sequence]
        rotation = list(seq.senders) or [self.config.sender(None).name]
        for name in {waiting.sender, *rotation} & set(self.config.senders):
            if name not in books:
                books[name] = self._book(self.config.senders[name])
        name, due, zone = self._place(seq, contact, books, rotation, waiting.sender, now)
        started = self.store.start_chain(
            waiting.id,
            NewEnrollment(
                contact_id=contact.id,
                sequence=seq.name,
                sender=name,
                timezone=zone.key,
                step_key=seq.steps[0].key,
                channel=seq.steps[0].channel.value,
                due_at=due,
            ),
            now=now,
        )
        return None if started else "stopped, or active elsewhere, as it was about to start"

    # -- uncertain sends: a person decides ------------------------------------------------------

    def uncertain(self) -> list[UncertainSend]:
        """Sends that may or may not have gone out (a worker cut off mid-send, no answer after the
        message was handed over). They are never sent again without a person's decision."""
        sends = self.store.uncertain_sends()
        contacts = self.store.contacts_by_id({s.contact_id for s in sends})
        return [
            UncertainSend(
                id=s.id or 0,
                email=contacts[s.contact_id].email if s.contact_id in contacts else "?",
                sequence=s.sequence,
                step=s.step_key,
                sender=s.sender,
                message_id=s.message_id,
                subject=s.subject,
                begun_at=s.sent_at,
                error=s.error,
            )
            for s in sends
        ]

    def doctor(self) -> Health:
        """Uncertain sends, sends stuck past their lease, and failures of the last 7 days."""
        now = self.clock.now()
        return Health(
            uncertain=self.uncertain(),
            failed_recently=self.store.failed_since(now - timedelta(days=7)),
            stuck=self.store.stuck_sends(now=now, lease=self.config.lease),
        )

    def resend_uncertain(self, ids: Iterable[int] | None = None) -> ResendReport:
        """Queue uncertain sends (all, or those of ``ids``) to go out again, due now, as the same
        message: same Message-ID, subject and variants, so a server or client that already has it
        can drop the copy. Sends whose enrollment stopped meanwhile (a reply came) are left alone.
        """
        chosen = self._uncertain_sends(ids)
        requeued = self.store.resend_uncertain(
            [s.id for s in chosen if s.id is not None], now=self.clock.now()
        )
        enrollments = self.store.enrollments_by_id({s.enrollment_id for s in chosen})
        skipped = []
        for send in chosen:
            if send.id in requeued:
                self.log.info(
                    "send.requeued",
                    send_id=send.id,
                    message_id=send.message_id,
                    why="uncertain, re-sent by a person",
                )
                continue
            enrollment = enrollments.get(send.enrollment_id)
            status = enrollment.status if enrollment else "gone"
            reason = f" ({enrollment.stop_reason})" if enrollment and enrollment.stop_reason else ""
            skipped.append((send.id or 0, f"its enrollment is {status}{reason}"))
        return ResendReport(requeued=requeued, skipped=skipped)

    def mark_sent(self, ids: Iterable[int]) -> list[int]:
        """Record uncertain sends a person confirmed went out (found in the Sent folder) as sent,
        as a delivery would: day 0 anchored on message 1, the next step queued. Nothing is sent."""
        chosen = self._uncertain_sends(list(ids))
        enrollments = self.store.enrollments_by_id({s.enrollment_id for s in chosen})
        marked = []
        books: dict[str, SenderBook] = {}
        for send in chosen:
            sent_at = send.sent_at or self.clock.now()
            sequence, enrollment = (
                self.sequences.get(send.sequence),
                enrollments.get(send.enrollment_id),
            )
            sender = self.config.senders.get(send.sender)
            book = books.setdefault(send.sender, self._book(sender)) if sender is not None else None
            following = (
                next_step(send, sequence, enrollment, sent_at, book=book)
                if sequence and enrollment
                else None
            )
            if self.store.confirm_sent(send, sent_at=sent_at, next_send=following):
                marked.append(send.id or 0)
                self.log.info("send.marked_sent", send_id=send.id, message_id=send.message_id)
        return marked

    def _uncertain_sends(self, ids: Iterable[int] | None) -> list[Send]:
        """The uncertain sends of ``ids`` (all when None); any other id refuses the whole
        request.
        """
        if ids is None:
            return self.store.uncertain_sends()
        wanted = list(dict.fromkeys(ids))
        found = {s.id: s for s in self.store.uncertain_sends(wanted)}
        problems = []
        for send_id in wanted:
            if send_id not in found:
                send = self.store.send(send_id)
                problems.append(
                    f"send {send_id} "
                    + ("does not exist" if send is None else f"is '{send.status}', not uncertain")
                )
        if problems:
            raise SequencerError("nothing was changed: " + "; ".join(problems))
        return [found[i] for i in wanted]

    # -- inbox ----------------------------------------------------------------------------------

    @property
    def inbox(self) -> InboxPoller:
        if self._inbox is None:
            self._inbox = InboxPoller(
                self.store,
                self.config,
                lambda: self.sequences,
                self.clock,
                mailbox=self._mailbox,
                log=self.log,
            )
        return self._inbox

    async def poll_inbox(self, senders: Iterable[str] | None = None) -> PollReport:
        """Read the senders' mailboxes once: replies stop, bounces stop and suppress, out-of-office
        pauses.
        """
        return await self.inbox.poll(senders)

    def poll_inbox_sync(self, senders: Iterable[str] | None = None) -> PollReport:
        import asyncio

        return asyncio.run(self.poll_inbox(senders))

    # -- links (unsubscribe, tracking) ----------------------------------------------------------

    @property
    def links(self) -> tokens.Links | None:
        """Signed public links, once ``[http] public_url`` is configured (the secret must
        be set).
        """
        http = self.config.http
        if http.public_url is None:
            return None
        return tokens.Links(
            http.public_url,
            http.secret(),
            track_opens=http.track_opens,
            track_clicks=http.track_clicks,
            trackable=self.trackable_urls() if http.track_clicks else frozenset(),
        )

    def trackable_urls(self) -> frozenset[str]:
        """The URLs written in the loaded sequence files: the only ones click tracking signs or
        redirects to (a URL from a contact field is data, never a tracked link)."""
        from sequencer.messages import track_links

        found: set[str] = set()

        def keep(url: str) -> str:
            found.add(url)
            return url

        for sequence in self.sequences.values():
            for step in sequence.steps:
                templates = [v.template for v in (*step.subjects, *step.bodies)]
                for template in [*templates, *([step.message] if step.message else [])]:
                    track_links(template.source, keep)
        return frozenset(found)

    def _token_send(
        self, purpose: str, token: str, *, target: str = ""
    ) -> tuple[Send, Contact] | None:
        send_id = tokens.read(self.config.http.secret(), purpose, token, target=target)
        send = self.store.send(send_id) if send_id is not None else None
        contact = (
            self.store.contacts_by_id([send.contact_id]).get(send.contact_id) if send else None
        )
        return (send, contact) if send is not None and contact is not None else None

    def unsubscribe_page(self, token: str) -> Unsubscribe | None:
        """What an unsubscribe link is about (for its confirmation page); None for a link that is
        not ours.
        """
        found = self._token_send(tokens.UNSUBSCRIBE, token)
        if found is None:
            return None
        send, contact = found
        if (
            contact.email == FORGOTTEN
        ):  # erased (`sequencer forget`): its hash is suppressed already
            return self._unsubscribe_view(send, contact, already=True)
        return self._unsubscribe_view(
            send, contact, already=self.store.suppressed([contact.email_key])
        )

    def unsubscribe(self, token: str) -> Unsubscribe | None:
        """The one-click unsubscribe (RFC 8058): suppress the address everywhere and stop its
        sequence.

        None, and nothing changed, for a token that is not genuine. Repeating it is harmless.
        """
        found = self._token_send(tokens.UNSUBSCRIBE, token)
        if found is None:
            return None
        send, contact = found
        assert contact.id is not None
        if (
            contact.email == FORGOTTEN
        ):  # erased: nothing of theirs to suppress, and no junk key either
            return self._unsubscribe_view(send, contact, already=True)
        changed = self.store.unsubscribe(
            contact.id,
            contact.email_key,
            at=self.clock.now(),
            send_id=send.id,
            detail="one-click unsubscribe link",
        )
        if changed:
            self.log.info(
                "contact.unsubscribed", contact_id=contact.id, send_id=send.id, via="link"
            )
        return self._unsubscribe_view(send, contact, already=not changed)

    def _unsubscribe_view(self, send: Send, contact: Contact, *, already: bool) -> Unsubscribe:
        sender = self.config.senders.get(send.sender)
        address = "this address" if contact.email == FORGOTTEN else mask_address(contact.email)
        return Unsubscribe(
            address=address, sender=sender.display_name if sender else send.sender, already=already
        )

    def record_open(self, token: str) -> bool:
        """An open-pixel fetch, recorded at most once per send per hour (mail clients and proxies
        fetch images again and again); False (nothing recorded) for a token that is not genuine."""
        found = self._token_send(tokens.OPEN, token)
        if found is None:
            return False
        send, _ = found
        now = self.clock.now()
        self.store.add_event_once(
            kind="open",
            at=now,
            since=now - OPEN_EVERY,
            contact_id=send.contact_id,
            enrollment_id=send.enrollment_id,
            send_id=send.id or 0,
        )
        return True

    def click(self, token: str, url: str) -> str | None:
        """Record a click and return where it goes; None unless that URL was signed for
        that send.
        """
        found = self._token_send(tokens.CLICK, token, target=url)
        if (
            found is None or url not in self.trackable_urls()
        ):  # only URLs the sequence files contain
            return None
        send, _ = found
        self.store.add_event(
            kind="click",
            at=self.clock.now(),
            contact_id=send.contact_id,
            enrollment_id=send.enrollment_id,
            send_id=send.id,
            detail=url[:500],
        )
        return url

    # -- inbound hooks --------------------------------------------------------------------------

    def hook(self, kind: str, body: bytes, *, timestamp: str, signature: str) -> dict[str, Any]:
        """A signed ``/hooks/goal`` or ``/hooks/reply`` call: verify, refuse replays, record, stop.

        Raises :class:`HookRejected` (with an HTTP status) for anything not accepted.
        """
        from sequencer.channels import webhook

        http = self.config.http
        if kind not in ("goal", "reply"):
            raise HookRejected(404, f"no hook named '{kind}'")
        window = http.replay_window.total_seconds()
        now = self.clock.now()
        try:
            secret = http.hooks_secret()
        except ConfigError as exc:
            self.log.error("hooks.not_configured", error=exc.message)
            raise HookRejected(503, "hooks are not configured on this server") from None
        if not webhook.verify(
            secret, timestamp, body, signature, now=now.timestamp(), tolerance=window
        ):
            raise HookRejected(401, "bad signature or stale timestamp")
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: nested too deep to parse
            raise HookRejected(400, "the body is not JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("email"), str):
            raise HookRejected(400, "the body needs an 'email' string")
        email = data["email"]
        if self.store.contact(email) is None:
            raise HookRejected(404, "no contact with that address")
        name = data.get("goal")
        if kind == "goal" and (not isinstance(name, str) or not name.strip()):
            raise HookRejected(400, "a goal needs a 'goal' name, e.g. meeting_booked")
        # accepted once: a replay of this signed request within the window is refused from now on
        if not self.store.accept_hook(signature, at=now, window=http.replay_window):
            raise HookRejected(409, "this request was accepted before (replay)")
        if kind == "goal":
            assert isinstance(name, str)
            stopped = self.goal(email, name.strip())
        else:
            detail = data.get("detail")
            stopped = self.stop(
                email, reason=StopReason.REPLY, detail=str(detail)[:500] if detail else "reply hook"
            )
        return {"recorded": kind, "stopped": stopped.sequence if stopped else None}

    # -- suppression ----------------------------------------------------------------------------

    def suppress(self, *entries: str, reason: str = "manual") -> tuple[int, int]:
        """Never mail these addresses (or whole ``@domain``) again, in any sequence: (added,
        already listed).

        All or nothing: one entry that is neither an address nor a domain and none is added.
        """
        keys, bad = [], []
        for entry in entries:
            try:
                keys.append(suppression_key(entry))
            except ValueError as exc:
                bad.append(str(exc))
        if bad:
            raise SequencerError("nothing was added: " + "; ".join(bad))
        added = self.store.suppress_many(keys, reason=reason, at=self.clock.now())
        return added, len(set(keys)) - added

    def suppress_file(self, path: Path | str, *, reason: str = "import") -> tuple[int, int]:
        """Suppress every address or domain in a file (a CSV's ``email``/``domain`` column, or one
        per line).

        All or nothing: one bad row and nothing is added; the error names every bad row.
        Returns (added, already listed).
        """
        file = Path(path)
        keys = list(read_suppression_file(file))
        added = self.store.suppress_many(keys, reason=reason, at=self.clock.now())
        return added, len(set(keys)) - added

    def suppressions(self) -> list[Suppression]:
        return self.store.suppressions()

    # -- erasure --------------------------------------------------------------------------------

    def forget(
        self, email: str, *, unknown_ok: bool = False, rewrite: bool = False
    ) -> ForgetReport:
        """Erase a person (GDPR), in one transaction: the contact's fields and every text about them
        (rendered subjects, event details, task messages, inbound messages...) go; the anonymous
        counts stay, attached to an anonymised contact, so reports and A/B statistics do not
        change. A SHA-256 of the normalised address stays on the suppression list, so the address
        is never imported or mailed again. Then the old copies are pushed out of the database
        files (SQLite: checkpoint and truncate the write-ahead log, and with ``rewrite`` VACUUM;
        PostgreSQL: VACUUM the touched tables, with ``rewrite`` VACUUM FULL).

        An address that is no contact raises :class:`ContactNotFound` and changes nothing, unless
        ``unknown_ok``: then its hash is added to the suppression list (and any inbound message
        from it cleared).
        """
        key = _person_address(email)
        hashed = erasure_key(key)
        if not unknown_ok and self.store.contact(key) is None:
            before = (
                " (it was erased before: its hash is on the suppression list)"
                if self.store.suppressed([hashed])
                else ""
            )
            raise ContactNotFound(
                f"no contact with the address {email}{before}; nothing was changed"
            )
        erased = self.store.forget(key, erased_key=hashed, at=self.clock.now())
        compaction = self.store.compact_after_erasure(rewrite=rewrite)
        self.log.info(
            "contact.forgotten",
            contact_id=erased.contact_id,
            sends=erased.sends,
            events=erased.events,
            tasks=erased.tasks,
            wal_truncated=compaction.wal_truncated,
            vacuum=compaction.vacuum,
        )
        return ForgetReport(
            address=email,
            contact_id=erased.contact_id,
            sends=erased.sends,
            events=erased.events,
            tasks=erased.tasks,
            enrollments=erased.enrollments,
            inbound=erased.inbound,
            stopped=erased.stopped,
            cancelled=erased.cancelled,
            mentions=erased.mentions,
            unsuppressed=erased.unsuppressed,
            suppression_key=hashed,
            wal_truncated=compaction.wal_truncated,
            vacuum=compaction.vacuum,
            compact_seconds=compaction.seconds,
        )

    # -- stops ----------------------------------------------------------------------------------

    def stop(
        self, email: str, *, reason: StopReason | str = StopReason.MANUAL, detail: str | None = None
    ) -> Enrollment | None:
        """Record a reply, bounce, unsubscribe or manual stop; cancel every pending step at once.

        Bounces and unsubscribes also suppress the address in every sequence. A reply stops
        the enrollment unless its sequence says ``stop_on: {reply: false}`` (the event is kept).
        Returns the stopped enrollment, or None when nothing was active (or nothing stopped).
        """
        reason = StopReason(reason)
        contact = self.contact(email)
        assert contact.id is not None
        now = self.clock.now()
        suppress = (
            contact.email_key if reason in (StopReason.BOUNCE, StopReason.UNSUBSCRIBE) else None
        )
        active = self.store.active_enrollments([contact.id]).get(contact.id)
        if (
            reason is StopReason.REPLY
            and active is not None
            and not self._stops_on(active.sequence, reply=True)
        ):
            self.store.add_event(
                kind="reply", at=now, contact_id=contact.id, enrollment_id=active.id, detail=detail
            )
            return None
        company = self._company(contact, active) if reason is StopReason.REPLY else None
        stopped = self.store.stop(
            contact.id,
            kind=reason.value,
            reason=reason.value,
            at=now,
            detail=detail,
            suppress=suppress,
            company=company,
        )
        if stopped is not None:
            self.log.info(
                "enrollment.stopped",
                contact_id=contact.id,
                enrollment_id=stopped.id,
                reason=reason.value,
                company=company,
            )
        return stopped

    def goal(self, email: str, name: str) -> Enrollment | None:
        """Record a goal (``meeting_booked``...); it stops the enrollment if its sequence
        lists it.
        """
        contact = self.contact(email)
        assert contact.id is not None
        now = self.clock.now()
        active = self.store.active_enrollments([contact.id]).get(contact.id)
        if active is None or not self._stops_on(active.sequence, goal=name):
            self.store.add_event(
                kind="goal",
                at=now,
                contact_id=contact.id,
                detail=name,
                enrollment_id=active.id if active else None,
            )
            return None
        company = self._company(contact, active)
        stopped = self.store.stop(
            contact.id,
            kind="goal",
            reason=StopReason.GOAL.value,
            at=now,
            detail=name,
            company=company,
        )
        if stopped is not None:
            self.log.info(
                "enrollment.stopped",
                contact_id=contact.id,
                enrollment_id=stopped.id,
                reason="goal",
                goal=name,
                company=company,
            )
        return stopped

    def _company(self, contact: Contact, active: Enrollment | None) -> str | None:
        """The company domain a reply or goal of ``contact`` also stops (``stop_scope: company`` in
        the
        sequence they are in, or were in last); None for the contact alone, or a free-mail address.
        """
        if active is None and contact.id is not None:
            history = self.store.enrollments(contact.id)
            active = history[-1] if history else None
        sequence = self.sequences.get(active.sequence) if active is not None else None
        return plan.company_scope(
            sequence, company_domain(contact.email_key, self.config.free_mail)
        )

    def _stops_on(self, sequence: str, *, reply: bool = False, goal: str | None = None) -> bool:
        rules = self.sequences[sequence].stop_on if sequence in self.sequences else None
        if rules is None:
            return True
        return rules.reply if reply else goal in rules.goals

    # -- variants -------------------------------------------------------------------------------

    def score(self, *, dry_run: bool = False) -> list[Family]:
        """One look of the scoring job over every variant family (what the worker runs twice a
        week).
        """
        return run_look(
            self.store, self.sequences, now=self.clock.now(), dry_run=dry_run, log=self.log
        )

    def variants(self) -> list[VariantRow]:
        """Every variant of every family: live or retired, since when, why, and its latest look."""
        states = {(v.sequence, v.step_key, v.factor, v.key): v for v in self.store.variant_states()}
        latest = self.store.latest_decisions()
        rows = []
        for sequence in self.sequences.values():
            for step, factor, keys in families(sequence):
                for key in keys:
                    ident = (sequence.name, step.key, factor, key)
                    state = states.get(ident)
                    rows.append(
                        VariantRow(
                            sequence=sequence.name,
                            step=step.key,
                            factor=factor,
                            key=key,
                            status=state.status if state else "live",
                            since=state.since if state else None,
                            reason=state.reason if state else "",
                            latest=latest.get(ident),
                        )
                    )
        return rows

    def revive(self, sequence: str, step: str, factor: str, key: str) -> None:
        """Put a retired variant back into rotation by hand."""
        known = {(s.key, f, k) for s, f, keys in families(self.sequence(sequence)) for k in keys}
        if (step, factor, key) not in known:
            raise SequencerError(f"no {factor} variant '{key}' in step '{step}' of '{sequence}'")
        self.store.set_variant_status(
            sequence=sequence,
            step_key=step,
            factor=factor,
            key=key,
            status="live",
            reason="revived by hand",
            at=self.clock.now(),
        )
        self.log.info("variant.revived", sequence=sequence, step=step, factor=factor, key=key)

    # -- tasks ----------------------------------------------------------------------------------

    def tasks(self, *, today: bool = True) -> list[tuple[Task, Contact]]:
        """Open LinkedIn and call tasks (due by the end of today, UTC, by default), with their
        contact.
        """
        until = None
        if today:
            now = self.clock.now()
            until = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        found = self.store.tasks(status="open", due_before=until)
        contacts = self.store.contacts_by_id({t.contact_id for t in found})
        return [(t, contacts[t.contact_id]) for t in found]

    def close_task(self, task_id: int, *, done: bool) -> Task:
        task = self.store.close_task(
            task_id, status="done" if done else "skipped", at=self.clock.now()
        )
        if task is None:
            raise TaskNotFound(f"no task with id {task_id}")
        return task

    # -- reporting ------------------------------------------------------------------------------

    def step_report(self) -> list[StepRow]:
        """Per sequence and step: sent, replied, stopped, pending and the rest."""
        rows: dict[tuple[str, str], StepRow] = {}
        order: dict[tuple[str, str], int] = {}
        for sequence, step, index, status, count in self.store.step_counts():
            row = rows.setdefault((sequence, step), StepRow(sequence=sequence, step=step))
            order[(sequence, step)] = index
            row.by_status[status] = row.by_status.get(status, 0) + count
        for sequence, step, kind, count in self.store.event_counts():
            row = rows.setdefault((sequence, step), StepRow(sequence=sequence, step=step))
            row.events[kind] = row.events.get(kind, 0) + count
        return [rows[k] for k in sorted(rows, key=lambda k: (k[0], order.get(k, 99)))]

    def report(self) -> Report:
        """What `sequencer report` shows: per sequence and step, per variant (rate and 95%
        interval, as
        the scoring job counts it), sends per sender and day, and the times to reply. See
        :mod:`sequencer.reporting` for its JSON, CSV and HTML forms."""
        from sequencer import reporting

        caps = {
            name: sender.capacity(
                first_day=self.store.first_sending_day(name) if sender.warmup else None
            )
            for name, sender in self.config.senders.items()
        }
        return reporting.build(self.store, self.sequences, caps=caps, now=self.clock.now())

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sequences ------------------------------------------------------------------------------

    def validate(self, paths: Iterable[Path | str] | None = None) -> list[Problem]:
        """Every problem in the given (or configured) sequence files."""
        senders = list(self.config.senders) if self.config.senders else None
        loaded, problems = load_paths(paths or self._paths, senders=senders)
        return problems + self._tracking_warnings(loaded)

    def _tracking_warnings(self, loaded: dict[str, Sequence]) -> list[Problem]:
        """``only_if: [opened]`` (or ``clicked``) with that tracking off: nobody would ever move
        on.
        """
        http = self.config.http
        tracking = {
            "opened": http.track_opens and http.public_url is not None,
            "clicked": http.track_clicks and http.public_url is not None,
        }
        return [
            Problem(
                file=seq.source,
                line=0,
                path="then.only_if",
                severity="warning",
                message=f"'{condition}' needs {'open' if condition == 'opened' else 'click'} "
                "tracking "
                f"([http] track_{'opens' if condition == 'opened' else 'clicks'} "
                "and public_url), which "
                "is off: no contact will move on to " + seq.then.sequence,
            )
            for seq in loaded.values()
            if seq.then is not None
            for condition in seq.then.only_if
            if condition in tracking and not tracking[condition]
        ]

    @property
    def sequences(self) -> dict[str, Sequence]:
        """The loaded sequences; raises :class:`~sequencer.errors.SequenceInvalid` on any error."""
        if self._sequences is None:
            senders = list(self.config.senders) if self.config.senders else None
            self._sequences = load_sequences(self._paths, senders=senders)
        return self._sequences

    def sequence(self, name: str) -> Sequence:
        try:
            return self.sequences[name]
        except KeyError:
            known = ", ".join(sorted(self.sequences)) or "none"
            raise SequenceNotFound(f"no sequence named '{name}' (loaded: {known})") from None

    # -- contacts -------------------------------------------------------------------------------

    def import_contacts(
        self, path: Path | str, *, progress: Progress | None = None, skip_bad: bool = False
    ) -> ImportReport:
        """Import a CSV: valid rows are stored (re-imports update), invalid rows are reported.

        Strict (see :mod:`sequencer.contacts`): where the file's structure breaks (a quote left
        open), the rows before that row are stored and nothing from it on, and ``errors`` ends
        with that row as a ``RowProblem.BROKEN`` error saying so. With ``skip_bad`` that row is
        skipped and the rest is read. ``RowProblem.CHANGED`` entries in ``errors`` are rows stored
        with a change (a name cut short); ``rows`` does not count them twice.
        """
        from sequencer.contacts import RowProblem

        file = Path(path)
        text = read_utf8(file, "the CSV")
        total = max(text.count("\n"), 1)
        good: list[ContactRow] = []
        errors: list[RowError] = []
        for item in parse_csv(text, file=str(file), skip_bad=skip_bad):
            (errors if isinstance(item, RowError) else good).append(item)  # type: ignore[arg-type]
            if progress is not None and (len(good) + len(errors)) % 1000 == 0:
                progress(item.row, total)
        good, forgotten = self._without_erased(good)
        counts = self.store.upsert_contacts(good, now=self.clock.now())
        if progress is not None:
            progress(total, total)
        repeated = len(good) - len({row.email_key for row in good})
        skipped = sum(e.problem is not RowProblem.CHANGED for e in errors)
        return ImportReport(
            file=str(file),
            rows=len(good) + skipped + len(forgotten),
            inserted=counts.inserted,
            updated=counts.updated,
            errors=errors,
            repeated=repeated,
            forgotten=forgotten,
        )

    def _without_erased(self, rows: list[ContactRow]) -> tuple[list[ContactRow], list[int]]:
        """(the rows to store, the row numbers of addresses erased by ``forget``, which are not
        stored).
        """
        erased = self.store.erased_keys()
        if not erased:
            return rows, []
        kept: list[ContactRow] = []
        dropped: list[int] = []
        for row in rows:
            if erasure_key(row.email_key) in erased:
                dropped.append(row.row)
            else:
                kept.append(row)
        return kept, dropped

    def contact(self, email: str) -> Contact:
        found = self.store.contact(email)
        if found is None:
            raise ContactNotFound(f"no contact with the address {email}; import it first")
        return found

    # -- enrollment -----------------------------------------------------------------------------

    def enroll(
        self,
        sequence: str,
        *,
        sender: str | Iterable[str] | None = None,
        emails: Iterable[str] | None = None,
        where: dict[str, str] | None = None,
        again: bool = False,
    ) -> EnrollReport:
        """Enroll contacts (all, or the given addresses / field matches) in a sequence.

        A contact already active in any sequence is refused and listed, and so is one who has
        been through this sequence before (unless ``again``): nobody gets the same cold email
        twice. The rest are enrolled together, with message 1 placed inside each recipient's
        window and the sender's cap.

        Senders: ``sender`` (one name or several), else the sequence's ``defaults.sender`` list,
        else the first configured. With several, each new contact goes to the sender who can send
        message 1 soonest, so contacts split by free capacity. Unless ``sender`` is given, a contact
        who was enrolled before keeps the sender they had.
        """
        seq = self.sequence(sequence)
        explicit = [sender] if isinstance(sender, str) else list(sender or [])
        names = explicit or list(seq.senders) or [self.config.sender(None).name]
        books = {name: self._book(self.config.sender(name)) for name in names}
        emails = list(emails) if emails is not None else None
        contacts = self._not_erased(self.store.contacts(emails=emails, where=where))
        if emails is not None and not contacts:
            raise ContactNotFound(f"none of {', '.join(emails)} is an imported contact")
        active = self.store.active_enrollments(c.id for c in contacts if c.id is not None)
        before = (
            set()
            if again
            else self.store.past_enrollments(seq.name, (c.id for c in contacts if c.id is not None))
        )
        now = self.clock.now()
        kept = (
            {} if explicit else self.store.last_senders(c.id for c in contacts if c.id is not None)
        )
        plans: list[NewEnrollment] = []
        refused: list[tuple[str, str]] = []
        done_before: list[str] = []
        for contact in contacts:
            assert contact.id is not None
            if contact.id in active:
                refused.append((contact.email, active[contact.id].sequence))
                continue
            if contact.id in before:
                done_before.append(contact.email)
                continue
            name, due, zone = self._place(seq, contact, books, names, kept.get(contact.id), now)
            plans.append(
                NewEnrollment(
                    contact_id=contact.id,
                    sequence=seq.name,
                    sender=name,
                    timezone=zone.key,
                    step_key=seq.steps[0].key,
                    channel=seq.steps[0].channel.value,
                    due_at=due,
                )
            )
        if emails is not None and len(emails) == 1 and refused and not plans:
            address, current = refused[0]
            raise AlreadyEnrolled(
                f"{address} is already active in the '{current}' sequence; "
                "stop that enrollment first"
            )
        if emails is not None and len(emails) == 1 and done_before and not plans:
            raise AlreadyEnrolled(
                f"{done_before[0]} has been through '{seq.name}' before; "
                "use --again to send it to them once more"
            )
        self.store.enroll(plans, now=now)
        dues = [p.due_at for p in plans]
        by_sender = {name: sum(p.sender == name for p in plans) for name in books}
        return EnrollReport(
            sequence=seq.name,
            sender=", ".join(names),
            enrolled=len(plans),
            refused=refused,
            done_before=done_before,
            first_due=min(dues, default=None),
            last_due=max(dues, default=None),
            by_sender={k: v for k, v in by_sender.items() if v},
        )

    def _place(
        self,
        seq: Sequence,
        contact: Contact,
        books: dict[str, SenderBook],
        rotation: list[str],
        keep: str | None,
        now: datetime,
    ) -> tuple[str, datetime, ZoneInfo]:
        """Message 1 for one contact: (sender, when, the recipient's zone). A contact keeps the
        sender
        they had before when it is still configured; otherwise the senders rotate by free capacity.
        """
        if keep is not None and keep in self.config.senders:
            if keep not in books:
                books[keep] = self._book(self.config.senders[keep])
            zone = self.zone_for(seq, contact, self.config.senders[keep])
            return keep, plan.place_first_send(seq, zone=zone, now=now, book=books[keep]), zone
        rotating = {name: books[name] for name in rotation}
        zone = self.zone_for(seq, contact, self.config.sender(rotation[0]))
        name, due = plan.place_rotating(seq, zone=zone, now=now, books=rotating)
        return name, due, zone

    def _not_erased(self, contacts: list[Contact]) -> list[Contact]:
        """Without the anonymised rows ``forget`` leaves, and without a contact whose address it
        erased
        (stored by other means than an import): neither is ever enrolled."""
        erased = self.store.erased_keys()
        return [
            c
            for c in contacts
            if not c.email_key.startswith(f"{FORGOTTEN}:")
            and not (erased and erasure_key(c.email_key) in erased)
        ]

    def _book(self, sender: Sender) -> SenderBook:
        return new_book(self.store, sender, now=self.clock.now())

    @staticmethod
    def zone_for(sequence: Sequence, contact: Contact, sender: Sender) -> ZoneInfo:
        return timing.resolve_zone(
            sequence, contact_tz=contact.timezone, sender_tz=sender.timezone.key
        )

    # -- preview --------------------------------------------------------------------------------

    def preview(self, sequence: str, email: str, *, sender: str | None = None) -> Preview:
        """A recipient's timeline and every variant rendered for them.

        Times already fixed (sent or scheduled) are shown as they are; the rest are projected
        from message 1's actual or planned time.
        """
        seq = self.sequence(sequence)
        contact = self.contact(email)
        assert contact.id is not None
        enrollment = next(
            (e for e in reversed(self.store.enrollments(contact.id)) if e.sequence == seq.name),
            None,
        )
        who = self.config.sender(
            sender or (enrollment.sender if enrollment else None) or seq.sender
        )
        zone = ZoneInfo(enrollment.timezone) if enrollment else self.zone_for(seq, contact, who)
        known = (
            {s.step_key: s for s in self.store.sends(enrollment.id)}
            if enrollment and enrollment.id
            else {}
        )
        times = self._timeline(seq, zone, who, known)
        context = plan.template_context(contact.model_dump(), contact.fields, who.template_fields())
        steps = [
            PreviewStep(
                step=step,
                due_at=due,
                local=due.astimezone(zone),
                status=status,
                rendered=plan.render_step(step, context),
            )
            for step, (due, status) in zip(seq.steps, times, strict=True)
        ]
        return Preview(
            sequence=seq,
            contact=contact,
            sender=who,
            zone=zone,
            steps=steps,
            then=self._chain_preview(seq, contact, enrollment, times[-1][0] if times else None),
        )

    def _chain_preview(
        self, seq: Sequence, contact: Contact, enrollment: Enrollment | None, last: datetime | None
    ) -> PreviewChain | None:
        if seq.then is None or last is None:
            return None
        assert contact.id is not None
        waiting = next(
            (
                e
                for e in self.store.deferred(contact.id)
                if enrollment is not None and e.previous_id == enrollment.id
            ),
            None,
        )
        if waiting is not None and waiting.starts_at is not None:
            return PreviewChain(
                sequence=waiting.sequence,
                earliest=waiting.starts_at,
                latest=waiting.starts_at,
                only_if=seq.then.only_if,
                status="deferred",
            )
        low, high = seq.then.after_days
        return PreviewChain(
            sequence=seq.then.sequence,
            earliest=last + timedelta(days=low),
            latest=last + timedelta(days=high),
            only_if=seq.then.only_if,
            status="projected",
        )

    def _timeline(
        self, seq: Sequence, zone: ZoneInfo, who: Sender, known: dict[str, Any]
    ) -> list[tuple[datetime, str]]:
        first = known.get(seq.steps[0].key)
        if first is not None:
            anchor = first.sent_at or first.due_at
            status = first.status
        else:
            anchor = plan.place_first_send(
                seq, zone=zone, now=self.clock.now(), book=self._book(who)
            )
            status = "projected"
        out = [(anchor, status)]
        for index, step in enumerate(seq.steps[1:], start=1):
            send = known.get(step.key)
            if send is not None:
                out.append((send.sent_at or send.due_at, send.status))
            else:
                out.append((plan.next_step_due(seq, index, anchor=anchor, zone=zone), "projected"))
        return out
