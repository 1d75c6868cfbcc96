"""Monte Carlo of variant retirement: the engine's sequential scoring next to a naive chi-square at
every look.

    python bench/ab_retirement.py [--campaigns N] [--seed S] [--base-rate R] [--variants K]
                                  [--per-look M] [--looks L] [--jobs J] [--guard-rate G]
                                  [--guardrails-only]

Each campaign has K variants of one factor (default 6). Scoring looks twice a week for 12
weeks (24 looks); between two looks every live variant receives M sends (default 50), each a
reply with its variant's true rate. At each look the family of live variants is scored and the
retired ones stop receiving sends, the rest continue, as the engine does. Scenarios:

* A/A: every variant at the base rate (default 10%);
* 2x: one "weak" variant at half the base rate;
* 1.5x: one weak variant at 2/3 of the base rate.

Two more scenarios score replies and guardrails together (``score_guarded``): every send may
also bring an unsubscribe, a not-interested reply and a bounce, each at ``--guard-rate``
(default 2%) and drawn independently of the replies:

* A/A guarded: every variant equal on replies and on every guardrail;
* 2x unsubscribes: one variant equal on replies but with twice the unsubscribe rate;
* A/A guarded, newcomer: all equal at every look, but the last variant joins halfway, when
  a worse list starts (every guardrail's rate goes from a quarter of ``--guard-rate`` to twice
  it, and the reply rate halves), and catches up on sends over four looks. It also runs with
  everything pooled over the campaign, as the engine compared variants before periods.

In the guarded scenarios the counts are given look by look, as the engine gives them day by
day: replies are compared with the best by ``sequencer.scoring.stratified_z`` (the
Cochran-Mantel-Haenszel z, in the same mSPRT), and each guardrail, per variant against the rest
of its family (retired variants' sends while they were live included), by
``sequencer.scoring.stratified_rate_ratio_p`` (an exact sequential test of the rate ratio,
betting on a doubling), all inside the family's one Holm correction.

Both methods run on the same simulated replies in the same run: the engine is
``sequencer.scoring.score_family`` (mSPRT always-valid p, Holm), the baseline is
``sequencer.scoring.naive_chi_square`` (plain 2x2 chi-square vs the current best at 5%, every
look, no correction). Reported per scenario and method: false retirement (campaigns in which
any variant at the base rate was retired), the share of campaigns in which the weak variant was
retired by week 4, 8 and 12, and the median number of sends the weak variant had received when
it was retired. The ± is a 95% binomial half-width. It is a measurement: it exits 0 whatever
the numbers.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from sequencer.scoring import (
    Decision,
    VariantStats,
    naive_chi_square,
    score_family,
    score_guarded,
)

Decide = Callable[[Sequence[VariantStats]], list[str]]
LOOKS_PER_WEEK = 2
REPORT_WEEKS = (4, 8, 12)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A named set of true reply rates; the weak variant (if any) is the last one."""

    name: str
    weak_factor: (
        float | None
    )  # the weak variant's rate as a fraction of the base rate; None for A/A
    #: The last variant joins halfway, as a worse list starts (guarded scenarios only).
    newcomer: bool = False


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What happened in one campaign under one method."""

    false_retirement: bool  # a variant at the base rate was retired
    weak_look: int | None  # the look (1-based) at which the weak variant was retired


@dataclass(frozen=True, kw_only=True)
class Job:
    """A slice of campaigns for one scenario, simulated in one process."""

    scenario: Scenario
    campaigns: int
    seed: int
    base_rate: float
    variants: int
    per_look: int
    looks: int
    #: Rate of each guardrail event per send; None: the replies-only scenarios.
    guard_rate: float | None = None


SCENARIOS = (
    Scenario(name="A/A", weak_factor=None),
    Scenario(name="2x", weak_factor=0.5),
    Scenario(name="1.5x", weak_factor=2 / 3),
)


#: Replies and guardrails together; ``weak_factor`` multiplies the weak variant's unsubscribe rate.
GUARDED = (
    Scenario(name="A/A guarded", weak_factor=None),
    Scenario(name="2x unsubscribes", weak_factor=2.0),
    Scenario(name="A/A guarded, newcomer", weak_factor=None, newcomer=True),
)
GUARDRAILS = ("unsubscribe", "not_interested", "bounce")
GUARDED_METHOD = "engine+guardrails"
#: Replies and guardrails as they were tested before periods: pooled over the campaign, the
#: guardrails against the live rest only; run on the newcomer scenario, for comparison.
POOLED_METHOD = "pooled (before)"


def engine(stats: Sequence[VariantStats]) -> list[str]:
    """Keys the engine's scoring retires at this look."""
    return [v.key for v in score_family(stats) if v.decision is Decision.RETIRE]


