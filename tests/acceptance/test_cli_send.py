"""`senders check` and `tasks` as a user runs them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sequencer import Engine, SimulatedClock, load_config
from sequencer.testing import CaptureServer, free_port

REPO = Path(__file__).resolve().parents[2]

CONFIG = """\
database = "sqlite:///db.sqlite"
sequences = ["{sequences}"]

[[senders]]
name = "jane"
display_name = "Jane Doe"
email = "jane@acme.example"
timezone = "Europe/Helsinki"

[senders.smtp]
host = "127.0.0.1"
port = {port}
security = "none"

[[senders]]
name = "mikko"
display_name = "Mikko Virtanen"
email = "mikko@acme.example"

[senders.smtp]
host = "127.0.0.1"
port = {port}
security = "none"
username = "mikko"
password_env = "SEQUENCER_TEST_UNSET_PASSWORD"
"""


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("SEQUENCER_TEST_UNSET_PASSWORD", None)
    return subprocess.run(
        [sys.executable, "-m", "sequencer", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_senders_check_says_what_failed(tmp_path: Path) -> None:
    with CaptureServer() as smtp:
        (tmp_path / "sequencer.toml").write_text(
            CONFIG.format(sequences=REPO / "sequences", port=smtp.port)
        )
        result = cli(tmp_path, "senders", "check")
    assert result.returncode == 1
    assert f"ok     jane <jane@acme.example> via 127.0.0.1:{smtp.port}" in result.stdout
    assert "failed mikko" in result.stdout
    assert "SEQUENCER_TEST_UNSET_PASSWORD (the SMTP password) is not set" in result.stdout

    closed = free_port()
    (tmp_path / "sequencer.toml").write_text(
        CONFIG.format(sequences=REPO / "sequences", port=closed)
    )
    down = cli(tmp_path, "senders", "check")
    assert down.returncode == 1 and f"127.0.0.1:{closed} (none): cannot connect" in down.stdout


def test_tasks_list_done_and_skip(tmp_path: Path) -> None:
    with CaptureServer() as smtp:
        (tmp_path / "sequencer.toml").write_text(
            CONFIG.format(sequences=REPO / "sequences", port=smtp.port)
        )
        (tmp_path / "leads.csv").write_text(
            "email,first_name,linkedin_url,timezone\n"
            "kiri@tasman.example,Kiri,https://www.linkedin.com/in/kiri-example,Pacific/Auckland\n"
            "aino@northwind.example,Aino,https://www.linkedin.com/in/aino-example,Europe/Helsinki\n"
        )
        config = load_config(tmp_path / "sequencer.toml")
        clock = SimulatedClock(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))
        engine = Engine(config, clock=clock)
        engine.import_contacts(tmp_path / "leads.csv")
        engine.enroll("cold", sender="jane")

        async def month() -> None:  # one event loop for the engine's whole life
            await engine.run_until(clock.now() + timedelta(days=30))
            await engine.aclose()

        asyncio.run(month())

    listed = cli(tmp_path, "tasks", "--all")
    assert listed.returncode == 0, listed.stderr
    assert (
        "https://www.linkedin.com/in/kiri-example" in listed.stdout and "Hi Kiri" in listed.stdout
    )
    assert "2 task(s)" in listed.stdout
    first_id = listed.stdout.split("#", 1)[1].split()[0]
    assert cli(tmp_path, "tasks", "done", first_id).stdout.strip() == f"task #{first_id}: done"
    assert "1 task(s)" in cli(tmp_path, "tasks", "--all").stdout
    missing = cli(tmp_path, "tasks", "skip", "999")
    assert missing.returncode == 1 and "no task with id 999" in missing.stderr
