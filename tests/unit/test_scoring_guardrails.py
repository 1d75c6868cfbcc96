"""Guardrails in the A/B scoring (``scoring.score_guarded``): a variant shown worse on
unsubscribes, not-interested replies or bounces than the rest of its family is retired on that
metric, even when it leads on the primary one, and a factor never loses its last live variant.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sequencer.scoring import Decision, Settings, VariantStats, score_family, score_guarded

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
