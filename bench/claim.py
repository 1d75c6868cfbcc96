"""The cost of one claim-and-dispatch batch as the backlog grows, on SQLite and PostgreSQL.

    python bench/claim.py [--sizes 10000,100000,1000000] [--batches 15] [--batch 100] [--only
    sqlite|postgresql]

For each database and each backlog size N it builds, untimed, a database with N contacts
enrolled in a one-step email sequence (3 subjects x 2 bodies) under one sender: ``--batches``
x ``--batch`` of the sends fall due one batch per simulated second, and the rest of the
backlog is due a month later. Then it times, batch after batch, one dispatch tick (mark stale
sends, claim, load contacts and enrollments, sender load, variant counts, render, begin
sending, record) with a channel that records instead of sending, so only the engine and the
database are measured, and, as the baseline in the same run, a plain indexed query for the
same number of due rows. It prints medians, and each size's batch cost relative to the
smallest backlog's (the target: the largest at most 1.5x the smallest, on each database), this
process's CPU time per batch (steadier than the wall clock on a busy machine; the database
server's is not in it), and PostgreSQL's batch against SQLite's (the target: within 1.5x).

PostgreSQL comes from $SEQUENCER_TEST_PG, or a throwaway server started with tests/services.sh.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402
from services import server, stop  # noqa: E402  (bench/ is sys.path[1])

from sequencer import Engine, SimulatedClock  # noqa: E402
from sequencer.config import Config, Sender  # noqa: E402
from sequencer.logs import configure  # noqa: E402
from sequencer.store import Store  # noqa: E402
from sequencer.testing import RecordingChannel  # noqa: E402

SEQUENCE = """\
name: bench
defaults:
  timezone: UTC
  window: {days: [mon, tue, wed, thu, fri, sat, sun], hours: "00:00-23:59"}
  business_days: false
steps:
  - key: one
    day: 0
    channel: email
    subjects:
      - {key: a, text: "Hello {{ first_name }}"}
      - {key: b, text: "A question, {{ first_name }}"}
      - {key: c, text: "{{ first_name }}, an idea"}
    bodies:
      - {key: x, text: "A short note for {{ first_name }}."}
      - {key: y, text: "Another note for {{ first_name }}."}
