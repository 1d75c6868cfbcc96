"""Guardrails in the A/B scoring (``scoring.score_guarded``): a variant shown worse on
unsubscribes, not-interested replies or bounces than the rest of its family is retired on that
metric, even when it leads on the primary one, and a factor never loses its last live variant.
The guardrails' test itself (``scoring.rate_ratio_p``) keeps its level for rare events, where a
normal approximation does not.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom  # type: ignore[import-untyped]

from sequencer.scoring import (
    Decision,
    Settings,
    VariantStats,
    rate_ratio_p,
    score_family,
    score_guarded,
    stratified_rate_ratio_p,
)

GUARDRAILS = ("unsubscribe", "not_interested", "bounce")
PRIMARY = Settings(metric="positive_reply", label="positive_reply rate")


def stats(counts: dict[str, tuple[int, int]]) -> list[VariantStats]:
    return [VariantStats(key=k, sends=n, successes=x) for k, (n, x) in counts.items()]


@settings(max_examples=200, deadline=None)
@given(
    variants=st.integers(min_value=2, max_value=6),
    sends=st.integers(min_value=0, max_value=400),
    data=st.data(),
)
def test_equal_guardrail_rates_or_tiny_samples_never_retire_on_a_guardrail(
    variants: int, sends: int, data: st.DataObject
) -> None:
    keys = [f"v{i}" for i in range(variants)]
    primary = stats({k: (sends, data.draw(st.integers(0, sends))) for k in keys})
    equal = data.draw(st.booleans())
    guardrails = {}
    for name in GUARDRAILS:
        if equal:  # every variant with the same counts: no evidence either way
            hits = data.draw(st.integers(0, sends))
            guardrails[name] = stats({k: (sends, hits) for k in keys})
        else:  # below min_sends, any counts
            tiny = data.draw(st.integers(0, PRIMARY.min_sends - 1))
            guardrails[name] = stats({k: (tiny, data.draw(st.integers(0, tiny))) for k in keys})
    verdicts = score_guarded(primary, guardrails, PRIMARY)
    assert not [v for v in verdicts if v.metric in GUARDRAILS], verdicts


def test_a_variant_that_leads_on_replies_is_retired_on_the_guardrail_that_shows_it_worse() -> None:
    primary = stats({"calm": (1000, 40), "bold": (1000, 60), "plain": (1000, 41)})
    guardrails = {
        "unsubscribe": stats({"calm": (1000, 8), "bold": (1000, 60), "plain": (1000, 10)}),
        "not_interested": stats({"calm": (1000, 20), "bold": (1000, 22), "plain": (1000, 19)}),
        "bounce": stats({"calm": (1000, 0), "bold": (1000, 0), "plain": (1000, 0)}),
    }
    verdicts = {v.key: v for v in score_guarded(primary, guardrails, PRIMARY)}
    bold = verdicts["bold"]
    assert bold.decision is Decision.RETIRE
    assert bold.metric == "unsubscribe"
    assert (bold.sends, bold.successes) == (1000, 60)  # the row holds the guardrail's numbers
    assert bold.reason.startswith("retired on unsubscribe: unsubscribe rate 6.0% (60/1000)")
    assert "although it leads on positive_reply rate" in bold.reason
    assert bold.p_holm is not None and bold.p_holm <= PRIMARY.alpha
    # the others are judged on the primary metric as before
    assert {k: (v.decision, v.metric) for k, v in verdicts.items() if k != "bold"} == {
        "calm": (Decision.KEEP, "positive_reply"),
        "plain": (Decision.KEEP, "positive_reply"),
    }


def test_without_guardrail_events_the_primary_verdicts_are_score_familys() -> None:
    primary = stats({"a": (800, 80), "b": (800, 40), "c": (800, 75)})
    quiet = {name: stats({"a": (800, 0), "b": (800, 0), "c": (800, 0)}) for name in GUARDRAILS}
    assert score_guarded(primary, quiet, PRIMARY) == score_family(primary, PRIMARY)


def test_the_last_live_variant_is_kept_when_every_one_would_be_retired() -> None:
    # a is worse on unsubscribes, b on bounces: retiring both would leave the factor empty
    primary = stats({"a": (2000, 100), "b": (2000, 60)})
    guardrails = {
        "unsubscribe": stats({"a": (2000, 80), "b": (2000, 5)}),
        "bounce": stats({"a": (2000, 5), "b": (2000, 80)}),
    }
    verdicts = {v.key: v for v in score_guarded(primary, guardrails, PRIMARY)}
    assert verdicts["b"].decision is Decision.RETIRE and verdicts["b"].metric == "bounce"
    assert verdicts["a"].decision is Decision.KEEP  # the best on the primary metric stays
    assert verdicts["a"].reason.startswith("kept: the last live variant of its factor")


@settings(max_examples=200, deadline=None)
@given(
    counts=st.lists(
        st.tuples(
            st.integers(0, 3000),
            st.floats(0, 0.3),
            st.floats(0, 0.3),
            st.floats(0, 0.3),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_a_factor_never_loses_its_last_live_variant(
    counts: list[tuple[int, float, float, float]],
) -> None:
    keys = [f"v{i}" for i in range(len(counts))]
    primary = stats({k: (n, int(n * r)) for k, (n, r, _, _) in zip(keys, counts, strict=True)})
    guardrails = {
        name: stats({k: (c[0], int(c[0] * c[1 + g])) for k, c in zip(keys, counts, strict=True)})
        for g, name in enumerate(GUARDRAILS[:2])
    }
    verdicts = score_guarded(primary, guardrails, PRIMARY)
    assert [v.key for v in verdicts] == keys
    assert any(v.decision is not Decision.RETIRE for v in verdicts)


# --- the guardrails' test: an exact sequential test of the rate ratio --------------------------


@settings(max_examples=200, deadline=None)
@given(
    events=st.integers(0, 300),
    rest_events=st.integers(0, 1500),
    sends=st.integers(1, 5000),
    rest_sends=st.integers(1, 30_000),
    ratio=st.sampled_from([1.5, 2.0, 3.0]),
)
def test_rate_ratio_p_is_one_over_the_likelihood_ratio_of_where_the_events_fell(
    events: int, rest_events: int, sends: int, rest_sends: int, ratio: float
) -> None:
    # each event falls on the variant with its share of the sends, or with ratio times its odds
    total = events + rest_events
    share = sends / (sends + rest_sends)
    harmed = ratio * sends / (ratio * sends + rest_sends)
    log_lr = binom.logpmf(events, total, harmed) - binom.logpmf(events, total, share)
    expected = 1.0 if log_lr <= 0 else math.exp(-log_lr)
    p = rate_ratio_p(events, sends, rest_events, rest_sends, ratio=ratio)
    assert p == pytest.approx(expected, rel=1e-6, abs=1e-300)


def test_rate_ratio_p_hand_values() -> None:
    # one variant of six, a doubled rate: each of its events multiplies the ratio by (2/7)/(1/6)
    # = 12/7, each of the rest's by (5/7)/(5/6) = 6/7
    assert rate_ratio_p(1, 100, 0, 500) == pytest.approx(7 / 12)
    assert rate_ratio_p(10, 1000, 10, 5000) == pytest.approx((7 / 12) ** 10 * (7 / 6) ** 10)
    assert rate_ratio_p(0, 100, 5, 500) == 1.0  # nothing on the variant: no evidence of harm
    assert rate_ratio_p(0, 0, 5, 500) == 1.0 and rate_ratio_p(3, 100, 0, 0) == 1.0
    assert rate_ratio_p(48, 1200, 120, 6000) < 0.05 / 23 < rate_ratio_p(40, 1200, 120, 6000)
    with pytest.raises(ValueError, match="harm ratio must be above 1"):
        rate_ratio_p(10, 100, 10, 500, ratio=1.0)  # a ratio of 1 or less would test nothing


@pytest.mark.parametrize("total", [3, 30, 300])
@pytest.mark.parametrize("sends", [(100, 500), (1000, 1000), (50, 1000)])
@pytest.mark.parametrize("alpha", [0.05, 0.05 / 23])
@pytest.mark.parametrize("true_ratio", [1.0, 0.7])
def test_rate_ratio_p_keeps_its_level_at_a_look_for_an_equal_or_lower_rate(
    total: int, sends: tuple[int, int], alpha: float, true_ratio: float
) -> None:
    """Exactly, not by simulation: over every split of ``total`` events between the variant and
    the rest, the chance that p ≤ α is at most α when the variant's rate is not higher."""
    n, rest = sends
    share = true_ratio * n / (true_ratio * n + rest)
    rejected = [x for x in range(total + 1) if rate_ratio_p(x, n, total - x, rest) <= alpha]
    assert sum(binom.pmf(x, total, share) for x in rejected) <= alpha


