"""``sequencer simulate``: the user's own configuration on a copy of their database, day by day,
against the capture server; their database file is untouched and their SMTP server never
contacted. Failed sends cost simulated time, never real sleeps."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sequencer import Engine
from sequencer import simulate as sim
from sequencer.clock import SimulatedClock
from sequencer.config import Config, Sender, load_config
from sequencer.testing import CaptureServer, free_port

SENDERS = """\
database = "sqlite:///db.sqlite"
sequences = ["seqs"]

[[senders]]
name = "jane"
display_name = "Jane Doe"
email = "jane@acme.example"
timezone = "Europe/Helsinki"
daily_cap = 4
min_gap = "5m"
jitter = "1m"

[senders.smtp]
host = "127.0.0.1"
port = {port}
security = "none"

[[senders]]
name = "ken"
display_name = "Ken Ito"
email = "ken@acme.example"
timezone = "America/New_York"
daily_cap = 3
min_gap = "5m"
jitter = "1m"

[senders.smtp]
host = "127.0.0.1"
port = {port}
security = "none"
"""

#: Two emails, a LinkedIn task and a webhook call, on weekdays 9 to 17 in the recipient's zone.
SEQUENCE = """\
name: outreach
defaults:
  timezone: Europe/Helsinki
  timezone_from: [recipient, sequence]
  window:
    days: [mon, tue, wed, thu, fri]
    hours: "09:00-17:00"
  business_days: true
steps:
  - key: intro
    day: 0
    channel: email
    subjects:
      - key: hello
        text: "Hello {{ first_name | default('there') }}"
    bodies:
      - key: short
        text: "A short note."
  - key: connect
    day: 1
    channel: linkedin
    message: "Hi {{ first_name | default('there') }}"
  - key: crm
    day: 2
    channel: webhook
    url: https://crm.invalid/hooks/sequence
  - key: bump
    day: 3
    channel: email
    thread: true
    bodies:
      - key: nudge
        text: "Following up."
