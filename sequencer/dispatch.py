"""One dispatch tick: claim due sends, re-check, choose variants, render, deliver, record.

The order for each send is what keeps a stop final:

1. claim the row (a lease, so a crashed worker's claims come back);
2. check window and sender capacity; if it cannot go now, put it back with a new due time;
3. choose variants and render;
4. commit ``sending`` with its Message-ID in one statement that also checks the enrollment
   is still active and the address not suppressed (a stop recorded before this wins);
5. deliver through the channel;
6. record the outcome and queue the next step, timed from message 1's actual send.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sequencer import enrollment as plan
from sequencer import messages, rendering, timing, tokens, variants
from sequencer.caps import Capacity, SenderBook
from sequencer.channels.base import ChannelAdapter, Delivery, Outcome, Result
from sequencer.clock import Clock
from sequencer.config import DEFAULT_MAX_ATTEMPTS, Config, Sender
from sequencer.contacts import blocking_keys
from sequencer.model import STANDARD_FIELDS, Channel, Sequence, Step, StopReason, Variant
from sequencer.store import (
    BeginStatus,
    Contact,
    Enrollment,
    NewChain,
    NewSend,
    Quota,
    Send,
    Store,
    Task,
)

#: How long a claim holds before another worker may take the send over.
LEASE = timedelta(minutes=5)
#: Delivery attempts before a send that keeps failing transiently is given up as failed: the
#: default of ``[worker] max_attempts`` (``Config.max_attempts``), which the dispatcher uses.
MAX_ATTEMPTS = DEFAULT_MAX_ATTEMPTS


@dataclass
class TickReport:
    """What one tick did."""

    claimed: int = 0
    sent: int = 0
    #: Put back for later: window closed, cap reached, gap not yet over.
    deferred: int = 0
    #: Not sent because the enrollment stopped or the address is suppressed.
    cancelled: int = 0
    retried: int = 0
    bounced: int = 0
    failed: int = 0
    #: The channel was called but the outcome is unknown: held for a person (``sequencer doctor``).
    uncertain: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def merge(self, other: TickReport) -> None:
        """Add another report's counts to this one."""
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _TickState:
    """Per-tick caches: sender books and variant counts, updated as sends go out."""

    books: dict[str, SenderBook] = field(default_factory=dict)
    counts: dict[tuple[str, str, str], tuple[dict[str, int], dict[str, int]]] = field(
        default_factory=dict
    )
    #: (sequence, step, factor) -> retired keys, read once a tick.
    retired: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)
    #: sender -> when the shared count (sender_days) lets it send again
    blocked: dict[str, datetime] = field(default_factory=dict)
    #: contact -> when messages went to them lately (``[frequency]``), read once a tick
    messages: dict[int, list[datetime]] = field(default_factory=dict)
    #: sender -> (sends begun on its local day today, its latest send), read once a tick
    loads: dict[str, list[Any]] = field(default_factory=dict)
    #: send -> the instant it holds in its sender's book (its due time until it moves)
    slots: dict[int, datetime] = field(default_factory=dict)
    #: sender -> its capacity with the warm-up ramp's day 1, read once a tick
    capacities: dict[str, Capacity] = field(default_factory=dict)


@dataclass(frozen=True)
class _Later:
    """Why a send cannot go now: wait in its slot's place until ``at``, or take a new slot from
    ``at``.
    """

    at: datetime
    #: True: the send leaves its slot and takes the first free one at or after ``at`` (window
    #: closed, day full, sender paused); False: a short wait for the gap after the latest send.
    replace: bool