def test_rate_ratio_p_keeps_its_level_over_24_looks_at_a_rare_rate() -> None:
    """One variant against the rest of six, all at a 0.5% rate, 50 sends each between looks,
    judged from the second look (``min_sends``) to the 24th: p falls to α/23 (the first step of
    the family's Holm) at some look in fewer than α/23 of 40,000 runs.

    At its level exactly, 87 of 40,000 runs would be expected (standard deviation 9.3); the
    test measures about 1. The normal-mixture test on the pooled z it replaced measured 1.31
    times its level here (110 of these runs) and fails this test.
    """
    alpha = 0.05 / 23
    runs, per_look, rate = 40_000, 50, 0.005
    rng = np.random.default_rng(20261204)
    events = rng.binomial(per_look, rate, size=(runs, 24)).cumsum(axis=1)
    rest_events = rng.binomial(5 * per_look, rate, size=(runs, 24)).cumsum(axis=1)
    crossed = 0
    for run in range(runs):
        for look in range(1, 24):
            n = per_look * (look + 1)
            if rate_ratio_p(int(events[run, look]), n, int(rest_events[run, look]), 5 * n) <= alpha:
                crossed += 1
                break
    assert crossed < alpha * runs


# --- Periods: a share of the sends that moves -------------------------------------------------

