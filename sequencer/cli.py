"""The ``sequencer`` command: a thin layer over :class:`sequencer.Engine`."""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape as _markup_escape
from rich.padding import Padding
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from sequencer import planner
from sequencer.app import Engine, Preview
from sequencer.config import Config, OAuthSettings, load_config
from sequencer.errors import SequencerError
from sequencer.terminal import printable

app = typer.Typer(
    help="Outreach sequences under a named sender: validate, import, enroll, preview, send.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
F = TypeVar("F", bound=Callable[..., Any])


class _State:
    config: Path | None = None
    db: str | None = None


state = _State()


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
    state.db = _db_url(db)
    from sequencer.logs import configure

    configure(level="warning")  # commands print their own results; the worker sets its own level


def _db_url(db: str | None) -> str | None:
    if db is None or "://" in db:
        return db
    return f"sqlite:///{Path(db).resolve()}"


def engine() -> Engine:
    return Engine.from_config(state.config, database_url=state.db)


def _escape(text: str) -> str:
    """Stored or inbound text made safe to print: no terminal escapes, no rich markup."""
    return _markup_escape(printable(text))


def friendly(func: F) -> F:
    """Turn a user's mistake into a message and exit status 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SequencerError as exc:
            err.print(f"[red]error:[/] {_escape(exc.message)}", markup=True, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@app.command()
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
        err.print(f"[{colour}]{problem.severity}[/]: {_escape(str(problem))}", soft_wrap=True)
    if errors:
        err.print(f"[red]{len(errors)} error(s)[/], {len(problems) - len(errors)} warning(s)")
        raise typer.Exit(1)
    out.print(f"[green]ok[/]: {', '.join(map(str, names))} ({len(problems)} warning(s))")


@app.command("import")
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
) -> None:
    """Import contacts from CSV; re-importing updates instead of duplicating."""
    from sequencer.contacts import RowProblem

    with engine() as eng, _progress(f"importing {file.name}") as (bar, task):
        report = eng.import_contacts(
            file,
            skip_bad=skip_bad,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    labels = {
        RowProblem.SKIPPED: "[yellow]skipped[/]",
        RowProblem.CHANGED: "[yellow]changed[/]",
        RowProblem.BROKEN: "[red]broken[/]",
    }
    for error in report.errors:
        err.print(
            f"{labels[error.problem]} {_escape(str(file))}: {_escape(str(error))}", soft_wrap=True
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


@app.command()
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
            f"at {_utc(report.first_due)}"
            if report.first_due == report.last_due
            else f"between {_utc(report.first_due)} and {_utc(report.last_due)}"
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


@app.command()
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
        f"[bold]{_escape(p.contact.email)}[/] in '{p.sequence.name}' from {p.sender.display_name} "
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
            if p.then.status == "deferred"
            else f"between {local} and {p.then.latest.astimezone(p.zone).strftime('%a %Y-%m-%d')}"
        )
        out.print(
            Text.assemble(
                "\nthen: ", (p.then.sequence, "bold"), f", {when}{rules} ({p.then.status})"
            )
        )
    if p.errors:
        err.print(f"[red]{len(p.errors)} variant(s) cannot be rendered for this contact[/]")


@app.command()
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


@app.command()
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


senders_app = typer.Typer(help="Sender mailboxes.", no_args_is_help=True)
app.add_typer(senders_app, name="senders")


@senders_app.command("check")
@friendly
def senders_check() -> None:
    """Try each sender's SMTP login (and IMAP, when a mailbox is polled) and say clearly what
    failed.

    A sender with auth = "oauth2" refreshes its access token first; one whose refresh token was
    refused says "reconnect this sender"."""
    import asyncio

    from sequencer.channels.smtp import check
    from sequencer.inbound.imap import ImapMailbox, MailboxError

    senders = list(_config().senders.values())
    if not senders:
        err.print("[red]error:[/] no senders are configured (see examples/sequencer.toml)")
        raise typer.Exit(1)
    failed = 0
    for sender in senders:
        problem = asyncio.run(check(sender))
        where = f"{sender.name} <{sender.email}> via {sender.smtp.host}:{sender.smtp.port}"
        if sender.smtp.oauth is not None:
            where += f" ({sender.smtp.oauth.mechanism.upper()})"
        if problem is None:
            out.print(f"[green]ok[/]     {where}")
        else:
            failed += 1
            out.print(f"[red]failed[/] {where}: {_escape(problem)}")
        if sender.imap is None or (problem is not None and "reconnect this sender" in problem):
            continue
        where = f"{sender.name} <{sender.email}> inbox {sender.imap.host}:{sender.imap.port}"
        try:
            ImapMailbox(sender.imap).check()
        except MailboxError as exc:
            failed += 1
            out.print(f"[red]failed[/] {where}: {_escape(exc.message)}")
        else:
            out.print(f"[green]ok[/]     {where}")
    if failed:
        raise typer.Exit(1)


def _config() -> Config:
    return load_config(state.config, database_url=state.db)


def _oauth_sender(name: str) -> OAuthSettings:
    sender = _config().sender(name)
    if sender.smtp.oauth is None:
        err.print(
            f"[red]error:[/] sender {_escape(name)} logs in "
            'with a password; set auth = "oauth2" (and '
            "provider) in its "
            + _escape("[[senders]]")
            + " table to connect it with OAuth2 (see docs/mailboxes.md)"
        )
        raise typer.Exit(1)
    return sender.smtp.oauth


@senders_app.command("connect")
@friendly
def senders_connect(
    name: Annotated[
        str, typer.Argument(help="The sender to connect (its name in sequencer.toml).")
    ],
    no_browser: Annotated[
        bool,
        typer.Option(
            "--no-browser",
            help="Loopback flow: only print the sign-in address; open it yourself on this machine.",
        ),
    ] = False,
) -> None:
    """Sign in to a sender's Google Workspace or Microsoft 365 mailbox with OAuth2 and keep its
    refresh token.

    Microsoft (flow = device): enter the code shown here at the address shown, in any browser.

    Google (flow = loopback): a browser opens the consent page, which sends you back to 127.0.0.1
    (authorization code with PKCE).

    The refresh token is stored encrypted with the key in $SEQUENCER_TOKEN_KEY, in a 0600 file in
    the oauth token_dir;
    it is never printed or logged. See docs/mailboxes.md for the admin steps."""
    from sequencer import oauth

    settings = _oauth_sender(name)
    if settings.flow == "device":
        tokens = oauth.connect_device(
            settings, show=lambda text: out.print(_escape(text), soft_wrap=True)
        )
    else:

        def open_url(url: str) -> None:
            out.print(f"open this address to sign in:\n{_escape(url)}", soft_wrap=True)
            if not no_browser:
                import webbrowser

                webbrowser.open(url)

        tokens = oauth.connect_loopback(
            settings, open_url=open_url, login_hint=_config().sender(name).email
        )
    minutes = max(0, int(tokens.expires_at - time.time())) // 60
    out.print(
        f"[green]connected[/] {name}: tokens stored in {settings.token_file} "
        f"(access token valid for {minutes} min, refreshed as needed)"
    )


@senders_app.command("disconnect")
@friendly
def senders_disconnect(
    name: Annotated[str, typer.Argument(help="The sender to disconnect.")],
) -> None:
    """Forget a sender's stored OAuth2 tokens. It cannot send or read its mailbox until connected
    again.
    (The grant itself is revoked in the Google or Microsoft account's security settings.)"""
    from sequencer import oauth

    settings = _oauth_sender(name)
    if oauth.disconnect(settings):
        out.print(f"disconnected {name}: its tokens are deleted")
    else:
        out.print(f"{name} was not connected: nothing to delete")


@app.command()
@friendly
def stop(
    email: Annotated[str, typer.Argument(help="The contact's address.")],
    reason: Annotated[str, typer.Option(help="reply | bounce | unsubscribe | manual")] = "manual",
    detail: Annotated[str | None, typer.Option(help="A note kept with the event.")] = None,
) -> None:
    """Stop a contact's sequence now; every pending step is cancelled."""
    from sequencer.model import StopReason

    allowed = [r.value for r in StopReason if r not in (StopReason.GOAL, StopReason.SUPPRESSED)]
    if reason not in allowed:
        raise typer.BadParameter(f"use one of {', '.join(allowed)}", param_hint="--reason")
    with engine() as eng:
        stopped = eng.stop(email, reason=reason, detail=detail)
    if stopped is None:
        out.print(f"recorded {reason} for {email}; no active sequence was stopped")
    else:
        out.print(f"stopped '{stopped.sequence}' for {email} ({reason}); pending steps cancelled")


@app.command()
@friendly
def goal(
    email: Annotated[str, typer.Argument(help="The contact's address.")],
    name: Annotated[str, typer.Argument(help="Goal name, e.g. meeting_booked.")],
) -> None:
    """Record a goal; it stops the sequence if the sequence lists that goal under stop_on."""
    with engine() as eng:
        stopped = eng.goal(email, name)
    if stopped is None:
        out.print(f"recorded goal '{name}' for {email}; no sequence stops on it")
    else:
        out.print(f"goal '{name}' for {email}: stopped '{stopped.sequence}'")


tasks_app = typer.Typer(
    help="LinkedIn and call tasks for people to do.", invoke_without_command=True
)
app.add_typer(tasks_app, name="tasks")


@tasks_app.callback()
@friendly
def tasks_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Every open task, not only today's.")] = False,
) -> None:
    """List the tasks due today, with the rendered message and the contact's LinkedIn URL."""
    if ctx.invoked_subcommand is not None:
        return
    with engine() as eng:
        found = eng.tasks(today=not all_)
    if not found:
        out.print("no open tasks due" + ("" if all_ else " today"))
        return
    for task, contact in found:
        name = printable(contact.full_name or contact.email)
        out.print(
            Text.assemble(
                (f"#{task.id} ", "bold"),
                (task.channel, "cyan"),
                f"  {name} <{printable(contact.email)}>  ",
                (printable(contact.linkedin_url or "(no LinkedIn URL)"), "blue"),
                f"  due {task.due_at:%Y-%m-%d %H:%M} UTC  [{task.sequence}/{task.step_key}]",
            )
        )
        out.print(Padding(Text(printable(task.message.strip())), (0, 0, 1, 4), expand=False))
    out.print(
        f"{len(found)} task(s). Mark one with `sequencer tasks "
        "done ID` or `sequencer tasks skip ID`."
    )


@tasks_app.command("done")
@friendly
def tasks_done(task_id: Annotated[int, typer.Argument(help="Task id.")]) -> None:
    """Mark a task done."""
    with engine() as eng:
        task = eng.close_task(task_id, done=True)
    out.print(f"task #{task.id}: {task.status}")


@tasks_app.command("skip")
@friendly
def tasks_skip(task_id: Annotated[int, typer.Argument(help="Task id.")]) -> None:
    """Skip a task."""
    with engine() as eng:
        task = eng.close_task(task_id, done=False)
    out.print(f"task #{task.id}: {task.status}")


@app.command()
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


@app.command()
@friendly
def doctor(
    ids: Annotated[
        list[int] | None, typer.Argument(metavar="ID", help="Send ids, with --mark-sent.")
    ] = None,
    mark_sent: Annotated[
        bool,
        typer.Option(
            "--mark-sent",
            help="Record these uncertain sends as sent (you found "
            "them in the Sent folder); their next step is queued.",
        ),
    ] = False,
) -> None:
    """Sends that need a person: uncertain ones (they may or may not have gone out) and ones stuck
    past their lease; also failures of the last 7 days. Exit status 1 when something needs a
    decision.
    """
    if mark_sent or ids:
        if not (mark_sent and ids):
            err.print(
                "[red]error:[/] give --mark-sent and the ids of the uncertain sends that went out, "
                "e.g. `sequencer doctor --mark-sent 12 13`"
            )
            raise typer.Exit(2)
        with engine() as eng:
            marked = eng.mark_sent(ids or [])
        out.print(
            f"{len(marked)} send(s) recorded as sent: {', '.join(f'#{i}' for i in marked)}; "
            "their next steps are queued"
        )
        return
    with engine() as eng:
        health = eng.doctor()
        reconnect = _senders_to_reconnect(eng.config)
    for line in reconnect:
        out.print(f"[red]sender[/] {_escape(line)}", soft_wrap=True)
    if health.uncertain:
        table = Table(
            "id",
            "contact",
            "sequence",
            "step",
            "sender",
            "Message-ID",
            "begun",
            "why",
            title="uncertain: may or may not have gone out",
            title_justify="left",
        )
        for u in health.uncertain:
            table.add_row(
                str(u.id),
                _escape(u.email),
                u.sequence,
                u.step,
                u.sender,
                _escape(u.message_id or "-"),
                _utc(u.begun_at),
                _escape(u.error or ""),
            )
        out.print(table)
    if health.stuck:
        out.print(
            f"[yellow]{len(health.stuck)} send(s) stuck[/] "
            "in 'claimed' or 'sending' past their lease "
            f"({', '.join(f'#{s.id}' for s in health.stuck)}): "
            "is the worker running? Its next tick takes "
            "claimed ones over and turns 'sending' ones into uncertain."
        )
    out.print(
        f"{len(health.uncertain)} uncertain, {len(health.stuck)} stuck, "
        f"{health.failed_recently} failed in the last 7 days"
    )
    if health.uncertain:
        out.print(
            "decide: `sequencer resend --uncertain [--id N "
            "...]` sends them again with the same Message-ID; "
            "`sequencer doctor --mark-sent N ...` records the ones you found in the Sent folder"
        )
    if health.needs_decision or reconnect:
        raise typer.Exit(1)
    out.print("[green]ok[/]: nothing needs a decision")


def _senders_to_reconnect(config: Config) -> list[str]:
    """OAuth2 senders that cannot log in until a person acts (read from their token files, no
    network).
    """
    from sequencer import oauth

    lines = []
    for sender in config.senders.values():
        if sender.smtp.oauth is None:
            continue
        try:
            problem = oauth.status(sender.smtp.oauth)
        except SequencerError as exc:
            problem = exc.message
        if problem is not None:
            lines.append(f"{sender.name}: {problem}")
    return lines


@app.command()
@friendly
def resend(
    uncertain: Annotated[
        bool,
        typer.Option(
            "--uncertain", help="Re-send uncertain sends (required: nothing else is ever re-sent)."
        ),
    ] = False,
    ids: Annotated[
        list[int] | None,
        typer.Option("--id", help="Only this send (repeatable; default: every uncertain send)."),
    ] = None,
) -> None:
    """Send uncertain sends again as the same message (same Message-ID), on the worker's
    next tick.
    """
    if not uncertain:
        err.print(
            "[red]error:[/] this command only re-sends uncertain "
            "sends: `sequencer resend --uncertain` "
            "(all of them) or `sequencer resend --uncertain --id N` (see `sequencer doctor`)"
        )
        raise typer.Exit(2)
    with engine() as eng:
        report = eng.resend_uncertain(ids or None)
    for send_id, why in report.skipped:
        err.print(
            f"[yellow]skipped[/] #{send_id}: {why}; not re-sent "
            f"(`sequencer doctor --mark-sent {send_id}` "
            "records it if it went out)"
        )
    if not report.requeued and not report.skipped:
        out.print("no uncertain sends: nothing to re-send")
    elif report.requeued:
        out.print(
            f"{len(report.requeued)} send(s) queued again with their original Message-ID "
            f"({', '.join(f'#{i}' for i in report.requeued)}); "
            "they go out on the worker's next tick"
        )


@app.command()
@friendly
def score(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Score and show, but record and retire nothing.")
    ] = False,
) -> None:
    """Run one look of the A/B scoring now (the worker runs it twice a week)."""
    with engine() as eng:
        families = eng.score(dry_run=dry_run)
    if not families:
        out.print("no variant family to score (a factor needs at least two live variants)")
        return
    for family in families:
        table = Table(
            "variant",
            "sends",
            "replies",
            "rate",
            "z",
            "p",
            "Holm p",
            "decision",
            title=f"{family.sequence} / {family.step} / {PLURAL[family.factor]}",
            title_justify="left",
        )
        for v in family.verdicts:
            colour = {"retire": "red", "best": "green"}.get(v.decision.value, "")
            table.add_row(
                v.key,
                str(v.sends),
                str(v.successes),
                f"{v.rate:.1%}",
                _num(v.z),
                _p(v.p),
                _p(v.p_holm),
                f"[{colour}]{v.decision.value}[/]" if colour else v.decision.value,
            )
        out.print(table)
        for v in family.verdicts:
            if v.decision.value == "retire":
                out.print(f"  [red]retired[/] {v.key}: {_escape(v.reason)}")
    retired = sum(len(f.retired) for f in families)
    out.print(
        ("dry run: nothing recorded; " if dry_run else "")
        + f"{retired} variant(s) "
        + ("would be retired" if dry_run else "retired")
    )