class Dispatcher:
    """Runs dispatch ticks over a store with the given channels."""

    def __init__(
        self,
        *,
        store: Store,
        config: Config,
        sequences: Mapping[str, Sequence],
        channels: Mapping[str, ChannelAdapter],
        clock: Clock,
        log: Any,
        worker_id: str = "worker",
        batch: int = 100,
        links: tokens.Links | None = None,
    ) -> None:
        self.store, self.config, self.sequences = store, config, sequences
        self.channels, self.clock, self.log = channels, clock, log
        self.worker_id, self.batch, self.links = worker_id, batch, links
        self.paused_until: dict[str, datetime] = {}
        self._stopping = False

    def request_stop(self) -> None:
        """Finish the message in flight, then return the rest of the batch to the queue."""
        self._stopping = True

    async def tick(self) -> TickReport:
        report = TickReport()
        # A send left in 'sending' longer than a lease belongs to a worker that crashed or was
        # cut off mid-send: it may have gone out, so it becomes 'uncertain', never resent silently.
        lease = self.config.lease
        for send_id in self.store.mark_uncertain(before=self.clock.now() - lease):
            self.log.warning(
                "send.uncertain", send_id=send_id, why="left in 'sending' by an interrupted worker"
            )
        claimed = self.store.claim_due(
            now=self.clock.now(), worker=self.worker_id, limit=self.batch, lease=lease
        )
        report.claimed = len(claimed)
        if not claimed:
            return report
        contacts = self.store.contacts_by_id({s.contact_id for s in claimed})
        enrollments = self.store.enrollments_by_id({s.enrollment_id for s in claimed})
        state = _TickState()
        if self.config.frequency is not None:
            since = self.clock.now() - self.config.frequency.span
            state.messages = self.store.message_times({s.contact_id for s in claimed}, since=since)
        by_sender: dict[str, list[Send]] = {}
        for send in claimed:
            by_sender.setdefault(send.sender, []).append(send)
        # One lane per sender: each sender's sends go out in order over its own connection, while
        # the lanes overlap, so one mailbox's SMTP round trip does not hold up the others.
        await asyncio.gather(
            *(
                self._lane(sends, contacts, enrollments, state, report)
                for sends in by_sender.values()
            )
        )
        return report

    async def _lane(
        self,
        sends: list[Send],
        contacts: Mapping[int, Contact],
        enrollments: Mapping[int, Enrollment],
        state: _TickState,
        report: TickReport,
    ) -> None:
        for index, send in enumerate(sends):
            if self._stopping:
                for rest in sends[index:]:
                    assert rest.id is not None
                    self.store.reschedule(rest.id, due_at=rest.due_at, worker=self.worker_id)
                return
            report.add(
                await self._guarded(
                    send, contacts[send.contact_id], enrollments[send.enrollment_id], state
                )
            )

    async def _guarded(
        self, send: Send, contact: Contact, enrollment: Enrollment, state: _TickState
    ) -> str:
        """One send; an unexpected error fails that send alone and never stalls the queue."""
        assert send.id is not None
        try:
            return await self._one(send, contact, enrollment, state)
        except Exception as exc:  # one bad row must not block every send behind it
            current = self.store.send(send.id)
            # If the channel was already called, the message may have gone out: say so, never
            # resend.
            status = (
                "uncertain" if current is not None and current.status == "sending" else "failed"
            )
            self.store.finish(
                send.id, status=status, error=f"{type(exc).__name__}: {exc}", worker=self.worker_id
            )
            if status == "failed":
                self._end_enrollment(contact, str(exc), self.clock.now())
            self.log.exception(
                "send.failed", send_id=send.id, status=status, error=f"{type(exc).__name__}: {exc}"
            )
            return status

    async def close(self) -> None:
        for channel in {id(c): c for c in self.channels.values()}.values():
            await channel.close()

    # -- one send -------------------------------------------------------------------------------

    async def _one(
        self, send: Send, contact: Contact, enrollment: Enrollment, state: _TickState
    ) -> str:
        assert send.id is not None
        now = self.clock.now()
        sequence = self.sequences.get(send.sequence)
        step = _step(sequence, send) if sequence else None
        sender = self.config.senders.get(send.sender)
        if enrollment.status != "active":
            return self._finish(
                send, "cancelled", f"enrollment {enrollment.status}", status="cancelled"
            )
        if sequence is None or step is None or sender is None:
            missing = "sequence" if sequence is None else "step" if step is None else "sender"
            return self._give_up(send, contact, f"{missing} no longer configured", now)
        later = self._not_before(send, step, sequence, enrollment, sender, state, now)
        if later is not None:
            due = self._move(send, later, step, sequence, enrollment, sender, state)
            self.store.reschedule(send.id, due_at=due, worker=self.worker_id)
            self.log.debug(
                "send.deferred",
                send_id=send.id,
                sender=sender.name,
                until=due.isoformat(),
                replaced=later.replace,
            )
            return "deferred"
        return await self._deliver(send, step, sequence, contact, enrollment, sender, state, now)

    def _not_before(
        self,
        send: Send,
        step: Step,
        sequence: Sequence,
        enrollment: Enrollment,
        sender: Sender,
        state: _TickState,
        now: datetime,
    ) -> _Later | None:
        """When the send may go instead, if not now: recipient window, frequency, sender pause, cap
        and gap.
        """
        if step.channel is Channel.WEBHOOK:
            return None
        fit = plan.first_send_fit(sequence, ZoneInfo(enrollment.timezone))
        opens = fit(now)
        if opens > now:
            return _Later(opens, replace=True)
        frequency = self.config.frequency
        if frequency is not None and step.channel in (Channel.EMAIL, Channel.LINKEDIN):
            allowed = plan.frequency_opens(
                state.messages.get(send.contact_id, []),
                max_messages=frequency.max_messages,
                span=frequency.span,
                now=now,
            )
            if allowed is not None:
                return _Later(fit(allowed), replace=True)
        if step.channel is not Channel.EMAIL:
            return None
        paused = self.paused_until.get(sender.name)
        if paused is not None and paused > now:
            return _Later(fit(paused), replace=True)
        today = now.astimezone(sender.timezone).date()
        count, last = self._load(sender, state, now)
        if count >= self._capacity(sender, state).cap_on(today):
            return _Later(
                fit(timing.local_midnight(today + timedelta(days=1), sender.timezone)), replace=True
            )
        blocked = state.blocked.get(sender.name)
        wait = max(blocked or now, last + sender.min_gap if last is not None else now)
        if wait <= now:
            return None
        # A short wait keeps the send's turn; one that would leave the window or the day takes a new
        # slot.
        stays = fit(wait) == wait and wait.astimezone(sender.timezone).date() == today
        return _Later(wait if stays else fit(wait), replace=not stays)

    def _move(
        self,
        send: Send,
        later: _Later,
        step: Step,
        sequence: Sequence,
        enrollment: Enrollment,
        sender: Sender,
        state: _TickState,
    ) -> datetime:
        """The send's new due time: ``later.at`` for a wait, else the first free slot from there."""
        assert send.id is not None
        if step.channel is not Channel.EMAIL:
            return later.at
        if not later.replace:
            self._rebook(sender, state, send, later.at)
            return later.at
        book = self._book(sender, state, self.clock.now())
        book.remove(state.slots.pop(send.id, send.due_at))
        due = plan.place_step(
            sequence, send.step_index, due=later.at, zone=ZoneInfo(enrollment.timezone), book=book
        )
        state.slots[send.id] = due
        return due

    @staticmethod
    def _rebook(sender: Sender, state: _TickState, send: Send, at: datetime | None) -> None:
        """The send now holds ``at`` in its sender's book (None: no slot), if the book was read
        this tick;
        a book read later reads it from the database."""
        assert send.id is not None
        book = state.books.get(sender.name)
        if book is not None:
            book.remove(state.slots.pop(send.id, send.due_at))
            if at is not None:
                book.record(at)
        if at is not None:
            state.slots[send.id] = at

    @staticmethod
    def _quota(sender: Sender, now: datetime, capacity: Capacity | None = None) -> Quota:
        """The sender's cap and gap for its local day, enforced across workers by the store.

        With the sender's ``capacity`` the cap is that day's (a warm-up ramp's value); without,
        ``daily_cap``.
        """
        today = now.astimezone(sender.timezone).date()
        cap = sender.daily_cap if capacity is None else capacity.cap_on(today)
        return Quota(
            sender=sender.name,
            day=today.isoformat(),
            since=timing.local_midnight(today, sender.timezone),
            until=timing.local_midnight(today + timedelta(days=1), sender.timezone),
            cap=cap,
            gap=sender.min_gap,
        )

    def _capacity(self, sender: Sender, state: _TickState) -> Capacity:
        """The sender's cap (its warm-up ramp's day 1 read from the store), gap and jitter; read
        once a tick.
        """
        capacity = state.capacities.get(sender.name)
        if capacity is None:
            first_day = (
                self.store.first_sending_day(sender.name) if sender.warmup is not None else None
            )
            capacity = state.capacities[sender.name] = sender.capacity(first_day=first_day)
        return capacity

    def _book(self, sender: Sender, state: _TickState, now: datetime) -> SenderBook:
        """The sender's book: what it sent since yesterday and every email it has queued. Read once
        a
        tick, and only when a send must be placed (a follow-up, a deferral): a send going out in
        its slot
        needs only the day's count and the latest send (:meth:`_load`)."""
        book = state.books.get(sender.name)
        if book is None:
            book = state.books[sender.name] = new_book(self.store, sender, now=now)
        return book

    def _load(self, sender: Sender, state: _TickState, now: datetime) -> list[Any]:
        """[sends begun today (sender-local), the latest send]: what the cap and gap are checked
        against.
        """
        load = state.loads.get(sender.name)
        if load is None:
            today = now.astimezone(sender.timezone).date()
            since = timing.local_midnight(today, sender.timezone)
            until = timing.local_midnight(today + timedelta(days=1), sender.timezone)
            load = state.loads[sender.name] = list(
                self.store.sender_load(sender.name, since=since, until=until)
            )
        return load

    async def _deliver(
        self,
        send: Send,
        step: Step,
        sequence: Sequence,
        contact: Contact,
        enrollment: Enrollment,
        sender: Sender,
        state: _TickState,
        now: datetime,
    ) -> str:
        assert send.id is not None
        context = plan.template_context(
            contact.model_dump(), contact.fields, sender.template_fields()
        )
        try:
            delivery, choice = self._prepare(
                send, step, sequence, contact, enrollment, sender, state, context, now
            )
        except _CannotRender as exc:
            return self._give_up(send, contact, str(exc), now)
        channel = self._channel(step)
        warm = getattr(channel, "warm", None)
        if warm is not None:  # connect and log in while a stop can still prevent the send
            not_ready = await warm(sender)
            if not_ready is not None:
                return self._record(
                    send, not_ready, sequence, enrollment, contact, sender, state, now
                )
        keys = blocking_keys(contact.email_key)
        quota = (
            self._quota(sender, now, self._capacity(sender, state))
            if step.channel is Channel.EMAIL
            else None
        )
        started = self.store.begin_sending(
            send.id, now=now, worker=self.worker_id, suppression_keys=keys, quota=quota, **choice
        )
        if started.status in (BeginStatus.FULL, BeginStatus.TOO_SOON):
            # Another worker used the sender's cap or sent from it moments ago: the shared count
            # in sender_days says when this sender can send again.
            assert started.retry_at is not None
            state.blocked[sender.name] = max(state.blocked.get(sender.name, now), started.retry_at)
            fit = plan.first_send_fit(sequence, ZoneInfo(enrollment.timezone))
            full = started.status is BeginStatus.FULL
            later = self._move(
                send,
                _Later(fit(started.retry_at), replace=full),
                step,
                sequence,
                enrollment,
                sender,
                state,
            )
            self.store.reschedule(send.id, due_at=later, worker=self.worker_id, keep_message=True)
            self.log.debug(
                "send.deferred",
                send_id=send.id,
                sender=sender.name,
                until=later.isoformat(),
                why=started.status.value,
            )
            return "deferred"
        if not started:
            # A stop got there first, the address is suppressed, or our lease ran out and another
            # worker took the send over: only a send still claimed by us is marked cancelled.
            self.log.info(
                "send.cancelled",
                send_id=send.id,
                contact_id=contact.id,
                why="stopped, suppressed or taken over",
            )
            if step.channel is Channel.EMAIL:
                self._rebook(sender, state, send, None)
            if self.store.finish(
                send.id,
                status="cancelled",
                error="stopped or suppressed before sending",
                worker=self.worker_id,
            ) and self.store.suppressed(keys):
                # suppressed after enrolling (suppress add, a bounce elsewhere): end the enrollment
                # too
                assert contact.id is not None
                self.store.stop(
                    contact.id,
                    kind="suppressed",
                    reason=StopReason.SUPPRESSED.value,
                    at=now,
                    detail="address or domain is on the suppression list",
                )
            return "cancelled"
        if step.channel is Channel.EMAIL:
            self._rebook(sender, state, send, now)
            load = self._load(sender, state, now)
            load[0], load[1] = load[0] + 1, now
            counts = state.counts[(send.sequence, send.step_key, sender.name)]
            for key, table in ((choice["subject_key"], counts[0]), (choice["body_key"], counts[1])):
                if key:
                    table[key] = table.get(key, 0) + 1
        if step.channel in (Channel.EMAIL, Channel.LINKEDIN):
            state.messages.setdefault(send.contact_id, []).append(now)
        result = await channel.deliver(delivery)
        return self._record(send, result, sequence, enrollment, contact, sender, state, now)

    def _channel(self, step: Step) -> ChannelAdapter:
        return self.channels[step.channel.value]

    def _prepare(
        self,
        send: Send,
        step: Step,
        sequence: Sequence,
        contact: Contact,
        enrollment: Enrollment,
        sender: Sender,
        state: _TickState,
        context: dict[str, Any],
        now: datetime,
    ) -> tuple[Delivery, dict[str, Any]]:
        assert send.id is not None
        base: dict[str, Any] = {
            "send_id": send.id,
            "channel": step.channel.value,
            "sender": sender,
            "recipient": contact.email,
            "due_at": send.due_at,
        }
        none = {
            "message_id": None,
            "subject": None,
            "subject_key": None,
            "body_key": None,
            "in_reply_to": None,
            "references": None,
        }
        if step.channel is Channel.EMAIL:
            return self._email(send, step, contact, enrollment, sender, state, context, now, base)
        if step.channel is Channel.WEBHOOK:
            payload = {
                "event": "sequence.step",
                "sequence": sequence.name,
                "step": step.key,
                "send_id": send.id,
                "enrollment_id": enrollment.id,
                "sender": sender.name,
                "at": now.isoformat(),
                "contact": {**contact.fields, **_standard(contact)},
            }
            return Delivery(**base, payload=payload, url=step.url), none
        assert step.message is not None
        text = _render(step.message.source, context, f"{step.key}.message")
        return Delivery(**base, text=text), none

    def _email(
        self,
        send: Send,
        step: Step,
        contact: Contact,
        enrollment: Enrollment,
        sender: Sender,
        state: _TickState,
        context: dict[str, Any],
        now: datetime,
        base: dict[str, Any],
    ) -> tuple[Delivery, dict[str, Any]]:
        key = (send.sequence, send.step_key, sender.name)
        if key not in state.counts:
            state.counts[key] = self.store.variant_counts(
                sequence=send.sequence, step_key=send.step_key, sender=sender.name
            )
        subject_counts, body_counts = state.counts[key]
        salt = f"{enrollment.id}"
        # A re-send of an uncertain message (`sequencer resend --uncertain`) carries its Message-ID:
        # it goes out as the same message (same ID, subject and variants), so a receiving server or
        # client that already has it can drop the copy.
        again = (
            send
            if send.message_id and send.subject and send.body_key in {v.key for v in step.bodies}
            else None
        )
        body_key = (
            again.body_key
            if again and again.body_key
            else variants.choose(
                [v.key for v in step.bodies],
                body_counts,
                salt=salt,
                retired=self._retired(send, "body", state),
            )
        )
        body = _render(_variant(step.bodies, body_key), context, f"{step.key}.bodies[{body_key}]")
        in_reply_to: str | None = None
        references: tuple[str, ...] = ()
        if again is not None and again.subject is not None:
            subject, subject_key = again.subject, again.subject_key
            in_reply_to, references = again.in_reply_to, tuple((again.references or "").split())
        elif step.thread:
            thread = [
                s
                for s in self.store.thread(enrollment.id or 0)
                if s.status in ("sent", "sending", "uncertain")
            ]
            if not thread or thread[0].subject is None or thread[0].message_id is None:
                raise _CannotRender(
                    "message 1 of this thread was never sent, so there is no thread to continue"
                )
            subject = messages.thread_subject(thread[0].subject)
            subject_key = thread[0].subject_key
            in_reply_to = thread[0].message_id
            references = tuple(s.message_id for s in thread if s.message_id)
        else:
            subject_key = variants.choose(
                [v.key for v in step.subjects],
                subject_counts,
                salt=salt,
                retired=self._retired(send, "subject", state),
            )
            subject = messages.one_line(
                _render(
                    _variant(step.subjects, subject_key),
                    context,
                    f"{step.key}.subjects[{subject_key}]",
                )
            )
        message_id = (
            again.message_id
            if again and again.message_id
            else messages.make_message_id(sender.domain)
        )
        links, send_id = self.links, send.id or 0
        if links is not None and links.track_clicks:
            body = messages.track_links(body, lambda url: links.click(send_id, url))
        draft = messages.Draft(
            from_name=sender.display_name,
            from_email=sender.email,
            to_name=contact.full_name,
            to_email=contact.email,
            subject=subject,
            body=body,
            signature=sender.signature,
            date=now.astimezone(sender.timezone),
            message_id=message_id,
            reply_to=sender.reply_to,
            in_reply_to=in_reply_to,
            references=references,
            unsubscribe_mailto=sender.reply_to or sender.email,
            unsubscribe_url=links.unsubscribe(send_id) if links else None,
            open_pixel_url=links.open_pixel(send_id) if links and links.track_opens else None,
        )
        choice = {
            "message_id": message_id,
            "subject": subject,
            "subject_key": subject_key,
            "body_key": body_key,
            "in_reply_to": in_reply_to,
            "references": " ".join(references) or None,
        }
        try:
            raw = messages.to_bytes(draft)
        except ValueError as exc:  # an address that cannot go on the wire
            raise _CannotRender(str(exc)) from None
        return Delivery(**base, raw=raw), choice

    def _retired(self, send: Send, factor: str, state: _TickState) -> set[str]:
        """Retired keys of a factor: never assigned again (threads under way keep theirs)."""
        key = (send.sequence, send.step_key, factor)
        if key not in state.retired:
            state.retired[key] = self.store.retired_keys(*key)
        return state.retired[key]

    # -- outcomes -------------------------------------------------------------------------------

    def _record(
        self,
        send: Send,
        result: Result,
        sequence: Sequence,
        enrollment: Enrollment,
        contact: Contact,
        sender: Sender,
        state: _TickState,
        now: datetime,
    ) -> str:
        assert send.id is not None and contact.id is not None
        fields = {
            "send_id": send.id,
            "sender": sender.name,
            "step": send.step_key,
            "detail": result.detail,
        }
        if result.outcome is Outcome.SENT:
            index = (
                send.step_index + 1
            )  # the sender's book is read only when an email must be placed
            email_next = (
                index < len(sequence.steps) and sequence.steps[index].channel is Channel.EMAIL
            )
            following = next_step(
                send,
                sequence,
                enrollment,
                now,
                book=self._book(sender, state, now) if email_next else None,
            )
            self.store.record_sent(send, sent_at=now, next_send=following)
            self.log.info("send.sent", channel=send.channel, contact_id=contact.id, **fields)
            return "sent"
        if result.outcome is Outcome.BOUNCE:
            self.store.finish(
                send.id,
                status="bounced",
                error=f"{result.code} {result.detail}",
                worker=self.worker_id,
            )
            self.store.stop(
                contact.id,
                kind="bounce",
                reason=StopReason.BOUNCE.value,
                at=now,
                detail=f"{result.code} {result.detail}",
            )
            self.store.suppress(contact.email_key, reason="bounce", at=now)
            self.log.warning("send.bounced", code=result.code, **fields)
            self.log.info("enrollment.stopped", contact_id=contact.id, reason="bounce")
            return "bounced"
        error = result.detail
        # A re-send of an uncertain message keeps its Message-ID through deferrals and retries.
        keep = send.message_id is not None
        if result.outcome is Outcome.PAUSE_SENDER:
            until = (
                now + result.pause
                if result.pause
                else timing.local_midnight(
                    now.astimezone(sender.timezone).date() + timedelta(days=1), sender.timezone
                )
            )
            self.paused_until[sender.name] = until
            self.store.pause_sender(
                self._quota(sender, now), until=until
            )  # for every worker, not just this one
            step = _step(sequence, send)
            assert step is not None
            fit = plan.first_send_fit(sequence, ZoneInfo(enrollment.timezone))
            due = self._move(
                send, _Later(fit(until), replace=True), step, sequence, enrollment, sender, state
            )
            self.store.reschedule(
                send.id,
                due_at=due,
                error=error,
                worker=self.worker_id,
                refund=True,
                keep_message=keep,
            )
            self.log.warning("sender.paused", until=until.isoformat(), **fields)
            return "deferred"
        if result.outcome is Outcome.UNCERTAIN:
            # The server may have the message (the connection dropped or timed out after the body
            # was sent): a retry could deliver it twice, so it waits for a person's decision
            # (`sequencer doctor`, `sequencer resend --uncertain`). The enrollment waits with it.
            self.store.finish(send.id, status="uncertain", error=error, worker=self.worker_id)
            self.log.warning("send.uncertain", contact_id=contact.id, why=error, **fields)
            return "uncertain"
        attempt, limit = send.attempts + 1, self.config.max_attempts
        if result.outcome is Outcome.RETRY and attempt < limit:
            # exponential back-off with jitter: base · 2^(attempt-1) · (1 + [0, 1))
            delay = self.config.retry_base * 2 ** (attempt - 1) * (1 + random.random())
            retry_at = now + delay
            if (
                send.channel == Channel.EMAIL.value
                and (book := state.books.get(sender.name)) is not None
            ):
                book.record(retry_at)  # the attempt keeps its slot; the retry holds one more
            self.store.reschedule(
                send.id, due_at=retry_at, error=error, worker=self.worker_id, keep_message=keep
            )
            self.log.warning("send.retry", attempt=attempt, retry_at=retry_at.isoformat(), **fields)
            return "retried"
        why = (
            error
            if result.outcome is Outcome.FAILED
            else f"gave up after {attempt} attempts: {error}"
        )
        return self._give_up(send, contact, why, now, sender=sender.name)

    def _give_up(self, send: Send, contact: Contact, why: str, now: datetime, **fields: Any) -> str:
        """Fail a send that can never be made and end its enrollment, so the contact is not stuck
        in it.
        """
        outcome = self._finish(send, "failed", why, status="failed", **fields)
        self._end_enrollment(contact, why, now)
        return outcome

    def _end_enrollment(self, contact: Contact, why: str, now: datetime) -> None:
        assert contact.id is not None
        stopped = self.store.stop(contact.id, kind="failed", reason="failed", at=now, detail=why)
        if stopped is not None:
            self.log.warning(
                "enrollment.stopped",
                contact_id=contact.id,
                enrollment_id=stopped.id,
                reason="failed",
            )

    def _finish(self, send: Send, outcome: str, why: str, *, status: str, **fields: Any) -> str:
        assert send.id is not None
        self.store.finish(send.id, status=status, error=why, worker=self.worker_id)
        event = "send.cancelled" if status == "cancelled" else "send.failed"
        (self.log.info if status == "cancelled" else self.log.error)(
            event, send_id=send.id, error=why, **fields
        )
        return outcome

    def create_task(self, delivery: Delivery) -> int:
        """The task channel's writer: a rendered task for a person."""
        send = self.store.send(delivery.send_id)
        assert send is not None
        return self.store.add_task(
            Task(
                send_id=delivery.send_id,
                contact_id=send.contact_id,
                enrollment_id=send.enrollment_id,
                sender=send.sender,
                sequence=send.sequence,
                step_key=send.step_key,
                channel=send.channel,
                message=delivery.text or "",
                due_at=send.due_at,
            )
        )


