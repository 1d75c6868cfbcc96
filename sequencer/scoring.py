"""Sequential A/B scoring: which live variants of a factor to retire at one look. Pure.

The method is the one in DESIGN.md, "Variants and scoring". Looking twice a week for months is
repeated peeking, so a plain test at 5% each look would wrongly retire an equal variant in most
campaigns (``naive_chi_square`` is that baseline, kept for the benchmark). Instead, at each look:

* the *current best* is the live variant with the highest rate among those with at least
  ``min_sends`` sends (ties: more sends, then key order); if none has ``min_sends``, nobody is
  judged;
* every other live variant with at least ``min_sends`` sends is compared with the best: a
  two-proportion z, day by day when the counts are split by day (``stratified_z``, the
  Cochran–Mantel–Haenszel z), turned into an always-valid p-value by the normal-mixture
  sequential probability ratio test (mSPRT), tuned for ``n_star`` total sends;
* Holm's step-down procedure corrects across those comparisons (one family per factor);
* rejected variants that are worse than the best are retired. The best is never retired, so a
  factor never loses its last live variant.

Guardrails (``score_guarded``): per variant, the rate of a harm (unsubscribes, not-interested
replies, bounces) is compared one-sided with the rest of its family by an exact always-valid
test of the rate ratio of rare events (``stratified_rate_ratio_p``: a sequential probability
ratio test, conditional on the events seen, of a ``harm_ratio`` times higher rate, within each
day the sends went out, so a variant that joined late is not blamed for the day's list), inside
the same Holm correction as the primary comparisons. A variant shown worse on one is retired on it,
even the best; the last live variant is still kept.

This is the only module of the package that imports scipy. No I/O, no database, no clock.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from statistics import NormalDist
from typing import TypeVar

K = TypeVar("K")  # a hypothesis' key in :func:`holm`


@dataclass(frozen=True, kw_only=True)
class VariantStats:
    """What one variant has collected so far (a retired one only joins the guardrails' rest)."""

    key: str
    sends: int  # sends that count (their reply window has passed)
    successes: int  # replies (or the chosen metric)
    #: The same counts split by the period the sends went out in (from the engine: the UTC day
    #: and the sending mailbox): (period, sends, successes), summing to the totals. Scoring
    #: compares variants within each period (:func:`stratified_z`,
    #: :func:`stratified_rate_ratio_p`). Empty: one period.
    periods: tuple[tuple[Hashable, int, int], ...] = ()

    @property
    def rate(self) -> float:
        """Successes per send; 0 before the first send."""
        return self.successes / self.sends if self.sends else 0.0


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Tuning of the test: error rate, mixture tuning (total sends) and the minimum to judge."""

    alpha: float = 0.05
    n_star: int = 2000
    min_sends: int = 100
    #: What a success is called in the reasons ("reply rate", "goal rate"...).
    label: str = "reply rate"
    #: The metric's name, as the decision rows store it (``positive_reply``, ``reply``...).
    metric: str = "reply"
    #: The harm a guardrail is built to catch: a rate this many times the rest of its family's.
    harm_ratio: float = 2.0


class Decision(enum.StrEnum):
    """What the scoring decided for one variant at one look."""

    BEST = "best"  #: the current best: never retired
    KEEP = "keep"  #: judged against the best and not (yet) shown worse
    RETIRE = "retire"  #: shown worse than the best: stops receiving sends
    TOO_FEW = "too_few"  #: not judged: it, or every variant, is below ``min_sends``


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """The decision for one variant, with the statistics behind it (one row of the decision log)."""

    key: str
    sends: int
    successes: int
    rate: float
    z: float | None  # best vs this variant (None for the best and for too_few)
    p: float | None  # always-valid p (None when not judged)
    p_holm: float | None  # Holm-adjusted p
    decision: Decision
    reason: str  # one plain sentence
    #: The metric these statistics are of: the primary one, or the guardrail that retired it.
    metric: str = "reply"


def mixture_rho2(*, alpha: float = 0.05, n_star: int = 2000) -> float:
    """Variance ρ² of the normal mixing prior per send, tuned so the test is sharpest near
    ``n_star`` sends.
    """
    return (-2.0 * math.log(alpha) + math.log(1.0 - 2.0 * math.log(alpha))) / n_star


def always_valid_p(z: float, n: float, *, alpha: float = 0.05, n_star: int = 2000) -> float:
    """The mSPRT always-valid p-value of a z statistic over ``n`` total sends (both arms).

    It is 1 / (the normal-mixture likelihood ratio): with r = n·ρ²,
    p = min(1, √(1+r) · exp(−(r/(1+r)) · z²/2)). Rejecting when p ≤ α keeps the chance of ever
    rejecting a true null, over any number of looks, at or below α.
    """
    r = n * mixture_rho2(alpha=alpha, n_star=n_star)
    log_p = 0.5 * math.log1p(r) - (r / (1.0 + r)) * z * z / 2.0
    return min(1.0, math.exp(log_p))


def rate_ratio_p(
    events: int, sends: int, rest_events: int, rest_sends: int, *, ratio: float = 2.0
) -> float:
    """The always-valid one-sided p that a variant's rate of a rare event is no higher than the
    rest's, against a rate ``ratio`` times the rest's: a sequential probability ratio test.

    Conditional on the events seen, each one falls on the variant with probability
    π₀ = sends / (sends + rest_sends) if the rates are equal, and π₁ = ratio·sends /
    (ratio·sends + rest_sends) if the variant's is ``ratio`` times higher. The p is 1 / the
    likelihood ratio (π₁/π₀)^events · ((1 − π₁)/(1 − π₀))^rest_events. It is exact for counts of
    any size (no normal approximation): under an equal or lower rate the ratio is a bet whose
    expectation is at most 1, and while the variant's share of the sends stays put it remains
    so from look to look, so rejecting at p ≤ α keeps the chance of ever rejecting at or below α
    however often one looks. The bet pays on any rate above about 1.4 times the rest's (for a
    ratio of 2; (ratio − 1) / ln(ratio) when the variant's share is small), however slowly.
    A share that moves (a variant that joins late, one retired) needs the periods of
    :func:`stratified_rate_ratio_p`; this is its one-period case.
    """
    return stratified_rate_ratio_p([(events, sends, rest_events, rest_sends)], ratio=ratio)


def stratified_rate_ratio_p(
    periods: Iterable[tuple[int, int, int, int]], *, ratio: float = 2.0
) -> float:
    """:func:`rate_ratio_p` with the sends split into periods: (events, sends, rest_events,
    rest_sends) of each. The likelihood ratio is the product of each period's, each with that
    period's own shares π₀ and π₁; a period where either side sent nothing says nothing.

    Pooling the periods is wrong when the variant's share of the sends moves while the harm's
    base rate moves too: a subject added in week 6, when a worse list starts, gets a sixth of the
    late sends and so more than its pooled share of the bounces, and the pooled test would
    retire it on equal rates (Simpson's paradox). Within a period the shares are fixed before the
    events, so each event is a fair bet under an equal rate whatever the shares do over time: the
    product stays a test martingale, and rejecting at p ≤ α stays always valid. When the share
    does not move, it is the pooled test's ratio.
    """
    if ratio <= 1.0:
        raise ValueError(f"the harm ratio must be above 1, got {ratio}")
    log_lr = 0.0
    for events, sends, rest_events, rest_sends in periods:
        if sends <= 0 or rest_sends <= 0:
            continue
        share = sends / (sends + rest_sends)
        harmed = ratio * sends / (ratio * sends + rest_sends)
        log_lr += events * math.log(harmed / share) + rest_events * math.log(
            (1.0 - harmed) / (1.0 - share)
        )
    return math.exp(-log_lr) if log_lr > 0.0 else 1.0


def wilson_interval(successes: int, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``successes / n``: (low, high), within [0, 1].

    It is the set of rates p the score test does not reject: |p̂ − p| ≤ z·√(p(1 − p)/n), solved for
    p:
    centre (p̂ + z²/2n) / (1 + z²/n), half-width z·√(p̂(1 − p̂)/n + z²/4n²) / (1 + z²/n). Unlike the
    normal approximation p̂ ± z·√(p̂(1 − p̂)/n), it stays inside [0, 1] and does not shrink to a
    point at 0 or n successes. With no sends it is (0, 1): nothing is known yet.
    """
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    if n == 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    rate, z2 = successes / n, z * z
    scale = 1.0 + z2 / n
    centre = (rate + z2 / (2.0 * n)) / scale
    half = z * math.sqrt(rate * (1.0 - rate) / n + z2 / (4.0 * n * n)) / scale
    low = (
        0.0 if successes == 0 else max(0.0, centre - half)
    )  # exact ends: rounding leaves ~1e-17 there
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def holm(p_values: Mapping[K, float], *, alpha: float) -> dict[K, tuple[float, bool]]:
    """Holm's step-down correction: key -> (adjusted p, rejected), in the input's key order.

    Sorted ascending, the i-th smallest of m p-values is adjusted to max over j ≤ i of
    min(1, (m − j + 1)·p_(j)); a hypothesis is rejected when its adjusted p is ≤ α. The running
    maximum is the step-down stop: once one is kept, every larger p is kept too.
    """
    m = len(p_values)
    order = sorted(p_values, key=lambda key: p_values[key])  # stable: ties keep the input order
    adjusted: dict[K, float] = {}
    running = 0.0
    for rank, key in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[key]))
        adjusted[key] = running
    return {key: (adjusted[key], adjusted[key] <= alpha) for key in p_values}


