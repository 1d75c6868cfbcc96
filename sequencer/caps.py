"""Sender capacity: a daily cap and spacing between sends. Pure bookkeeping, no I/O.

A :class:`SenderBook` holds the sends already placed for one sender and answers where the
next one may go:

- at most ``daily_cap`` sends per calendar day in the sender's zone (days begin at local
  midnight, turned into an instant with :func:`sequencer.timing.to_utc`, so DST rules
  apply); when a day is full the send rolls to the next local midnight (in a zone whose
  clocks go back across midnight, the midnight after the repeated hour);
- at least ``min_gap`` plus a jitter after the latest placed send. The jitter for the
  k-th placement (k = sends in the book so far) is drawn uniformly from ``[0, jitter]``
  at microsecond resolution by ``random.Random(f"{seed}:{k}")``, so the same seed and
  the same inputs always give the same placements, and a batch never goes out as a burst.

A new mailbox warms up: with a :class:`Warmup` the cap on a sender-local date is
:func:`ramped_cap`, ``min(daily_cap, start + step × days since the ramp's day 1)``, counted in
calendar days (weekends included). Day 1 is the configured date, else the sender's first day
with a send (known to the store), else the first day in the book: a sender that has sent
nothing yet opens its ramp with its next send.

Counts are kept per sender-local date in a dict, so placing many sends stays linear.
Every instant returned is timezone-aware UTC.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sequencer.timing import local_midnight

#: How many rounds :meth:`SenderBook.place` tries before giving up on a fit.
MAX_PLACE_ROUNDS = 10_000

_ONE_DAY = timedelta(days=1)
_ONE_MICROSECOND = timedelta(microseconds=1)
_ONE_MINUTE = timedelta(minutes=1)
_UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True, kw_only=True)
class Warmup:
    """A new mailbox's ramp: the daily cap starts at ``start`` and grows by ``step`` a day."""

    #: Most sends on the ramp's day 1.
    start: int
    #: Sends added each following calendar day, until the sender's ``daily_cap`` is reached.
    step: int
    #: The ramp's day 1, a sender-local date; None: the sender's first day with a send.
    since: date | None = None

    def __post_init__(self) -> None:
        if self.start < 1 or self.step < 1:
            raise ValueError(f"a warm-up needs start and step of at least 1, got {self.start} and {self.step}")


def ramped_cap(daily_cap: int, warmup: Warmup | None, *, day: date, first_day: date | None = None) -> int:
    """The cap on sender-local date ``day``: ``min(daily_cap, start + step × days since day 1)``.

    Day 1 is ``warmup.since``, else ``first_day`` (the sender's first day with a send), else
    ``day`` itself: nothing sent yet, so the next send opens the ramp. A day before day 1
    gets ``start``. Without a warm-up the cap is ``daily_cap``.
    """
    if warmup is None:
        return daily_cap
    day1 = warmup.since or first_day or day
    return min(daily_cap, warmup.start + warmup.step * max(0, (day - day1).days))


@dataclass(frozen=True, kw_only=True)
class Capacity:
    """How much one sender may send."""

    #: Most sends per sender-local calendar day.
    daily_cap: int
    #: Least time between two sends of the sender.
    min_gap: timedelta
    #: Up to this much extra, seeded-random, on top of ``min_gap``.
    jitter: timedelta = timedelta(0)
    #: The sender's zone: where its "day" begins and ends.
    zone: ZoneInfo = _UTC_ZONE
    #: A new mailbox's ramp up to ``daily_cap``; None: the full cap from the first day.
    warmup: Warmup | None = None
    #: The sender's first sender-local day with a send (from the store), the ramp's day 1
    #: when ``warmup.since`` is not set.
    first_day: date | None = None

    def __post_init__(self) -> None:
        if self.daily_cap < 1:
            raise ValueError(f"daily_cap must be at least 1, got {self.daily_cap}")
        if self.min_gap < timedelta(0) or self.jitter < timedelta(0):
            raise ValueError("min_gap and jitter must not be negative")
        if self.warmup is not None and self.warmup.start > self.daily_cap:
            raise ValueError(f"the warm-up starts at {self.warmup.start}, above daily_cap {self.daily_cap}")

    def cap_on(self, day: date, *, first_day: date | None = None) -> int:
        """The cap on sender-local date ``day`` (:func:`ramped_cap`); ``first_day`` stands in
        for :attr:`first_day` when that is unknown."""
        return ramped_cap(self.daily_cap, self.warmup, day=day, first_day=self.first_day or first_day)


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware instant, got {instant.isoformat()}")
    return instant.astimezone(UTC)


def _identity(instant: datetime) -> datetime:
    return instant


