"""``sequencer demo``: the real engine on a throwaway database and a built-in SMTP server.

It imports ``examples/leads.csv``, enrolls everyone in ``sequences/cold.yaml`` under one
named sender and fast-forwards a simulated clock through four weeks. On the way, recipients
answer: replies, an out-of-office, a bounce and an unsubscribe request land in the sender's
inbox (held in memory here, read by the same poller the worker runs against IMAP); a booking
tool calls the signed goal hook; someone clicks the one-click unsubscribe link. The hook and
the link go over HTTP to the real app (``sequencer serve``) on 127.0.0.1.

At the end it shows what happened: the inbox log, a per-step table, one threaded conversation
with its headers, and the LinkedIn tasks due. Nothing leaves this machine: the SMTP server
listens on 127.0.0.1 and keeps every message as an ``.eml`` file.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sequencer.app import Engine
from sequencer.channels.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from sequencer.clock import SimulatedClock
from sequencer.config import Config, HttpSettings, ImapSettings, Security, Sender, SmtpSettings
from sequencer.errors import SequencerError
from sequencer.logs import configure
from sequencer.testing import Captured, CaptureServer, LiveApp, MemoryMailbox, free_port
from sequencer.web import create_app

SIGNATURE = "Jane Doe\nHead of Partnerships, Acme Growth\n+358 40 123 4567"
#: (days after the start, address, what happens). Inbox messages go through the real classifier
#: and matcher; "goal" and "link" are real HTTP requests to the app.
SCRIPT = (
    (1, "liam.garcia@bluefinanalytics.example", "reply"),
    (2, "emma.clark@fjordsoftware.example", "reply"),
    (2, "noah.muller@heliorobotics.example", "bounce"),
    (3, "kenji.ngata@orchidtravel.example", "out_of_office"),
    (3, "priya.smith@saffronhealth.example", "reply_rewritten"),
    (6, "ben.smith@harborfreighttech.example", "goal"),
    (7, "mia.clark@vantaametals.example", "reply"),
    (9, "grace.wilson@kettleco.example", "remove_me"),
    (12, "oscar.lee@lumenlabs.example", "link"),
)
#: What each scripted event is expected to do to the enrollment.
STOPS = {"reply", "reply_rewritten", "bounce", "goal", "remove_me", "link"}
DEMO_SECRET = "demo-only-secret-0123456789abcdef"
DEMO_HOOKS = "demo-only-hooks-0123456789abcdef"
THREAD_HEADERS = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "List-Unsubscribe",
)


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


async def run(
    out: Path | None = None, *, console: Console | None = None, weeks: int = 4
) -> DemoResult:
    console = console or _console()
    configure(json=False, level="warning")
    work = Path(tempfile.mkdtemp(prefix="sequencer-demo-"))
    folder = out or work / "eml"
    started = time.perf_counter()
    os.environ.setdefault("SEQUENCER_DEMO_SECRET", DEMO_SECRET)
    os.environ.setdefault("SEQUENCER_DEMO_HOOKS_SECRET", DEMO_HOOKS)
    port = free_port()
    inbox = MemoryMailbox()
    with CaptureServer(folder=folder) as smtp:
        sender = Sender(
            name="jane",
            display_name="Jane Doe",
            email="jane@acme.example",
            signature=SIGNATURE,
            title="Head of Partnerships",
            company="Acme Growth",
            timezone=ZoneInfo("Europe/Helsinki"),
            daily_cap=40,
            min_gap=timedelta(minutes=3),
            jitter=timedelta(minutes=2),
            smtp=SmtpSettings(host="127.0.0.1", port=smtp.port, security=Security.NONE),
            imap=ImapSettings(host="memory"),
        )
        http = HttpSettings(
            port=port,
            public_url=f"http://127.0.0.1:{port}",
            secret_env="SEQUENCER_DEMO_SECRET",
            hooks_secret_env="SEQUENCER_DEMO_HOOKS_SECRET",
        )
        config = Config(
            database_url=f"sqlite:///{work / 'demo.db'}",
            sequences=(project_file("sequences"),),
            senders={"jane": sender},
            http=http,
        )
        clock = SimulatedClock(coming_monday(datetime.now(UTC)))
        engine = Engine(config, clock=clock, mailbox=lambda _settings: inbox)
        console.print(
            f"[bold]sequencer demo[/]: SQLite at {work / 'demo.db'}, SMTP capture server on "
            f"127.0.0.1:{smtp.port}, HTTP app on {http.public_url}, "
            f"simulated clock from {clock.now():%a %Y-%m-%d %H:%M} UTC\n"
        )
        report = engine.import_contacts(project_file("examples", "leads.csv"))
        console.print(f"imported {report.inserted} contacts from examples/leads.csv")
        enrolled = engine.enroll("cold", sender="jane")
        console.print(f"enrolled {enrolled.enrolled} in 'cold' from Jane Doe <jane@acme.example>")
        result = DemoResult(folder=folder, messages=smtp.messages)
        with LiveApp(create_app(engine), port=port) as live:
            await _simulate(
                engine,
                clock,
                result,
                weeks=weeks,
                console=console,
                act=_Actor(engine, smtp, inbox, live.url, clock),
            )
        result.late = [
            m
            for m in smtp.messages
            for r in m.recipients
            if r.lower() in result.stops and _date(m) > result.stops[r.lower()]
        ]
        _print_inbox(engine, console)
        _print_steps(engine, console, work / "report.html")
        _print_thread(smtp, console)
        _print_tasks(engine, console)
        await engine.aclose()
    console.print(f"\n{len(smtp.messages)} messages captured as .eml files in [bold]{folder}[/]")
    console.print(
        f"stopped contacts: {len(result.stops)}; messages they received after their stop: "
        f"[bold]{len(result.late)}[/]"
    )
    console.print(f"finished in {time.perf_counter() - started:.1f} s (simulated {weeks} weeks)")
    return result


async def _simulate(
    engine: Engine,
    clock: SimulatedClock,
    result: DemoResult,
    *,
    weeks: int,
    console: Console,
    act: _Actor,
) -> None:
    start = clock.now()
    for day, address, what in SCRIPT:
        await engine.run_until(start + timedelta(days=day, hours=8))
        try:
            outcome = await act(address, what)
        except (SequencerError, OSError, LookupError) as exc:
            console.print(f"[yellow]skipped scripted {what} for {address}: {exc}[/]")
            continue
        if what in STOPS:
            result.stops[address] = clock.now()
        console.print(f"  day {day:2}: {address}: {outcome}")
    await engine.run_until(start + timedelta(weeks=weeks))
    await engine.poll_inbox()


class _Actor:
    """The recipients' side of the demo: their answers, a booking tool, a click on a link."""

    def __init__(
        self,
        engine: Engine,
        smtp: CaptureServer,
        inbox: MemoryMailbox,
        url: str,
        clock: SimulatedClock,
    ) -> None:
        self.engine, self.smtp, self.inbox, self.url, self.clock = engine, smtp, inbox, url, clock

    async def __call__(self, address: str, what: str) -> str:
        last = self.smtp.to(address)[-1]  # LookupError when nothing reached them yet
        if what == "goal":
            return await asyncio.to_thread(self._hook, address)
        if what == "link":
            return await asyncio.to_thread(self._click_unsubscribe, last)
        self.inbox.deliver(self._answer(address, what, last))
        report = await self.engine.poll_inbox()
        return (
            "; ".join(f"{h.kind}: {h.action}" for h in report.handled) or "nothing new in the inbox"
        )

    def _answer(self, address: str, what: str, last: Captured) -> bytes:
        stamp = format_datetime(self.clock.now())
        head = f"From: {address}\r\nTo: Jane Doe <jane@acme.example>\r\nDate: {stamp}\r\n"
        quote = "\r\n".join("> " + line for line in _plain(last).splitlines())
        threading = f"In-Reply-To: {last['Message-ID']}\r\nReferences: {last['Message-ID']}\r\n"
        unique = f"<demo-{what}-{address}>"
        if what == "bounce":
            return (
                "From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>\r\nTo: "
                "jane@acme.example\r\n"
                f"Date: {stamp}\r\nSubject: Undelivered Mail "
                f"Returned to Sender\r\nMessage-ID: {unique}\r\n"
                "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
                "Content-Type: multipart/report; report-type=delivery-status; "
                'boundary="dsn"\r\n\r\n'
                "--dsn\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
                "--dsn\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: "
                "dns; mx.acme.example\r\n\r\n"
                f"Final-Recipient: rfc822; {address}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
                f"Diagnostic-Code: smtp; 550 5.1.1 <{address}>: mailbox does not exist\r\n"
                "--dsn\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: "
                f"{last['Message-ID']}\r\n"
                f"To: {address}\r\n--dsn--\r\n"
            ).encode()
        if what == "out_of_office":
            back = (self.clock.now() + timedelta(days=14)).date()
            return (
                head + f"Subject: Automatic reply: {last['Subject']}\r\nMessage-ID: {unique}\r\n"
                f"Auto-Submitted: auto-replied\r\n{threading}\r\n"
                f"I am out of the office until {back:%B} {back.day}, "
                f"{back.year}, with limited access to email.\r\n"
            ).encode()
        text = {
            "reply": "Thanks, this is timely. Could we talk on Thursday?",
            "reply_rewritten": "Interesting. Send me a few times that work next week.",
            "remove_me": "Please remove me from your list.",
        }[what]
        if what == "reply_rewritten":  # a gateway dropped the threading headers: matched by From
            threading = ""
        return (
            head + f"Subject: Re: {last['Subject']}\r\nMessage-ID: {unique}\r\n{threading}"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n\r\n{quote}\r\n"
        ).encode()

    def _hook(self, address: str) -> str:
        body = json.dumps({"email": address, "goal": "meeting_booked"}).encode()
        stamp = str(int(self.clock.now().timestamp()))  # the booking tool shares the demo's clock
        request = urllib.request.Request(
            f"{self.url}/hooks/goal",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: stamp,
                SIGNATURE_HEADER: sign(DEMO_HOOKS, stamp, body),
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read())
            return (
                f"booking tool -> POST /hooks/goal: HTTP {response.status}, "
                f"stopped '{answer['stopped']}'"
            )

    def _click_unsubscribe(self, last: Captured) -> str:
        link = next(
            t
            for t in re.findall(r"<([^>]+)>", last["List-Unsubscribe"] or "")
            if t.startswith("http")
        )
        request = urllib.request.Request(
            link,
            data=b"List-Unsubscribe=One-Click",
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return (
                f"one-click unsubscribe -> POST {link.removeprefix(self.url)}: "
                f"HTTP {response.status}"
            )


def _plain(message: Captured) -> str:
    body = message.message.get_body(preferencelist=("plain",))
    return body.get_content() if body is not None else ""


def _print_inbox(engine: Engine, console: Console) -> None:
    table = Table(
        "kind", "intent", "from", "what was done", title="\nJane's inbox, as the poller read it"
    )
    for row in reversed(engine.store.inbound(limit=20)):
        detail = row.detail.split("; ", 1)[-1]
        table.add_row(row.kind, row.intent or "-", row.from_address or "-", detail)
    console.print(table)


def _print_steps(engine: Engine, console: Console, html: Path) -> None:
    from sequencer import reporting

    report = engine.report()
    console.print(
        Text.assemble(
            ("\nsequencer report", "bold"),
            " after the simulated weeks: ",
            reporting.summary(report),
        )
    )
    for sequence in report.sequences:
        console.print(reporting.steps_table(sequence))
    html.write_text(reporting.to_html(report), encoding="utf-8")
    console.print(
        "(`sequencer report` also shows the A/B variants "
        "with their 95% intervals and the sends per day; "
        f"the same report with its charts, as `--html` writes it: [bold]{html}[/])"
    )


def _print_thread(smtp: CaptureServer, console: Console) -> None:
    for first in smtp.messages:
        follow = [m for m in smtp.messages if m["In-Reply-To"] == first["Message-ID"]]
        if follow:
            break
    else:
        console.print("[red]no threaded follow-up was captured[/]")
        return
    console.print(
        "\n[bold]One captured thread[/] (message 1 and its "
        "follow-up, as the SMTP server received them)"
    )
    for message in (first, follow[0]):
        console.print()
        for header in THREAD_HEADERS:
            if message[header]:
                console.print(Text.assemble((f"{header}: ", "bold cyan"), message[header] or ""))
        console.print(Text("\n" + _plain(message).strip(), style="dim"))


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
        table.add_row(
            str(task.id),
            f"{task.due_at:%Y-%m-%d %H:%M}",
            name,
            (contact.linkedin_url or "-").removeprefix("https://www."),
            task.message.strip(),
        )
    console.print(table)
    if len(tasks) > 8:
        console.print(f"... and {len(tasks) - 8} more: `sequencer tasks` lists them all")


def _date(message: Captured) -> datetime:
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(message["Date"] or "")


def main(out: Path | None = None) -> DemoResult:
    return asyncio.run(run(out))
