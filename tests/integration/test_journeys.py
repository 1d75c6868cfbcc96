"""Multi-month journeys and sending teams: chaining (``then:``), sender rotation, company-level
stop and frequency rules, with the simulated clock running over months. Real SMTP (aiosmtpd),
real SQLite and PostgreSQL (the ``database_url`` fixture)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sending_rig import MONDAY, REPO, Rig, make_sender, person, write_sequence
from sequence_texts import always_open

from sequencer import Engine, SimulatedClock
from sequencer.config import Config, Frequency, Sender
from sequencer.store import Enrollment, Send
from sequencer.testing import CaptureServer

TEAM = {"jane": 30, "mikko": 20, "ulla": 10}


def teammate(port: int, name: str, cap: int) -> Sender:
    return dataclasses.replace(
        make_sender(port, daily_cap=cap),
        name=name,
        display_name=f"{name.title()} Doe",
        email=f"{name}@acme.example",
    )


@pytest.fixture
def team_rig(
    tmp_path: Path, smtp: CaptureServer, database_url: str
) -> Iterator[Callable[..., Rig]]:
    """``team_rig(sequences=..., **config)`` → a rig with three senders (jane 30/day, mikko 20,
    ulla 10).
    """
    made: list[Engine] = []

    def make(*, sequences: Path | None = None, **config: Any) -> Rig:
        senders = {name: teammate(smtp.port, name, cap) for name, cap in TEAM.items()}
        clock = SimulatedClock(MONDAY)
        engine = Engine(
            Config(
                database_url=database_url,
                sequences=(sequences or REPO / "sequences",),
                senders=senders,
                **config,
            ),
            clock=clock,
        )
        made.append(engine)
        return Rig(tmp=tmp_path, smtp=smtp, clock=clock, engine=engine)

    yield make
    for engine in made:
        asyncio.run(engine.aclose())


def history(rig: Rig, email: str) -> list[Enrollment]:
    return rig.engine.store.enrollments(rig.contact_id(email))


def first_sent(sends: list[Send], sequence: str) -> datetime:
    found = [s.sent_at for s in sends if s.sequence == sequence and s.step_index == 0 and s.sent_at]
    assert len(found) == 1, (sequence, sends)
    assert found[0] is not None
    return found[0]


def last_sent(sends: list[Send], sequence: str) -> datetime:
    return max(s.sent_at for s in sends if s.sequence == sequence and s.sent_at)


# -- chaining over twelve months ------------------------------------------------------------------


def test_twelve_months_cold_then_reminder_then_network_from_one_sender(
    team_rig: Callable[..., Rig],
) -> None:
    rig = team_rig()
    rig.import_rows([person(i) for i in range(12)])
    report = rig.engine.enroll("cold", sender=list(TEAM))
    assert report.enrolled == 12 and set(report.by_sender) == set(TEAM)

    end = MONDAY + timedelta(days=365)
    rig.run(until=end)

    delays, finished = set(), 0
    for i in range(12):
        email = f"p{i}@example.com"
        journey = history(rig, email)
        sends = rig.sends(email)
        assert len({s.sender for s in sends} | {e.sender for e in journey}) == 1, (
            "a contact keeps one sender throughout"
        )
        assert [(e.sequence, e.status) for e in journey[:2]] == [
            ("cold", "completed"),
            ("reminder", "completed"),
        ], journey
        assert journey[1].previous_id == journey[0].id and journey[2].previous_id == journey[1].id
        # reminder starts 90-180 days after cold's last step (plus the wait for a window): about 4
        # months on
        gap = first_sent(sends, "reminder") - last_sent(sends, "cold")
        assert timedelta(days=90) <= gap <= timedelta(days=183), gap
        delays.add(gap.days)
        network = journey[2]
        if (
            network.status == "deferred"
        ):  # 90-180 days after reminder can fall past the twelve months
            assert network.starts_at is not None and network.starts_at > end
            assert len(sends) == 6
            continue
        assert network.status == "completed"
        finished += 1
        assert [s.status for s in sends] == ["sent"] * 8  # 3 cold + 3 reminder + 2 network steps
        assert (
            timedelta(days=90)
            <= first_sent(sends, "network") - last_sent(sends, "reminder")
            <= timedelta(days=183)
        )
        received = sorted(rig.received(email), key=lambda m: m.message["Date"].datetime)
        assert len(received) == 5  # the LinkedIn steps are tasks, not mail
        assert len({m.message["From"] for m in received}) == 1
        # each sequence's message 1 starts a new thread; reminder's follow-up continues its own
        assert [m.message["Subject"].startswith("Re:") for m in received] == [
            False,
            True,
            False,
            True,
            False,
        ]
    assert finished >= 3, "most contacts reach network within the year"
    assert len(delays) > 3, f"after_days is jittered per contact, got {sorted(delays)}"


def test_preview_shows_the_next_sequence_projected_then_deferred(
    team_rig: Callable[..., Rig],
) -> None:
    rig = team_rig()
    rig.import_rows([person(1)])
    rig.engine.enroll("cold", emails=["p1@example.com"], sender="mikko")
    before = rig.engine.preview("cold", "p1@example.com").then
    assert before is not None and (before.sequence, before.status, before.only_if) == (
        "reminder",
        "projected",
        ("not_replied",),
    )
    assert before.latest - before.earliest == timedelta(days=90)

    rig.run(40)
    after = rig.engine.preview("cold", "p1@example.com").then
    waiting = rig.engine.store.deferred(rig.contact_id("p1@example.com"))
    assert after is not None and after.status == "deferred" and len(waiting) == 1
    assert after.earliest == after.latest == waiting[0].starts_at
    assert before.earliest <= after.earliest <= before.latest + timedelta(days=1)


def test_a_reply_during_the_wait_cancels_the_chained_sequence(team_rig: Callable[..., Rig]) -> None:
    rig = team_rig()
    rig.import_rows([person(1), person(2)])
    rig.engine.enroll("cold", sender="jane")
    rig.run(40)  # cold done; reminder waiting for both
    assert [e.status for e in history(rig, "p1@example.com")] == ["completed", "deferred"]
    rig.engine.stop("p1@example.com", reason="reply", detail="Late answer: yes, let's talk")
    rig.run(365)
    assert [(e.sequence, e.status, e.stop_reason) for e in history(rig, "p1@example.com")] == [
        ("cold", "completed", None),
        ("reminder", "stopped", "reply"),
    ]
    assert len(rig.received("p1@example.com")) == 2
    assert [e.sequence for e in history(rig, "p2@example.com")] == ["cold", "reminder", "network"]


ONE_STEP_THEN = (
    always_open("first")
    + """