PLURAL = {"subject": "subjects", "body": "bodies"}


def _p(value: float | None) -> str:
    """A p-value: three decimals, or two significant digits when it is tiny."""
    if value is None:
        return "-"
    return f"{value:.2g}" if value < 0.001 else f"{value:.3f}"


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


variants_app = typer.Typer(
    help="A/B variants: status, and reviving a retired one.", invoke_without_command=True
)
app.add_typer(variants_app, name="variants")


@variants_app.callback()
@friendly
def variants_list(ctx: typer.Context) -> None:
    """Every variant: live or retired, since when, why, and its latest look."""
    if ctx.invoked_subcommand is not None:
        return
    with engine() as eng:
        rows = eng.variants()
    table = Table(
        "sequence",
        "step",
        "factor",
        "variant",
        "status",
        "since",
        "sends",
        "rate",
        "last decision",
        "why",
    )
    for r in rows:
        d = r.latest
        status = f"[red]{r.status}[/]" if r.status == "retired" else r.status
        table.add_row(
            r.sequence,
            r.step,
            r.factor,
            r.key,
            status,
            f"{r.since:%Y-%m-%d}" if r.since else "-",
            str(d.sends) if d else "-",
            f"{d.rate:.1%}" if d else "-",
            d.decision if d else "-",
            _escape(r.reason or (d.reason if d else "")),
        )
    out.print(table)


