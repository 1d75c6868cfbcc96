"""Commands on contacts: ``import`` them from CSV, ``enroll`` them in a sequence, ``stop`` one's
sequence, and record a ``goal``. Top-level commands are registered, in ``--help`` order, by
:mod:`sequencer.cli`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sequencer.app import ImportReport
from sequencer.cli.common import ProgressBar, engine, err, escape, friendly, out, utc


@friendly
def import_(
    file: Annotated[Path, typer.Argument(help="CSV with an 'email' column.")],
    skip_bad: Annotated[
        bool,
        typer.Option(
            "--skip-bad",
            help="Where the file's structure breaks (a quote left "
            "open), skip that row and import the rest instead of stopping.",
        ),
    ] = False,
    column_map: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="COLUMN=FIELD",
            help="Read a column as a standard field (Vorname=first_name) or rename a custom "
            "field; repeatable, or several pairs separated by commas.",
        ),
    ] = None,
) -> None:
    """Import contacts from CSV; re-importing updates instead of duplicating."""
    from sequencer.contacts import RowProblem, parse_mapping

    mapping = parse_mapping(column_map or [])
    with engine() as eng, ProgressBar(f"importing {file.name}") as (bar, task):
        report = eng.import_contacts(
            file,
            skip_bad=skip_bad,
            mapping=mapping,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    labels = {
        RowProblem.SKIPPED: "[yellow]skipped[/]",
        RowProblem.CHANGED: "[yellow]warning[/]",
        RowProblem.BROKEN: "[red]broken[/]",
    }
    for error in report.errors:
        err.print(
            f"{labels[error.problem]} {escape(str(file))}: {escape(str(error))}", soft_wrap=True
        )
    for row in report.forgotten:
        err.print(
            f"[yellow]skipped[/] {file}: row {row}: this address was erased (`sequencer forget`); "
            "it is never imported again"
        )
    skipped = sum(e.problem is not RowProblem.CHANGED for e in report.errors)
    changed = len(report.errors) - skipped
    out.print(
        f"{report.rows} rows: [green]{report.inserted} new[/], {report.updated} updated, "
        f"{skipped} skipped"
        + (f", {changed} imported with a change" if changed else "")
        + (f", {report.repeated} repeated in the file (merged)" if report.repeated else "")
        + (f", {len(report.forgotten)} erased before (not imported)" if report.forgotten else "")
    )
    for line in _column_summary(report):
        out.print(line, soft_wrap=True)
    broken = [e.row for e in report.errors if e.problem is RowProblem.BROKEN]
    if broken and not skip_bad:
        err.print(
            f"[red]stopped at row {broken[0]}[/]: the file's "
            "structure breaks there (a quote left open). "
            "The rows before it were imported, as counted "
            f"above; nothing from row {broken[0]} on was. "
            "Fix the file and import it again (re-importing "
            "updates), or pass --skip-bad to skip the broken "
            "rows and import the rest.",
            soft_wrap=True,
        )
        raise typer.Exit(1)
    if broken:
        err.print(
            f"[yellow]{len(broken)} broken row(s) skipped[/] "
            f"(--skip-bad): rows {', '.join(map(str, broken))}; "
            "the lines after each were read as rows again.",
            soft_wrap=True,
        )


def _column_summary(report: ImportReport) -> list[str]:
    """What the import did with the file's columns and time zones, one line each."""
    lines = []
    if report.mapped:
        pairs = (f"{escape(c)} → {f}" for c, f in report.mapped.items())
        lines.append("mapped: " + ", ".join(pairs))
    if report.custom_columns:
        kept = (
            escape(c) + (f" (as {f})" if f != c else "") for c, f in report.custom_columns.items()
        )
        hint = (
            '; --map "COLUMN=FIELD" reads one as a standard field instead'
            if set(report.custom_columns) - set(report.mapped)
            else ""
        )
        lines.append("kept as custom fields: " + ", ".join(kept) + hint)
    if report.ignored_columns:
        names = ", ".join(escape(c) for c in report.ignored_columns)
        lines.append(f"ignored (no column name): {names}")
    if report.zone_fallbacks:
        lines.append(
            f"[yellow]{len(report.zone_fallbacks)} row(s) had a time zone that is not valid[/]: "
            "imported without it (see the warnings above)"
        )
    if report.no_zone:
        lines.append(
            f"{report.no_zone} row(s) have no time zone: the sequence's zone is used "
            "(the sender's where the sequence sets none)"
        )
    return lines


