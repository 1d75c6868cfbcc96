"""The ``sequencer`` command: a thin layer over :class:`sequencer.Engine`.

This module builds the typer app and reads like its table of contents: the global options,
then every command and command group in the order ``--help`` lists them. The commands live in
one module per concern: ``sequences`` (validate, preview), ``contacts`` (import, enroll, stop,
goal), ``running`` (demo, worker, tick, serve), ``recovery`` (doctor, resend), ``variants``
(score, variants), ``reports`` (plan, report), ``privacy`` (forget, suppress), ``senders``,
``tasks``, ``inbox`` and ``schema`` (db); what they share is in ``common``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sequencer.cli import (
    contacts,
    inbox,
    listing,
    privacy,
    recovery,
    reports,
    running,
    schema,
    senders,
    sequences,
    tasks,
    variants,
)
from sequencer.cli.common import err, escape, state


def _flags_show_no_type() -> None:
    """``--help`` shows ``<str>``, ``<int>``... for an option that takes a value, and nothing for
    a flag (typer would show ``<bool>`` for every ``--again`` and ``--help``)."""
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None:  # an older typer, which shows no types
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag and not self.count else shown(self, ctx)

    setattr(TyperOption, "display_type_rich", display_type_rich)  # noqa: B010 (a method)


_flags_show_no_type()

app = typer.Typer(
    help="Outreach sequences under a named sender: validate, import, enroll, preview, send.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="Config file (default: ./sequencer.toml or $SEQUENCER_CONFIG)."
        ),
    ] = None,
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL or SQLite file path.")
    ] = None,
) -> None:
    state.config = config
    if db is not None:
        from sequencer.config.load import to_database_url
        from sequencer.errors import ConfigError

        try:
            state.db = to_database_url(db, "--db")
        except ConfigError as exc:
            err.print(f"[red]error:[/] {escape(exc.message)}", soft_wrap=True)
            raise typer.Exit(1) from None
    from sequencer.logs import configure

    configure(level="warning")  # commands print their own results; the worker sets its own level


app.command("validate")(sequences.validate)
app.command("import")(contacts.import_)
app.command("enroll")(contacts.enroll)
app.command("preview")(sequences.preview)
app.command("demo")(running.demo)
app.command("worker")(running.worker)
app.command("stop")(contacts.stop)
app.command("goal")(contacts.goal)
app.command("queue")(listing.queue)
app.command("tick")(running.tick)
app.command("simulate")(running.simulate)
app.command("doctor")(recovery.doctor)
app.command("resend")(recovery.resend)
app.command("resume")(recovery.resume)
app.command("score")(variants.score)
app.command("plan")(reports.plan)
app.command("report")(reports.report)
app.command("forget")(privacy.forget)
app.command("serve")(running.serve)

app.add_typer(listing.contacts_app, name="contacts")
app.add_typer(senders.senders_app, name="senders")
app.add_typer(tasks.tasks_app, name="tasks")
app.add_typer(variants.variants_app, name="variants")
app.add_typer(inbox.inbox_app, name="inbox")
app.add_typer(privacy.suppress_app, name="suppress")
app.add_typer(schema.db_app, name="db")


def run() -> None:
    app()
