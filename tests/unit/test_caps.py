"""Sender capacity: daily cap per sender-local day, spacing, seeded jitter, fitting a window.

Expected instants are worked out by hand in the comments. Mon 2026-06-01 is a Monday;
Pacific/Auckland is NZST (+12) in June; America/Santiago skips 2026-09-06 00:00-01:00 and
repeats 2026-04-04 23:00-24:00 (checked in the tests that use it).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from sequencer.caps import Capacity, SenderBook, Warmup, ramped_cap
from sequencer.model import Window
from sequencer.timing import first_send_at

AUCKLAND = ZoneInfo("Pacific/Auckland")
SANTIAGO = ZoneInfo("America/Santiago")
WEEKDAYS = Window()  # Mon-Fri 09:00-17:00


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def window_fit(zone: ZoneInfo) -> Callable[[datetime], datetime]:
    def fit(moment: datetime) -> datetime:
        return first_send_at(
            moment, zone=zone, window=WEEKDAYS, business_days=True, holidays=frozenset()
        )

    return fit


def test_cap_rolls_to_next_sender_day() -> None:
    book = SenderBook(Capacity(daily_cap=3, min_gap=timedelta(minutes=10)), seed="jane")
    placed = [book.place(utc(2026, 6, 1, 9, 0)) for _ in range(4)]
    # 09:00, 09:10, 09:20 fill Monday; the 4th rolls to Tuesday 00:00 UTC (the sender's midnight).
    assert placed == [
        utc(2026, 6, 1, 9, 0),
        utc(2026, 6, 1, 9, 10),
        utc(2026, 6, 1, 9, 20),
        utc(2026, 6, 2, 0, 0),
    ]
    assert all(t.tzinfo is UTC for t in placed)
    assert book.sent_on(date(2026, 6, 1)) == 3
    assert book.sent_on(date(2026, 6, 2)) == 1
    assert book.sent_on(date(2026, 6, 3)) == 0
    assert len(book) == 4


def test_cap_rolls_to_next_window_with_a_fit() -> None:
    book = SenderBook(Capacity(daily_cap=3, min_gap=timedelta(minutes=10)), seed="jane")
    fit = window_fit(ZoneInfo("UTC"))
    placed = [book.place(utc(2026, 6, 1, 9, 0), fit) for _ in range(4)]
    # The 4th: Tue 00:00 -> the window's opening, Tue 06-02 09:00.
    assert placed[3] == utc(2026, 6, 2, 9, 0)


def test_day_is_the_sender_local_day() -> None:
    book = SenderBook(
        Capacity(daily_cap=1, min_gap=timedelta(0), zone=AUCKLAND),
        seed="s",
        sent=[utc(2026, 6, 1, 10, 0)],
    )  # Mon 06-01 22:00 NZST
    # 11:00 UTC = Mon 23:00 NZST, Monday is full -> Tue 06-02 00:00 NZST = Mon 06-01 12:00 UTC:
    # still Monday in UTC, but a new day for the sender.
    assert book.place(utc(2026, 6, 1, 11, 0)) == utc(2026, 6, 1, 12, 0)
    assert book.sent_on(date(2026, 6, 1)) == 1
    assert book.sent_on(date(2026, 6, 2)) == 1


def test_cap_roll_over_a_nonexistent_midnight() -> None:
    # Santiago: Sun 2026-09-06 00:00 (-04) jumps to 01:00 (-03) at 04:00 UTC.
    assert utc(2026, 9, 6, 4, 0).astimezone(SANTIAGO).replace(tzinfo=None) == datetime(
        2026, 9, 6, 1, 0
    )
    assert utc(2026, 9, 6, 3, 59).astimezone(SANTIAGO).replace(tzinfo=None) == datetime(
        2026, 9, 5, 23, 59
    )
    book = SenderBook(
        Capacity(daily_cap=1, min_gap=timedelta(0), zone=SANTIAGO),
        seed="s",
        sent=[utc(2026, 9, 5, 16, 0)],
    )  # Sat 12:00 -04
    # Saturday is full; Sunday begins at 01:00 -03 = 04:00 UTC.
    assert book.place(utc(2026, 9, 5, 17, 0)) == utc(2026, 9, 6, 4, 0)


def test_cap_roll_over_a_midnight_the_clocks_go_back_across() -> None:
    # Santiago: Sun 2026-04-05 00:00 (-03) goes back to Sat 04-04 23:00 (-04) at 03:00 UTC, so
    # 03:00-04:00 UTC is Saturday again and Sunday begins at 04:00 UTC (00:00 -04).
    assert utc(2026, 4, 5, 3, 0).astimezone(SANTIAGO).replace(tzinfo=None) == datetime(
        2026, 4, 4, 23, 0
    )
    assert utc(2026, 4, 5, 4, 0).astimezone(SANTIAGO).replace(tzinfo=None) == datetime(
        2026, 4, 5, 0, 0
    )
    book = SenderBook(
        Capacity(daily_cap=2, min_gap=timedelta(minutes=30), zone=SANTIAGO),
        seed="s",
        sent=[utc(2026, 4, 4, 15, 0), utc(2026, 4, 5, 2, 30)],
    )  # Sat 12:00 and 23:30 (-03)
    # 02:30 + 30 min = 03:00 UTC, Saturday (full) again -> Sunday's start 04:00 UTC.
    assert book.place(utc(2026, 4, 5, 3, 0)) == utc(2026, 4, 5, 4, 0)
    assert book.sent_on(date(2026, 4, 4)) == 2
    assert book.sent_on(date(2026, 4, 5)) == 1


def test_min_gap_is_respected() -> None:
    book = SenderBook(
        Capacity(daily_cap=100, min_gap=timedelta(minutes=15)),
        seed="s",
        sent=[utc(2026, 6, 1, 9, 0)],
    )
    assert book.find(utc(2026, 6, 1, 9, 5)) == utc(2026, 6, 1, 9, 15)
    assert book.find(utc(2026, 6, 1, 8, 0)) == utc(2026, 6, 1, 8, 0)  # the gap before 9:00 is free
    assert book.find(utc(2026, 6, 1, 8, 50)) == utc(2026, 6, 1, 9, 15)  # too close before 9:00
    assert book.find(utc(2026, 6, 1, 8, 45)) == utc(2026, 6, 1, 8, 45)  # exactly min_gap before it
    assert book.find(utc(2026, 6, 1, 9, 30)) == utc(2026, 6, 1, 9, 30)
    assert len(book) == 1  # find() places nothing
    placed = [book.place(utc(2026, 6, 1, 9, 0)) for _ in range(3)]
    assert placed == [utc(2026, 6, 1, 9, 15), utc(2026, 6, 1, 9, 30), utc(2026, 6, 1, 9, 45)]


def test_spacing_holds_on_both_sides_of_every_send_in_any_order() -> None:
    book = SenderBook(
        Capacity(daily_cap=100, min_gap=timedelta(minutes=15)),
        seed="s",
        sent=[utc(2026, 6, 1, 10, 0), utc(2026, 6, 1, 9, 0)],
    )
    assert book.last == utc(2026, 6, 1, 10, 0)
    # 9:00-10:00 leaves room for one send at 9:15..9:45: the earlier gap is filled.
    assert book.find(utc(2026, 6, 1, 9, 0)) == utc(2026, 6, 1, 9, 15)
    assert book.find(utc(2026, 6, 1, 9, 50)) == utc(2026, 6, 1, 10, 15)
    book.record(datetime(2026, 6, 1, 21, 25, tzinfo=AUCKLAND))  # Mon 21:25 NZST = 9:25 UTC
    assert book.find(utc(2026, 6, 1, 9, 0)) == utc(
        2026, 6, 1, 9, 40
    )  # 15 min clear of 9:25 and of 10:00
    assert book.slots() == [utc(2026, 6, 1, 9, 0), utc(2026, 6, 1, 9, 25), utc(2026, 6, 1, 10, 0)]
    book.record(utc(2026, 6, 1, 9, 45))
    assert book.find(utc(2026, 6, 1, 9, 0)) == utc(2026, 6, 1, 10, 15)  # no room left before 10:00
    assert book.remove(utc(2026, 6, 1, 9, 45)) and not book.remove(utc(2026, 6, 1, 9, 45))
    assert book.find(utc(2026, 6, 1, 9, 0)) == utc(2026, 6, 1, 9, 40)


def _gaps(placed: list[datetime]) -> list[timedelta]:
    return [b - a for a, b in pairwise(placed)]


def test_jitter_is_within_bounds_and_seeded() -> None:
    capacity = Capacity(
        daily_cap=10_000, min_gap=timedelta(minutes=10), jitter=timedelta(minutes=5)
    )
    start = utc(2026, 6, 1, 0, 0)

    def run(seed: str) -> list[datetime]:
        book = SenderBook(capacity, seed=seed)
        return [book.place(start) for _ in range(200)]

    placed = run("jane")
    assert placed[0] == start  # nothing before it: no gap, no jitter
    extras = [gap - timedelta(minutes=10) for gap in _gaps(placed)]
    assert all(timedelta(0) <= extra <= timedelta(minutes=5) for extra in extras)
    # The documented draw: placement k waits min_gap + Random(f"{seed}:{k}") in [0, jitter] µs.
    assert extras == [
        timedelta(microseconds=random.Random(f"jane:{k}").randint(0, 300_000_000))
        for k in range(1, 200)
    ]
    # Spread out, not a constant offset.
    assert max(extras) - min(extras) > timedelta(minutes=4)
    assert run("jane") == placed
    other = run("john")
    assert other != placed
    assert sum(a != b for a, b in zip(_gaps(other), _gaps(placed), strict=True)) == 199


def test_no_jitter_means_exact_spacing() -> None:
    book = SenderBook(Capacity(daily_cap=10, min_gap=timedelta(minutes=15)), seed="x")
    placed = [book.place(utc(2026, 6, 1, 9, 0)) for _ in range(3)]
    assert _gaps(placed) == [timedelta(minutes=15)] * 2


def test_place_fits_the_recipient_window() -> None:
    # Sender in UTC, cap 2 a day, 1 h apart; recipient in Auckland, Mon-Fri 09:00-17:00 NZST (+12).
    book = SenderBook(Capacity(daily_cap=2, min_gap=timedelta(hours=1)), seed="s")
    fit = window_fit(AUCKLAND)
    desired = utc(2026, 6, 1, 4, 0)  # Mon 16:00 NZST
    placed = [book.place(desired, fit) for _ in range(5)]
    assert placed == [
        utc(2026, 6, 1, 4, 0),  # Mon 16:00 NZST, inside
        utc(2026, 6, 1, 21, 0),  # 05:00 UTC = Mon 17:00 NZST, closed -> Tue 09:00 NZST
        utc(2026, 6, 2, 0, 0),  # 22:00 UTC: 06-01 (UTC) is full -> 06-02 00:00 UTC = Tue 12:00 NZST
        utc(2026, 6, 2, 1, 0),  # + 1 h = Tue 13:00 NZST
        utc(2026, 6, 3, 0, 0),  # 02:00 UTC: 06-02 full -> 06-03 00:00 UTC = Wed 12:00 NZST
    ]
    for when in placed:
        local = when.astimezone(AUCKLAND)
        assert time(9, 0) <= local.time() < time(17, 0) and local.weekday() < 5


def test_cap_in_the_recipient_zone_rolls_to_the_next_window() -> None:
    # Sender and recipient both in Auckland, cap 1: Mon 09:00 NZST (05-31 21:00 UTC) is taken, so
    # the
    # next goes at Tue 00:00 NZST -> window -> Tue 09:00 NZST = 06-01 21:00 UTC.
    book = SenderBook(Capacity(daily_cap=1, min_gap=timedelta(0), zone=AUCKLAND), seed="s")
    fit = window_fit(AUCKLAND)
    desired = utc(2026, 5, 31, 21, 0)
    assert book.place(desired, fit) == desired
    assert book.place(desired, fit) == utc(2026, 6, 1, 21, 0)
    assert book.place(desired, fit) == utc(2026, 6, 2, 21, 0)


def test_rejects_bad_input() -> None:
    book = SenderBook(Capacity(daily_cap=1, min_gap=timedelta(0)), seed="s")
    with pytest.raises(ValueError, match="back"):
        book.place(utc(2026, 6, 1, 9, 0), lambda t: t - timedelta(hours=1))
    with pytest.raises(ValueError, match="aware"):
        book.place(datetime(2026, 6, 1, 9, 0))
    with pytest.raises(ValueError, match="aware"):
        book.record(datetime(2026, 6, 1, 9, 0))
    with pytest.raises(ValueError, match="daily_cap"):
        Capacity(daily_cap=0, min_gap=timedelta(0))
    with pytest.raises(ValueError, match="negative"):
        Capacity(daily_cap=1, min_gap=timedelta(minutes=-1))
    assert len(book) == 0


def test_many_placements_stay_within_caps() -> None:
    capacity = Capacity(daily_cap=500, min_gap=timedelta(seconds=30), jitter=timedelta(seconds=30))
    book = SenderBook(capacity, seed="bulk")
    start = utc(2026, 6, 1, 0, 0)
    last = start
    for _ in range(100_000):
        at = book.place(start)
        assert at - last >= timedelta(seconds=30) or at == start
        last = at
    assert len(book) == 100_000
    # 500 a day from 06-01: 200 full days, 06-01 ... 12-17.
    assert book.sent_on(date(2026, 6, 1)) == 500
    assert book.sent_on(date(2026, 12, 17)) == 500
    assert book.sent_on(date(2026, 12, 18)) == 0


# -- warm-up ramp --------------------------------------------------------------------------------


def test_ramped_cap_grows_by_step_a_calendar_day_up_to_the_daily_cap() -> None:
    ramp = Warmup(start=5, step=5, since=date(2026, 6, 1))
    caps = [ramped_cap(20, ramp, day=date(2026, 6, 1) + timedelta(days=n)) for n in range(6)]
    assert caps == [5, 10, 15, 20, 20, 20]
    # 7 a day from 3: 3, 10, then the cap of 12.
    assert [
        ramped_cap(12, Warmup(start=3, step=7), day=date(2026, 6, d), first_day=date(2026, 6, 1))
        for d in (1, 2, 3)
    ] == [3, 10, 12]
    # before day 1: the start; no day 1 known at all: today is day 1; no ramp: the daily cap.
    assert ramped_cap(20, ramp, day=date(2026, 5, 20)) == 5
    assert ramped_cap(20, Warmup(start=5, step=5), day=date(2026, 6, 9)) == 5
    assert ramped_cap(20, None, day=date(2026, 6, 9)) == 20
    # the configured day 1 wins over the first day with a send
    assert ramped_cap(20, ramp, day=date(2026, 6, 2), first_day=date(2026, 5, 1)) == 10
    assert (
        ramped_cap(50, Warmup(start=5, step=5), day=date(2026, 6, 2), first_day=date(2026, 5, 1))
        == 50
    )


def test_placing_100_sends_follows_the_ramp() -> None:
    # Ramp 5, +5 a day, up to 20; nothing sent before, so Mon 06-01 (the first placement) is day 1.
    capacity = Capacity(daily_cap=20, min_gap=timedelta(minutes=2), warmup=Warmup(start=5, step=5))
    book = SenderBook(capacity, seed="new-mailbox")
    placed = [book.place(utc(2026, 6, 1, 9, 0)) for _ in range(100)]
    per_day = [book.sent_on(date(2026, 6, 1) + timedelta(days=n)) for n in range(9)]
    assert per_day == [5, 10, 15, 20, 20, 20, 10, 0, 0]
    assert placed == sorted(placed) and placed[5] == utc(
        2026, 6, 2, 0, 0
    )  # the 6th rolls to Tuesday
    # the same sender without a ramp sends 20 on the first day
    flat = SenderBook(Capacity(daily_cap=20, min_gap=timedelta(minutes=2)), seed="new-mailbox")
    for _ in range(100):
        flat.place(utc(2026, 6, 1, 9, 0))
    assert flat.sent_on(date(2026, 6, 1)) == 20


def test_ramp_day_one_comes_from_the_store_the_book_or_the_configuration() -> None:
    ramp = Warmup(start=5, step=5)
    # The store says the sender first sent on 06-01: on 06-03 (day 3) the cap is 15.
    book = SenderBook(
        Capacity(daily_cap=20, min_gap=timedelta(0), warmup=ramp, first_day=date(2026, 6, 1)),
        seed="s",
    )
    placed = [book.place(utc(2026, 6, 3, 9, 0)) for _ in range(16)]
    assert book.sent_on(date(2026, 6, 3)) == 15 and placed[-1] == utc(2026, 6, 4, 0, 0)
    assert book.cap_on(date(2026, 6, 3)) == 15
    # Unknown to the store, but queued sends from 06-02 on: 06-02 is day 1.
    queued = SenderBook(
        Capacity(daily_cap=20, min_gap=timedelta(0), warmup=ramp),
        seed="s",
        sent=[utc(2026, 6, 3, 9, 0), utc(2026, 6, 2, 9, 0)],
    )
    assert [queued.cap_on(date(2026, 6, d)) for d in (2, 3, 4)] == [5, 10, 15]
    # A configured day 1 wins over both.
    fixed = SenderBook(
        Capacity(
            daily_cap=20,
            min_gap=timedelta(0),
            warmup=Warmup(start=5, step=5, since=date(2026, 5, 31)),
            first_day=date(2026, 6, 1),
        ),
        seed="s",
        sent=[utc(2026, 6, 2, 9, 0)],
    )
    assert fixed.cap_on(date(2026, 6, 2)) == 15
    # Sends already made today count against today's ramped cap.
    today = SenderBook(
        Capacity(daily_cap=20, min_gap=timedelta(0), warmup=ramp, first_day=date(2026, 6, 1)),
        seed="s",
        sent=[utc(2026, 6, 2, 8, minute) for minute in range(10)],
    )
    assert today.find(utc(2026, 6, 2, 9, 0)) == utc(2026, 6, 3, 0, 0)


def test_a_bad_ramp_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Warmup(start=0, step=5)
    with pytest.raises(ValueError, match="at least 1"):
        Warmup(start=5, step=0)
    with pytest.raises(ValueError, match="above daily_cap"):
        Capacity(daily_cap=4, min_gap=timedelta(0), warmup=Warmup(start=5, step=5))
