"""What a dispatch tick does with a channel's result: record it sent, bounce it through the stop
policy, hold a sender or a variant after a refusal, pause a sender for its quota, leave an
uncertain send for a person, retry with back-off, or give up and end the enrollment.

:class:`OutcomeRecorder` is the part of :class:`sequencer.dispatch.Dispatcher` that does this; it
shares the dispatcher's store, configuration, logger and hooks.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sequencer import enrollment as plan
from sequencer import refusals, timing
from sequencer.booking import Later, TickState, next_step, quota, step_of
from sequencer.channels.base import Outcome, Result
from sequencer.config import Config, Sender
from sequencer.hooks import Hooks, Sent
from sequencer.model import Channel, Sequence, StopReason
from sequencer.services import holds
from sequencer.services.stopping import announce, plan_stop, write_stop
from sequencer.status import DispatchOutcome, SendStatus
from sequencer.stops import StopEvent
from sequencer.store import Contact, Enrollment, Send, SentRecord, Store
from sequencer.writer import GroupWriter


class OutcomeRecorder:
    """Records a send's result; the dispatcher inherits it and sets these attributes."""

    store: Store
    config: Config
    sequences: Mapping[str, Sequence]
    log: Any
    hooks: Hooks
    worker_id: str
    #: Senders paused for their quota, until then (this worker's copy of the shared pause).
    paused_until: dict[str, datetime]
    writer: GroupWriter

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
        committed: Callable[[], None] | None = None,
    ) -> DispatchOutcome:
        """Record ``result``; a send that went out is recorded by the group-commit writer, which
        runs ``committed`` once that is committed."""
        assert send.id is not None and contact.id is not None
        fields = {
            "send_id": send.id,
            "address": contact.email,
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
            self.writer.record(SentRecord(send=send, sent_at=now, next_send=following), committed)
            self.log.info("send.sent", channel=send.channel, contact_id=contact.id, **fields)
            return DispatchOutcome.SENT
        if result.outcome in (Outcome.REFUSED, Outcome.CONFIG_FAULT):
            # not the recipient's address: nobody is suppressed, no contact fails (services/holds)
            then = holds.after_refusal(self.store, self.log, send, sequence, result, now)
            if then is None:  # held for a person (or a full mailbox: a day later): the send waits
                state.variants.held = holds.held_variants(self.store.holds.standing())
                full = result.refusal is refusals.Refusal.MAILBOX_FULL
                why, wait = result.detail, now + refusals.MAILBOX_FULL_RETRY if full else now
                due = self._put_back(send, why, wait, sequence, enrollment, sender, state, now)
                self.log.warning("send.waits", send_id=send.id, until=due.isoformat(), why=why)
                return DispatchOutcome.DEFERRED
            result = dataclasses.replace(result, outcome=then)  # a bounce at last, or a retry
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
            ended = write_stop(
                self.store, contact.id, decision, at=now, detail=why, bounce_send=send.id
            )
            announce_end(self.hooks, decision.stop, contact, ended, now, result)
            self.log.warning("send.bounced", code=result.code, **fields)
            self.log.info("enrollment.stopped", contact_id=contact.id, reason=decision.stop.value)
            holds.check_guard(self.store, self.log, sender=sender, sequence=send.sequence, at=now)
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
            self._put_back(send, error, until, sequence, enrollment, sender, state, now)
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
            # exponential back-off with jitter: base · 2^(attempt-1) · (1 + [0, 1)); the reply may
            # ask for a longer base (a recipient's full or busy mailbox: hours, not minutes)
            base = max(self.config.retry_base, result.pause or self.config.retry_base)
            delay = base * 2 ** (attempt - 1) * (1 + random.random())
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
        outcome = self._give_up(send, contact, why, now, sender=sender.name)
        holds.check_guard(self.store, self.log, sender=sender, sequence=send.sequence, at=now)
        return outcome

    def _put_back(
        self,
        send: Send,
        error: str,
        until: datetime,
        sequence: Sequence,
        enrollment: Enrollment,
        sender: Sender,
        state: TickState,
        now: datetime,
    ) -> datetime:
        """Back in the queue in a new slot from ``until``, its attempt given back; the new due."""
        step = step_of(sequence, send)
        assert send.id is not None and step is not None
        fit = plan.first_send_fit(sequence, ZoneInfo(enrollment.timezone))
        wait = Later(fit(until), replace=True)
        due = state.move(self.store, send, wait, step, sequence, enrollment, sender, now)
        keep = send.message_id is not None  # a re-send of an uncertain message stays that message
        self.store.reschedule(
            send.id, due_at=due, error=error, worker=self.worker_id, refund=True, keep_message=keep
        )
        return due

    def _give_up(
        self, send: Send, contact: Contact, why: str, now: datetime, **fields: Any
    ) -> DispatchOutcome:
        """Fail a send that can never be made and end its enrollment, so the contact is not stuck
        in it.
        """
        fields = {"address": contact.email, **fields}
        outcome = self._finish(
            send, DispatchOutcome.FAILED, why, status=SendStatus.FAILED, **fields
        )
        self._end_enrollment(contact, why, now)
        return outcome

    def _end_enrollment(self, contact: Contact, why: str, now: datetime) -> None:
        assert contact.id is not None
        failed = StopReason.FAILED.value
        stopped = self.store.stop(contact.id, kind=failed, reason=failed, at=now, detail=why)
        announce_end(self.hooks, StopReason.FAILED, contact, stopped, now)
        if stopped is not None:
            self.log.warning(
                "enrollment.stopped",
                contact_id=contact.id,
                address=contact.email,
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


def sent_event(send: Send, contact: Contact, message_id: str | None, now: datetime) -> Sent:
    """The hooks' event for a send recorded as sent."""
    return Sent(
        address=contact.email,
        sequence=send.sequence,
        step=send.step_key,
        channel=send.channel,
        sender=send.sender,
        message_id=message_id,
        at=now,
    )


def announce_end(
    hooks: Hooks,
    reason: StopReason,
    contact: Contact,
    ended: Enrollment | None,
    now: datetime,
    bounce: Result | None = None,
) -> None:
    """Tell the hooks what a committed bounce (with its ``bounce`` result), suppression or
    failure did: the bounce, and the enrollment it stopped."""
    code = bounce.code if bounce is not None else None
    announce(
        hooks,
        reason,
        address=contact.email,
        at=now,
        reason=reason,
        stopped=ended.sequence if ended is not None else None,
        code=str(code) if code is not None else None,
        detail=bounce.detail if bounce is not None else "",
    )