def naive(stats: Sequence[VariantStats]) -> list[str]:
    """Keys the naive chi-square retires at this look."""
    return naive_chi_square(stats)


METHODS: dict[str, Decide] = {"engine": engine, "naive": naive}


def true_rates(job: Job) -> np.ndarray:
    """The true rate of each variant; the weak one, if any, is last."""
    rates = np.full(job.variants, job.base_rate)
    if job.scenario.weak_factor is not None:
        rates[-1] = job.base_rate * job.scenario.weak_factor
    return rates


def run_campaign(
    cumulative: np.ndarray, decide: Decide, *, per_look: int, weak: int | None
) -> Outcome:
    """Score one campaign look by look; ``cumulative[look, variant]`` is replies so far if still
    live.

    A variant's counts do not depend on the others, so a live variant's replies at a look are the
    cumulative sum of its draws.
    """

    def judge(look: int, live: list[int]) -> set[int]:
        return {int(key) for key in decide(_stats(cumulative[look], live, per_look * (look + 1)))}

    return run_looks(cumulative.shape[0], cumulative.shape[1], judge, weak=weak)


def run_guarded_campaign(
    replies: np.ndarray,
    harms: np.ndarray,
    sends: np.ndarray,
    *,
    weak: int | None,
    pooled: bool = False,
) -> Outcome:
    """As :func:`run_campaign`, scored on replies and on every guardrail, each look's own counts:
    ``replies[look, variant]``, ``harms[look, guardrail, variant]`` and ``sends[look, variant]``
    (what a live variant sends between two looks). As in the engine, a retired variant stops
    sending, and its sends while it was live stay in the rest of its family, look by look (the
    periods); with ``pooled``, as before periods: totals, against the live rest only."""
    variants = sends.shape[1]
    last: dict[int, int] = {}  # a retired variant -> the last look it sent in

    def judge(look: int, live: list[int]) -> set[int]:
        stats = [_periods(v, sends, replies, look, pooled) for v in live]
        family = live if pooled else [v for v in range(variants) if v in live or v in last]
        guardrails = {
            name: [_periods(v, sends, harms[:, g], last.get(v, look), pooled) for v in family]
            for g, name in enumerate(GUARDRAILS)
        }
        verdicts = score_guarded(stats, guardrails)
        retired = {int(v.key) for v in verdicts if v.decision is Decision.RETIRE}
        last.update(dict.fromkeys(retired, look))
        return retired

    return run_looks(sends.shape[0], variants, judge, weak=weak)


def _periods(
    v: int, sends: np.ndarray, events: np.ndarray, until: int, pooled: bool
) -> VariantStats:
    """Variant ``v``'s counts of ``events`` (replies, or one guardrail) through look ``until``,
    look by look; with ``pooled``, only the totals."""
    periods = tuple(
        (t, int(sends[t, v]), int(events[t, v])) for t in range(until + 1) if sends[t, v]
    )
    total = VariantStats(
        key=str(v),
        sends=sum(n for _, n, _ in periods),
        successes=sum(k for _, _, k in periods),
        periods=() if pooled else periods,
    )
    return total


def _stats(counts: np.ndarray, live: list[int], sends: int) -> list[VariantStats]:
    """The live variants' counts at one look, each with ``sends`` sends."""
    return [VariantStats(key=str(i), sends=sends, successes=int(counts[i])) for i in live]


def run_looks(
    looks: int, variants: int, judge: Callable[[int, list[int]], set[int]], *, weak: int | None
) -> Outcome:
    """Look after look, retire what ``judge(look, live)`` retires; stops as soon as both outcomes
    are known."""
    live = list(range(variants))
    false_retirement, weak_look = False, None
    for look in range(looks):
        retired = judge(look, live)
        false_retirement = false_retirement or any(i != weak for i in retired)
        if weak in retired:
            weak_look = look + 1
        live = [i for i in live if i not in retired]
        if false_retirement and (weak is None or weak_look is not None):
            break
    return Outcome(false_retirement=false_retirement, weak_look=weak_look)


def run_job(job: Job) -> dict[str, list[Outcome]]:
    """Simulate ``job.campaigns`` campaigns once and score each with every method."""
    if job.guard_rate is not None:
        return run_guarded_job(job, job.guard_rate)
    rng = np.random.default_rng(job.seed)
    rates = true_rates(job)
    draws = rng.binomial(job.per_look, rates, size=(job.campaigns, job.looks, job.variants))
    cumulative = draws.cumsum(axis=1)
    weak = job.variants - 1 if job.scenario.weak_factor is not None else None
    return {
        name: [
            run_campaign(cumulative[c], decide, per_look=job.per_look, weak=weak)
            for c in range(job.campaigns)
        ]
        for name, decide in METHODS.items()
    }


