"""``sequencer demo``: the real engine on a throwaway database and a built-in SMTP server.

It imports ``examples/leads.csv``, enrolls everyone in ``sequences/cold.yaml`` under one
named sender, fast-forwards a simulated clock through four weeks, records a few replies and
a booked meeting along the way, and shows what happened: a per-step table, one threaded
conversation with its headers, and the LinkedIn tasks due. Nothing leaves this machine: the
SMTP server listens on 127.0.0.1 and keeps every message as an ``.eml`` file.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sequencer.app import Engine
from sequencer.clock import SimulatedClock
from sequencer.config import Config, Security, Sender, SmtpSettings
from sequencer.errors import SequencerError
from sequencer.logs import configure
from sequencer.testing import Captured, CaptureServer

SIGNATURE = "Jane Doe\nHead of Partnerships, Acme Growth\n+358 40 123 4567"
#: (days after the start, address, what happens) — replies and a booked meeting along the way.
SCRIPT = (
    (1, "liam.garcia@bluefinanalytics.example", "reply"),
    (2, "emma.clark@fjordsoftware.example", "reply"),
    (3, "kenji.ngata@orchidtravel.example", "reply"),
    (6, "ben.smith@harborfreighttech.example", "goal:meeting_booked"),
    (7, "mia.clark@vantaametals.example", "reply"),
    (9, "grace.wilson@kettleco.example", "reply"),
    (12, "oscar.lee@lumenlabs.example", "unsubscribe"),
)
THREAD_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "List-Unsubscribe")


@dataclass
class DemoResult:
    folder: Path
    messages: list[Captured]
    stops: dict[str, datetime] = field(default_factory=dict)
    late: list[Captured] = field(default_factory=list)


def _console() -> Console:
    """A console wide enough for the tables, also when the output goes to a file or a pipe."""
    probe = Console()
    return probe if probe.is_terminal and probe.width >= 100 else Console(width=110)


def project_file(*parts: str) -> Path:
    """A file of the project: from the current folder if it has one, else beside the package."""
    here = Path.cwd().joinpath(*parts)
    return here if here.exists() else Path(__file__).resolve().parents[1].joinpath(*parts)


def coming_monday(now: datetime) -> datetime:
    days = (7 - now.weekday()) % 7 or 7
    return (now + timedelta(days=days)).replace(hour=5, minute=0, second=0, microsecond=0)


async def run(out: Path | None = None, *, console: Console | None = None, weeks: int = 4) -> DemoResult:
    console = console or _console()
    configure(json=False, level="warning")
    work = Path(tempfile.mkdtemp(prefix="sequencer-demo-"))
    folder = out or work / "eml"
    started = time.perf_counter()
    with CaptureServer(folder=folder) as smtp:
        sender = Sender(name="jane", display_name="Jane Doe", email="jane@acme.example", signature=SIGNATURE,
                        title="Head of Partnerships", company="Acme Growth", timezone=ZoneInfo("Europe/Helsinki"),
                        daily_cap=40, min_gap=timedelta(minutes=3), jitter=timedelta(minutes=2),
                        smtp=SmtpSettings(host="127.0.0.1", port=smtp.port, security=Security.NONE))
        config = Config(database_url=f"sqlite:///{work / 'demo.db'}", sequences=(project_file("sequences"),),
                        senders={"jane": sender})
        clock = SimulatedClock(coming_monday(datetime.now(UTC)))
        engine = Engine(config, clock=clock)
        console.print(f"[bold]sequencer demo[/]: SQLite at {work / 'demo.db'}, SMTP capture server on "
                      f"127.0.0.1:{smtp.port}, simulated clock from {clock.now():%a %Y-%m-%d %H:%M} UTC\n")
        report = engine.import_contacts(project_file("examples", "leads.csv"))
        console.print(f"imported {report.inserted} contacts from examples/leads.csv")
        enrolled = engine.enroll("cold", sender="jane")
        console.print(f"enrolled {enrolled.enrolled} in 'cold' from Jane Doe <jane@acme.example>")
        result = DemoResult(folder=folder, messages=smtp.messages)
        await _simulate(engine, clock, result, weeks=weeks, console=console)
        result.late = [m for m in smtp.messages for r in m.recipients
                       if r.lower() in result.stops and _date(m) > result.stops[r.lower()]]
        _print_steps(engine, console)
        _print_thread(smtp, console)
        _print_tasks(engine, console)
        await engine.aclose()
    console.print(f"\n{len(smtp.messages)} messages captured as .eml files in [bold]{folder}[/]")
    console.print(f"stopped contacts: {len(result.stops)}; messages they received after their stop: "
                  f"[bold]{len(result.late)}[/]")
    console.print(f"finished in {time.perf_counter() - started:.1f} s (simulated {weeks} weeks)")
    return result


async def _simulate(engine: Engine, clock: SimulatedClock, result: DemoResult, *, weeks: int, console: Console) -> None:
    start = clock.now()
    for day, address, what in SCRIPT:
        await engine.run_until(start + timedelta(days=day, hours=8))
        try:
            if what.startswith("goal:"):
                engine.goal(address, what[5:])
            else:
                engine.stop(address, reason=what)
        except SequencerError as exc:
            console.print(f"[yellow]skipped scripted {what} for {address}: {exc.message}[/]")
            continue
        result.stops[address] = clock.now()
        console.print(f"  day {day:2}: {address} -> {what.replace('goal:', 'goal ')}")
    await engine.run_until(start + timedelta(weeks=weeks))


def _print_steps(engine: Engine, console: Console) -> None:
    table = Table("sequence", "step", "channel", "sent", "replied", "stopped (any reason)", "pending", "cancelled",
                  title="\nPer step after the simulated weeks")
    sequence = engine.sequence("cold")
    for row in engine.step_report():
        channel = sequence.step(row.step).channel.value if row.sequence == "cold" else "?"
        table.add_row(row.sequence, row.step, channel, str(row.sent), str(row.replied), str(row.stopped),
                      str(row.pending), str(row.by_status.get("cancelled", 0)))
    console.print(table)
    counts: dict[str, int] = {}
    for _sequence, status, reason, n in engine.store.enrollment_counts():
        key = f"{status} ({reason})" if reason else status
        counts[key] = counts.get(key, 0) + n
    console.print("enrollments: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))


def _print_thread(smtp: CaptureServer, console: Console) -> None:
    for first in smtp.messages:
        follow = [m for m in smtp.messages if m["In-Reply-To"] == first["Message-ID"]]
        if follow:
            break
    else:
        console.print("[red]no threaded follow-up was captured[/]")
        return
    console.print("\n[bold]One captured thread[/] (message 1 and its follow-up, as the SMTP server received them)")
    for message in (first, follow[0]):
        console.print()
        for header in THREAD_HEADERS:
            if message[header]:
                console.print(Text.assemble((f"{header}: ", "bold cyan"), message[header] or ""))
        body = message.message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        console.print(Text("\n" + text.strip(), style="dim"))


def _print_tasks(engine: Engine, console: Console) -> None:
    tasks = engine.tasks(today=True)
    table = Table(title=f"\nLinkedIn tasks due ({len(tasks)})")
    table.add_column("id", no_wrap=True, min_width=2)
    table.add_column("due (UTC)", no_wrap=True, min_width=16)
    table.add_column("contact", no_wrap=True, min_width=14)
    table.add_column("LinkedIn profile", no_wrap=True, overflow="ellipsis", max_width=30)
    table.add_column("message", no_wrap=True, overflow="ellipsis", max_width=34)
    for task, contact in tasks[:8]:
        name = contact.full_name or contact.email
        table.add_row(str(task.id), f"{task.due_at:%Y-%m-%d %H:%M}", name,
                      (contact.linkedin_url or "-").removeprefix("https://www."), task.message.strip())
    console.print(table)
    if len(tasks) > 8:
        console.print(f"... and {len(tasks) - 8} more: `sequencer tasks` lists them all")


def _date(message: Captured) -> datetime:
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(message["Date"] or "")


def main(out: Path | None = None) -> DemoResult:
    return asyncio.run(run(out))
