"""The report as one self-contained HTML page (``sequencer report --html``): styles inline, the
charts of :mod:`~sequencer.reporting.charts` as inline SVG, then the tables; nothing fetched from
the network. matplotlib is imported only when a page is made, so the CLI starts without it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from typing import Protocol

from sequencer.reporting import combinations
from sequencer.reporting.data import (
    COMPLAINT_LIMIT,
    ComplaintLine,
    Report,
    SenderDayLine,
    SenderUse,
    SequenceStats,
    VariantLine,
    per_sender,
)
from sequencer.reporting.words import duration, pct, plural, reasons_text, sequence_line, summary
from sequencer.status import VariantStatus


class _DaysChart(Protocol):
    """:func:`sequencer.reporting.charts.sender_days`: one sender's days as an ``<svg>``."""

    def __call__(self, sender: str, days: Sequence[SenderDayLine], *, ident: str) -> str: ...


def to_html(report: Report) -> str:
    """One self-contained HTML page: summary, charts (inline SVG) and tables. Fetches nothing."""
    from sequencer.reporting import charts  # matplotlib: loaded only for the HTML page

    ids = _Ids()
    body = [
        f'<h1>sequencer report</h1>\n<p class="summary">{_e(summary(report))}</p>',
        f'<p class="generated">generated '
        f"{_e(report.generated_at.strftime('%Y-%m-%d %H:%M UTC'))}</p>",
    ]
    if not report.sequences:
        body.append("<p>Nothing to report yet: no enrollments.</p>")
    for sequence in report.sequences:
        ident = ids.make("funnel", sequence.name)
        body.append(_html_sequence(sequence, charts.funnel(sequence, ident=ident), ident))
    body.append(
        _html_variants(
            report.variants,
            charts.variants(report.variants, ident="variants") if report.variants else None,
        )
    )
    body.append(combinations.to_html(report.combinations))
    body.append(_html_senders(report, ids, charts.sender_days))
    body.append(
        _html_replies(
            report,
            charts.reply_times(report.reply_delays, ident="reply-times")
            if report.reply_delays
            else None,
        )
    )
    body.append(_html_complaints(report.complaints, charts.complaint_rates))
    body.append(_html_intents(report.intents))
    body.append(_html_holds(report))
    return _PAGE.format(style=_STYLE, body="\n".join(body))


class _Ids:
    """Stable DOM ids from user-given names: ``funnel-cold``; a clash gets ``-2``, ``-3``..."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, prefix: str, name: str) -> str:
        base = f"{prefix}-{re.sub(r'[^a-z0-9_-]+', '-', name.lower()).strip('-') or 'x'}"
        ident, n = base, 1
        while ident in self.used:
            n += 1
            ident = f"{base}-{n}"
        self.used.add(ident)
        return ident


def _figure(ident: str, kind: str, svg: str, caption: str, data: str = "") -> str:
    return (
        f'<figure id="{_e(ident)}" class="chart {kind}"{data}>\n{svg}\n'
        f"<figcaption>{_e(caption)}</figcaption>\n</figure>"
    )


def _html_sequence(s: SequenceStats, svg: str, ident: str) -> str:
    head = (
        "<tr><th>step</th><th>channel</th><th>sent</th><th>replied</th><th>reply "
        "rate</th><th>goals</th>"
        "<th>bounced</th><th>unsubscribed</th><th>pending</th><th>stopped after this step</th></tr>"
    )
    rows = "".join(
        f"<tr><td>{_e(x.step)}</td><td>{_e(x.channel or '?')}</td>{_num(x.sent)}{_num(x.replied)}"
        f'<td class="n">{pct(x.reply_rate)}</td>{_num(x.goals)}{_num(x.bounced)}'
        f"{_num(x.unsubscribed)}{_num(x.pending)}"
        f"<td>{_e(reasons_text(x.stopped) or '–')}</td></tr>"
        for x in s.steps
    )
    figure = _figure(
        ident,
        "funnel",
        svg,
        f"{s.name}: enrolled, then each step sent (replies in green), then outcomes",
        f' data-sequence="{_e(s.name)}"',
    )
    return (
        f'<section class="sequence">\n<h2>{_e(s.name)}</h2>\n<p '
        f'class="line">{_e(sequence_line(s))}</p>\n'
        f'{figure}\n<table class="steps"><thead>{head}</thead>'
        f"<tbody>{rows}</tbody></table>\n</section>"
    )


def _html_variants(variants: tuple[VariantLine, ...], svg: str | None) -> str:
    if not variants or svg is None:
        return (
            "<section><h2>A/B variants</h2><p>No variant families "
            "(a factor with two or more variants) yet.</p></section>"
        )
    successes = "replies" if all(v.metric == "reply" for v in variants) else "successes"
    rows = "".join(
        f'<tr class="{_status_class(v)}">'
        f"<td>{_e(v.sequence)}</td><td>{_e(v.step)}</td>"
        f"<td>{_e(v.factor)}</td><td>{_e(v.key)}</td>{_num(v.sends)}{_num(v.successes)}<td "
        f'class="n">{pct(v.rate)}</td>'
        f'<td class="n">{pct(v.low)} – {pct(v.high)}</td><td><span '
        f'class="badge {_e(v.status)}">{_e(v.status)}</span></td>'
        f"<td>{_e(f'{v.since:%Y-%m-%d}' if v.since else '–')}</td><td "
        f'class="why">{_e(v.reason or "–")}</td></tr>'
        for v in variants
    )
    head = (
        "<tr><th>sequence</th><th>step</th><th>factor</th><th>variant</th><th>sends</th>"
        f"<th>{successes}</th>"
        "<th>rate</th><th>95% interval</th><th>status</th><th>since</th><th>why</th></tr>"
    )
    figure = _figure(
        "variants",
        "variants",
        svg,
        f"{successes.capitalize()} per send with 95% Wilson intervals; "
        "retired variants grey, marked ✕, their names in red",
    )
    return (
        '<section>\n<h2>A/B variants</h2>\n<p class="line">Counted '
        "as the scoring job counts them: sends that "
        f"went out at least the sequence's reply window ago.</p>\n{figure}\n"
        f'<table class="variants"><thead>{head}</thead><tbody>{rows}</tbody></table>\n</section>'
    )


def _status_class(v: VariantLine) -> VariantStatus:
    """A variant row's class: retired, or live for any other status."""
    return VariantStatus.RETIRED if v.status == VariantStatus.RETIRED else VariantStatus.LIVE


