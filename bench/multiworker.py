"""Throughput of 1, 2 and 4 workers on one PostgreSQL database, against a local SMTP sink.

    python bench/multiworker.py [--sends 4000] [--senders 8] [--workers 1,2,4] [--repeats 2]
    [--top N]

For each worker count it builds, untimed, a fresh database with ``--sends`` contacts enrolled
in a one-step email sequence across ``--senders`` senders (no cap, no gap, window always
open), starts that many ``python -m sequencer worker`` processes, and waits until every send is
'sent'. The rate is taken from the database itself: sends divided by the time between the
first and the last ``sent_at`` (so process start-up is not counted). As the baseline in the
same run, a bare aiosmtplib loop sends the same number of messages to the same sink over one
connection per sender. Medians of ``--repeats`` runs.

What the database did is read from PostgreSQL's ``pg_stat_statements`` (``bench/roundtrips.py``;
the driver calls of other processes cannot be counted from here): reset as the workers start,
read as the last send is seen 'sent', it gives the statements the server ran per send (BEGIN and
COMMIT included, the workers' start-up too; a pre-ping is not a statement) and its own execution
time per send. ``--top N`` lists the N statements that took the most server time, per worker
count (last run).

The sink is ``bench/smtp_sink.py`` in its own process; PostgreSQL comes from $SEQUENCER_TEST_PG
or a throwaway server started with tests/services.sh. Note the machine: on 2 cores, four
workers, PostgreSQL and the sink share two CPUs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiosmtplib
import sqlalchemy as sa
from smtp_sink import Sink  # bench/ is sys.path[0] when this file runs as a script

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(1, str(REPO))

from claim import fresh_database  # noqa: E402
from roundtrips import MARK, ServerCounts, ServerStatements, database_of  # noqa: E402
from services import server, stop  # noqa: E402

#: The CLI and the workers run the checkout this file is in, whatever is installed.
ENV = {
    **os.environ,
    "NO_COLOR": "1",
    "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
}

SEQUENCE = """\
name: blast
defaults:
  timezone: UTC
  window: {days: [mon, tue, wed, thu, fri, sat, sun], hours: "00:00-23:59"}
  business_days: false
steps:
  - key: one
    day: 0
    channel: email
    subjects: [{key: a, text: "Hello {{ first_name }}"}]
    bodies: [{key: b, text: "A short note for {{ first_name }}."}]
