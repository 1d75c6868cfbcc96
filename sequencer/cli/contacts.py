"""Commands on contacts: ``import`` them from CSV, ``enroll`` them in a sequence, ``stop`` one's
sequence, and record a ``goal``. Top-level commands are registered, in ``--help`` order, by
:mod:`sequencer.cli`.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sequencer.app import EnrollReport, ImportReport
from sequencer.cli.common import ProgressBar, engine, err, escape, friendly, out, utc
from sequencer.config import Config
from sequencer.model import StopReason
from sequencer.services.bulk import BulkStop, StopMany
from sequencer.services.contacts import read_address_file


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
    verify: Annotated[
        bool | None,
        typer.Option(
            "--verify/--no-verify",
            help="Look up each domain's mail host in DNS first: a null MX or no mail host "
            "refuses the row; role and disposable addresses are flagged. Default: [verify] "
            "enabled in the config (off).",
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
            verify=verify,
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
    if report.verification is not None:  # --verify: the domains checked, rows flagged
        from sequencer.cli.domains import verification_lines

        for line in verification_lines(report.verification):
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
    if report.opted_out:
        lines.append(
            f"{report.opted_out} contact(s) the file marks as opted out of email: suppressed, so "
            "no sequence mails them"
        )
    if report.rezone_error:
        lines.append(f"[yellow]{escape(report.rezone_error)}[/]: import again once they load")
    if report.rezoned:
        lines.append(
            f"{report.rezoned} active enrollment(s) now follow their contact's new time zone "
            "(scheduled sends moved into its window)"
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
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show the schedule (message 1 per sender); write nothing."),
    ] = False,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            "-y",
            help=f"Do not ask, even for more than {LARGE_BATCH:,} contacts or a schedule "
            f"longer than {LONG_SCHEDULE.days // 7} weeks.",
        ),
    ] = False,
) -> None:
    """Enroll all (or the selected) contacts in a sequence; a large batch or a long schedule is
    shown first and asked about."""
    filters = dict(_pair(w) for w in where or [])
    with engine() as eng, ProgressBar(f"placing message 1 in '{sequence}'") as (bar, task):

        def confirm(report: EnrollReport) -> bool:
            bar.stop()
            if dry_run or (_big(report) and not yes):
                _print_schedule(report, eng.config)
            return not dry_run and (yes or not _big(report) or _ask_to_enroll(report))

        report = eng.bulk.enroll(
            sequence,
            sender=sender,
            emails=email,
            where=filters or None,
            again=again,
            confirm=confirm,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    for address, current in report.refused:
        err.print(f"[yellow]refused[/] {escape(address)}: already active in '{escape(current)}'")
    if report.done_before:
        err.print(
            f"[yellow]skipped[/] {len(report.done_before)} "
            f"contact(s) who went through '{escape(report.sequence)}' "
            "before (--again to include them)"
        )
    if report.written and report.enrolled:
        out.print(
            f"[green]{report.enrolled} enrolled[/] in '{escape(report.sequence)}' "
            f"{_who(report)}; message 1 goes out {_between(report)}"
        )
    elif not report.enrolled:
        out.print(
            f"no contact enrolled ({len(report.refused)} active elsewhere, "
            f"{len(report.done_before)} through '{escape(report.sequence)}' before)"
        )
    elif dry_run:
        out.print("dry run: nothing written")


#: More contacts than this in one enroll is asked about (``--yes`` skips the question).
LARGE_BATCH = 1000
#: A schedule whose message 1 spreads over longer than this is asked about.
LONG_SCHEDULE = timedelta(weeks=4)


def _who(report: EnrollReport) -> str:
    if len(report.by_sender) > 1:
        return "from " + ", ".join(f"{name} {count}" for name, count in report.by_sender.items())
    return f"from {next(iter(report.by_sender), report.sender)}"


def _between(report: EnrollReport) -> str:
    if report.first_due == report.last_due:
        return f"at {utc(report.first_due)}"
    return f"between {utc(report.first_due)} and {utc(report.last_due)} ({span_words(report.span)})"


def span_words(span: timedelta) -> str:
    """A schedule's length as a person reads it: days, then weeks, then weeks and months."""
    days = span.total_seconds() / 86400
    if days < 14:
        return f"{days:.1f} days" if days < 2 else f"{round(days)} days"
    weeks = f"{days / 7:.0f} weeks"
    if days < 61:
        return weeks
    months = days / 30.44
    years = f", {months / 12:.1f} years" if months >= 24 else ""
    return f"{weeks}, about {months:.0f} months{years}"


def _print_schedule(report: EnrollReport, config: Config) -> None:
    """How many contacts, and each sender's first and last message 1 (dates in the sender's
    zone), with a warning when the schedule is long."""
    if not report.enrolled:
        return
    out.print(
        f"{report.enrolled:,} contact(s) to enroll in '{escape(report.sequence)}'; "
        f"message 1 goes out {_between(report)}"
    )
    table = Table("sender", "contacts", "first message 1", "last message 1", "span")
    for name, count in report.by_sender.items():
        first, last = report.spans[name]
        sender = config.senders.get(name)
        zone = sender.timezone if sender is not None else first.tzinfo
        table.add_row(
            escape(name),
            f"{count:,}",
            first.astimezone(zone).strftime("%a %Y-%m-%d"),
            last.astimezone(zone).strftime("%a %Y-%m-%d"),
            span_words(last - first),
        )
    out.print(table)
    if report.span > LONG_SCHEDULE:
        err.print(
            f"[yellow]warning:[/] message 1 spreads over {span_words(report.span)}: the last "
            f"contact hears from you on {report.last_due:%Y-%m-%d}. More senders (--sender, "
            "repeated), a higher daily_cap or fewer contacts make it shorter.",
            soft_wrap=True,
        )