class SenderBook:
    """The sends already placed for one sender.

    ``sent`` are sends already placed or made (any order); they count towards their
    local day's cap, and the latest of them is where spacing starts from.
    """

    def __init__(
        self, capacity: Capacity, *, seed: str, sent: Iterable[datetime] = ()
    ) -> None:
        self.capacity = capacity
        self.seed = seed
        self._counts: dict[date, int] = {}
        #: The earliest sender-local date with a send in the book (the ramp's fallback day 1).
        self._first: date | None = None
        self._total = 0
        self._last: datetime | None = None
        self._jitter: tuple[int, timedelta] | None = None
        for at in sent:
            self.record(at)

    def preload(self, *, day: date, count: int, last: datetime | None) -> None:
        """Start from a summary instead of every send: ``count`` sends on sender-local ``day``
        and the latest send at ``last`` (what a dispatcher reads from the database)."""
        if count:
            self._counts[day] = self._counts.get(day, 0) + count
            self._total += count
            self._note_day(day)
        if last is not None and (self._last is None or _utc(last) > self._last):
            self._last = _utc(last)

    def __len__(self) -> int:
        return self._total

    @property
    def last(self) -> datetime | None:
        """The latest send in the book, if any."""
        return self._last

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.capacity.zone).date()

    def local_date(self, instant: datetime) -> date:
        """The sender-local date of ``instant``: the day whose cap it counts against."""
        return self._local_date(instant)

    def _note_day(self, day: date) -> None:
        if self._first is None or day < self._first:
            self._first = day

    def cap_on(self, day: date) -> int:
        """The cap on sender-local date ``day``: ``daily_cap``, or the warm-up ramp's value then."""
        return self.capacity.cap_on(day, first_day=self._first)

    def jitter(self, k: int) -> timedelta:
        """The jitter before placement number ``k``: in ``[0, jitter]``, fixed by the seed."""
        if self._jitter is not None and self._jitter[0] == k:
            return self._jitter[1]
        span = self.capacity.jitter // _ONE_MICROSECOND
        extra = timedelta(microseconds=random.Random(f"{self.seed}:{k}").randint(0, span))
        self._jitter = (k, extra)
        return extra

    def earliest(self, not_before: datetime) -> datetime:
        """The earliest instant at or after ``not_before`` the sender may send at.

        It is at least ``min_gap`` plus this placement's jitter after the latest send,
        and on a sender-local day that still has room under that day's cap (:meth:`cap_on`).
        """
        at = _utc(not_before)
        if self._last is not None:
            gap = self.capacity.min_gap + self.jitter(self._total)
            at = max(at, self._last + gap)
        while self._counts.get(day := self._local_date(at), 0) >= self.cap_on(day):
            at = self._next_day_start(at)
        return at

    def _next_day_start(self, at: datetime) -> datetime:
        """The first instant after ``at`` on the next sender-local date: local midnight.

        That is the midnight :func:`~sequencer.timing.to_utc` gives (for America/Santiago,
        whose clocks go back from 2026-04-05 00:00 to 04-04 23:00, the one midnight after
        the repeated hour). Should a zone's midnight occur twice with the date going back
        in between, an instant in the repeat belongs to the earlier date and the next day
        begins at the second midnight; the last resort only guarantees progress.
        """
        day = self._local_date(at) + _ONE_DAY
        first = local_midnight(day, self.capacity.zone)
        if first > at:
            return first
        second = datetime.combine(day, time(fold=1), tzinfo=self.capacity.zone).astimezone(UTC)
        return second if second > at else at + _ONE_MINUTE

    def place(
        self, desired: datetime, fit: Callable[[datetime], datetime] = _identity
    ) -> datetime:
        """Place a send at or after ``desired``, record it, and return its instant.

        ``fit`` maps an instant to the first instant at or after it the recipient accepts
        (their window); the answer satisfies both ``fit`` and :meth:`earliest`.
        """
        at = _utc(desired)
        for _ in range(MAX_PLACE_ROUNDS):
            candidate = self.earliest(at)
            fitted = _utc(fit(candidate))
            if fitted < candidate:
                raise ValueError(f"fit moved {candidate.isoformat()} back to {fitted.isoformat()}")
            if fitted == at:
                self.record(at)
                return at
            at = fitted
        raise ValueError(f"no instant fits both the sender and the recipient after {desired}")

    def record(self, at: datetime) -> None:
        """Count a send placed or made at ``at``."""
        at = _utc(at)
        day = self._local_date(at)
        self._counts[day] = self._counts.get(day, 0) + 1
        self._total += 1
        self._note_day(day)
        if self._last is None or at > self._last:
            self._last = at

    def sent_on(self, day: date) -> int:
        """How many sends fall on the sender-local date ``day``."""
        return self._counts.get(day, 0)