counts = st.integers(min_value=0, max_value=60)
period = st.tuples(counts, st.integers(1, 500), counts, st.integers(1, 500))


@settings(max_examples=200, deadline=None)
@given(one=period, parts=st.integers(1, 5), data=st.data())
def test_a_period_split_at_the_same_share_keeps_the_p(
    one: tuple[int, int, int, int], parts: int, data: st.DataObject
) -> None:
    """One period is :func:`rate_ratio_p`; cut into parts where the variant has the same share
    of the sends, with the events spread among them anyhow, the ratio is the same; and a period
    where either side sent nothing adds nothing."""
    events, sends, rest_events, rest_sends = one
    assert stratified_rate_ratio_p([one]) == rate_ratio_p(*one)
    mine = _spread(events, parts, data)
    theirs = _spread(rest_events, parts, data)
    split = [(mine[i], sends * (i + 1), theirs[i], rest_sends * (i + 1)) for i in range(parts)]
    empty = [(0, 0, data.draw(counts), 10), (data.draw(counts), 10, 0, 0)]
    assert stratified_rate_ratio_p([*split, *empty]) == pytest.approx(rate_ratio_p(*one))


def _spread(total: int, parts: int, data: st.DataObject) -> list[int]:
    cuts = sorted(
        data.draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1))
    )
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def test_a_newcomer_on_a_worse_day_keeps_the_level_pooling_loses() -> None:
    """A/A with a share and a base rate that both move, as when a subject is added while a worse
    list starts: five variants send 250 between looks, each harm at 0.2%; from look 12 the
    rate is 3%, and a sixth variant joins, sending 300 per look for four looks (catching up),
    then 50. Over 2,000 campaigns of 24 looks, the period-by-period test's p falls to 0.05 for
    the newcomer in under 5% of them; pooled over the looks it does in nearly all (the
    newcomer's sends are all in the bad weeks).
    """
    runs, alpha = 2000, 0.05
    rng = np.random.default_rng(20261204)
    mine = np.array([0] * 12 + [300] * 4 + [50] * 8)
    rest = np.full(24, 250)
    rate = np.array([0.002] * 12 + [0.03] * 12)
    events = rng.binomial(mine, rate, size=(runs, 24))
    rest_events = rng.binomial(rest, rate, size=(runs, 24))
    crossed = {"periods": 0, "pooled": 0}
    for run in range(runs):
        periods = list(zip(events[run], mine, rest_events[run], rest, strict=True))
        found = dict.fromkeys(crossed, False)
        for look in range(13, 24):
            seen = [tuple(int(x) for x in row) for row in periods[: look + 1]]
            found["periods"] |= stratified_rate_ratio_p(seen) <= alpha
            pooled = [sum(row[i] for row in seen) for i in range(4)]
            found["pooled"] |= rate_ratio_p(*pooled) <= alpha
        for name, hit in found.items():
            crossed[name] += hit
    assert crossed["periods"] < alpha * runs
    assert crossed["pooled"] > 0.9 * runs  # the scenario does bite


