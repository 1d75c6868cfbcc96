"""The marketer's question: how many contacts (and so how many weeks at the senders' caps) give
the scoring a ``target`` chance (80%) of retiring a variant ``worse_ratio`` times worse at the
assumed rate. Each candidate audience is planned whole: its own schedule, a horizon that covers
it (:func:`~sequencer.planner.timeline.weeks_to_count`) and seeded runs of the "worse" scenario,
each ended as soon as the worse variant is retired. The search starts at the planned audience,
doubles (or halves) it at most ``STEPS`` times until the target is bracketed, then bisects until
the bracket is within ``PRECISION``. Pure, and repeatable like the plan.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from sequencer.planner.forecast import Plan
from sequencer.planner.inputs import PlanInput, worse_family
from sequencer.planner.montecarlo import Campaign, Progress, scenario
from sequencer.planner.timeline import schedule, weeks_to_count

#: The share of runs in which the worse variant must be retired.
TARGET = 0.8
#: Doublings (or halvings) at most: the search looks from 1/64 to 64 times the planned audience.
STEPS = 6
#: Bisection stops when the bracket's ends are within this fraction of each other.
PRECISION = 0.1
#: Runs per candidate audience, at most (fewer when the plan asks for fewer).
RUNS = 100


@dataclass(frozen=True, kw_only=True)
class Recommendation:
    """The audience that gives ``target`` power, and what the planned one gives."""

    target: float
    #: Share of runs retiring the worse variant with the planned contacts, over the whole schedule.
    planned: float
    #: Weeks the planned contacts take until every send is counted.
    planned_weeks: int
    #: The smallest audience found with at least ``target``; None when 64 times the plan is short.
    contacts: int | None
    #: Weeks that audience takes at the senders' caps until every send is counted.
    weeks: int | None
    #: Its share of runs retiring the worse variant.
    power: float | None
    #: Runs per candidate, and candidates simulated.
    runs: int
    tried: int

    @property
    def enough(self) -> bool:
        """Whether the planned audience reaches the target."""
        return self.planned >= self.target


class _Probe:
    """Power of one audience size, memoised: (share of runs retiring the worse variant, weeks)."""

    def __init__(self, p: PlanInput, worse: tuple[int, str], progress: Progress | None) -> None:
        self.p, self.worse, self.progress = p, worse, progress
        self.runs = min(p.runs, RUNS)
        self.seen: dict[int, tuple[float, int]] = {}

    def __call__(self, contacts: int) -> tuple[float, int]:
        if contacts not in self.seen:
            self.seen[contacts] = self._simulate(contacts)
        return self.seen[contacts]

    def _simulate(self, contacts: int) -> tuple[float, int]:
        q = replace(self.p, contacts=contacts, horizon_weeks=None)
        slots = schedule(q)
        q = replace(q, horizon_weeks=weeks_to_count(q, slots))
        campaign = Campaign(q, slots)
        rates = scenario(q, campaign, "worse", assumed=True, worse=self.worse)
        hits, done = 0, len(self.seen) * self.runs
        for r in range(self.runs):
            rng = random.Random(f"{q.seed}:worse:{r}")
            hits += self.worse in campaign.run(rates, rng, until=self.worse).retired
            if self.progress is not None:
                self.progress(done + r + 1, done + self.runs)
        assert q.horizon_weeks is not None
        return hits / self.runs, q.horizon_weeks


def recommend(
    p: PlanInput,
    *,
    target: float = TARGET,
    progress: Progress | None = None,
    planned: Plan | None = None,
) -> Recommendation | None:
    """Search the audience that retires a ``p.worse_ratio``-times worse variant in ``target`` of
    the runs; None when the sequence has no family of two variants. ``planned``, the plan of
    ``p``, saves simulating the planned audience again when its runs are the search's own."""
    worse = worse_family(p.sequence, p.worse)
    if worse is None:
        return None
    probe = _Probe(p, worse, progress)
    r = planned.retirement if planned is not None else None
    covering = planned is not None and planned.input.horizon_weeks == planned.covering_weeks
    if planned is not None and r is not None and r.runs == probe.runs and covering:
        probe.seen[p.contacts] = (r.retired, planned.covering_weeks)  # the same seeded runs
    low, high = _bracket(probe, p.contacts, target)
    while high is not None and low is not None and high - low > max(1, PRECISION * high):
        middle = (low + high) // 2
        if probe(middle)[0] >= target:
            high = middle
        else:
            low = middle
    power, planned_weeks = probe(p.contacts)
    found = probe(high) if high is not None else None
    return Recommendation(
        target=target,
        planned=power,
        planned_weeks=planned_weeks,
        contacts=high,
        weeks=found[1] if found else None,
        power=found[0] if found else None,
        runs=probe.runs,
        tried=len(probe.seen),
    )


def _bracket(probe: _Probe, contacts: int, target: float) -> tuple[int | None, int | None]:
    """(an audience short of ``target`` or None, one that reaches it or None), doubling from
    ``contacts`` when it is short, halving it when it is enough."""
    if probe(contacts)[0] >= target:
        high = contacts
        for _ in range(STEPS):
            smaller = high // 2
            if smaller < 1:
                return None, high
            if probe(smaller)[0] < target:
                return smaller, high
            high = smaller
        return None, high
    low = contacts
    for _ in range(STEPS):
        if probe(low * 2)[0] >= target:
            return low, low * 2
        low *= 2
    return low, None
