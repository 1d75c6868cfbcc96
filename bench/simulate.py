"""Simulation speed: ``sequencer simulate`` over 1,000 contacts and 90 simulated days, next to
dispatch's CPU per send measured in the same run.

    python bench/simulate.py [--contacts N] [--days D] [--senders K] [--repeats R] [--profile]

Set-up, untimed: ``bench/dispatch.py``'s contacts (``make_csv``) imported into a SQLite
database and enrolled across K senders (``make_senders``, given the shipped cold sequence's
windows and a daily cap of 60) in ``sequences/cold.yaml``; that database is the user's
database the simulation reads. Then, R times (medians reported), alternating the order:

* **simulate**: :func:`sequencer.simulate.run` over D days, as ``sequencer simulate --days D``
  runs it: the read-only copy, the in-process capture server, the simulated clock, the scoring
  looks. Its CPU time (this process, so the capture server's thread is in it) divided by the
  deliveries it made (emails, tasks, webhook calls);
* **dispatch**: ``bench/dispatch.py``'s ``engine_drain`` over the same number of emails, all
  due at once, to its out-of-process sink (the sink's CPU is not in it).

The CPU spent inside the simulation's own dispatch ticks is printed too (``Dispatcher.tick``
timed while it runs): the rest is the simulation's overhead (clock jumps, the copy, the
capture server's thread, the daily counts).

The headline is simulate's CPU per send over dispatch's (target: at most 2). ``--profile``
runs one more simulation under cProfile. It is a measurement, not a test: it exits 0 whatever
the numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import dispatch as dispatch_bench  # bench/ is sys.path[0] when this file runs as a script
from smtp_sink import Sink

# Measure the checkout this file is in, not whichever ``sequencer`` happens to be installed.
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from sequencer import Engine
from sequencer import simulate as sim
from sequencer.clock import SimulatedClock
from sequencer.config import Config, Sender
from sequencer.dispatch import Dispatcher, TickReport
from sequencer.logs import configure

TARGET = 2.0
SEQUENCES = Path(__file__).resolve().parent.parent / "sequences"
#: Closed port: the senders' SMTP in the user's configuration (the simulation never calls it).
NOWHERE = 9


def user_setup(tmp: Path, contacts: int, senders: dict[str, Sender]) -> Config:
    """The user's database: contacts imported and enrolled in the cold sequence."""
    leads = tmp / "leads.csv"
    dispatch_bench.make_csv(leads, contacts, len(senders))
    config = Config(
        database_url=f"sqlite:///{tmp / 'user.db'}",
        sequences=(SEQUENCES,),
        senders={
            n: replace(s, daily_cap=60, min_gap=timedelta(minutes=2)) for n, s in senders.items()
        },
    )
    with Engine(config, clock=SimulatedClock(dispatch_bench.NOW)) as engine:
        engine.import_contacts(leads)
        report = engine.enroll("cold", sender=list(senders))
        if report.enrolled != contacts:
            raise SystemExit(f"enrollment went wrong: {report.enrolled} of {contacts}")
    with sqlite3.connect(tmp / "user.db") as conn:  # the WAL folded in: the file is the database
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return config


class TickTimer:
    """CPU seconds spent inside dispatch ticks (``Dispatcher.tick``) while it is installed."""

    def __init__(self) -> None:
        self.cpu = 0.0
        self._tick = Dispatcher.tick

    def __enter__(self) -> TickTimer:
        timer, tick = self, self._tick

        async def timed(dispatcher: Dispatcher) -> TickReport:
            # a tick awaits the channels (the capture server's replies): other work may run
            # meanwhile, so this is an upper bound on the CPU of the tick itself
            start = time.process_time()
            try:
                return await tick(dispatcher)
            finally:
                timer.cpu += time.process_time() - start

        Dispatcher.tick = timed  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        Dispatcher.tick = self._tick  # type: ignore[method-assign]


async def simulate_once(
    config: Config, days: int, profiler: cProfile.Profile | None = None
) -> tuple[float, float, float, int, sim.Simulation]:
    """Wall and CPU seconds of one simulation, the CPU inside its dispatch ticks, the deliveries
    it made, and the run."""
    request = sim.Request(config=config, days=days, start=dispatch_bench.NOW)
    if profiler is not None:
        profiler.enable()
    with TickTimer() as ticks:
        cpu, wall = time.process_time(), time.perf_counter()
        run = await sim.run(request)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if profiler is not None:
        profiler.disable()
    sends = sum(run.emails.values()) + run.total("tasks") + run.total("webhooks")
    if sum(run.captured.values()) != sum(run.emails.values()):
        print(f"warning: {run.captured} captured, {run.emails} counted", file=sys.stderr)
    return wall, cpu, ticks.cpu, sends, run