def pooled_z(best: VariantStats, other: VariantStats) -> float:
    """Pooled two-proportion z of ``best`` minus ``other``: positive when ``other`` does worse; 0
    if undefined.
    """
    n = best.sends + other.sends
    pooled = (best.successes + other.successes) / n
    variance = pooled * (1.0 - pooled) * (1.0 / best.sends + 1.0 / other.sends)
    if variance <= 0.0:
        return 0.0
    return (best.rate - other.rate) / math.sqrt(variance)


def stratified_z(best: VariantStats, other: VariantStats) -> tuple[float, float]:
    """``best`` against ``other`` within each period (:attr:`VariantStats.periods`): the
    Cochran–Mantel–Haenszel z (positive when ``other`` does worse), and the sends it is worth
    to :func:`always_valid_p`.

    Each period adds its observed-minus-expected successes of ``best`` (expected: its share of
    the period's successes) and that difference's variance; z is their sums' ratio. Periods
    where one of the two sent nothing say nothing, so a variant that joined late is compared
    only over the days both sent, and a day with more replies for everyone does not flatter
    whichever variant sent most that day. The sends it is worth are the total sends times the
    ratio of the information the periods hold to the pooled comparison's (about 1 when every
    period looks alike). With no periods, or shares
    that do not move, it is :func:`pooled_z` over the total sends.
    """
    n = best.sends + other.sends
    if not (best.periods or other.periods):
        return pooled_z(best, other), n
    score = information = 0.0
    for sends_b, hits_b, sends_o, hits_o in _by_period([best], [other]).values():
        total, hits = sends_b + sends_o, hits_b + hits_o
        if sends_b and sends_o:
            score += hits_b - sends_b * hits / total
            information += sends_b * sends_o * hits * (total - hits) / total**3
    hits = best.successes + other.successes
    pooled = best.sends * other.sends * hits * (n - hits) / n**3
    if information <= 0.0 or pooled <= 0.0:
        return 0.0, n
    return score / math.sqrt(information), n * information / pooled


