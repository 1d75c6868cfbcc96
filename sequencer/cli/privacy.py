"""Who is never mailed again: ``forget`` erases a person (GDPR), and the ``suppress`` group keeps
the global suppression list of addresses and domains. Top-level commands are registered, in
``--help`` order, by :mod:`sequencer.cli`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sequencer.cli.common import engine, err, escape, friendly, out, utc
from sequencer.services import suppressions


@friendly
def forget(
    email: Annotated[str, typer.Argument(help="The person's address.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    unknown_ok: Annotated[
        bool,
        typer.Option(
            "--unknown-ok",
            help="Also when the address is no contact: only keep "
            "its hash on the suppression list, so it is never imported.",
        ),
    ] = False,
    vacuum: Annotated[
        bool,
        typer.Option(
            "--vacuum",
            help="Also rewrite the database (SQLite VACUUM, PostgreSQL "
            "VACUUM FULL): for a database made before erasure zeroed deleted "
            "content.",
        ),
    ] = False,
) -> None:
    """Erase a person (GDPR): their contact fields and every text about them. The counts stay
    (reports and
    A/B statistics do not change), and a hash of the address stays on the suppression list."""
    if not yes:
        typer.confirm(
            f"Erase everything sequencer holds about {email}? This cannot be undone", abort=True
        )
    with engine() as eng:
        r = eng.forget(email, unknown_ok=unknown_ok, rewrite=vacuum)
    if r.contact_id is None:
        out.print(
            f"{escape(email)} is not a contact: nothing to "
            "erase but its hash, added to the suppression list"
        )
    else:
        out.print(
            f"erased {escape(email)} (contact #{r.contact_id} "
            f"is now 'forgotten'): {r.sends} send(s), "
            f"{r.events} event(s), {r.tasks} task(s), {r.inbound} inbound message(s), "
            f"{r.enrollments} enrollment(s) cleared"
        )
    if r.stopped or r.cancelled:
        out.print(f"stopped {r.stopped} enrollment(s) and cancelled {r.cancelled} pending step(s)")
    if r.inbound and r.contact_id is None:
        out.print(f"cleared {r.inbound} inbound message(s) from the address")
    if r.mentions:
        out.print(f"blanked the address out of {r.mentions} other record(s)")
    if r.unsuppressed:
        out.print("its plaintext suppression entry was replaced by the hash")
    counts = (
        "the statuses, variants and times of sends and events "
        "(reports and A/B counts unchanged), and "
    )
    out.print(
        f"kept: {counts if r.contact_id is not None else ''}the "
        f"hashed suppression {r.suppression_key} "
        "(an unsalted SHA-256 of the address): it is never imported or mailed again"
    )
    if r.wal_truncated is False:
        err.print(
            "[yellow]warning:[/] another process kept the database "
            "open: old copies of the erased rows stay "
            "in its write-ahead log (the -wal file) until its "
            "next checkpoint; run `sequencer forget "
            f"--unknown-ok --yes {escape(email)}` again when the worker is stopped"
        )
    elif r.vacuum or r.wal_truncated:
        done = ", ".join(
            x
            for x in (
                r.vacuum,
                "write-ahead log checkpointed and truncated" if r.wal_truncated else None,
            )
            if x
        )
        out.print(f"database: {done} ({r.compact_seconds:.1f} s)")


suppress_app = typer.Typer(
    help="The global suppression list: addresses and domains never mailed.", no_args_is_help=True
)


@suppress_app.command("add")
@friendly
def suppress_add(
    entries: Annotated[list[str], typer.Argument(help="Addresses, or domains as @example.com.")],
    reason: Annotated[str, typer.Option(help="Kept with the entry.")] = "manual",
) -> None:
    """Never mail these addresses or domains again, in any sequence."""
    with engine() as eng:
        added, known = eng.suppress(*entries, reason=reason)
    out.print(f"{added} added, {known} already on the list")


@suppress_app.command("import")
@friendly
def suppress_import(
    file: Annotated[
        Path, typer.Argument(help="CSV with an email (or domain) column, or one entry per line.")
    ],
    reason: Annotated[str, typer.Option(help="Kept with each entry.")] = "import",
) -> None:
    """Suppress every entry of a file; one bad row and nothing is added."""
    with engine() as eng:
        added, known = eng.suppress_file(file, reason=reason)
    out.print(f"{file}: {added} added, {known} already on the list")


@suppress_app.command("list")
@friendly
def suppress_list(
    reason: Annotated[
        str | None, typer.Option(help="Only entries added for this reason (bounce, manual...).")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Only entries added since: a date, an ISO time, or 7d / 12h back."),
    ] = None,
) -> None:
    """Every suppressed address and domain, oldest first."""
    with engine() as eng:
        moment = suppressions.since_time(since, now=eng.clock.now()) if since else None
        rows = eng.suppression_list.listed(reason=reason, since=moment)
    table = Table("entry", "reason", "since")
    for row in rows:
        table.add_row(escape(row.key), escape(row.reason), utc(row.created_at))
    out.print(table)
    out.print(f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'}")


@suppress_app.command("remove")
@friendly
def suppress_remove(
    entries: Annotated[list[str], typer.Argument(help="Addresses, or domains as @example.com.")],
    reason: Annotated[str, typer.Option(help="Why, kept in the change log.")] = "manual",
) -> None:
    """Mail these addresses or domains again; one malformed entry and nothing is removed."""
    with engine() as eng:
        done = eng.suppression_list.remove(*entries, reason=reason)
    _removed(done)
    for key in done.absent:
        erased = " (erased with forget: its hash stays on the list)" if key in done.erased else ""
        out.print(f"not on the list: {escape(key)}{erased}")


@suppress_app.command("undo")
@friendly
def suppress_undo(
    since: Annotated[
        str, typer.Option(help="Revert what was added since: a date, an ISO time, or 7d / 12h.")
    ],
    reason: Annotated[str | None, typer.Option(help="Only entries added for this reason.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Revert a mistaken batch: remove every entry added since a moment (for one reason). Hashes
    left by ``forget`` stay."""
    with engine() as eng:
        moment = suppressions.since_time(since, now=eng.clock.now())
        rows = eng.suppression_list.undoable(moment, reason=reason)
        if not rows:
            out.print(f"nothing was added since {utc(moment)}{_for(reason)}: nothing to undo")
            return
        counts = ", ".join(f"{n} {escape(r)}" for r, n in suppressions.by_reason(rows).items())
        out.print(f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'} added since {utc(moment)}")
        out.print(f"by reason: {counts}")
        asked = sum(r.reason in suppressions.ASKED for r in rows)
        if asked:
            err.print(
                f"[yellow]warning:[/] {asked} of them asked not to be mailed (unsubscribe or "
                "complaint); use --reason to leave them out"
            )
        if not yes:
            typer.confirm(f"Remove these {len(rows)} from the suppression list?", abort=True)
        done = eng.suppression_list.undo(rows)
    _removed(done)


def _removed(done: suppressions.Removal) -> None:
    out.print(f"removed {len(done.removed)}: {escape(', '.join(done.removed)) or '-'}")
    if done.removed:
        out.print(
            "stopped enrollments stay stopped: enroll the contacts again to mail them "
            "(each change is in the log: sequencer suppress history)"
        )


def _for(reason: str | None) -> str:
    return f" for {escape(reason)!r}" if reason else ""


@suppress_app.command("history")
@friendly
def suppress_history(
    entry: Annotated[
        str | None, typer.Argument(help="One address or @domain; every change without.")
    ] = None,
) -> None:
    """The suppression list's change log: each entry added or removed, why and by what."""
    with engine() as eng:
        rows = eng.suppression_list.changes(entry)
    table = Table("at", "entry", "action", "reason", "source")
    for row in rows:
        table.add_row(
            utc(row.at), escape(row.key), row.action, escape(row.reason), escape(row.source)
        )
    out.print(table)
    out.print(f"{len(rows)} change{'' if len(rows) == 1 else 's'}")
