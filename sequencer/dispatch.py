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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sequencer import enrollment as plan
from sequencer import timing, tokens
from sequencer.booking import Later, TickState, next_step, quota, step_of
from sequencer.channels.base import ChannelAdapter, Delivery, Outcome, Result
from sequencer.clock import Clock
from sequencer.compose import CannotRender, Composer
from sequencer.config import DEFAULT_MAX_ATTEMPTS, Config, Sender
from sequencer.contacts import blocking_keys
from sequencer.model import Channel, Sequence, Step, StopReason
from sequencer.services.stopping import plan_stop, write_stop
from sequencer.status import DispatchOutcome, EnrollmentStatus, SendStatus
from sequencer.stops import StopEvent
from sequencer.store import (
    BeginStatus,
    Contact,
    Enrollment,
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
        state = TickState()
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
        state: TickState,
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
        self, send: Send, contact: Contact, enrollment: Enrollment, state: TickState
    ) -> DispatchOutcome:
        """One send; an unexpected error fails that send alone and never stalls the queue."""
        assert send.id is not None
        try:
            return await self._one(send, contact, enrollment, state)
        except Exception as exc:  # one bad row must not block every send behind it
            current = self.store.send(send.id)
            # If the channel was already called, the message may have gone out: say so, never
            # resend.
            sending = current is not None and current.status == SendStatus.SENDING
            status = SendStatus.UNCERTAIN if sending else SendStatus.FAILED
            self.store.finish(
                send.id, status=status, error=f"{type(exc).__name__}: {exc}", worker=self.worker_id
            )
            if status is SendStatus.FAILED:
                self._end_enrollment(contact, str(exc), self.clock.now())
            self.log.exception(
                "send.failed", send_id=send.id, status=status, error=f"{type(exc).__name__}: {exc}"
            )
            return DispatchOutcome(status.value)

    async def close(self) -> None:
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
            why = f"enrollment {enrollment.status}"
            return self._finish(send, DispatchOutcome.CANCELLED, why, status=SendStatus.CANCELLED)
        if sequence is None or step is None or sender is None:
            missing = "sequence" if sequence is None else "step" if step is None else "sender"
            return self._give_up(send, contact, f"{missing} no longer configured", now)
        later = self._not_before(send, step, sequence, enrollment, sender, state, now)
        if later is not None:
            due = state.move(self.store, send, later, step, sequence, enrollment, sender, now)
            self.store.reschedule(send.id, due_at=due, worker=self.worker_id)
            self.log.debug(
                "send.deferred",
                send_id=send.id,
                sender=sender.name,
                until=due.isoformat(),
                replaced=later.replace,
            )
            return DispatchOutcome.DEFERRED
        return await self._deliver(send, step, sequence, contact, enrollment, sender, state, now)

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
        context = plan.template_context(
            contact.model_dump(), contact.fields, sender.template_fields()
        )
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
        started = self.store.begin_sending(
            send.id, now=now, worker=self.worker_id, suppression_keys=keys, quota=limits, **choice
        )
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
                self.store.stop(
                    contact.id,
                    kind=StopReason.SUPPRESSED.value,
                    reason=StopReason.SUPPRESSED.value,
                    at=now,
                    detail="address or domain is on the suppression list",
                )
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
        result = await channel.deliver(delivery)
        return self._record(send, result, sequence, enrollment, contact, sender, state, now)

    def _channel(self, step: Step) -> ChannelAdapter:
        return self.channels[step.channel.value]

    # -- outcomes -------------------------------------------------------------------------------

    def _record(
        self,
        send: Send,
        result: Result,
        sequence: Sequence,
        enrollment: Enrollment,
        contact: Contact,
        sender: Sender,
        state: TickState,
        now: datetime,
    ) -> DispatchOutcome:
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
                book=state.book(self.store, sender, now) if email_next else None,
            )
            self.store.record_sent(send, sent_at=now, next_send=following)
            self.log.info("send.sent", channel=send.channel, contact_id=contact.id, **fields)
            return DispatchOutcome.SENT
        if result.outcome is Outcome.BOUNCE:
            # one transaction: the send bounced, the stop policy's plan (stop, suppression)
            why = f"{result.code} {result.detail}"
            decision = plan_stop(
                self.store,
                contact,
                StopEvent(StopReason.BOUNCE, sequence=send.sequence),
                lambda: self.sequences,
                self.config.free_mail,
            )
            assert contact.id is not None and decision.stop is not None
            write_stop(self.store, contact.id, decision, at=now, detail=why, bounce_send=send.id)
            self.log.warning("send.bounced", code=result.code, **fields)
            self.log.info("enrollment.stopped", contact_id=contact.id, reason=decision.stop.value)
            return DispatchOutcome.BOUNCED
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
                quota(sender, now), until=until
            )  # for every worker, not just this one
            step = step_of(sequence, send)
            assert step is not None
            fit = plan.first_send_fit(sequence, ZoneInfo(enrollment.timezone))
            wait = Later(fit(until), replace=True)
            due = state.move(self.store, send, wait, step, sequence, enrollment, sender, now)
            self.store.reschedule(
                send.id,
                due_at=due,
                error=error,
                worker=self.worker_id,
                refund=True,
                keep_message=keep,
            )
            self.log.warning("sender.paused", until=until.isoformat(), **fields)
            return DispatchOutcome.DEFERRED
        if result.outcome is Outcome.UNCERTAIN:
            # The server may have the message (the connection dropped or timed out after the body
            # was sent): a retry could deliver it twice, so it waits for a person's decision
            # (`sequencer doctor`, `sequencer resend --uncertain`). The enrollment waits with it.
            self.store.finish(
                send.id, status=SendStatus.UNCERTAIN, error=error, worker=self.worker_id
            )
            self.log.warning("send.uncertain", contact_id=contact.id, why=error, **fields)
            return DispatchOutcome.UNCERTAIN
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
            return DispatchOutcome.RETRIED
        why = (
            error
            if result.outcome is Outcome.FAILED
            else f"gave up after {attempt} attempts: {error}"
        )
        return self._give_up(send, contact, why, now, sender=sender.name)

    def _give_up(
        self, send: Send, contact: Contact, why: str, now: datetime, **fields: Any
    ) -> DispatchOutcome:
        """Fail a send that can never be made and end its enrollment, so the contact is not stuck
        in it.
        """
        outcome = self._finish(
            send, DispatchOutcome.FAILED, why, status=SendStatus.FAILED, **fields
        )
        self._end_enrollment(contact, why, now)
        return outcome

    def _end_enrollment(self, contact: Contact, why: str, now: datetime) -> None:
        assert contact.id is not None
        failed = StopReason.FAILED.value
        stopped = self.store.stop(contact.id, kind=failed, reason=failed, at=now, detail=why)
        if stopped is not None:
            self.log.warning(
                "enrollment.stopped",
                contact_id=contact.id,
                enrollment_id=stopped.id,
                reason=failed,
            )

    def _finish(
        self,
        send: Send,
        outcome: DispatchOutcome,
        why: str,
        *,
        status: SendStatus,
        **fields: Any,
    ) -> DispatchOutcome:
        assert send.id is not None
        self.store.finish(send.id, status=status, error=why, worker=self.worker_id)
        cancelled = status is SendStatus.CANCELLED
        event = "send.cancelled" if cancelled else "send.failed"
        (self.log.info if cancelled else self.log.error)(
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
