"""Embedding sequencer as a library: configuration in code, your own event loop, a channel of
your own, event hooks, typed results.

Run it from anywhere:  python examples/library.py
Type-check it:         python -m mypy --strict examples/library.py   (from the repository root)

Everything is real except time: the emails go by SMTP to a capture server on a free loopback
port (``sequencer.testing.CaptureServer``), the database is SQLite in a temporary folder, and a
``SimulatedClock`` lets two weeks pass in a second. The ``slack`` channel keeps what it would
post. ``docs/library.md`` walks through it.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sequencer import (
    Config,
    Delivery,
    Engine,
    Outcome,
    Replied,
    Result,
    Sender,
    Sent,
    SequencerError,
    SimulatedClock,
    Stopped,
)
from sequencer.config import Security, SmtpSettings
from sequencer.dispatch import TickReport
from sequencer.logs import configure
from sequencer.testing import CaptureServer

#: A sequence file, as a marketer would write it: two emails, the second in the same thread,
#: and between them a heads-up to the team on the host's own ``slack`` channel.
SEQUENCE = """\
name: welcome
defaults:
  timezone: Europe/Helsinki
  window: {days: [mon, tue, wed, thu, fri], hours: "09:00-17:00"}
stop_on:
  reply: true
  goals: [meeting_booked]
steps:
  - key: hello
    day: 0
    channel: email
    subjects:
      - key: plain
        text: "Hello {{ first_name | default('there') }}"
    bodies:
      - key: short
        text: |
          Hi {{ first_name | default("there") }},
          would a short call about {{ company | default("your team") }} help?
  - key: heads_up
    day: 1
    channel: slack
    message: "{{ first_name | default('?') }} at {{ company | default('?') }} got our first email"
  - key: bump
    day: 3
    channel: email
    thread: true
    bodies:
      - key: nudge
        text: "Hi {{ first_name | default('there') }}, bringing this back to the top of your inbox."
"""

CONTACTS = """\
email,first_name,company
ada@analytical.example,Ada,Analytical Engines
bo@northwind.example,Bo,Northwind
cy@bluefin.example,Cy,Bluefin
"""


class SlackChannel:
    """A channel of your own (see ``sequencer/channels/base.py``): this one keeps each message;
    yours would post it to Slack and answer RETRY when Slack is down."""

    def __init__(self) -> None:
        self.posted: list[str] = []

    async def deliver(self, delivery: Delivery) -> Result:
        self.posted.append(delivery.text or "")
        return Result(outcome=Outcome.SENT, detail="posted")

    async def close(self) -> None:
        return None


def listen(engine: Engine, sent: Counter[str]) -> None:
    """Event hooks: each gets a frozen event once it is committed to the database."""

    @engine.on_sent
    async def count(event: Sent) -> None:  # async hooks are awaited before tick() returns
        sent[event.channel] += 1

    @engine.on_reply
    def replied(event: Replied) -> None:
        print(f"hook: {event.address} replied")

    @engine.on_stop
    def stopped(event: Stopped) -> None:
        print(f"hook: {event.sequence} stopped for {event.address} ({event.reason})")


def make_config(folder: Path, smtp_port: int) -> Config:
    """The whole configuration in code: no ``sequencer.toml`` needed."""
    jane = Sender(
        name="jane",
        display_name="Jane Doe",
        email="jane@acme.example",
        timezone=ZoneInfo("Europe/Helsinki"),
        daily_cap=40,
        smtp=SmtpSettings(host="127.0.0.1", port=smtp_port, security=Security.NONE),
    )
    return Config(
        database_url=f"sqlite:///{folder / 'engine.db'}",
        sequences=(folder / "sequences",),
        senders={"jane": jane},
    )


async def tick_for(engine: Engine, clock: SimulatedClock, span: timedelta) -> TickReport:
    """Your own loop: one tick every (simulated) ten minutes, as a host's scheduler would."""
    total = TickReport()
    end = clock.now() + span
    while clock.now() < end:
        report = await engine.tick()
        total.sent += report.sent
        total.deferred += report.deferred
        clock.advance(timedelta(minutes=10))
    return total


async def main() -> int:
    configure(json=False, level="warning")
    with tempfile.TemporaryDirectory(prefix="library-") as tmp, CaptureServer() as smtp:
        folder = Path(tmp)
        (folder / "sequences").mkdir()
        (folder / "sequences" / "welcome.yaml").write_text(SEQUENCE, encoding="utf-8")
        (folder / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
        clock = SimulatedClock(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))  # a Monday morning
        slack, sent = SlackChannel(), Counter[str]()

        config = make_config(folder, smtp.port)
        async with Engine(config, clock=clock, channels={"slack": slack}) as engine:
            listen(engine, sent)
            problems = [p for p in engine.validate() if p.severity == "error"]
            if problems:
                print("\n".join(str(p) for p in problems))
                return 1
            imported = engine.import_contacts(folder / "contacts.csv")
            enrolled = engine.enroll("welcome", sender="jane")
            print(f"imported {imported.inserted}, enrolled {enrolled.enrolled}")

            first = await tick_for(engine, clock, timedelta(days=1))
            print(f"day 1: sent {first.sent}")

            # Your inbox handler saw a reply from Bo; your booking page, a meeting with Cy.
            engine.stop("bo@northwind.example", reason="reply")
            booked = engine.goal("cy@bluefin.example", "meeting_booked")  # a public Enrollment
            if booked is not None:
                print(f"goal recorded: {booked.sequence} is {booked.status} for Cy")
            try:
                engine.stop("ada@analytical.example", reason="replied")
            except SequencerError as error:  # InvalidReason: names the value and the valid ones
                print(f"refused: {error}")

            rest = await engine.run_until(clock.now() + timedelta(days=14))
            print(f"next two weeks: sent {rest.sent}")
            for row in engine.step_report():
                print(f"{row.sequence}/{row.step}: sent {row.sent}, replied {row.replied}")

        print(f"the SMTP server received {len(smtp.messages)} emails")
        for message in smtp.messages:
            print(f"  to {message.recipients[0]:26} {message['Subject']}")
        print(f"slack: {slack.posted}")
        print(f"hooks heard sends: {dict(sent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
