"""What has happened, read back: the per-step table (:class:`StepRow`) and the full report of
:mod:`sequencer.reporting`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from sequencer.model import StopReason
from sequencer.reporting import Report as Report
from sequencer.services import holds
from sequencer.services.deps import Deps
from sequencer.status import SendStatus


@dataclass
class StepRow:
    """One line of the per-step table."""

    sequence: str
    step: str
    by_status: dict[str, int] = field(default_factory=dict)
    #: Events (reply, goal, bounce, unsubscribe, manual) credited to the step sent last before them.
    events: dict[str, int] = field(default_factory=dict)

    @property
    def sent(self) -> int:
        return self.by_status.get(SendStatus.SENT, 0) + self.by_status.get(SendStatus.BOUNCED, 0)

    @property
    def pending(self) -> int:
        waiting = (SendStatus.SCHEDULED, SendStatus.CLAIMED, SendStatus.SENDING)
        return sum(self.by_status.get(s, 0) for s in waiting)

    @property
    def replied(self) -> int:
        return self.events.get(StopReason.REPLY, 0)

    @property
    def stopped(self) -> int:
        return sum(n for kind, n in self.events.items() if kind in {r.value for r in StopReason})


def step_report(deps: Deps) -> list[StepRow]:
    """Per sequence and step: sent, replied, stopped, pending and the rest."""
    rows: dict[tuple[str, str], StepRow] = {}
    order: dict[tuple[str, str], int] = {}
    for sequence, step, index, status, count in deps.store.step_counts():
        row = rows.setdefault((sequence, step), StepRow(sequence=sequence, step=step))
        order[(sequence, step)] = index
        row.by_status[status] = row.by_status.get(status, 0) + count
    for sequence, step, kind, count in deps.store.event_counts():
        row = rows.setdefault((sequence, step), StepRow(sequence=sequence, step=step))
        row.events[kind] = row.events.get(kind, 0) + count
    return [rows[k] for k in sorted(rows, key=lambda k: (k[0], order.get(k, 99)))]


def report(deps: Deps) -> Report:
    """What `sequencer report` shows: per sequence and step, per variant (rate and 95%
    interval, as the scoring job counts it), sends per sender and day, and the times to reply.
    See :mod:`sequencer.reporting` for its JSON, CSV and HTML forms."""
    from sequencer import reporting

    caps = {
        name: sender.capacity(
            first_day=deps.store.first_sending_day(name) if sender.warmup else None
        )
        for name, sender in deps.config.senders.items()
    }
    built = reporting.build(deps.store, deps.sequences(), caps=caps, now=deps.clock.now())
    return dataclasses.replace(built, holds=holds.lines(deps.store.holds.standing()))
