"""One look of the scoring job: every variant family scored, decisions stored, weak variants
retired.

A family is one factor (subjects, or bodies) of one email step. Its live variants are the
YAML's keys minus those retired in the database, so a retired key stays retired when the
file is reloaded and a key added to the YAML joins with fresh counts. The statistics are
:func:`sequencer.scoring.score_guarded` (the primary metric and the guardrails); this module
only gathers the counts and records.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sequencer import scoring
from sequencer.model import Sequence
from sequencer.status import VariantStatus
from sequencer.store import Decision, Store
from sequencer.variants import (
    families as families,
)  # moved to the pure core; re-exported for callers

FACTORS = ("subject", "body")


@dataclass(frozen=True, kw_only=True)
class Family:
    sequence: str
    step: str
    #: subject | body
    factor: str
    verdicts: list[scoring.Verdict]

    @property
    def retired(self) -> list[str]:
        return [v.key for v in self.verdicts if v.decision is scoring.Decision.RETIRE]


def counted(
    store: Store, sequence: Sequence, step_key: str, factor: str, *, now: datetime
) -> dict[str, tuple[int, int]]:
    """Per variant key: (sends, successes) as a look counts them at ``now``: sends that went out
    at least the sequence's ``reply_window_days`` ago, and of them those with a success event
    (the sequence's metric, positive replies by default) credited to them. `sequencer report`
    shows these."""
    found = _counted_by_day(store, sequence, step_key, factor, now=now)
    return {
        k: (sum(n for _, n, _ in days), sum(h for _, _, h in days)) for k, days in found.items()
    }


def primary(
    store: Store, sequence: Sequence, step_key: str, factor: str, keys: list[str], *, now: datetime
) -> list[scoring.VariantStats]:
    """The live ``keys``' counts as :func:`counted` counts them, each split by the UTC day its
    sends went out and the mailbox they went out from: what the scoring compares, period by
    period."""
    found = _counted_by_day(store, sequence, step_key, factor, now=now)
    return [_split(k, found.get(k, [])) for k in keys]


def _counted_by_day(
    store: Store, sequence: Sequence, step_key: str, factor: str, *, now: datetime
) -> Mapping[str, Collection[tuple[Hashable, int, int]]]:
    rules = sequence.scoring
    return store.variant_stats(
        sequence=sequence.name,
        step_key=step_key,
        factor=factor,
        until=now - timedelta(days=rules.reply_window_days),
        metric=rules.metric.event,
        intents=rules.metric.intents,
    )


def guarded(
    store: Store, sequence: Sequence, step_key: str, factor: str, keys: list[str], *, now: datetime
) -> dict[str, list[scoring.VariantStats]]:
    """Per guardrail (unsubscribe, not_interested, bounce): the counts of the live ``keys`` at
    ``now``, after the same reply window as :func:`counted`, and of every other key of the
    family that has sends (retired, or gone from the YAML: they stay in the rest), each split
    by the UTC day its sends went out and their mailbox. Only whole days count, so a day's
    shares, once counted, do not change at the next look."""
    until = now.astimezone(UTC) - timedelta(days=sequence.scoring.reply_window_days)
    found = store.guardrail_stats(
        sequence=sequence.name,
        step_key=step_key,
        factor=factor,
        until=until.replace(hour=0, minute=0, second=0, microsecond=0) - _TICK,
    )
    return {
        name: [_split(k, days.get(k, [])) for k in [*keys, *sorted(set(days) - set(keys))]]
        for name, days in found.items()
    }


#: A whole day ends just before midnight: ``until`` is inclusive.
_TICK = timedelta(microseconds=1)


def _split(key: str, days: Collection[tuple[Hashable, int, int]]) -> scoring.VariantStats:
    """A key's counts, in total and by period (UTC day, sender)."""
    return scoring.VariantStats(
        key=key,
        sends=sum(n for _, n, _ in days),
        successes=sum(k for _, _, k in days),
        periods=tuple(sorted(days)),
    )


def run_look(
    store: Store,
    sequences: Mapping[str, Sequence],
    *,
    now: datetime,
    dry_run: bool = False,
    log: Any = None,
) -> list[Family]:
    """Score every family; unless ``dry_run``, store one decision row per variant and retire."""
    results = []
    for sequence in sequences.values():
        rules = sequence.scoring
        settings = scoring.Settings(
            alpha=rules.alpha,
            n_star=rules.n_star,
            min_sends=rules.min_sends,
            label=f"{rules.metric.label} rate",
            metric=rules.metric.label,
        )
        for step, factor, keys in families(sequence):
            retired = store.retired_keys(sequence.name, step.key, factor)
            live = [k for k in keys if k not in retired]
            if len(live) < 2:
                continue
            stats = primary(store, sequence, step.key, factor, live, now=now)
            harms = guarded(store, sequence, step.key, factor, live, now=now)
            family = Family(
                sequence=sequence.name,
                step=step.key,
                factor=factor,
                verdicts=scoring.score_guarded(stats, harms, settings),
            )
            results.append(family)
            if not dry_run:
                _record(store, family, now, log)
    return results


def _record(store: Store, family: Family, now: datetime, log: Any) -> None:
    store.add_decisions(
        [
            Decision(
                look_at=now,
                sequence=family.sequence,
                step_key=family.step,
                factor=family.factor,
                key=v.key,
                sends=v.sends,
                successes=v.successes,
                rate=v.rate,
                z=v.z,
                p=v.p,
                p_holm=v.p_holm,
                decision=v.decision.value,
                reason=v.reason,
                metric=v.metric,
            )
            for v in family.verdicts
        ]
    )
    for verdict in family.verdicts:
        if verdict.decision is scoring.Decision.RETIRE:
            store.set_variant_status(
                sequence=family.sequence,
                step_key=family.step,
                factor=family.factor,
                key=verdict.key,
                status=VariantStatus.RETIRED,
                reason=verdict.reason,
                at=now,
            )
            if log is not None:
                log.info(
                    "variant.retired",
                    sequence=family.sequence,
                    step=family.step,
                    factor=family.factor,
                    key=verdict.key,
                    metric=verdict.metric,
                    sends=verdict.sends,
                    p=verdict.p,
                    p_holm=verdict.p_holm,
                )
