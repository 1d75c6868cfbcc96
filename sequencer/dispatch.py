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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sequencer import enrollment as plan
from sequencer import timing, tokens
from sequencer.booking import Later, TickState, quota, step_of
from sequencer.channels.base import ChannelAdapter, Delivery
from sequencer.channels.sent_folder import SentFolder
from sequencer.clock import Clock
from sequencer.compose import CannotRender, Composer
from sequencer.config import DEFAULT_MAX_ATTEMPTS, Config, Sender
from sequencer.contacts import blocking_keys
from sequencer.hooks import Hooks
from sequencer.model import STANDARD_FIELDS, Channel, Sequence, Step, StopReason
from sequencer.outcomes import OutcomeRecorder, announce_end, sent_event
from sequencer.services import holds
from sequencer.status import DispatchOutcome, EnrollmentStatus, SendStatus
from sequencer.store import (
    Beginning,
    BeginStatus,
    Contact,
    Enrollment,
    Send,
    Store,
    Task,
)
from sequencer.store.connection import brief
from sequencer.writer import GroupWriter

#: How long a claim holds before another worker may take the send over.
LEASE = timedelta(minutes=5)
#: Delivery attempts before a send that keeps failing transiently is given up as failed: the
#: default of ``[worker] max_attempts`` (``Config.max_attempts``), which the dispatcher uses.
MAX_ATTEMPTS = DEFAULT_MAX_ATTEMPTS
#: The longest a dispatcher carries its view of the senders (books, loads, variant counts) from
#: one tick to the next before reading it again, for what other workers did meanwhile.
KEEP = timedelta(hours=1)


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

    def add(self, outcome: DispatchOutcome) -> None:
        """Count one dispatched send under its outcome."""
        match outcome:
            case DispatchOutcome.SENT:
                self.sent += 1
            case DispatchOutcome.DEFERRED:
                self.deferred += 1
            case DispatchOutcome.CANCELLED:
                self.cancelled += 1
            case DispatchOutcome.RETRIED:
                self.retried += 1
            case DispatchOutcome.BOUNCED:
                self.bounced += 1
            case DispatchOutcome.FAILED:
                self.failed += 1
            case DispatchOutcome.UNCERTAIN:
                self.uncertain += 1

    def merge(self, other: TickReport) -> None:
        """Add another report's counts to this one."""
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


