"""The Monte Carlo half of a plan: seeded runs over the schedule, drawing successes at the
assumed rates, assigning variants as the dispatcher does and retiring them as the scoring job
does at each look.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sequencer import scoring, variants
from sequencer.model import Metric
from sequencer.planner.inputs import PlanInput, assumed_rate
from sequencer.planner.timeline import WEEK, Slot

#: Called as ``progress(runs_done, runs_total)`` while the Monte Carlo runs.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, kw_only=True)
class _Family:
    """One factor of one email step with more than one variant."""

    step: int
    factor: str
    keys: list[str]


@dataclass(frozen=True, kw_only=True)
class Rates:
    """A scenario: each step's rate, and a multiplier per (family, key) for variants off the step's
    rate.
    """

    name: str
    step: tuple[float, ...]
    factor: tuple[dict[str, float], ...]

    @property
    def tables(self) -> tuple[tuple[float, ...], tuple[dict[str, float], ...]]:
        return self.step, self.factor


@dataclass(kw_only=True)
class Run:
    """What one run produced."""

    sends: list[int]
    successes: list[int]
    #: (family, key) -> (look instant as a timestamp, its counted sends then).
    retired: dict[tuple[int, str], tuple[float, int]] = field(default_factory=dict)


class Campaign:
    """The schedule flattened for fast runs: timestamps, contacts, steps, senders and families."""

    def __init__(self, p: PlanInput, slots: list[Slot]) -> None:
        seq = p.sequence
        index = {step.key: i for i, step in enumerate(seq.steps)}
        self.families = [
            _Family(step=index[step.key], factor=factor, keys=keys)
            for step, factor, keys in variants.families(seq)
        ]
        self.by_step: list[list[int]] = [
            [f for f, fam in enumerate(self.families) if fam.step == i]
            for i in range(len(seq.steps))
        ]
        self.at = [s.at.timestamp() for s in slots]
        self.contact = [s.contact for s in slots]
        self.step = [s.step for s in slots]
        self.sender = [s.sender for s in slots]
        self.contacts, self.steps = p.contacts, len(seq.steps)
        self.salts = [
            str(i + 1) for i in range(p.contacts)
        ]  # the enrollment id the dispatcher salts ties with
        self.window = seq.scoring.reply_window_days * 86400.0
        assert p.horizon_weeks is not None, "plan() sets the horizon before the runs"
        self.looks = [
            t.timestamp() for t in p.looks.times(p.start, p.start + p.horizon_weeks * WEEK)
        ]
        rules = seq.scoring
        self.settings = scoring.Settings(
            alpha=rules.alpha,
            n_star=rules.n_star,
            min_sends=rules.min_sends,
            label=f"{rules.metric.label} rate",
            metric=rules.metric.label,
        )
        replies = (Metric.REPLIES, Metric.POSITIVE_REPLY)
        self.stops = (rules.metric in replies and seq.stop_on.reply) or (
            rules.metric is Metric.GOALS and bool(seq.stop_on.goals)
        )
        self.fixed = {
            f: self._first_assignments(f) for f, fam in enumerate(self.families) if fam.step == 0
        }

    def _first_assignments(self, f: int) -> list[str]:
        """Family ``f`` of message 1 assigned over every slot while nothing is retired: the same in
        every run (every contact gets message 1), so runs reuse it until the family's first
        retirement.
        """
        keys, counts = self.families[f].keys, dict[str, dict[str, int]]()
        out = [""] * len(self.at)
        for j, step in enumerate(self.step):
            if step == 0:
                table = counts.setdefault(self.sender[j], {})
                out[j] = key = variants.choose(keys, table, salt=self.salts[self.contact[j]])
                table[key] = table.get(key, 0) + 1
        return out

    def run(self, rates: Rates, rng: random.Random, *, until: tuple[int, str] | None = None) -> Run:
        """One campaign: sends in time order, a look at each look time, the rest after the
        horizon. With ``until`` (family, key), it ends as soon as that variant is retired.
        """
        state = _RunState(self, rates, rng)
        for look in self.looks:
            state.send_until(look)
            state.count_until(look - self.window)
            if not state.look(look):
                break  # every send counted and nothing changed: later looks decide the same
            if until in state.result.retired:
                return state.result
        state.send_until(math.inf)
        return state.result


class _RunState:
    """The moving parts of one run: who stopped, assignment counts, retired keys, counted
    tallies.
    """

    def __init__(self, campaign: Campaign, rates: Rates, rng: random.Random) -> None:
        self.c, self.rates, self.random = campaign, rates, rng.random
        self.stopped = bytearray(campaign.contacts)
        self.fixed = dict(campaign.fixed)
        self.assigned: dict[tuple[int, str], dict[str, int]] = {}
        self.retired: list[set[str]] = [set() for _ in campaign.families]
        self.tally: list[dict[str, list[int]]] = [
            {k: [0, 0] for k in f.keys} for f in campaign.families
        ]
        self.dirty = [False] * len(campaign.families)
        self.chosen: list[tuple[str, ...] | None] = [None] * len(campaign.at)
        self.hit = bytearray(len(campaign.at))
        self.sent = self.counted = 0
        self.result = Run(sends=[0] * campaign.steps, successes=[0] * campaign.steps)

    def send_until(self, moment: float) -> None:
        """Make the sends due by ``moment``: variants assigned, a success drawn, a stop kept (hot
        loop: locals).
        """
        c, result, stopped, chosen, hit, fixed = (
            self.c,
            self.result,
            self.stopped,
            self.chosen,
            self.hit,
            self.fixed,
        )
        at, contacts, steps, by_step, step_rate, factor, draw = (
            c.at,
            c.contact,
            c.step,
            c.by_step,
            *self.rates.tables,
            self.random,
        )
        j, end = self.sent, len(at)
        while j < end and at[j] <= moment:
            contact, step = contacts[j], steps[j]
            if not stopped[contact]:
                rate = step_rate[step]
                if by_step[step]:
                    keys = tuple(
                        fixed[f][j] if f in fixed else self._choose(f, j, contact)
                        for f in by_step[step]
                    )
                    for f, key in zip(by_step[step], keys, strict=True):
                        rate *= factor[f].get(key, 1.0)
                    chosen[j] = keys
                result.sends[step] += 1
                if draw() < rate:
                    hit[j] = 1
                    result.successes[step] += 1
                    stopped[contact] = c.stops
            j += 1
        self.sent = j

    def _choose(self, f: int, j: int, contact: int) -> str:
        """The dispatcher's choice for family ``f`` at slot ``j``: the least assigned live key in
        the sender's mailbox.
        """
        counts = self.assigned.setdefault((f, self.c.sender[j]), {})
        key = variants.choose(
            self.c.families[f].keys, counts, retired=self.retired[f], salt=self.c.salts[contact]
        )
        counts[key] = counts.get(key, 0) + 1
        return key

    def _unfix(self, f: int) -> None:
        """Leave message 1's shared assignments for family ``f`` after its first retirement: count
        what they assigned.
        """
        fixed = self.fixed.pop(f)
        for j in range(self.sent):
            key = fixed[j]
            if key:
                counts = self.assigned.setdefault((f, self.c.sender[j]), {})
                counts[key] = counts.get(key, 0) + 1

    def count_until(self, moment: float) -> None:
        """Count the sends whose reply window has passed, with their successes."""
        at, steps, by_step = self.c.at, self.c.step, self.c.by_step
        chosen, hit, tallies, dirty = self.chosen, self.hit, self.tally, self.dirty
        j, end = self.counted, self.sent
        while j < end and at[j] <= moment:
            keys = chosen[j]
            if keys is not None:
                for f, key in zip(by_step[steps[j]], keys, strict=True):
                    tally = tallies[f][key]
                    tally[0] += 1
                    tally[1] += hit[j]
                    dirty[f] = True
            j += 1
        self.counted = j

    def look(self, moment: float) -> bool:
        """Score every family that changed since its last look; False when nothing can change any
        more.
        """
        for f, family in enumerate(self.c.families):
            if not self.dirty[f]:
                continue
            self.dirty[f] = False
            live = [k for k in family.keys if k not in self.retired[f]]
            if len(live) < 2:
                continue
            stats = [
                scoring.VariantStats(
                    key=k, sends=self.tally[f][k][0], successes=self.tally[f][k][1]
                )
                for k in live
            ]
            for verdict in scoring.score_family(stats, self.c.settings):
                if verdict.decision is scoring.Decision.RETIRE:
                    if f in self.fixed:
                        self._unfix(f)
                    self.retired[f].add(verdict.key)
                    self.result.retired[(f, verdict.key)] = (moment, verdict.sends)
                    self.dirty[f] = (
                        True  # a smaller family is corrected less: look again with the same counts
                    )
        return self.counted < len(self.c.at) or any(self.dirty)


def scenario(
    p: PlanInput,
    campaign: Campaign,
    name: str,
    *,
    assumed: bool,
    worse: tuple[int, str] | None = None,
) -> Rates:
    """Step rates, and variant multipliers: the assumed ones (``assumed``), and one variant
    ``worse_ratio`` times worse than the best of the others (``worse``).
    """
    step_rates = tuple(assumed_rate(p, step) for step in p.sequence.steps)
    factors: list[dict[str, float]] = []
    for f, family in enumerate(campaign.families):
        step = p.sequence.steps[family.step]
        given = (
            {k: p.variant_rates.get(f"{step.key}.{family.factor}.{k}") for k in family.keys}
            if assumed
            else {}
        )
        multipliers = {
            k: rate / step_rates[family.step] for k, rate in given.items() if rate is not None
        }
        if (
            worse is not None and worse[0] == f
        ):  # worse than the best of the others, which it is judged against
            multipliers[worse[1]] = best_other(multipliers, family.keys, worse[1]) / p.worse_ratio
        factors.append(multipliers)
    return Rates(name=name, step=step_rates, factor=tuple(factors))


def simulate(
    p: PlanInput, campaign: Campaign, scenarios: list[Rates], progress: Progress | None
) -> dict[str, list[Run]]:
    """``p.runs`` seeded runs of each scenario, by scenario name."""
    runs: dict[str, list[Run]] = {rates.name: [] for rates in scenarios}
    for rates in scenarios:
        for r in range(p.runs):
            runs[rates.name].append(
                campaign.run(rates, random.Random(f"{p.seed}:{rates.name}:{r}"))
            )
            if progress is not None:
                progress(sum(map(len, runs.values())), len(scenarios) * p.runs)
    return runs


def best_other(multipliers: Mapping[str, float], keys: list[str], key: str) -> float:
    """The highest multiplier among a family's variants other than ``key`` (1: the step's rate)."""
    return max(multipliers.get(k, 1.0) for k in keys if k != key)
