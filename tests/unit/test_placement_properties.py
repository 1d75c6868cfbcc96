"""Placement invariants, hunted by hypothesis over random zones, windows, caps, gaps, jitter,
warm-ups, sends already in the book and enrollment orders (``sequencer.caps`` and
``sequencer.enrollment``).

For every placement of message 1 (one sender, contacts placed in enrollment order, as
``enroll`` does):

- no two sends of the sender are closer than ``min_gap``;
- no sender-local day holds more sends than its cap (warm-up included);
- every send is inside its recipient's window;
- nobody waits while a day had room: no contact is placed later than an instant, at or after its
  enrollment, that is inside its window, on a day under its cap, and clear of every send by the gap
  plus the largest jitter (such an instant was free when the contact was placed, so first-fit would
  have taken it).

The examples are bounded (``max_examples``) so the suite stays quick.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sequencer import enrollment
from sequencer.caps import Capacity, Fit, SenderBook, Warmup
from sequencer.model import Channel, Sequence, Step, Template, Variant, Window, ZoneSource
from sequencer.timing import local_midnight

ZONES = (
    "Pacific/Auckland",
    "Asia/Tokyo",
    "America/New_York",
    "Europe/Helsinki",
    "America/Santiago",
    "Asia/Kolkata",
    "UTC",
    "America/Los_Angeles",
    "Australia/Adelaide",
)
START = datetime(
    2026, 3, 20, tzinfo=UTC
)  # DST changes fall inside the horizon (Santiago, Auckland, US, EU)


def _sequence(window: Window, business_days: bool) -> Sequence:
    text = Template(source="hi")
    step = Step(
        key="intro",
        day=0,
        channel=Channel.EMAIL,
        subjects=(Variant(key="s", template=text),),
        bodies=(Variant(key="b", template=text),),
    )
    return Sequence(
        name="p",
        timezone=ZoneInfo("UTC"),
        timezone_from=(ZoneSource.RECIPIENT,),
        window=window,
        business_days=business_days,
        steps=(step,),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    start_hour = draw(st.integers(0, 22))
    end_hour = draw(st.integers(start_hour + 1, 23))
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    cap = draw(st.integers(1, 12))
    warm = draw(st.booleans())
    warmup = (
        Warmup(
            start=draw(st.integers(1, cap)),
            step=draw(st.integers(1, 4)),
            since=START.date() + timedelta(days=draw(st.integers(-3, 3))),
        )
        if warm
        else None
    )
    capacity = Capacity(
        daily_cap=cap,
        min_gap=timedelta(minutes=draw(st.integers(0, 90))),
        jitter=timedelta(seconds=draw(st.integers(0, 1200))),
        zone=ZoneInfo(draw(st.sampled_from(ZONES))),
        warmup=warmup,
    )
    contacts = draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=40))
    order = draw(st.permutations(range(len(contacts))))
    booked = draw(st.lists(st.integers(0, 10 * 24 * 60), max_size=15))
    return {
        "window": Window(days=days, start=time(start_hour), end=time(end_hour)),
        "business_days": draw(st.booleans()) and bool(days & {0, 1, 2, 3, 4}),
        "capacity": capacity,
        "contacts": [contacts[i] for i in order],
        "booked": [START + timedelta(minutes=m) for m in booked],
        "now": START + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60))),
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_placement_keeps_gap_cap_window_and_leaves_no_day_idle(case: dict[str, object]) -> None:
    capacity = case["capacity"]
    assert isinstance(capacity, Capacity)
    seq = _sequence(case["window"], case["business_days"])  # type: ignore[arg-type]
    now = case["now"]
    assert isinstance(now, datetime)
    book = SenderBook(capacity, seed="prop")
    booked = [book.place(at) for at in case["booked"]]  # type: ignore[attr-defined]  # earlier sends, by the same rules
    placed: list[tuple[datetime, ZoneInfo]] = []
    for name in case["contacts"]:  # type: ignore[attr-defined]
        zone = ZoneInfo(name)
        placed.append((enrollment.place_first_send(seq, zone=zone, now=now, book=book), zone))

    slots = book.slots()
    assert sorted([*booked, *(at for at, _ in placed)]) == slots
    # no two sends closer than the gap
    assert all(b - a >= capacity.min_gap for a, b in pairwise(slots))
    # no day over its cap
    per_day = Counter(book.local_date(at) for at in slots)
    for day in per_day:
        assert per_day[day] <= book.cap_on(day), (day, per_day[day], book.cap_on(day))
    # every send inside its recipient's window
    for at, zone in placed:
        assert at >= now
        assert enrollment.first_send_fit(seq, zone)(at) == at, (at, zone)
    # nobody waits while an earlier day had room and a free instant in their window
    clear = capacity.min_gap + capacity.jitter
    for at, zone in placed:
        fit = enrollment.first_send_fit(seq, zone)
        free = _free_instant(book, fit, per_day, slots, clear, since=now, before=at)
        assert free is None, f"{zone.key}: placed at {at}, but {free} was free"


def _free_instant(
    book: SenderBook,
    fit: Fit,
    per_day: Counter[date],
    slots: list[datetime],
    clear: timedelta,
    *,
    since: datetime,
    before: datetime,
) -> datetime | None:
    """An instant in [since, before) inside the window, on a day under its cap, clear of every
    send.
    """
    candidates = {since, *(s + clear for s in slots)}
    candidates |= {fit(c) for c in list(candidates) if c < before}
    day = book.local_date(since)
    while (start := local_midnight(day, book.capacity.zone)) < before:
        candidates.add(fit(max(start, since)))
        day += timedelta(days=1)
    for t in sorted(c for c in candidates if since <= c < before):
        if fit(t) != t or per_day[book.local_date(t)] >= book.cap_on(book.local_date(t)):
            continue
        if all(abs(t - s) >= clear for s in slots):
            return t
    return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.lists(st.integers(1, 8), min_size=1, max_size=3))
def test_rotation_over_senders_keeps_gap_cap_and_window(
    case: dict[str, object], caps: list[int]
) -> None:
    base = case["capacity"]
    assert isinstance(base, Capacity)
    seq = _sequence(case["window"], case["business_days"])  # type: ignore[arg-type]
    now = case["now"]
    assert isinstance(now, datetime)
    books = {
        f"s{i}": SenderBook(
            Capacity(daily_cap=cap, min_gap=base.min_gap, jitter=base.jitter, zone=base.zone),
            seed=f"s{i}",
        )
        for i, cap in enumerate(caps)
    }
    for name in case["contacts"]:  # type: ignore[attr-defined]
        zone = ZoneInfo(name)
        sender, at = enrollment.place_rotating(seq, zone=zone, now=now, books=books)
        assert enrollment.first_send_fit(seq, zone)(at) == at and at >= now
        assert at in books[sender].slots()
    for book in books.values():
        slots = book.slots()
        assert all(b - a >= base.min_gap for a, b in pairwise(slots))
        for day, count in Counter(book.local_date(at) for at in slots).items():
            assert count <= book.cap_on(day)
