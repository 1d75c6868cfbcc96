"""Commands for sends that need a person: ``doctor`` lists uncertain, stuck and failed sends,
paused (held) senders, sequences, steps and variants, and senders to reconnect, and records ones
that went out; ``resend`` sends uncertain ones again; ``resume`` lifts a hold.
Top-level commands are registered, in ``--help`` order, by :mod:`sequencer.cli`.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from sequencer import results
from sequencer.cli.common import engine, err, escape, friendly, out, utc
from sequencer.config import Config
from sequencer.errors import SequencerError
from sequencer.services import holds


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
        out.print(f"[red]sender[/] {escape(line)}", soft_wrap=True)
    _print_holds(health.holds)
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
                escape(u.email),
                u.sequence,
                u.step,
                u.sender,
                escape(u.message_id or "-"),
                utc(u.begun_at),
                escape(u.error or ""),
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
        f"{len(health.uncertain)} uncertain, {len(health.stuck)} stuck, {len(health.holds)} "
        f"paused, {health.failed_recently} failed in the last 7 days"
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


def _print_holds(standing: list[results.Hold]) -> None:
    """Each hold: what is paused, why, since when, and the command that lifts it."""
    for hold in standing:
        out.print(
            f"[red]paused[/] {escape(holds.describe(hold))} ({escape(hold.reason)}, since "
            f"{utc(hold.since)}): {escape(hold.detail)}\n"
            f"  its sends wait, nobody is suppressed; once fixed: "
            f"`{escape(holds.resume_command(hold))}`",
            soft_wrap=True,
        )


def lift(scope: str, target: str, by: str) -> None:
    """Lift the holds on one target and say what was lifted (exit 1 when nothing was held)."""
    with engine() as eng:
        lifted = holds.resume(eng.store, scope, target, by=by, at=eng.clock.now())
    if not lifted:
        err.print(f"nothing is paused for {escape(scope)} {escape(target)}")
        raise typer.Exit(1)
    for hold in lifted:
        out.print(
            f"[green]resumed[/] {escape(holds.describe(hold))} (was paused for "
            f"{escape(hold.reason)}): its sends go out from the next tick"
        )


@friendly
def resume(
    sender: Annotated[str | None, typer.Option(help="A sender's name.")] = None,
    sequence: Annotated[str | None, typer.Option(help="A sequence's name.")] = None,
    step: Annotated[
        str | None,
        typer.Option(help="SEQUENCE:STEP (or SEQUENCE alone: its every held step)."),
    ] = None,
    variant: Annotated[
        str | None, typer.Option(help="SEQUENCE:STEP:subject:KEY or SEQUENCE:STEP:body:KEY.")
    ] = None,
) -> None:
    """Lift a hold (shown by `sequencer doctor`): a sender, sequence, step or variant paused by a
    refusal of the sender's domain or content, the bounce guard, or a configuration fault. Fix
    the cause first; lifting is recorded."""
    given = [
        (s, t)
        for s, t in (
            ("sender", sender),
            ("sequence", sequence),
            ("step", step),
            ("variant", variant),
        )
        if t is not None
    ]
    if len(given) != 1:
        err.print("[red]error:[/] give one of --sender, --sequence, --step, --variant")
        raise typer.Exit(2)
    scope, target = given[0]
    lift(scope, target, by=f"resume --{scope}")


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
