"""The library's promises to a host program, on SQLite and PostgreSQL with a real SMTP capture
server (and the Dovecot inbox for replies and bounces read from mail):

- event hooks (``on_sent``, ``on_reply``, ``on_stop``, ``on_bounce``, ``on_goal``) fire once
  per event, with a frozen public value, after the event is committed; a hook that raises
  changes nothing; async hooks are awaited;
- a channel of the host's own (``slack``) is usable in a sequence file, gets its step through
  the same claim, stop re-check and recording as email, and an unknown one is refused by file,
  line and the list of known channels;
- what the engine returns about stored things is a public frozen value, never a storage row.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
import typing
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from imap_account import ImapAccount
from sending_rig import MONDAY, REPO, Rig, person, write_sequence
from test_inbox import dsn, first_messages, reply

import sequencer
from sequencer import (
    Bounced,
    Engine,
    GoalReached,
    Replied,
    Sent,
    SequenceInvalid,
    Stopped,
    StopReason,
)
from sequencer import store as storage
from sequencer.config import Config
from sequencer.testing import RecordingChannel

SEQUENCE = """\
name: hooked
defaults:
  timezone: Europe/Helsinki
  window: {days: [mon, tue, wed, thu, fri], hours: "09:00-17:00"}
stop_on:
  reply: true
  goals: [meeting_booked]
steps:
  - key: intro
    day: 0
    channel: email
    subjects:
      - key: plain
        text: "Hello {{ first_name | default('there') }}"
    bodies:
      - key: short
        text: "Hi {{ first_name | default('there') }}, a short question."
  - key: ping
    day: 2
    channel: slack
    message: "Ping {{ first_name | default('there') }} at {{ company | default('?') }}"
"""


def _folder(tmp: Path) -> Path:
    return write_sequence(tmp / "sequences", "hooked", SEQUENCE)


@pytest.fixture
def slack() -> RecordingChannel:
    return RecordingChannel()


@pytest.fixture
def hooked(rig_factory: Callable[..., Rig], tmp_path: Path, slack: RecordingChannel) -> Rig:
    """Three contacts in ``hooked``, whose second step goes to the host's ``slack`` channel."""
    rig = rig_factory(sequences=[_folder(tmp_path)], channels={"slack": slack})
    rig.import_rows([person(i) for i in range(3)])
    return rig


def test_each_event_reaches_its_hook_once_after_it_is_committed(
    hooked: Rig, slack: RecordingChannel
) -> None:
    rig = hooked
    heard: list[object] = []
    committed: list[tuple[str, str, str]] = []

    @rig.engine.on_sent
    def sent(event: Sent) -> None:
        heard.append(event)
        # the hook runs after the commit: the send is already recorded as sent
        (row,) = rig.sends(event.address, step=event.step)
        committed.append((event.address, event.step, row.status))

    for register in (rig.engine.on_reply, rig.engine.on_stop, rig.engine.on_goal):
        register(heard.append)
    rig.engine.enroll("hooked", sender="jane")

    rig.run(days=1)
    assert [e.step for e in heard if isinstance(e, Sent)] == ["intro"] * 3
    assert committed == [(f"p{i}@example.com", "intro", "sent") for i in range(3)]

    assert rig.engine.stop("p0@example.com", reason="reply") is not None
    goal = rig.engine.goal("p1@example.com", "meeting_booked")
    assert goal is not None and goal.stop_reason is StopReason.GOAL
    stops = [e for e in heard if not isinstance(e, Sent)]
    assert [type(e) for e in stops] == [Replied, Stopped, GoalReached, Stopped]
    replied, stopped, reached, ended = stops
    assert isinstance(replied, Replied) and replied.address == "p0@example.com"
    assert replied.sequence == "hooked" and replied.at == rig.clock.now()
    assert isinstance(stopped, Stopped)
    assert (stopped.address, stopped.sequence, stopped.reason) == (
        "p0@example.com",
        "hooked",
        StopReason.REPLY,
    )
    assert isinstance(reached, GoalReached) and reached.goal == "meeting_booked"
    assert isinstance(ended, Stopped) and ended.reason is StopReason.GOAL

    rig.run(days=10)
    sends = [e for e in heard if isinstance(e, Sent)]
    assert [(e.address, e.step, e.channel) for e in sends[3:]] == [
        ("p2@example.com", "ping", "slack")
    ]
    intro = sends[0]
    assert intro.message_id is not None and intro.message_id.endswith("@acme.example>")
    assert intro.sender == "jane" and intro.channel == "email" and intro.sequence == "hooked"
    assert sends[3].message_id is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        intro.step = "other"  # type: ignore[misc]
    # a second stop for the same reason records nothing, so nothing is heard
    assert len(heard) == 8


