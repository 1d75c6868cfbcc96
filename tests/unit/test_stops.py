"""The stop policy (:func:`sequencer.stops.decide`) on its own: every event, every rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sequencer.loader import load_file
from sequencer.model import Sequence, StopReason
from sequencer.stops import StopEvent, StopPlan, decide

SEQUENCE = """\
name: {name}
{scope}
stop_on:
  reply: {reply}
  goals: [meeting_booked]
steps:
  - key: intro
    day: 0
    channel: email
    subjects: [{{key: a, text: "Hi"}}]
    bodies: [{{key: a, text: "A note."}}]
"""


def sequences(tmp: Path) -> dict[str, Sequence]:
    """``company`` stops company-wide, ``contact`` only the contact, ``keeps`` goes on after a
    reply."""
    found = {}
    for name, scope, reply in (
        ("company", "stop_scope: company", "true"),
        ("contact", "", "true"),
        ("keeps", "stop_scope: company", "false"),
    ):
        path = tmp / f"{name}.yaml"
        path.write_text(SEQUENCE.format(name=name, scope=scope, reply=reply), encoding="utf-8")
        sequence, problems = load_file(path)
        assert sequence is not None, problems
        found[name] = sequence
    return found


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Sequence]:
    return sequences(tmp_path_factory.mktemp("stops"))


def plan(
    loaded: dict[str, Sequence],
    event: StopEvent,
    *,
    email: str = "ann@acme.example",
    active: str | None = "company",
    latest: str | None = None,
) -> StopPlan:
    return decide(
        event,
        email_key=email,
        active=active,
        latest=latest,
        sequences=loaded,
        free_mail=frozenset({"freemail.example"}),
    )


REPLY = StopEvent(StopReason.REPLY)
GOAL = StopEvent(StopReason.GOAL, goal="meeting_booked")


def test_a_reply_in_a_company_sequence_stops_the_company(loaded: dict[str, Sequence]) -> None:
    assert plan(loaded, REPLY) == StopPlan("reply", StopReason.REPLY, None, "acme.example")


def test_a_listed_goal_stops_the_company_and_an_unlisted_one_is_only_recorded(
    loaded: dict[str, Sequence],
) -> None:
    assert plan(loaded, GOAL) == StopPlan("goal", StopReason.GOAL, None, "acme.example")
    other = StopEvent(StopReason.GOAL, goal="demo_watched")
    assert plan(loaded, other) == StopPlan("goal", None)


def test_reply_false_records_the_reply_and_stops_nobody(loaded: dict[str, Sequence]) -> None:
    assert plan(loaded, REPLY, active="keeps") == StopPlan("reply", None)


def test_free_mail_never_stops_a_company(loaded: dict[str, Sequence]) -> None:
    assert plan(loaded, REPLY, email="ann@freemail.example").company is None
    assert plan(loaded, REPLY, email="ann@gmail.com").company is None


def test_with_nothing_active_the_answered_sequence_then_the_latest_decides(
    loaded: dict[str, Sequence],
) -> None:
    answered = StopEvent(StopReason.REPLY, sequence="contact")
    assert plan(loaded, answered, active=None, latest="company").company is None
    assert plan(loaded, REPLY, active=None, latest="company").company == "acme.example"
    assert plan(loaded, REPLY, active=None, latest=None) == StopPlan("reply", StopReason.REPLY)


def test_the_active_sequence_rules_over_the_one_a_reply_answers(
    loaded: dict[str, Sequence],
) -> None:
    answered = StopEvent(StopReason.REPLY, sequence="company")
    assert plan(loaded, answered, active="keeps").stop is None


def test_a_bounce_suppresses_unless_it_is_about_the_sender_or_names_none_of_our_messages(
    loaded: dict[str, Sequence],
) -> None:
    bounce = StopEvent(StopReason.BOUNCE)
    assert plan(loaded, bounce) == StopPlan("bounce", StopReason.BOUNCE, "ann@acme.example")
    policy = StopEvent(StopReason.BOUNCE, policy=True)
    assert plan(loaded, policy) == StopPlan("bounce", StopReason.BOUNCE)
    stranger = StopEvent(StopReason.BOUNCE, names_our_message=False)
    assert plan(loaded, stranger) == StopPlan("bounce", StopReason.BOUNCE)


def test_unsubscribe_suppresses_and_manual_only_stops(loaded: dict[str, Sequence]) -> None:
    unsubscribe = StopEvent(StopReason.UNSUBSCRIBE)
    assert plan(loaded, unsubscribe) == StopPlan(
        "unsubscribe", StopReason.UNSUBSCRIBE, "ann@acme.example"
    )
    assert plan(loaded, StopEvent(StopReason.MANUAL)) == StopPlan("manual", StopReason.MANUAL)


def test_an_event_that_cannot_stop_is_refused() -> None:
    with pytest.raises(ValueError, match="not an event"):
        StopEvent(StopReason.COMPANY)
    with pytest.raises(ValueError, match="names its goal"):
        StopEvent(StopReason.GOAL)
    with pytest.raises(ValueError, match="names its goal"):
        StopEvent(StopReason.REPLY, goal="meeting_booked")


EVENTS = st.sampled_from(
    [
        REPLY,
        GOAL,
        StopEvent(StopReason.GOAL, goal="other"),
        StopEvent(StopReason.BOUNCE),
        StopEvent(StopReason.BOUNCE, policy=True),
        StopEvent(StopReason.BOUNCE, names_our_message=False),
        StopEvent(StopReason.UNSUBSCRIBE),
        StopEvent(StopReason.MANUAL),
    ]
)
NAMES = st.sampled_from([None, "company", "contact", "keeps", "gone"])


@settings(max_examples=300, deadline=None)
@given(
    event=EVENTS,
    active=NAMES,
    latest=NAMES,
    email=st.sampled_from(["ann@acme.example", "bo@freemail.example", "cy@gmail.com"]),
)
def test_invariants(
    loaded: dict[str, Sequence],
    event: StopEvent,
    active: str | None,
    latest: str | None,
    email: str,
) -> None:
    got = plan(loaded, event, email=email, active=active, latest=latest)
    assert got.event == event.reason.value
    # only a bounce or an unsubscribe suppresses, and only the contact's own address
    assert got.suppress in (None, email)
    if got.suppress is not None:
        assert event.reason in (StopReason.BOUNCE, StopReason.UNSUBSCRIBE)
    # a company stops only after a reply or goal that stops, never a free-mail domain
    if got.company is not None:
        assert got.stops and event.reason in (StopReason.REPLY, StopReason.GOAL)
        assert got.company == email.rpartition("@")[2] == "acme.example"
    # bounces, unsubscribes and manual stops always stop; a stop carries the event's reason
    if event.reason in (StopReason.BOUNCE, StopReason.UNSUBSCRIBE, StopReason.MANUAL):
        assert got.stop is event.reason
    assert got.stop in (None, event.reason)
