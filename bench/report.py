"""The cost of building `sequencer report` over a big database, against bare SQL counts.

    python bench/report.py [--sends 1000000] [--events 100000] [--runs 5] [--only sqlite|postgresql]

It builds, untimed, a database with ``--sends`` sends (a third each of a three-step sequence:
email with 3 subjects x 2 bodies, a threaded email, a LinkedIn task; statuses and days spread
over 60 days and three senders) and ``--events`` events (replies credited to sends, goals,
bounces, unsubscribes, opens, clicks). Then it times, ``--runs`` times each and interleaved:

- **report**: ``Engine.report()``, everything `sequencer report` shows (per step, stops by
  reason, per variant with the scoring job's counting and 95% intervals, sends per sender and
  day, time to reply), and the HTML built from it (charts included);
- **baseline**: a bare ``SELECT count(*)`` over ``sends`` and over ``events``, in the same run.

It prints the medians and their ratio. PostgreSQL comes from $SEQUENCER_TEST_PG, or a
throwaway server started with tests/services.sh.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402
from claim import fresh_database  # noqa: E402  (bench/ is sys.path[1])
from services import server, stop  # noqa: E402

from sequencer import Engine, SimulatedClock, reporting  # noqa: E402
from sequencer.config import Config, Sender  # noqa: E402
from sequencer.logs import configure  # noqa: E402
from sequencer.store import Store  # noqa: E402

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
SENDERS = ("jane", "mikko", "ulla")
SEQUENCE = """\
name: bench
defaults:
  timezone: UTC
steps:
  - key: intro
    day: 0
    channel: email
    subjects:
      - {key: a, text: "Hello {{ first_name }}"}
      - {key: b, text: "A question, {{ first_name }}"}
      - {key: c, text: "{{ first_name }}, an idea"}
    bodies:
      - {key: x, text: "A short note for {{ first_name }}."}
      - {key: y, text: "Another note for {{ first_name }}."}
  - key: bump
    day: 4
    channel: email
    thread: true
    bodies:
      - {key: n, text: "Following up."}
  - key: linkedin
    day: 18
    channel: linkedin
    message: "Hi {{ first_name }}"