class Dispatcher(OutcomeRecorder):
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
        hooks: Hooks | None = None,
    ) -> None:
        self.store, self.config, self.sequences = store, config, sequences
        self.channels, self.clock, self.log = channels, clock, log
        self.worker_id, self.batch, self.links = worker_id, batch, links
        self.hooks = hooks or Hooks(log)  # told once a send, bounce or stop is committed
        self.sent_folder = SentFolder(log)  # copies for senders with save_sent, saved per tick
        self.writer = GroupWriter(store, log)  # the lanes' marks and results, group-committed
        self.paused_until: dict[str, datetime] = {}
        self._stopping = False
        #: The last tick's view of the senders; this dispatcher's commits, and the store's other
        #: commits (this process's) when that tick ended.
        self._kept: TickState | None = None
        self._own, self._others = [0], -1
        #: Clock time of the last look for sends left in 'sending', and when the next is needed.
        self._swept: tuple[datetime, datetime] | None = None
        #: The sends now in their channel's hands, by id (what the task writer needs of one).
        self._delivering: dict[int, Send] = {}

    def request_stop(self) -> None:
        """Finish the message in flight, then return the rest of the batch to the queue."""
        self._stopping = True

    async def tick(self) -> TickReport:
        kept, self._kept = self._kept, None  # kept again only by a tick that ends well
        if self.store.commits - self._own[0] != self._others:
            kept = None  # someone else wrote in this process since the last tick
        with self.store.counting(self._own):
            report = await self._tick(kept)
        self._others = self.store.commits - self._own[0]
        return report

    async def _tick(self, kept: TickState | None) -> TickReport:
        report = TickReport()
        lease = self.config.lease
        self._sweep(self.clock.now(), lease)
        claimed = self.store.claim_due(
            now=self.clock.now(), worker=self.worker_id, limit=self.batch, lease=lease
        )
        report.claimed = len(claimed)
        if not claimed:
            self._kept = kept
            return report
        contacts = self.store.contacts_by_id({s.contact_id for s in claimed})
        enrollments = self.store.enrollments_by_id({s.enrollment_id for s in claimed})
        state = self._state(kept, self.clock.now())
        if self.config.frequency is not None:
            since = self.clock.now() - self.config.frequency.span
            state.messages = self.store.message_times({s.contact_id for s in claimed}, since=since)
        by_sender: dict[str, list[Send]] = {}
        for send in claimed:
            by_sender.setdefault(send.sender, []).append(send)
        # One lane per sender: each sender's sends go out in order over its own connection, while
        # the lanes overlap, so one mailbox's SMTP round trip does not hold up the others.
        self.writer.lanes = len(by_sender)
        try:
            await asyncio.gather(
                *(
                    self._lane(sends, contacts, enrollments, state, report)
                    for sends in by_sender.values()
                )
            )
        finally:
            await self.writer.flush()  # every result of this tick committed before it ends
        await self.sent_folder.flush()  # recorded sends' copies: saved while the next tick runs
        self._kept = state
        return report

    def _sweep(self, now: datetime, lease: timedelta) -> None:
        """A send left in 'sending' longer than a lease belongs to a worker that crashed or was
        cut off mid-send: it may have gone out, so it becomes 'uncertain', never resent silently.

        Looked for only when one can have outlived its lease since the last look: the oldest
        send then in 'sending' a lease after it began; any begun later, a lease after that look.
        """
        if self._swept is not None and self._swept[0] <= now < self._swept[1]:
            return
        marked, oldest = self.store.mark_uncertain(before=now - lease)
        for send_id in marked:
            self.log.warning(
                "send.uncertain", send_id=send_id, why="left in 'sending' by an interrupted worker"
            )
        self._swept = now, min(oldest or now, now) + lease

    def _state(self, kept: TickState | None, now: datetime) -> TickState:
        """The senders' books, loads, capacities and variant counts: the last tick's while they
        still hold (:meth:`TickState.carry`: nothing else in this process has written since, and
        for at most :data:`KEEP` of clock time, so other workers' sends and retirements are read
        again), else read afresh; the standing holds every tick. The database enforces every
        cap, gap, hold and stop whatever this says.
        """
        state = (
            kept
            if kept is not None and kept.carry(now)
            else TickState.read(self.config.senders.values(), now, KEEP)
        )
        state.variants.held = holds.held_variants(self.store.holds.standing())
        return state

    async def _lane(
        self,
        sends: list[Send],
        contacts: Mapping[int, Contact],
        enrollments: Mapping[int, Enrollment],
        state: TickState,
        report: TickReport,
    ) -> None:
        try:
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
        finally:
            self.writer.lane_done()

    async def _guarded(
        self, send: Send, contact: Contact, enrollment: Enrollment, state: TickState
    ) -> DispatchOutcome:
        """One send; an unexpected error fails that send alone and never stalls the queue."""
        assert send.id is not None
        try:
            return await self._one(send, contact, enrollment, state)
        except Exception as exc:  # one bad row must not block every send behind it
            state.stale = True
            current = self.store.send(send.id)
            # If the channel was already called, the message may have gone out: say so, never
            # resend.
            sending = current is not None and current.status == SendStatus.SENDING
            status = SendStatus.UNCERTAIN if sending else SendStatus.FAILED
            error = f"{type(exc).__name__}: {brief(exc)}"  # one line, no statement or address
            self.store.finish(send.id, status=status, error=error, worker=self.worker_id)
            if status is SendStatus.FAILED:
                self._end_enrollment(contact, str(exc), self.clock.now())
            self.log.exception(
                "send.failed", send_id=send.id, address=contact.email, status=status, error=error
            )
            return DispatchOutcome(status.value)

    async def close(self) -> None:
        await self.sent_folder.close()
        for channel in {id(c): c for c in self.channels.values()}.values():
            await channel.close()

    # -- one send -------------------------------------------------------------------------------

    async def _one(
        self, send: Send, contact: Contact, enrollment: Enrollment, state: TickState
    ) -> DispatchOutcome:
        assert send.id is not None
        now = self.clock.now()
        sequence = self.sequences.get(send.sequence)
        step = step_of(sequence, send) if sequence else None
        sender = self.config.senders.get(send.sender)
        if enrollment.status != EnrollmentStatus.ACTIVE:
            state.stale = True
            why = f"enrollment {enrollment.status}"
            return self._finish(send, DispatchOutcome.CANCELLED, why, status=SendStatus.CANCELLED)
        if sequence is None or step is None or sender is None:
            state.stale = True
            missing = "sequence" if sequence is None else "step" if step is None else "sender"
            return self._give_up(send, contact, f"{missing} no longer configured", now)
        later = self._not_before(send, step, sequence, enrollment, sender, state, now)
        if later is not None:
            due = state.move(self.store, send, later, step, sequence, enrollment, sender, now)
            self.store.reschedule(send.id, due_at=due, worker=self.worker_id)
            self.log.debug(
                "send.deferred",
                send_id=send.id,
                address=contact.email,
                sender=sender.name,
                until=due.isoformat(),
                replaced=later.replace,
            )
            return DispatchOutcome.DEFERRED
        outcome = await self._deliver(send, step, sequence, contact, enrollment, sender, state, now)
        if outcome is not DispatchOutcome.SENT:
            state.stale = True  # the next tick reads what the database says now
        return outcome

    def _not_before(
        self,
        send: Send,
        step: Step,
        sequence: Sequence,
        enrollment: Enrollment,
        sender: Sender,
        state: TickState,
        now: datetime,
    ) -> Later | None:
        """When the send may go instead, if not now: recipient window, frequency, sender pause, cap
        and gap.
        """
        if step.channel is Channel.WEBHOOK:
            return None
        fit = plan.first_send_fit(sequence, ZoneInfo(enrollment.timezone))
        opens = fit(now)
        if opens > now:
            return Later(opens, replace=True)
        frequency = self.config.frequency
        if frequency is not None and step.channel in (Channel.EMAIL, Channel.LINKEDIN):
            allowed = plan.frequency_opens(
                state.messages.get(send.contact_id, []),
                max_messages=frequency.max_messages,
                span=frequency.span,
                now=now,
            )
            if allowed is not None:
                return Later(fit(allowed), replace=True)
        if step.channel is not Channel.EMAIL:
            return None
        paused = self.paused_until.get(sender.name)
        if paused is not None and paused > now:
            return Later(fit(paused), replace=True)
        today = now.astimezone(sender.timezone).date()
        count, last = state.load(self.store, sender, now)
        if count >= state.capacity(self.store, sender).cap_on(today):
            return Later(
                fit(timing.local_midnight(today + timedelta(days=1), sender.timezone)), replace=True
            )
        blocked = state.blocked.get(sender.name)
        wait = max(blocked or now, last + sender.min_gap if last is not None else now)
        if wait <= now:
            return None
        # A short wait keeps the send's turn; one that would leave the window or the day takes a new
        # slot.
        stays = fit(wait) == wait and wait.astimezone(sender.timezone).date() == today
        return Later(wait if stays else fit(wait), replace=not stays)

    async def _deliver(
        self,
        send: Send,
        step: Step,
        sequence: Sequence,
        contact: Contact,
        enrollment: Enrollment,
        sender: Sender,
        state: TickState,
        now: datetime,
    ) -> DispatchOutcome:
        assert send.id is not None
        standard = {name: getattr(contact, name) for name in STANDARD_FIELDS}  # no model_dump
        context = plan.template_context(standard, contact.fields, sender.template_fields())
        try:
            delivery, choice = Composer(self.store, self.links).prepare(
                send, step, sequence, contact, enrollment, sender, state.variants, context, now
            )
        except CannotRender as exc:
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
        limits = (
            quota(sender, now, state.capacity(self.store, sender))
            if step.channel is Channel.EMAIL
            else None
        )
        started = await self.writer.begin(
            Beginning(
                send=send,
                worker=self.worker_id,
                now=now,
                suppression_keys=tuple(keys),
                quota=limits,
                **choice,
            )
        )
        if started.status is BeginStatus.HELD:  # held since the claim: waits for a person
            self.store.reschedule(send.id, due_at=now, worker=self.worker_id, keep_message=True)
            self.log.info("send.held", send_id=send.id, sender=sender.name, step=send.step_key)
            return DispatchOutcome.DEFERRED
        if started.status in (BeginStatus.FULL, BeginStatus.TOO_SOON):
            # Another worker used the sender's cap or sent from it moments ago: the shared count
            # in sender_days says when this sender can send again.
            assert started.retry_at is not None
            state.blocked[sender.name] = max(state.blocked.get(sender.name, now), started.retry_at)
            fit = plan.first_send_fit(sequence, ZoneInfo(enrollment.timezone))
            full = started.status is BeginStatus.FULL
            wait = Later(fit(started.retry_at), replace=full)
            later = state.move(self.store, send, wait, step, sequence, enrollment, sender, now)
            self.store.reschedule(send.id, due_at=later, worker=self.worker_id, keep_message=True)
            self.log.debug(
                "send.deferred",
                send_id=send.id,
                sender=sender.name,
                until=later.isoformat(),
                why=started.status.value,
            )
            return DispatchOutcome.DEFERRED
        if not started:
            # A stop got there first, the address is suppressed, or our lease ran out and another
            # worker took the send over: only a send still claimed by us is marked cancelled.
            self.log.info(
                "send.cancelled",
                send_id=send.id,
                contact_id=contact.id,
                address=contact.email,
                why="stopped, suppressed or taken over",
            )
            if step.channel is Channel.EMAIL:
                state.rebook(sender, send, None)
            if self.store.finish(
                send.id,
                status=SendStatus.CANCELLED,
                error="stopped or suppressed before sending",
                worker=self.worker_id,
            ) and self.store.suppressed(keys):
                # suppressed after enrolling (suppress add, a bounce elsewhere): end the enrollment
                # too
                assert contact.id is not None
                ended = self.store.stop(
                    contact.id,
                    kind=StopReason.SUPPRESSED.value,
                    reason=StopReason.SUPPRESSED.value,
                    at=now,
                    detail="address or domain is on the suppression list",
                )
                announce_end(self.hooks, StopReason.SUPPRESSED, contact, ended, now)
            return DispatchOutcome.CANCELLED
        if step.channel is Channel.EMAIL:
            state.rebook(sender, send, now)
            load = state.load(self.store, sender, now)
            load[0], load[1] = load[0] + 1, now
            counts = state.variants.counts[(send.sequence, send.step_key, sender.name)]
            for key, table in ((choice["subject_key"], counts[0]), (choice["body_key"], counts[1])):
                if key:
                    table[key] = table.get(key, 0) + 1
        if step.channel in (Channel.EMAIL, Channel.LINKEDIN):
            state.messages.setdefault(send.contact_id, []).append(now)
        self._delivering[send.id] = send
        try:
            result = await channel.deliver(delivery)
        finally:
            del self._delivering[send.id]
        event = sent_event(send, contact, choice["message_id"], now)
        outcome = self._record(
            send,
            result,
            sequence,
            enrollment,
            contact,
            sender,
            state,
            now,
            committed=lambda: self.hooks.emit(event),  # once the result is committed
        )
        if outcome is DispatchOutcome.SENT:
            self.sent_folder.add(sender, delivery.raw, at=now)
        return outcome

    def _channel(self, step: Step) -> ChannelAdapter:
        return self.channels[step.channel.value]

    def create_task(self, delivery: Delivery) -> int:
        """The task channel's writer: a rendered task for a person."""
        send = self._delivering.get(delivery.send_id) or self.store.send(delivery.send_id)
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