def test_retired_variants_stay_in_the_rest_and_get_no_verdict() -> None:
    """A retired key's counts join the rest of the family, period by period, and it gets no
    verdict. Here ``b`` sent only on day 2, a bad day for everyone: day by day it is like the
    others, while pooled against a rest that holds ``gone``'s quiet day 1 it would be retired."""
    day = [(1, 200, 0), (2, 200, 30)]
    primary = stats({"a": (400, 20), "b": (400, 20)})
    family = [
        VariantStats(key="a", sends=400, successes=30, periods=tuple(day)),
        VariantStats(key="b", sends=200, successes=30, periods=(day[1],)),
        VariantStats(key="gone", sends=600, successes=0, periods=((1, 600, 0),)),
    ]
    verdicts = score_guarded(primary, {"bounce": family}, PRIMARY)
    assert [v.key for v in verdicts] == ["a", "b"]
    assert all(v.metric == PRIMARY.metric for v in verdicts)
    # without the periods, b's rate (15%) against the rest's pooled one (3.75%) retires it
    pooled = [VariantStats(key=g.key, sends=g.sends, successes=g.successes) for g in family]
    retired = [
        v.key for v in score_guarded(primary, {"bounce": pooled}, PRIMARY) if v.metric == "bounce"
    ]
    assert retired == ["b"]


def test_a_guardrail_retirement_says_what_the_rest_s_days_predict() -> None:
    """The decision row's reason and z come from the same day-by-day comparison as its p: ``b``
    bounces twice as often as ``a`` on each of two days of different rates."""
    primary = stats({"a": (2000, 100), "b": (2000, 100)})
    family = [
        VariantStats(key="a", sends=2000, successes=40, periods=((1, 1000, 10), (2, 1000, 30))),
        VariantStats(key="b", sends=2000, successes=80, periods=((1, 1000, 20), (2, 1000, 60))),
    ]
    verdicts = {v.key: v for v in score_guarded(primary, {"bounce": family}, PRIMARY)}
    b = verdicts["b"]
    assert b.decision is Decision.RETIRE and b.metric == "bounce"
    assert (
        "(80/2000) where the rest of its family's rate, per day and mailbox, gives 40.0" in b.reason
    )
    assert b.z is not None and b.z > 3


def test_a_newcomer_sent_from_the_worse_mailbox_is_compared_mailbox_by_mailbox() -> None:
    """One day, two mailboxes: A bounces 6% of everything, B 1%. Each mailbox balances its own
    assignment, and A, with a long history, is catching the newcomer up while B is not: the
    newcomer's sends that day all went out from A. Per day and mailbox it is like the others;
    per day alone it carries A's bounces and is retired."""
    primary = stats({"old": (1100, 50), "new": (500, 25)})
    old = VariantStats(
        key="old", sends=1100, successes=16, periods=(((1, "A"), 100, 6), ((1, "B"), 1000, 10))
    )
    new = VariantStats(key="new", sends=500, successes=30, periods=(((1, "A"), 500, 30),))
    verdicts = score_guarded(primary, {"bounce": [old, new]}, PRIMARY)
    assert not [v.key for v in verdicts if v.metric == "bounce"]
    by_day = [
        VariantStats(
            key=s.key, sends=s.sends, successes=s.successes, periods=((1, s.sends, s.successes),)
        )
        for s in (old, new)
    ]
    retired = [
        v.key for v in score_guarded(primary, {"bounce": by_day}, PRIMARY) if v.metric == "bounce"
    ]
    assert retired == ["new"]


