"""The ``inbox`` group: read the senders' mailboxes once, and show what was read and done."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from sequencer.cli.common import engine, err, escape, friendly, out

inbox_app = typer.Typer(
    help="Senders' mailboxes: replies, out-of-office answers, bounces.", no_args_is_help=True
)


@inbox_app.command("poll")
@friendly
def inbox_poll(
    sender: Annotated[
        list[str] | None, typer.Option("--sender", "-s", help="Only this sender (repeatable).")
    ] = None,
) -> None:
    """Read new mail in each sender's mailbox once and act on it (what the worker does every
    minute).
    """
    with engine() as eng:
        if not eng.inbox.senders(sender):
            err.print(
                "[red]error:[/] no sender has an \\[senders.imap] "
                "mailbox configured (see examples/sequencer.toml)"
            )
            raise typer.Exit(1)
        report = eng.poll_inbox_sync(sender)
    if report.handled:
        _print_inbound(
            [(h.sender, h.kind, h.from_address, h.subject, h.action) for h in report.handled]
        )
    out.print(
        f"{len(report.handled)} new message(s)"
        + (f", {report.duplicates} seen before" if report.duplicates else "")
    )
    for name, problem in report.errors.items():
        err.print(f"[red]error:[/] {name}: {escape(problem)}")
    if report.errors:
        raise typer.Exit(1)


@inbox_app.command("log")
@friendly
def inbox_log(limit: Annotated[int, typer.Option(help="How many messages to show.")] = 30) -> None:
    """The messages read most recently, and what was made of each."""
    with engine() as eng:
        rows = eng.store.inbound(limit=limit)
    _print_inbound([(r.sender, r.kind, r.from_address, r.subject or "", r.detail) for r in rows])


def _print_inbound(rows: list[tuple[str, str, str | None, str, str]]) -> None:
    table = Table("sender", "kind", "from", "subject", "what was done")
    colours = {
        "reply": "green",
        "bounce": "red",
        "unsubscribe": "red",
        "auto_reply": "yellow",
        "soft_bounce": "yellow",
    }
    for sender, kind, sender_address, subject, action in rows:
        colour = colours.get(kind, "dim")
        table.add_row(
            sender,
            f"[{colour}]{kind}[/]",
            escape(sender_address or "-"),
            escape(subject[:60]),
            escape(action),
        )
    out.print(table)
