"""The charts of ``sequencer report --html``, drawn with matplotlib as inline SVG. No I/O.

This is the only module of the package that imports matplotlib. It reads the report's
dataclasses (:mod:`~sequencer.reporting.data`) and nothing else of the report; only
:func:`sequencer.reporting.page.to_html` imports it, and only when it runs, so the CLI starts
without matplotlib. Figures are made without pyplot (no global state, no GUI backend): each
function builds a :class:`~matplotlib.figure.Figure`, saves it as SVG text with
``svg.fonttype = 'none'`` (text stays text, in the page's fonts) and ``text.parse_math`` off (a
``$`` in a name is just a dollar), and returns the ``<svg>`` element with its ids prefixed, so
that several charts can share one page.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sequencer.reporting.data import (
    COMPLAINT_LIMIT,
    COMPLAINT_TARGET,
    ComplaintLine,
    ReplyDelay,
    SenderDayLine,
    SequenceStats,
    VariantLine,
)
from sequencer.status import VariantStatus

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

INK, GRID = "#1f2937", "#e5e7eb"
BLUES = ("#1d4ed8", "#2563eb", "#3b82f6", "#60a5fa", "#93c5fd")
GREEN, PURPLE, SLATE, RED, GREY, AMBER = (
    "#16a34a",
    "#7c3aed",
    "#475569",
    "#dc2626",
    "#9ca3af",
    "#f59e0b",
)
WIDTH = 9.0  # inches; the page scales the SVG to its column
_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "sequencer-report",  # the same report gives the same SVG
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Helvetica", "Arial"],
    "font.size": 10.0,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
}


def funnel(sequence: SequenceStats, *, ident: str) -> str:
    """Enrolled, then each step's sends (its replies as a green core), then replied and goals:
    centred bars.
    """
    rows: list[tuple[str, int, str, int, str]] = [
        (f"enrolled ({sequence.name})", sequence.enrolled, SLATE, 0, "")
    ]
    for step, colour in zip(sequence.steps, itertools.cycle(BLUES), strict=False):
        label = f"{step.step} · {step.channel}" if step.channel else step.step
        rate = (
            f" · {step.replied} replied ({step.reply_rate:.1%})"
            if step.reply_rate is not None
            else ""
        )
        rows.append((label, step.sent, colour, step.replied, f"{step.sent} sent{rate}"))
    rows.append(("replied (any step)", sequence.replied, GREEN, 0, ""))
    rows.append(("goal reached", sequence.goals, PURPLE, 0, ""))
    widest = max([r[1] for r in rows] + [1])
    with _figure(len(rows) * 0.42 + 0.7) as (fig, ax):
        for y, (_label, value, colour, core, text) in enumerate(rows):
            ax.barh(y, value, left=(widest - value) / 2, height=0.72, color=colour)
            if core:
                ax.barh(y, core, left=(widest - core) / 2, height=0.36, color=GREEN)
            share = (
                f" ({value / sequence.enrolled:.1%} of enrolled)"
                if sequence.enrolled and not text
                else ""
            )
            ax.text(widest * 1.02, y, text or f"{value}{share}", va="center", ha="left", color=INK)
        ax.set_yticks(range(len(rows)), [r[0] for r in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, widest * 1.55)
        ax.set_xticks([])
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0)
        return _svg(fig, ident)


def variants(lines: Sequence[VariantLine], *, ident: str) -> str:
    """Each variant's rate with its 95% interval, grouped by family; retired ones grey with an ✕."""
    labels, y = [], 0.0
    with _figure(len(lines) * 0.34 + 1.0) as (fig, ax):
        top = max([v.high for v in lines if v.sends] + [0.05])
        families = itertools.groupby(lines, key=lambda v: (v.sequence, v.step, v.factor))
        for shade, (_family, group) in zip(
            itertools.cycle(("#f1f5f9", "#ffffff")), families, strict=False
        ):
            members = list(group)
            ax.axhspan(y - 0.5, y + len(members) - 0.5, color=shade, zorder=0)
            for v in members:
                retired = v.status == VariantStatus.RETIRED
                colour = GREY if retired else BLUES[1]
                if v.rate is not None:  # nothing to draw before the first counted send
                    ax.errorbar(
                        [v.rate],
                        [y],
                        xerr=[[v.rate - v.low], [v.high - v.rate]],
                        fmt="X" if retired else "o",
                        color=colour,
                        ecolor=colour,
                        elinewidth=2.2,
                        capsize=4,
                        markersize=7,
                        zorder=3,
                    )
                counts = f"{v.successes}/{v.sends}" if v.sends else "no counted sends yet"
                labels.append(
                    f"{v.sequence} · {v.step} · {v.factor} · {v.key}  ({counts})"
                    + ("  ✕ retired" if retired else "")
                )
                y += 1
        ax.set_yticks(range(len(labels)), labels)
        for tick, v in zip(ax.get_yticklabels(), lines, strict=True):
            tick.set_color(RED if v.status == VariantStatus.RETIRED else INK)
        ax.set_ylim(len(labels) - 0.5, -0.5)
        ax.set_xlim(0, min(1.0, top * 1.15))
        ax.xaxis.set_major_formatter(percent)
        ax.grid(axis="x", color=GRID)
        ax.set_axisbelow(True)
        ax.set_xlabel("rate per send, with its 95% interval")
        ax.tick_params(axis="y", length=0)
        return _svg(fig, ident)


