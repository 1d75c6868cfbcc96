"""The report for the terminal (``sequencer report``): rich tables, one per sequence, then the
variants and the senders.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from sequencer.reporting.data import Report, SenderUse, SequenceStats, VariantLine
from sequencer.reporting.words import pct, reasons_text, sequence_line, summary
from sequencer.status import VariantStatus


def to_rich(report: Report) -> list[RenderableType]:
    """The report as rich tables for the terminal: one per sequence, the variants, the senders."""
    if not report.sequences:
        return [Text("nothing to report yet: no enrollments")]
    out: list[RenderableType] = [Text(summary(report))]
    for sequence in report.sequences:
        out.append(steps_table(sequence))
    if report.variants:
        out.append(_rich_variants(report.variants))
    if report.sender_days:
        out.append(_rich_senders(report.sender_use()))
    return out


def steps_table(s: SequenceStats) -> RenderableType:
    """One sequence's steps, titled with its enrollments (only that line while none has started)."""
    title = Text.assemble((s.name, "bold"), " — ", sequence_line(s))
    if not s.enrolled and not any(x.sent or x.pending for x in s.steps):
        return title
    table = Table(
        "step",
        "channel",
        "sent",
        "replied",
        "rate",
        "goals",
        "bounced",
        "unsub.",
        "pending",
        "stopped after",
        title=title,
        title_justify="left",
    )
    for x in s.steps:
        table.add_row(
            Text(x.step),
            x.channel or "?",
            str(x.sent),
            str(x.replied),
            pct(x.reply_rate),
            str(x.goals),
            str(x.bounced),
            str(x.unsubscribed),
            str(x.pending),
            Text(reasons_text(x.stopped) or "-"),
        )
    return table


def _rich_variants(variants: Iterable[VariantLine]) -> Table:
    rows = list(variants)
    successes = "replies" if all(v.metric == "reply" for v in rows) else "successes"
    table = Table(
        "sequence",
        "step",
        "factor",
        "variant",
        "sends",
        successes,
        "rate",
        "95% interval",
        "status",
        "since",
        "why",
        title="Variants, counted as the scoring job counts them (sends past their reply window)",
        title_justify="left",
    )
    for v in rows:
        status = Text(v.status, style="red" if v.status == VariantStatus.RETIRED else "green")
        table.add_row(
            Text(v.sequence),
            Text(v.step),
            v.factor,
            Text(v.key),
            str(v.sends),
            str(v.successes),
            pct(v.rate),
            f"{pct(v.low)}–{pct(v.high)}",
            status,
            f"{v.since:%Y-%m-%d}" if v.since else "-",
            Text(v.reason or "-"),
        )
    return table


def _rich_senders(senders: Iterable[SenderUse]) -> Table:
    table = Table(
        "sender",
        "days",
        "sent",
        "busiest day",
        "cap today",
        "days at cap",
        "backlog days",
        "use on backlog days",
        title="Senders, per local day against the cap in force "
        "that day (backlog days: message 1s still "
        "waiting at the day's end; `--csv senders` lists every day)",
        title_justify="left",
    )
    for u in senders:
        table.add_row(
            Text(u.sender),
            str(u.days),
            str(u.sent),
            f"{u.busiest.day}: {u.busiest.sent}",
            _count(u.cap_today),
            _count(u.at_cap),
            str(u.backlog_days),
            pct(u.backlog_use),
        )
    return table


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)
