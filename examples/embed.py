"""Embedding sequencer in a host program: its own event loop, its own channel, a simulated clock.

Run it from the repository root:  python examples/embed.py

The host here is a tiny CRM that keeps its own outbox: instead of SMTP, a custom channel
(anything with async ``deliver`` and ``close``, see sequencer/channels/base.py) receives every
rendered email. The host records a reply through the same API its inbox handler would use.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sequencer import Engine, SimulatedClock
from sequencer.channels import Delivery, Outcome, Result
from sequencer.config import Config, Sender
from sequencer.logs import configure

HERE = Path(__file__).resolve().parent


class CrmOutbox:
    """The host's own channel: keeps every email in a list instead of sending it."""

    def __init__(self) -> None:
        self.sent: list[Delivery] = []

    async def deliver(self, delivery: Delivery) -> Result:
        self.sent.append(delivery)
        return Result(outcome=Outcome.SENT, detail="stored in the CRM outbox")

    async def close(self) -> None:
        return None


async def main() -> None:
    configure(json=False, level="warning")
    outbox = CrmOutbox()
    sender = Sender(
        name="jane",
        display_name="Jane Doe",
        email="jane@acme.example",
        timezone=ZoneInfo("Europe/Helsinki"),
        daily_cap=40,
        signature="Jane Doe\nAcme Growth",
    )
    folder = Path(tempfile.mkdtemp(prefix="embed-"))
    config = Config(
        database_url=f"sqlite:///{folder / 'host.db'}",
        sequences=(HERE.parent / "sequences",),
        senders={"jane": sender},
    )
    clock = SimulatedClock(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))  # a Monday morning
    engine = Engine(config, clock=clock, channels={"email": outbox})

    engine.import_contacts(HERE / "leads.csv")
    report = engine.enroll(
        "cold",
        emails=["aino.silva@northwindlogistics.example", "liam.garcia@bluefinanalytics.example"],
    )
    print(f"enrolled {report.enrolled}; first message due {report.first_due:%Y-%m-%d %H:%M} UTC")

    await engine.run_until(clock.now() + timedelta(days=2))  # message 1 goes out
    engine.stop(
        "liam.garcia@bluefinanalytics.example", reason="reply"
    )  # the host's inbox saw a reply
    await engine.run_until(clock.now() + timedelta(days=30))  # the rest of the sequence

    for delivery in outbox.sent:
        assert delivery.email is not None
        print(f"{delivery.email['Date']}  to {delivery.recipient:40}  {delivery.email['Subject']}")
    for task, contact in engine.tasks(today=False):
        print(
            f"task #{task.id} ({task.channel}) for {contact.email}: {task.message.strip()[:60]}..."
        )
    await engine.aclose()


if __name__ == "__main__":
    asyncio.run(main())
