"""The bounce guard: when a sender's (or a sequence's) recent sends bounce too often, or fail too
many times in a row, it is held before it burns the domain. Pure: the thresholds and the verdict
over the outcomes of the latest sends, newest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sequencer.status import SendStatus

#: Reason words of the holds this guard places.
BOUNCE_RATE = "bounce_rate"
CONSECUTIVE_FAILURES = "consecutive_failures"


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    """A sender's ``bounce_guard = { rate, window, min_sends, consecutive }``."""

    #: Hold when more than this share of the window bounced (0.03: 3%).
    rate: float = 0.03
    #: The latest sends looked at.
    window: int = 100
    #: No verdict on the rate before this many sends in the window.
    min_sends: int = 20
    #: Hold when this many of the latest sends in a row bounced or failed.
    consecutive: int = 10


DEFAULT = Thresholds()


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """Why to hold: the reason word and the figures, in words."""

    reason: str
    detail: str


def verdict(statuses: Sequence[str], thresholds: Thresholds = DEFAULT) -> Verdict | None:
    """Whether to hold, given the statuses of the latest sends that went out (or were refused),
    newest first; the first ``thresholds.window`` count."""
    latest = list(statuses[: thresholds.window])
    bounced = sum(status == SendStatus.BOUNCED for status in latest)
    if len(latest) >= thresholds.min_sends and bounced > thresholds.rate * len(latest):
        return Verdict(
            reason=BOUNCE_RATE,
            detail=f"{bounced} of the last {len(latest)} sends bounced "
            f"({bounced / len(latest):.1%}, above the {thresholds.rate:.1%} threshold): check "
            "where the list came from (verify it), then resume",
        )
    failed = (SendStatus.BOUNCED, SendStatus.FAILED)
    streak = next((i for i, s in enumerate(latest) if s not in failed), len(latest))
    if streak >= thresholds.consecutive:
        return Verdict(
            reason=CONSECUTIVE_FAILURES,
            detail=f"the last {streak} sends all bounced or failed: check the sender and the "
            "list, then resume",
        )
    return None
