"""The floor under ``bench/dispatch.py``'s ratio: how fast any engine could send, in one Python
process, if it did only what every engine must do per message, with none of this engine's
bookkeeping.

    python bench/floor.py [--sends N] [--senders K] [--repeats R] [--database sqlite|postgresql]

Sets up, untimed, the same sink process, senders, contacts and templates as
``bench/dispatch.py`` (3 subjects x 2 bodies with ``default`` filters). Then alternates, R times
(medians reported), over K concurrent connections, one lane per sender as the engine has:

* **bare**: the bare concurrent loop of ``bench/dispatch.py``, sending pre-built bytes (the
  baseline of its ratio);
* **+ render**: each message rendered in the timed loop from its templates with the engine's
  sandboxed Jinja (``rendering.render``) and built to bytes with ``messages.to_bytes``, as the
  engine does (subject, body, a fresh Message-ID, the sender's signature and unsubscribe
  headers), then sent;
* **+ commits**: the same, and each send marked ``sending`` before its SMTP transaction and
  ``sent`` after it by a minimal group-commit writer: a group is written when every lane waits
  on it or 2 ms after its first item, the marks and the results before them in one
  transaction. On SQLite (a one-table file with the engine's pragmas: WAL,
  synchronous=NORMAL) it is written on the loop's thread, one UPDATE per row by primary key
  (``executemany``). With ``--database postgresql`` (a throwaway server, or
  $SEQUENCER_TEST_PG) it is one psycopg pipeline in a thread of the loop's executor, as the
  engine's, with one statement for the results and one for the marks (``id = ANY(array)``);
  ``--driver async`` writes it on an asyncio connection on the loop instead; ``--driver
  statement`` (the default, as the engine now writes a group that fits) writes it as one
  statement in autocommit on an asyncio connection on the loop. No stop,
  suppression, hold, cap or slot check, no claim, no reads, no ORM: what is left is the least
  a durable send needs. The last group's commit comes after the timed part (in the floor's
  favour).

It prints each phase's messages per second, its ratio to bare, and this process's CPU per
message; and the wall time per message that ``bench/dispatch.py``'s target (0.7 of bare on
SQLite, 0.5 on PostgreSQL) leaves at the same bare rate. It is a measurement, not a test: it
exits 0 whatever the numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosmtplib
import psycopg
from dispatch import BODIES, SUBJECTS, _client, _load, make_csv, make_senders, message_bytes
from services import server, stop
from smtp_sink import Sink  # bench/ is sys.path[0] when this file runs as a script

sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from sequencer import enrollment
from sequencer.config import Sender

#: bench/dispatch.py's target ratio on SQLite.
TARGET = 0.7
#: bench/dispatch.py's target ratio on PostgreSQL.
TARGET_PG = 0.5
#: The group writer's longest wait for more items, as sequencer.writer.WAIT.
WAIT = 0.002

Db = sqlite3.Connection | psycopg.Connection[Any] | psycopg.AsyncConnection[Any]


@dataclass(frozen=True)
class Job:
    """One message to send: its row, its sender's connection, its contact and its templates."""

    row: int
    conn: int
    sender: Sender
    to_name: str
    to_email: str
    context: dict[str, object]
    subject: str
    body: str
    built: bytes


def jobs(path: Path, senders: dict[str, Sender]) -> list[Job]:
    """The contacts of ``path`` (``dispatch.make_csv``), each with its templates and, for the
    bare phase, its message built once."""
    out: list[Job] = []
    with path.open(newline="", encoding="utf-8") as fh:
        for n, row in enumerate(csv.DictReader(fh)):
            sender = senders[row["Shard"]]
            contact = {
                "email": row["Email"],
                "first_name": row["First Name"] or None,
                "last_name": row["Last Name"] or None,
                "company": row["Company"] or None,
                "title": row["Title"] or None,
            }
            context = enrollment.template_context(contact, {}, sender.template_fields())
            name = " ".join(p for p in (row["First Name"], row["Last Name"]) if p)
            subject, body = SUBJECTS[n % len(SUBJECTS)][1], BODIES[n % len(BODIES)][1]
            job = Job(n + 1, int(sender.name[1:]), sender, name, row["Email"], context,
                      subject, body, b"")  # fmt: skip
            out.append(Job(**{**job.__dict__, "built": build(job)}))
    return out


def build(job: Job) -> bytes:
    """The message as the engine renders and builds it."""
    return message_bytes(job.sender, job.to_name, job.to_email, job.subject, job.body, job.context)