then:
  sequence: second
  after_days: [10, 20]
  only_if: [{rules}]
"""
)


@pytest.mark.parametrize(
    ("rules", "passes"),
    [
        ("opened", {"p1@example.com"}),
        ("clicked", {"p2@example.com"}),
        ("not_replied", {"p1@example.com", "p2@example.com", "p4@example.com"}),
        ("field:title=ceo", {"p4@example.com"}),
        ("'field:title=CEO', opened", set()),
    ],
)
def test_only_if_decides_who_moves_on(
    team_rig: Callable[..., Rig], tmp_path: Path, rules: str, passes: set[str]
) -> None:
    folder = write_sequence(tmp_path / "seqs", "first", ONE_STEP_THEN.format(rules=rules))
    write_sequence(folder, "second", always_open("second", step="again"))
    rig = team_rig(sequences=folder)
    rig.import_rows([person(1), person(2), person(3), person(4, title="CEO")])
    rig.engine.enroll("first", sender="jane")
    rig.run(2)
    store, at = rig.engine.store, rig.clock.now()
    # what tracking records (the open pixel and click redirect, tested in test_http.py)
    store.add_event(kind="open", at=at, contact_id=rig.contact_id("p1@example.com"))
    store.add_event(
        kind="click",
        at=at,
        contact_id=rig.contact_id("p2@example.com"),
        detail="https://example.com",
    )
    store.add_event(
        kind="reply", at=at, contact_id=rig.contact_id("p3@example.com")
    )  # with stop_on reply, it stops:
    rig.engine.stop("p3@example.com", reason="reply")

    rig.run(60)
    moved = {
        f"p{i}@example.com" for i in range(1, 5) if len(rig.received(f"p{i}@example.com")) == 2
    }
    assert moved == passes
    for i in range(1, 5):
        email = f"p{i}@example.com"
        chained = [e for e in history(rig, email) if e.sequence == "second"]
        if email == "p3@example.com":
            assert chained == [] or chained[0].status == "stopped"
        elif email in passes:
            assert chained[0].status == "completed"
        else:
            assert chained[0].status == "skipped" and chained[0].stop_detail.startswith(
                "only_if not met"
            ), chained


def test_a_suppressed_address_is_not_chained(team_rig: Callable[..., Rig]) -> None:
    rig = team_rig()
    rig.import_rows([person(1)])
    rig.engine.enroll("cold", sender="ulla")
    rig.run(40)
    rig.engine.suppress("@example.com")
    rig.run(365)
    reminder = history(rig, "p1@example.com")[1]
    assert (reminder.status, reminder.stop_detail) == (
        "skipped",
        "the address or @example.com is suppressed",
    )
    assert len(rig.received("p1@example.com")) == 2


# -- senders
# ----------------------------------------------------------------------------------------


def test_rotation_splits_new_contacts_by_free_capacity(team_rig: Callable[..., Rig]) -> None:
    rig = team_rig()
    rig.import_rows([person(i) for i in range(120)])
    report = rig.engine.enroll("cold", sender=list(TEAM))
    # caps 30 / 20 / 10 a day: two full days of message 1 split 60 / 40 / 20
    assert report.by_sender == {"jane": 60, "mikko": 40, "ulla": 20}
    rig.run(3)
    per_day: dict[tuple[str, str], int] = {}
    for send in rig.sends(step="intro"):
        assert send.status == "sent" and send.sent_at is not None
        day = (send.sender, send.sent_at.astimezone(make_sender(0).timezone).date().isoformat())
        per_day[day] = per_day.get(day, 0) + 1
    assert all(count <= TEAM[sender] for (sender, _), count in per_day.items()), per_day


def test_a_contact_keeps_their_sender_when_enrolled_again(team_rig: Callable[..., Rig]) -> None:
    rig = team_rig()
    rig.import_rows([person(i) for i in range(9)])
    rig.engine.enroll("cold", sender=list(TEAM))
    first = {f"p{i}@example.com": history(rig, f"p{i}@example.com")[0].sender for i in range(9)}
    rig.run(30)
    rig.engine.enroll("network", sender=None)  # by hand, before the chain would: each keeps theirs
    assert {email: history(rig, email)[-1].sender for email in first} == first
    assert len(set(first.values())) == 3


# -- company-level stop
# -----------------------------------------------------------------------------

COMPANY_SCOPED = (
    always_open("team")
    + """\
  - key: bump
    day: 3
    channel: email
    thread: true
    bodies:
      - key: n
        text: "Following up."
