"""Commands that run the engine: the ``worker`` loop, one ``tick`` by hand, the HTTP app
(``serve``), the ``demo`` on a throwaway database, and ``simulate`` (your own configuration on a
copy of your database and a simulated clock). Top-level commands are registered, in
``--help`` order, by :mod:`sequencer.cli`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sequencer.cli.common import engine, escape, friendly, out, read_config


@friendly
def demo(
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for the captured .eml files (default: a new temporary folder)."),
    ] = None,
) -> None:
    """Run the real engine on a throwaway database and a built-in SMTP server, four simulated
    weeks.
    """
    from sequencer import demo as demo_module

    result = demo_module.main(out)
    if result.late or not result.messages:
        raise typer.Exit(1)


@friendly
def worker(
    tick: Annotated[
        float | None, typer.Option(help="Seconds between dispatch ticks (default: config).")
    ] = None,
    json_logs: Annotated[
        bool | None,
        typer.Option(
            "--json/--pretty", help="Log format (default: JSON unless stderr is a terminal)."
        ),
    ] = None,
    mask_addresses: Annotated[
        bool,
        typer.Option(
            "--mask-addresses",
            help="Show recipients as a***@example.com in the log (also [worker] mask_addresses).",
        ),
    ] = False,
) -> None:
    """Send what is due, every few seconds, until SIGTERM or Ctrl-C."""
    from sequencer.logs import configure
    from sequencer.worker import run_worker

    masked = mask_addresses or read_config().mask_addresses
    configure(json=json_logs, mask_addresses=masked)  # before the engine binds its logger
    eng = engine()
    eng.sequences  # noqa: B018 - load and validate before the first tick, so errors show at start
    try:
        run_worker(eng, tick_seconds=tick)
    finally:
        eng.close()


@friendly
def tick() -> None:
    """Start the chained enrollments that are due, run one dispatch tick now, and say what they
    did.
    """
    from sequencer.logs import configure
    from sequencer.worker import single_worker_lock

    configure()
    with (
        engine() as eng,
        single_worker_lock(eng.store.url),
    ):  # not beside a running worker on SQLite
        chains = eng.advance_chains()
        report = eng.tick_sync()
    if chains.started or chains.skipped:
        out.print(f"chained enrollments started: {chains.started}, skipped: {len(chains.skipped)}")
    out.print(", ".join(f"{k}: {v}" for k, v in vars(report).items()))


@friendly
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default: config, else 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: config, else 8080).")] = None,
) -> None:
    """The HTTP app: one-click unsubscribe, goal and reply hooks, optional tracking, /healthz."""
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from sequencer.logs import configure
    from sequencer.web import create_app, log_config

    configure(level="info")
    eng = engine()
    http = eng.config.http
    if http.public_url is not None:
        eng.links  # noqa: B018 - a missing link secret is reported now, not on the first click
    try:
        uvicorn.run(
            create_app(eng),
            host=host or http.host,
            port=port or http.port,
            log_level="info",
            proxy_headers=True,
            server_header=False,
            log_config=log_config(LOGGING_CONFIG),
        )
    finally:
        eng.close()


@friendly
def simulate(
    days: Annotated[int, typer.Option(help="Simulated days to run.")] = 30,
    start: Annotated[
        str | None,
        typer.Option(
            help="First simulated day, 2026-12-07 (UTC) or 2026-12-07T09:00 (default: now)."
        ),
    ] = None,
    contacts: Annotated[
        Path | None,
        typer.Option(
            help="A CSV of contacts to add to the copy (the only contacts if there is no database)."
        ),
    ] = None,
    sequence: Annotated[
        str | None,
        typer.Option(
            help="Enroll, in the simulation only, every contact not active in this sequence."
        ),
    ] = None,
    sender: Annotated[
        list[str] | None,
        typer.Option(
            help="With --sequence: the sender (repeat for several; default: the sequence's)."
        ),
    ] = None,
) -> None:
    """What your own configuration and sequences would do over the next days, day by day: on a
    copy of your database, with SMTP, IMAP and webhooks captured. Nothing is sent.
    """
    import asyncio
    from datetime import UTC, datetime

    from sequencer import simulate as sim
    from sequencer.cli.common import ProgressBar

    config = read_config()
    request = sim.Request(
        config=config,
        days=days,
        start=sim.parse_start(start, datetime.now(UTC)),
        contacts=contacts,
        sequence=sequence,
        senders=tuple(sender or ()),
    )
    with ProgressBar("simulating days") as (bar, task):
        bar.update(task, total=days)

        def started(run: sim.Simulation) -> None:
            out.print(escape(sim.header(run)), soft_wrap=True)
            for note in run.notes:
                out.print(escape(note), soft_wrap=True)
            out.print()

        def ended(day: sim.Day) -> None:
            out.print(escape(sim.day_line(day)), soft_wrap=True)
            bar.advance(task)

        result = asyncio.run(sim.run(request, on_start=started, on_day=ended))
    out.print()
    for line in sim.summary(result):
        out.print(escape(line), soft_wrap=True)