@variants_app.command("revive")
@friendly
def variants_revive(sequence: str, step: str, factor: str, key: str) -> None:
    """Put a retired variant back into rotation: sequencer variants revive cold intro
    subject idea.
    """
    with engine() as eng:
        eng.revive(sequence, step, factor, key)
    out.print(f"{sequence} / {step} / {factor} '{key}' is live again")


@app.command()
@friendly
def plan(
    sequence: Annotated[str, typer.Option("--sequence", "-s", help="Sequence name.")],
    contacts: Annotated[int, typer.Option(help="How many contacts are enrolled, all at --start.")],
    sender: Annotated[
        list[str] | None,
        typer.Option(
            "--sender",
            metavar="NAME:CAP[:ZONE]",
            help="A sender and its daily cap (repeatable; default: the configured senders).",
        ),
    ] = None,
    rate: Annotated[
        str, typer.Option(help="Assumed reply rate of a message (0.04 or 4%).")
    ] = "0.04",
    step_rate: Annotated[
        list[str] | None,
        typer.Option(
            "--step-rate",
            metavar="STEP=RATE",
            help="A step's own rate (repeatable), e.g. linkedin=0.01.",
        ),
    ] = None,
    variant_rate: Annotated[
        list[str] | None,
        typer.Option(
            "--variant-rate",
            metavar="STEP.FACTOR.KEY=RATE",
            help="A variant's own rate (repeatable).",
        ),
    ] = None,
    worse: Annotated[
        str | None,
        typer.Option(
            help="Family whose variant is made 2x worse: subject, body, STEP.FACTOR "
            "or STEP.FACTOR.KEY (default: message 1's first; its last variant)."
        ),
    ] = None,
    timezone: Annotated[
        list[str] | None,
        typer.Option(
            "--timezone",
            help="Contacts' time zones, shared out in turn (repeatable; default: the sequence's).",
        ),
    ] = None,
    runs: Annotated[int, typer.Option(help="Monte Carlo runs per scenario.")] = 200,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same plan.")] = 1,
    start: Annotated[
        str | None,
        typer.Option(
            help="When they are enrolled: 2026-12-01 (midnight in the sequence's "
            "zone) or 2026-12-01T09:00 (default: now)."
        ),
    ] = None,
    weeks: Annotated[int, typer.Option(help="Horizon: weeks of scoring looks simulated.")] = 12,
    json_: Annotated[bool, typer.Option("--json", help="The plan as JSON on stdout.")] = False,
) -> None:
    """What if: weeks until everyone has had message 1, expected replies, how soon a 2x worse
    variant is retired.
    """
    import json
    from datetime import UTC
    from zoneinfo import ZoneInfo

    from sequencer.config import load_config
    from sequencer.loader import load_sequences

    config = load_config(
        state.config, database_url=state.db
    )  # no database: a plan reads and writes none
    seq = planner.pick_sequence(
        load_sequences(config.sequences, senders=list(config.senders) or None), sequence
    )
    zone = seq.timezone or ZoneInfo("UTC")
    senders = (
        tuple(planner.parse_sender(s, zone=zone) for s in sender)
        if sender
        else tuple(planner.PlanSender.from_config(s) for s in config.senders.values())
    )
    inputs = planner.PlanInput(
        sequence=seq,
        contacts=contacts,
        senders=senders,
        rate=planner.parse_rate(rate),
        start=planner.parse_start(start, zone) if start else datetime.now(UTC),
        step_rates=planner.parse_rates(step_rate or [], "step rate"),
        variant_rates=planner.parse_rates(variant_rate or [], "variant rate"),
        worse=worse,
        zones=tuple(timezone or ()),
        looks=planner.LookSchedule.parse(
            config.score_days, config.score_time, config.score_timezone
        ),
        runs=runs,
        seed=seed,
        horizon_weeks=weeks,
    )
    with _SlowProgress("simulating") as progress:
        result = planner.plan(inputs, progress=progress)
    if json_:
        sys.stdout.write(json.dumps(planner.as_json(result), indent=2, ensure_ascii=False) + "\n")
    else:
        _print_plan(result)


