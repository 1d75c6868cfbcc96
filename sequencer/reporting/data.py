"""The report as values: frozen dataclasses for sequences, steps, variants, sender days and reply
times, and the totals derived from them. No I/O, and nothing to render them: the renderers
(:mod:`~sequencer.reporting.text`, :mod:`~sequencer.reporting.export`,
:mod:`~sequencer.reporting.page`) and the charts read these, and
:mod:`~sequencer.reporting.assembly` builds them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sequencer.model import StopReason

#: Stop reasons in the order the report lists them; a reason not listed here follows, by name.
STOP_REASONS: tuple[str, ...] = tuple(r.value for r in StopReason)


@dataclass(frozen=True, kw_only=True)
class StepStats:
    """One step of one sequence."""

    sequence: str
    step: str
    #: Position in the sequence (0 is message 1).
    index: int
    #: email | linkedin | call | webhook; "" for a step the sequence file no longer has.
    channel: str
    #: Gone out: sent, or sent and bounced (for LinkedIn and call steps: the task was created).
    sent: int = 0
    #: Sends of this step with a reply credited to them.
    replied: int = 0
    #: Sends of this step with a goal credited to them.
    goals: int = 0
    #: Sends of this step that bounced.
    bounced: int = 0
    #: Sends of this step with an unsubscribe credited to them.
    unsubscribed: int = 0
    #: Still to go out: scheduled, claimed or being sent.
    pending: int = 0
    #: Never sent because the enrollment stopped first.
    cancelled: int = 0
    #: Given up after errors.
    failed: int = 0
    #: May or may not have gone out: a person decides (``sequencer doctor``).
    uncertain: int = 0
    #: Enrollments stopped after this step was the last one to go out, by reason.
    stopped: dict[str, int] = field(default_factory=dict)

    @property
    def reply_rate(self) -> float | None:
        """Replied per send that went out; None before the first."""
        return self.replied / self.sent if self.sent else None


@dataclass(frozen=True, kw_only=True)
class SequenceStats:
    """One sequence: its enrollments, and its steps in order."""

    name: str
    #: Enrollments that started (active, completed, stopped): not the deferred or skipped ones.
    enrolled: int = 0
    active: int = 0
    completed: int = 0
    #: Waiting to start: chained from an earlier sequence (``then:``), due at their ``starts_at``.
    deferred: int = 0
    #: Chained enrollments that never started (``only_if`` did not hold...).
    skipped: int = 0
    #: Stopped enrollments by reason (reply, goal, bounce, unsubscribe, manual, suppressed,
    #: failed...).
    stopped: dict[str, int] = field(default_factory=dict)
    steps: tuple[StepStats, ...] = ()

    @property
    def stopped_total(self) -> int:
        return sum(self.stopped.values())

    @property
    def sent(self) -> int:
        return sum(s.sent for s in self.steps)

    @property
    def replied(self) -> int:
        return sum(s.replied for s in self.steps)

    @property
    def goals(self) -> int:
        return sum(s.goals for s in self.steps)


@dataclass(frozen=True, kw_only=True)
class VariantLine:
    """One subject or body variant, counted as the scoring job counts it."""

    sequence: str
    step: str
    #: subject | body
    factor: str
    key: str
    #: Sends that went out at least the sequence's ``reply_window_days`` ago.
    sends: int
    #: Of those, the ones with a success event credited to them.
    successes: int
    #: What a success is: reply (the default), goal, click or open.
    metric: str
    #: The 95% Wilson score interval of the rate; (0, 1) before the first counted send.
    low: float
    high: float
    #: A :class:`~sequencer.status.VariantStatus`: live | retired
    status: str
    #: Since when it has that status; None for a variant never retired nor revived.
    since: datetime | None
    #: Why (the scoring verdict, or "revived by hand").
    reason: str

    @property
    def rate(self) -> float | None:
        return self.successes / self.sends if self.sends else None


@dataclass(frozen=True, kw_only=True)
class CombinationLine:
    """One subject × body combination of a step, counted as the scoring job counts a variant."""

    sequence: str
    step: str
    subject: str
    body: str
    #: Sends that went out at least the sequence's ``reply_window_days`` ago.
    sends: int
    #: Of those, the ones with a positive or referral reply credited to them.
    positive: int
    #: The 95% Wilson score interval of ``positive / sends``; (0, 1) before the first send.
    low: float
    high: float

    @property
    def rate(self) -> float | None:
        return self.positive / self.sends if self.sends else None


@dataclass(frozen=True, kw_only=True)
class SenderDayLine:
    """A sender's sends on one of its local days, as counted against the cap in force that day."""

    sender: str
    #: The sender's local date, ISO format.
    day: str
    #: Emails counted against the cap that day (every step).
    sent: int
    #: The cap in force that day: the warm-up ramp's value, then ``daily_cap``; None for a sender
    #: no longer configured.
    cap: int | None
    #: The backlog at the day's end: the sender's message-1 emails (not cancelled) queued before
    #: the day ended that went out, or are due, after it. Counted in UTC days for a sender no
    #: longer configured (its zone is unknown).
    waiting: int = 0

    @property
    def at_cap(self) -> bool:
        """Whether the day used the cap in force then."""
        return self.cap is not None and self.sent >= self.cap


