"""Monte Carlo of variant retirement: the engine's sequential scoring next to a naive chi-square at
every look.

    python bench/ab_retirement.py [--campaigns N] [--seed S] [--base-rate R] [--variants K]
                                  [--per-look M] [--looks L] [--jobs J]

Each campaign has K variants of one factor (default 6). Scoring looks twice a week for 12
weeks (24 looks); between two looks every live variant receives M sends (default 50), each a
reply with its variant's true rate. At each look the family of live variants is scored and the
retired ones stop receiving sends, the rest continue, as the engine does. Scenarios:

* A/A: every variant at the base rate (default 10%);
* 2x: one "weak" variant at half the base rate;
* 1.5x: one weak variant at 2/3 of the base rate.

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

from sequencer.scoring import Decision, VariantStats, naive_chi_square, score_family

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


SCENARIOS = (
    Scenario(name="A/A", weak_factor=None),
    Scenario(name="2x", weak_factor=0.5),
    Scenario(name="1.5x", weak_factor=2 / 3),
)


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
    cumulative sum of its draws. Stops as soon as both outcomes are known.
    """
    live = list(range(cumulative.shape[1]))
    false_retirement, weak_look = False, None
    for look in range(cumulative.shape[0]):
        stats = [
            VariantStats(
                key=str(i), sends=per_look * (look + 1), successes=int(cumulative[look, i])
            )
            for i in live
        ]
        retired = {int(key) for key in decide(stats)}
        false_retirement = false_retirement or any(i != weak for i in retired)
        if weak in retired:
            weak_look = look + 1
        live = [i for i in live if i not in retired]
        if false_retirement and (weak is None or weak_look is not None):
            break
    return Outcome(false_retirement=false_retirement, weak_look=weak_look)


def run_job(job: Job) -> dict[str, list[Outcome]]:
    """Simulate ``job.campaigns`` campaigns once and score each with every method."""
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


def split(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` near-equal non-empty sizes."""
    parts = max(1, min(parts, total))
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def simulate(args: argparse.Namespace) -> dict[str, dict[str, list[Outcome]]]:
    """Scenario -> method -> outcomes, campaigns spread over ``args.jobs`` processes."""
    jobs = [
        Job(scenario=scenario, campaigns=n, seed=args.seed * 1_000 + 100 * s + j,
            base_rate=args.base_rate,
            variants=args.variants, per_look=args.per_look, looks=args.looks)
        for s, scenario in enumerate(SCENARIOS)
        for j, n in enumerate(split(args.campaigns, args.jobs))
    ]  # fmt: skip
    results: dict[str, dict[str, list[Outcome]]] = {
        s.name: {m: [] for m in METHODS} for s in SCENARIOS
    }
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
    rows = [header, *(row(s, m, results[s.name][m], per_look) for s in SCENARIOS for m in METHODS)]
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
    aa, x2, x15 = results["A/A"], results["2x"], results["1.5x"]
    weeks = looks // LOOKS_PER_WEEK
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
        "Holm); naive = chi-square vs current best at 5%, every look\n"
    )
    print(table(results, args.per_look))
    print()
    print("\n".join(summary(results, args.looks)))
    print(f"({elapsed:.0f} s on {args.jobs} processes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
