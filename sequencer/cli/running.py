"""Commands that run the engine: the ``worker`` loop, one ``tick`` by hand, the HTTP app
(``serve``), and the ``demo`` on a throwaway database. Top-level commands are registered, in
``--help`` order, by :mod:`sequencer.cli`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sequencer.cli.common import engine, friendly, out


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
) -> None:
    """Send what is due, every few seconds, until SIGTERM or Ctrl-C."""
    from sequencer.logs import configure
    from sequencer.worker import run_worker

    configure(json=json_logs)
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
