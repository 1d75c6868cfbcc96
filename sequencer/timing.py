"""When each step of a sequence is due: pure date arithmetic, no I/O, no clock.

The current time always comes in as an argument. Every instant returned is a
timezone-aware UTC :class:`~datetime.datetime`; "local" values are naive wall-clock
times in the recipient's zone.

Rules (see ``docs/sequences.md``, "Timing"):

1. **Zone**: the first known of ``Sequence.timezone_from`` (:func:`resolve_zone`),
   falling back to UTC.
2. **Day 0**: the first step goes out at the first moment inside the window at or after
   enrollment (:func:`first_send_at`).
3. **Later steps** are timed from the moment message 1 actually went out: its local date
   and wall-clock time plus ``day`` calendar days (:func:`step_due`). If message 1 slips,
   the follow-ups slip with it.
4. **Sending days**: a date whose weekday is not in ``window.days``, a holiday (a
   listed date or a public holiday of the sequence's country, both local dates of the
   recipient), or with ``business_days`` a Saturday or Sunday, moves to the next allowed date.
5. **Window**: a time before ``window.start`` moves to the start; a time at or after
   ``window.end`` (exclusive) moves to the next allowed date's start.

Daylight-saving changes (:func:`to_utc`):

- **Nonexistent times** (the hour skipped when clocks go forward, e.g. 02:30 on
  2026-09-27 in Pacific/Auckland) move forward to the first instant that exists, the
  moment the clocks jumped (03:00 local, new offset: 2026-09-26 14:00 UTC).
- **Ambiguous times** (the hour repeated when clocks go back) take the first occurrence,
  the earlier instant (``fold=0``).
- A follow-up keeps its local wall-clock time across a DST change: message 1 at 10:00
  NZST and a follow-up 4 days later after the change go out at 10:00 NZDT, one hour
  earlier in UTC.
- A window moment that, after the gap rule, lands outside the window (a window lying
  inside the skipped hour) moves on to the next window moment.
- :func:`first_send_at` never answers earlier than ``now``: during the repeated hour it
  uses the second occurrence of a wall-clock time when the first one is already past.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sequencer.model import Sequence, Step, Window, ZoneSource

#: How far ahead :func:`next_window_moment` looks for an allowed day before giving up.
MAX_SEARCH_DAYS = 3660

_ONE_DAY = timedelta(days=1)
_ONE_SECOND = timedelta(seconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _zone(name: str | None) -> ZoneInfo | None:
    """The zone called ``name``, or None when it is empty or unknown."""
    if name is None or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def resolve_zone(sequence: Sequence, *, contact_tz: str | None, sender_tz: str | None) -> ZoneInfo:
    """The recipient's zone: the first known source of ``sequence.timezone_from``.

    Empty and invalid zone names count as unknown; with nothing known, UTC.
    """
    for source in sequence.timezone_from:
        if source is ZoneSource.RECIPIENT:
            zone = _zone(contact_tz)
        elif source is ZoneSource.SEQUENCE:
            zone = sequence.timezone
        else:
            zone = _zone(sender_tz)
        if zone is not None:
            return zone
    return ZoneInfo("UTC")


def _require_naive(value: datetime) -> None:
    if value.tzinfo is not None:
        raise ValueError(f"expected a naive local time, got {value.isoformat()}")


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware instant, got {value.isoformat()}")


def _seconds(instant: datetime) -> int:
    """Whole seconds since the epoch, rounded down."""
    return (instant - _EPOCH) // _ONE_SECOND


def _transition(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The first instant in (before, after] whose UTC offset differs from ``before``'s.

    Exact to the second (tz transitions are on whole seconds), by bisection.
    """
    offset = before.astimezone(zone).utcoffset()
    lo, hi = _seconds(before), _seconds(after) + 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if (_EPOCH + timedelta(seconds=mid)).astimezone(zone).utcoffset() == offset:
            lo = mid
        else:
            hi = mid
    return _EPOCH + timedelta(seconds=hi)


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of the naive wall-clock time ``local`` in ``zone``.

    A nonexistent time (in a spring-forward gap) becomes the transition instant, the
    first instant that exists after it; an ambiguous time (in a fall-back overlap)
    becomes its first occurrence (``fold=0``).
    """
    _require_naive(local)
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    for instant in (first, second):
        # fold=1 alone round-trips where clocks went back across midnight at this very
        # time (America/Santiago 2026-04-05 00:00 exists only once, after the repeat).
        if instant.astimezone(zone).replace(tzinfo=None) == local:
            return instant
    # In a gap: the two folds read the wall time with the offsets either side of the
    # jump, so they bracket the transition instant.
    return _transition(min(first, second), max(first, second), zone)


def to_local(instant: datetime, zone: ZoneInfo) -> datetime:
    """The naive wall-clock time of the aware ``instant`` in ``zone``."""
    _require_aware(instant)
    return instant.astimezone(zone).replace(tzinfo=None)


def is_sending_day(
    day: date, *, window: Window, business_days: bool, holidays: Container[str]
) -> bool:
    """Whether messages may go out on local date ``day``.

    Its weekday must be in ``window.days``, it is never one of ``holidays`` (asked with its
    ISO ``YYYY-MM-DD`` string: a frozenset, or a sequence's :class:`~sequencer.model.Holidays`
    with a country's public holidays), and with ``business_days`` it is never a Saturday or a
    Sunday.
    """
    if day.weekday() not in window.days or day.isoformat() in holidays:
        return False
    return not business_days or day.weekday() < 5


def next_window_moment(
    local: datetime, *, window: Window, business_days: bool, holidays: Container[str]
) -> datetime:
    """The first naive local moment at or after ``local`` inside the sending window.

    Raises ValueError when the window is empty or no sending day exists within
    :data:`MAX_SEARCH_DAYS` days.
    """
    _require_naive(local)
    if window.start >= window.end:
        raise ValueError(f"empty sending window {window.start}-{window.end}")

    def allowed(day: date) -> bool:
        return is_sending_day(day, window=window, business_days=business_days, holidays=holidays)

    day = local.date()
    if allowed(day) and local.time() < window.end:
        return max(local, datetime.combine(day, window.start))
    for _ in range(MAX_SEARCH_DAYS):
        day += _ONE_DAY
        if allowed(day):
            return datetime.combine(day, window.start)
    raise ValueError(f"no sending day within {MAX_SEARCH_DAYS} days of {local.date()}")


def _settle(
    local: datetime,
    *,
    zone: ZoneInfo,
    window: Window,
    business_days: bool,
    holidays: Container[str],
) -> tuple[datetime, datetime]:
    """The first window moment at or after ``local``: (naive local, UTC instant).

    Repeats when the DST gap rule pushes the moment out of the window.
    """
    while True:
        moment = next_window_moment(
            local, window=window, business_days=business_days, holidays=holidays
        )
        instant = to_utc(moment, zone)
        shown = to_local(instant, zone)
        if shown == moment or shown == next_window_moment(
            shown, window=window, business_days=business_days, holidays=holidays
        ):
            return moment, instant
        local = shown


def first_send_at(
    now: datetime,
    *,
    zone: ZoneInfo,
    window: Window,
    business_days: bool,
    holidays: Container[str],
) -> datetime:
    """The UTC instant of the first window moment in ``zone`` at or after aware ``now``.

    Never earlier than ``now``: in a repeated hour the second occurrence of the chosen
    wall-clock time is used when the first one is already past.
    """
    _require_aware(now)
    now = now.astimezone(UTC)
    moment, instant = _settle(
        to_local(now, zone),
        zone=zone,
        window=window,
        business_days=business_days,
        holidays=holidays,
    )
    if instant < now:
        instant = moment.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return max(instant, now)


def step_due(
    *,
    day: int,
    anchor: datetime,
    zone: ZoneInfo,
    window: Window,
    business_days: bool,
    holidays: Container[str],
) -> datetime:
    """When a step ``day`` calendar days after message 1 is due, as a UTC instant.

    ``anchor`` is the aware instant message 1 actually went out. The target is the
    anchor's local wall-clock time in ``zone`` plus ``day`` days (so it keeps its local
    time across a DST change), moved into the window. Day 0 is the anchor itself.
    """
    _require_aware(anchor)
    if day < 0:
        raise ValueError(f"step day must not be negative, got {day}")
    if day == 0:
        return anchor.astimezone(UTC)
    target = to_local(anchor, zone) + timedelta(days=day)
    _, instant = _settle(
        target, zone=zone, window=window, business_days=business_days, holidays=holidays
    )
    return instant


def timeline(sequence: Sequence, *, start: datetime, zone: ZoneInfo) -> list[tuple[Step, datetime]]:
    """The projected UTC send time of every step for a contact enrolled at ``start``.

    Step 0 goes at :func:`first_send_at` ``start``; every later step at :func:`step_due`
    from that moment, as if message 1 went out on time.
    """
    window, business_days = sequence.window, sequence.business_days
    holidays = sequence.holidays
    anchor = first_send_at(
        start, zone=zone, window=window, business_days=business_days, holidays=holidays
    )
    return [
        (
            step,
            step_due(
                day=step.day,
                anchor=anchor,
                zone=zone,
                window=window,
                business_days=business_days,
                holidays=holidays,
            ),
        )
        for step in sequence.steps
    ]


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant local date ``day`` begins in ``zone`` (DST rules of :func:`to_utc`)."""
    return to_utc(datetime.combine(day, time()), zone)
