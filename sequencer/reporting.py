"""What ``sequencer report`` shows, and its four faces: terminal tables, JSON, CSV and an HTML page.

:func:`build` gathers a :class:`Report` with a handful of GROUP BY queries (see the
``reporting`` section of :class:`~sequencer.store.Store`), so its cost grows with the number
of sequences, steps, variants and sender-days (and, for the backlog, the quarter hours in which
message 1s were queued or went out), not with the number of sends. Variant numbers
are counted by :func:`sequencer.looks.counted`, the same function the scoring job uses, so they
agree with ``sequencer score``.

The HTML page (:func:`to_html`) is one self-contained file: styles inline, charts as inline SVG
drawn by :mod:`sequencer.charts` (matplotlib, imported only then), nothing fetched from the network.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from sequencer.caps import Capacity
from sequencer.looks import counted as counted_by_scoring
from sequencer.looks import families
from sequencer.model import Sequence, StopReason
from sequencer.scoring import wilson_interval
from sequencer.store import Store

#: Stop reasons in the order the report lists them; a reason not listed here follows, by name.
STOP_REASONS: tuple[str, ...] = (*(r.value for r in StopReason), "failed")
#: Enrollment statuses that have not started: not counted as enrolled.
NOT_STARTED = ("deferred", "skipped")
#: Send statuses still to go out.
PENDING = ("scheduled", "claimed", "sending")
#: The tables ``to_csv`` writes (``sequencer report --csv TABLE``).
TABLES = ("sequences", "steps", "variants", "senders", "replies")
# : Seconds in the store's time buckets for the backlog: a quarter hour, which no local midnight
# splits.
_QUARTER_HOUR = 900


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
    # : Stopped enrollments by reason (reply, goal, bounce, unsubscribe, manual, suppressed,
    # failed...).
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
    #: live | retired
    status: str
    #: Since when it has that status; None for a variant never retired nor revived.
    since: datetime | None
    #: Why (the scoring verdict, or "revived by hand").
    reason: str

    @property
    def rate(self) -> float | None:
        return self.successes / self.sends if self.sends else None


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
    #: the day ended that went out, or are due, after it. Counted in UTC days for a sender no longer
    #: configured (its zone is unknown).
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
    #: Sent on those days, and their caps summed (days of a sender no longer configured have none).
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


@dataclass(frozen=True, kw_only=True)
class Report:
    """Everything ``sequencer report`` shows."""

    generated_at: datetime
    sequences: tuple[SequenceStats, ...] = ()
    variants: tuple[VariantLine, ...] = ()
    sender_days: tuple[SenderDayLine, ...] = ()
    #: Each configured sender's cap on its local today (warm-up included).
    caps_today: dict[str, int] = field(default_factory=dict)
    reply_delays: tuple[ReplyDelay, ...] = ()

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
            for sender, rows in _per_sender(self.sender_days).items()
        ]


# -- assembly -----------------------------------------------------------------------------------


def build(
    store: Store, sequences: Mapping[str, Sequence], *, caps: Mapping[str, Capacity], now: datetime
) -> Report:
    """The report at ``now``: every sequence with an enrollment or a send, its steps, its variants;
    each sender's days against the cap in force then and its backlog (``caps``: each configured
    sender's capacity, its ``first_day`` filled from
    :meth:`~sequencer.store.Store.first_sending_day`);
    the times to reply."""
    enrollments = _by_sequence(store.enrollment_counts())
    sends: dict[str, dict[tuple[int, str], dict[str, int]]] = defaultdict(dict)
    for sequence, step, index, status, count in store.step_counts():
        cell = sends[sequence].setdefault((index, step), {})
        cell[status] = cell.get(status, 0) + count
    events: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for sequence, step, kind, count in store.report_step_events():
        events[(sequence, step)][kind] = count
    stops: dict[str, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for sequence, reason, last, count in store.report_stops():
        if last is not None:
            stops[sequence][last][reason or "unknown"] = (
                stops[sequence][last].get(reason or "unknown", 0) + count
            )
    names = [n for n in sequences if n in enrollments or n in sends]
    names += sorted((set(enrollments) | set(sends)) - set(names))
    stats = tuple(
        _sequence(
            n, sequences.get(n), enrollments.get(n, {}), sends.get(n, {}), events, stops.get(n, {})
        )
        for n in names
    )
    days, today = _sender_days(store, caps, now)
    return Report(
        generated_at=now,
        sequences=stats,
        variants=tuple(_variants(store, [sequences[n] for n in names if n in sequences], now)),
        sender_days=days,
        caps_today=today,
        reply_delays=_delays(store.report_reply_delays()),
    )


def _sender_days(
    store: Store, caps: Mapping[str, Capacity], now: datetime
) -> tuple[tuple[SenderDayLine, ...], dict[str, int]]:
    """Each sender's days with the cap in force and the backlog at their end; each sender's cap
    today.

    A capacity without ``first_day`` gets the sender's first day with a send here, which is what
    the store would have filled in."""
    rows = [
        (sender, date.fromisoformat(day), sent) for sender, day, sent in store.report_sender_days()
    ]
    first: dict[str, date] = {}
    for sender, day, sent in rows:
        if sent and (sender not in first or day < first[sender]):
            first[sender] = day
    wanted: dict[str, list[date]] = defaultdict(list)
    for sender, day, _sent in rows:
        wanted[sender].append(day)
    waiting = _waiting(
        store.report_first_message_flow(), {s: c.zone for s, c in caps.items()}, wanted
    )

    def cap(sender: str, day: date) -> int | None:
        capacity = caps.get(sender)
        return None if capacity is None else capacity.cap_on(day, first_day=first.get(sender))

    lines = tuple(
        SenderDayLine(
            sender=sender,
            day=day.isoformat(),
            sent=sent,
            cap=cap(sender, day),
            waiting=waiting.get((sender, day), 0),
        )
        for sender, day, sent in rows
    )
    today = {
        s: c.cap_on(now.astimezone(c.zone).date(), first_day=first.get(s)) for s, c in caps.items()
    }
    return lines, today


def _waiting(
    flow: Iterable[tuple[str, int, int, int]],
    zones: Mapping[str, tzinfo],
    wanted: Mapping[str, list[date]],
) -> dict[tuple[str, date], int]:
    """The backlog at the end of each wanted (sender, local day), from the store's per quarter hour
    counts of message 1s queued and out of the queue
    (:meth:`~sequencer.store.Store.report_first_message_flow`):
    queued by the day's end, less out of the queue by then. A running sum over the days in order:
    linear in the quarter hours, plus sorting them."""
    changes: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for sender, quarter, queued, out in flow:
        day = (
            datetime.fromtimestamp(quarter * _QUARTER_HOUR, UTC)
            .astimezone(zones.get(sender, UTC))
            .date()
        )
        changes[sender][day] += queued - out
    found: dict[tuple[str, date], int] = {}
    for sender, days in wanted.items():
        steps = sorted(changes.get(sender, {}).items())
        i = level = 0
        for day in sorted(days):
            while i < len(steps) and steps[i][0] <= day:
                level += steps[i][1]
                i += 1
            found[(sender, day)] = level
    return found


def _by_sequence(
    rows: Iterable[tuple[str, str, str | None, int]],
) -> dict[str, dict[tuple[str, str | None], int]]:
    out: dict[str, dict[tuple[str, str | None], int]] = defaultdict(dict)
    for sequence, status, reason, count in rows:
        out[sequence][(status, reason)] = out[sequence].get((status, reason), 0) + count
    return out


def _sequence(
    name: str,
    model: Sequence | None,
    enrollments: Mapping[tuple[str, str | None], int],
    sends: Mapping[tuple[int, str], dict[str, int]],
    events: Mapping[tuple[str, str], dict[str, int]],
    stops: Mapping[int, dict[str, int]],
) -> SequenceStats:
    status: dict[str, int] = defaultdict(int)
    stopped: dict[str, int] = {}
    for (state, reason), count in enrollments.items():
        status[state] += count
        if state == "stopped":
            stopped[reason or "unknown"] = stopped.get(reason or "unknown", 0) + count
    steps = {(i, s.key): s.channel.value for i, s in enumerate(model.steps)} if model else {}
    for index, step in sends:
        steps.setdefault((index, step), "")
    return SequenceStats(
        name=name,
        enrolled=sum(n for state, n in status.items() if state not in NOT_STARTED),
        active=status["active"],
        completed=status["completed"],
        deferred=status["deferred"],
        skipped=status["skipped"],
        stopped=_ordered(stopped),
        steps=tuple(
            _step(
                name,
                index,
                key,
                channel,
                sends.get((index, key), {}),
                events.get((name, key), {}),
                stops.get(index, {}),
            )
            for (index, key), channel in sorted(steps.items())
        ),
    )


def _step(
    sequence: str,
    index: int,
    key: str,
    channel: str,
    by_status: Mapping[str, int],
    events: Mapping[str, int],
    stopped: Mapping[str, int],
) -> StepStats:
    return StepStats(
        sequence=sequence,
        step=key,
        index=index,
        channel=channel,
        sent=by_status.get("sent", 0) + by_status.get("bounced", 0),
        replied=events.get("reply", 0),
        goals=events.get("goal", 0),
        bounced=by_status.get("bounced", 0),
        unsubscribed=events.get("unsubscribe", 0),
        pending=sum(by_status.get(s, 0) for s in PENDING),
        cancelled=by_status.get("cancelled", 0),
        failed=by_status.get("failed", 0),
        uncertain=by_status.get("uncertain", 0),
        stopped=_ordered(stopped),
    )


def _ordered(counts: Mapping[str, int]) -> dict[str, int]:
    """Stop reasons in the report's order, the known ones first."""
    return {
        r: counts[r] for r in sorted(counts, key=lambda r: (r not in STOP_REASONS, _rank(r), r))
    }


