"""Dispatch throughput (claim, render, SMTP, record) next to a bare aiosmtplib loop, in the same
run.

    python bench/dispatch.py [--sends N | --quick] [--senders K] [--batch 100,500] [--repeats R]
    [--database sqlite|postgresql] [--top N] [--profile]

Sets up, untimed: an aiosmtpd sink in its own process (``bench/smtp_sink.py``), a database
(a SQLite file, or with ``--database postgresql`` a database on the server of
$SEQUENCER_TEST_PG or on a throwaway one started with tests/services.sh) with N contacts
enrolled round-robin across K senders (``Engine.enroll`` on runs of 10 contacts, each run to
the next sender, so every claimed batch holds all K senders, as it would with real spacing)
in a one-step email sequence (3 subjects x 2 bodies, window open
all week, no gap, no cap), every send due at the simulated "now"; and the same N messages
pre-rendered to the same bytes the engine sends, for the baselines.

Then alternates, R times (medians reported):

* bare, concurrent: K aiosmtplib connections, each sending its sender's share one after
  another, the K running together under ``asyncio.gather``;
* bare, sequential: the same K connections used one message at a time, round-robin (for
  reference; the engine, like the concurrent loop, runs one lane per sender);
* engine: ``await engine.drain()`` on a fresh copy of the database, for each ``--batch``.

Only the sending is timed (connections are opened inside the timed part on both sides;
closing them is not timed). Every phase is checked against the sink's count (and the engine
against its ``sends`` table). The headline ratio is engine (first ``--batch``) over the
concurrent bare loop, as the issue asks (target >= 0.7 on SQLite, 0.5 on PostgreSQL); the ratio
over the sequential loop is printed too, and so is this process's CPU time per message (steadier
than the rates on a busy machine; the sink's CPU is not in it).

Next to the ratio, the round trips of each engine drain, per send (``bench/roundtrips.py``):
the driver calls the engine's SQLAlchemy engine made (execute and executemany), its BEGIN,
COMMIT and ROLLBACKs, and its pre-pings; on PostgreSQL also the statements the server ran for
the run's database and their execution time, from ``pg_stat_statements`` (with ``--top N``, the
N statements that took the most server time). ``--profile`` runs one more engine drain under
cProfile and prints the top functions. It is a measurement, not a test: it exits 0 whatever
the numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import csv
import io
import os
import pstats
import random
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiosmtplib
import sqlalchemy as sa
from roundtrips import Calls, DriverCalls, ServerCounts, ServerStatements
from services import server, stop
from smtp_sink import Sink  # bench/ is sys.path[0] when this file runs as a script

# Measure the checkout this file is in, not whichever ``sequencer`` happens to be installed.
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import sequencer
from sequencer import Engine, enrollment, messages, rendering
from sequencer.clock import SimulatedClock
from sequencer.config import Config, Security, Sender, SmtpSettings
from sequencer.logs import configure

#: The ratio engine/bare the issue asks for, by database.
TARGET = {"sqlite": 0.7, "postgresql": 0.5}
NOW = datetime(2030, 1, 7, 12, 0, tzinfo=UTC)
SEQUENCE = "bench"
#: Contacts per ``Engine.enroll`` call; consecutive runs go to the next sender (round-robin).
#: All sends are due at the same instant, so claims come in id order: enrolling each sender's
#: contacts in one block would give batches of a single sender and hide the per-sender lanes.
ENROLL_RUN = 10

_FIRST = (
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elif",
    "Femi",
    "Grace",
    "Hiroshi",
    "Ines",
    "Jonas",
    "Kaisa",
    "Luis",
    "Maya",
    "Nikhil",
    "Olga",
    "Pedro",
    "Qiu",
    "Rania",
    "Sven",
    "Tomás",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
    "Zoë",
)
_LAST = (
    "Smith",
    "Müller",
    "García",
    "Nguyen",
    "Kowalski",
    "Okafor",
    "Virtanen",
    "Sato",
    "Rossi",
    "Dubois",
    "OBrien",
    "Patel",
    "Johansson",
    "Silva",
    "Kim",
    "Novak",
    "Hughes",
    "Fischer",
    "Costa",
    "Lindqvist",
)
_COMPANY = (
    "Acme",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Aperture",
    "Massive",
    "Oscorp",
    "Wonka",
    "Gringotts",
)
_SUFFIX = ("", " Inc", " Ltd", " GmbH", " Oy", " Labs", " Group", " Systems")
_TITLES = (
    "Head of Sales",
    "VP Marketing",
    "CTO",
    "Founder",
    "Growth Lead",
    "Operations Director",
    "",
)

SUBJECTS = (
    ("question", 'Question about {{ company | default("your team") }}'),
    ("idea", 'An idea for {{ company | default("your team") }}'),
    ("hook", '{{ first_name | default("there") }}, quick question'),
)
BODIES = (
    (
        "short",
        (
            'Hi {{ first_name | default("there") }},\n'
            "\n"
            "Quick intro: we help B2B companies turn outbound "
            "into a steady source of qualified first meetings, "
            "without adding headcount to the sales team.\n"
            "\n"
            "We handle the targeting, the messaging and the "
            "follow-ups. Your team steps in only when a prospect "
            "wants to talk.\n"
            "\n"
            "Would it be worth a short call to hear how this could work for "
            '{{ company | default("your team") }}?\n'
        ),
    ),
    (
        "story",
        (
            'Hi {{ first_name | default("there") }},\n'
            "\n"
            "Many B2B teams we talk to have the same pattern: "
            "a strong quarter, then a quiet one, because new "
            "conversations depend on referrals and on whoever has time to prospect that month.\n"
            "\n"
            "That is the gap we fill. We run the outreach that "
            "books first meetings, so your sellers can spend "
            "their time on the conversations that matter.\n"
            "\n"
            'Would you like to hear how this could work for {{ company | default("your team") }}?\n'
        ),
    ),
)


def _yaml_block(text: str, indent: str) -> str:
    return "\n".join(f"{indent}{line}" if line else "" for line in text.splitlines())


def sequence_yaml(sender: str) -> str:
    subjects = "".join(f"      - key: {key}\n        text: '{text}'\n" for key, text in SUBJECTS)
    bodies = "".join(
        f"      - key: {key}\n        text: |\n{_yaml_block(text, ' ' * 10)}\n"
        for key, text in BODIES
    )
    return f"""name: {SEQUENCE}
