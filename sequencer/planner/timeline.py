"""The deterministic half of a plan: every send of the campaign if nobody replied, in time order,
placed by the engine's own enrolment and step placement, and its summary week by week.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sequencer import enrollment, timing
from sequencer.caps import SenderBook
from sequencer.model import Channel
from sequencer.planner.inputs import PlanInput

WEEK = timedelta(days=7)


@dataclass(frozen=True, kw_only=True)
class Slot:
    """One send of the schedule: a step for a contact, from a sender, at an instant."""

    at: datetime
    contact: int
    step: int
    sender: str


@dataclass(frozen=True, kw_only=True)
class WeekLoad:
    """What goes out in one week of the campaign (week 1 begins at ``start``), if nobody replied."""

    week: int
    begins: datetime
    message_1: int
    #: Emails of later steps.
    follow_ups: int
    #: LinkedIn and call tasks.
    tasks: int
    #: Emails per sender.
    by_sender: dict[str, int]


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """The deterministic answer: when message 1 reaches everyone, and the load week by week."""

    first_message_1: datetime
    last_message_1: datetime
    last_send: datetime
    #: From ``start`` to the last message 1, in weeks.
    weeks_to_reach: float
    #: Dates on which a message 1 goes out, each in its sender's zone: the sending days it takes.
    days_with_message_1: int
    #: Contacts whose message 1 each sender sends.
    contacts_by_sender: dict[str, int]
    weeks: tuple[WeekLoad, ...]


def contact_zones(p: PlanInput) -> list[ZoneInfo]:
    """Each contact's zone, resolved as enrolling resolves it (``timezone_from``); ``p.zones``
    shared out in turn.
    """
    names: tuple[str | None, ...] = p.zones or (None,)
    resolved = [
        timing.resolve_zone(p.sequence, contact_tz=name, sender_tz=p.senders[0].zone.key)
        for name in names
    ]
    return [resolved[i % len(resolved)] for i in range(p.contacts)]


def schedule(p: PlanInput) -> list[Slot]:
    """Every send of the campaign if nobody replied, in time order: enrolled at ``start`` as
    ``enroll`` places them, each next step placed in its sender's book when the step before it is
    sent.
    """
    zones = contact_zones(p)
    books = {s.name: SenderBook(s.capacity(), seed=s.name) for s in p.senders}
    queue = []
    for contact, zone in enumerate(zones):
        sender, due = enrollment.place_rotating(p.sequence, zone=zone, now=p.start, books=books)
        queue.append((due, contact, contact, 0, sender))  # (due, row order, contact, step, sender)
    return _dispatch(p, zones, queue, books)


def _dispatch(
    p: PlanInput,
    zones: list[ZoneInfo],
    queue: list[tuple[datetime, int, int, int, str]],
    books: Mapping[str, SenderBook],
) -> list[Slot]:
    """Send in due order, as the worker does: each send goes at its placed time (placements never
    collide), and the next step is placed (:func:`~sequencer.enrollment.place_step`) once the step
    before it is sent, due at :func:`~sequencer.enrollment.next_step_due` from message 1's actual
    send.
    """
    seq = p.sequence
    anchors: dict[int, datetime] = {}
    rows = len(queue)
    heapq.heapify(queue)
    out = []
    while queue:
        at, _, contact, index, sender = heapq.heappop(queue)
        out.append(Slot(at=at, contact=contact, step=index, sender=sender))
        anchor = anchors.setdefault(contact, at)
        if index + 1 < len(seq.steps):  # queued once this one is sent: never due before it went
            due = enrollment.next_step_due(
                seq, index + 1, anchor=anchor, zone=zones[contact], after=(index, at)
            )
            placed = enrollment.place_step(
                seq, index + 1, due=due, zone=zones[contact], book=books[sender]
            )
            heapq.heappush(queue, (placed, rows, contact, index + 1, sender))
            rows += 1
    return out


def summarise(p: PlanInput, slots: list[Slot]) -> Schedule:
    """The schedule's answers: first and last message 1, weeks to reach everyone, load per week."""
    firsts = [s for s in slots if s.step == 0]
    zones = {s.name: s.zone for s in p.senders}
    by_sender = {s.name: 0 for s in p.senders}
    for slot in firsts:
        by_sender[slot.sender] += 1
    last = max(s.at for s in firsts)
    return Schedule(
        first_message_1=min(s.at for s in firsts),
        last_message_1=last,
        last_send=max(s.at for s in slots),
        weeks_to_reach=(last - p.start) / WEEK,
        days_with_message_1=len({s.at.astimezone(zones[s.sender]).date() for s in firsts}),
        contacts_by_sender=by_sender,
        weeks=_weeks(p, slots),
    )


def weeks_to_count(p: PlanInput, slots: list[Slot]) -> int:
    """Whole weeks from ``start`` until every send has been counted (its reply window passed) and
    a week's looks more: the horizon that covers the whole schedule."""
    window = timedelta(days=p.sequence.scoring.reply_window_days)
    return math.ceil((max(s.at for s in slots) + window - p.start) / WEEK) + 1


def _weeks(p: PlanInput, slots: list[Slot]) -> tuple[WeekLoad, ...]:
    """Sends per week from ``start``: message 1s, email follow-ups, tasks, and emails per sender."""
    count = int((max(s.at for s in slots) - p.start) // WEEK) + 1
    kinds = [Counter[str]() for _ in range(count)]
    senders = [Counter[str]() for _ in range(count)]
    for slot in slots:
        week = int((slot.at - p.start) // WEEK)
        channel = p.sequence.steps[slot.step].channel
        if slot.step == 0:
            kinds[week]["message_1"] += 1
        if channel is Channel.EMAIL:
            senders[week][slot.sender] += 1
            kinds[week]["follow_ups"] += slot.step > 0
        elif channel is not Channel.WEBHOOK:
            kinds[week]["tasks"] += slot.step > 0
    return tuple(
        WeekLoad(
            week=i + 1,
            begins=p.start + i * WEEK,
            message_1=kinds[i]["message_1"],
            follow_ups=kinds[i]["follow_ups"],
            tasks=kinds[i]["tasks"],
            by_sender={s.name: senders[i][s.name] for s in p.senders},
        )
        for i in range(count)
    )