"""

CONTACTS = 12
DAY_LINE = re.compile(
    r"^\w{3} (\d{4}-\d\d-\d\d)\s+emails\s+(\d+)(?: \(([^)]*)\))?\s+tasks\s+(\d+)\s+"
    r"webhooks\s+(\d+)\s+held\s+(\d+)\s+retried\s+(\d+)\s+failed\s+(\d+)"
)


def cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sequencer", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **env},
        check=False,
    )


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.name.startswith("db.sqlite")
    }


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "seqs").mkdir()
    (tmp_path / "seqs" / "outreach.yaml").write_text(SEQUENCE)
    zones = ("Europe/Helsinki", "America/New_York", "")
    (tmp_path / "leads.csv").write_text(
        "email,first_name,timezone\n"
        + "".join(f"p{i}@x.example,P{i},{zones[i % 3]}\n" for i in range(CONTACTS))
    )
    return tmp_path


def test_simulate_reports_each_day_what_the_capture_server_got_and_touches_nothing(
    workdir: Path,
) -> None:
    # The configuration's SMTP server: a real one that would keep anything it is sent.
    with CaptureServer() as trap:
        (workdir / "sequencer.toml").write_text(SENDERS.format(port=trap.port))
        assert cli(workdir, "import", "leads.csv").returncode == 0
        enrolled = cli(
            workdir, "enroll", "--sequence", "outreach", "--sender", "jane", "--sender", "ken"
        )
        assert enrolled.returncode == 0, enrolled.stderr
        before = digest(workdir)
        assert list(before) == ["db.sqlite"]

        result = cli(workdir, "simulate", "--days", "21", SEQUENCER_WEBHOOK_SECRET="s" * 32)

        assert result.returncode == 0, result.stderr
        assert trap.messages == [] and not trap.attempts  # never contacted
    assert digest(workdir) == before  # byte-identical, and no -wal or -shm file left beside it

    out = result.stdout
    assert "Your database is only read" in out and "nothing is sent" in out
    days = [m for line in out.splitlines() if (m := DAY_LINE.match(line))]
    assert len(days) == 21
    per_sender: Counter[str] = Counter()
    for day in days:
        named = dict(part.rsplit(" ", 1) for part in (day[3] or "").split(", ") if part)
        assert sum(map(int, named.values())) == int(day[2])
        per_sender.update({name: int(count) for name, count in named.items()})
    received = re.search(r"the capture server received (\d+) messages \(([^)]*)\)", out)
    assert received is not None, out
    captured = {n: int(c) for n, c in (p.rsplit(" ", 1) for p in received[2].split(", "))}
    # the days add up to what the capture server received, per sender; both senders sent
    assert dict(per_sender) == captured and set(captured) == {"jane", "ken"}
    assert int(received[1]) == 2 * CONTACTS  # message 1 and the bump for everyone
    assert sum(int(d[4]) for d in days) == CONTACTS  # one LinkedIn task each
    webhooks = re.search(r"(\d+) webhook calls were captured", out)
    assert webhooks is not None and int(webhooks[1]) == sum(int(d[5]) for d in days) == CONTACTS
    # the caps (4 + 3 a day) spread 12 first messages over days: sends were held back
    assert max(int(d[2]) for d in days) <= 7
    assert sum(int(d[8]) for d in days) == 0


def test_simulate_without_a_database_takes_a_csv_and_says_what_is_missing(workdir: Path) -> None:
    (workdir / "sequencer.toml").write_text(SENDERS.format(port=free_port()))
    missing = cli(workdir, "simulate", "--days", "3")
    assert missing.returncode == 1 and "--contacts FILE.csv" in missing.stderr
    assert "db.sqlite" in missing.stderr and not (workdir / "db.sqlite").exists()

    result = cli(
        workdir,
        "simulate",
        "--days",
        "7",
        "--start",
        "2026-12-07",
        "--contacts",
        "leads.csv",
        "--sequence",
        "outreach",
    )
    assert result.returncode == 0, result.stderr
    assert "from Mon 2026-12-07 00:00 UTC on leads.csv" in result.stdout
    assert f"enrolled {CONTACTS} in 'outreach' for the simulation only" in result.stdout
    assert not (workdir / "db.sqlite").exists()


def test_failed_sends_cost_simulated_time_not_real_sleeps(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A webhook without its secret is answered at its one attempt (it used to be tried three
    times with 1.5 s of real sleep); an SMTP 451 is retried in simulated time until
    max_attempts."""
    monkeypatch.delenv("SEQUENCER_WEBHOOK_SECRET", raising=False)
    (workdir / "sequencer.toml").write_text(SENDERS.format(port=free_port()))
    config = load_config(workdir / "sequencer.toml")
    request = sim.Request(
        config=config,
        days=14,
        start=datetime(2026, 12, 7, tzinfo=UTC),
        contacts=workdir / "leads.csv",
        sequence="outreach",
        script=lambda rcpt: "451 4.3.0 try later" if rcpt.startswith("p0@") else None,
    )
    with CaptureServer(script=request.script) as smtp:
        run = asyncio.run(sim.run(request, server=smtp))
        attempts = smtp.attempts["p0@x.example"]
    # one attempt per webhook delivery: no back-off slept between attempts that cannot succeed
    assert run.deliveries["webhook"] >= 1
    assert run.webhook_attempts == run.deliveries["webhook"] and run.webhook_calls == 0
    failures = [f for day in run.days for f in day.failures]
    assert any("SEQUENCER_WEBHOOK_SECRET" in f for f in failures), failures
    # the 451s: every attempt made, retried in simulated time, then p0's message 1 failed
    assert attempts == config.max_attempts
    assert run.total("retried") >= config.max_attempts - 1 and run.total("failed") >= 1


def test_a_webhook_receiver_that_is_down_backs_off_on_the_simulated_clock(tmp_path: Path) -> None:
    (tmp_path / "seqs").mkdir()
    (tmp_path / "seqs" / "hook.yaml").write_text(
        "name: hook\nsteps:\n  - key: crm\n    day: 0\n    channel: webhook\n"
        f"    url: http://127.0.0.1:{free_port()}/down\n"
    )
    (tmp_path / "one.csv").write_text("email\none@x.example\n")
    sender = Sender(name="jane", display_name="Jane", email="jane@acme.example")
    config = Config(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        sequences=(tmp_path / "seqs",),
        senders={"jane": sender},
        webhook_secret_env="TEST_SIMULATE_HOOK_SECRET",
    )
    start = datetime(2026, 12, 7, 9, tzinfo=ZoneInfo("UTC"))
    clock = SimulatedClock(start)
    os.environ["TEST_SIMULATE_HOOK_SECRET"] = "x" * 32
    try:

        async def one_tick() -> None:
            async with Engine(config, clock=clock) as engine:
                engine.import_contacts(tmp_path / "one.csv")
                engine.enroll("hook")
                report = await engine.tick()
                assert report.retried == 1

        asyncio.run(one_tick())
    finally:
        del os.environ["TEST_SIMULATE_HOOK_SECRET"]
    # three attempts, 0.5 s and 1 s apart: the simulated clock moved, so no real time was slept
    assert clock.now() - start == timedelta(seconds=1.5)