def _html_senders(report: Report, ids: _Ids, draw: _DaysChart) -> str:
    if not report.sender_days:
        return (
            "<section><h2>Sends per day</h2><p>No sends counted "
            "against a sender's cap yet.</p></section>"
        )
    parts = [
        '<section>\n<h2>Sends per day</h2>\n<p class="line">Per '
        "sender and local day, against the cap in "
        "force that day (the red line, which climbs a sender's "
        "warm-up ramp). A backlog day ended with message 1s "
        "still waiting to go out: dark bars are backlog days "
        "that used their cap, amber ones backlog days "
        "that did not.</p>"
    ]
    days = per_sender(report.sender_days)
    for use in report.sender_use():
        rows = days[use.sender]
        ident = ids.make("sends", use.sender)
        parts.append(f'<h3>{_e(use.sender)}</h3>\n<p class="line">{_e(_use_line(use))}</p>')
        parts.append(
            _figure(
                ident,
                "sends-per-day",
                draw(use.sender, rows, ident=ident),
                f"{use.sender}: sends per local day against the cap in force",
                f' data-sender="{_e(use.sender)}"',
            )
        )
        table = "".join(
            f'<tr class="{_day_class(d)}"><td>{_e(d.day)}</td>{_num(d.sent)}'
            f'<td class="n">{"–" if d.cap is None else d.cap}</td>{_num(d.waiting)}</tr>'
            for d in rows
        )
        parts.append(
            f"<details><summary>{_e(use.sender)}: every day "
            f'({len(rows)})</summary><table class="days">'
            "<thead><tr><th>day</th><th>sent</th><th>cap in "
            "force</th><th>waiting at the day's end</th></tr>"
            f"</thead><tbody>{table}</tbody></table></details>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _use_line(u: SenderUse) -> str:
    """One sender's days in a line: totals, today's cap, days at cap and the cap used on backlog
    days.
    """
    parts = [plural(u.days, "day"), f"{u.sent} sent", f"busiest {u.busiest.day}: {u.busiest.sent}"]
    if u.cap_today is not None:
        parts.append(f"cap today {u.cap_today}")
    parts.append(
        "cap unknown (not configured)" if u.at_cap is None else f"{plural(u.at_cap, 'day')} at cap"
    )
    parts.append(plural(u.backlog_days, "backlog day"))
    if u.backlog_use is not None:
        parts.append(f"{pct(u.backlog_use)} of the cap used on backlog days")
    return " · ".join(parts)


def _day_class(d: SenderDayLine) -> str:
    return (
        " ".join(name for name, on in (("at-cap", d.at_cap), ("backlog", d.waiting > 0)) if on)
        or "under-cap"
    )


def _html_replies(report: Report, svg: str | None) -> str:
    if svg is None:
        return "<section><h2>Time to reply</h2><p>No replies yet.</p></section>"
    median = report.median_reply_hours
    line = (
        f"{sum(d.count for d in report.reply_delays)} replies; "
        f"median {duration(median) if median is not None else '–'}"
    )
    figure = _figure(
        "reply-times", "reply-times", svg, "Time from a send to the reply credited to it"
    )
    return (
        f'<section>\n<h2>Time to reply</h2>\n<p class="line">{_e(line)}</p>\n{figure}\n</section>'
    )


def _html_complaints(lines: tuple[ComplaintLine, ...], draw: Callable[..., str]) -> str:
    """Spam complaints (feedback-loop reports) per sender, against Google's 0.1% and 0.3%."""
    head = "<section><h2>Spam complaints</h2>"
    if not lines:
        return f"{head}<p>No emails out yet.</p></section>"
    rows = "".join(
        f"<tr><td>{_e(c.sender)}</td>{_num(c.sent)}{_num(c.complaints)}"
        f'<td class="n">{_e(f"{100 * (c.rate or 0):.2f}%")}</td></tr>'
        for c in lines
    )
    over = [c.sender for c in lines if (c.rate or 0) >= COMPLAINT_LIMIT]
    line = (
        f"Over Google's 0.3% line: {', '.join(over)}. Mail from them may be refused."
        if over
        else "Google asks bulk senders to stay under 0.1% and never reach 0.3%."
    )
    figure = _figure(
        "complaints",
        "complaints",
        draw(lines, ident="complaints"),
        "Complaints per email out, per sender, with the 0.1% and 0.3% lines",
    )
    return (
        f'{head}\n<p class="line">{_e(line)}</p>\n{figure}\n<table><thead><tr><th>sender</th>'
        '<th class="n">emails out</th><th class="n">complaints</th><th class="n">rate</th></tr>'
        "</thead>"
        f"<tbody>{rows}</tbody></table>\n</section>"
    )


def _html_intents(intents: tuple[tuple[str, int], ...]) -> str:
    """What replies meant: each intent's count, share and a bar."""
    head = "<section><h2>Reply intents</h2>"
    total = sum(n for _, n in intents)
    if not total:
        return f"{head}<p>No replies read yet.</p></section>"
    rows = "".join(
        f"<tr><td>{_e(intent)}</td>{_num(n)}"
        f'<td class="n">{100 * n / total:.0f}%</td>'
        f'<td><span class="bar" style="width:{100 * n / total:.1f}%"></span></td></tr>'
        for intent, n in intents
    )
    return (
        f'{head}\n<p class="line">What {total} replies meant, as the inbox read them '
        "(<code>sequencer inbox log</code> shows each).</p>\n<table><thead><tr><th>intent</th>"
        '<th class="n">replies</th><th class="n">share</th><th style="width:50%"></th></tr></thead>'
        f"<tbody>{rows}</tbody></table>\n</section>"
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _num(value: int) -> str:
    return f'<td class="n">{value}</td>'


_STYLE = """
:root { --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --accent: #2563eb; --good: #15803d;
  --bad: #b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; background: #f8fafc; color: var(--ink);
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 28px 24px 64px; }
h1 { font-size: 28px; margin: 0 0 6px; }
h2 { font-size: 20px; margin: 0 0 4px; }
h3 { font-size: 16px; margin: 16px 0 0; }
.summary { font-size: 17px; margin: 0; }
.generated, .line, figcaption { color: var(--muted); margin: 2px 0 12px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px;
  padding: 18px 20px; margin: 22px 0; }
figure { margin: 8px 0 14px; }
figure svg { display: block; width: 100%; height: auto; max-width: 900px; }
figcaption { font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin-top: 6px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
th { background: #f1f5f9; font-weight: 600; }
tbody tr:nth-child(even) { background: #fafafa; }
th.n, td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.why { color: var(--muted); font-size: 13px; }
tr.retired td { color: var(--muted); }
tr.at-cap.backlog td:first-child { box-shadow: inset 3px 0 var(--accent); }
.badge { display: inline-block; padding: 0 8px; border-radius: 9px; font-size: 12px;
  font-weight: 600; }
.badge.live { background: #dcfce7; color: var(--good); }
.badge.retired { background: #fee2e2; color: var(--bad); }
details { margin: 4px 0 16px; }
.bar { display: inline-block; height: 10px; background: var(--accent); border-radius: 3px; }
summary { cursor: pointer; color: var(--accent); }
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sequencer report</title>
<style>{style}</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def _html_holds(report: Report) -> str:
    """What is paused until a person lifts it (a refusal, the bounce guard, a config fault)."""
    head = "<section><h2>Paused</h2>"
    if not report.holds:
        return f"{head}<p>Nothing is paused.</p></section>"
    rows = "".join(
        f"<tr><td>{_e(h.held)}</td><td>{_e(h.reason)}</td>"
        f"<td>{_e(h.since.strftime('%Y-%m-%d %H:%M UTC'))}</td><td>{_e(h.detail)}</td>"
        f"<td><code>{_e(h.lift)}</code></td></tr>"
        for h in report.holds
    )
    return (
        f'{head}\n<p class="line">Their sends wait; nobody is suppressed. Fix the cause, then '
        "lift the hold.</p>\n<table><thead><tr><th>paused</th><th>why</th><th>since</th>"
        f"<th>what happened, what to do</th><th>lift with</th></tr></thead><tbody>{rows}"
        "</tbody></table></section>"
    )