def run_guarded_job(job: Job, guard_rate: float) -> dict[str, list[Outcome]]:
    """Simulate ``job.campaigns`` campaigns of replies and guardrails, scored together.

    In the newcomer scenario the last variant sends nothing for the first half of the looks,
    then catches up over four looks (balanced assignment gives it most of the sends), and as it
    joins, a worse list starts: every guardrail's rate, equal for all variants, goes from a
    quarter of ``guard_rate`` to twice it, and the reply rate halves."""
    rng = np.random.default_rng(job.seed)
    looks, variants = job.looks, job.variants
    sends = np.full((looks, variants), job.per_look)
    rates = np.full((looks, len(GUARDRAILS), variants), guard_rate)
    if job.scenario.weak_factor is not None:
        rates[:, 0, -1] = guard_rate * job.scenario.weak_factor
    if job.scenario.newcomer:
        half = looks // 2
        sends[:half, -1] = 0
        sends[half : half + 4, -1] = job.per_look + job.per_look * half // 4
        rates[:half], rates[half:] = guard_rate / 4, guard_rate * 2
    reply_rates = np.full((looks, variants), job.base_rate)
    if job.scenario.newcomer:
        reply_rates[looks // 2 :] = job.base_rate / 2
    replies = rng.binomial(sends, reply_rates, size=(job.campaigns, looks, variants))
    harms = rng.binomial(sends[:, None, :], rates, size=(job.campaigns, *rates.shape))
    weak = variants - 1 if job.scenario.weak_factor is not None else None
    methods = {GUARDED_METHOD: False, **({POOLED_METHOD: True} if job.scenario.newcomer else {})}
    return {
        method: [
            run_guarded_campaign(replies[c], harms[c], sends, weak=weak, pooled=pooled)
            for c in range(job.campaigns)
        ]
        for method, pooled in methods.items()
    }


def split(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` near-equal non-empty sizes."""
    parts = max(1, min(parts, total))
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def simulate(args: argparse.Namespace) -> dict[str, dict[str, list[Outcome]]]:
    """Scenario -> method -> outcomes, campaigns spread over ``args.jobs`` processes."""
    plain = () if args.guardrails_only else SCENARIOS
    runs = [(s, scenario, None) for s, scenario in enumerate(plain)] + [
        (len(SCENARIOS) + s, scenario, args.guard_rate) for s, scenario in enumerate(GUARDED)
    ]
    jobs = [
        Job(scenario=scenario, campaigns=n, seed=args.seed * 1_000 + 100 * s + j,
            base_rate=args.base_rate,
            variants=args.variants, per_look=args.per_look, looks=args.looks, guard_rate=guard)
        for s, scenario, guard in runs
        for j, n in enumerate(split(args.campaigns, args.jobs))
    ]  # fmt: skip
    results: dict[str, dict[str, list[Outcome]]] = {s.name: {m: [] for m in METHODS} for s in plain}
    results.update({s.name: {GUARDED_METHOD: []} for s in GUARDED})
    results["A/A guarded, newcomer"][POOLED_METHOD] = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for job, result in zip(jobs, pool.map(run_job, jobs), strict=True):
            for method, outcomes in result.items():
                results[job.scenario.name][method].extend(outcomes)
    return results


def share(flags: Sequence[bool]) -> float:
    """Fraction of true flags."""
    return sum(flags) / len(flags)


def pct(x: float, n: int | None = None) -> str:
    """A percentage, with a 95% binomial half-width when ``n`` is given."""
    if n is None:
        return f"{x:.1%}"
    half = 1.96 * math.sqrt(max(x * (1 - x), 1 / n) / n)
    return f"{x:5.1%} ±{100 * half:.1f}"


def row(scenario: Scenario, method: str, outcomes: Sequence[Outcome], per_look: int) -> list[str]:
    """One line of the table."""
    n = len(outcomes)
    cells = [scenario.name, method, pct(share([o.false_retirement for o in outcomes]), n)]
    if scenario.weak_factor is None:
        return [*cells, "—", "—", "—", "—"]
    for week in REPORT_WEEKS:
        cells.append(
            pct(
                share(
                    [
                        o.weak_look is not None and o.weak_look <= week * LOOKS_PER_WEEK
                        for o in outcomes
                    ]
                ),
                n,
            )
        )
    looks = [o.weak_look for o in outcomes if o.weak_look is not None]
    cells.append(f"{statistics.median(looks) * per_look:.0f}" if looks else "—")
    return cells


def table(results: dict[str, dict[str, list[Outcome]]], per_look: int) -> str:
    """The results as an aligned text table."""
    weeks = [f"weak retired by wk {w}" for w in REPORT_WEEKS]
    header = ["scenario", "method", "false retirement", *weeks, "median sends at retirement"]
    scenarios = [s for s in (*SCENARIOS, *GUARDED) if s.name in results]
    rows = [
        header,
        *(row(s, m, results[s.name][m], per_look) for s in scenarios for m in results[s.name]),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            _align(cell, w, right=i > 1) for i, (cell, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def _align(cell: str, width: int, *, right: bool) -> str:
    """A cell padded to ``width``: numbers to the right, labels to the left."""
    return cell.rjust(width) if right else cell.ljust(width)


def false_rate(outcomes: Sequence[Outcome]) -> float:
    """Share of campaigns in which a variant at the base rate was retired."""
    return share([o.false_retirement for o in outcomes])


def power(outcomes: Sequence[Outcome], looks: int) -> float:
    """Share of campaigns in which the weak variant was retired within ``looks`` looks."""
    return share([o.weak_look is not None and o.weak_look <= looks for o in outcomes])


def summary(results: dict[str, dict[str, list[Outcome]]], looks: int) -> list[str]:
    """The headline lines."""
    weeks = looks // LOOKS_PER_WEEK
    aa_g, x2_g, new_g = (results[s.name][GUARDED_METHOD] for s in GUARDED)
    new_pooled = results["A/A guarded, newcomer"][POOLED_METHOD]
    guarded = [
        f"A/A on replies and guardrails together: false retirement {pct(false_rate(aa_g))} "
        "(target <= 5% per family)",
        f"2x unsubscribes, equal replies: retired by week {weeks} in "
        f"{pct(power(x2_g, looks))} (target >= 80%)",
        f"A/A with a newcomer on a worse list: false retirement {pct(false_rate(new_g))} "
        f"compared look by look, {pct(false_rate(new_pooled))} pooled (before)",
    ]
    if "A/A" not in results:
        return guarded
    aa, x2, x15 = results["A/A"], results["2x"], results["1.5x"]
    x2_power = (
        f"engine {pct(power(x2['engine'], looks))} (target >= "
        f"80%), naive {pct(power(x2['naive'], looks))}"
    )
    x15_power = (
        f"engine {pct(power(x15['engine'], looks))} (no target), "
        f"naive {pct(power(x15['naive'], looks))}"
    )
    return [
        f"A/A false retirement: engine {pct(false_rate(aa['engine']))} "
        f"(target <= 5%), naive {pct(false_rate(aa['naive']))}",
        f"2x power by week {weeks}: {x2_power}",
        f"1.5x power by week {weeks}: {x15_power}",
        *guarded,
    ]


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--campaigns", type=int, default=2000, help="campaigns per scenario (default 2000)"
    )
    parser.add_argument("--seed", type=int, default=20260301, help="random seed (default 20260301)")
    parser.add_argument(
        "--base-rate",
        type=float,
        default=0.10,
        help="reply rate of the equal variants (default 0.10)",
    )
    parser.add_argument("--variants", type=int, default=6, help="variants per campaign (default 6)")
    parser.add_argument(
        "--per-look", type=int, default=50, help="sends per live variant between looks (default 50)"
    )
    parser.add_argument(
        "--looks", type=int, default=24, help="looks, twice a week (default 24 = 12 weeks)"
    )
    parser.add_argument(
        "--guard-rate",
        type=float,
        default=0.02,
        help="rate of each guardrail event (unsubscribe, not interested, bounce) per send "
        "in the guarded scenarios (default 0.02)",
    )
    parser.add_argument(
        "--guardrails-only",
        action="store_true",
        help="run only the guarded scenarios",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=2,
        help="processes (default 2; the draws depend on --seed and --jobs)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    """Run the Monte Carlo and print the table and the headline lines."""
    args = parse(argv)
    started = time.perf_counter()
    results = simulate(args)
    elapsed = time.perf_counter() - started
    print(
        f"{args.campaigns} campaigns per scenario, {args.variants} "
        f"variants, base reply rate {args.base_rate:.0%}, "
        f"{args.per_look} sends per live variant between looks, "
        f"{args.looks} looks (twice a week), seed {args.seed}"
    )
    print(
        "engine = sequencer.scoring.score_family (mSPRT + "
        "Holm); naive = chi-square vs current best at 5%, every look; engine+guardrails = "
        f"score_guarded, replies and {args.guard_rate:.1%} of each guardrail per send, "
        "guardrails by the exact rate-ratio test of a doubling\n"
    )
    print(table(results, args.per_look))
    print()
    print("\n".join(summary(results, args.looks)))
    print(f"({elapsed:.0f} s on {args.jobs} processes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
