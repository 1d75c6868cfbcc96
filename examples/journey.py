"""Twelve months of a sending team, simulated in seconds: ``python examples/journey.py``.

The real engine on a throwaway SQLite file and the built-in SMTP capture server on 127.0.0.1,
with three senders (Jane 20 a day, Mikko 15, Ulla 10, Ulla warming up from 4 a day). It imports
``examples/leads.csv`` and enrolls everyone in the shipped ``cold`` sequence, scoped to the
company (``stop_scope: company``), rotating over the three senders. Then a simulated clock runs
for a year:

- a reply from mia.clark@vantaametals.example in week 1 stops her two colleagues too;
- everyone else who never answers goes cold → reminder (90-180 days after) → network, always
  from the same sender;
- at the end, ``forget`` erases one person, and the database file no longer holds their address.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from sequencer import Engine, SimulatedClock
from sequencer.caps import Warmup
from sequencer.config import Config, Security, Sender, SmtpSettings
from sequencer.logs import configure
from sequencer.testing import CaptureServer

HERE = Path(__file__).resolve().parent
START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # a Monday, before the Helsinki window opens
TEAM = {"jane": 20, "mikko": 15, "ulla": 10}
REPLIER = "mia.clark@vantaametals.example"
FORGOTTEN = "aino.silva@northwindlogistics.example"


def sender(name: str, cap: int, port: int) -> Sender:
    return Sender(
        name=name,
        display_name=f"{name.title()} Doe",
        email=f"{name}@acme.example",
        signature=f"{name.title()} Doe\nAcme Growth",
        timezone=ZoneInfo("Europe/Helsinki"),
        daily_cap=cap,
        smtp=SmtpSettings(port=port, security=Security.NONE, timeout=10.0),
        warmup=Warmup(start=4, step=2) if name == "ulla" else None,
    )


def main() -> None:
    configure(level="warning")
    out = Console(width=120)
    work = Path(tempfile.mkdtemp(prefix="sequencer-journey-"))
    folder = work / "sequences"
    shutil.copytree(HERE.parent / "sequences", folder)
    cold = folder / "cold.yaml"
    cold.write_text(
        cold.read_text(encoding="utf-8").replace("stop_on:", "stop_scope: company\nstop_on:"),
        encoding="utf-8",
    )
    with CaptureServer(folder=work / "mail") as smtp:
        clock = SimulatedClock(START)
        config = Config(
            database_url=f"sqlite:///{work / 'journey.db'}",
            sequences=(folder,),
            senders={name: sender(name, cap, smtp.port) for name, cap in TEAM.items()},
        )
        engine = Engine(config, clock=clock)
        engine.import_contacts(HERE / "leads.csv")
        report = engine.enroll("cold", sender=list(TEAM))
        out.print(
            f"{report.enrolled} contacts enrolled in cold: "
            + ", ".join(f"{k} {v}" for k, v in report.by_sender.items())
        )

        def answer(now: datetime) -> None:
            if now >= START + timedelta(days=3) and not engine.store.event_kinds(
                engine.contact(REPLIER).id or 0, since=START
            ):
                engine.stop(REPLIER, reason="reply", detail="Interesting, let's talk next week.")

        asyncio.run(run(engine, START + timedelta(days=365), answer))
        show(out, engine, smtp)
        erase(out, engine, work / "journey.db")
        engine.close()
    out.print(f"\nfiles: {work}")


async def run(engine: Engine, until: datetime, on_step: Callable[[datetime], None]) -> None:
    try:
        await engine.run_until(until, on_step=on_step)
    finally:
        await engine.dispatcher.close()


def show(out: Console, engine: Engine, smtp: CaptureServer) -> None:
    table = Table(
        "contact",
        "sender",
        "cold msg 1",
        "reminder msg 1",
        "network msg 1",
        "how it ended",
        title="A year, per contact",
    )
    zone = ZoneInfo("Europe/Helsinki")

    def day(at: datetime | None) -> str:
        return at.astimezone(zone).strftime("%Y-%m-%d") if at else "-"

    for rows, contact in enumerate(engine.store.contacts()):
        assert contact.id is not None
        journey = engine.store.enrollments(contact.id)
        firsts: dict[str, datetime | None] = {}
        for enrollment in journey:
            sends = engine.store.sends(enrollment.id or 0)
            firsts[enrollment.sequence] = sends[0].sent_at if sends else None
        last = journey[-1]
        ending = last.stop_reason or (
            "waiting until " + day(last.starts_at) if last.status == "deferred" else last.status
        )
        senders = {e.sender for e in journey}
        if rows < 14 or last.stop_reason:
            table.add_row(
                contact.email,
                ", ".join(sorted(senders)),
                day(firsts.get("cold")),
                day(firsts.get("reminder")),
                day(firsts.get("network")),
                f"{last.sequence}: {ending}",
            )
    out.print(table)
    one_sender = all(
        len({e.sender for e in engine.store.enrollments(c.id or 0)}) == 1
        for c in engine.store.contacts()
    )
    out.print(f"every contact kept one sender through every sequence: {one_sender}")
    out.print(f"messages captured: {len(smtp.messages)}")


def erase(out: Console, engine: Engine, db: Path) -> None:
    def found() -> bool:
        return any(
            p.exists() and FORGOTTEN.encode() in p.read_bytes() for p in (db, Path(f"{db}-wal"))
        )

    before = found()
    report = engine.forget(FORGOTTEN)
    out.print(
        f"\nforget {FORGOTTEN}: cleared {report.sends} sends, "
        f"{report.tasks} tasks, {report.events} events, "
        f"{report.enrollments} enrollments; kept {report.suppression_key[:20]}… "
        "on the suppression list"
    )
    out.print(f"address in the database files before: {before}, after: {found()}")
    imported = engine.import_contacts(HERE / "leads.csv")
    out.print(
        f"re-imported leads.csv: {imported.rows} rows, the forgotten address is a contact again: "
        f"{engine.store.contact(FORGOTTEN) is not None}"
    )


if __name__ == "__main__":
    main()
