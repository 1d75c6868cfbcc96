"""Numbers about sequences: ``plan`` simulates what a sequence will do before it runs, and
``report`` shows what it did (as text, JSON, CSV or an HTML page). Top-level commands are
registered, in ``--help`` order, by :mod:`sequencer.cli`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sequencer import planner
from sequencer.cli.common import ProgressBar, engine, err, escape, friendly, out, read_config


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
    weeks: Annotated[
        int | None,
        typer.Option(
            help="Horizon: weeks of scoring looks simulated (default: until every send is counted)."
        ),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="The plan as JSON on stdout.")] = False,
) -> None:
    """What if: weeks until everyone has had message 1, expected replies, how soon a 2x worse
    variant is retired.
    """
    import json
    from datetime import UTC
    from zoneinfo import ZoneInfo

    from sequencer.loader import load_sequences

    config = read_config()  # no database: a plan reads and writes none
    seq = planner.pick_sequence(
        load_sequences(
            config.sequences, senders=list(config.senders) or None, channels=config.channels
        ),
        sequence,
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
    with _SlowProgress("searching the audience for 80% power", after=2.0) as progress:
        advice = planner.recommend(inputs, progress=progress, planned=result)
    if json_:
        document = planner.as_json(result, advice)
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        _print_plan(result)
        _print_advice(result, advice)


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
            (f"{result.metric.replace('_', ' ')} rate", f"{p.rate:.1%} a message{rates}"),
            (
                "scoring looks",
                f"{_days(p.looks.days)} {p.looks.at:%H:%M} {p.looks.zone.key}: "
                f"{result.looks} within "
                f"the {p.horizon_weeks}-week horizon" + _short_horizon(result),
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
    label = _PLURAL.get(result.metric, f"{result.metric}s")
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


#: A metric's successes, as a table's heading says them.
_PLURAL = {"reply": "replies", "positive_reply": "positive replies"}


def _short_horizon(result: planner.Plan) -> str:
    """A warning when the horizon ends before every send of the schedule is counted."""
    horizon = result.input.horizon_weeks or 0
    if horizon >= result.covering_weeks:
        return ""
    return (
        f" [yellow](too short: the schedule needs {result.covering_weeks} weeks until every "
        "send is counted; later sends are not scored)[/]"
    )


def _print_advice(result: planner.Plan, advice: planner.Recommendation | None) -> None:
    """The answer to "is the campaign big enough?": the audience that gives 80% power."""
    if advice is None:
        return
    p = result.input
    ratio, target = f"{p.worse_ratio:g}x", f"{advice.target:.0%}"
    out.print(
        f"\n[bold]Recommendation[/] ({advice.runs} runs per audience tried, {advice.tried} tried; "
        "each over its whole schedule)"
    )
    planned = (
        f"  {p.contacts:,} contacts ({advice.planned_weeks} weeks until every send is counted) "
        f"retire a {ratio} worse variant in {advice.planned:.0%} of runs: "
    )
    if advice.enough:
        out.print(planned + f"[green]big enough[/] for {target} power.")
    else:
        out.print(planned + f"[red]too small[/] for {target} power.")
    if advice.contacts is None:
        out.print(
            f"  Even {p.contacts * 2**planner.power.STEPS:,} contacts do not reach {target}: "
            f"at {p.rate:.1%} a {ratio} worse variant cannot be told apart reliably."
        )
    else:
        out.print(
            f"  [bold]About {advice.contacts:,} contacts[/], which take [bold]{advice.weeks} "
            f"weeks[/] at these senders' caps, give {target} power "
            f"(retired in {advice.power:.0%} of runs) at {p.rate:.1%} a message."
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
        self.label, self.after, self.began = label, after, time.monotonic()
        self.shown: ProgressBar | None = None

    def __enter__(self) -> Callable[[int, int], None]:
        return self.update

    def update(self, done: int, total: int) -> None:
        if self.shown is None and time.monotonic() - self.began >= self.after:
            self.shown = ProgressBar(self.label)
            self.shown.__enter__()
        if self.shown is not None:
            self.shown.bar.update(self.shown.task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.shown is not None:
            self.shown.__exit__()


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
                f"[red]error:[/] cannot write {escape(str(html))}: "
                f"{escape(exc.strerror or str(exc))}"
            )
            raise typer.Exit(1) from None
        err.print(f"report written to {escape(str(html))}")
    if json_:
        sys.stdout.write(reporting.to_json(result))
    elif csv_table is not None:
        sys.stdout.write(reporting.to_csv(result, csv_table))
    elif html is None:
        for part in reporting.to_rich(result):
            out.print(part)
