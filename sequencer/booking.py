"""Sender books: what a sender has sent and queued, and where each send goes in it.

The dispatcher, enrolment and recovery share :func:`new_book` (a sender's book read from the
store) and :func:`next_step` (when a contact's next step goes, timed from message 1's actual
send). A dispatch tick keeps its view of every sender in a :class:`TickState`: books, the day's
load, capacities and the slot each send holds, read once, updated as sends go out and carried
to the next tick while it still holds (:meth:`TickState.carry`); a send that cannot go now is
moved to a :class:`Later` time, and :func:`quota` is the cap and gap the store enforces across
workers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sequencer import enrollment, timing
from sequencer.caps import Capacity, SenderBook
from sequencer.compose import VariantCache
from sequencer.config import Sender
from sequencer.model import Channel, Sequence, Step
from sequencer.store import Enrollment, NewChain, NewSend, Quota, Send, Store


def new_book(store: Store, sender: Sender, *, now: datetime) -> SenderBook:
    """The sender's book (:class:`~sequencer.caps.SenderBook`): every email it sent since the
    start of yesterday (its local day) and every one it has queued, with its warm-up ramp's day 1
    from the store."""
    first_day = store.first_sending_day(sender.name) if sender.warmup is not None else None
    yesterday = now.astimezone(sender.timezone).date() - timedelta(days=1)
    sent = store.sender_slots(sender.name, since=timing.local_midnight(yesterday, sender.timezone))
    return SenderBook(sender.capacity(first_day=first_day), seed=sender.name, sent=sent)


def next_step(
    send: Send,
    sequence: Sequence,
    enrolled: Enrollment,
    sent_at: datetime,
    book: SenderBook | None = None,
) -> NewSend | NewChain | None:
    """The step after ``send``, which went out at ``sent_at``; timed from message 1's actual
    send and, for an email with the sender's ``book``, placed in the first free slot from then
    (recorded there). After the last step: the next sequence (``then:``), deferred by
    ``after_days``, or nothing."""
    index = send.step_index + 1
    if index >= len(sequence.steps):
        if sequence.then is None:
            return None
        delay = enrollment.chain_delay(sequence.then, seed=str(enrolled.id))
        # never the recipient's day of the last message (``after_days: 0`` would start the next
        # sequence's message 1 minutes after it): the next local day at the soonest
        zone = ZoneInfo(enrolled.timezone)
        tomorrow = timing.to_local(sent_at, zone).date() + timedelta(days=1)
        starts_at = max(sent_at + delay, timing.local_midnight(tomorrow, zone))
        return NewChain(sequence=sequence.then.sequence, starts_at=starts_at)
    anchor = sent_at if send.step_index == 0 else (enrolled.anchor_at or sent_at)
    zone = ZoneInfo(enrolled.timezone)
    after = (send.step_index, sent_at)
    due = enrollment.next_step_due(sequence, index, anchor=anchor, zone=zone, after=after)
    if book is not None:
        due = enrollment.place_step(sequence, index, due=due, zone=zone, book=book)
    step = sequence.steps[index]
    return NewSend(step_key=step.key, step_index=index, channel=step.channel.value, due_at=due)


def step_of(sequence: Sequence, send: Send) -> Step | None:
    """The step of ``sequence`` that ``send`` is for (by index, else by key); None if gone."""
    if (
        send.step_index < len(sequence.steps)
        and sequence.steps[send.step_index].key == send.step_key
    ):
        return sequence.steps[send.step_index]
    return next((s for s in sequence.steps if s.key == send.step_key), None)


@dataclass(frozen=True)
class Later:
    """Why a send cannot go now: wait in its slot's place until ``at``, or take a new slot from
    ``at``.
    """

    at: datetime
    #: True: the send leaves its slot and takes the first free one at or after ``at`` (window
    #: closed, day full, sender paused); False: a short wait for the gap after the latest send.
    replace: bool


@dataclass
class TickState:
    """What a dispatch tick knows of each sender (books, loads, capacities, the slot each send
    holds) and of variant counts, read once and updated as sends go out.

    The dispatcher carries one over to its next tick (:meth:`carry`) until ``fresh_until``, unless
    it is ``stale``: read afresh, it would say the same as what this one holds.
    """

    #: Clock time it was read, and until when it may be carried over to the next tick.
    read_at: datetime
    fresh_until: datetime
    #: A send ended otherwise than sent or moved in its sender's book (a retry, a refund, a
    #: cancellation...): what the database now says is not what this state holds.
    stale: bool = False
    books: dict[str, SenderBook] = field(default_factory=dict)
    variants: VariantCache = field(default_factory=VariantCache)
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

    @classmethod
    def read(cls, senders: Iterable[Sender], now: datetime, keep: timedelta) -> TickState:
        """A state read at ``now``: carried over for at most ``keep`` of clock time, and never past
        a sender's local midnight (its day's load starts again)."""
        ends = [now + keep]
        for sender in senders:
            today = now.astimezone(sender.timezone).date()
            ends.append(timing.local_midnight(today + timedelta(days=1), sender.timezone))
        return cls(read_at=now, fresh_until=min(ends))

    def carry(self, now: datetime) -> bool:
        """Whether this state holds for a tick at ``now`` (then made ready for it): not stale, not
        expired, and the clock has not gone back."""
        if self.stale or not self.read_at <= now < self.fresh_until:
            return False
        self.blocked.clear()
        self.messages.clear()
        self.slots.clear()  # a claimed send's slot is its due time again
        return True

    def move(
        self,
        store: Store,
        send: Send,
        later: Later,
        step: Step,
        sequence: Sequence,
        enrolled: Enrollment,
        sender: Sender,
        now: datetime,
    ) -> datetime:
        """The send's new due time: ``later.at`` for a wait, else the first free slot from there."""
        assert send.id is not None
        if step.channel is not Channel.EMAIL:
            return later.at
        if not later.replace:
            self.rebook(sender, send, later.at)
            return later.at
        book = self.book(store, sender, now)
        book.remove(self.slots.pop(send.id, send.due_at))
        due = enrollment.place_step(
            sequence, send.step_index, due=later.at, zone=ZoneInfo(enrolled.timezone), book=book
        )
        self.slots[send.id] = due
        return due

    def rebook(self, sender: Sender, send: Send, at: datetime | None) -> None:
        """The send now holds ``at`` in its sender's book (None: no slot), if the book was read this
        tick; a book read later reads it from the database."""
        assert send.id is not None
        book = self.books.get(sender.name)
        if book is not None:
            book.remove(self.slots.pop(send.id, send.due_at))
            if at is not None:
                book.record(at)
        if at is not None:
            self.slots[send.id] = at

    def capacity(self, store: Store, sender: Sender) -> Capacity:
        """The sender's cap (its warm-up ramp's day 1 read from the store), gap and jitter; read
        once a tick.
        """
        capacity = self.capacities.get(sender.name)
        if capacity is None:
            first_day = store.first_sending_day(sender.name) if sender.warmup is not None else None
            capacity = self.capacities[sender.name] = sender.capacity(first_day=first_day)
        return capacity

    def book(self, store: Store, sender: Sender, now: datetime) -> SenderBook:
        """The sender's book: what it sent since yesterday and every email it has queued. Read once
        a tick, and only when a send must be placed (a follow-up, a deferral): a send going out
        in its slot needs only the day's count and the latest send (:meth:`load`)."""
        book = self.books.get(sender.name)
        if book is None:
            book = self.books[sender.name] = new_book(store, sender, now=now)
        return book

    def load(self, store: Store, sender: Sender, now: datetime) -> list[Any]:
        """[sends begun today (sender-local), the latest send]: what the cap and gap are checked
        against.
        """
        load = self.loads.get(sender.name)
        if load is None:
            today = now.astimezone(sender.timezone).date()
            since = timing.local_midnight(today, sender.timezone)
            until = timing.local_midnight(today + timedelta(days=1), sender.timezone)
            load = self.loads[sender.name] = list(
                store.sender_load(sender.name, since=since, until=until)
            )
        return load


def quota(sender: Sender, now: datetime, capacity: Capacity | None = None) -> Quota:
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
