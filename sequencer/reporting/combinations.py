"""The subject × body section of the report: for every email step that tests both factors, each
combination's counted sends, positive replies (positive or referral intent) and the 95% Wilson
interval of their rate, gathered with one store read per step and drawn as an HTML table beside
the rows for each factor.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime, timedelta

from sequencer.model import Metric, Sequence
from sequencer.reporting.data import CombinationLine
from sequencer.reporting.words import pct
from sequencer.scoring import wilson_interval
from sequencer.store import Store
from sequencer.variants import families


def gather(store: Store, sequences: Iterable[Sequence], now: datetime) -> list[CombinationLine]:
    """Every combination of the steps with two or more subjects and two or more bodies, in YAML
    order, counted at ``now`` after each sequence's reply window."""
    lines = []
    for sequence in sequences:
        tested = {(step.key, factor) for step, factor, _ in families(sequence)}
        for step in sequence.steps:
            if not {(step.key, "subject"), (step.key, "body")} <= tested:
                continue
            counts = store.combination_stats(
                sequence=sequence.name,
                step_key=step.key,
                until=now - timedelta(days=sequence.scoring.reply_window_days),
                intents=Metric.POSITIVE_REPLY.intents or (),
            )
            for subject in step.subjects:
                for body in step.bodies:
                    sends, positive = counts.get((subject.key, body.key), (0, 0))
                    low, high = wilson_interval(positive, sends)
                    lines.append(
                        CombinationLine(
                            sequence=sequence.name,
                            step=step.key,
                            subject=subject.key,
                            body=body.key,
                            sends=sends,
                            positive=positive,
                            low=low,
                            high=high,
                        )
                    )
    return lines


def to_html(lines: Iterable[CombinationLine]) -> str:
    """The section: one row per combination; nothing when no step tests both factors."""
    rows = "".join(
        f"<tr><td>{html.escape(c.sequence)}</td><td>{html.escape(c.step)}</td><td>{html.escape(c.subject)}</td>"
        f'<td>{html.escape(c.body)}</td><td class="n">{c.sends}</td><td class="n">{c.positive}</td>'
        f'<td class="n">{pct(c.rate)}</td><td class="n">{pct(c.low)} – {pct(c.high)}</td></tr>'
        for c in lines
    )
    if not rows:
        return ""
    return (
        '<section>\n<h2>Subject × body</h2>\n<p class="line">Each combination of a step that '
        "tests both, counted like the variants above; positive replies are those read as "
        "positive or a referral.</p>\n"
        '<table class="combinations"><thead><tr><th>sequence</th><th>step</th><th>subject</th>'
        "<th>body</th><th>sends</th><th>positive replies</th><th>rate</th>"
        f"<th>95% interval</th></tr></thead><tbody>{rows}</tbody></table>\n</section>"
    )
