"""The cost of a scoring look's counts, split by day and mailbox, next to the same counts pooled.

    python bench/look.py [--sends 300000] [--days 90] [--senders 3] [--repeats 7]
    [--database sqlite|postgresql]

Set-up, untimed: ``bench/claim.py``'s database of one-step sends (3 subjects x 2 bodies), all
marked sent over ``--days`` days from ``--senders`` mailboxes, with a positive reply on one send
in twenty, and a bounce or an unsubscribe on one in a hundred each. Then, alternating, R times
(medians reported):

* **by day and mailbox**: what a look reads for one factor (``store.variants.stats`` and
  ``store.variants.guardrail_stats``: every count grouped by variant, UTC day and sender);
* **pooled** (the baseline): the same counts grouped by variant only, as looks read them
  before they were split.

The headline is their ratio. PostgreSQL comes from $SEQUENCER_TEST_PG, or a throwaway server
started with tests/services.sh. It is a measurement: it exits 0 whatever the numbers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402
from claim import T0, fresh_database, populate  # noqa: E402  (bench/ is sys.path[1])
from services import server, stop  # noqa: E402

from sequencer.status import SendStatus  # noqa: E402
from sequencer.store import variants  # noqa: E402
from sequencer.store.tables import EVENTS, SENDS  # noqa: E402

UNTIL = T0 + timedelta(days=400)


def mark_sent(url: str, sends: int, days: int, senders: int) -> None:
    """Every send went out, spread over ``days`` and ``senders``, with its variant keys; events
    on some of them."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        rows = conn.execute(sa.select(SENDS.c.id, SENDS.c.contact_id)).all()
        conn.execute(
            sa.update(SENDS).where(SENDS.c.id == sa.bindparam("_id")),
            [
                {
                    "_id": i,
                    "status": SendStatus.BOUNCED if i % 100 == 7 else SendStatus.SENT,
                    "sent_at": T0 + timedelta(days=i % days, minutes=i % 600),
                    "sender": f"s{i % senders}",
                    "subject_key": "abc"[i % 3],
                    "body_key": "xy"[i % 2],
                }
                for i, _ in rows
            ],
        )
        events = [
            {"contact_id": c, "send_id": i, "kind": "reply", "intent": "positive", "at": UNTIL}
            for i, c in rows
            if i % 20 == 3
        ] + [
            {"contact_id": c, "send_id": i, "kind": "unsubscribe", "intent": None, "at": UNTIL}
            for i, c in rows
            if i % 100 == 11
        ]
        conn.execute(sa.insert(EVENTS), events)
    engine.dispose()


def pooled_reads(conn: sa.Connection) -> list[dict[str, int]]:
    """The baseline: the same statements as a look's, grouped by variant only."""
    key = SENDS.c.subject_key
    sent = (
        SENDS.c.sequence == "bench",
        SENDS.c.step_key == "one",
        SENDS.c.status == SendStatus.SENT,
        SENDS.c.sent_at <= UNTIL,
        key.is_not(None),
    )
    hit = sa.and_(EVENTS.c.kind == "reply", EVENTS.c.intent.in_(("positive", "referral")))
    with_event = sa.select(EVENTS.c.send_id).where(hit).distinct().subquery()
    joined = SENDS.join(with_event, with_event.c.send_id == SENDS.c.id)
    out = (
        *sent[:2],
        SENDS.c.status.in_((SendStatus.SENT, SendStatus.BOUNCED)),
        sa.func.coalesce(SENDS.c.sent_at, SENDS.c.due_at) <= UNTIL,
        key.is_not(None),
    )
    count = sa.select(key, sa.func.count()).where(*out).group_by(key)
    statements = (
        sa.select(key, sa.func.count()).where(*sent).group_by(key),
        sa.select(key, sa.func.count()).select_from(joined).where(*sent).group_by(key),
        count,
        *(count.where(hit) for hit in variants.GUARDRAILS.values()),
    )
    return [{str(k): int(n) for k, n in conn.execute(statement)} for statement in statements]


def split_reads(conn: sa.Connection) -> list[dict[str, int]]:
    """What a look reads for one factor now: by variant, UTC day and sender; summed back to
    the baseline's shape (sends, positive replies, then each guardrail's sends and hits)."""
    replies = variants.stats(
        conn, "bench", "one", "subject", UNTIL, "reply", ["positive", "referral"]
    )
    harms = variants.guardrail_stats(conn, "bench", "one", "subject", UNTIL)
    out = [_sums(replies, 1), _sums(replies, 2)]
    first = next(iter(harms.values()), {})
    return [*out, _sums(first, 1), *(_sums(found, 2) for found in harms.values())]


def _sums(found: dict[str, list[tuple[Any, int, int]]], column: int) -> dict[str, int]:
    return {key: sum(row[column] for row in rows) for key, rows in found.items()}


def timed(url: str, read: Callable[[sa.Connection], object]) -> float:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            read(conn)  # warm: the statements compiled, the pages cached
            started = time.perf_counter()
            read(conn)
            return time.perf_counter() - started
    finally:
        engine.dispose()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sends", type=int, default=300_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--senders", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)
    started: Path | None = None
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pg = None
        if args.database == "postgresql":
            pg, started = server("SEQUENCER_TEST_PG", work)
        url = fresh_database(args.database, work, pg, "look_bench")
        built = time.perf_counter()
        populate(url, args.sends, 0, 100)
        mark_sent(url, args.sends, args.days, args.senders)
        print(
            f"{args.database}: {args.sends:,} sends over {args.days} days from {args.senders} "
            f"mailboxes, built in {time.perf_counter() - built:.0f} s"
        )
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            split, pooled = split_reads(conn), pooled_reads(conn)
        engine.dispose()
        # the counts split and summed back are the pooled counts (a variant without a hit has
        # no row in the pooled hit counts)
        assert [{k: n for k, n in d.items() if n} for d in split] == pooled, (split, pooled)
        times: dict[str, list[float]] = {"split": [], "pooled": []}
        for repeat in range(args.repeats):
            order = (("split", split_reads), ("pooled", pooled_reads))
            for name, read in order if repeat % 2 == 0 else order[::-1]:
                times[name].append(timed(url, read))
        split, pooled = (statistics.median(times[k]) for k in ("split", "pooled"))
        print(f"a look's counts for one factor, median of {args.repeats}:")
        print(f"  by day and mailbox  {split * 1000:8.1f} ms")
        print(f"  pooled (baseline)   {pooled * 1000:8.1f} ms")
        print(f"  ratio               {split / pooled:8.2f}x")
        stop(started)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