def _print_plan(result: planner.Plan) -> None:
    p, s = result.input, result.schedule
    zone = p.sequence.timezone or p.start.tzinfo

    def at(moment: datetime) -> str:
        return f"{moment.astimezone(zone):%a %Y-%m-%d %H:%M %Z}"

    rates = "".join(f", {k} {v:.1%}" for k, v in {**p.step_rates, **p.variant_rates}.items())
    out.print(
        f"[bold]Plan for {p.sequence.name}[/]: {p.contacts:,} contacts enrolled {at(p.start)}"
    )
    zones = {x.zone.key for x in p.senders}
    senders = ", ".join(
        f"{x.name} {x.daily_cap}/day" + ("" if len(zones) == 1 else f" ({x.zone.key})")
        for x in p.senders
    )
    _grid(
        [
            ("senders", senders + (f" ({zones.pop()})" if len(zones) == 1 else "")),
            (f"{result.metric} rate", f"{p.rate:.1%} a message{rates}"),
            (
                "scoring looks",
                f"{_days(p.looks.days)} {p.looks.at:%H:%M} {p.looks.zone.key}: "
                f"{result.looks} within "
                f"the {p.horizon_weeks}-week horizon",
            ),
            ("simulation", f"{p.runs} runs per scenario, seed {p.seed}"),
        ]
    )
    out.print(
        "\n[bold]Reaching everyone[/] (the engine's placement and dispatch, as if nobody replied)"
    )
    _grid(
        [
            (
                "everyone has had message 1",
                f"after [bold]{s.weeks_to_reach:.1f} weeks[/] "
                f"({s.days_with_message_1} sending days)",
            ),
            ("first message 1", at(s.first_message_1)),
            ("last message 1", at(s.last_message_1)),
            ("last send", at(s.last_send)),
            (
                "message 1 by sender",
                ", ".join(f"{name} {n:,}" for name, n in s.contacts_by_sender.items()),
            ),
        ]
    )
    table = Table(
        "week",
        "from",
        "message 1",
        "follow-ups",
        *(x.name for x in p.senders),
        "tasks",
        title_justify="left",
        title="sends per week: emails per sender; follow-ups share the daily caps",
    )
    for w in s.weeks:
        table.add_row(
            str(w.week),
            f"{w.begins.astimezone(zone):%a %Y-%m-%d}",
            str(w.message_1),
            str(w.follow_ups),
            *(str(w.by_sender[x.name]) for x in p.senders),
            str(w.tasks),
        )
    out.print(table)
    _print_forecast(result)
    _print_retirement(result)