def _checked(stats: VariantStats) -> VariantStats:
    """``stats``, once its periods are known to add up to its totals."""
    sends = sum(n for _, n, _ in stats.periods)
    successes = sum(k for _, _, k in stats.periods)
    if (sends, successes) != (stats.sends, stats.successes):
        raise ValueError(
            f"variant {stats.key!r}: its periods hold {successes}/{sends}, its totals "
            f"{stats.successes}/{stats.sends}"
        )
    return stats


def current_best(stats: Sequence[VariantStats], *, min_sends: int) -> VariantStats | None:
    """The variant with the highest rate among those with ``min_sends`` (ties: more sends, then key
    order). With counts split by day, the rate is taken day by day (:func:`_adjusted_rates`), so
    a variant that joined on a day of many replies for everyone does not become the best on them.
    """
    eligible = [s for s in stats if s.sends >= min_sends]
    if not eligible:
        return None
    rate = _adjusted_rates(stats) if any(s.periods for s in stats) else {}
    return min(eligible, key=lambda s: (-rate.get(s.key, s.rate), -s.sends, s.key))


def _adjusted_rates(stats: Sequence[VariantStats]) -> dict[str, float]:
    """Each variant's successes above what the family's rate on each of its days predicts, per
    send: for counts not split by day, its rate minus the family's, so the order is the rates'."""
    days = _by_period(stats)
    return {
        s.key: sum(k - n * days[d][1] / days[d][0] for d, n, k in s.periods) / s.sends
        for s in stats
        if s.sends
    }