@friendly
def enroll(
    sequence: Annotated[str, typer.Option("--sequence", "-s", help="Sequence name.")],
    sender: Annotated[
        list[str] | None,
        typer.Option(
            help="Sender name; repeat it to rotate over several by free "
            "capacity (default: the sequence's senders, or the first "
            "configured; a contact enrolled before keeps theirs)."
        ),
    ] = None,
    email: Annotated[
        list[str] | None, typer.Option("--email", "-e", help="Only these addresses.")
    ] = None,
    where: Annotated[list[str] | None, typer.Option(help="Only contacts with FIELD=VALUE.")] = None,
    again: Annotated[
        bool, typer.Option("--again", help="Also contacts who went through this sequence before.")
    ] = False,
) -> None:
    """Enroll all (or the selected) contacts in a sequence."""
    filters = dict(_pair(w) for w in where or [])
    with engine() as eng:
        report = eng.enroll(
            sequence, sender=sender, emails=email, where=filters or None, again=again
        )
    for address, current in report.refused:
        err.print(f"[yellow]refused[/] {address}: already active in '{current}'")
    if report.done_before:
        err.print(
            f"[yellow]skipped[/] {len(report.done_before)} "
            f"contact(s) who went through '{report.sequence}' "
            "before (--again to include them)"
        )
    if report.enrolled:
        span = (
            f"at {utc(report.first_due)}"
            if report.first_due == report.last_due
            else f"between {utc(report.first_due)} and {utc(report.last_due)}"
        )
        senders = ", ".join(f"{name} {count}" for name, count in report.by_sender.items())
        who = (
            f"from {senders}"
            if len(report.by_sender) > 1
            else f"from {next(iter(report.by_sender), report.sender)}"
        )
        out.print(
            f"[green]{report.enrolled} enrolled[/] in '{report.sequence}' "
            f"{who}; message 1 goes out {span}"
        )
    else:
        out.print(
            f"no contact enrolled ({len(report.refused)} active elsewhere, "
            f"{len(report.done_before)} through '{report.sequence}' before)"
        )


def _pair(text: str) -> tuple[str, str]:
    name, eq, value = text.partition("=")
    if not eq:
        raise typer.BadParameter(f"'{text}' should be FIELD=VALUE")
    return name.strip(), value.strip()


@friendly
def stop(
    email: Annotated[str, typer.Argument(help="The contact's address.")],
    reason: Annotated[str, typer.Option(help="reply | bounce | unsubscribe | manual")] = "manual",
    detail: Annotated[str | None, typer.Option(help="A note kept with the event.")] = None,
) -> None:
    """Stop a contact's sequence now; every pending step is cancelled."""
    from sequencer.stops import STOP_REASONS

    allowed = [r.value for r in STOP_REASONS]  # a goal is recorded with `goal`
    if reason not in allowed:
        raise typer.BadParameter(f"use one of {', '.join(allowed)}", param_hint="--reason")
    from sequencer.services.stopping import NothingToStop

    with engine() as eng:
        try:
            stopped = eng.stop(email, reason=reason, detail=detail)
        except NothingToStop as exc:  # stopped before for this reason: a second is not news
            out.print(escape(exc.message), soft_wrap=True)
            return
    if stopped is None:
        out.print(f"recorded {reason} for {escape(email)}; no active sequence was stopped")
    else:
        out.print(
            f"stopped '{escape(stopped.sequence)}' for {escape(email)} ({reason}); "
            "pending steps cancelled"
        )


@friendly
def goal(
    email: Annotated[str, typer.Argument(help="The contact's address.")],
    name: Annotated[str, typer.Argument(help="Goal name, e.g. meeting_booked.")],
    any_name: Annotated[
        bool,
        typer.Option(
            "--any",
            help="Record a goal no sequence lists under stop_on.goals (it stops nothing).",
        ),
    ] = False,
) -> None:
    """Record a goal; it stops the sequence if the sequence lists that goal under stop_on."""
    with engine() as eng:
        if not any_name:
            _known_goal(name, {g for s in eng.sequences.values() for g in s.stop_on.goals})
        stopped = eng.goal(email, name)
    if stopped is None:
        out.print(f"recorded goal '{escape(name)}' for {escape(email)}; no sequence stops on it")
    else:
        out.print(
            f"goal '{escape(name)}' for {escape(email)}: stopped '{escape(stopped.sequence)}'"
        )


def _known_goal(name: str, known: set[str]) -> None:
    """Refuse a goal name no loaded sequence lists (a typo would be recorded and stop nothing)."""
    import difflib

    from sequencer.errors import SequencerError

    if name in known:
        return
    close = difflib.get_close_matches(name, sorted(known), n=1)
    if close:
        hint = f"did you mean '{close[0]}'?"
    elif known:
        hint = f"the sequences stop on {', '.join(sorted(known))}"
    else:
        hint = "no loaded sequence lists a goal under stop_on.goals"
    raise SequencerError(
        f"unknown goal '{name}'; {hint} Nothing recorded; --any records it as it is."
    )