def test_a_raising_hook_is_logged_and_sending_goes_on(
    hooked: Rig, slack: RecordingChannel, capsys: pytest.CaptureFixture[str]
) -> None:
    rig = hooked
    calls: list[str] = []

    @rig.engine.on_sent
    def broken(event: Sent) -> None:
        calls.append(event.address)
        raise RuntimeError("the host's CRM is down")

    @rig.engine.on_sent
    async def broken_later(event: Sent) -> None:
        await asyncio.sleep(0)
        raise ValueError("and so is its queue")

    rig.engine.enroll("hooked", sender="jane")
    report = rig.run(days=10)

    assert report.sent == 6 and report.failed == 0
    assert len(calls) == 6
    assert all(s.status == "sent" for s in rig.sends())
    assert len(rig.smtp.messages) == 3 and len(slack.deliveries) == 3
    logged = capsys.readouterr()
    assert "hook.failed" in logged.out + logged.err


def test_async_hooks_are_awaited_by_ticks_and_by_synchronous_calls(hooked: Rig) -> None:
    rig = hooked
    heard: list[tuple[str, str]] = []

    @rig.engine.on_sent
    async def sent(event: Sent) -> None:
        await asyncio.sleep(0)
        (row,) = rig.sends(event.address, step=event.step)
        heard.append((event.address, row.status))

    @rig.engine.on_stop
    async def stopped(event: Stopped) -> None:
        await asyncio.sleep(0)
        heard.append((event.address, event.reason.value))

    rig.engine.enroll("hooked", sender="jane")
    rig.run(days=1)  # each tick returns only once its hooks are done
    assert heard == [(f"p{i}@example.com", "sent") for i in range(3)]

    rig.engine.stop("p2@example.com", reason="manual")  # no event loop here: run to the end
    assert heard[-1] == ("p2@example.com", "manual")

    async def inside_a_loop() -> None:
        rig.engine.stop("p1@example.com", reason="unsubscribe")
        await rig.engine.aclose()  # waits for the hook started inside the running loop

    asyncio.run(inside_a_loop())
    assert heard[-1] == ("p1@example.com", "unsubscribe")


def test_an_smtp_bounce_reaches_on_bounce_and_on_stop(hooked: Rig) -> None:
    rig = hooked
    rig.smtp.script = lambda rcpt: "550 5.1.1 no such user" if rcpt.startswith("p1@") else None
    heard: list[object] = []
    rig.engine.on_bounce(heard.append)
    rig.engine.on_stop(heard.append)
    rig.engine.enroll("hooked", sender="jane")

    rig.run(days=1)

    bounced, stopped = heard
    assert isinstance(bounced, Bounced) and bounced.address == "p1@example.com"
    assert bounced.code == "550" and "no such user" in bounced.detail
    assert isinstance(stopped, Stopped) and stopped.reason is StopReason.BOUNCE
    (send,) = rig.sends("p1@example.com")
    assert send.status == "bounced"
    assert [s.key for s in rig.engine.suppressions()] == ["p1@example.com"]


