"""Commands that show what is stored, never change it: ``contacts list`` (contacts with their
latest enrollment), ``contacts show`` (one contact's fields, enrollments, sends and events, in
their own time zone) and ``queue`` (what is due next, per sender). Registered by
:mod:`sequencer.cli`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from sequencer.cli.common import engine, escape, friendly, out
from sequencer.errors import ContactNotFound
from sequencer.loader import parse_zone
from sequencer.status import EnrollmentStatus

contacts_app = typer.Typer(help="See the imported contacts.", no_args_is_help=True)

_STATUSES = ", ".join(s.value for s in EnrollmentStatus)


def _print_table(
    columns: tuple[str, ...], rows: list[list[str]], keys: int = 1, *, empty: str = "none"
) -> None:
    """Rows under ``columns`` (cells already escaped). The first ``keys`` columns hold what a
    person copies (addresses, sequence and step keys): they are never cut short or wrapped; the
    other columns wrap instead, and where even that does not fit, each row is a line."""
    if not rows:
        out.print(empty)
        return
    table = Table(*columns)
    for index, column in enumerate(table.columns):
        header = max(len(word) for word in columns[index].split())
        if index < keys:
            column.no_wrap = True
            column.min_width = max([header, *(len(row[index]) for row in rows)])
        else:  # words are not broken; only a word longer than 20 characters may be
            column.overflow = "fold"
            words = (len(word) for row in rows for word in row[index].split())
            column.min_width = min(max([header, *words]), 20)
    for row in rows:
        table.add_row(*row)
    needed = sum(c.min_width or 1 for c in table.columns) + 3 * len(columns) + 1  # + borders
    if needed <= out.width:
        out.print(table)
        return
    for row in rows:  # too narrow for the table: a line each, keys first and whole
        pairs = ", ".join(
            f"{c} {v}"
            for c, v in zip(columns[keys:], row[keys:], strict=True)
            if v not in ("", "-")
        )
        out.print(" ".join(row[:keys]) + (": " if keys else "") + pairs, soft_wrap=True)


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M %Z") if moment else "-"


def _zone(name: str | None, fallback: ZoneInfo) -> ZoneInfo:
    try:
        return parse_zone(name) if name else fallback
    except ValueError:
        return fallback


@contacts_app.command("list")
@friendly
def list_contacts(
    sequence: Annotated[
        str | None, typer.Option("--sequence", "-s", help="Only contacts enrolled in it.")
    ] = None,
    status: Annotated[
        str | None, typer.Option(help=f"Only with an enrollment in this state: {_STATUSES}.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.", min=1)] = 50,
) -> None:
    """Contacts in import order, each with its latest enrollment (in --sequence, with
    --status) and when its next step is due."""
    if status is not None and status not in {s.value for s in EnrollmentStatus}:
        raise typer.BadParameter(f"use one of {_STATUSES}", param_hint="--status")
    with engine() as eng:
        page = eng.store.listing.contacts(sequence=sequence, status=status, limit=limit)
    rows = []
    for line in page.lines:
        state = line.status or "-"
        if line.stop_reason and line.status == EnrollmentStatus.STOPPED:
            state = f"{state} ({line.stop_reason})"
        rows.append(
            [
                escape(line.email),
                escape(line.sequence or "-"),
                escape(line.name),
                escape(line.company),
                escape(state),
                escape(line.sender or "-"),
                line.next_due.strftime("%Y-%m-%d %H:%M") if line.next_due else "-",
            ]
        )
    columns = ("email", "sequence", "name", "company", "status", "sender", "next step (UTC)")
    _print_table(columns, rows, keys=2, empty="no contact matches")
    if not rows:
        return
    shown = f"{len(page.lines):,} of {page.total:,}" if page.total > len(page.lines) else ""
    out.print(
        f"{shown or f'{page.total:,}'} contact(s)" + (" (--limit shows more)" if shown else "")
    )


@contacts_app.command("show")
@friendly
def show_contact(
    email: Annotated[str, typer.Argument(help="The contact's address.")],
) -> None:
    """One contact: fields, enrollments (status, stop reason), sends (due and sent in the
    contact's time zone) and events."""
    with engine() as eng:
        detail = eng.store.listing.contact(email)
        fallback = eng.config.sender(None).timezone if eng.config.senders else ZoneInfo("UTC")
    if detail is None:
        raise ContactNotFound(f"no contact with the address {email}; import it first")
    contact = detail.contact
    latest = detail.enrollments[-1].timezone if detail.enrollments else None
    zone = _zone(contact.timezone or latest, fallback)
    standard = ("email", "first_name", "last_name", "company", "title", "timezone")
    fields = [
        [name, escape(str(getattr(contact, name)))]
        for name in (*standard, "linkedin_url")
        if getattr(contact, name)
    ]
    fields += [[escape(name), escape(value)] for name, value in sorted(contact.fields.items())]
    _print_table(("field", "value"), fields, keys=2)
    out.print(f"times in [bold]{zone.key}[/]")
    enrollments = [
        [
            escape(e.sequence),
            escape(e.sender),
            e.status,
            escape(" ".join(filter(None, [e.stop_reason, e.stop_detail])) or "-"),
            _local(e.enrolled_at, zone),
            _local(e.finished_at, zone),
        ]
        for e in detail.enrollments
    ]
    columns = ("sequence", "sender", "status", "stop reason", "enrolled", "finished")
    _print_table(columns, enrollments, keys=2, empty="no enrollments")
    sends = [
        [
            escape(s.sequence),
            escape(s.step_key),
            s.channel,
            s.status,
            _local(s.due_at, zone),
            _local(s.sent_at, zone),
            escape(s.subject or ""),
        ]
        for s in detail.sends
    ]
    headers = ("sequence", "step", "channel", "status", "due", "sent", "subject")
    _print_table(headers, sends, keys=2, empty="no sends")
    events = [
        [_local(ev.at, zone), escape(ev.kind), escape(ev.detail or "")] for ev in detail.events
    ]
    _print_table(("when", "event", "detail"), events, keys=0, empty="no events")


@friendly
def queue(
    sender: Annotated[str | None, typer.Option(help="Only this sender's queue.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many sends per sender.", min=1)] = 10,
) -> None:
    """What is due next, per sender: address, step and due time in the sender's and the
    recipient's time zones."""
    with engine() as eng:
        if sender is not None:
            eng.config.sender(sender)  # an unknown name is an error that lists the known ones
        lines = eng.store.listing.queue(sender=sender, limit=limit)
        zones = {name: s.timezone for name, s in eng.config.senders.items()}
    if not lines:
        out.print("nothing is waiting to go out" + (f" from {escape(sender)}" if sender else ""))
        return
    rows = []
    for line in lines:
        own = zones.get(line.sender, ZoneInfo("UTC"))
        rows.append(
            [
                escape(line.sender),
                escape(line.email),
                escape(line.sequence),
                escape(line.step_key),
                line.status,
                _local(line.due_at, own),
                _local(line.due_at, _zone(line.zone, ZoneInfo("UTC"))),
            ]
        )
    columns = ("sender", "to", "sequence", "step", "status", "due (sender)", "due (recipient)")
    _print_table(columns, rows, keys=4)
