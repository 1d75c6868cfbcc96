"""The report's wording, shared by the terminal tables and the HTML page: the summary line, one
sequence's line, and how stop reasons, rates, plurals and durations are written.
"""

from __future__ import annotations

from collections.abc import Mapping

from sequencer.reporting.data import Report, SequenceStats


def summary(report: Report) -> str:
    """One line: enrolled, emails sent, tasks created and webhook calls (each counted apart:
    a LinkedIn task is not an email), replied (per email sent), median time to reply,
    deferred."""
    gone = gone_out(report)
    emails = gone.pop("emails sent")
    parts = [
        f"{report.enrolled} enrolled in {plural(len(report.sequences), 'sequence')}",
        f"{emails} {'email' if emails == 1 else 'emails'} sent",
        *(f"{count} {what}" for what, count in gone.items() if count),
        f"{report.replied} replied ({pct(report.replied / emails if emails else None)})",
    ]
    median = report.median_reply_hours
    if median is not None:
        parts.append(f"median time to reply {duration(median)}")
    if report.deferred:
        parts.append(f"{report.deferred} waiting to start (chained)")
    return " · ".join(parts)


#: How each channel's sends are counted in the summary.
_GONE_OUT = {
    "email": "emails sent",
    "linkedin": "tasks created",
    "call": "tasks created",
    "webhook": "webhook calls",
}


def gone_out(report: Report) -> dict[str, int]:
    """What went out, by kind: ``emails sent``, ``tasks created`` (LinkedIn and call steps),
    ``webhook calls`` and ``other sends`` (a host's own channels, steps no longer in a file)."""
    counts = dict.fromkeys([*_GONE_OUT.values(), "other sends"], 0)
    for sequence in report.sequences:
        for step in sequence.steps:
            counts[_GONE_OUT.get(step.channel, "other sends")] += step.sent
    return counts


def sequence_line(s: SequenceStats) -> str:
    stopped = f"{s.stopped_total} stopped" + (f" ({reasons_text(s.stopped)})" if s.stopped else "")
    parts = [f"{s.enrolled} enrolled", f"{s.active} active", f"{s.completed} completed", stopped]
    if s.deferred:
        parts.append(f"{s.deferred} waiting to start")
    if s.skipped:
        parts.append(f"{s.skipped} skipped")
    return " · ".join(parts)


def reasons_text(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{reason} {count}" for reason, count in counts.items())


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def duration(hours: float) -> str:
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.1f} days"
