"""Commands about sequence files: ``validate`` them, and ``preview`` one contact's timeline with
every variant rendered for them. Top-level commands are registered, in ``--help`` order, by
:mod:`sequencer.cli`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from sequencer.app import Preview
from sequencer.cli.common import engine, err, escape, friendly, out
from sequencer.status import EnrollmentStatus
from sequencer.terminal import printable


@friendly
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders (default: the configured sequences)."),
    ] = None,
) -> None:
    """Check sequence files; report every problem with its file and line."""
    with engine() as eng:
        problems = eng.validate(paths or None)
        names = sorted(p for p in (paths or eng.config.sequences))
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        err.print(f"[{colour}]{problem.severity}[/]: {escape(str(problem))}", soft_wrap=True)
    if errors:
        err.print(f"[red]{len(errors)} error(s)[/], {len(problems) - len(errors)} warning(s)")
        raise typer.Exit(1)
    out.print(f"[green]ok[/]: {', '.join(map(str, names))} ({len(problems)} warning(s))")


@friendly
def preview(
    sequence: Annotated[str, typer.Option("--sequence", "-s", help="Sequence name.")],
    email: Annotated[str, typer.Option("--email", "-e", help="The contact's address.")],
    sender: Annotated[str | None, typer.Option(help="Sender name.")] = None,
) -> None:
    """Show a recipient's timeline and every variant rendered for them."""
    with engine() as eng:
        result = eng.preview(sequence, email, sender=sender)
    _print_preview(result)
    if result.errors:
        raise typer.Exit(1)


def _print_preview(p: Preview) -> None:
    out.print(
        f"[bold]{escape(p.contact.email)}[/] in '{p.sequence.name}' from {p.sender.display_name} "
        f"<{p.sender.email}>, time zone [bold]{p.zone.key}[/]"
    )
    table = Table("step", "channel", "day", "local time", "UTC", "status")
    for s in p.steps:
        table.add_row(
            s.step.key,
            s.step.channel.value,
            str(s.step.day),
            s.local.strftime("%a %Y-%m-%d %H:%M %Z"),
            s.due_at.strftime("%Y-%m-%d %H:%M"),
            s.status,
        )
    out.print(table)
    for s in p.steps:
        thread = ", in thread: Re: <message 1's subject>" if s.step.thread else ""
        out.print(Text.assemble("\n", (s.step.key, "bold"), f" ({s.step.channel.value}{thread})"))
        for factor, items in s.rendered.items():
            for r in items:
                label = f"  {factor}[{r.key}]:"
                if r.error:
                    out.print(Text.assemble(label, " ", (f"error: {r.error}", "red")))
                elif factor == "subjects":
                    out.print(Text(f"{label} {printable((r.text or '').strip())}"))
                else:
                    out.print(Text(label))
                    out.print(
                        Padding(Text(printable((r.text or "").strip())), (0, 0, 0, 4), expand=False)
                    )
    if p.then is not None:
        rules = f" if {', '.join(p.then.only_if)}" if p.then.only_if else ""
        local = p.then.earliest.astimezone(p.zone).strftime("%a %Y-%m-%d")
        when = (
            f"waiting to start on {local}"
            if p.then.status == EnrollmentStatus.DEFERRED
            else f"between {local} and {p.then.latest.astimezone(p.zone).strftime('%a %Y-%m-%d')}"
        )
        out.print(
            Text.assemble(
                "\nthen: ", (p.then.sequence, "bold"), f", {when}{rules} ({p.then.status})"
            )
        )
    if p.errors:
        err.print(f"[red]{len(p.errors)} variant(s) cannot be rendered for this contact[/]")