def _grid(rows: list[tuple[str, str]]) -> None:
    grid = Table.grid(padding=(0, 2))
    for label, value in rows:
        grid.add_row(f"  {label}", value)
    out.print(grid)


def _days(days: frozenset[int]) -> str:
    return ", ".join(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[d] for d in sorted(days))


def _print_forecast(result: planner.Plan) -> None:
    label = "replies" if result.metric == "reply" else f"{result.metric}s"
    table = Table(
        "step",
        "channel",
        "rate",
        "sends",
        label,
        title=f"expected {label} (mean of {result.input.runs} runs)",
        title_justify="left",
    )
    for step in result.steps:
        table.add_row(
            step.key,
            step.channel,
            f"{step.rate:.1%}",
            f"{step.sends:,.0f}",
            f"{step.successes:,.1f}",
        )
    out.print(table)
    out.print(
        f"  total: [bold]{result.successes:,.1f} {label}[/] "
        f"from {result.input.contacts:,} contacts "
        f"({result.successes / result.input.contacts:.1%})"
    )


def _print_retirement(result: planner.Plan) -> None:
    r, horizon = result.retirement, result.input.horizon_weeks
    if r is None:
        out.print("\nno family of two or more variants: nothing to retire")
        return

    def weeks(value: float | None) -> str:
        return f"{value:.1f}" if value is not None else f"> {horizon}"

    alpha = result.input.sequence.scoring.alpha
    out.print(
        f"\n[bold]A variant {r.ratio:g}x worse[/]: {r.step} "
        f"/ {r.factor} / {r.key} at {r.rate:.1%} against {r.others:.1%}"
    )
    _grid(
        [
            (
                f"retired within {horizon} weeks",
                f"in [bold]{_share(r.retired, r.runs)}[/] of {r.runs} runs",
            ),
            (
                "weeks to retirement",
                f"10th percentile {weeks(r.weeks[0])}, median {weeks(r.weeks[1])}, "
                f"90th percentile {weeks(r.weeks[2])}",
            ),
            (
                "counted sends when retired",
                f"median {r.sends_at_retirement:,}" if r.sends_at_retirement else "-",
            ),
            (
                "all variants equal",
                f"one retired in {_share(r.equal_retired, r.equal_runs)} of {r.equal_runs} runs "
                f"(bound: {alpha:.0%} per family; {r.families} "
                f"famil{'y' if r.families == 1 else 'ies'})",
            ),
        ]
    )


