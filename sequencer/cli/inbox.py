"""The ``inbox`` group: read the senders' mailboxes once, show what was read and done, and
classify message files offline (``inbox classify``, for anyone tuning or checking the rules).
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from sequencer.cli.common import engine, err, escape, friendly, out
from sequencer.inbound.classify import Inbound, classify
from sequencer.inbound.message import parse

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
            [
                (h.sender, h.kind, h.intent, h.from_address, h.subject, h.action)
                for h in report.handled
            ]
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
    _print_inbound(
        [(r.sender, r.kind, r.intent, r.from_address, r.subject or "", r.detail) for r in rows]
    )


def _print_inbound(rows: list[tuple[str, str, str | None, str | None, str, str]]) -> None:
    table = Table("sender", "kind", "intent", "from", "subject", "what was done")
    colours = {
        "reply": "green",
        "bounce": "red",
        "unsubscribe": "red",
        "auto_reply": "yellow",
        "soft_bounce": "yellow",
    }
    for sender, kind, intent, sender_address, subject, action in rows:
        colour = colours.get(kind, "dim")
        table.add_row(
            sender,
            f"[{colour}]{kind}[/]",
            escape(intent or "-"),
            escape(sender_address or "-"),
            escape(subject[:60]),
            escape(action),
        )
    out.print(table)


@inbox_app.command("classify")
def inbox_classify(
    files: Annotated[
        list[Path], typer.Argument(help="Message files (.eml) to classify.", show_default=False)
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="A JSON list of {file, kind, intent, reason} on stdout.")
    ] = False,
) -> None:
    """Classify message files as the inbox would, offline: no database, no configuration.

    A file that cannot be read, or is not an email, is reported on its own and the others are
    still classified; the exit status is then 1.
    """
    today = datetime.date.today()
    results: list[dict[str, Any]] = []
    for path in files:
        problem, info = _classify_file(path, today)
        if problem is not None:
            err.print(f"[red]error:[/] {escape(str(path))}: {escape(problem)}")
        results.append(_as_row(path, info, problem))
    if as_json:
        sys.stdout.write(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    else:
        table = Table("file", "kind", "intent", "reason")
        for row in results:
            reason = row["reason"] or f"[red]{escape(row['error'])}[/]"
            table.add_row(escape(row["file"]), row["kind"] or "-", row["intent"] or "-", reason)
        out.print(table)
    if any(row["error"] for row in results):
        raise typer.Exit(1)


def _classify_file(path: Path, today: datetime.date) -> tuple[str | None, Inbound | None]:
    """(why the file cannot be classified, or None; its classification)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return f"cannot read: {exc.strerror or type(exc).__name__}", None
    try:
        parsed = parse(raw, today=today)
    except Exception as exc:  # the email package can choke on hostile bytes
        return f"not an email: {type(exc).__name__}", None
    if isinstance(parsed, str):
        return f"not an email: {parsed.removesuffix(': not an email')}", None
    return None, classify(raw, today=today)


def _as_row(path: Path, info: Inbound | None, problem: str | None) -> dict[str, Any]:
    if info is None:
        return {"file": str(path), "kind": None, "intent": None, "reason": None, "error": problem}
    reason = info.reason
    if info.intent_reason and info.intent_reason != info.reason:
        reason = f"{reason}; {info.intent}: {info.intent_reason}"
    return {
        "file": str(path),
        "kind": info.kind.value,
        "intent": info.intent.value if info.intent else None,
        "reason": reason,
        "referred": info.referred,
        "return_date": info.return_date.isoformat() if info.return_date else None,
        "error": None,
    }