stop_scope: company
"""
)


def test_a_reply_stops_colleagues_at_the_same_company_but_not_free_mail(
    team_rig: Callable[..., Rig], tmp_path: Path
) -> None:
    rig = team_rig(sequences=write_sequence(tmp_path / "seqs", "team", COMPANY_SCOPED))
    rows = [
        person(1, email="ada@northwind.example"),
        person(2, email="bob@northwind.example"),
        person(3, email="cy@southwind.example"),
        person(4, email="dee@gmail.com"),
        person(5, email="eve@gmail.com"),
        person(6, email="fay@sub.northwind.example"),
    ]
    rig.import_rows(rows)
    rig.engine.enroll("team", sender="jane")
    rig.run(1)
    assert all(len(rig.received(r["email"])) == 1 for r in rows)

    rig.engine.stop("ada@northwind.example", reason="reply")
    rig.engine.stop("dee@gmail.com", reason="reply")
    rig.run(30)

    bob = history(rig, "bob@northwind.example")[0]
    assert (bob.status, bob.stop_reason) == ("stopped", "company")
    assert "northwind.example" in (bob.stop_detail or "")
    assert len(rig.received("bob@northwind.example")) == 1  # nothing after the colleague's reply
    assert [
        len(rig.received(a))
        for a in ("cy@southwind.example", "eve@gmail.com", "fay@sub.northwind.example")
    ] == [2, 2, 2]


def test_a_goal_by_hook_stops_the_company_too(team_rig: Callable[..., Rig], tmp_path: Path) -> None:
    text = COMPANY_SCOPED.replace(
        "stop_scope: company", "stop_scope: company\nstop_on:\n  goals: [meeting_booked]"
    )
    rig = team_rig(sequences=write_sequence(tmp_path / "seqs", "team", text))
    rig.import_rows(
        [person(1, email="ada@northwind.example"), person(2, email="bob@northwind.example")]
    )
    rig.engine.enroll("team", sender="jane")
    rig.run(1)
    rig.engine.goal("ada@northwind.example", "meeting_booked")
    rig.run(30)
    assert [(e.status, e.stop_reason) for e in history(rig, "bob@northwind.example")] == [
        ("stopped", "company")
    ]
    assert len(rig.received("bob@northwind.example")) == 1


# -- frequency
# ----------------------------------------------------------------------------------------

DAILY = always_open("daily") + "".join(
    f"""\
  - key: day{day}
    day: {day}
    channel: email
    thread: true
    bodies:
      - key: n
        text: "Note {day}."
