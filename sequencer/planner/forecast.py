"""A plan's answers and :func:`plan`, which computes them: the schedule once, the Monte Carlo
runs of each scenario, then each step's forecast and how soon a worse variant is retired.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from sequencer.planner.inputs import PlanInput, check, worse_family
from sequencer.planner.montecarlo import (
    Campaign,
    Progress,
    Rates,
    Run,
    best_other,
    scenario,
    simulate,
)
from sequencer.planner.timeline import WEEK, Schedule, schedule, summarise, weeks_to_count

#: Quantiles of the weeks to retirement that a plan reports.
QUANTILES = (0.1, 0.5, 0.9)


@dataclass(frozen=True, kw_only=True)
class StepForecast:
    """One step's sends and successes, averaged over the runs with the assumed rates."""

    key: str
    channel: str
    rate: float
    sends: float
    successes: float


@dataclass(frozen=True, kw_only=True)
class Retirement:
    """How soon the scoring retires a variant ``ratio`` times worse, and how often it retires an
    equal one.
    """

    step: str
    factor: str
    key: str
    ratio: float
    #: Its rate in the worse runs, and the rate of the best of the others.
    rate: float
    others: float
    runs: int
    #: Share of runs in which it was retired within the horizon.
    retired: float
    #: Weeks from ``start`` to its retirement at :data:`QUANTILES`; None: not within the horizon.
    weeks: tuple[float | None, ...]
    #: Median counted sends of the variant when it was retired (None when never).
    sends_at_retirement: int | None
    #: Runs with every variant equal, and the share of them in which any variant of any family
    #: was retired.
    equal_runs: int
    equal_retired: float
    #: Families scored (each has its own α bound on a wrong retirement).
    families: int


@dataclass(frozen=True, kw_only=True)
class Plan:
    """The answers for one :class:`PlanInput`."""

    input: PlanInput
    schedule: Schedule
    steps: tuple[StepForecast, ...]
    #: Mean successes per run over all steps.
    successes: float
    #: The event that counts as a success (reply, goal, click, open).
    metric: str
    #: Looks within the horizon.
    looks: int
    #: Weeks until every send of the schedule is counted: a shorter horizon leaves some out.
    covering_weeks: int
    #: None when the sequence has no family of two variants.
    retirement: Retirement | None


def plan(p: PlanInput, *, progress: Progress | None = None) -> Plan:
    """Check ``p``, compute the schedule once, run the Monte Carlo, and answer."""
    check(p)
    slots = schedule(p)
    covering = weeks_to_count(p, slots)
    if p.horizon_weeks is None:
        p = replace(p, horizon_weeks=covering)
    campaign = Campaign(p, slots)
    assumed = scenario(p, campaign, "assumed", assumed=True)
    worse = worse_family(p.sequence, p.worse)
    scenarios = [assumed]
    if worse is not None:
        if p.variant_rates:  # the assumed runs are not all-equal ones: equal runs of their own
            scenarios.append(scenario(p, campaign, "equal", assumed=False))
        scenarios.append(scenario(p, campaign, "worse", assumed=True, worse=worse))
    runs = simulate(p, campaign, scenarios, progress)
    steps = _forecast(p, assumed, runs["assumed"])
    retirement = None
    if worse is not None:
        equal = runs.get("equal", runs["assumed"])
        retirement = _retirement(p, campaign, worse, scenarios[-1], runs["worse"], equal)
    return Plan(
        input=p,
        schedule=summarise(p, slots),
        steps=steps,
        successes=sum(s.successes for s in steps),
        metric=p.sequence.scoring.metric.label,
        looks=len(campaign.looks),
        covering_weeks=covering,
        retirement=retirement,
    )


def _forecast(p: PlanInput, rates: Rates, runs: list[Run]) -> tuple[StepForecast, ...]:
    n = len(runs)
    return tuple(
        StepForecast(
            key=step.key,
            channel=step.channel.value,
            rate=rates.step[i],
            sends=sum(r.sends[i] for r in runs) / n,
            successes=sum(r.successes[i] for r in runs) / n,
        )
        for i, step in enumerate(p.sequence.steps)
    )


def _retirement(
    p: PlanInput,
    campaign: Campaign,
    worse: tuple[int, str],
    rates: Rates,
    runs: list[Run],
    equal: list[Run],
) -> Retirement:
    f, key = worse
    family = campaign.families[f]
    start = p.start.timestamp()
    hits = [r.retired[worse] for r in runs if worse in r.retired]
    weeks = sorted(
        [(at - start) / WEEK.total_seconds() for at, _ in hits]
        + [math.inf] * (len(runs) - len(hits))
    )
    others = rates.step[family.step] * best_other(rates.factor[f], family.keys, key)
    return Retirement(
        step=p.sequence.steps[family.step].key,
        factor=family.factor,
        key=key,
        ratio=p.worse_ratio,
        rate=rates.step[family.step] * rates.factor[f].get(key, 1.0),
        others=others,
        runs=len(runs),
        retired=len(hits) / len(runs),
        weeks=tuple(_quantile(weeks, q) for q in QUANTILES),
        sends_at_retirement=_median_int([n for _, n in hits]),
        equal_runs=len(equal),
        equal_retired=sum(bool(r.retired) for r in equal) / len(equal),
        families=len(campaign.families),
    )


def _quantile(ordered: list[float], q: float) -> float | None:
    """The nearest-rank ``q`` quantile of sorted values; None when it is infinite (not reached)."""
    value = ordered[max(0, math.ceil(q * len(ordered)) - 1)]
    return None if math.isinf(value) else value


def _median_int(values: list[int]) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]
