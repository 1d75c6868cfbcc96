"""The report for other programs: one JSON object (``sequencer report --json``), or one of its
tables as CSV (``sequencer report --csv TABLE``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from sequencer.reporting.data import STOP_REASONS, Report, SequenceStats, StepStats

#: The tables ``to_csv`` writes (``sequencer report --csv TABLE``).
TABLES = ("sequences", "steps", "variants", "senders", "replies")


def to_json(report: Report) -> str:
    """The whole report as one JSON object (datetimes in ISO 8601, rates as fractions)."""

    def step(s: StepStats) -> dict[str, Any]:
        return {**asdict(s), "reply_rate": s.reply_rate}

    def sequence(s: SequenceStats) -> dict[str, Any]:
        return {
            **{k: v for k, v in asdict(s).items() if k != "steps"},
            "steps": [step(x) for x in s.steps],
        }

    data = {
        "generated_at": report.generated_at.isoformat(),
        "totals": {
            "enrolled": report.enrolled,
            "deferred": report.deferred,
            "sent": report.sent,
            "replied": report.replied,
            "median_reply_hours": report.median_reply_hours,
        },
        "sequences": [sequence(s) for s in report.sequences],
        "variants": [
            {**asdict(v), "rate": v.rate, "since": v.since.isoformat() if v.since else None}
            for v in report.variants
        ],
        "sender_days": [asdict(d) for d in report.sender_days],
        "caps_today": report.caps_today,
        "reply_delays": [asdict(d) for d in report.reply_delays],
        "intents": dict(report.intents),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_csv(report: Report, table: str) -> str:
    """One table of the report as CSV with a header row: one of :data:`TABLES`.

    ``steps`` and ``sequences`` have one ``stopped_<reason>`` column per stop reason (the known
    ones always, any other found after them); rates are fractions, empty when nothing was sent.
    """
    if table not in TABLES:
        raise ValueError(f"no table '{table}' (choose one of {', '.join(TABLES)})")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in _CSV[table](report):
        # a text cell a spreadsheet would run as a formula (=, +, -, @) gets a leading ' (CWE-1236)
        writer.writerow(
            [
                ""
                if value is None
                else "'" + value
                if isinstance(value, str) and value[:1] in ("=", "+", "-", "@")
                else value
                for value in row
            ]
        )
    return buffer.getvalue()


def _reasons(report: Report) -> list[str]:
    found = {r for s in report.sequences for r in s.stopped} | {
        r for s in report.sequences for x in s.steps for r in x.stopped
    }
    return [*STOP_REASONS, *sorted(found - set(STOP_REASONS))]


def _csv_sequences(report: Report) -> Iterable[list[Any]]:
    reasons = _reasons(report)
    yield [
        "sequence",
        "enrolled",
        "active",
        "completed",
        "stopped",
        "deferred",
        "skipped",
        "sent",
        "replied",
        "goals",
        *(f"stopped_{r}" for r in reasons),
    ]
    for s in report.sequences:
        yield [
            s.name,
            s.enrolled,
            s.active,
            s.completed,
            s.stopped_total,
            s.deferred,
            s.skipped,
            s.sent,
            s.replied,
            s.goals,
            *(s.stopped.get(r, 0) for r in reasons),
        ]


def _csv_steps(report: Report) -> Iterable[list[Any]]:
    reasons = _reasons(report)
    yield [
        "sequence",
        "step",
        "index",
        "channel",
        "sent",
        "replied",
        "reply_rate",
        "goals",
        "bounced",
        "unsubscribed",
        "pending",
        "cancelled",
        "failed",
        "uncertain",
        *(f"stopped_{r}" for r in reasons),
    ]
    for s in report.sequences:
        for x in s.steps:
            yield [
                s.name,
                x.step,
                x.index,
                x.channel,
                x.sent,
                x.replied,
                _fraction(x.reply_rate),
                x.goals,
                x.bounced,
                x.unsubscribed,
                x.pending,
                x.cancelled,
                x.failed,
                x.uncertain,
                *(x.stopped.get(r, 0) for r in reasons),
            ]


def _csv_variants(report: Report) -> Iterable[list[Any]]:
    yield [
        "sequence",
        "step",
        "factor",
        "variant",
        "sends",
        "successes",
        "metric",
        "rate",
        "ci_low",
        "ci_high",
        "status",
        "since",
        "reason",
    ]
    for v in report.variants:
        yield [
            v.sequence,
            v.step,
            v.factor,
            v.key,
            v.sends,
            v.successes,
            v.metric,
            _fraction(v.rate),
            _fraction(v.low),
            _fraction(v.high),
            v.status,
            v.since.isoformat() if v.since else None,
            v.reason,
        ]


def _csv_senders(report: Report) -> Iterable[list[Any]]:
    yield ["sender", "day", "sent", "cap", "waiting"]
    for d in report.sender_days:
        yield [d.sender, d.day, d.sent, d.cap, d.waiting]


def _csv_replies(report: Report) -> Iterable[list[Any]]:
    yield ["hours", "replies"]
    for d in report.reply_delays:
        yield [d.hours, d.count]


_CSV = {
    "sequences": _csv_sequences,
    "steps": _csv_steps,
    "variants": _csv_variants,
    "senders": _csv_senders,
    "replies": _csv_replies,
}


def _fraction(value: float | None) -> str | None:
    return None if value is None else f"{value:.4f}"