async def main_async(args: argparse.Namespace) -> None:
    rows: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="sequencer-bench-sim-") as name, Sink() as sink:
        tmp = Path(name)
        senders = dispatch_bench.make_senders(args.senders, NOWHERE)
        t0 = time.perf_counter()
        config = user_setup(tmp, args.contacts, senders)
        _, _, _, sends, first = await simulate_once(config, args.days)  # warm-up, and the size
        emails = sum(first.emails.values())
        sink_senders = dispatch_bench.make_senders(args.senders, sink.port)
        (tmp / "d").mkdir()
        databases = dispatch_bench.Databases(tmp / "d", None)
        sequence_file, _ = dispatch_bench.prepare(tmp / "d", databases, emails, sink_senders)
        print(
            f"{args.contacts:,} contacts, {args.days} simulated days, {args.senders} senders: "
            f"{sends:,} deliveries ({emails:,} emails, {first.total('tasks')} tasks, "
            f"{first.total('held')} held back); dispatch reference: {emails:,} emails due at "
            f"once; set-up {time.perf_counter() - t0:.1f}s; {args.repeats} repeats\n"
        )
        for i in range(args.repeats):
            row: dict[str, float] = {}
            for phase in ("simulate", "dispatch") if i % 2 == 0 else ("dispatch", "simulate"):
                if phase == "simulate":
                    wall, cpu, in_ticks, made, _ = await simulate_once(config, args.days)
                    row["simulate: in ticks cpu/send"] = in_ticks / made * 1e6
                else:
                    drain = await dispatch_bench.engine_drain(
                        databases, None, sequence_file, sink_senders, batch=100, sends=emails
                    )
                    wall, cpu, made = drain.elapsed, drain.cpu, drain.sent
                    sink.reset()
                row[f"{phase} wall"] = wall
                row[f"{phase} cpu/send"] = cpu / made * 1e6
            rows.append(row)
            print(
                f"  repeat {i + 1}: simulate {row['simulate wall']:.1f}s "
                f"{row['simulate cpu/send']:,.0f} us CPU/send (in its ticks "
                f"{row['simulate: in ticks cpu/send']:,.0f})   dispatch "
                f"{row['dispatch wall']:.1f}s {row['dispatch cpu/send']:,.0f} us CPU/send",
                flush=True,
            )
        if args.profile:
            profiler = cProfile.Profile()
            await simulate_once(config, args.days, profiler)
            profiler.dump_stats(str(Path(tempfile.gettempdir()) / "simulate.prof"))
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(
                r"sequencer[/\\]", 25
            )
            print(out.getvalue())
    med = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
    ratio = statistics.median(r["simulate cpu/send"] / r["dispatch cpu/send"] for r in rows)
    share = statistics.median(
        r["simulate: in ticks cpu/send"] / r["simulate cpu/send"] for r in rows
    )
    print(f"\nmedian of {len(rows)}                   wall   CPU per send")
    for name in ("simulate", "dispatch"):
        print(f"  {name:<26} {med[f'{name} wall']:6.1f} s {med[f'{name} cpu/send']:8,.0f} us")
    print(f"  simulate, in dispatch ticks {med['simulate: in ticks cpu/send']:16,.0f} us")
    print(f"share of simulate's CPU inside dispatch ticks: {share:.0%}")
    print(f"ratio simulate/dispatch CPU per send: {ratio:.2f} (target <= {TARGET})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("--contacts", type=int, default=1000, help="contacts (default 1000)")
    parser.add_argument("--days", type=int, default=90, help="simulated days (default 90)")
    parser.add_argument("--senders", type=int, default=4, help="senders (default 4)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--profile", action="store_true", help="profile one more simulation")
    args = parser.parse_args(argv)
    if min(args.contacts, args.days, args.senders, args.repeats) < 1:
        parser.error("--contacts, --days, --senders and --repeats must be at least 1")
    configure(json=True, level="error")
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