description: Dispatch benchmark, one email step.
fields: [shard]
defaults:
  sender: {sender}
  timezone: UTC
  timezone_from: [sequence]
  window:
    days: [mon, tue, wed, thu, fri, sat, sun]
    hours: "00:00-23:59"
  business_days: false
steps:
  - key: intro
    day: 0
    channel: email
    subjects:
{subjects}    bodies:
{bodies}"""


def make_csv(path: Path, rows: int, senders: int, *, seed: int = 11) -> None:
    """``rows`` contacts; contact i goes to sender ``s{(i // ENROLL_RUN) % senders}`` (column
    ``shard``).
    """
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Email", "First Name", "Last Name", "Company", "Title", "Shard"])
        for n in range(rows):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            company = rng.choice(_COMPANY) + rng.choice(_SUFFIX)
            domain = f"{company.split()[0].lower()}{n % 997}.example"
            local = f"{first}.{last}".lower().encode("ascii", "ignore").decode()
            writer.writerow(
                [
                    f"{local}{n}@{domain}",
                    first if rng.random() > 0.08 else "",
                    last,
                    company if rng.random() > 0.1 else "",
                    rng.choice(_TITLES),
                    f"s{(n // ENROLL_RUN) % senders}",
                ]
            )


def make_senders(count: int, port: int) -> dict[str, Sender]:
    smtp = SmtpSettings(host="127.0.0.1", port=port, security=Security.NONE, timeout=60)
    return {
        f"s{i}": Sender(
            name=f"s{i}",
            display_name=f"Bench Sender{i}",
            email=f"s{i}@sender{i}.example",
            signature=f"Bench Sender{i}\nBench Co",
            timezone=ZoneInfo("UTC"),
            daily_cap=10**9,
            min_gap=timedelta(0),
            jitter=timedelta(0),
            company="Bench Co",
            smtp=smtp,
        )
        for i in range(count)
    }


def config(url: str, sequence_file: Path, senders: dict[str, Sender]) -> Config:
    return Config(database_url=url, sequences=(sequence_file,), senders=senders)


class Databases:
    """The template database (set up once) and the run's fresh copy of it: two SQLite files in
    ``tmp``, or two databases on the PostgreSQL server of ``admin_url``."""

    TEMPLATE, RUN = "bench_dispatch_template", "bench_dispatch_run"

    def __init__(self, tmp: Path, admin_url: str | None) -> None:
        self.tmp, self.admin_url = tmp, admin_url
        if admin_url is None:
            self.template = f"sqlite:///{tmp / 'template.db'}"
            self.run = f"sqlite:///{tmp / 'run.db'}"
        else:
            base = admin_url.rsplit("/", 1)[0]
            self.template, self.run = f"{base}/{self.TEMPLATE}", f"{base}/{self.RUN}"
            self._admin(f'DROP DATABASE IF EXISTS "{self.TEMPLATE}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.TEMPLATE}"')

    def _admin(self, statement: str) -> None:
        assert self.admin_url is not None
        admin = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(statement))
        admin.dispose()

    def seal(self) -> None:
        """The template is complete: on SQLite, fold the WAL into the main file so a plain copy of
        it is the whole database."""
        if self.admin_url is None:
            with sqlite3.connect(self.tmp / "template.db") as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()

    def fresh_run(self) -> None:
        """The run database, a fresh copy of the template."""
        if self.admin_url is None:
            shutil.copyfile(self.tmp / "template.db", self.tmp / "run.db")
            return
        self._admin(f'DROP DATABASE IF EXISTS "{self.RUN}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{self.RUN}" TEMPLATE "{self.TEMPLATE}"')

    def sent_in_run(self) -> int:
        engine = sa.create_engine(self.run)
        with engine.connect() as conn:
            count = conn.execute(sa.text("SELECT count(*) FROM sends WHERE status = 'sent'"))
            sent = int(count.scalar_one())
        engine.dispose()
        return sent


# -- set-up (untimed) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One pre-rendered message with its envelope, on connection ``conn``."""

    conn: int
    #: the message exactly as the engine puts it on the wire (bytes: no flattening in the timed
    #: loop)
    message: bytes
    mail_from: str
    rcpt_to: str


def prepare(
    tmp: Path, databases: Databases, sends: int, senders: dict[str, Sender]
) -> tuple[Path, list[Outgoing]]:
    """The template database (everything enrolled and due at NOW), the sequence file and the
    pre-rendered messages."""
    sequence_file = tmp / "bench.yaml"
    sequence_file.write_text(sequence_yaml(next(iter(senders))), encoding="utf-8")
    leads = tmp / "leads.csv"
    make_csv(leads, sends, len(senders))
    template = config(databases.template, sequence_file, senders)
    with Engine(template, clock=SimulatedClock(NOW)) as engine:
        imported = engine.import_contacts(leads)
        if imported.inserted != sends or imported.errors:
            raise SystemExit(
                f"import went wrong: {imported.inserted} inserted, {len(imported.errors)} errors"
            )
        contacts = engine.store.contacts()
        for start in range(0, len(contacts), ENROLL_RUN):
            chunk = contacts[start : start + ENROLL_RUN]
            name = chunk[0].fields["shard"]
            report = engine.enroll(SEQUENCE, sender=name, emails=[c.email for c in chunk])
            if report.enrolled != len(chunk) or report.last_due is None or report.last_due > NOW:
                raise SystemExit(
                    f"enrollment of contacts {start}.. with {name} went wrong: {report}"
                )
        # the same messages the engine will build, rendered here once for the baselines
        step = engine.sequence(SEQUENCE).steps[0]
        outgoing: list[Outgoing] = []
        for n, contact in enumerate(contacts):
            sender = senders[contact.fields["shard"]]
            context = enrollment.template_context(
                contact.model_dump(), contact.fields, sender.template_fields()
            )
            name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
            subject = step.subjects[n % len(step.subjects)].template.source
            body = step.bodies[n % len(step.bodies)].template.source
            outgoing.append(
                Outgoing(
                    conn=int(sender.name[1:]),
                    message=message_bytes(sender, name, contact.email, subject, body, context),
                    mail_from=sender.email,
                    rcpt_to=contact.email,
                )
            )
    databases.seal()
    return sequence_file, outgoing


def message_bytes(
    sender: Sender, to_name: str, to_email: str, subject: str, body: str, context: dict[str, Any]
) -> bytes:
    """One message as the engine renders and builds it, from its subject's and body's templates:
    a fresh Message-ID, the sender's signature and unsubscribe headers."""
    draft = messages.Draft(
        from_name=sender.display_name,
        from_email=sender.email,
        to_name=to_name,
        to_email=to_email,
        subject=messages.one_line(rendering.render(subject, context)),
        body=rendering.render(body, context),
        signature=sender.signature,
        date=NOW,
        message_id=messages.make_message_id(sender.domain),
        reply_to=sender.reply_to,
        unsubscribe_mailto=sender.reply_to or sender.email,
    )
    return messages.to_bytes(draft)


# -- the runs (timed) ------------------------------------------------------------------------------


def _client(sender: Sender) -> aiosmtplib.SMTP:
    # the arguments sequencer.channels.smtp.connect uses for Security.NONE
    return aiosmtplib.SMTP(
        hostname=sender.smtp.host,
        port=sender.smtp.port,
        timeout=sender.smtp.timeout,
        use_tls=False,
        start_tls=False,
        local_hostname=sender.domain,
    )


async def bare(
    outgoing: list[Outgoing], senders: dict[str, Sender], *, concurrent: bool
) -> tuple[float, float]:
    """Wall and CPU seconds to send every message over one connection per sender (connecting
    included).
    """
    conns = [_client(s) for s in senders.values()]
    cpu = time.process_time()
    start = time.perf_counter()
    await asyncio.gather(*(c.connect() for c in conns))
    if concurrent:
        shares: list[list[Outgoing]] = [[] for _ in conns]
        for item in outgoing:
            shares[item.conn].append(item)

        async def one_connection(smtp: aiosmtplib.SMTP, share: list[Outgoing]) -> None:
            for item in share:
                await smtp.sendmail(item.mail_from, [item.rcpt_to], item.message)

        await asyncio.gather(*(one_connection(c, s) for c, s in zip(conns, shares, strict=True)))
    else:
        for item in outgoing:
            await conns[item.conn].sendmail(item.mail_from, [item.rcpt_to], item.message)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    await asyncio.gather(*(c.quit() for c in conns))
    return elapsed, cpu


@dataclass(frozen=True)
class Drain:
    """One engine drain: wall and CPU seconds, sends made, and its round trips."""

    elapsed: float
    cpu: float
    sent: int
    calls: Calls
    #: What PostgreSQL ran for the run's database (None on SQLite, or without pg_stat_statements).
    server: ServerCounts | None


async def engine_drain(
    databases: Databases,
    statements: ServerStatements | None,
    sequence_file: Path,
    senders: dict[str, Sender],
    *,
    batch: int,
    sends: int,
    max_ticks: int | None = None,
    profiler: cProfile.Profile | None = None,
) -> Drain:
    """``engine.drain()`` over a fresh copy of the template database, timed and counted."""
    databases.fresh_run()
    engine = Engine(
        config(databases.run, sequence_file, senders), clock=SimulatedClock(NOW), batch=batch
    )
    engine.sequences  # noqa: B018 - load the sequence before the clock starts
    ticks = max_ticks if max_ticks is not None else sends // batch + 10
    calls = DriverCalls(engine.store.engine)
    if statements is not None:
        statements.reset(Databases.RUN)
    try:
        if profiler is not None:
            profiler.enable()
        cpu = time.process_time()
        start = time.perf_counter()
        report = await engine.drain(max_ticks=ticks)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        if profiler is not None:
            profiler.disable()
        server = statements.read(Databases.RUN) if statements is not None else None
    finally:
        calls.close()
        await engine.aclose()
    if report.sent != report.claimed:
        print(
            f"warning: engine claimed {report.claimed} but sent {report.sent}: {report}",
            file=sys.stderr,
        )
    return Drain(elapsed, cpu, report.sent, calls.take(), server)


@dataclass
class Sample:
    """One round: rates in messages/s, and this process's CPU microseconds per message, by phase."""

    concurrent: float = 0.0
    sequential: float = 0.0
    engine: dict[int, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    #: Each engine drain, by batch size.
    drains: dict[int, Drain] = field(default_factory=dict)


def _check(sink: Sink, what: str, expected: int) -> None:
    got = sink.reset()
    if got != expected:
        print(
            f"warning: {what}: the sink accepted {got} messages, expected {expected}",
            file=sys.stderr,
        )


async def run(args: argparse.Namespace) -> list[Sample]:
    # SIGTERM cancels the run, so the sink process is stopped and the temp dir removed on the way
    # out
    main_task = asyncio.current_task()
    assert main_task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    with tempfile.TemporaryDirectory(prefix="sequencer-bench-") as name, Sink() as sink:
        tmp = Path(name)
        tmp.chmod(0o755)  # a throwaway PostgreSQL runs as its own user, in a folder in here
        pg, started = (None, None)
        if args.database == "postgresql":
            pg, started = server("SEQUENCER_TEST_PG", tmp)
        statements = ServerStatements(pg) if pg is not None else None
        if statements is not None and statements.missing:
            print(f"note: no server counts: {statements.missing}\n", file=sys.stderr)
            statements = None
        try:
            return await _rounds(args, tmp, sink, Databases(tmp, pg), statements)
        finally:
            if statements is not None:
                statements.close()
            stop(started)


async def _rounds(
    args: argparse.Namespace,
    tmp: Path,
    sink: Sink,
    databases: Databases,
    statements: ServerStatements | None,
) -> list[Sample]:
    """The warm-up, then ``--repeats`` rounds of every phase, then the optional profile."""
    samples: list[Sample] = []
    senders = make_senders(args.senders, sink.port)
    t0 = time.perf_counter()
    sequence_file, outgoing = prepare(tmp, databases, args.sends, senders)
    print(
        f"{args.database}; {args.sends:,} sends, {args.senders} senders, "
        f"sink pid {sink.proc.pid if sink.proc else '?'} "
        f"on 127.0.0.1:{sink.port}; set-up {time.perf_counter() - t0:.1f}s; "
        f"{args.repeats} repeats, "
        f"engine batch {', '.join(map(str, args.batch))}; {os.cpu_count()} CPUs, load average "
        f"{_load()}; sequencer from {Path(sequencer.__file__).parent}\n"
    )

    # warm-up: imports, SQLAlchemy statement caches, Jinja compilation, connection paths
    warm = min(200, args.sends)
    await bare(outgoing[:warm], senders, concurrent=True)
    await bare(outgoing[:warm], senders, concurrent=False)
    warm_drain = await engine_drain(
        databases,
        statements,
        sequence_file,
        senders,
        batch=min(100, warm),
        sends=warm,
        max_ticks=max(1, warm // 100),
    )
    _check(sink, "warm-up", 2 * warm + warm_drain.sent)

    for i in range(args.repeats):
        sample = Sample()
        phases = ["concurrent", "sequential", *args.batch]
        for phase in phases if i % 2 == 0 else reversed(phases):
            if isinstance(phase, int):
                drain = await engine_drain(
                    databases,
                    statements,
                    sequence_file,
                    senders,
                    batch=phase,
                    sends=args.sends,
                )
                _check(sink, f"engine batch={phase}", args.sends)
                in_table = databases.sent_in_run()
                if drain.sent != args.sends or in_table != args.sends:
                    print(
                        f"warning: engine batch={phase}: {drain.sent} "
                        f"sent by drain, {in_table} 'sent' in the "
                        f"sends table, expected {args.sends}",
                        file=sys.stderr,
                    )
                sample.engine[phase] = args.sends / drain.elapsed
                sample.cpu[f"engine, batch={phase}"] = drain.cpu / args.sends * 1e6
                sample.drains[phase] = drain
            else:
                elapsed, cpu = await bare(outgoing, senders, concurrent=phase == "concurrent")
                _check(sink, f"bare {phase}", args.sends)
                setattr(sample, phase, args.sends / elapsed)
                sample.cpu[f"bare, {phase}"] = cpu / args.sends * 1e6
        samples.append(sample)
        engines = "   ".join(f"engine b={b} {r:>7,.0f}/s" for b, r in sample.engine.items())
        print(
            f"  repeat {i + 1}: bare concurrent {sample.concurrent:>7,.0f}/s   bare sequential "
            f"{sample.sequential:>7,.0f}/s   {engines}",
            flush=True,
        )

    if args.profile:
        profiler = cProfile.Profile()
        batch = args.batch[0]
        elapsed = (
            await engine_drain(
                databases,
                None,
                sequence_file,
                senders,
                batch=batch,
                sends=args.sends,
                profiler=profiler,
            )
        ).elapsed
        sink.reset()
        print(
            f"\ncProfile of one engine drain (batch={batch}, "
            f"{args.sends / elapsed:,.0f}/s under the "
            f"profiler), top {args.profile_top} sequencer "
            "functions by cumulative time (a coroutine's "
            "ncalls counts its resumptions):"
        )
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(r"sequencer[/\\]", args.profile_top)
        print(out.getvalue())
        out = io.StringIO()
        stats.stream = out
        stats.sort_stats("tottime").print_stats(args.profile_top)
        print(f"top {args.profile_top} by own time:")
        print(out.getvalue())
        if args.profile_out:
            stats.dump_stats(args.profile_out)
            print(f"profile written to {args.profile_out}")
    return samples


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def report(samples: list[Sample], args: argparse.Namespace) -> None:
    batches = args.batch
    n = len(samples)
    conc = statistics.median(s.concurrent for s in samples)
    seq = statistics.median(s.sequential for s in samples)
    print(f"\nmedian of {n}                          msgs/s   engine/this")
    print(f"  bare, concurrent connections  {conc:>9,.0f}")
    print(f"  bare, sequential round-robin  {seq:>9,.0f}")
    for b in batches:
        rate = statistics.median(s.engine[b] for s in samples)
        vs_conc = statistics.median(s.engine[b] / s.concurrent for s in samples)
        vs_seq = statistics.median(s.engine[b] / s.sequential for s in samples)
        print(
            f"  engine, batch={b:<5}           {rate:>9,.0f}   {vs_conc:.2f} of concurrent, "
            f"{vs_seq:.2f} of sequential"
        )
    head = batches[0]
    vs_seq = statistics.median(s.engine[head] / s.sequential for s in samples)
    vs_conc = statistics.median(s.engine[head] / s.concurrent for s in samples)
    print(f"\nthis process's CPU per message (median of {n}, microseconds):")
    for phase in samples[0].cpu:
        print(f"  {phase:<28} {statistics.median(s.cpu[phase] for s in samples):>9,.0f}")
    print(f"load average now {_load()}")
    print(f"\nratio engine/bare-sequential (median of {n}, batch={head}): {vs_seq:.2f}")
    print(
        f"ratio engine/bare (median of {n}): {vs_conc:.2f} "
        f"(target >= {TARGET[args.database]} on {args.database})"
    )
    round_trips(samples, args)


def round_trips(samples: list[Sample], args: argparse.Namespace) -> None:
    """Each batch size's driver calls and transactions per send (and the server's count on
    PostgreSQL): medians over the rounds."""

    def per_send(value: Callable[[Drain], float], b: int) -> float:
        return statistics.median(value(s.drains[b]) for s in samples) / args.sends

    print(f"\nround trips per send (median of {len(samples)}; bench/roundtrips.py):")
    for b in args.batch:
        print(
            f"  batch={b:<5} driver calls {per_send(lambda d: d.calls.statements, b):.2f} "
            f"(executemany {per_send(lambda d: d.calls.executemany, b):.2f}), "
            f"BEGIN/COMMIT/ROLLBACK {per_send(lambda d: d.calls.transactions, b):.2f}, "
            f"pre-pings {per_send(lambda d: d.calls.ping, b):.2f}; "
            f"all {per_send(lambda d: d.calls.round_trips, b):.2f}"
        )
        if all(s.drains[b].server is not None for s in samples):
            calls = per_send(lambda d: d.server.calls if d.server else 0, b)
            exec_us = per_send(lambda d: d.server.exec_ms * 1000 if d.server else 0, b)
            print(
                f"  {'':11} PostgreSQL (pg_stat_statements): {calls:.2f} statements, "
                f"{exec_us:.0f} us of execution per send"
            )
    last = samples[-1].drains[args.batch[0]].server
    if args.top and last is not None:
        print(
            f"\nthe {args.top} statements with the most server time (batch={args.batch[0]}, last "
            "round): calls, ms"
        )
        for statement in last.top(args.top):
            text = " ".join(statement.query.split())
            print(f"  {statement.calls:>7} {statement.exec_ms:>9.1f}  {text[:150]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument(
        "--sends", type=int, default=20_000, help="due sends, one per contact (default 20000)"
    )
    parser.add_argument("--quick", action="store_true", help="2000 sends, for a fast check")
    parser.add_argument(
        "--senders", type=int, default=4, help="senders = SMTP connections (default 4)"
    )
    parser.add_argument(
        "--batch",
        default="100,500",
        help="engine claim batch sizes, comma-separated; the first "
        "is the headline (default 100,500)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument(
        "--profile", action="store_true", help="profile one more engine drain with cProfile"
    )
    parser.add_argument(
        "--profile-top", type=int, default=15, help="functions to list (default 15)"
    )
    parser.add_argument("--profile-out", help="also write the pstats file here")
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="where the engine keeps its state (default sqlite); PostgreSQL from "
        "$SEQUENCER_TEST_PG, else a throwaway server (tests/services.sh start-pg)",
    )
    parser.add_argument(
        "--top",
        type=int,
        default=0,
        help="on PostgreSQL, list the N statements that took the most server time",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sends = 2_000
    try:
        args.batch = [int(b) for b in args.batch.split(",") if b.strip()]
    except ValueError:
        parser.error("--batch takes integers, e.g. 100,500")
    if (
        args.sends < 1
        or args.senders < 1
        or args.repeats < 1
        or not args.batch
        or min(args.batch) < 1
    ):
        parser.error("--sends, --senders, --repeats and --batch must be at least 1")
    configure(json=True, level="error")
    try:
        samples = asyncio.run(run(args))
    except (asyncio.CancelledError, KeyboardInterrupt):
        print("interrupted: sink stopped, temp files removed", file=sys.stderr)
        return 130
    report(samples, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