def test_replies_and_bounces_read_from_the_inbox_reach_their_hooks(
    rig_factory: Callable[..., Rig], tmp_path: Path, imap: ImapAccount
) -> None:
    rig = rig_factory(
        sequences=[_folder(tmp_path)], channels={"slack": RecordingChannel()}, imap=imap.settings()
    )
    rig.import_rows([person(i) for i in range(3)])
    heard: list[object] = []
    for register in (rig.engine.on_reply, rig.engine.on_stop, rig.engine.on_bounce):
        register(heard.append)
    rig.engine.enroll("hooked", sender="jane")
    rig.run(days=1)
    ids = first_messages(rig, ["p0@example.com", "p1@example.com"])
    imap.append(
        reply(
            "First0 <p0@example.com>",
            "Re: Hello First0",
            "Yes, let's talk.",
            in_reply_to=ids["p0@example.com"],
            message_id="<hooks-reply-0@example.com>",
        )
    )
    imap.append(dsn("p1@example.com", ids["p1@example.com"]))

    report = rig.engine.poll_inbox_sync()

    assert not report.errors, report.errors
    kinds = [(type(e).__name__, getattr(e, "address", None)) for e in heard]
    assert sorted(kinds) == [
        ("Bounced", "p1@example.com"),
        ("Replied", "p0@example.com"),
        ("Stopped", "p0@example.com"),
        ("Stopped", "p1@example.com"),
    ]
    replied = next(e for e in heard if isinstance(e, Replied))
    assert replied.subject == "Re: Hello First0" and replied.sequence == "hooked"
    bounced = next(e for e in heard if isinstance(e, Bounced))
    assert bounced.code == "5.1.1"
    assert {e.reason for e in heard if isinstance(e, Stopped)} == {
        StopReason.REPLY,
        StopReason.BOUNCE,
    }
    rig.engine.poll_inbox_sync()  # read again: nothing new, nothing heard twice
    assert len(heard) == 4


def test_a_custom_channel_gets_its_step_through_the_same_checks(
    hooked: Rig, slack: RecordingChannel
) -> None:
    rig = hooked
    rig.engine.enroll("hooked", sender="jane")
    rig.run(days=1)
    rig.engine.stop("p0@example.com", reason="reply")  # the stop re-check covers slack too
    slack.outcome = sequencer.Outcome.RETRY  # p1's first try fails, then it goes
    rig.clock.set(MONDAY + timedelta(days=2, hours=3))  # Wednesday, 11:00 in Helsinki
    first = asyncio.run(rig.engine.drain())
    assert first.retried == 2
    slack.outcome = sequencer.Outcome.SENT
    rig.run(days=10)

    assert len(slack.deliveries) == 4  # each retried once: the RETRY was recorded, then sent
    texts = sorted({(d.recipient, d.text) for d in slack.deliveries})
    assert texts == [
        ("p1@example.com", "Ping First1 at Company1"),
        ("p2@example.com", "Ping First2 at Company2"),
    ]
    assert all(d.channel == "slack" for d in slack.deliveries)
    for address in ("p1@example.com", "p2@example.com"):
        ping = rig.sends(address, step="ping")
        assert [(s.channel, s.status) for s in ping] == [("slack", "sent")]
        assert rig.enrollment(address).status == "completed"
    assert [s.status for s in rig.sends("p0@example.com", step="ping")] == ["cancelled"]
    assert len(rig.smtp.messages) == 3  # the slack step sent no email


def test_an_unknown_channel_is_refused_by_file_line_and_known_channels(
    tmp_path: Path, database_url: str
) -> None:
    folder = _folder(tmp_path)
    config = Config(database_url=database_url, sequences=(folder,))
    with Engine(config, channels={"teams": RecordingChannel()}) as engine:
        (problem,) = [p for p in engine.validate() if p.severity == "error"]
        assert problem.file == str(folder / "hooked.yaml")
        assert problem.line == 20  # the `channel: slack` line
        assert problem.path == "steps[1].channel"
        assert "unknown channel 'slack'" in problem.message
        assert "known channels: email, linkedin, call, webhook, teams" in problem.message
        with pytest.raises(SequenceInvalid, match=r"hooked.yaml:20: steps\[1\].channel"):
            _ = engine.sequences
    with Engine(config, channels={"slack": RecordingChannel()}) as engine:
        assert [p for p in engine.validate() if p.severity == "error"] == []
        assert engine.sequence("hooked").steps[1].channel == "slack"