def test_periods_that_do_not_add_up_to_the_totals_are_refused() -> None:
    primary = stats({"a": (400, 20), "b": (400, 20)})
    family = [
        VariantStats(key="a", sends=400, successes=3, periods=((1, 400, 3),)),
        VariantStats(key="b", sends=400, successes=9, periods=((1, 300, 9),)),
    ]
    with pytest.raises(ValueError, match="variant 'b': its periods hold 9/300, its totals 9/400"):
        score_guarded(primary, {"bounce": family}, PRIMARY)


# --- Monte Carlo: the guardrail targets of bench/ab_retirement.py -------------------------------

LOOKS, PER_LOOK, VARIANTS, REPLY_RATE = 24, 50, 6, 0.10


def live_stats(counts: np.ndarray, live: list[int], sends: int) -> list[VariantStats]:
    """The live variants' counts at one look, each with ``sends`` sends."""
    return [VariantStats(key=str(i), sends=sends, successes=int(counts[i])) for i in live]


def guarded_campaigns(
    seed: int, campaigns: int, guard_rate: float, *, unsubscribe_factor: float
) -> list[dict[int, int]]:
    """Campaigns as the bench runs them: six variants equal on replies, each guardrail at
    ``guard_rate`` per send except the last variant's unsubscribes (times
    ``unsubscribe_factor``). Each one: variant index -> the look (1-based) it was retired at."""
    rng = np.random.default_rng(seed)
    shape = (campaigns, LOOKS, VARIANTS)
    replies = rng.binomial(PER_LOOK, REPLY_RATE, size=shape).cumsum(axis=1)
    rates = np.full((len(GUARDRAILS), VARIANTS), guard_rate)
    rates[0, -1] *= unsubscribe_factor
    harms = rng.binomial(PER_LOOK, rates, size=(campaigns, LOOKS, *rates.shape)).cumsum(axis=1)
    outcomes = []
    for c in range(campaigns):
        live, retired = list(range(VARIANTS)), {}
        for look in range(LOOKS):
            sends = PER_LOOK * (look + 1)
            guardrails = {
                name: live_stats(harms[c, look, g], live, sends)
                for g, name in enumerate(GUARDRAILS)
            }
            for v in score_guarded(live_stats(replies[c, look], live, sends), guardrails, PRIMARY):
                if v.decision is Decision.RETIRE:
                    retired[int(v.key)] = look + 1
            live = [i for i in live if i not in retired]
            if retired and (unsubscribe_factor == 1.0 or VARIANTS - 1 in retired):
                break
        outcomes.append(retired)
    return outcomes


def test_aa_on_replies_and_guardrails_at_a_rare_rate_retires_under_5_percent() -> None:
    """All equal, each guardrail at 0.5% of sends: any variant retired in under 5% of 1,000
    campaigns.

    The bench measures about 0.3% (2,000 campaigns); the standard error at 1,000 campaigns is
    then 0.2 pp. The normal-mixture guardrail test it replaced measured 5.5% ±1.0 here, above
    the target.
    """
    outcomes = guarded_campaigns(20261205, 1000, 0.005, unsubscribe_factor=1.0)
    assert np.mean([bool(retired) for retired in outcomes]) < 0.05


def test_twice_the_unsubscribes_at_3_percent_are_retired_within_12_weeks() -> None:
    """Equal replies, unsubscribes at 6% against 3%: the variant is retired on them by look 24 in
    at least 80% of 300 campaigns, and an equal variant in under 5%.

    The bench measures about 87% (1,000 campaigns); at 300 campaigns the standard error is
    √(0.87 · 0.13 / 300) = 1.9 pp, so 80% is 3.6 standard errors away. At a 2% base rate the
    same test reaches about 66%: see docs/scoring.md for why 80% is out of reach there.
    """
    weak = VARIANTS - 1
    outcomes = guarded_campaigns(20261206, 300, 0.03, unsubscribe_factor=2.0)
    assert np.mean([retired.get(weak, LOOKS + 1) <= LOOKS for retired in outcomes]) >= 0.80
    assert np.mean([any(i != weak for i in retired) for retired in outcomes]) < 0.05