"""


def write_config(folder: Path, url: str, port: int, senders: int) -> None:
    text = (
        f'database = "{url}"\nsequences = ["seqs"]\n\n[worker]\ntick_seconds = 0.05\nbatch = 100\n'
    )
    for i in range(senders):
        text += (
            f'\n[[senders]]\nname = "s{i}"\nemail = "s{i}@acme.example"\ntimezone '
            '= "UTC"\ndaily_cap = 1000000\n'
            "min_gap = 0\njitter = 0\n\n[senders.smtp]\nhost "
            f'= "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        )
    (folder / "sequencer.toml").write_text(text)


def cli(folder: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "sequencer", *args],
        cwd=folder,
        check=True,
        capture_output=True,
        env=ENV,
    )


@dataclass(frozen=True)
class Run:
    """One run of some workers: messages per second, and what PostgreSQL ran for it (None without
    pg_stat_statements)."""

    rate: float
    server: ServerCounts | None


def one_run(
    work: Path,
    server: str,
    statements: ServerStatements | None,
    port: int,
    sends: int,
    senders: int,
    workers: int,
    tag: str,
) -> Run:
    folder = work / tag
    (folder / "seqs").mkdir(parents=True)
    (folder / "seqs" / "blast.yaml").write_text(SEQUENCE)
    url = fresh_database("postgresql", work, server, tag)
    write_config(folder, url, port, senders)
    (folder / "leads.csv").write_text(
        "email,first_name,team\n"
        + "".join(f"p{i}@x.example,P{i},s{i % senders}\n" for i in range(sends))
    )
    cli(folder, "import", "leads.csv")
    for i in range(senders):
        cli(folder, "enroll", "--sequence", "blast", "--sender", f"s{i}", "--where", f"team=s{i}")
    # the bench's own polls: no transaction, and marked, so the server count leaves them out
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    if statements is not None:
        statements.reset(database_of(url))
    counts: ServerCounts | None = None
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "sequencer", "worker", "--json"],
            cwd=folder,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        while True:
            with engine.connect() as conn:
                done = conn.execute(
                    sa.text(f"{MARK} select count(*) from sends where status = 'sent'")
                ).scalar()
            if done == sends:
                counts = statements.read(database_of(url)) if statements is not None else None
                break
            if any(p.poll() is not None for p in procs):
                raise RuntimeError("a worker exited")
            time.sleep(0.2)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
    with engine.connect() as conn:
        first, last = conn.execute(
            sa.text(f"{MARK} select min(sent_at), max(sent_at) from sends")
        ).one()
        sharing = conn.execute(
            sa.text(f"{MARK} select count(distinct claimed_by) from sends")
        ).scalar()
    engine.dispose()
    rate = sends / (last - first).total_seconds()
    server_part = (
        f"; PostgreSQL {counts.calls / sends:.2f} statements, "
        f"{counts.exec_ms * 1000 / sends:.0f} us per send"
        if counts is not None
        else ""
    )
    print(
        f"  {workers} worker(s): {sends} sends in {(last - first).total_seconds():.2f} s, "
        f"{rate:,.0f} msgs/s ({sharing} workers sent){server_part}",
        flush=True,
    )
    return Run(rate, counts)


async def bare(port: int, sends: int, senders: int) -> float:
    body = b"From: s@acme.example\r\nTo: p@x.example\r\nSubject: Hello\r\n\r\nA short note.\r\n"
    clients = [aiosmtplib.SMTP(hostname="127.0.0.1", port=port) for _ in range(senders)]
    for client in clients:
        await client.connect()
    started = time.perf_counter()

    async def lane(client: aiosmtplib.SMTP, share: int) -> None:
        for n in range(share):
            await client.sendmail("s@acme.example", [f"p{n}@x.example"], body)

    await asyncio.gather(*(lane(c, sends // senders) for c in clients))
    elapsed = time.perf_counter() - started
    for client in clients:
        await client.quit()
    return (sends // senders * senders) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=4000)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--top", type=int, default=0, help="statements to list, by server time")
    args = parser.parse_args()
    counts = [int(x) for x in args.workers.split(",")]
    work = Path(tempfile.mkdtemp(prefix="sequencer-bench-multi-"))
    work.chmod(0o755)
    pg, started = server("SEQUENCER_TEST_PG", work)
    statements: ServerStatements | None = ServerStatements(pg)
    if statements is not None and statements.missing:
        print(f"note: no server counts: {statements.missing}", file=sys.stderr)
        statements = None
    runs: dict[int, list[Run]] = {n: [] for n in counts}
    baseline: list[float] = []
    try:
        with Sink() as sink:
            for r in range(args.repeats):
                baseline.append(asyncio.run(bare(sink.port, args.sends, args.senders)))
                print(
                    f"run {r + 1}: bare aiosmtplib loop, {args.senders} "
                    f"connections: {baseline[-1]:,.0f} msgs/s",
                    flush=True,
                )
                for n in counts:
                    runs[n].append(
                        one_run(
                            work,
                            pg,
                            statements,
                            sink.port,
                            args.sends,
                            args.senders,
                            n,
                            f"w{n}_r{r}",
                        )
                    )
    finally:
        if statements is not None:
            statements.close()
        stop(started)
    report(runs, statistics.median(baseline), args)


def report(runs: dict[int, list[Run]], base: float, args: argparse.Namespace) -> None:
    """The medians per worker count, against the first count and the bare loop."""
    counts = list(runs)
    one = statistics.median(r.rate for r in runs[counts[0]])
    print(f"\nmedian of {args.repeats}; bare loop {base:,.0f} msgs/s")
    print(
        f"{'workers':>8} {'msgs/s':>9} {'per worker':>11} {f'vs {counts[0]} worker(s)':>16} "
        f"{'vs bare loop':>13} {'PG statements/send':>19} {'PG exec us/send':>16}"
    )
    for n in counts:
        rate = statistics.median(r.rate for r in runs[n])
        server = [r.server for r in runs[n] if r.server is not None]
        calls = statistics.median(c.calls / args.sends for c in server) if server else None
        exec_us = (
            statistics.median(c.exec_ms * 1000 / args.sends for c in server) if server else None
        )
        print(
            f"{n:>8} {rate:>9,.0f} {rate / n:>11,.0f} {rate / one:>15.2f}x {rate / base:>13.2f} "
            f"{_or_na(calls, '.2f'):>19} {_or_na(exec_us, '.0f'):>16}"
        )
    for n in counts:
        last = runs[n][-1].server
        if args.top and last is not None:
            print(f"\n{n} worker(s), last run: the {args.top} statements with the most server time")
            print(f"  {'calls':>7} {'ms':>9}")
            for statement in last.top(args.top):
                text = " ".join(statement.query.split())
                print(f"  {statement.calls:>7} {statement.exec_ms:>9.1f}  {text[:150]}")


def _or_na(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


if __name__ == "__main__":
    main()