def sender_days(sender: str, days: Sequence[SenderDayLine], *, ident: str) -> str:
    """Sends per local day as bars against the cap in force each day, drawn as a red step line
    (the warm-up ramp, then the daily cap; a step between two days with sends falls halfway).
    Backlog days (message 1s still waiting at their end) at the cap are dark blue, under it amber,
    with no cap known slate; the rest light blue. The legend sits above the plot, clear of the
    bars."""
    when = [date.fromisoformat(d.day).toordinal() for d in days]  # a day without sends stays a gap
    with _figure(2.9) as (fig, ax):
        for (colour, label), picked in _by_kind(days).items():
            bars = ax.bar(
                [when[i] for i in picked],
                [days[i].sent for i in picked],
                width=0.8,
                color=colour,
                label=label,
            )
            for i, bar in zip(picked, bars, strict=True):
                bar.set_gid(f"day-{days[i].day}")  # the page's tests find a day's bar by its date
        caps = [d.cap for d in days]
        known = [c for c in caps if c is not None]
        if days and len(known) == len(caps):
            edges = [
                when[0] - 0.5,
                *((a + b) / 2 for a, b in itertools.pairwise(when)),
                when[-1] + 0.5,
            ]
            label = (
                f"daily cap {known[0]}"
                if min(known) == max(known)
                else f"cap in force ({min(known)} to {max(known)})"
            )
            ax.stairs(
                known,
                edges,
                baseline=None,
                color=RED,
                linewidth=1.6,
                label=label,
                gid="cap-in-force",
            )
        step = max(1, (when[-1] - when[0]) // 10 + 1) if when else 1
        ticks = list(range(when[0], when[-1] + 1, step)) if when else []
        ax.set_xticks(ticks, [date.fromordinal(t).strftime("%b %d") for t in ticks])
        ax.set_xlim((when[0] - 1, when[-1] + 1) if when else (0, 1))
        ax.set_ylim(0, max([d.sent for d in days] + known + [1]) * 1.12)
        ax.set_ylabel(f"sends by {sender}")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="y", color=GRID)
        ax.set_axisbelow(True)
        fig.legend(loc="outside upper right", ncols=4, frameon=False, fontsize=9)
        return _svg(fig, ident)


def percent(value: float, _pos: object = None) -> str:
    """A gridline's rate as a percentage with the decimals its value needs, up to two: ``0%``,
    ``2.5%``, ``5%``, ``7.5%`` (never ``2%`` for 2.5%)."""
    text = f"{abs(value) * 100:.2f}".rstrip("0").rstrip(".")
    return f"{'-' if value < 0 and text != '0' else ''}{text}%"


#: How a day's bar is coloured, and its legend entry.
_AT_CAP_BACKLOG = (BLUES[0], "at the cap, backlog waiting")
_UNDER_CAP_BACKLOG = (AMBER, "under the cap, backlog waiting")
_BACKLOG = (SLATE, "backlog waiting (cap unknown)")
_NO_BACKLOG = (BLUES[3], "no backlog")


