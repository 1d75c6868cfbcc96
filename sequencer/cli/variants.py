"""A/B variants: ``score`` runs one look of the scoring, and the ``variants`` group lists every
variant and revives a retired one. Top-level commands are registered, in ``--help`` order, by
:mod:`sequencer.cli`.
"""

from __future__ import annotations

import shlex
from typing import Annotated

import typer
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from sequencer.cli.common import engine, escape, friendly, out
from sequencer.scoring import Decision, Verdict
from sequencer.services.variants import VariantRow
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
        _show(
            ("variant",),
            [(v.key,) for v in family.verdicts],
            ("metric", "sends", "successes", "rate", "z", "p", "Holm p", "decision", "why"),
            [_verdict(v) for v in family.verdicts],
            title=f"{family.sequence} / {family.step} / {PLURAL[family.factor]}",
        )
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


def _verdict(v: Verdict) -> list[str]:
    """A verdict's cells after its key, as printed (escaped)."""
    colour = {Decision.RETIRE: "red", Decision.BEST: "green"}.get(v.decision, "")
    return [
        escape(v.metric),
        str(v.sends),
        str(v.successes),
        _rate(v.rate, v.sends),
        _signed(v.z),
        _p(v.p),
        _p(v.p_holm),
        f"[{colour}]{v.decision.value}[/]" if colour else v.decision.value,
        escape(v.reason),
    ]


def _show(
    key_names: tuple[str, ...],
    keys: list[tuple[str, ...]],
    names: tuple[str, ...],
    cells: list[list[str]],
    *,
    title: str | None = None,
) -> None:
    """Rows of keys and their cells: a table when the keys fit whole with every cell beside
    them; on a narrower terminal each row's keys on a line of their own (never cut short: they
    are typed back, as in ``variants revive``), its cells indented below."""
    if _fits(key_names, keys, names, cells):
        table = Table(*key_names, *names, title=title, title_justify="left")
        for column in table.columns[: len(key_names)]:
            column.no_wrap = True
        for key_row, cell_row in zip(keys, cells, strict=True):
            table.add_row(*map(escape, key_row), *cell_row)
        out.print(table)
        return
    if title is not None:
        out.print(escape(title), soft_wrap=True)
    for key_row, cell_row in zip(keys, cells, strict=True):
        pairs = " · ".join(f"{n} {c}" for n, c in zip(names, cell_row, strict=True) if c != "-")
        out.print(escape(" / ".join(key_row)), soft_wrap=True)
        out.print(Padding(pairs, (0, 0, 0, 4)))


#: Columns narrower than this when wrapped would be hard to read: the last (``why``) gets it.
_WRAPPED = 20


def _fits(
    key_names: tuple[str, ...],
    keys: list[tuple[str, ...]],
    names: tuple[str, ...],
    cells: list[list[str]],
) -> bool:
    """Whether a table fits the terminal with the keys whole, every cell but the last column's
    unwrapped, and the last column at least :data:`_WRAPPED` wide."""
    columns = [*zip(*keys, strict=True), *zip(*cells, strict=True)] if keys else []
    headers = [*key_names, *names]
    widths = [
        max([len(h), *(Text.from_markup(c).cell_len for c in col)])
        for h, col in zip(headers, columns, strict=False)
    ]
    if widths:
        widths[-1] = min(widths[-1], _WRAPPED)
    return sum(widths) + 3 * len(headers) + 1 <= out.width


def _p(value: float | None) -> str:
    """A p-value: three decimals, or two significant digits when it is tiny."""
    if value is None:
        return "-"
    return f"{value:.2g}" if value < 0.001 else f"{value:.3f}"


def _signed(value: float | None) -> str:
    """A z statistic with its sign (``+1.23``, ``-0.85``): the best variant minus this one."""
    return "-" if value is None else f"{value:+.2f}"


def _rate(rate: float, sends: int) -> str:
    """A success rate; ``–`` (no data) before the first send, never a 0.0% that means nothing."""
    return "–" if sends == 0 else f"{rate:.1%}"


variants_app = typer.Typer(
    help="A/B variants: status, and reviving a retired one.", invoke_without_command=True
)


@variants_app.callback()
@friendly
def variants_list(ctx: typer.Context) -> None:
    """Every variant: live or retired, since when, why, and its latest look. Keys are never cut
    short: on a narrow terminal each variant is a line of its own instead of a table row."""
    if ctx.invoked_subcommand is not None:
        return
    with engine() as eng:
        rows = eng.variants()
    _show(
        _KEYS,
        [(r.sequence, r.step, r.factor, r.key) for r in rows],
        _DETAILS,
        [_details(r) for r in rows],
    )
    for r in rows:
        if r.status == VariantStatus.RETIRED:
            command = shlex.join(
                ["sequencer", "variants", "revive", r.sequence, r.step, r.factor, r.key]
            )
            out.print(f"revive {escape(r.key)} with: {escape(command)}", soft_wrap=True)


_DETAILS = ("status", "since", "metric", "sends", "rate", "last decision", "why")


def _details(r: VariantRow) -> list[str]:
    """The cells after a variant's keys, as printed (escaped)."""
    d = r.latest
    return [
        f"[red]{r.status}[/]" if r.status == VariantStatus.RETIRED else r.status,
        f"{r.since:%Y-%m-%d}" if r.since else "-",
        escape(d.metric or "-") if d else "-",
        str(d.sends) if d else "-",
        _rate(d.rate, d.sends) if d else "-",
        d.decision if d else "-",
        escape(r.reason or (d.reason if d else "")) or "-",
    ]


_KEYS = ("sequence", "step", "factor", "variant")


@variants_app.command("revive")
@friendly
def variants_revive(sequence: str, step: str, factor: str, key: str) -> None:
    """Put a retired variant back into rotation: sequencer variants revive cold intro
    subject idea.
    """
    with engine() as eng:
        eng.revive(sequence, step, factor, key)
    out.print(f"{sequence} / {step} / {factor} '{key}' is live again")