"""
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def fresh_database(kind: str, work: Path, server: str | None, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{work / (name + '.sqlite')}"
    assert server is not None
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.rsplit("/", 1)[0] + f"/{name}"


def populate(url: str, n: int, due: int, batch: int) -> None:
    """n contacts, n active enrollments, n scheduled sends; ``due`` of them due one batch per
    second.
    """
    Store(url).close()  # the schema
    engine = sa.create_engine(url)
    later = T0 + timedelta(days=30)
    contacts = (
        (i, f"p{i}@x.example", f"p{i}@x.example", f"P{i}", "{}", T0, T0) for i in range(1, n + 1)
    )
    enrollments = ((i, i, "bench", "s0", "active", "UTC", T0) for i in range(1, n + 1))
    sends = (
        (
            i,
            i,
            i,
            "bench",
            "s0",
            "one",
            0,
            "email",
            "scheduled",
            T0 + timedelta(seconds=(i - 1) // batch) if i <= due else later,
            0,
            T0,
        )
        for i in range(1, n + 1)
    )
    tables = [
        ("contacts", "id, email, email_key, first_name, fields, created_at, updated_at", contacts),
        (
            "enrollments",
            "id, contact_id, sequence, sender, status, timezone, enrolled_at",
            enrollments,
        ),
        (
            "sends",
            "id, enrollment_id, contact_id, sequence, sender, "
            "step_key, step_index, channel, status, due_at, "
            "attempts, created_at",
            sends,
        ),
    ]
    with engine.begin() as conn:
        for table, columns, values in tables:
            if url.startswith("postgresql"):
                raw = conn.connection.driver_connection
                with (
                    raw.cursor() as cursor,
                    cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
                ):  # type: ignore[union-attr]
                    for row in values:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in columns.split(","))
                sqlite_rows = (
                    [v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in row]
                    for row in values
                )
                conn.connection.driver_connection.executemany(  # type: ignore[union-attr]
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})", sqlite_rows
                )
        if url.startswith("postgresql"):
            conn.execute(sa.text("SELECT setval('sends_id_seq', (SELECT max(id) FROM sends))"))
        conn.execute(sa.text("ANALYZE"))
    engine.dispose()


def measure(
    url: str, work: Path, batches: int, batch: int
) -> tuple[list[float], list[float], list[float]]:
    """Each batch's tick (wall-clock seconds), the plain query's, and this process's CPU seconds
    for the tick (all threads: the group writer commits in one of its own)."""
    sender = Sender(
        name="s0",
        display_name="Sender",
        email="s0@acme.example",
        timezone=ZoneInfo("UTC"),
        daily_cap=10**9,
        min_gap=timedelta(0),
        jitter=timedelta(0),
    )
    clock = SimulatedClock(T0)
    config = Config(database_url=url, sequences=(work / "seqs",), senders={"s0": sender})
    engine = Engine(config, clock=clock, channels={"email": RecordingChannel()}, batch=batch)
    ticks: list[float] = []
    plain: list[float] = []
    cpu: list[float] = []
    query = sa.text(
        "SELECT id FROM sends WHERE status = 'scheduled' "
        "AND due_at <= :now ORDER BY due_at, id LIMIT :n"
    )

    async def run() -> None:
        for k in range(batches):
            clock.set(T0 + timedelta(seconds=k))
            now: Any = clock.now().replace(tzinfo=None) if url.startswith("sqlite") else clock.now()
            started = time.perf_counter()
            with engine.store.engine.connect() as conn:
                found = conn.execute(query, {"now": now, "n": batch}).all()
            plain.append(time.perf_counter() - started)
            assert len(found) == batch, len(found)
            started, used = time.perf_counter(), time.process_time()
            report = await engine.tick()
            ticks.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
            assert report.claimed == batch and report.sent == batch, vars(report)
        await engine.aclose()

    asyncio.run(run())
    return ticks[1:], plain[1:], cpu[1:]  # the first tick warms caches (templates, statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--batches", type=int, default=15)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    configure(json=False, level="error")
    sizes = [int(x) for x in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="sequencer-bench-claim-"))
    work.chmod(0o755)
    (work / "seqs").mkdir()
    (work / "seqs" / "bench.yaml").write_text(SEQUENCE)
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    pg, started = server("SEQUENCER_TEST_PG", work) if "postgresql" in kinds else (None, None)
    results: dict[tuple[str, int], tuple[float, float, float]] = {}
    try:
        for kind in kinds:
            for n in sizes:
                url = fresh_database(kind, work, pg, f"claim_{n}")
                began = time.perf_counter()
                populate(url, n, args.batches * args.batch, args.batch)
                print(
                    f"{kind:10} backlog {n:>9,}: built in {time.perf_counter() - began:.0f} s",
                    flush=True,
                )
                ticks, plain, cpu = measure(url, work, args.batches, args.batch)
                results[(kind, n)] = tick, plain_q, used = (
                    statistics.median(ticks),
                    statistics.median(plain),
                    statistics.median(cpu),
                )
                print(
                    f"{'':10} one batch of {args.batch}: median {tick * 1000:.1f} ms, "
                    f"{used * 1000:.1f} ms of this process's CPU "
                    f"(plain due-rows query {plain_q * 1000:.2f} ms)",
                    flush=True,
                )
    finally:
        stop(started)
    out = io.StringIO()
    out.write(
        f"\n{'database':10} {'backlog':>10} {'batch ms':>9} "
        f"{'vs smallest':>12} {'CPU ms':>7} {'plain query ms':>15}\n"
    )
    for kind in kinds:
        base = results[(kind, sizes[0])][0]
        for n in sizes:
            tick, plain_q, used = results[(kind, n)]
            out.write(
                f"{kind:10} {n:>10,} {tick * 1000:>9.1f} {tick / base:>11.2f}x "
                f"{used * 1000:>7.1f} {plain_q * 1000:>15.2f}\n"
            )
    if len(kinds) == 2:
        for n in sizes:
            pg, lite = results[("postgresql", n)], results[("sqlite", n)]
            out.write(
                f"backlog {n:,}: PostgreSQL's batch {pg[0] / lite[0]:.2f}x SQLite's "
                f"(target <= 1.5x), its CPU {pg[2] / lite[2]:.2f}x\n"
            )
    print(out.getvalue())


if __name__ == "__main__":
    main()
