"""`sequencer doctor` and `sequencer resend --uncertain` as a user runs them.

The uncertain send is made the real way, in-process: a worker is cut off while the SMTP
server has not answered (the row stays 'sending'), and a later tick, once the lease is over,
turns it into 'uncertain'. Then the commands run as subprocesses on the system clock.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sequence_texts import always_open, follow_up

from sequencer import Engine, SimulatedClock, load_config
from sequencer.channels.base import Delivery, Result
from sequencer.channels.smtp import SmtpChannel
from sequencer.config import Sender
from sequencer.dispatch import LEASE
from sequencer.testing import CaptureServer

TWO_STEPS = always_open() + follow_up(1)

CONFIG = """\
database = "sqlite:///db.sqlite"
sequences = ["seqs"]

[[senders]]
name = "jane"
display_name = "Jane Doe"
email = "jane@acme.example"
timezone = "UTC"
daily_cap = 1000
min_gap = 0
jitter = 0

[senders.smtp]
host = "127.0.0.1"
port = {port}
security = "none"
"""


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "250"}
    return subprocess.run(
        [sys.executable, "-m", "sequencer", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        timeout=120,
        env=env,
        check=False,
    )


def rows(cwd: Path) -> list[tuple[int, str, str, str | None]]:
    with sqlite3.connect(cwd / "db.sqlite") as db:
        return db.execute(
            "select id, step_key, status, message_id from sends order by id"
        ).fetchall()


class CutOff:
    """A worker cut off mid-send: the SMTP channel connects, then the delivery never returns."""

    def __init__(self) -> None:
        self.inner = SmtpChannel()

    async def deliver(self, delivery: Delivery) -> Result:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def warm(self, sender: Sender) -> Result | None:
        return await self.inner.warm(sender)

    async def close(self) -> None:
        await self.inner.close()


@pytest.fixture
def uncertain(tmp_path: Path) -> Iterator[tuple[Path, CaptureServer, str]]:
    """A working directory whose one send is 'sending' after a crash; yields it, the SMTP server
    and the send's Message-ID. ``finish(cwd)`` (below) turns it 'uncertain' as a worker's tick
    does.
    """
    (tmp_path / "seqs").mkdir()
    (tmp_path / "seqs" / "always.yaml").write_text(TWO_STEPS)
    (tmp_path / "leads.csv").write_text("email,first_name\naino@northwind.example,Aino\n")
    with CaptureServer() as smtp:
        (tmp_path / "sequencer.toml").write_text(CONFIG.format(port=smtp.port))
        config = load_config(tmp_path / "sequencer.toml")
        clock = SimulatedClock(datetime.now(UTC) - timedelta(hours=1))
        engine = Engine(config, clock=clock, channels={"email": CutOff()})
        engine.import_contacts(tmp_path / "leads.csv")
        engine.enroll("always")

        async def crash() -> None:
            try:
                await asyncio.wait_for(engine.tick(), timeout=2)
            except TimeoutError:
                pass
            finally:
                await engine.aclose()

        asyncio.run(crash())
        ((_, _, status, message_id),) = rows(tmp_path)
        assert status == "sending" and message_id
        yield tmp_path, smtp, message_id


def finish_crash(cwd: Path) -> None:
    """A worker's next tick after the lease: the row left in 'sending' becomes 'uncertain'."""
    config = load_config(cwd / "sequencer.toml")
    engine = Engine(
        config,
        clock=SimulatedClock(datetime.now(UTC) - timedelta(hours=1) + LEASE + timedelta(seconds=5)),
        channels={"email": CutOff()},
    )

    async def tick() -> None:
        try:
            await engine.tick()
        finally:
            await engine.aclose()

    asyncio.run(tick())
    assert [status for _, _, status, _ in rows(cwd)] == ["uncertain"]


def test_doctor_lists_the_uncertain_send_and_resend_sends_the_same_message(
    uncertain: tuple[Path, CaptureServer, str],
) -> None:
    cwd, smtp, message_id = uncertain
    stuck = cli(cwd, "doctor")
    assert stuck.returncode == 1, stuck.stderr
    assert "1 send(s) stuck in 'claimed' or 'sending' past their lease (#1)" in stuck.stdout
    assert "0 uncertain, 1 stuck, 0 paused, 0 failed in the last 7 days" in stuck.stdout

    finish_crash(cwd)
    listed = cli(cwd, "doctor")
    assert listed.returncode == 1, listed.stderr
    assert "aino@northwind.example" in listed.stdout and message_id in listed.stdout
    assert "1 uncertain, 0 stuck, 0 paused, 0 failed in the last 7 days" in listed.stdout
    assert (
        "sequencer resend --uncertain" in listed.stdout
        and "sequencer doctor --mark-sent" in listed.stdout
    )

    refused = cli(cwd, "resend")
    assert refused.returncode == 2
    assert "only re-sends uncertain sends" in refused.stderr and "Traceback" not in refused.stderr
    missing = cli(cwd, "resend", "--uncertain", "--id", "1", "--id", "99")
    assert (
        missing.returncode == 1 and "nothing was changed: send 99 does not exist" in missing.stderr
    )
    assert [status for _, _, status, _ in rows(cwd)] == ["uncertain"]

    resent = cli(cwd, "resend", "--uncertain")
    assert resent.returncode == 0, resent.stderr
    assert "1 send(s) queued again with their original Message-ID (#1)" in resent.stdout
    healthy = cli(cwd, "doctor")
    assert healthy.returncode == 0 and "ok: nothing needs a decision" in healthy.stdout
    assert (
        cli(cwd, "resend", "--uncertain").stdout.strip() == "no uncertain sends: nothing to re-send"
    )

    ticked = cli(cwd, "tick")
    assert ticked.returncode == 0, ticked.stderr
    (message,) = smtp.messages
    assert message["Message-ID"] == message_id
    assert [(step, status) for _, step, status, _ in rows(cwd)] == [
        ("intro", "sent"),
        ("bump", "scheduled"),
    ]


def test_doctor_mark_sent_records_it_and_queues_the_next_step(
    uncertain: tuple[Path, CaptureServer, str],
) -> None:
    cwd, smtp, message_id = uncertain
    finish_crash(cwd)

    bare = cli(cwd, "doctor", "--mark-sent")
    assert bare.returncode == 2 and "give --mark-sent and the ids" in bare.stderr
    wrong = cli(cwd, "doctor", "--mark-sent", "1", "7")
    assert wrong.returncode == 1 and "send 7 does not exist" in wrong.stderr

    marked = cli(cwd, "doctor", "--mark-sent", "1")
    assert marked.returncode == 0, marked.stderr
    assert "1 send(s) recorded as sent: #1; their next steps are queued" in marked.stdout
    assert [(step, status, mid) for _, step, status, mid in rows(cwd)] == [
        ("intro", "sent", message_id),
        ("bump", "scheduled", None),
    ]
    assert smtp.messages == []
    again = cli(cwd, "doctor", "--mark-sent", "1")
    assert again.returncode == 1 and "send 1 is 'sent', not uncertain" in again.stderr
    assert cli(cwd, "doctor").returncode == 0