def score_family(stats: Sequence[VariantStats], settings: Settings = Settings()) -> list[Verdict]:
    """Score the live variants of one factor at one look: one verdict per input, in the
    same order.
    """
    return score_guarded(stats, {}, settings)


def score_guarded(
    stats: Sequence[VariantStats],
    guardrails: Mapping[str, Sequence[VariantStats]],
    settings: Settings = Settings(),
) -> list[Verdict]:
    """Score one factor's live variants on the primary metric (``stats``) and on guardrails.

    ``guardrails`` maps a guardrail's name (``unsubscribe``...) to the family's counts of it: the
    live variants of ``stats``, and any retired ones (which only join the rest). A guardrail is
    tested one-sided: each live variant with ``min_sends`` against the pooled rest of its family,
    period by period when the counts are split (:attr:`VariantStats.periods`), worse meaning a
    higher rate. Every comparison of the family, primary and
    guardrail, goes into one Holm correction, so the family-wise error stays at ``alpha``. A
    variant shown worse on a guardrail is retired on it, even the primary's best; if every
    live variant would go, one is kept (see ``_keep_one``).
    One verdict per ``stats`` entry, in the same order.
    """
    best = current_best(stats, min_sends=settings.min_sends)
    if best is None:
        return [_too_few(s, settings, best=None) for s in stats]
    judged = [s for s in stats if s.key != best.key and s.sends >= settings.min_sends]
    compared = {s.key: stratified_z(best, s) for s in judged}
    zs = {key: z for key, (z, _) in compared.items()}
    ps: dict[tuple[str, str], float] = {
        (settings.metric, key): always_valid_p(z, n, alpha=settings.alpha, n_star=settings.n_star)
        for key, (z, n) in compared.items()
    }
    harms = _harms(guardrails, settings, {s.key for s in stats})
    ps.update({ident: p for ident, (_, p, _) in harms.items()})
    corrected = holm(ps, alpha=settings.alpha)
    verdicts: list[Verdict] = []
    for s in stats:
        worst = min(
            (ident for ident in harms if ident[1] == s.key and corrected[ident][1]),
            key=lambda ident: corrected[ident][0],
            default=None,
        )
        if worst is not None:
            verdicts.append(_harmed(s, worst[0], harms[worst], corrected[worst][0], best, settings))
        elif s.key == best.key:
            verdicts.append(_best(s, settings))
        elif s.key in zs:
            p_holm, rejected = corrected[(settings.metric, s.key)]
            p = ps[(settings.metric, s.key)]
            verdicts.append(
                _judged(s, best, settings, z=zs[s.key], p=p, p_holm=p_holm, rejected=rejected)
            )
        else:
            verdicts.append(_too_few(s, settings, best=best))
    return _keep_one(verdicts, stats, settings)


def _harms(
    guardrails: Mapping[str, Sequence[VariantStats]], settings: Settings, live: set[str]
) -> dict[tuple[str, str], tuple[VariantStats, float, VariantStats]]:
    """The guardrail hypotheses of the ``live`` keys: (guardrail, key) -> (its counts, one-sided
    always-valid p, the pooled rest). The rest is every other key given, retired ones too: their
    sends in the periods they were live stay where they were, so each period's share, and with it
    the test's past, does not change when a variant goes. A guardrail with no event in the
    family, or a variant or rest below ``min_sends``, is not tested.
    """
    found = {}
    for name, family in guardrails.items():
        if not any(g.successes for g in family):
            continue
        for g in family:
            if g.key not in live:
                continue
            others = [o for o in family if o.key != g.key]
            rest = VariantStats(
                key="rest",
                sends=sum(o.sends for o in others),
                successes=sum(o.successes for o in others),
            )
            if g.sends < settings.min_sends or rest.sends < settings.min_sends:
                continue
            periods = _periods(g, others)
            p = stratified_rate_ratio_p(periods, ratio=settings.harm_ratio)
            if g.periods or any(o.periods for o in others):  # both on the same days, numbered
                g = replace(g, periods=tuple((i, n, k) for i, (k, n, _, _) in enumerate(periods)))
                rest = replace(
                    rest, periods=tuple((i, n, k) for i, (_, _, k, n) in enumerate(periods))
                )
            found[(name, g.key)] = (g, p, rest)
    return found


def _expected(variant: VariantStats, rest: VariantStats) -> float:
    """The events ``variant`` would have had at the rest's rate of each day it sent on (at its
    own where the rest sent nothing), both on the same days."""
    if not rest.periods:
        return variant.sends * rest.rate
    days = {d: (n, k) for d, n, k in rest.periods}
    return sum(
        (n * days[d][1] / days[d][0]) if days.get(d, (0, 0))[0] else k
        for d, n, k in variant.periods
    )


def _periods(
    variant: VariantStats, others: Sequence[VariantStats]
) -> list[tuple[int, int, int, int]]:
    """(events, sends, rest_events, rest_sends) per period, for :func:`stratified_rate_ratio_p`;
    one period, the totals, when no counts are split."""
    split = [s for s in (variant, *others) if s.periods]
    if not split:
        rest_sends = sum(o.sends for o in others)
        return [(variant.successes, variant.sends, sum(o.successes for o in others), rest_sends)]
    table = _by_period([variant], others)
    return [
        (hits, sends, rest_hits, rest_sends)
        for sends, hits, rest_sends, rest_hits in table.values()
    ]


def _by_period(*groups: Sequence[VariantStats]) -> dict[Hashable, list[int]]:
    """Per period: each group's sends and successes summed over its variants, side by side
    ([sends, successes] per group), once every variant's periods are known to add up to its
    totals."""
    table: dict[Hashable, list[int]] = {}
    for column, group in enumerate(groups):
        for stats in group:
            for period, sends, successes in _checked(stats).periods:
                row = table.setdefault(period, [0, 0] * len(groups))
                row[2 * column] += sends
                row[2 * column + 1] += successes
    return table


def _harmed(
    s: VariantStats,
    name: str,
    harm: tuple[VariantStats, float, VariantStats],
    p_holm: float,
    best: VariantStats,
    settings: Settings,
) -> Verdict:
    """Verdict for a variant shown worse than the rest of its family on guardrail ``name``."""
    g, p, rest = harm
    leads = f", although it leads on {settings.label}" if s.key == best.key else ""
    reason = (
        f"retired on {name}: {name} rate {g.rate:.1%} ({g.successes}/{g.sends}) where the rest "
        f"of its family's rate, per day and mailbox, gives {_expected(g, rest):.1f} (the rest's "
        f"{rest.rate:.1%} over all): one-sided always-valid p {p:.2g} (Holm {p_holm:.2g}) "
        f"≤ {settings.alpha:g}{leads}"
    )
    z, _ = stratified_z(g, rest)  # positive: the variant's rate is the higher
    return _verdict(
        g, z=z, p=p, p_holm=p_holm, decision=Decision.RETIRE, reason=reason, metric=name
    )


def _keep_one(
    verdicts: list[Verdict], stats: Sequence[VariantStats], settings: Settings
) -> list[Verdict]:
    """The verdicts, with one variant kept when every live variant would be retired: the one
    with the highest primary rate among those no guardrail retired (they were judged against a
    best that is itself going), else among all."""
    if any(v.decision is not Decision.RETIRE for v in verdicts):
        return verdicts
    primary_only = [i for i, v in enumerate(verdicts) if v.metric == settings.metric]
    candidates = primary_only or list(range(len(stats)))
    i = min(candidates, key=lambda i: (-stats[i].rate, -stats[i].sends, stats[i].key))
    reason = f"kept: the last live variant of its factor (else {verdicts[i].reason})"
    verdicts[i] = _verdict(
        stats[i], z=None, p=None, p_holm=None, decision=Decision.KEEP, reason=reason,
        metric=settings.metric,
    )  # fmt: skip
    return verdicts


def naive_chi_square(stats: Sequence[VariantStats], *, alpha: float = 0.05) -> list[str]:
    """The naive baseline: keys a plain 2x2 chi-square test vs the current best rejects at
    ``alpha``.

    No correction for peeking nor for multiple comparisons. It uses the same current best and
    the same ``min_sends`` gate as ``score_family`` with default settings, so that comparing
    the two isolates the test itself. Never the best; only variants worse than it.
    """
    min_sends = Settings().min_sends
    best = current_best(stats, min_sends=min_sends)
    if best is None:
        return []
    rejected: list[str] = []
    for s in stats:
        if s.key == best.key or s.sends < min_sends or s.rate >= best.rate:
            continue
        if _chi_square_p(best.successes, best.sends, s.successes, s.sends) < alpha:
            rejected.append(s.key)
    return rejected


@functools.lru_cache(maxsize=1 << 16)
def _chi_square_p(successes_a: int, sends_a: int, successes_b: int, sends_b: int) -> float:
    """p-value of scipy's 2x2 chi-square test without continuity correction; 1 when a margin is
    empty.

    Memoised: a call to scipy costs about half a millisecond and the same tables recur (the
    benchmark replays thousands of campaigns through this baseline).
    """
    successes = successes_a + successes_b
    if successes == 0 or successes == sends_a + sends_b:
        return 1.0
    # imported here: scipy takes a second to import, and only this baseline (bench/ab_retirement.py)
    # uses it
    from scipy.stats import chi2_contingency  # type: ignore[import-untyped]

    table = [[successes_a, sends_a - successes_a], [successes_b, sends_b - successes_b]]
    return float(chi2_contingency(table, correction=False).pvalue)


#: What the reasons add when the counts were compared day by day.
_DAILY = ", compared per day and mailbox"


def _best(s: VariantStats, settings: Settings) -> Verdict:
    """Verdict for the current best."""
    daily = " per day and mailbox" if s.periods else ""
    reason = (
        f"current best: {settings.label} {s.rate:.1%} ({s.successes}/{s.sends}), "
        f"the highest{daily} among variants with ≥ {settings.min_sends} sends"
    )
    return _verdict(
        s,
        z=None,
        p=None,
        p_holm=None,
        decision=Decision.BEST,
        reason=reason,
        metric=settings.metric,
    )


def _too_few(s: VariantStats, settings: Settings, *, best: VariantStats | None) -> Verdict:
    """Verdict for a variant that is not judged at this look."""
    if best is None:
        reason = (
            f"not judged: no variant has {settings.min_sends} sends yet (this one has {s.sends})"
        )
    else:
        reason = (
            f"not judged: {s.sends} sends, fewer than the {settings.min_sends} "
            f"needed to compare with best {best.key!r}"
        )
    return _verdict(
        s,
        z=None,
        p=None,
        p_holm=None,
        decision=Decision.TOO_FEW,
        reason=reason,
        metric=settings.metric,
    )


def _judged(
    s: VariantStats,
    best: VariantStats,
    settings: Settings,
    *,
    z: float,
    p: float,
    p_holm: float,
    rejected: bool,
) -> Verdict:
    """Verdict for a variant compared with the best: retired only if rejected and worse."""
    versus = (
        f"{settings.label} {s.rate:.1%} vs best {best.key!r} "
        f"{best.rate:.1%}{_DAILY if s.periods or best.periods else ''}: always-valid p {p:.2g} "
        f"(Holm {p_holm:.2g})"
    )
    if rejected and z > 0:
        decision, reason = Decision.RETIRE, f"{versus} ≤ {settings.alpha:g}"
    elif rejected:
        decision, reason = (
            Decision.KEEP,
            f"{versus} ≤ {settings.alpha:g}, but it is not worse than the best",
        )
    else:
        decision, reason = Decision.KEEP, f"{versus} > {settings.alpha:g}, not shown worse yet"
    return _verdict(
        s, z=z, p=p, p_holm=p_holm, decision=decision, reason=reason, metric=settings.metric
    )


def _verdict(
    s: VariantStats,
    *,
    z: float | None,
    p: float | None,
    p_holm: float | None,
    decision: Decision,
    reason: str,
    metric: str,
) -> Verdict:
    """Build a verdict carrying the variant's own counts."""
    return Verdict(
        key=s.key,
        sends=s.sends,
        successes=s.successes,
        rate=s.rate,
        z=z,
        p=p,
        p_holm=p_holm,
        decision=decision,
        reason=reason,
        metric=metric,
    )
