"""A/B variants: ``score`` runs one look of the scoring, and the ``variants`` group lists every
variant and revives a retired one. Top-level commands are registered, in ``--help`` order, by
:mod:`sequencer.cli`.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from sequencer.cli.common import engine, escape, friendly, out
from sequencer.scoring import Decision
from sequencer.status import VariantStatus


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
            colour = {Decision.RETIRE: "red", Decision.BEST: "green"}.get(v.decision, "")
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
            if v.decision is Decision.RETIRE:
                out.print(f"  [red]retired[/] {v.key}: {escape(v.reason)}")
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
        status = f"[red]{r.status}[/]" if r.status == VariantStatus.RETIRED else r.status
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
            escape(r.reason or (d.reason if d else "")),
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