def _big(report: EnrollReport) -> bool:
    """More than :data:`LARGE_BATCH` contacts, or a schedule longer than :data:`LONG_SCHEDULE`."""
    return report.enrolled > LARGE_BATCH or report.span > LONG_SCHEDULE


def _ask_to_enroll(report: EnrollReport) -> bool:
    """Asked on a terminal; refused (exit 1) without one."""
    large = report.enrolled > LARGE_BATCH
    why = f"{report.enrolled:,} contacts" if large else f"a schedule of {span_words(report.span)}"
    return ask(f"Enroll them ({why})?", refused="nothing enrolled", hint="--dry-run shows it")


def ask(question: str, *, refused: str, hint: str) -> bool:
    """Ask on the terminal (default no). With no terminal to ask on, refuse with a message and
    exit 1 rather than wait: ``--yes`` is how a script says yes."""
    if not sys.stdin.isatty():
        err.print(
            f"[red]error:[/] {question} needs an answer, and there is no terminal to ask on: "
            f"{refused}. Pass --yes to go ahead without asking ({hint}).",
            soft_wrap=True,
        )
        raise typer.Exit(1)
    if typer.confirm(question, default=False, err=True):
        return True
    err.print(refused)
    return False


def _pair(text: str) -> tuple[str, str]:
    name, eq, value = text.partition("=")
    if not eq:
        raise typer.BadParameter(f"'{text}' should be FIELD=VALUE")
    return name.strip(), value.strip()


@friendly
def stop(
    email: Annotated[
        str | None,
        typer.Argument(help="The contact's address (or stop many: --sequence, --where, --file)."),
    ] = None,
    reason: Annotated[str, typer.Option(help="reply | bounce | unsubscribe | manual")] = "manual",
    detail: Annotated[str | None, typer.Option(help="A note kept with the event.")] = None,
    sequence: Annotated[
        str | None, typer.Option("--sequence", "-s", help="Stop everyone open in this sequence.")
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(help="Stop contacts with FIELD=VALUE (company=Acme, or a custom field)."),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", help="Stop the addresses in a file: one per line, or a CSV's email column."
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Stop many without asking.")] = False,
) -> None:
    """Stop a contact's sequence now (or many: --sequence, --where, --file, which combine); every
    pending step is cancelled."""
    from sequencer.stops import STOP_REASONS

    allowed = [r.value for r in STOP_REASONS]  # a goal is recorded with `goal`
    if reason not in allowed:
        raise typer.BadParameter(f"use one of {', '.join(allowed)}", param_hint="--reason")
    bulk = sequence is not None or where or file is not None
    if bulk and email is not None:
        raise typer.BadParameter(
            "give an address, or --sequence / --where / --file, not both", param_hint="ADDRESS"
        )
    if not bulk and email is None:
        raise typer.BadParameter(
            "give the contact's address, or stop many with --sequence, --where or --file",
            param_hint="ADDRESS",
        )
    if email is None:
        request = StopMany(
            sequence=sequence,
            where=dict(_pair(w) for w in where or []) or None,
            emails=read_address_file(file) if file is not None else None,
            reason=StopReason(reason),
            detail=detail,
        )
        _stop_many(request, yes=yes, file=file)
        return
    _stop_one(email, reason, detail)


def _stop_one(email: str, reason: str, detail: str | None) -> None:
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


def _stop_many(request: StopMany, *, yes: bool, file: Path | None) -> None:
    """Show the count, ask (unless --yes), stop in batches, say what was done."""

    def confirm(found: BulkStop) -> bool:
        _print_matches(found, file)
        return yes or ask(
            f"Stop {found.matched:,} enrollment(s) ({request.reason.value})?",
            refused="nothing stopped",
            hint="the count above is what would stop",
        )

    with engine() as eng:
        report = eng.bulk.stop(request, confirm=confirm)
    if not report.matched:
        _print_matches(report, file)
        out.print("nothing to stop: no active or waiting enrollment matches")
    elif report.written:
        out.print(
            f"[green]stopped {report.stopped:,}[/] ({request.reason.value}); "
            "pending steps cancelled"
        )


def _print_matches(report: BulkStop, file: Path | None) -> None:
    if report.unknown:
        shown = ", ".join(escape(a) for a in report.unknown[:5])
        more = f" and {len(report.unknown) - 5} more" if len(report.unknown) > 5 else ""
        err.print(
            f"[yellow]warning:[/] {len(report.unknown):,} address(es) in {escape(str(file))} "
            f"are no imported contact: {shown}{more}",
            soft_wrap=True,
        )
    if report.matched:
        per = ", ".join(f"{escape(name)} {n:,}" for name, n in report.by_sequence.items())
        out.print(f"{report.matched:,} active or waiting enrollment(s) match: {per}")


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