def new_book(store: Store, sender: Sender, *, now: datetime) -> SenderBook:
    """The sender's book (:class:`~sequencer.caps.SenderBook`): every email it sent since the start
    of
    yesterday (its local day) and every one it has queued, with its warm-up ramp's day 1 from the
    store.
    """
    first_day = store.first_sending_day(sender.name) if sender.warmup is not None else None
    yesterday = now.astimezone(sender.timezone).date() - timedelta(days=1)
    sent = store.sender_slots(sender.name, since=timing.local_midnight(yesterday, sender.timezone))
    return SenderBook(sender.capacity(first_day=first_day), seed=sender.name, sent=sent)


def next_step(
    send: Send,
    sequence: Sequence,
    enrollment: Enrollment,
    sent_at: datetime,
    book: SenderBook | None = None,
) -> NewSend | NewChain | None:
    """The step after ``send``, which went out at ``sent_at``; timed from message 1's actual send
    and,
    for an email with the sender's ``book``, placed in the first free slot from then (recorded
    there).
    After the last step: the next sequence (``then:``), deferred by ``after_days``, or nothing."""
    index = send.step_index + 1
    if index >= len(sequence.steps):
        if sequence.then is None:
            return None
        delay = plan.chain_delay(sequence.then, seed=str(enrollment.id))
        return NewChain(sequence=sequence.then.sequence, starts_at=sent_at + delay)
    anchor = sent_at if send.step_index == 0 else (enrollment.anchor_at or sent_at)
    zone = ZoneInfo(enrollment.timezone)
    due = plan.next_step_due(sequence, index, anchor=anchor, zone=zone)
    if book is not None:
        due = plan.place_step(sequence, index, due=due, zone=zone, book=book)
    step = sequence.steps[index]
    return NewSend(step_key=step.key, step_index=index, channel=step.channel.value, due_at=due)


class _CannotRender(Exception):
    pass


def _render(source: str, context: Mapping[str, Any], where: str) -> str:
    try:
        return rendering.render(source, context)
    except rendering.RenderError as exc:
        raise _CannotRender(f"{where}: {exc}") from None


def _variant(options: tuple[Variant, ...], key: str) -> str:
    return next(v.template.source for v in options if v.key == key)


def _step(sequence: Sequence, send: Send) -> Step | None:
    if (
        send.step_index < len(sequence.steps)
        and sequence.steps[send.step_index].key == send.step_key
    ):
        return sequence.steps[send.step_index]
    return next((s for s in sequence.steps if s.key == send.step_key), None)


def _standard(contact: Contact) -> dict[str, Any]:
    return {k: v for k, v in contact.model_dump().items() if k in STANDARD_FIELDS}
