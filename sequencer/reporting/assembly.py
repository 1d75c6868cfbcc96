"""Building the :class:`~sequencer.reporting.data.Report`: :func:`build` asks the store its
handful of GROUP BY queries (see the ``reporting`` section of :class:`~sequencer.store.Store`),
and pure functions turn the rows into the report's dataclasses. Its cost grows with the number
of sequences, steps, variants and sender-days (and, for the backlog, the quarter hours in which
message 1s were queued or went out), not with the number of sends. Variant numbers are counted
by :func:`sequencer.looks.counted`, the same function the scoring job uses, so they agree with
``sequencer score``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, tzinfo

from sequencer.caps import Capacity
from sequencer.inbound.verdict import Intent
from sequencer.looks import counted as counted_by_scoring
from sequencer.model import Sequence
from sequencer.reporting import combinations
from sequencer.reporting.data import (
    STOP_REASONS,
    ComplaintLine,
    ReplyDelay,
    Report,
    SenderDayLine,
    SequenceStats,
    StepStats,
    VariantLine,
)
from sequencer.scoring import wilson_interval
from sequencer.status import EnrollmentStatus, SendStatus, VariantStatus
from sequencer.store import Store
from sequencer.variants import families

#: Enrollment statuses that have not started: not counted as enrolled.
NOT_STARTED = (EnrollmentStatus.DEFERRED, EnrollmentStatus.SKIPPED)
#: Send statuses still to go out.
PENDING = (SendStatus.SCHEDULED, SendStatus.CLAIMED, SendStatus.SENDING)
#: Seconds in the store's time buckets for the backlog: a quarter hour, which no local midnight
#: splits.
_QUARTER_HOUR = 900


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
        combinations=tuple(
            combinations.gather(store, [sequences[n] for n in names if n in sequences], now)
        ),
        sender_days=days,
        caps_today=today,
        reply_delays=_delays(store.report_reply_delays()),
        complaints=tuple(
            ComplaintLine(sender=name, sent=sent, complaints=complained)
            for name, sent, complained in store.report_complaints()
        ),
        intents=_intents(store.report_reply_intents()),
    )


def _sender_days(
    store: Store, caps: Mapping[str, Capacity], now: datetime
) -> tuple[tuple[SenderDayLine, ...], dict[str, int]]:
    """Each sender's days with the cap in force and the backlog at their end; each sender's cap
    today.

    The cap in force on a day is the one its row recorded when the day began; a day recorded
    before caps were gets today's configuration's. A capacity without ``first_day`` gets the
    sender's first day with a send here, which is what the store would have filled in."""
    recorded = [
        (s, date.fromisoformat(day), sent, cap) for s, day, sent, cap in store.report_sender_days()
    ]
    stored = {(sender, day): cap for sender, day, _sent, cap in recorded}
    rows = [(sender, day, sent) for sender, day, sent, _cap in recorded]
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
        if stored.get((sender, day)) is not None:
            return stored[(sender, day)]
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
        if state == EnrollmentStatus.STOPPED:
            stopped[reason or "unknown"] = stopped.get(reason or "unknown", 0) + count
    steps = {(i, s.key): s.channel.value for i, s in enumerate(model.steps)} if model else {}
    for index, step in sends:
        steps.setdefault((index, step), "")
    return SequenceStats(
        name=name,
        enrolled=sum(n for state, n in status.items() if state not in NOT_STARTED),
        active=status[EnrollmentStatus.ACTIVE],
        completed=status[EnrollmentStatus.COMPLETED],
        deferred=status[EnrollmentStatus.DEFERRED],
        skipped=status[EnrollmentStatus.SKIPPED],
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
        sent=by_status.get(SendStatus.SENT, 0) + by_status.get(SendStatus.BOUNCED, 0),
        replied=events.get("reply", 0),
        goals=events.get("goal", 0),
        bounced=by_status.get(SendStatus.BOUNCED, 0),
        unsubscribed=events.get("unsubscribe", 0),
        pending=sum(by_status.get(s, 0) for s in PENDING),
        cancelled=by_status.get(SendStatus.CANCELLED, 0),
        failed=by_status.get(SendStatus.FAILED, 0),
        uncertain=by_status.get(SendStatus.UNCERTAIN, 0),
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
                    metric=sequence.scoring.metric.label,
                    low=low,
                    high=high,
                    status=state.status if state else VariantStatus.LIVE,
                    since=state.since if state else None,
                    reason=state.reason if state else "",
                )


def _delays(rows: Iterable[tuple[int, int]]) -> tuple[ReplyDelay, ...]:
    buckets: dict[int, int] = defaultdict(int)
    for hours, count in rows:
        # a reply dated before its send (clock skew) counts as immediate
        buckets[max(0, int(hours))] += count
    return tuple(ReplyDelay(hours=h, count=n) for h, n in sorted(buckets.items()))


def _intents(rows: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    """Reply intents with their counts, in :class:`Intent` order (an unknown one after, by name)."""
    order = {intent.value: rank for rank, intent in enumerate(Intent)}
    return tuple(sorted(rows, key=lambda row: (order.get(row[0], len(order)), row[0])))