class Writer:
    """The least group commit: marks wait for their group's commit; results go into the next
    group without waiting; a group is written when every running lane waits, or WAIT after its
    first item; one group at a time. SQLite's on the loop's thread; PostgreSQL's as one statement
    on an asyncio connection (as the engine's), or a pipeline in a thread or on the loop."""

    def __init__(self, db: Db, lanes: int) -> None:
        self.db, self.lanes = db, lanes
        self.marks: list[tuple[int, asyncio.Future[None]]] = []
        self.results: list[int] = []
        self.timer: asyncio.TimerHandle | None = None
        self.writing: asyncio.Future[None] | None = None

    async def mark(self, row: int) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.marks.append((row, future))
        self._due()
        await future

    def result(self, row: int) -> None:
        self.results.append(row)
        self._due()

    def lane_done(self) -> None:
        self.lanes -= 1
        self._due()

    async def flush(self) -> None:
        while self.writing is not None or self.marks or self.results:
            if self.writing is None:
                self.write()
            else:
                await asyncio.shield(self.writing)
                await asyncio.sleep(0)

    def _due(self) -> None:
        if self.writing is not None:
            return  # seen to once the group being written is committed
        if self.marks and len(self.marks) >= self.lanes:
            self.write()
        elif (self.marks or self.results) and self.timer is None:
            self.timer = asyncio.get_running_loop().call_later(WAIT, self._time_up)

    def _time_up(self) -> None:
        self.timer = None
        if self.writing is None:
            self.write()

    def write(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        marks, self.marks = self.marks, []
        results, self.results = self.results, []
        if not marks and not results:
            return
        rows = [row for row, _ in marks]
        if isinstance(self.db, sqlite3.Connection):
            _sqlite_group(self.db, results, rows)
            self._written(marks)
            return
        job: asyncio.Future[None]
        if isinstance(self.db, psycopg.AsyncConnection):
            group = _pg_statement if self.db.autocommit else _pg_group_async
            job = asyncio.ensure_future(group(self.db, results, rows))
        else:
            job = asyncio.get_running_loop().run_in_executor(
                None, _pg_group, self.db, results, rows
            )
        self.writing = job
        job.add_done_callback(lambda done: self._written(marks, done))

    def _written(
        self,
        marks: list[tuple[int, asyncio.Future[None]]],
        done: asyncio.Future[None] | None = None,
    ) -> None:
        self.writing = None
        if done is not None:
            done.result()  # a failed group stops the bench
        for _, future in marks:
            future.set_result(None)
        self._due()


_SENT = "UPDATE sends SET status = 'sent' WHERE id = {} AND status = 'sending'"
_SENDING = "UPDATE sends SET status = 'sending' WHERE id = {} AND status = 'claimed'"


def _sqlite_group(db: sqlite3.Connection, results: list[int], marks: list[int]) -> None:
    with db:  # one transaction: BEGIN ... COMMIT
        db.executemany(_SENT.format("?"), [(row,) for row in results])
        db.executemany(_SENDING.format("?"), [(row,) for row in marks])


def _pg_group(db: psycopg.Connection[Any], results: list[int], marks: list[int]) -> None:
    with db.pipeline(), db.transaction(), db.cursor() as cursor:
        cursor.execute(_SENT.format("ANY(%s)"), (results,))
        cursor.execute(_SENDING.format("ANY(%s)"), (marks,))


async def _pg_group_async(
    db: psycopg.AsyncConnection[Any], results: list[int], marks: list[int]
) -> None:
    async with db.pipeline(), db.transaction(), db.cursor() as cursor:
        await cursor.execute(_SENT.format("ANY(%s)"), (results,))
        await cursor.execute(_SENDING.format("ANY(%s)"), (marks,))


_ONE = (
    "WITH done AS (UPDATE sends SET status = 'sent' WHERE id = ANY(%s) AND status = 'sending'"
    " RETURNING id) UPDATE sends SET status = 'sending' WHERE id = ANY(%s) AND status = 'claimed'"
)


async def _pg_statement(
    db: psycopg.AsyncConnection[Any], results: list[int], marks: list[int]
) -> None:
    """The group as one statement, its own transaction (the connection is in autocommit)."""
    await db.execute(_ONE, (results, marks))


async def database(tmp: Path, pg: str | None, rows: int, *, driver: str = "statement") -> Db:
    """A fresh one-table database of ``rows`` claimed sends: a SQLite file in ``tmp`` with the
    engine's pragmas, or a database on the PostgreSQL server of ``pg``."""
    create = "CREATE TABLE sends (id INTEGER PRIMARY KEY, status TEXT NOT NULL)"
    if pg is None:
        path = tmp / "floor.sqlite"
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(create)
        db.isolation_level = "DEFERRED"  # `with db` opens and commits a transaction
        with db:
            db.executemany(
                "INSERT INTO sends VALUES (?, 'claimed')", [(n + 1,) for n in range(rows)]
            )
        return db
    admin = pg.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "bench_floor" WITH (FORCE)')
        conn.execute('CREATE DATABASE "bench_floor"')
    url = admin.rsplit("/", 1)[0] + "/bench_floor"
    with psycopg.connect(url) as conn, conn.transaction():
        conn.execute(create)
        conn.execute(
            "INSERT INTO sends SELECT n, 'claimed' FROM generate_series(1, %s) AS n", (rows,)
        )
    if driver in ("async", "statement"):
        return await psycopg.AsyncConnection.connect(url, autocommit=driver == "statement")
    return psycopg.connect(url)


async def _sent(db: Db) -> tuple[int] | None:
    """How many rows the writer marked sent."""
    query = "SELECT count(*) FROM sends WHERE status = 'sent'"
    if isinstance(db, psycopg.AsyncConnection):
        return await (await db.execute(query)).fetchone()
    return db.execute(query).fetchone()


Lane = Callable[[aiosmtplib.SMTP, list[Job]], Awaitable[None]]


async def phase(todo: list[Job], senders: dict[str, Sender], lane: Lane) -> tuple[float, float]:
    """Wall and CPU seconds to send ``todo``, one lane per sender's connection (connecting
    included, as in bench/dispatch.py)."""
    conns = [_client(s) for s in senders.values()]
    shares: list[list[Job]] = [[] for _ in conns]
    for job in todo:
        shares[job.conn].append(job)
    cpu, start = time.process_time(), time.perf_counter()
    await asyncio.gather(*(c.connect() for c in conns))
    await asyncio.gather(*(lane(c, share) for c, share in zip(conns, shares, strict=True)))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    await asyncio.gather(*(c.quit() for c in conns))
    return elapsed, cpu


async def run(args: argparse.Namespace) -> dict[str, list[tuple[float, float]]]:
    samples: dict[str, list[tuple[float, float]]] = {"bare": [], "+ render": [], "+ commits": []}
    with tempfile.TemporaryDirectory(prefix="sequencer-floor-") as name, Sink() as sink:
        tmp = Path(name)
        tmp.chmod(0o755)  # a throwaway PostgreSQL runs as its own user, in a folder in here
        pg, started = (
            server("SEQUENCER_TEST_PG", tmp) if args.database == "postgresql" else (None, None)
        )
        try:
            return await _repeats(args, tmp, sink, pg, samples)
        finally:
            stop(started)


async def _repeats(
    args: argparse.Namespace,
    tmp: Path,
    sink: Sink,
    pg: str | None,
    samples: dict[str, list[tuple[float, float]]],
) -> dict[str, list[tuple[float, float]]]:
    senders = make_senders(args.senders, sink.port)
    make_csv(tmp / "leads.csv", args.sends, args.senders)
    todo = jobs(tmp / "leads.csv", senders)

    async def bare(smtp: aiosmtplib.SMTP, share: list[Job]) -> None:
        for job in share:
            await smtp.sendmail(job.sender.email, [job.to_email], job.built)

    async def rendered(smtp: aiosmtplib.SMTP, share: list[Job]) -> None:
        for job in share:
            await smtp.sendmail(job.sender.email, [job.to_email], build(job))

    for repeat in range(args.repeats):
        db = await database(tmp, pg, args.sends, driver=args.driver)
        writer = Writer(db, args.senders)

        async def committed(
            smtp: aiosmtplib.SMTP, share: list[Job], writer: Writer = writer
        ) -> None:
            for job in share:
                data = build(job)
                await writer.mark(job.row)
                await smtp.sendmail(job.sender.email, [job.to_email], data)
                writer.result(job.row)
            writer.lane_done()

        line = []
        for label, lane in (("bare", bare), ("+ render", rendered), ("+ commits", committed)):
            sink.reset()
            elapsed, cpu = await phase(todo, senders, lane)
            if label == "+ commits":
                await writer.flush()  # the last results
                sent = await _sent(db)
                if sent is None or sent[0] != args.sends:
                    raise SystemExit("the writer lost a result")
            if sink.count() != args.sends:
                raise SystemExit(f"{label}: the sink got {sink.count()} of {args.sends}")
            samples[label].append((elapsed, cpu))
            line.append(f"{label} {args.sends / elapsed:>7,.0f}/s")
        if isinstance(db, psycopg.AsyncConnection):
            await db.close()
        else:
            db.close()
        print(f"  repeat {repeat + 1}: " + "   ".join(line), flush=True)
    return samples


def report(samples: dict[str, list[tuple[float, float]]], args: argparse.Namespace) -> None:
    n = args.sends
    bare = [n / elapsed for elapsed, _ in samples["bare"]]
    print(f"\nmedian of {args.repeats}       msgs/s   of bare   CPU per message (µs)")
    for label, runs in samples.items():
        rates = [n / elapsed for elapsed, _ in runs]
        ratio = statistics.median(r / b for r, b in zip(rates, bare, strict=True))
        cpu = statistics.median(c / n * 1e6 for _, c in runs)
        print(f"  {label:<14} {statistics.median(rates):>8,.0f}   {ratio:>7.2f}   {cpu:>8,.0f}")
    target = TARGET if args.database == "sqlite" else TARGET_PG
    budget = 1e6 / (target * statistics.median(bare))
    print(
        f"\nbench/dispatch.py's target on {args.database} ({target} of bare) at this bare rate"
        f" leaves {budget:,.0f} µs of wall time per message, all work included; load average now"
        f" {_load()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sends", type=int, default=3000)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--driver",
        choices=("statement", "thread", "async"),
        default="statement",
        help="PostgreSQL: each group one statement on an asyncio connection (as the engine), "
        "or a pipelined transaction in a thread, or on an asyncio connection",
    )
    args = parser.parse_args(argv)
    print(f"{args.sends:,} sends over {args.senders} connections, {args.repeats} repeats; load "
          f"average {_load()}", flush=True)  # fmt: skip
    report(asyncio.run(run(args)), args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