def _share(x: float, n: int) -> str:
    """A share with its 95% binomial half-width."""
    import math

    return f"{x:.1%} ±{196 * math.sqrt(max(x * (1 - x), 1 / n) / n):.1f}"


class _SlowProgress:
    """A progress bar on stderr (a terminal) for a job that turns out slow: it appears after
    ``after`` seconds.
    """

    def __init__(self, label: str, after: float = 1.5) -> None:
        import time

        self.label, self.after, self.began = label, after, time.monotonic()
        self.shown: _progress | None = None

    def __enter__(self) -> Callable[[int, int], None]:
        return self.update

    def update(self, done: int, total: int) -> None:
        import time

        if self.shown is None and time.monotonic() - self.began >= self.after:
            self.shown = _progress(self.label)
            self.shown.__enter__()
        if self.shown is not None:
            self.shown.bar.update(self.shown.task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.shown is not None:
            self.shown.__exit__()


@app.command()
@friendly
def report(
    json_: Annotated[
        bool, typer.Option("--json", help="The whole report as JSON on stdout.")
    ] = False,
    csv_table: Annotated[
        str | None,
        typer.Option(
            "--csv",
            metavar="TABLE",
            help="One table as CSV (header row first) on "
            "stdout: sequences, steps, variants, senders or replies.",
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            metavar="FILE",
            help="Write one self-contained HTML page with "
            "charts and tables to FILE (it fetches nothing from the network).",
        ),
    ] = None,
) -> None:
    """Per sequence and step (sent, replied, goals, bounced, stopped by reason), per variant (rate
    with its 95% interval, live or retired), per sender and day, and the time to reply."""
    from sequencer import reporting

    if json_ and csv_table is not None:
        raise typer.BadParameter("choose --json or --csv, not both", param_hint="--json")
    if csv_table is not None and csv_table not in reporting.TABLES:
        raise typer.BadParameter(f"choose one of {', '.join(reporting.TABLES)}", param_hint="--csv")
    with engine() as eng:
        result = eng.report()
    if html is not None:
        try:
            html.write_text(reporting.to_html(result), encoding="utf-8")
        except OSError as exc:
            err.print(
                f"[red]error:[/] cannot write {_escape(str(html))}: "
                f"{_escape(exc.strerror or str(exc))}"
            )
            raise typer.Exit(1) from None
        err.print(f"report written to {_escape(str(html))}")
    if json_:
        sys.stdout.write(reporting.to_json(result))
    elif csv_table is not None:
        sys.stdout.write(reporting.to_csv(result, csv_table))
    elif html is None:
        for part in reporting.to_rich(result):
            out.print(part)


inbox_app = typer.Typer(
    help="Senders' mailboxes: replies, out-of-office answers, bounces.", no_args_is_help=True
)
app.add_typer(inbox_app, name="inbox")


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
        err.print(f"[red]error:[/] {name}: {_escape(problem)}")
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
            _escape(sender_address or "-"),
            _escape(subject[:60]),
            _escape(action),
        )
    out.print(table)