def test_the_cli_knows_the_channels_of_the_config_file(tmp_path: Path) -> None:
    """``[channels] slack = "module:Class"``: validate accepts the step, the engine sends it."""
    _folder(tmp_path)
    toml = tmp_path / "sequencer.toml"
    base = 'database = "engine.db"\nsequences = ["sequences"]\n'
    toml.write_text(base, encoding="utf-8")
    cli = [sys.executable, "-m", "sequencer", "--config", str(toml), "validate"]
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    refused = subprocess.run(cli, capture_output=True, text=True, env=env, timeout=120)
    assert refused.returncode != 0
    said = refused.stdout + refused.stderr
    assert "hooked.yaml:20" in said and "unknown channel 'slack'" in said
    assert "[channels]" in said  # how to register one (brackets escaped, not eaten)

    toml.write_text(base + '\n[channels]\nslack = "sequencer.testing:RecordingChannel"\n')
    accepted = subprocess.run(cli, capture_output=True, text=True, env=env, timeout=120)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    with Engine.from_config(toml) as engine:
        assert isinstance(engine.dispatcher.channels["slack"], RecordingChannel)

    toml.write_text(base + '\n[channels]\nslack = "sequencer.testing:NoSuchChannel"\n')
    broken = subprocess.run([*cli[:-1], "tick"], capture_output=True, text=True, env=env)
    assert broken.returncode != 0
    assert "channels.slack: cannot make 'sequencer.testing:NoSuchChannel'" in (
        broken.stdout + broken.stderr
    )


def test_what_the_engine_returns_is_public_never_a_storage_row(hooked: Rig) -> None:
    rig = hooked
    rig.engine.enroll("hooked", sender="jane")
    rig.run(days=1)
    goal = rig.engine.goal("p0@example.com", "meeting_booked")
    assert type(goal) is sequencer.Enrollment
    assert goal.sequence == "hooked" and goal.status == "stopped"
    assert type(rig.engine.stop("p1@example.com", reason="bounce")) is sequencer.Enrollment
    assert rig.engine.goal("p0@example.com", "newsletter") is None
    contact = rig.engine.contact("p2@example.com")
    assert type(contact) is sequencer.Contact and contact.full_name == "First2 Last2"
    (entry,) = rig.engine.suppressions()
    assert type(entry) is sequencer.Suppression and entry.key == "p1@example.com"
    for value in (goal, contact, entry):
        with pytest.raises(dataclasses.FrozenInstanceError):
            value.id = 0  # type: ignore[misc, union-attr]

    store_types = {getattr(storage, name) for name in storage.__all__}
    leaks = {}
    for name, member in vars(Engine).items():
        if name.startswith("_") or not callable(member):
            continue
        returned = typing.get_type_hints(member).get("return")
        found = _types_in(returned) & store_types
        if found:
            leaks[name] = found
    assert leaks == {}


def _types_in(annotation: object, seen: set[object] | None = None) -> set[object]:
    """Every class named in a (possibly nested, generic) annotation, and in the fields of the
    dataclasses it names (a result holding a storage row in a field leaks it too)."""
    seen = set() if seen is None else seen
    if annotation in seen:
        return set()
    seen.add(annotation)
    found = {annotation}
    for argument in typing.get_args(annotation):
        found |= _types_in(argument, seen)
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        for field_type in typing.get_type_hints(annotation).values():
            found |= _types_in(field_type, seen)
    return found
