"""Helpers for the sending tests: a real aiosmtpd server, a real SQLite file, a simulated clock.

The fixtures built from these live in ``conftest.py``."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from sequencer import Engine, SimulatedClock
from sequencer.config import Security, Sender, SmtpSettings
from sequencer.dispatch import TickReport
from sequencer.store import Contact, Enrollment, Send, Task
from sequencer.testing import Captured, CaptureServer

REPO = Path(__file__).resolve().parents[2]
#: Monday 2026-11-23, 08:00 in Helsinki: before the 09:00-17:00 window opens.
MONDAY = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
HELSINKI = ZoneInfo("Europe/Helsinki")
SIGNATURE = "Jane Doe\nAcme Growth"
COLUMNS = ("email", "first_name", "last_name", "company", "title", "timezone", "linkedin_url")


def make_sender(port: int, *, daily_cap: int = 40, **extra: Any) -> Sender:
    return Sender(
        name="jane",
        display_name="Jane Doe",
        email="jane@acme.example",
        signature=SIGNATURE,
        timezone=HELSINKI,
        daily_cap=daily_cap,
        smtp=SmtpSettings(port=port, security=Security.NONE, timeout=10.0),
        **extra,
    )


def person(i: int, **overrides: str) -> dict[str, str]:
    """A contact row: p<i>@example.com with a name, company and LinkedIn URL."""
    row = {
        "email": f"p{i}@example.com",
        "first_name": f"First{i}",
        "last_name": f"Last{i}",
        "company": f"Company{i}",
        "title": "Head of Sales",
        "timezone": "",
        "linkedin_url": f"https://www.linkedin.com/in/person-{i}",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: Sequence[Mapping[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return path


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "no text/plain part"
    text = part.get_content()
    assert isinstance(text, str)
    return text.replace("\r\n", "\n")


@dataclass
class Rig:
    """One engine on a real SQLite file, sending to a real SMTP capture server."""

    tmp: Path
    smtp: CaptureServer
    clock: SimulatedClock
    engine: Engine

    # -- driving ---------------------------------------------------------------------------------

    def import_rows(self, rows: Sequence[Mapping[str, str]]) -> None:
        report = self.engine.import_contacts(write_csv(self.tmp / "contacts.csv", rows))
        assert not report.errors, report.errors

    def run(
        self,
        days: float = 30,
        *,
        until: datetime | None = None,
        on_step: Callable[[datetime], None] | None = None,
    ) -> TickReport:
        """Fast-forward to ``until`` (default: MONDAY + ``days``), then close the SMTP connections
        (each call runs in its own event loop)."""
        target = until or MONDAY + timedelta(days=days)

        async def go() -> TickReport:
            try:
                return await self.engine.run_until(target, on_step=on_step)
            finally:
                await self.engine.dispatcher.close()

        return asyncio.run(go())

    def drain(self) -> TickReport:
        async def go() -> TickReport:
            try:
                return await self.engine.drain()
            finally:
                await self.engine.dispatcher.close()

        return asyncio.run(go())

    # -- reading the database ----------------------------------------------------------------------

    def contact_id(self, email: str) -> int:
        found = self.engine.store.contact(email)
        assert found is not None and found.id is not None
        return found.id

    def sends(self, email: str | None = None, *, step: str | None = None) -> list[Send]:
        with self.engine.store.session() as s:
            query = select(Send).order_by(col(Send.id))
            if email is not None:
                query = query.where(Send.contact_id == self.contact_id(email))
            if step is not None:
                query = query.where(Send.step_key == step)
            return list(s.exec(query))

    def enrollment(self, email: str) -> Enrollment:
        found = [
            e
            for e in self.engine.store.enrollments(self.contact_id(email))
            if e.status != "deferred"
        ]  # not chained ones
        assert len(found) == 1, found
        return found[0]

    def all_tasks(self, email: str) -> list[Task]:
        with self.engine.store.session() as s:
            return list(s.exec(select(Task).where(Task.contact_id == self.contact_id(email))))

    def update_contact(self, email: str, **values: str) -> None:
        with self.engine.store.session() as s:
            contact = s.exec(select(Contact).where(Contact.email_key == email.lower())).one()
            for name, value in values.items():
                setattr(contact, name, value)
            s.add(contact)
            s.commit()

    def received(self, email: str) -> list[Captured]:
        return self.smtp.to(email)


def write_sequence(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder
