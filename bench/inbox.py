"""Inbox polling speed: the engine's poll against a bare IMAP fetch of the same messages.

    python bench/inbox.py [--messages 2000] [--repeat 3]

It starts its own throwaway Dovecot (tests/services.sh) unless $SEQUENCER_TEST_IMAP names
one, sends message 1 to N contacts through a local SMTP capture server, APPENDs one reply per
contact to the sender's INBOX, and then times, in the same run:

- baseline: imaplib, EXAMINE + UID FETCH BODY.PEEK[] in chunks of 50 (the transport alone);
- engine: ``Engine.poll_inbox`` from a fresh copy of the database (fetch, classify, match by
  In-Reply-To, record the reply, stop the enrollment, store the position).

It prints messages per second for both and the ratio (medians of ``--repeat`` runs), and for the
engine the SQL statements, the transactions (commits, and every BEGIN, reads included) and the
process's CPU time per message, and the classifier's own CPU per message (the same messages
classified again, outside the poll). Statements and transactions are counted with SQLAlchemy's
``before_cursor_execute``, ``commit`` and ``begin`` events on the engine's ``store.engine``.
``--profile FILE`` writes a cProfile of the last poll.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import imaplib
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from services import server, stop  # noqa: E402  (bench/ is sys.path[1])

from sequencer import Engine, SimulatedClock  # noqa: E402
from sequencer.config import Config, ImapSettings, Security, Sender, SmtpSettings  # noqa: E402
from sequencer.inbound.classify import classify  # noqa: E402
from sequencer.logs import configure  # noqa: E402
from sequencer.testing import CaptureServer  # noqa: E402

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
    subjects: [{key: a, text: "Hello {{ first_name }}"}]
    bodies: [{key: a, text: "A short note for {{ first_name }}."}]
  - key: two
    day: 3
    channel: email
    thread: true
    bodies: [{key: a, text: "Following up."}]
"""


def connect(host: str, port: int) -> imaplib.IMAP4:
    conn = imaplib.IMAP4(host, port)
    conn.login("sender", "secret")
    return conn


def empty_inbox(host: str, port: int) -> None:
    conn = connect(host, port)
    _, count = conn.select("INBOX")
    if int(count[0] or 0):
        conn.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
        conn.expunge()
    conn.logout()


def bare_fetch(host: str, port: int) -> int:
    conn = connect(host, port)
    conn.select("INBOX", readonly=True)
    _, data = conn.uid("SEARCH", "UID", "1:*")
    uids = data[0].split()
    fetched = 0
    for start in range(0, len(uids), 50):
        _, parts = conn.uid(
            "FETCH", b",".join(uids[start : start + 50]).decode(), "(UID BODY.PEEK[])"
        )
        fetched += sum(1 for p in parts if isinstance(p, tuple))
    conn.logout()
    return fetched