@dataclass(frozen=True, kw_only=True)
class SenderUse:
    """One sender's days summed up: how full they were while a backlog waited."""

    sender: str
    days: int
    sent: int
    #: The day with the most sends (the latest of equals).
    busiest: SenderDayLine
    #: The cap in force on the sender's local today; None for a sender no longer configured.
    cap_today: int | None
    #: Days that used the cap in force then; None when no day's cap is known.
    at_cap: int | None
    #: Days that ended with message 1s still waiting (``waiting`` above 0).
    backlog_days: int
    #: Sent on those days, and their caps summed (days of a sender no longer configured have
    #: none).
    backlog_sent: int
    backlog_cap: int

    @property
    def backlog_use(self) -> float | None:
        """The cap used on backlog days: sent ÷ cap in force, over those days; None without any."""
        return self.backlog_sent / self.backlog_cap if self.backlog_cap else None


@dataclass(frozen=True, kw_only=True)
class ReplyDelay:
    """Replies that came ``hours`` to ``hours + 1`` hours after the send they are credited to."""

    hours: int
    count: int


#: Google's bulk-sender spam-rate lines: stay under the first, never reach the second.
COMPLAINT_TARGET, COMPLAINT_LIMIT = 0.001, 0.003


@dataclass(frozen=True, kw_only=True)
class ComplaintLine:
    """One sender's feedback-loop complaints (ARF reports) against the emails it sent."""

    sender: str
    #: Emails that went out (sent, or sent and bounced).
    sent: int
    #: Of them, complained about (marked as spam) through a feedback loop.
    complaints: int

    @property
    def rate(self) -> float | None:
        """Complaints per email out; None before the first."""
        return self.complaints / self.sent if self.sent else None


@dataclass(frozen=True, kw_only=True)
class HoldLine:
    """A standing hold: what is paused, why, since when, and the command that lifts it."""

    held: str
    reason: str
    since: datetime
    detail: str
    lift: str


@dataclass(frozen=True, kw_only=True)
class Report:
    """Everything ``sequencer report`` shows."""

    generated_at: datetime
    sequences: tuple[SequenceStats, ...] = ()
    variants: tuple[VariantLine, ...] = ()
    #: Subject × body combinations of the steps that test both.
    combinations: tuple[CombinationLine, ...] = ()
    sender_days: tuple[SenderDayLine, ...] = ()
    #: Each configured sender's cap on its local today (warm-up included).
    caps_today: dict[str, int] = field(default_factory=dict)
    reply_delays: tuple[ReplyDelay, ...] = ()
    #: Per sender with an email out: its feedback-loop complaint rate.
    complaints: tuple[ComplaintLine, ...] = ()
    #: (intent, replies with it), in the order of :class:`sequencer.inbound.verdict.Intent`.
    intents: tuple[tuple[str, int], ...] = ()
    #: Senders, sequences, steps and variants paused until a person lifts the hold.
    holds: tuple[HoldLine, ...] = ()

    @property
    def enrolled(self) -> int:
        return sum(s.enrolled for s in self.sequences)

    @property
    def deferred(self) -> int:
        return sum(s.deferred for s in self.sequences)

    @property
    def sent(self) -> int:
        return sum(s.sent for s in self.sequences)

    @property
    def replied(self) -> int:
        return sum(s.replied for s in self.sequences)

    @property
    def median_reply_hours(self) -> float | None:
        """The median time to reply in hours (to the hour); None without replies."""
        return _median_hours(self.reply_delays)

    def sender_use(self) -> list[SenderUse]:
        """Per sender with a day in :attr:`sender_days`: its days summed up."""
        return [
            _use(sender, rows, self.caps_today.get(sender))
            for sender, rows in per_sender(self.sender_days).items()
        ]


def per_sender(days: Iterable[SenderDayLine]) -> dict[str, list[SenderDayLine]]:
    """The days grouped by sender, each sender's in the order given."""
    out: dict[str, list[SenderDayLine]] = defaultdict(list)
    for d in days:
        out[d.sender].append(d)
    return dict(out)


def _use(sender: str, rows: list[SenderDayLine], cap_today: int | None) -> SenderUse:
    backlog = [d for d in rows if d.waiting]
    return SenderUse(
        sender=sender,
        days=len(rows),
        sent=sum(d.sent for d in rows),
        busiest=max(rows, key=lambda d: (d.sent, d.day)),
        cap_today=cap_today,
        at_cap=sum(d.at_cap for d in rows) if any(d.cap is not None for d in rows) else None,
        backlog_days=len(backlog),
        backlog_sent=sum(d.sent for d in backlog if d.cap is not None),
        backlog_cap=sum(d.cap or 0 for d in backlog),
    )


def _median_hours(delays: Iterable[ReplyDelay]) -> float | None:
    rows = list(delays)
    total = sum(d.count for d in rows)
    if not total:
        return None
    seen = 0
    for delay in rows:
        seen += delay.count
        if seen * 2 >= total:
            return delay.hours + 0.5
    return None  # unreachable: the loop reaches the total
