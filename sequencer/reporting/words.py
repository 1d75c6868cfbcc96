"""The report's wording, shared by the terminal tables and the HTML page: the summary line, one
sequence's line, and how stop reasons, rates, plurals and durations are written.
"""

from __future__ import annotations

from collections.abc import Mapping

from sequencer.reporting.data import Report, SequenceStats


def summary(report: Report) -> str:
    """One line: enrolled, sent, replied (rate), median time to reply, deferred."""
    parts = [
        f"{report.enrolled} enrolled in {plural(len(report.sequences), 'sequence')}",
        f"{report.sent} sent",
        f"{report.replied} replied ({pct(report.replied / report.sent if report.sent else None)})",
    ]
    median = report.median_reply_hours
    if median is not None:
        parts.append(f"median time to reply {duration(median)}")
    if report.deferred:
        parts.append(f"{report.deferred} waiting to start (chained)")
    return " · ".join(parts)


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