def _rank(reason: str) -> int:
    return STOP_REASONS.index(reason) if reason in STOP_REASONS else 0


def _variants(store: Store, sequences: Iterable[Sequence], now: datetime) -> Iterable[VariantLine]:
    states = {(v.sequence, v.step_key, v.factor, v.key): v for v in store.variant_states()}
    for sequence in sequences:
        for step, factor, keys in families(sequence):
            counts = counted_by_scoring(store, sequence, step.key, factor, now=now)
            for key in keys:
                sends, successes = counts.get(key, (0, 0))
                low, high = wilson_interval(successes, sends)
                state = states.get((sequence.name, step.key, factor, key))
                yield VariantLine(
                    sequence=sequence.name,
                    step=step.key,
                    factor=factor,
                    key=key,
                    sends=sends,
                    successes=successes,
                    metric=sequence.scoring.metric.event,
                    low=low,
                    high=high,
                    status=state.status if state else "live",
                    since=state.since if state else None,
                    reason=state.reason if state else "",
                )


def _delays(rows: Iterable[tuple[int, int]]) -> tuple[ReplyDelay, ...]:
    buckets: dict[int, int] = defaultdict(int)
    for hours, count in rows:
        buckets[max(0, int(hours))] += (
            count  # a reply dated before its send (clock skew) counts as immediate
        )
    return tuple(ReplyDelay(hours=h, count=n) for h, n in sorted(buckets.items()))


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