def _by_kind(days: Sequence[SenderDayLine]) -> dict[tuple[str, str], list[int]]:
    """The days' positions by bar colour, in legend order (only the colours used)."""
    kinds: dict[tuple[str, str], list[int]] = {
        _AT_CAP_BACKLOG: [],
        _UNDER_CAP_BACKLOG: [],
        _BACKLOG: [],
        _NO_BACKLOG: [],
    }
    for i, d in enumerate(days):
        kinds[_kind(d)].append(i)
    return {kind: picked for kind, picked in kinds.items() if picked}


def _kind(day: SenderDayLine) -> tuple[str, str]:
    if not day.waiting:
        return _NO_BACKLOG
    if day.cap is None:
        return _BACKLOG
    return _AT_CAP_BACKLOG if day.at_cap else _UNDER_CAP_BACKLOG


def reply_times(delays: Sequence[ReplyDelay], *, ident: str) -> str:
    """A histogram of the time from a send to the reply credited to it (hours, or days past three
    days).
    """
    longest = max(d.hours for d in delays) + 1
    in_days = longest > 72
    unit = 24.0 if in_days else 1.0
    width = 1.0 if in_days else (6.0 if longest > 24 else 1.0)
    edges = [i * width for i in range(int(longest / unit / width) + 2)]
    with _figure(2.8) as (fig, ax):
        ax.hist(
            [d.hours / unit for d in delays],
            bins=edges,
            weights=[d.count for d in delays],
            color=GREEN,
            edgecolor="white",
        )
        ax.set_xlabel("days after the send" if in_days else "hours after the send")
        ax.set_ylabel("replies")
        ax.grid(axis="y", color=GRID)
        ax.set_axisbelow(True)
        ax.set_xlim(0, edges[-1])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        return _svg(fig, ident)


def complaint_rates(lines: Sequence[ComplaintLine], *, ident: str) -> str:
    """Each sender's complaint rate as a horizontal bar, against Google's bulk-sender lines: 0.1%
    (stay under) and 0.3% (never reach)."""
    rates = [100 * (line.rate or 0.0) for line in lines]
    target, limit = 100 * COMPLAINT_TARGET, 100 * COMPLAINT_LIMIT
    colours = [RED if r >= limit else AMBER if r >= target else GREEN for r in rates]
    with _figure(0.5 + 0.45 * len(lines)) as (fig, ax):
        y = list(range(len(lines)))
        ax.barh(y, rates, color=colours, height=0.6)
        ax.set_yticks(y, [line.sender for line in lines])
        ax.invert_yaxis()
        ax.axvline(target, color=AMBER, linestyle="--", linewidth=1.2, label="0.1%: stay under")
        ax.axvline(limit, color=RED, linestyle="-", linewidth=1.2, label="0.3%: never reach")
        ax.set_xlim(0, max([*rates, limit]) * 1.15)
        ax.set_xlabel("complaints per email out (%)")
        ax.grid(axis="x", color=GRID)
        ax.set_axisbelow(True)
        ax.legend(loc="lower right", frameon=False, fontsize=8)
        return _svg(fig, ident)


@contextmanager
def _figure(height: float) -> Iterator[tuple[Figure, Any]]:
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(WIDTH, max(height, 1.6)), layout="constrained")
        ax = fig.add_subplot()
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        yield fig, ax


def _svg(fig: Figure, ident: str) -> str:
    """The figure as an ``<svg>`` element: no XML prolog, no metadata, its ids prefixed with
    ``ident`` (the id of the figure holding it), so they stay unique on the page."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    return _prefix_ids(text, ident)


def _prefix_ids(svg: str, prefix: str) -> str:
    """Rename every ``id`` (and the ``#id`` references to it) to ``prefix-id``."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    if not ids:
        return svg

    def rename(match: re.Match[str]) -> str:
        name = match.group(2)
        return f"{match.group(1)}{prefix}-{name}" if name in ids else match.group(0)

    return re.sub(r'(\bid="|href="#|url\(#)([^")]+)', rename, svg)
