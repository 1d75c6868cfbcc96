"""Refusal classes: which refusals suppress an address, for any code, status and words; the
bounce guard's verdict; the ``bounce_guard`` sender setting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sequencer import guard, refusals
from sequencer.channels.base import Outcome
from sequencer.channels.smtp import classify
from sequencer.config import parse_config
from sequencer.errors import ConfigError
from sequencer.refusals import Refusal

#: Words a server may add after the status; never the sender-quota markers (a quota reply pauses
#: the sender, and that wins over any class).
words = st.text(
    alphabet=st.characters(codec="ascii", exclude_categories=("Cc",)), max_size=80
).filter(lambda t: not any(m in t.lower() for m in ("quota", "sending limit", "too many", "5.4.5")))
codes = st.integers(min_value=500, max_value=599).filter(lambda c: c not in (530, 534, 535, 538))
ours = st.one_of(
    st.integers(0, 999).map(lambda d: f"5.7.{d}"),
    st.integers(0, 999).map(lambda d: f"5.5.{d}"),
    st.just("5.3.4"),
)


@settings(max_examples=300, deadline=None)
@given(code=codes, status=ours, text=words)
def test_a_refusal_on_our_side_never_suppresses(code: int, status: str, text: str) -> None:
    message = f"{status} {text}"
    assert refusals.classify(code, message) in (Refusal.SENDER, Refusal.CONTENT)
    assert not refusals.suppresses(refusals.classify(code, message))
    assert classify(code, message) is not Outcome.BOUNCE


@settings(max_examples=300, deadline=None)
@given(code=codes, text=words)
def test_an_unknown_user_always_bounces(code: int, text: str) -> None:
    message = f"5.1.1 {text}"
    assert refusals.classify(code, message) is Refusal.RECIPIENT
    assert classify(code, message) is Outcome.BOUNCE


@pytest.mark.parametrize(
    ("reply", "refusal"),
    [
        ("550 5.1.1 User unknown", Refusal.RECIPIENT),
        ("550 5.1.10 RESOLVER.ADR.RecipientNotFound", Refusal.RECIPIENT),
        ("550 5.2.1 Mailbox disabled", Refusal.RECIPIENT),
        ("552 5.2.2 Mailbox full", Refusal.MAILBOX_FULL),
        ("550 5.7.26 Unauthenticated email is not accepted due to DMARC policy", Refusal.SENDER),
        ("550 5.7.515 Access denied, sending domain does not meet authentication", Refusal.SENDER),
        ("554 5.7.1 Message rejected as spam", Refusal.CONTENT),
        ("554 5.7.1 Client host blocked using zen.spamhaus.org", Refusal.SENDER),
        ("554 5.7.1 <a@b.example>: Relay access denied", Refusal.SENDER),
        ("554 Relay access denied", Refusal.SENDER),
        ("552 5.3.4 Message too big", Refusal.SENDER),
        ("550 Rejected", Refusal.UNCLASSIFIED),
    ],
)
def test_each_class(reply: str, refusal: Refusal) -> None:
    code, _, text = reply.partition(" ")
    assert refusals.classify(int(code), text) is refusal


def test_a_full_mailbox_gives_up_only_after_repeats_over_days() -> None:
    assert not refusals.mailbox_full_gives_up(2, timedelta(days=5))
    assert not refusals.mailbox_full_gives_up(5, timedelta(hours=47))
    assert refusals.mailbox_full_gives_up(3, timedelta(hours=48))


def test_the_guard_judges_the_rate_once_there_are_enough_sends() -> None:
    bounce, sent = "bounced", "sent"
    assert guard.verdict([bounce] * 3 + [sent] * 16) is None  # 19 sends: too few to judge
    found = guard.verdict([bounce] + [sent] * 10 + [bounce] * 2 + [sent] * 10)
    assert found is not None and found.reason == guard.BOUNCE_RATE
    assert "3 of the last 23 sends bounced" in found.detail
    assert guard.verdict([bounce] * 3 + [sent] * 97) is None  # 3%: not more than 3%
    assert guard.verdict([bounce] * 4 + [sent] * 96 + [bounce] * 50) is not None  # last 100 only
    streak = guard.verdict(["failed"] * 10, guard.Thresholds(min_sends=20))
    assert streak is not None and streak.reason == guard.CONSECUTIVE_FAILURES


def sender(**guard_settings: object) -> dict[str, object]:
    return {"senders": [{"name": "jane", "email": "j@a.example", "bounce_guard": guard_settings}]}


def test_bounce_guard_settings_parse_and_errors_name_the_field() -> None:
    config = parse_config(sender(rate=0.05, window=50, min_sends=10, consecutive=4))
    assert config.senders["jane"].bounce_guard == guard.Thresholds(
        rate=0.05, window=50, min_sends=10, consecutive=4
    )
    assert parse_config(sender()).senders["jane"].bounce_guard == guard.DEFAULT
    for bad, words_ in [
        ({"rate": 3}, "senders[0].bounce_guard.rate: should be a share between 0 and 1"),
        ({"window": 0}, "senders[0].bounce_guard.window: should be a whole number"),
        ({"min_sends": 200}, "senders[0].bounce_guard.min_sends: 200 is above window 100"),
        ({"rates": 0.1}, "senders[0].bounce_guard: unknown setting 'rates'"),
    ]:
        with pytest.raises(ConfigError) as caught:
            parse_config(sender(**bad))
        assert words_ in caught.value.message, caught.value.message
