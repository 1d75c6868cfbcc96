"""Placement of message 1 at scale: 100k contacts in 8 time zones for 20 senders.

    python bench/placement.py [--contacts N] [--small N] [--repeats K] [--rotate]

Builds the shipped ``cold`` sequence's window and business days, 20 senders in 4 zones with the
caps, gaps and jitter a sales team uses (caps 30-100 a day, gaps 2-5 min, jitter 1-3 min, three
of them warming up), and contacts whose zones alternate row by row over 8 zones, as a CRM exports
them. Each sender enrolls its own share of the list (row i goes to sender i mod 20) through
:func:`sequencer.enrollment.place_first_send`, what ``enroll`` calls; ``--rotate`` places every
contact over all 20 senders with :func:`~sequencer.enrollment.place_rotating` instead (a team
enrolling one list).

Prints, as medians of K repeats:

* placements per second at ``--small`` (10k) and ``--contacts`` (100k) contacts, and the cost per
  placement at 100k over the cost at 10k (target: at most 1.5);
* the same contacts' bare window computation (``first_send_fit``, no sender book), run in the same
  process: the baseline, and the ratio of placement cost to it;
* capacity use: message-1 sends on the sender-local days a backlog waited (a contact of that sender
  placed on a later day, while at least one waiting contact's window was open that day) over those
  days' caps, next to the ideal (100%). Target: at least 95%.

A measurement, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sequencer import enrollment, loader
from sequencer.caps import Capacity, SenderBook, Warmup
from sequencer.timing import local_midnight

ZONES = (
    "Pacific/Auckland",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Europe/Helsinki",
    "Europe/London",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
)
SENDER_ZONES = ("Europe/Helsinki", "Europe/London", "America/New_York", "Asia/Tokyo")
CAPS = (30, 40, 50, 60, 80, 100, 50, 40, 60, 50)
START = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # a Monday morning in Helsinki
REPO = Path(__file__).resolve().parents[1]
COLD = loader.load_sequences([REPO / "sequences"])["cold"]
TARGET_GROWTH, TARGET_USE = 1.5, 0.95


def senders() -> list[tuple[str, Capacity]]:
    out = []
    for i in range(20):
        warmup = Warmup(start=10, step=5, since=START.date()) if i in (3, 11, 17) else None
        out.append(
            (
                f"s{i:02d}",
                Capacity(
                    daily_cap=CAPS[i % len(CAPS)],
                    min_gap=timedelta(minutes=2 + i % 4),
                    jitter=timedelta(minutes=1 + i % 3),
                    zone=ZoneInfo(SENDER_ZONES[i % 4]),
                    warmup=warmup,
                ),
            )
        )
    return out


def place(
    contacts: int, *, rotate: bool
) -> tuple[float, dict[str, SenderBook], list[tuple[str, datetime, ZoneInfo]]]:
    """Seconds to place ``contacts`` message 1s, the books, and (sender, when, zone) per contact."""
    cold = COLD
    zones = [ZoneInfo(ZONES[i % len(ZONES)]) for i in range(contacts)]
    books = {name: SenderBook(capacity, seed=name) for name, capacity in senders()}
    names = list(books)
    placed = []
    began = time.perf_counter()
    for i, zone in enumerate(zones):
        if rotate:
            name, at = enrollment.place_rotating(cold, zone=zone, now=START, books=books)
        else:
            name = names[i % len(names)]
            at = enrollment.place_first_send(cold, zone=zone, now=START, book=books[name])
        placed.append((name, at, zone))
    return time.perf_counter() - began, books, placed


def bare(contacts: int) -> float:
    """Seconds for the same contacts' window alone: ``first_send_fit(...)(START)``, no book."""
    cold = COLD
    fits = {zone: enrollment.first_send_fit(cold, ZoneInfo(zone)) for zone in ZONES}
    began = time.perf_counter()
    for i in range(contacts):
        fits[ZONES[i % len(ZONES)]](START)
    return time.perf_counter() - began


def capacity_use(
    books: dict[str, SenderBook], placed: list[tuple[str, datetime, ZoneInfo]]
) -> tuple[int, int, int]:
    """(sends on backlog days, those days' caps, backlog days) over every sender."""
    cold = COLD
    fits = {zone: enrollment.first_send_fit(cold, ZoneInfo(zone)) for zone in ZONES}
    by_sender: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for name, at, zone in placed:
        by_sender[name].append((books[name].local_date(at), zone.key))
    sends = caps = days = 0
    for name, rows in by_sender.items():
        book = books[name]
        last = max(day for day, _ in rows)
        later_zones: dict[date, set[str]] = defaultdict(
            set
        )  # zones of contacts placed after each day
        for day, zone in rows:
            later_zones[day].add(zone)
        waiting: set[str] = set()
        day = last
        while day > START.astimezone(book.capacity.zone).date():
            day -= timedelta(days=1)
            waiting |= later_zones[day + timedelta(days=1)]
            begins = max(local_midnight(day, book.capacity.zone), START)
            ends = local_midnight(day + timedelta(days=1), book.capacity.zone)
            if not any(fits[zone](begins) < ends for zone in waiting):
                # no waiting contact's window is open that day (a weekend): not a backlog day
                continue
            sends += book.sent_on(day)
            caps += book.cap_on(day)
            days += 1
    return sends, caps, days


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--rotate", action="store_true", help="place each contact over all 20 senders"
    )
    args = parser.parse_args(argv)

    small, large, base = [], [], []
    for k in range(args.repeats):
        small.append(place(args.small, rotate=args.rotate)[0] / args.small)
        seconds, books, placed = place(args.contacts, rotate=args.rotate)
        large.append(seconds / args.contacts)
        base.append(bare(args.contacts) / args.contacts)
        print(
            f"  run {k + 1}: {args.small:,}: {small[-1] * 1e6:.1f} "
            f"µs/placement; {args.contacts:,}: "
            f"{large[-1] * 1e6:.1f} µs/placement; bare window {base[-1] * 1e6:.1f} µs",
            file=sys.stderr,
        )
    sends, caps, days = capacity_use(books, placed)
    last = max(at for _, at, _ in placed)
    mode = (
        "rotating over 20 senders" if args.rotate else "20 senders, each its own share of the list"
    )
    s, m, b = statistics.median(small), statistics.median(large), statistics.median(base)
    print(
        f"placement of message 1, {mode}, 8 contact zones, "
        f"shipped cold window (median of {args.repeats})"
    )
    print(f"  {args.small:>7,} contacts   {1 / s:>9,.0f} placements/s   {s * 1e6:6.1f} µs each")
    print(f"  {args.contacts:>7,} contacts   {1 / m:>9,.0f} placements/s   {m * 1e6:6.1f} µs each")
    print(
        f"  cost per placement at {args.contacts:,} / at {args.small:,}: "
        f"{m / s:.2f}  (target ≤ {TARGET_GROWTH})"
    )
    print(
        f"  bare window fit (baseline, same contacts): {b * 1e6:.1f} "
        f"µs each; placement / bare: {m / b:.1f}x"
    )
    print(f"  last message 1: {last.date()} ({(last - START).days} days after the start)")
    print(
        f"  capacity use on {days} backlog sender-days: {sends:,} of {caps:,} = {sends / caps:.1%}"
        f"  (ideal 100%, target ≥ {TARGET_USE:.0%})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
