"""Dispatch throughput (claim, render, SMTP, record) next to a bare aiosmtplib loop, in the same
run.

    python bench/dispatch.py [--sends N | --quick] [--senders K] [--batch 100,500] [--repeats R]
    [--profile]

Sets up, untimed: an aiosmtpd sink in its own process (``bench/smtp_sink.py``), a SQLite
database with N contacts enrolled round-robin across K senders (``Engine.enroll`` on runs
of 10 contacts, each run to the next sender, so every claimed batch holds all K senders, as
it would with real spacing) in a one-step email sequence (3 subjects x 2 bodies, window open
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
concurrent bare loop, as the issue asks (target >= 0.7); the ratio over the sequential loop
is printed too, and so is this process's CPU time per message (steadier than the rates on a
busy machine; the sink's CPU is not in it). ``--profile`` runs one more engine drain under
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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosmtplib
from smtp_sink import Sink  # bench/ is sys.path[0] when this file runs as a script

# Measure the checkout this file is in, not whichever ``sequencer`` happens to be installed.
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import sequencer
from sequencer import Engine, enrollment, messages, rendering
from sequencer.clock import SimulatedClock
from sequencer.config import Config, Security, Sender, SmtpSettings
from sequencer.logs import configure

TARGET = 0.7
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


def config(db: Path, sequence_file: Path, senders: dict[str, Sender]) -> Config:
    return Config(database_url=f"sqlite:///{db}", sequences=(sequence_file,), senders=senders)


def checkpoint(db: Path) -> None:
    """Fold the WAL into the main file so a plain copy of it is the whole database."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def sent_in_table(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        (count,) = conn.execute("SELECT count(*) FROM sends WHERE status = 'sent'").fetchone()
    conn.close()
    return int(count)


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


def prepare(tmp: Path, sends: int, senders: dict[str, Sender]) -> tuple[Path, Path, list[Outgoing]]:
    """The template database (everything enrolled and due at NOW) and the pre-rendered messages."""
    sequence_file = tmp / "bench.yaml"
    sequence_file.write_text(sequence_yaml(next(iter(senders))), encoding="utf-8")
    leads = tmp / "leads.csv"
    make_csv(leads, sends, len(senders))
    db = tmp / "template.db"
    with Engine(config(db, sequence_file, senders), clock=SimulatedClock(NOW)) as engine:
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
            subject = messages.one_line(
                rendering.render(step.subjects[n % len(step.subjects)].template.source, context)
            )
            body = rendering.render(step.bodies[n % len(step.bodies)].template.source, context)
            name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
            draft = messages.Draft(
                from_name=sender.display_name,
                from_email=sender.email,
                to_name=name,
                to_email=contact.email,
                subject=subject,
                body=body,
                signature=sender.signature,
                date=NOW,
                message_id=messages.make_message_id(sender.domain),
                reply_to=sender.reply_to,
                unsubscribe_mailto=sender.reply_to or sender.email,
            )
            outgoing.append(
                Outgoing(
                    conn=int(sender.name[1:]),
                    message=messages.to_bytes(draft),
                    mail_from=sender.email,
                    rcpt_to=contact.email,
                )
            )
    checkpoint(db)
    return db, sequence_file, outgoing


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


async def engine_drain(
    template: Path,
    run_db: Path,
    sequence_file: Path,
    senders: dict[str, Sender],
    *,
    batch: int,
    sends: int,
    max_ticks: int | None = None,
    profiler: cProfile.Profile | None = None,
) -> tuple[float, float, int]:
    """Wall and CPU seconds for ``engine.drain()`` over a fresh copy of the template database, and
    sends made.
    """
    shutil.copyfile(template, run_db)
    engine = Engine(config(run_db, sequence_file, senders), clock=SimulatedClock(NOW), batch=batch)
    engine.sequences  # noqa: B018 - load the sequence before the clock starts
    ticks = max_ticks if max_ticks is not None else sends // batch + 10
    try:
        if profiler is not None:
            profiler.enable()
        cpu = time.process_time()
        start = time.perf_counter()
        report = await engine.drain(max_ticks=ticks)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        if profiler is not None:
            profiler.disable()
    finally:
        await engine.aclose()
    if report.sent != report.claimed:
        print(
            f"warning: engine claimed {report.claimed} but sent {report.sent}: {report}",
            file=sys.stderr,
        )
    return elapsed, cpu, report.sent


@dataclass
class Sample:
    """One round: rates in messages/s, and this process's CPU microseconds per message, by phase."""

    concurrent: float = 0.0
    sequential: float = 0.0
    engine: dict[int, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)


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
    samples: list[Sample] = []
    with tempfile.TemporaryDirectory(prefix="sequencer-bench-") as name, Sink() as sink:
        tmp = Path(name)
        senders = make_senders(args.senders, sink.port)
        t0 = time.perf_counter()
        template, sequence_file, outgoing = prepare(tmp, args.sends, senders)
        run_db = tmp / "run.db"
        print(
            f"{args.sends:,} sends, {args.senders} senders, "
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
        _, _, done = await engine_drain(
            template,
            run_db,
            sequence_file,
            senders,
            batch=min(100, warm),
            sends=warm,
            max_ticks=max(1, warm // 100),
        )
        _check(sink, "warm-up", 2 * warm + done)

        for i in range(args.repeats):
            sample = Sample()
            phases = ["concurrent", "sequential", *args.batch]
            for phase in phases if i % 2 == 0 else reversed(phases):
                if isinstance(phase, int):
                    elapsed, cpu, sent = await engine_drain(
                        template, run_db, sequence_file, senders, batch=phase, sends=args.sends
                    )
                    _check(sink, f"engine batch={phase}", args.sends)
                    in_table = sent_in_table(run_db)
                    if sent != args.sends or in_table != args.sends:
                        print(
                            f"warning: engine batch={phase}: {sent} "
                            f"sent by drain, {in_table} 'sent' in the "
                            f"sends table, expected {args.sends}",
                            file=sys.stderr,
                        )
                    sample.engine[phase] = args.sends / elapsed
                    sample.cpu[f"engine, batch={phase}"] = cpu / args.sends * 1e6
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
            elapsed, _, _ = await engine_drain(
                template,
                run_db,
                sequence_file,
                senders,
                batch=batch,
                sends=args.sends,
                profiler=profiler,
            )
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


def report(samples: list[Sample], batches: list[int]) -> None:
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
    print(f"ratio engine/bare (median of {n}): {vs_conc:.2f} (target >= {TARGET})")


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
    report(samples, args.batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