"""
    for day in (1, 2, 3)
)


def test_no_contact_gets_more_than_x_messages_in_y_days(
    team_rig: Callable[..., Rig], tmp_path: Path
) -> None:
    rig = team_rig(
        sequences=write_sequence(tmp_path / "seqs", "daily", DAILY),
        frequency=Frequency(max_messages=2, days=7),
    )
    rig.import_rows([person(1)])
    rig.engine.enroll("daily", sender="jane")
    rig.run(60)
    times = sorted(s.sent_at for s in rig.sends("p1@example.com") if s.sent_at)
    assert len(times) == 4
    for index in range(len(times) - 2):
        assert times[index + 2] - times[index] >= timedelta(days=7), times
    assert times[1] - times[0] < timedelta(days=2)  # the rule delays, it does not spread everything


def test_a_chain_with_no_wait_starts_on_the_next_day(
    team_rig: Callable[..., Rig], tmp_path: Path
) -> None:
    """``after_days: 0`` started the next sequence's message 1 a couple of minutes after the last
    message of the first, to the same person (09:00:00 and 09:02:34, a review found). The chained
    sequence now starts on the recipient's next day at the soonest."""
    text = always_open("first") + "\nthen:\n  sequence: second\n  after_days: [0, 0]\n"
    folder = write_sequence(tmp_path / "seqs", "first", text)
    write_sequence(folder, "second", always_open("second", step="again"))
    rig = team_rig(sequences=folder)
    rig.import_rows([person(i) for i in range(3)])
    rig.engine.enroll("first", sender="jane")
    rig.run(10)
    for i in range(3):
        email = f"p{i}@example.com"
        sends = [s for s in rig.sends(email) if s.status == "sent"]
        assert [s.sequence for s in sends] == ["first", "second"], sends
        first, second = (s.sent_at for s in sends)
        assert first is not None and second is not None
        zone = ZoneInfo(history(rig, email)[0].timezone)
        assert second.astimezone(zone).date() > first.astimezone(zone).date(), (first, second)
