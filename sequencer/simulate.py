"""``sequencer simulate``: the user's own configuration and sequences, fast-forwarded day by day.

The contacts and their enrollments are read from the user's database, read-only
(:mod:`sequencer.store.snapshot`), into a temporary SQLite copy; or imported from a CSV file
when there is no database. Every sender's SMTP server becomes an in-process capture server
(:class:`~sequencer.testing.CaptureServer`), IMAP is not read, and webhook calls are signed and
kept, never sent (:class:`~sequencer.testing.CaptureWebhook`). The real engine then runs on a
:class:`~sequencer.clock.SimulatedClock` (``Engine.run_until``: sends, chains, and the scoring
job's looks at their slots), and each day's deliveries are counted as the channels see them.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sequencer.app import Engine
from sequencer.channels.base import ChannelAdapter, Delivery, Outcome, Result
from sequencer.clock import SimulatedClock
from sequencer.config import Config, Security, Sender, SmtpSettings
from sequencer.config.settings import Auth
from sequencer.dispatch import TickReport
from sequencer.errors import ConfigError
from sequencer.status import VariantStatus
from sequencer.store import snapshot
from sequencer.testing import CaptureServer, CaptureWebhook, Script
from sequencer.worker import safe_url

#: Task channels: a LinkedIn or call step becomes a task for a person.
TASK_CHANNELS = ("linkedin", "call")


@dataclass
class Day:
    """What one simulated day (a UTC date) did."""

    day: date
    #: Emails the capture server accepted, per sender name.
    emails: Counter[str] = field(default_factory=Counter)
    #: LinkedIn and call tasks created.
    tasks: int = 0
    #: Webhook calls made (captured).
    webhooks: int = 0
    #: Sends held back for later: a closed window, a daily cap or gap, ``[frequency]``.
    held: int = 0
    #: Attempts that failed for a while and will be tried again.
    retried: int = 0
    #: Sends that failed for good (their enrollment ends) or bounced.
    failed: int = 0
    #: Sends cancelled because the enrollment had stopped or the address is suppressed.
    cancelled: int = 0
    #: Variants the scoring job retired that day.
    retired: list[str] = field(default_factory=list)
    #: Why sends failed, bounced or were held (a configuration fault), as the channel said.
    failures: list[str] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(self.emails.values())


@dataclass
class Simulation:
    """The whole run: where the contacts came from, and the days."""

    start: datetime
    end: datetime
    #: Where the contacts came from (the database read, or the CSV file).
    source: str
    smtp_port: int
    days: list[Day] = field(default_factory=list)
    #: Per sender: messages the capture server received.
    captured: Counter[str] = field(default_factory=Counter)
    webhook_calls: int = 0
    #: Webhook attempts, kept or failed (a failed one is never slept on and tried again).
    webhook_attempts: int = 0
    #: Deliveries handed to each channel, whatever their outcome.
    deliveries: Counter[str] = field(default_factory=Counter)
    #: Contacts and active enrollments at the start.
    contacts: int = 0
    active: int = 0
    notes: list[str] = field(default_factory=list)

    def total(self, name: str) -> int:
        """A day counter summed over the run (``tasks``, ``held``...)."""
        return sum(int(getattr(day, name)) for day in self.days)

    @property
    def emails(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for day in self.days:
            total.update(day.emails)
        return total


class _Tally:
    """A channel that counts what the channel it wraps did, into the current day."""

    def __init__(self, inner: ChannelAdapter, run: Simulation) -> None:
        self.inner, self.run = inner, run

    async def deliver(self, delivery: Delivery) -> Result:
        result = await self.inner.deliver(delivery)
        self.run.deliveries[delivery.channel] += 1
        day = self.run.days[-1]
        if result.outcome is Outcome.SENT:
            if delivery.channel == "email":
                day.emails[delivery.sender.name] += 1
            elif delivery.channel == "webhook":
                day.webhooks += 1
            elif delivery.channel in TASK_CHANNELS:
                day.tasks += 1
        elif result.outcome not in (Outcome.RETRY, Outcome.UNCERTAIN):
            day.failures.append(f"{delivery.channel} to {delivery.recipient}: {result.detail}")
        return result

    async def warm(self, sender: Sender) -> Result | None:
        warm = getattr(self.inner, "warm", None)
        return None if warm is None else await warm(sender)

    async def close(self) -> None:
        await self.inner.close()


def captured(config: Config, *, database_url: str, port: int) -> Config:
    """``config`` with every sender's SMTP pointed at the capture server on ``port`` (no login,
    no TLS), no IMAP mailbox, and the database at ``database_url``."""
    smtp = SmtpSettings(host="127.0.0.1", port=port, security=Security.NONE)
    senders = {
        name: dataclasses.replace(sender, smtp=smtp, imap=None, auth=Auth.PASSWORD)
        for name, sender in config.senders.items()
    }
    return dataclasses.replace(config, database_url=database_url, senders=senders)


def parse_start(text: str | None, now: datetime) -> datetime:
    """``--start``: a date (midnight UTC) or an ISO date and time (UTC unless it says); else now."""
    if text is None:
        return now
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"--start: '{text}' is not a date: use 2026-12-07 or 2026-12-07T09:00"
        ) from None
    if len(text) <= 10:
        moment = datetime.combine(moment.date(), time(0), UTC)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, kw_only=True)
class Request:
    """What to simulate."""

    config: Config
    days: int
    start: datetime
    #: A CSV file of contacts: imported into the copy (the only contacts when there is no
    #: database).
    contacts: Path | None = None
    #: Enroll, in the copy only, every contact not active in a sequence in this one.
    sequence: str | None = None
    #: With ``sequence``: the senders (none: the sequence's own).
    senders: tuple[str, ...] = ()
    #: Scripted SMTP answers, for rehearsing faults (see :class:`CaptureServer`).
    script: Script | None = None


async def run(
    request: Request,
    *,
    on_start: Callable[[Simulation], None] | None = None,
    on_day: Callable[[Day], None] | None = None,
    server: CaptureServer | None = None,
) -> Simulation:
    """Run the simulation; ``on_start`` is called once the copy is ready, ``on_day`` after each
    day. The user's database is only read; everything is written to a temporary folder, removed
    at the end.
    """
    if request.days < 1:
        raise ConfigError(f"--days: should be at least 1, not {request.days}")
    work = Path(tempfile.mkdtemp(prefix="sequencer-simulate-"))
    smtp = server or CaptureServer(script=request.script)
    own_server = server is None
    if own_server:
        smtp.start()
    try:
        return await _run(request, work, smtp, on_start=on_start, on_day=on_day)
    finally:
        if own_server:
            smtp.stop()
        shutil.rmtree(work, ignore_errors=True)


async def _run(
    request: Request,
    work: Path,
    smtp: CaptureServer,
    *,
    on_start: Callable[[Simulation], None] | None,
    on_day: Callable[[Day], None] | None,
) -> Simulation:
    user_url = request.config.database_url
    config = captured(request.config, database_url=f"sqlite:///{work / 'copy.db'}", port=smtp.port)
    clock = SimulatedClock(request.start)
    end = datetime.combine(request.start.date() + timedelta(days=request.days), time(0), UTC)
    result = Simulation(start=request.start, end=end, source="", smtp_port=smtp.port)
    webhook = CaptureWebhook(config.webhook_secret)
    async with Engine(config, clock=clock, channels={"webhook": webhook}) as engine:
        _fill(engine, request, user_url, result)
        dispatcher = engine.dispatcher
        dispatcher.channels = {k: _Tally(v, result) for k, v in dispatcher.channels.items()}
        if on_start is not None:
            on_start(result)
        retired = _retired(engine)
        day = request.start.date()
        while day < end.date():
            result.days.append(Day(day=day))
            report = await engine.run_until(datetime.combine(day + timedelta(days=1), time(0), UTC))
            _count(result.days[-1], report)
            now_retired = _retired(engine)
            result.days[-1].retired = sorted(now_retired - retired)
            retired = now_retired
            if on_day is not None:
                on_day(result.days[-1])
            day += timedelta(days=1)
    by_email = {s.email.lower(): s.name for s in config.senders.values()}
    for message in smtp.messages:
        result.captured[by_email.get(message.mail_from.lower(), message.mail_from)] += 1
    result.webhook_calls = len(webhook.calls)
    result.webhook_attempts = webhook.attempts
    return result


def _fill(engine: Engine, request: Request, user_url: str, result: Simulation) -> None:
    """Copy the user's database (read-only), import the CSV's contacts, enroll if asked."""
    sources = []
    if snapshot.source_exists(user_url):
        snapshot.copy_into(user_url, engine.store)
        sources.append(f"a read-only copy of {safe_url(user_url)}")
    if request.contacts is not None:
        imported = engine.import_contacts(request.contacts)
        sources.append(f"{request.contacts} ({imported.inserted} new contacts)")
    if not sources:
        raise ConfigError(
            f"there is no database at {safe_url(user_url)} (the configuration's `database`): "
            "pass --contacts FILE.csv to simulate with the contacts of a CSV file"
        )
    result.source = " + ".join(sources)
    if request.sequence is not None:
        enrolled = engine.enroll(request.sequence, sender=list(request.senders) or None)
        busy = f", {len(enrolled.refused)} already active" if enrolled.refused else ""
        result.notes.append(
            f"enrolled {enrolled.enrolled} in '{request.sequence}' for the simulation only{busy}"
        )
    people = engine.store.contacts()
    result.contacts = len(people)
    result.active = len(engine.store.active_enrollments(c.id for c in people if c.id is not None))
    if engine.store.next_due() is None and engine.store.next_chain_start() is None:
        result.notes.append(
            "nothing is queued: enroll contacts first, or pass --sequence NAME to enroll them "
            "in the simulation only"
        )


def _count(day: Day, report: TickReport) -> None:
    day.held += report.deferred
    day.retried += report.retried
    day.failed += report.failed + report.bounced
    day.cancelled += report.cancelled


def _retired(engine: Engine) -> set[str]:
    return {
        f"{row.sequence}/{row.step}.{row.factor}.{row.key}"
        for row in engine.variants()
        if row.status == VariantStatus.RETIRED
    }


# -- what is printed ------------------------------------------------------------------------------


def header(run: Simulation) -> str:
    """The first line: what is simulated, on what, and that nothing leaves this machine."""
    days = (run.end.date() - run.start.date()).days
    return (
        f"simulating {days} days from {run.start:%a %Y-%m-%d %H:%M} UTC on {run.source}: "
        f"{run.contacts} contacts, {run.active} active enrollments. Your database is only "
        f"read; every sender's SMTP goes to a capture server on 127.0.0.1:{run.smtp_port}, IMAP "
        "is not read, webhooks are kept, not called: nothing is sent. Days are UTC dates."
    )


def day_line(day: Day) -> str:
    """One day: emails per sender, tasks, webhook calls, held back, retried, failed, retired."""
    per_sender = ", ".join(f"{name} {count}" for name, count in sorted(day.emails.items()))
    emails = f"emails {day.sent:>4}" + (f" ({per_sender})" if per_sender else "")
    parts = [
        f"{day.day:%a %Y-%m-%d}",
        f"{emails:<34}",
        f"tasks {day.tasks:>3}",
        f"webhooks {day.webhooks:>3}",
        f"held {day.held:>4}",
        f"retried {day.retried:>3}",
        f"failed {day.failed:>3}",
    ]
    if day.cancelled:
        parts.append(f"cancelled {day.cancelled}")
    if day.retired:
        parts.append(f"retired {', '.join(day.retired)}")
    return "  ".join(parts).rstrip()


def summary(run: Simulation) -> list[str]:
    """The closing lines: totals, what the capture server received, failures, retirements."""
    emails = run.emails
    per_sender = ", ".join(f"{name} {count}" for name, count in sorted(emails.items()))
    received = ", ".join(f"{name} {count}" for name, count in sorted(run.captured.items()))
    lines = [
        f"total over {len(run.days)} days: {sum(emails.values())} emails"
        + (f" ({per_sender})" if per_sender else "")
        + f", {run.total('tasks')} tasks, {run.total('webhooks')} webhook calls, "
        f"{run.total('held')} held back (window, cap, gap, frequency), "
        f"{run.total('retried')} retried, {run.total('failed')} failed, "
        f"{run.total('cancelled')} cancelled",
        f"the capture server received {sum(run.captured.values())} messages"
        + (f" ({received})" if received else "")
        + f"; {run.webhook_calls} webhook calls were captured",
    ]
    failures = [f for day in run.days for f in day.failures]
    for failure in failures[:5]:
        lines.append(f"not sent: {failure}")
    if len(failures) > 5:
        lines.append(f"... and {len(failures) - 5} more not sent")
    retired = [f"{name} ({day.day})" for day in run.days for name in day.retired]
    if retired:
        lines.append(f"variants retired by the scoring job: {', '.join(retired)}")
    return lines