# -- JSON and CSV -------------------------------------------------------------------------------


def to_json(report: Report) -> str:
    """The whole report as one JSON object (datetimes in ISO 8601, rates as fractions)."""

    def step(s: StepStats) -> dict[str, Any]:
        return {**asdict(s), "reply_rate": s.reply_rate}

    def sequence(s: SequenceStats) -> dict[str, Any]:
        return {
            **{k: v for k, v in asdict(s).items() if k != "steps"},
            "steps": [step(x) for x in s.steps],
        }

    data = {
        "generated_at": report.generated_at.isoformat(),
        "totals": {
            "enrolled": report.enrolled,
            "deferred": report.deferred,
            "sent": report.sent,
            "replied": report.replied,
            "median_reply_hours": report.median_reply_hours,
        },
        "sequences": [sequence(s) for s in report.sequences],
        "variants": [
            {**asdict(v), "rate": v.rate, "since": v.since.isoformat() if v.since else None}
            for v in report.variants
        ],
        "sender_days": [asdict(d) for d in report.sender_days],
        "caps_today": report.caps_today,
        "reply_delays": [asdict(d) for d in report.reply_delays],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_csv(report: Report, table: str) -> str:
    """One table of the report as CSV with a header row: one of :data:`TABLES`.

    ``steps`` and ``sequences`` have one ``stopped_<reason>`` column per stop reason (the known
    ones always, any other found after them); rates are fractions, empty when nothing was sent.
    """
    if table not in TABLES:
        raise ValueError(f"no table '{table}' (choose one of {', '.join(TABLES)})")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in _CSV[table](report):
        # a text cell a spreadsheet would run as a formula (=, +, -, @) gets a leading ' (CWE-1236)
        writer.writerow(
            [
                ""
                if value is None
                else "'" + value
                if isinstance(value, str) and value[:1] in ("=", "+", "-", "@")
                else value
                for value in row
            ]
        )
    return buffer.getvalue()


def _reasons(report: Report) -> list[str]:
    found = {r for s in report.sequences for r in s.stopped} | {
        r for s in report.sequences for x in s.steps for r in x.stopped
    }
    return [*STOP_REASONS, *sorted(found - set(STOP_REASONS))]


def _csv_sequences(report: Report) -> Iterable[list[Any]]:
    reasons = _reasons(report)
    yield [
        "sequence",
        "enrolled",
        "active",
        "completed",
        "stopped",
        "deferred",
        "skipped",
        "sent",
        "replied",
        "goals",
        *(f"stopped_{r}" for r in reasons),
    ]
    for s in report.sequences:
        yield [
            s.name,
            s.enrolled,
            s.active,
            s.completed,
            s.stopped_total,
            s.deferred,
            s.skipped,
            s.sent,
            s.replied,
            s.goals,
            *(s.stopped.get(r, 0) for r in reasons),
        ]


def _csv_steps(report: Report) -> Iterable[list[Any]]:
    reasons = _reasons(report)
    yield [
        "sequence",
        "step",
        "index",
        "channel",
        "sent",
        "replied",
        "reply_rate",
        "goals",
        "bounced",
        "unsubscribed",
        "pending",
        "cancelled",
        "failed",
        "uncertain",
        *(f"stopped_{r}" for r in reasons),
    ]
    for s in report.sequences:
        for x in s.steps:
            yield [
                s.name,
                x.step,
                x.index,
                x.channel,
                x.sent,
                x.replied,
                _fraction(x.reply_rate),
                x.goals,
                x.bounced,
                x.unsubscribed,
                x.pending,
                x.cancelled,
                x.failed,
                x.uncertain,
                *(x.stopped.get(r, 0) for r in reasons),
            ]


def _csv_variants(report: Report) -> Iterable[list[Any]]:
    yield [
        "sequence",
        "step",
        "factor",
        "variant",
        "sends",
        "successes",
        "metric",
        "rate",
        "ci_low",
        "ci_high",
        "status",
        "since",
        "reason",
    ]
    for v in report.variants:
        yield [
            v.sequence,
            v.step,
            v.factor,
            v.key,
            v.sends,
            v.successes,
            v.metric,
            _fraction(v.rate),
            _fraction(v.low),
            _fraction(v.high),
            v.status,
            v.since.isoformat() if v.since else None,
            v.reason,
        ]


def _csv_senders(report: Report) -> Iterable[list[Any]]:
    yield ["sender", "day", "sent", "cap", "waiting"]
    for d in report.sender_days:
        yield [d.sender, d.day, d.sent, d.cap, d.waiting]


def _csv_replies(report: Report) -> Iterable[list[Any]]:
    yield ["hours", "replies"]
    for d in report.reply_delays:
        yield [d.hours, d.count]


_CSV = {
    "sequences": _csv_sequences,
    "steps": _csv_steps,
    "variants": _csv_variants,
    "senders": _csv_senders,
    "replies": _csv_replies,
}


def _fraction(value: float | None) -> str | None:
    return None if value is None else f"{value:.4f}"


# -- terminal -----------------------------------------------------------------------------------


def to_rich(report: Report) -> list[RenderableType]:
    """The report as rich tables for the terminal: one per sequence, the variants, the senders."""
    if not report.sequences:
        return [Text("nothing to report yet: no enrollments")]
    out: list[RenderableType] = [Text(summary(report))]
    for sequence in report.sequences:
        out.append(steps_table(sequence))
    if report.variants:
        out.append(_rich_variants(report.variants))
    if report.sender_days:
        out.append(_rich_senders(report.sender_use()))
    return out


def summary(report: Report) -> str:
    """One line: enrolled, sent, replied (rate), median time to reply, deferred."""
    parts = [
        f"{report.enrolled} enrolled in {_plural(len(report.sequences), 'sequence')}",
        f"{report.sent} sent",
        f"{report.replied} replied ({_pct(report.replied / report.sent if report.sent else None)})",
    ]
    median = report.median_reply_hours
    if median is not None:
        parts.append(f"median time to reply {_duration(median)}")
    if report.deferred:
        parts.append(f"{report.deferred} waiting to start (chained)")
    return " · ".join(parts)


def sequence_line(s: SequenceStats) -> str:
    stopped = f"{s.stopped_total} stopped" + (f" ({_reasons_text(s.stopped)})" if s.stopped else "")
    parts = [f"{s.enrolled} enrolled", f"{s.active} active", f"{s.completed} completed", stopped]
    if s.deferred:
        parts.append(f"{s.deferred} waiting to start")
    if s.skipped:
        parts.append(f"{s.skipped} skipped")
    return " · ".join(parts)


def steps_table(s: SequenceStats) -> RenderableType:
    """One sequence's steps, titled with its enrollments (only that line while none has started)."""
    title = Text.assemble((s.name, "bold"), " — ", sequence_line(s))
    if not s.enrolled and not any(x.sent or x.pending for x in s.steps):
        return title
    table = Table(
        "step",
        "channel",
        "sent",
        "replied",
        "rate",
        "goals",
        "bounced",
        "unsub.",
        "pending",
        "stopped after",
        title=title,
        title_justify="left",
    )
    for x in s.steps:
        table.add_row(
            Text(x.step),
            x.channel or "?",
            str(x.sent),
            str(x.replied),
            _pct(x.reply_rate),
            str(x.goals),
            str(x.bounced),
            str(x.unsubscribed),
            str(x.pending),
            Text(_reasons_text(x.stopped) or "-"),
        )
    return table


def _rich_variants(variants: Iterable[VariantLine]) -> Table:
    rows = list(variants)
    successes = "replies" if all(v.metric == "reply" for v in rows) else "successes"
    table = Table(
        "sequence",
        "step",
        "factor",
        "variant",
        "sends",
        successes,
        "rate",
        "95% interval",
        "status",
        "since",
        "why",
        title="Variants, counted as the scoring job counts them (sends past their reply window)",
        title_justify="left",
    )
    for v in rows:
        status = Text(v.status, style="red" if v.status == "retired" else "green")
        table.add_row(
            Text(v.sequence),
            Text(v.step),
            v.factor,
            Text(v.key),
            str(v.sends),
            str(v.successes),
            _pct(v.rate),
            f"{_pct(v.low)}–{_pct(v.high)}",
            status,
            f"{v.since:%Y-%m-%d}" if v.since else "-",
            Text(v.reason or "-"),
        )
    return table


def _rich_senders(senders: Iterable[SenderUse]) -> Table:
    table = Table(
        "sender",
        "days",
        "sent",
        "busiest day",
        "cap today",
        "days at cap",
        "backlog days",
        "use on backlog days",
        title="Senders, per local day against the cap in force "
        "that day (backlog days: message 1s still "
        "waiting at the day's end; `--csv senders` lists every day)",
        title_justify="left",
    )
    for u in senders:
        table.add_row(
            Text(u.sender),
            str(u.days),
            str(u.sent),
            f"{u.busiest.day}: {u.busiest.sent}",
            _count(u.cap_today),
            _count(u.at_cap),
            str(u.backlog_days),
            _pct(u.backlog_use),
        )
    return table


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


def _per_sender(days: Iterable[SenderDayLine]) -> dict[str, list[SenderDayLine]]:
    out: dict[str, list[SenderDayLine]] = defaultdict(list)
    for d in days:
        out[d.sender].append(d)
    return dict(out)


def _reasons_text(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{reason} {count}" for reason, count in counts.items())


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _duration(hours: float) -> str:
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.1f} days"


# -- HTML ---------------------------------------------------------------------------------------


def to_html(report: Report) -> str:
    """One self-contained HTML page: summary, charts (inline SVG) and tables. Fetches nothing."""
    from sequencer import charts  # matplotlib: loaded only for the HTML page

    ids = _Ids()
    body = [
        f'<h1>sequencer report</h1>\n<p class="summary">{_e(summary(report))}</p>',
        f'<p class="generated">generated '
        f"{_e(report.generated_at.strftime('%Y-%m-%d %H:%M UTC'))}</p>",
    ]
    if not report.sequences:
        body.append("<p>Nothing to report yet: no enrollments.</p>")
    for sequence in report.sequences:
        ident = ids.make("funnel", sequence.name)
        body.append(_html_sequence(sequence, charts.funnel(sequence, ident=ident), ident))
    body.append(
        _html_variants(
            report.variants,
            charts.variants(report.variants, ident="variants") if report.variants else None,
        )
    )
    body.append(_html_senders(report, ids, charts))
    body.append(
        _html_replies(
            report,
            charts.reply_times(report.reply_delays, ident="reply-times")
            if report.reply_delays
            else None,
        )
    )
    return _PAGE.format(style=_STYLE, body="\n".join(body))


class _Ids:
    """Stable DOM ids from user-given names: ``funnel-cold``; a clash gets ``-2``, ``-3``..."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, prefix: str, name: str) -> str:
        base = f"{prefix}-{re.sub(r'[^a-z0-9_-]+', '-', name.lower()).strip('-') or 'x'}"
        ident, n = base, 1
        while ident in self.used:
            n += 1
            ident = f"{base}-{n}"
        self.used.add(ident)
        return ident


def _figure(ident: str, kind: str, svg: str, caption: str, data: str = "") -> str:
    return (
        f'<figure id="{_e(ident)}" class="chart {kind}"{data}>\n{svg}\n'
        f"<figcaption>{_e(caption)}</figcaption>\n</figure>"
    )


def _html_sequence(s: SequenceStats, svg: str, ident: str) -> str:
    head = (
        "<tr><th>step</th><th>channel</th><th>sent</th><th>replied</th><th>reply "
        "rate</th><th>goals</th>"
        "<th>bounced</th><th>unsubscribed</th><th>pending</th><th>stopped after this step</th></tr>"
    )
    rows = "".join(
        f"<tr><td>{_e(x.step)}</td><td>{_e(x.channel or '?')}</td>{_num(x.sent)}{_num(x.replied)}"
        f'<td class="n">{_pct(x.reply_rate)}</td>{_num(x.goals)}{_num(x.bounced)}'
        f"{_num(x.unsubscribed)}{_num(x.pending)}"
        f"<td>{_e(_reasons_text(x.stopped) or '–')}</td></tr>"
        for x in s.steps
    )
    figure = _figure(
        ident,
        "funnel",
        svg,
        f"{s.name}: enrolled, then each step sent (replies in green), then outcomes",
        f' data-sequence="{_e(s.name)}"',
    )
    return (
        f'<section class="sequence">\n<h2>{_e(s.name)}</h2>\n<p '
        f'class="line">{_e(sequence_line(s))}</p>\n'
        f'{figure}\n<table class="steps"><thead>{head}</thead>'
        f"<tbody>{rows}</tbody></table>\n</section>"
    )


def _html_variants(variants: tuple[VariantLine, ...], svg: str | None) -> str:
    if not variants or svg is None:
        return (
            "<section><h2>A/B variants</h2><p>No variant families "
            "(a factor with two or more variants) yet.</p></section>"
        )
    successes = "replies" if all(v.metric == "reply" for v in variants) else "successes"
    rows = "".join(
        f'<tr class="{"retired" if v.status == "retired" else "live"}">'
        f"<td>{_e(v.sequence)}</td><td>{_e(v.step)}</td>"
        f"<td>{_e(v.factor)}</td><td>{_e(v.key)}</td>{_num(v.sends)}{_num(v.successes)}<td "
        f'class="n">{_pct(v.rate)}</td>'
        f'<td class="n">{_pct(v.low)} – {_pct(v.high)}</td><td><span '
        f'class="badge {_e(v.status)}">{_e(v.status)}</span></td>'
        f"<td>{_e(f'{v.since:%Y-%m-%d}' if v.since else '–')}</td><td "
        f'class="why">{_e(v.reason or "–")}</td></tr>'
        for v in variants
    )
    head = (
        f"<tr><th>sequence</th><th>step</th><th>factor</th><th>variant</th><th>sends</th><th>{successes}</th>"
        "<th>rate</th><th>95% interval</th><th>status</th><th>since</th><th>why</th></tr>"
    )
    figure = _figure(
        "variants",
        "variants",
        svg,
        f"{successes.capitalize()} per send with 95% Wilson intervals; "
        "retired variants grey, marked ✕, their names in red",
    )
    return (
        '<section>\n<h2>A/B variants</h2>\n<p class="line">Counted '
        "as the scoring job counts them: sends that "
        f"went out at least the sequence's reply window ago.</p>\n{figure}\n"
        f'<table class="variants"><thead>{head}</thead><tbody>{rows}</tbody></table>\n</section>'
    )


def _html_senders(report: Report, ids: _Ids, charts: Any) -> str:
    if not report.sender_days:
        return (
            "<section><h2>Sends per day</h2><p>No sends counted "
            "against a sender's cap yet.</p></section>"
        )
    parts = [
        '<section>\n<h2>Sends per day</h2>\n<p class="line">Per '
        "sender and local day, against the cap in "
        "force that day (the red line, which climbs a sender's "
        "warm-up ramp). A backlog day ended with message 1s "
        "still waiting to go out: dark bars are backlog days "
        "that used their cap, amber ones backlog days "
        "that did not.</p>"
    ]
    days = _per_sender(report.sender_days)
    for use in report.sender_use():
        rows = days[use.sender]
        ident = ids.make("sends", use.sender)
        parts.append(f'<h3>{_e(use.sender)}</h3>\n<p class="line">{_e(_use_line(use))}</p>')
        parts.append(
            _figure(
                ident,
                "sends-per-day",
                charts.sender_days(use.sender, rows, ident=ident),
                f"{use.sender}: sends per local day against the cap in force",
                f' data-sender="{_e(use.sender)}"',
            )
        )
        table = "".join(
            f'<tr class="{_day_class(d)}"><td>{_e(d.day)}</td>{_num(d.sent)}'
            f'<td class="n">{"–" if d.cap is None else d.cap}</td>{_num(d.waiting)}</tr>'
            for d in rows
        )
        parts.append(
            f"<details><summary>{_e(use.sender)}: every day "
            f'({len(rows)})</summary><table class="days">'
            "<thead><tr><th>day</th><th>sent</th><th>cap in "
            "force</th><th>waiting at the day's end</th></tr>"
            f"</thead><tbody>{table}</tbody></table></details>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _use_line(u: SenderUse) -> str:
    """One sender's days in a line: totals, today's cap, days at cap and the cap used on backlog
    days.
    """
    parts = [_plural(u.days, "day"), f"{u.sent} sent", f"busiest {u.busiest.day}: {u.busiest.sent}"]
    if u.cap_today is not None:
        parts.append(f"cap today {u.cap_today}")
    parts.append(
        "cap unknown (not configured)" if u.at_cap is None else f"{_plural(u.at_cap, 'day')} at cap"
    )
    parts.append(_plural(u.backlog_days, "backlog day"))
    if u.backlog_use is not None:
        parts.append(f"{_pct(u.backlog_use)} of the cap used on backlog days")
    return " · ".join(parts)


def _day_class(d: SenderDayLine) -> str:
    return (
        " ".join(name for name, on in (("at-cap", d.at_cap), ("backlog", d.waiting > 0)) if on)
        or "under-cap"
    )


def _html_replies(report: Report, svg: str | None) -> str:
    if svg is None:
        return "<section><h2>Time to reply</h2><p>No replies yet.</p></section>"
    median = report.median_reply_hours
    line = (
        f"{sum(d.count for d in report.reply_delays)} replies; "
        f"median {_duration(median) if median is not None else '–'}"
    )
    figure = _figure(
        "reply-times", "reply-times", svg, "Time from a send to the reply credited to it"
    )
    return (
        f'<section>\n<h2>Time to reply</h2>\n<p class="line">{_e(line)}</p>\n{figure}\n</section>'
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _num(value: int) -> str:
    return f'<td class="n">{value}</td>'


_STYLE = """
:root { --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --accent: #2563eb; --good: #15803d;
  --bad: #b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; background: #f8fafc; color: var(--ink);
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 28px 24px 64px; }
h1 { font-size: 28px; margin: 0 0 6px; }
h2 { font-size: 20px; margin: 0 0 4px; }
h3 { font-size: 16px; margin: 16px 0 0; }
.summary { font-size: 17px; margin: 0; }
.generated, .line, figcaption { color: var(--muted); margin: 2px 0 12px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px;
  padding: 18px 20px; margin: 22px 0; }
figure { margin: 8px 0 14px; }
figure svg { display: block; width: 100%; height: auto; max-width: 900px; }
figcaption { font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin-top: 6px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
th { background: #f1f5f9; font-weight: 600; }
tbody tr:nth-child(even) { background: #fafafa; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.why { color: var(--muted); font-size: 13px; }
tr.retired td { color: var(--muted); }
tr.at-cap.backlog td:first-child { box-shadow: inset 3px 0 var(--accent); }
.badge { display: inline-block; padding: 0 8px; border-radius: 9px; font-size: 12px;
  font-weight: 600; }
.badge.live { background: #dcfce7; color: var(--good); }
.badge.retired { background: #fee2e2; color: var(--bad); }
details { margin: 4px 0 16px; }
summary { cursor: pointer; color: var(--accent); }
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sequencer report</title>
<style>{style}</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""