@app.command()
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
            f"{_escape(email)} is not a contact: nothing to "
            "erase but its hash, added to the suppression list"
        )
    else:
        out.print(
            f"erased {_escape(email)} (contact #{r.contact_id} "
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
            f"--unknown-ok --yes {_escape(email)}` again when the worker is stopped"
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
app.add_typer(suppress_app, name="suppress")


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
def suppress_list() -> None:
    """Every suppressed address and domain, oldest first."""
    with engine() as eng:
        rows = eng.suppressions()
    table = Table("entry", "reason", "since")
    for row in rows:
        table.add_row(_escape(row.key), row.reason, _utc(row.created_at))
    out.print(table)
    out.print(f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'}")


db_app = typer.Typer(
    help="The database schema: its revision, and upgrades after installing a newer sequencer.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")


def _db_engine() -> Any:
    """An SQLAlchemy engine on the configured database, not a Store: a Store refuses an outdated
    schema.
    """
    from sequencer.config import load_config
    from sequencer.store.repository import make_engine

    return make_engine(load_config(state.config, database_url=state.db).database_url)


@db_app.command("upgrade")
@friendly
def db_upgrade() -> None:
    """Upgrade the database schema to this version of sequencer, keeping every row (back it up
    first).
    """
    from sequencer.store import migrate

    eng = _db_engine()
    try:
        found = migrate.status(eng)
        before, after = migrate.upgrade(eng)
    finally:
        eng.dispose()
    if before is None:
        out.print(f"database created at {after}")
    elif not found.stamped:
        out.print(
            f"database made by an older sequencer: stamped {before} (detected from its tables)"
            + ("" if before == after else f", upgraded: {before} -> {after}")
        )
    elif before == after:
        out.print(f"database is up to date ({after})")
    else:
        out.print(f"database upgraded: {before} -> {after}")


@db_app.command("status")
@friendly
def db_status() -> None:
    """The database's schema revision, and the one this version of sequencer needs."""
    from sequencer.store import migrate

    eng = _db_engine()
    try:
        found = migrate.status(eng)
        where = eng.url.render_as_string(hide_password=True)
    finally:
        eng.dispose()
    detected = (
        ""
        if found.stamped or found.current is None
        else " (not recorded: detected from its tables)"
    )
    out.print(f"database: {_escape(where)}")
    out.print(f"current:  {found.current or '(empty database)'}{detected}")
    out.print(f"head:     {found.head}")
    if found.up_to_date:
        out.print("[green]up to date[/]")
    elif found.current is None:
        out.print("empty: sequencer creates the schema when it first uses the database")
    elif not found.known:
        out.print("[red]the database is newer than this sequencer[/]: a newer version upgraded it")
    else:
        out.print(
            "[yellow]upgrade needed[/]: back up the database, then run `sequencer db upgrade`"
        )


@app.command()
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


def _utc(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


class _progress:
    """A progress bar on stderr when it is a terminal (or always, for long jobs in CI logs)."""

    def __init__(self, label: str) -> None:
        self.bar = Progress(
            TextColumn(label),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
            disable=not sys.stderr.isatty(),
        )
        self.task = self.bar.add_task(label, total=None)

    def __enter__(self) -> tuple[Progress, Any]:
        self.bar.start()
        return self.bar, self.task

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


def run() -> None:
    app()