class Counts:
    """SQL statements, commits and transactions begun on one SQLAlchemy engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.statements = self.commits = self.begins = 0
        sa.event.listen(engine, "before_cursor_execute", self._statement)
        sa.event.listen(engine, "commit", self._commit)
        sa.event.listen(engine, "begin", self._begin)

    def _statement(self, *_: object) -> None:
        self.statements += 1

    def _commit(self, *_: object) -> None:
        self.commits += 1

    def _begin(self, *_: object) -> None:
        self.begins += 1


def classify_cpu(raws: list[bytes]) -> float:
    """The classifier's CPU time per message over ``raws``, in milliseconds."""
    today = datetime(2026, 11, 23).date()
    cpu = time.process_time()
    for raw in raws:
        classify(raw, today=today)
    return 1000 * (time.process_time() - cpu) / len(raws)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the last poll here")
    args = parser.parse_args()
    configure(json=False, level="error")
    os.environ["BENCH_IMAP_PASSWORD"] = "secret"
    work = Path(tempfile.mkdtemp(prefix="sequencer-bench-inbox-"))
    work.chmod(0o755)  # dovecot's auth process (its own user) reads the users file below it
    where, started = server("SEQUENCER_TEST_IMAP", work)
    host, port = where.rsplit(":", 1)[0], int(where.rsplit(":", 1)[1])
    try:
        (work / "seqs").mkdir()
        (work / "seqs" / "bench.yaml").write_text(SEQUENCE)
        (work / "leads.csv").write_text(
            "email,first_name\n" + "".join(f"p{i}@x.example,P{i}\n" for i in range(args.messages))
        )
        with CaptureServer() as smtp:
            sender = Sender(
                name="jane",
                display_name="Jane Doe",
                email="jane@acme.example",
                timezone=ZoneInfo("UTC"),
                daily_cap=10**6,
                min_gap=timedelta(0),
                jitter=timedelta(0),
                smtp=SmtpSettings(port=smtp.port, security=Security.NONE),
                imap=ImapSettings(
                    host=host,
                    port=port,
                    security=Security.NONE,
                    username="sender",
                    password_env="BENCH_IMAP_PASSWORD",
                ),
            )
            config = Config(
                database_url=f"sqlite:///{work / 'db.sqlite'}",
                sequences=(work / "seqs",),
                senders={"jane": sender},
            )
            clock = SimulatedClock(datetime(2026, 11, 23, 9, tzinfo=UTC))
            engine = Engine(config, clock=clock, batch=500)
            engine.import_contacts(work / "leads.csv")
            engine.enroll("bench", sender="jane")
            print(f"sending message 1 to {args.messages} contacts ...", flush=True)

            async def send() -> None:
                await engine.drain()
                await engine.aclose()

            asyncio.run(send())
            ids = {m.recipients[0]: m["Message-ID"] for m in smtp.messages}
        print(f"appending {len(ids)} replies to INBOX ...", flush=True)
        empty_inbox(host, port)
        conn = connect(host, port)
        raws = []
        for address, message_id in ids.items():
            raw = (
                f"From: {address}\r\nTo: jane@acme.example\r\nSubject: "
                f"Re: Hello\r\nMessage-ID: <r-{address}>\r\n"
                f"In-Reply-To: {message_id}\r\nReferences: {message_id}\r\n\r\nSounds "
                "good, let's talk.\r\n\r\n"
                "> A short note.\r\n"
            ).encode()
            raws.append(raw)
            conn.append("INBOX", None, None, raw)
        conn.logout()
        pristine = work / "db.sqlite"
        baseline, engine_rates = [], []
        per_message: list[tuple[float, float, float, float]] = []
        for run in range(args.repeat):
            started_at = time.perf_counter()
            fetched = bare_fetch(host, port)
            baseline.append(fetched / (time.perf_counter() - started_at))
            copy = work / f"run{run}.sqlite"
            shutil.copy(pristine, copy)
            for suffix in ("-wal", "-shm"):
                if Path(f"{pristine}{suffix}").exists():
                    shutil.copy(f"{pristine}{suffix}", f"{copy}{suffix}")
            poller = Engine(
                Config(**{**config.__dict__, "database_url": f"sqlite:///{copy}"}), clock=clock
            )
            counts = Counts(poller.store.engine)
            profile = cProfile.Profile() if args.profile and run == args.repeat - 1 else None
            started_at, cpu = time.perf_counter(), time.process_time()
            if profile is not None:
                profile.enable()
            report = poller.poll_inbox_sync()
            if profile is not None:
                profile.disable()
                profile.dump_stats(args.profile)
            elapsed, cpu = time.perf_counter() - started_at, time.process_time() - cpu
            poller.close()
            replies = report.count("reply")
            assert replies == fetched == len(ids), (replies, fetched, len(ids))
            stopped = sum(1 for h in report.handled if h.action.startswith("replied: stopped"))
            engine_rates.append(replies / elapsed)
            per_message.append(
                (
                    counts.statements / replies,
                    counts.commits / replies,
                    counts.begins / replies,
                    1000 * cpu / replies,
                )
            )
            print(
                f"  run {run + 1}: bare fetch {baseline[-1]:,.0f} "
                f"msgs/s, engine poll {engine_rates[-1]:,.0f} msgs/s "
                f"({replies} replies recorded, {stopped} enrollments stopped; "
                f"{counts.statements} SQL statements, {counts.commits} commits, "
                f"{counts.begins} transactions)"
            )
        bare, ours = statistics.median(baseline), statistics.median(engine_rates)
        classifying = statistics.median(classify_cpu(raws) for _ in range(args.repeat))
        statements, commits, begins, cpu_ms = (
            statistics.median(c) for c in zip(*per_message, strict=True)
        )
        print(
            f"\n{args.messages} replies, median of {args.repeat}: "
            f"bare IMAP fetch {bare:,.0f} msgs/s "
            f"({1000 / bare:.3f} ms each); engine poll {ours:,.0f} "
            f"msgs/s ({1000 / ours:.1f} ms each); "
            f"ratio {ours / bare:.4f}\n"
            f"per message: {statements:.2f} SQL statements, {commits:.3f} commits, "
            f"{begins:.3f} transactions (reads included); {cpu_ms:.2f} ms of this process's CPU "
            "(the engine's own work, whatever else the machine runs), of which the classifier "
            f"alone takes {classifying:.2f} ms (the same messages classified again)"
        )
    finally:
        stop(started)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
