"""Per-recipient timing: windows, sending days, time zones and DST (docs/sequences.md, "Timing").

Every expected instant below was worked out by hand; the comment next to it shows how.
2026 calendar used: Mon 2026-03-02, Mon 2026-03-30, Mon 2026-06-01, Mon 2026-09-21,
Mon 2026-10-26, Mon 2026-12-21.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sequencer.model import Channel, Holidays, Sequence, Step, Window, ZoneSource
from sequencer.timing import (
    first_send_at,
    is_sending_day,
    next_window_moment,
    resolve_zone,
    step_due,
    timeline,
    to_utc,
)

AUCKLAND = ZoneInfo("Pacific/Auckland")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
KOLKATA = ZoneInfo("Asia/Kolkata")
HELSINKI = ZoneInfo("Europe/Helsinki")
UTC_ZONE = ZoneInfo("UTC")

WEEKDAYS = Window()  # Mon-Fri, 09:00-17:00
EVERY_DAY = Window(days=frozenset(range(7)))
NO_HOLIDAYS: frozenset[str] = frozenset()


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def due(
    day: int,
    anchor: datetime,
    zone: ZoneInfo = UTC_ZONE,
    *,
    window: Window = WEEKDAYS,
    business_days: bool = True,
    holidays: Container[str] = NO_HOLIDAYS,
) -> datetime:
    return step_due(
        day=day,
        anchor=anchor,
        zone=zone,
        window=window,
        business_days=business_days,
        holidays=holidays,
    )


def first(
    now: datetime,
    zone: ZoneInfo = UTC_ZONE,
    *,
    window: Window = WEEKDAYS,
    business_days: bool = True,
    holidays: Container[str] = NO_HOLIDAYS,
) -> datetime:
    return first_send_at(
        now, zone=zone, window=window, business_days=business_days, holidays=holidays
    )


def nwm(
    local: datetime,
    *,
    window: Window = WEEKDAYS,
    business_days: bool = True,
    holidays: Container[str] = NO_HOLIDAYS,
) -> datetime:
    return next_window_moment(local, window=window, business_days=business_days, holidays=holidays)


def offset_hours(instant: datetime, zone: ZoneInfo) -> float:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset / timedelta(hours=1)


# -- the DST dates the tests below rely on, checked against the installed tz database ----------


def test_auckland_dst_dates_2026() -> None:
    # Back: Sun 2026-04-05 03:00 NZDT (+13) -> 02:00 NZST (+12), at 2026-04-04 14:00 UTC.
    assert offset_hours(utc(2026, 4, 4, 13, 59, 59), AUCKLAND) == 13
    assert offset_hours(utc(2026, 4, 4, 14, 0), AUCKLAND) == 12
    assert utc(2026, 4, 4, 14, 0).astimezone(AUCKLAND).replace(tzinfo=None) == datetime(
        2026, 4, 5, 2, 0
    )
    # Forward: Sun 2026-09-27 02:00 NZST (+12) -> 03:00 NZDT (+13), at 2026-09-26 14:00 UTC.
    assert offset_hours(utc(2026, 9, 26, 13, 59, 59), AUCKLAND) == 12
    assert offset_hours(utc(2026, 9, 26, 14, 0), AUCKLAND) == 13
    assert utc(2026, 9, 26, 14, 0).astimezone(AUCKLAND).replace(tzinfo=None) == datetime(
        2026, 9, 27, 3, 0
    )
    assert date(2026, 4, 5).weekday() == date(2026, 9, 27).weekday() == 6  # both Sundays


def test_los_angeles_dst_dates_2026() -> None:
    # Forward: Sun 2026-03-08 02:00 PST (-8) -> 03:00 PDT (-7), at 10:00 UTC.
    assert offset_hours(utc(2026, 3, 8, 9, 59, 59), LOS_ANGELES) == -8
    assert offset_hours(utc(2026, 3, 8, 10, 0), LOS_ANGELES) == -7
    # Back: Sun 2026-11-01 02:00 PDT (-7) -> 01:00 PST (-8), at 09:00 UTC.
    assert offset_hours(utc(2026, 11, 1, 8, 59, 59), LOS_ANGELES) == -7
    assert offset_hours(utc(2026, 11, 1, 9, 0), LOS_ANGELES) == -8
    assert date(2026, 3, 8).weekday() == date(2026, 11, 1).weekday() == 6


# -- sending days ------------------------------------------------------------------------------


def test_is_sending_day() -> None:
    holidays = frozenset({"2026-12-24"})
    assert is_sending_day(
        date(2026, 12, 23), window=WEEKDAYS, business_days=True, holidays=holidays
    )  # Wed
    assert not is_sending_day(
        date(2026, 12, 24), window=WEEKDAYS, business_days=True, holidays=holidays
    )
    # a holiday is never sent on, business days or not
    assert not is_sending_day(
        date(2026, 12, 24), window=WEEKDAYS, business_days=False, holidays=holidays
    )
    # Saturday: never with business_days, even when the window allows it.
    assert not is_sending_day(
        date(2026, 12, 26), window=EVERY_DAY, business_days=True, holidays=NO_HOLIDAYS
    )
    assert is_sending_day(
        date(2026, 12, 26), window=EVERY_DAY, business_days=False, holidays=NO_HOLIDAYS
    )
    # A weekday missing from window.days.
    tue_thu = Window(days=frozenset({1, 3}))
    assert not is_sending_day(
        date(2026, 12, 23), window=tue_thu, business_days=False, holidays=NO_HOLIDAYS
    )
    assert is_sending_day(
        date(2026, 12, 22), window=tue_thu, business_days=False, holidays=NO_HOLIDAYS
    )


def test_step_on_saturday_moves_to_monday_window_start() -> None:
    # Tue 2026-06-02 10:00 + 4 days = Sat 06-06 10:00 -> Mon 06-08 09:00.
    assert due(4, utc(2026, 6, 2, 10, 0)) == utc(2026, 6, 8, 9, 0)
    # The window allowing Saturday does not matter while business_days is on.
    assert due(4, utc(2026, 6, 2, 10, 0), window=EVERY_DAY) == utc(2026, 6, 8, 9, 0)


def test_step_on_saturday_stays_without_business_days() -> None:
    # business_days off and Saturday in window.days: Sat 06-06 10:00 stays.
    assert due(4, utc(2026, 6, 2, 10, 0), window=EVERY_DAY, business_days=False) == utc(
        2026, 6, 6, 10, 0
    )
    # business_days off but Saturday not in window.days: still Mon 06-08 09:00.
    assert due(4, utc(2026, 6, 2, 10, 0), business_days=False) == utc(2026, 6, 8, 9, 0)


def test_holidays_are_skipped() -> None:
    holidays = frozenset({"2026-12-24", "2026-12-25"})
    # Mon 12-21 10:00 + 3 = Thu 12-24 (holiday) -> Fri 12-25 (holiday) -> Sat, Sun -> Mon 12-28
    # 09:00.
    assert due(3, utc(2026, 12, 21, 10, 0), holidays=holidays) == utc(2026, 12, 28, 9, 0)
    # + 2 = Wed 12-23 10:00: not a holiday, untouched.
    assert due(2, utc(2026, 12, 21, 10, 0), holidays=holidays) == utc(2026, 12, 23, 10, 0)
    # A holiday is skipped even without business_days: Thu 12-24 and Fri 12-25 are holidays,
    # Sat and Sun are outside the window's days, so Mon 12-28 09:00.
    assert due(3, utc(2026, 12, 21, 10, 0), business_days=False, holidays=holidays) == utc(
        2026, 12, 28, 9, 0
    )


def test_a_countrys_public_holidays_are_skipped_on_the_recipients_local_date() -> None:
    finland = Holidays(country="FI")
    # Helsinki (+02): Mon 2026-12-21 10:00 + 3 = Thu 12-24 10:00, Christmas Eve in Finland -> Fri
    # 12-25
    # (Christmas Day) -> Sat, Sun -> Mon 12-28 09:00 (+02) = 07:00 UTC.
    assert due(3, utc(2026, 12, 21, 8, 0), HELSINKI, holidays=finland) == utc(2026, 12, 28, 7, 0)
    assert due(3, utc(2026, 12, 21, 8, 0), HELSINKI) == utc(
        2026, 12, 24, 8, 0
    )  # no calendar: Thu stays
    # Thu 2027-12-02 10:00 + 4 = Mon 12-06, Independence Day -> Tue 12-07 09:00 (+02) = 07:00 UTC.
    assert due(4, utc(2027, 12, 2, 8, 0), HELSINKI, holidays=finland) == utc(2027, 12, 7, 7, 0)
    # The recipient's local date decides: in Auckland (+13) Mon 12-06 10:00 is Sun 12-05 21:00 UTC,
    # still Independence Day locally -> Tue 12-07 09:00 (+13) = Mon 12-06 20:00 UTC.
    assert due(4, utc(2027, 12, 1, 21, 0), AUCKLAND, holidays=finland) == utc(2027, 12, 6, 20, 0)
    # Listed dates count alongside the country's: Tue 12-07 is listed -> Wed 12-08 09:00 (+02).
    both = Holidays(country="FI", dates=frozenset({"2027-12-07"}))
    assert due(4, utc(2027, 12, 2, 8, 0), HELSINKI, holidays=both) == utc(2027, 12, 8, 7, 0)
    assert is_sending_day(
        date(2027, 12, 6), window=WEEKDAYS, business_days=True, holidays=NO_HOLIDAYS
    )
    assert not is_sending_day(
        date(2027, 12, 6), window=WEEKDAYS, business_days=True, holidays=finland
    )


# -- the window --------------------------------------------------------------------------------


def test_window_before_start_moves_to_start() -> None:
    assert nwm(datetime(2026, 6, 3, 8, 15)) == datetime(2026, 6, 3, 9, 0)  # Wed
    assert nwm(datetime(2026, 6, 3, 0, 0)) == datetime(2026, 6, 3, 9, 0)


def test_window_inside_is_kept_to_the_microsecond() -> None:
    assert nwm(datetime(2026, 6, 3, 9, 0)) == datetime(2026, 6, 3, 9, 0)  # start is inclusive
    assert nwm(datetime(2026, 6, 3, 12, 34, 56, 789)) == datetime(2026, 6, 3, 12, 34, 56, 789)
    assert nwm(datetime(2026, 6, 3, 16, 59, 59, 999999)) == datetime(2026, 6, 3, 16, 59, 59, 999999)


def test_window_end_is_exclusive_and_rolls_to_next_day() -> None:
    assert nwm(datetime(2026, 6, 3, 17, 0)) == datetime(2026, 6, 4, 9, 0)  # Wed 17:00 -> Thu 09:00
    assert nwm(datetime(2026, 6, 3, 23, 59)) == datetime(2026, 6, 4, 9, 0)
    assert nwm(datetime(2026, 6, 5, 17, 30)) == datetime(2026, 6, 8, 9, 0)  # Fri evening -> Mon
    assert nwm(datetime(2026, 6, 6, 8, 0)) == datetime(2026, 6, 8, 9, 0)  # Sat -> Mon


def test_step_after_window_end_rolls_over() -> None:
    # Mon 06-01 16:30 + 1 = Tue 16:30 (inside); a message at 17:10 can only come from a slip,
    # its follow-up Tue 17:10 -> Wed 06-03 09:00.
    assert due(1, utc(2026, 6, 1, 16, 30)) == utc(2026, 6, 2, 16, 30)
    assert due(1, utc(2026, 6, 1, 17, 10)) == utc(2026, 6, 3, 9, 0)
    # Early message 08:00 Mon -> Tue 08:00 -> Tue 09:00.
    assert due(1, utc(2026, 6, 1, 8, 0)) == utc(2026, 6, 2, 9, 0)


def test_impossible_configurations_raise() -> None:
    with pytest.raises(ValueError, match="no sending day"):
        nwm(datetime(2026, 6, 3, 10, 0), window=Window(days=frozenset()))
    with pytest.raises(
        ValueError, match="no sending day"
    ):  # weekend-only window with business days
        nwm(datetime(2026, 6, 3, 10, 0), window=Window(days=frozenset({5, 6})))
    with pytest.raises(ValueError, match="empty sending window"):
        nwm(datetime(2026, 6, 3, 10, 0), window=Window(start=time(17, 0), end=time(9, 0)))
    with pytest.raises(ValueError, match="naive"):
        nwm(utc(2026, 6, 3, 10, 0))


def test_first_send_at_converts_now_to_the_zone() -> None:
    # Wed 2026-06-03 18:00 in Helsinki (summer time, +03:00) = 15:00 UTC: inside a UTC window,
    # goes right away.
    now = datetime(2026, 6, 3, 18, 0, tzinfo=HELSINKI)
    assert now == utc(2026, 6, 3, 15, 0)
    assert first(now) == utc(2026, 6, 3, 15, 0)
    assert first(now).tzinfo is UTC
    # Fri 06-05 17:00 UTC: closed -> Mon 06-08 09:00 UTC.
    assert first(utc(2026, 6, 5, 17, 0)) == utc(2026, 6, 8, 9, 0)
    with pytest.raises(ValueError, match="aware"):
        first(datetime(2026, 6, 3, 10, 0))


# -- Pacific/Auckland ---------------------------------------------------------------------------


def test_auckland_follow_up_keeps_wall_time_when_clocks_go_forward() -> None:
    # Message 1 Thu 2026-09-24 10:00 NZST (+12) = 09-23 22:00 UTC.
    anchor = utc(2026, 9, 23, 22, 0)
    assert anchor.astimezone(AUCKLAND).replace(tzinfo=None) == datetime(2026, 9, 24, 10, 0)
    # + 4 = Mon 09-28 10:00 NZDT (+13) = 09-27 21:00 UTC: one hour earlier in UTC.
    got = due(4, anchor, AUCKLAND)
    assert got == utc(2026, 9, 27, 21, 0)
    assert got.astimezone(AUCKLAND).replace(tzinfo=None) == datetime(2026, 9, 28, 10, 0)


def test_auckland_follow_up_keeps_wall_time_when_clocks_go_back() -> None:
    # Message 1 Wed 2026-04-01 10:00 NZDT (+13) = 03-31 21:00 UTC.
    anchor = utc(2026, 3, 31, 21, 0)
    # + 6 = Tue 04-07 10:00 NZST (+12) = 04-06 22:00 UTC: one hour later in UTC.
    assert due(6, anchor, AUCKLAND) == utc(2026, 4, 6, 22, 0)
    # + 4 = Sun 04-05 -> Mon 04-06 09:00 NZST = 04-05 21:00 UTC.
    assert due(4, anchor, AUCKLAND) == utc(2026, 4, 5, 21, 0)


def test_auckland_nonexistent_time_moves_to_the_jump() -> None:
    # 02:00-03:00 on Sun 2026-09-27 does not exist; the jump is 03:00 NZDT = 09-26 14:00 UTC.
    assert to_utc(datetime(2026, 9, 27, 2, 30), AUCKLAND) == utc(2026, 9, 26, 14, 0)
    assert to_utc(datetime(2026, 9, 27, 2, 0), AUCKLAND) == utc(2026, 9, 26, 14, 0)
    assert to_utc(datetime(2026, 9, 27, 2, 59, 59, 999999), AUCKLAND) == utc(2026, 9, 26, 14, 0)
    # Either side of the gap: 01:59:59 NZST = 13:59:59 UTC, 03:00 NZDT = 14:00 UTC.
    assert to_utc(datetime(2026, 9, 27, 1, 59, 59), AUCKLAND) == utc(2026, 9, 26, 13, 59, 59)
    assert to_utc(datetime(2026, 9, 27, 3, 0), AUCKLAND) == utc(2026, 9, 26, 14, 0)


def test_auckland_ambiguous_time_takes_first_occurrence() -> None:
    # 02:00-03:00 on Sun 2026-04-05 happens twice; first in NZDT (+13): 02:30 = 04-04 13:30 UTC
    # (the second, NZST, would be 14:30 UTC).
    assert to_utc(datetime(2026, 4, 5, 2, 30), AUCKLAND) == utc(2026, 4, 4, 13, 30)
    assert to_utc(datetime(2026, 4, 5, 2, 0), AUCKLAND) == utc(2026, 4, 4, 13, 0)
    # 03:00 happens once, NZST: 04-04 15:00 UTC.
    assert to_utc(datetime(2026, 4, 5, 3, 0), AUCKLAND) == utc(2026, 4, 4, 15, 0)


def test_auckland_step_landing_in_the_gap_or_the_overlap() -> None:
    night = Window(days=frozenset(range(7)), start=time(2, 30), end=time(5, 0))
    # Sat 09-26 02:30 NZST (= 09-25 14:30 UTC) + 1 = Sun 09-27 02:30, nonexistent -> 03:00 NZDT.
    assert due(1, utc(2026, 9, 25, 14, 30), AUCKLAND, window=night, business_days=False) == utc(
        2026, 9, 26, 14, 0
    )
    # Sat 04-04 02:30 NZDT (= 04-03 13:30 UTC) + 1 = Sun 04-05 02:30, first occurrence = 13:30 UTC.
    assert due(1, utc(2026, 4, 3, 13, 30), AUCKLAND, window=night, business_days=False) == utc(
        2026, 4, 4, 13, 30
    )


def test_window_lying_in_the_gap_moves_to_the_next_day() -> None:
    # Window 02:00-02:45 every day: on Sun 09-27 it does not exist at all, and 03:00 is past its
    # end, so enrollment on Sun 00:00 NZST goes Mon 09-28 02:00 NZDT = 09-27 13:00 UTC.
    gap = Window(days=frozenset(range(7)), start=time(2, 0), end=time(2, 45))
    now = utc(2026, 9, 26, 12, 0)  # Sun 09-27 00:00 NZST
    assert first(now, AUCKLAND, window=gap, business_days=False) == utc(2026, 9, 27, 13, 0)


def test_first_send_during_the_repeated_hour_is_never_in_the_past() -> None:
    night = Window(days=frozenset(range(7)), start=time(2, 0), end=time(5, 0))
    # now = 04-04 14:30 UTC = 02:30 NZST, the second 02:30. Inside the window: goes now, not at
    # the first 02:30 (13:30 UTC), an hour ago.
    now = utc(2026, 4, 4, 14, 30)
    assert first(now, AUCKLAND, window=night, business_days=False) == now
    # Window opening 02:45: the first 02:45 (13:45 UTC) is past, so the second one, 14:45 UTC.
    late = Window(days=frozenset(range(7)), start=time(2, 45), end=time(5, 0))
    assert first(now, AUCKLAND, window=late, business_days=False) == utc(2026, 4, 4, 14, 45)


# -- America/Los_Angeles ------------------------------------------------------------------------


def test_los_angeles_follow_up_keeps_wall_time_across_spring_forward() -> None:
    # Message 1 Thu 2026-03-05 10:00 PST (-8) = 18:00 UTC; + 4 = Mon 03-09 10:00 PDT (-7) = 17:00
    # UTC.
    assert due(4, utc(2026, 3, 5, 18, 0), LOS_ANGELES) == utc(2026, 3, 9, 17, 0)


def test_los_angeles_follow_up_keeps_wall_time_across_fall_back() -> None:
    # Message 1 Thu 2026-10-29 10:00 PDT (-7) = 17:00 UTC; + 4 = Mon 11-02 10:00 PST (-8) = 18:00
    # UTC.
    assert due(4, utc(2026, 10, 29, 17, 0), LOS_ANGELES) == utc(2026, 11, 2, 18, 0)


def test_los_angeles_nonexistent_and_ambiguous_times() -> None:
    # Sun 03-08 02:30 does not exist -> 03:00 PDT = 10:00 UTC.
    assert to_utc(datetime(2026, 3, 8, 2, 30), LOS_ANGELES) == utc(2026, 3, 8, 10, 0)
    # Sun 11-01 01:30 happens twice -> first, PDT (-7) = 08:30 UTC (second: 09:30 UTC).
    assert to_utc(datetime(2026, 11, 1, 1, 30), LOS_ANGELES) == utc(2026, 11, 1, 8, 30)
    # Plain times: 2026-06-01 09:00 PDT = 16:00 UTC; 2026-12-01 09:00 PST = 17:00 UTC.
    assert to_utc(datetime(2026, 6, 1, 9, 0), LOS_ANGELES) == utc(2026, 6, 1, 16, 0)
    assert to_utc(datetime(2026, 12, 1, 9, 0), LOS_ANGELES) == utc(2026, 12, 1, 17, 0)


def test_to_utc_rejects_aware_input() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_utc(utc(2026, 6, 1, 9, 0), LOS_ANGELES)


# -- Asia/Kolkata ------------------------------------------------------------------------------


def test_kolkata_half_hour_offset() -> None:
    # Mon 2026-06-01 00:00 UTC = 05:30 IST -> 09:00 IST = 03:30 UTC.
    assert first(utc(2026, 6, 1, 0, 0), KOLKATA) == utc(2026, 6, 1, 3, 30)
    # 11:30 UTC = 17:00 IST, the close -> Tue 09:00 IST = Tue 03:30 UTC.
    assert first(utc(2026, 6, 1, 11, 30), KOLKATA) == utc(2026, 6, 2, 3, 30)
    # 11:29 UTC = 16:59 IST: still open.
    assert first(utc(2026, 6, 1, 11, 29), KOLKATA) == utc(2026, 6, 1, 11, 29)
    # Follow-up: Mon 09:00 IST + 4 = Fri 06-05 09:00 IST = 03:30 UTC.
    assert due(4, utc(2026, 6, 1, 3, 30), KOLKATA) == utc(2026, 6, 5, 3, 30)


# -- message 1 slipping --------------------------------------------------------------------------


def test_follow_ups_slip_with_message_one() -> None:
    planned, slipped = utc(2026, 6, 1, 9, 0), utc(2026, 6, 1, 11, 20)  # Mon, slipped 2h20
    assert due(2, planned) == utc(2026, 6, 3, 9, 0)
    assert due(2, slipped) == utc(2026, 6, 3, 11, 20)
    assert due(2, slipped) - due(2, planned) == slipped - planned
    # Slipped by a whole day: Tue 06-02 09:00 + 2 = Thu 06-04 09:00.
    assert due(2, utc(2026, 6, 2, 9, 0)) == utc(2026, 6, 4, 9, 0)
    # In Auckland: Mon 06-01 09:00 NZST (05-31 21:00 UTC) vs 13:15 NZST (06-01 01:15 UTC);
    # + 2 = Wed 06-03 09:00 NZST (06-02 21:00 UTC) vs 13:15 NZST (06-03 01:15 UTC).
    assert due(2, utc(2026, 5, 31, 21, 0), AUCKLAND) == utc(2026, 6, 2, 21, 0)
    assert due(2, utc(2026, 6, 1, 1, 15), AUCKLAND) == utc(2026, 6, 3, 1, 15)


def test_day_zero_is_the_anchor_itself_in_utc() -> None:
    # Sat 2026-06-06 10:00 NZST = Fri 06-05 22:00 UTC, returned as is, even outside the window.
    anchor = datetime(2026, 6, 6, 10, 0, tzinfo=AUCKLAND)
    got = due(0, anchor, AUCKLAND)
    assert got == utc(2026, 6, 5, 22, 0)
    assert got.tzinfo is UTC
    with pytest.raises(ValueError, match="negative"):
        due(-1, anchor, AUCKLAND)
    with pytest.raises(ValueError, match="aware"):
        due(1, datetime(2026, 6, 6, 10, 0), AUCKLAND)


# -- zones ---------------------------------------------------------------------------------------


def test_resolve_zone_default_precedence() -> None:
    seq = Sequence(name="s", timezone=HELSINKI)
    assert resolve_zone(seq, contact_tz="Asia/Kolkata", sender_tz="America/Los_Angeles") == KOLKATA
    assert resolve_zone(seq, contact_tz=None, sender_tz="America/Los_Angeles") == HELSINKI
    assert resolve_zone(seq, contact_tz="", sender_tz="America/Los_Angeles") == HELSINKI
    bare = Sequence(name="s")
    assert resolve_zone(bare, contact_tz="", sender_tz="America/Los_Angeles") == LOS_ANGELES
    assert resolve_zone(bare, contact_tz="  ", sender_tz=None) == UTC_ZONE
    assert resolve_zone(bare, contact_tz=None, sender_tz="") == UTC_ZONE


def test_resolve_zone_skips_invalid_contact_zones() -> None:
    seq = Sequence(name="s", timezone=HELSINKI)
    assert resolve_zone(seq, contact_tz="Mars/Olympus_Mons", sender_tz=None) == HELSINKI
    assert resolve_zone(seq, contact_tz="../../etc/passwd", sender_tz=None) == HELSINKI
    assert resolve_zone(seq, contact_tz="/etc/localtime", sender_tz=None) == HELSINKI
    assert (
        resolve_zone(Sequence(name="s"), contact_tz="Nope/Nope", sender_tz="Bad/Zone") == UTC_ZONE
    )


def test_resolve_zone_custom_order() -> None:
    sender_first = Sequence(
        name="s", timezone=HELSINKI, timezone_from=(ZoneSource.SENDER, ZoneSource.RECIPIENT)
    )
    assert (
        resolve_zone(sender_first, contact_tz="Asia/Kolkata", sender_tz="Pacific/Auckland")
        == AUCKLAND
    )
    assert resolve_zone(sender_first, contact_tz="Asia/Kolkata", sender_tz=None) == KOLKATA
    # The sequence zone is not consulted when it is not listed.
    assert resolve_zone(sender_first, contact_tz=None, sender_tz=None) == UTC_ZONE
    sequence_only = Sequence(name="s", timezone_from=(ZoneSource.SEQUENCE,))
    assert (
        resolve_zone(sequence_only, contact_tz="Asia/Kolkata", sender_tz="Pacific/Auckland")
        == UTC_ZONE
    )


# -- timeline ------------------------------------------------------------------------------------


def test_timeline_for_an_auckland_contact() -> None:
    steps = (
        Step(key="intro", day=0, channel=Channel.EMAIL),
        Step(key="bump", day=5, channel=Channel.EMAIL, thread=True),
        Step(key="call", day=12, channel=Channel.CALL),
    )
    seq = Sequence(name="cold", steps=steps)
    # Enrolled Fri 2026-09-25 05:30 UTC = 17:30 NZST Friday, after the close. Next sending day is
    # Mon 09-28 (DST began Sun 09-27): 09:00 NZDT (+13) = Sun 09-27 20:00 UTC.
    # bump: Mon + 5 = Sat 10-03 -> Mon 10-05 09:00 NZDT = 10-04 20:00 UTC.
    # call: Mon + 12 = Sat 10-10 -> Mon 10-12 09:00 NZDT = 10-11 20:00 UTC.
    got = timeline(seq, start=utc(2026, 9, 25, 5, 30), zone=AUCKLAND)
    assert got == [
        (steps[0], utc(2026, 9, 27, 20, 0)),
        (steps[1], utc(2026, 10, 4, 20, 0)),
        (steps[2], utc(2026, 10, 11, 20, 0)),
    ]
    for _, when in got:
        local = when.astimezone(AUCKLAND)
        assert time(9, 0) <= local.time() < time(17, 0)
        assert local.weekday() < 5


def test_timeline_uses_the_sequence_rules() -> None:
    steps = (
        Step(key="a", day=0, channel=Channel.EMAIL),
        Step(key="b", day=1, channel=Channel.WEBHOOK),
    )
    seq = Sequence(
        name="s",
        steps=steps,
        window=Window(days=frozenset(range(7)), start=time(8, 0), end=time(10, 0)),
        business_days=False,
    )
    # Sat 2026-06-06 07:00 UTC -> 08:00 Sat (weekends allowed); + 1 = Sun 06-07 08:00.
    assert timeline(seq, start=utc(2026, 6, 6, 7, 0), zone=UTC_ZONE) == [
        (steps[0], utc(2026, 6, 6, 8, 0)),
        (steps[1], utc(2026, 6, 7, 8, 0)),
    ]
    assert timeline(Sequence(name="empty"), start=utc(2026, 6, 6, 7, 0), zone=UTC_ZONE) == []