"""
EVENT_KINDS = ("reply",) * 5 + ("open",) * 3 + ("click", "goal", "bounce", "unsubscribe")


def _copy(conn: Any, url: str, table: str, columns: str, rows: Iterator[tuple[Any, ...]]) -> None:
    if url.startswith("postgresql"):
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns.split(","))
    plain = (
        [v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in row] for row in rows
    )
    conn.connection.driver_connection.executemany(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})", plain
    )


def populate(url: str, sends: int, events: int) -> None:
    Store(url).close()  # the schema
    rnd = random.Random(1)
    people = -(-sends // 3)
    steps = (("intro", "email"), ("bump", "email"), ("linkedin", "linkedin"))

    def send_rows() -> Iterator[tuple[Any, ...]]:
        for i in range(sends):
            person, index = i // 3 + 1, i % 3
            key, channel = steps[index]
            at = T0 + timedelta(days=(person % 60) + 4 * index, minutes=person % 480)
            status = (
                "sent"
                if rnd.random() < 0.9
                else rnd.choice(("scheduled", "bounced", "cancelled", "failed"))
            )
            subject = "abc"[person % 3] if index == 0 else None
            body = "xy"[person % 2] if index == 0 else ("n" if index == 1 else None)
            yield (
                i + 1,
                person,
                person,
                "bench",
                SENDERS[person % 3],
                key,
                index,
                channel,
                status,
                at,
                1,
                subject,
                body,
                at if status in ("sent", "bounced") else None,
                T0,
            )

    def event_rows() -> Iterator[tuple[Any, ...]]:
        for i in range(events):
            send = rnd.randrange(1, sends + 1)
            person = (send - 1) // 3 + 1
            kind = EVENT_KINDS[i % len(EVENT_KINDS)]
            at = T0 + timedelta(days=(person % 60) + rnd.random() * 10)
            yield (i + 1, person, person, send, kind, at)

    days = {}
    for i in range(sends):
        person, index = i // 3 + 1, i % 3
        at = T0 + timedelta(days=(person % 60) + 4 * index)
        key = (SENDERS[person % 3], at.date().isoformat())
        days[key] = days.get(key, 0) + 1
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        _copy(
            conn,
            url,
            "contacts",
            "id, email, email_key, first_name, fields, created_at, updated_at",
            (
                (p, f"p{p}@x.example", f"p{p}@x.example", f"P{p}", "{}", T0, T0)
                for p in range(1, people + 1)
            ),
        )
        _copy(
            conn,
            url,
            "enrollments",
            "id, contact_id, sequence, sender, status, timezone, enrolled_at",
            (
                (
                    p,
                    p,
                    "bench",
                    SENDERS[p % 3],
                    ("active", "completed", "stopped")[p % 3],
                    "UTC",
                    T0,
                )
                for p in range(1, people + 1)
            ),
        )
        _copy(
            conn,
            url,
            "sends",
            "id, enrollment_id, contact_id, sequence, sender, "
            "step_key, step_index, channel, status, "
            "due_at, attempts, subject_key, body_key, sent_at, created_at",
            send_rows(),
        )
        _copy(conn, url, "events", "id, contact_id, enrollment_id, send_id, kind, at", event_rows())
        _copy(
            conn, url, "sender_days", "sender, day, sent", ((s, d, n) for (s, d), n in days.items())
        )
        conn.execute(sa.text("ANALYZE"))
    engine.dispose()


def measure(url: str, work: Path, runs: int) -> dict[str, list[float]]:
    senders = {
        name: Sender(
            name=name, display_name=name.title(), email=f"{name}@acme.example", daily_cap=400
        )
        for name in SENDERS
    }
    engine = Engine(
        Config(database_url=url, sequences=(work / "seqs",), senders=senders),
        clock=SimulatedClock(T0 + timedelta(days=90)),
    )
    bare = sa.create_engine(url)
    out: dict[str, list[float]] = {"report": [], "html": [], "baseline": []}
    try:
        for _ in range(runs):
            began = time.perf_counter()
            report = engine.report()
            out["report"].append(time.perf_counter() - began)
            began = time.perf_counter()
            reporting.to_html(report)
            out["html"].append(time.perf_counter() - began)
            began = time.perf_counter()
            with bare.connect() as conn:
                conn.execute(sa.text("SELECT count(*) FROM sends")).scalar()
                conn.execute(sa.text("SELECT count(*) FROM events")).scalar()
            out["baseline"].append(time.perf_counter() - began)
    finally:
        engine.close()
        bare.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    configure(json=False, level="error")
    work = Path(tempfile.mkdtemp(prefix="sequencer-bench-report-"))
    work.chmod(0o755)
    (work / "seqs").mkdir()
    (work / "seqs" / "bench.yaml").write_text(SEQUENCE)
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    pg, started = server("SEQUENCER_TEST_PG", work) if "postgresql" in kinds else (None, None)
    lines = []
    try:
        for kind in kinds:
            url = fresh_database(kind, work, pg, "report_bench")
            began = time.perf_counter()
            populate(url, args.sends, args.events)
            print(
                f"{kind}: {args.sends:,} sends, {args.events:,} "
                f"events built in {time.perf_counter() - began:.0f} s",
                flush=True,
            )
            times = measure(url, work, args.runs)
            med = {name: statistics.median(values) for name, values in times.items()}
            print(
                f"{kind}: report median {med['report'] * 1000:.0f} "
                f"ms, html {med['html'] * 1000:.0f} ms, "
                f"baseline {med['baseline'] * 1000:.1f} ms",
                flush=True,
            )
            lines.append(
                f"{kind:10} {med['report'] * 1000:>10.0f} {med['html'] * 1000:>9.0f} "
                f"{med['baseline'] * 1000:>12.1f} "
                f"{med['report'] / med['baseline']:>14.1f}x "
                f"{(med['report'] + med['html']) / med['baseline']:>12.1f}x"
            )
    finally:
        stop(started)
    print(f"\nmedians of {args.runs} runs; baseline = SELECT count(*) FROM sends, and FROM events")
    print(
        f"{'database':10} {'report ms':>10} {'html ms':>9} "
        f"{'baseline ms':>12} {'report/base':>15} {'+html/base':>13}"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
