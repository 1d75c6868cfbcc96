"""Sender capacity: a daily cap and spacing between sends. Pure bookkeeping, no I/O.

A :class:`SenderBook` holds every send already placed or made for one sender, as a sorted set
of instants (a sender's day is a set of slots, not a line), and answers where the next one may
go: the earliest instant at or after the desired moment that

- lies on a sender-local calendar day still under that day's cap (days begin at local
  midnight, turned into an instant with :func:`sequencer.timing.to_utc`, so DST rules
  apply; a full day sends the search on to the next day with room);
- is at least ``min_gap`` plus this placement's jitter after the send before it, and at least
  ``min_gap`` before the send after it, whenever those were placed: gaps left earlier in a
  day are filled. The jitter for the k-th placement (k = sends in the book so far) is drawn
  uniformly from ``[0, jitter]`` at microsecond resolution by ``random.Random(f"{seed}:{k}")``,
  so the same seed and the same inputs always give the same placements, and a batch never
  goes out as a burst;
- and that the recipient accepts (``fit``: their sending window, given as a function from an
  instant to the first instant at or after it inside the window).

The three conditions are each "the first instant at or after t that satisfies me", all three
monotone, so applying them in turn until none moves the instant gives the earliest instant
that satisfies all three. Placing contacts one after another in enrollment order is
first-fit: first come, first served, and nobody is placed on a later day while an earlier day
had room under its cap and a free instant in their window. The algorithm, its guarantee and its
cost are written down in ``docs/scheduling.md``.

A new mailbox warms up: with a :class:`Warmup` the cap on a sender-local date is
:func:`ramped_cap`, ``min(daily_cap, start + step × days since the ramp's day 1)``, counted in
calendar days (weekends included). Day 1 is the configured date, else the sender's first day
with a send (known to the store), else the first day in the book: a sender that has sent
nothing yet opens its ramp with its next send.

Counts are kept per sender-local date in a dict, and full days point past themselves (path
compression, like a union-find), so a placement behind a backlog of full days costs about the
same as one on an empty book. Every instant returned is timezone-aware UTC.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sequencer.timing import local_midnight

#: How many rounds :meth:`SenderBook.find` tries before giving up on a fit.
MAX_PLACE_ROUNDS = 100_000

_ONE_DAY = timedelta(days=1)
_ONE_MICROSECOND = timedelta(microseconds=1)
_ONE_MINUTE = timedelta(minutes=1)
_UTC_ZONE = ZoneInfo("UTC")

#: The recipient's window as a function: any instant -> the first instant at or after it they
#: accept.
Fit = Callable[[datetime], datetime]


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
            raise ValueError(
                f"a warm-up needs start and step of at least 1, got {self.start} and {self.step}"
            )


def ramped_cap(
    daily_cap: int, warmup: Warmup | None, *, day: date, first_day: date | None = None
) -> int:
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
    #: Up to this much extra, seeded-random, on top of ``min_gap`` after the send before.
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
            raise ValueError(
                f"the warm-up starts at {self.warmup.start}, above daily_cap {self.daily_cap}"
            )

    def cap_on(self, day: date, *, first_day: date | None = None) -> int:
        """The cap on sender-local date ``day`` (:func:`ramped_cap`); ``first_day`` stands in
        for :attr:`first_day` when that is unknown."""
        return ramped_cap(
            self.daily_cap, self.warmup, day=day, first_day=self.first_day or first_day
        )


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware instant, got {instant.isoformat()}")
    return instant.astimezone(UTC)


def _identity(instant: datetime) -> datetime:
    return instant


class SenderBook:
    """The sends already placed or made for one sender, and where the next one may go.

    ``sent`` are sends already placed or made (any order); each counts towards its local
    day's cap and keeps the gap on both sides of it.
    """

    def __init__(self, capacity: Capacity, *, seed: str, sent: Iterable[datetime] = ()) -> None:
        self.capacity = capacity
        self.seed = seed
        #: Every send's instant (UTC), sorted.
        self._slots: list[datetime] = []
        self._counts: dict[date, int] = {}
        #: The earliest sender-local date with a send in the book (the ramp's fallback day 1).
        self._first: date | None = None
        self._total = 0
        self._jitter: tuple[int, timedelta] | None = None
        #: Full day -> a later day; every day in between was full when it was written.
        self._skip: dict[date, date] = {}
        #: A window's key -> (desired, found) of its latest search: nothing in [desired, found)
        #: fitted.
        self._hints: dict[Hashable, tuple[datetime, datetime]] = {}
        for at in sent:
            self.record(at)

    def __len__(self) -> int:
        return self._total

    @property
    def last(self) -> datetime | None:
        """The latest send in the book, if any."""
        return self._slots[-1] if self._slots else None

    def slots(self) -> list[datetime]:
        """Every send's instant in the book, earliest first."""
        return list(self._slots)

    def local_date(self, instant: datetime) -> date:
        """The sender-local date of ``instant``: the day whose cap it counts against."""
        return instant.astimezone(self.capacity.zone).date()

    def _note_day(self, day: date) -> None:
        if self._first is None or day < self._first:
            if self.capacity.warmup is not None:
                self._forget_searches()  # an earlier day 1 moves the ramp: caps change
            self._first = day

    def cap_on(self, day: date) -> int:
        """The cap on sender-local date ``day``: ``daily_cap``, or the warm-up ramp's value then."""
        return self.capacity.cap_on(day, first_day=self._first)

    def is_full(self, day: date) -> bool:
        """Whether sender-local date ``day`` has used its cap."""
        return self._counts.get(day, 0) >= self.cap_on(day)

    def jitter(self, k: int) -> timedelta:
        """The jitter before placement number ``k``: in ``[0, jitter]``, fixed by the seed."""
        if self._jitter is not None and self._jitter[0] == k:
            return self._jitter[1]
        span = self.capacity.jitter // _ONE_MICROSECOND
        extra = (
            timedelta(microseconds=random.Random(f"{self.seed}:{k}").randint(0, span))
            if span
            else timedelta(0)
        )
        self._jitter = (k, extra)
        return extra

    # -- finding a slot -----------------------------------------------------------------------

    def find(
        self, desired: datetime, fit: Fit = _identity, *, key: Hashable | None = None
    ) -> datetime:
        """The earliest instant at or after ``desired`` that is on a day under its cap, clear of
        every send in the book by the gap, and accepted by ``fit``. Places nothing.

        ``key`` names the window ``fit`` stands for (the same key, the same window). Sends are only
        ever added, so what did not fit before does not fit now: a search for the same window from
        the same moment or later starts where the last one ended, which keeps a placement behind a
        long backlog as cheap as one on an empty book. (Jitter differs between placements, so an
        instant skipped this way may have fitted a smaller jitter, never one clear of every send by
        ``min_gap + jitter``.) Removing a send forgets these hints.
        """
        at = _utc(desired)
        wanted = at
        if key is None and fit is _identity:
            key = _identity  # no window: the same for every search
        if key is not None and (hint := self._hints.get(key)) is not None and hint[0] <= at:
            at = max(at, hint[1])
        before = self.capacity.min_gap + self.jitter(self._total)
        for _ in range(MAX_PLACE_ROUNDS):
            candidate = self._clear(self._on_open_day(at), before)
            if self.is_full(self.local_date(candidate)):
                at = candidate  # the gap pushed it onto a full day: look again from there
                continue
            fitted = _utc(fit(candidate))
            if fitted < candidate:
                raise ValueError(f"fit moved {candidate.isoformat()} back to {fitted.isoformat()}")
            if fitted == candidate:
                if key is not None:
                    self._hints[key] = (wanted, candidate)
                return candidate
            at = fitted
        raise ValueError(f"no instant fits both the sender and the recipient after {desired}")

    def place(
        self, desired: datetime, fit: Fit = _identity, *, key: Hashable | None = None
    ) -> datetime:
        """Place a send at or after ``desired`` (see :meth:`find`), record it, and return its
        instant.
        """
        at = self.find(desired, fit, key=key)
        self.record(at)
        return at

    def _clear(self, at: datetime, before: timedelta) -> datetime:
        """The first instant at or after ``at`` at least ``before`` after the send before it and
        ``min_gap`` before the send after it."""
        slots, after = self._slots, self.capacity.min_gap
        while True:
            i = bisect_right(slots, at)
            if i and at - slots[i - 1] < before:
                at = slots[i - 1] + before
            elif i < len(slots) and slots[i] - at < after:
                at = slots[i] + before
            else:
                return at

    def _on_open_day(self, at: datetime) -> datetime:
        """``at``, or the start of the first later sender-local day still under its cap."""
        day = self.local_date(at)
        if not self.is_full(day):
            return at
        path = []
        while self.is_full(day):
            path.append(day)
            day = self._skip.get(day, day + _ONE_DAY)
        for full in path:
            self._skip[full] = day
        return max(at, self._day_start(day, after=at))

    def _day_start(self, day: date, *, after: datetime) -> datetime:
        """The first instant of sender-local date ``day`` (later than ``after``): its midnight.

        That is the midnight :func:`~sequencer.timing.to_utc` gives (for America/Santiago,
        whose clocks go back from 2026-04-05 00:00 to 04-04 23:00, the one midnight after
        the repeated hour). Should a zone's midnight occur twice with the date going back
        in between, an instant in the repeat belongs to the earlier date and the day
        begins at the second midnight; the last resort only guarantees progress.
        """
        first = local_midnight(day, self.capacity.zone)
        if first > after:
            return first
        second = datetime.combine(day, time(fold=1), tzinfo=self.capacity.zone).astimezone(UTC)
        return second if second > after else after + _ONE_MINUTE

    # -- recording ----------------------------------------------------------------------------

    def record(self, at: datetime) -> None:
        """Count a send placed or made at ``at``."""
        at = _utc(at)
        day = self.local_date(at)
        self._counts[day] = self._counts.get(day, 0) + 1
        self._total += 1
        self._note_day(day)
        insort(self._slots, at)

    def remove(self, at: datetime) -> bool:
        """Take back the send at ``at`` (a send moved or cancelled); False if there is none."""
        at = _utc(at)
        i = bisect_left(self._slots, at)
        if i == len(self._slots) or self._slots[i] != at:
            return False
        del self._slots[i]
        day = self.local_date(at)
        self._forget_searches()  # this day and this instant get room again
        self._counts[day] -= 1
        self._total -= 1
        if not self._counts[day]:
            del self._counts[day]
            if day == self._first:
                self._first = min(self._counts, default=None)
        return True

    def _forget_searches(self) -> None:
        self._skip.clear()
        self._hints.clear()

    def move(self, old: datetime | None, new: datetime) -> None:
        """A send placed at ``old`` goes (or went) at ``new`` instead."""
        if old is not None:
            self.remove(old)
        self.record(new)

    def sent_on(self, day: date) -> int:
        """How many sends fall on the sender-local date ``day``."""
        return self._counts.get(day, 0)
