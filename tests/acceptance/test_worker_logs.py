"""The worker's log as an operator reads it: when it goes idle it says when the next send is due and
to whom, its lines carry the recipient's address, and ``--mask-addresses`` (or ``[worker]
mask_addresses``) masks every address."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sequence_texts import always_open, follow_up
from test_worker import CONFIG, cli

from sequencer.testing import CaptureServer


def worker_lines(workdir: Path, *options: str) -> list[dict[str, object]]:
    """Run the worker until message 1 is sent and it has gone idle; its JSON log lines."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "sequencer", "worker", "--tick", "0.2", "--json", *options],
        cwd=workdir,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )
    deadline = time.monotonic() + 60
    with sqlite3.connect(workdir / "db.sqlite") as db:
        while time.monotonic() < deadline and worker.poll() is None:
            if db.execute("select count(*) from sends where status = 'sent'").fetchone()[0]:
                break
            time.sleep(0.1)
    time.sleep(1.0)  # a few idle ticks
    worker.send_signal(signal.SIGTERM)
    _, stderr = worker.communicate(timeout=30)
    assert worker.returncode == 0, stderr
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "seqs").mkdir()
    (tmp_path / "seqs" / "always.yaml").write_text(always_open() + follow_up(3))
    (tmp_path / "leads.csv").write_text("email\nalice@x.example\n")
    return tmp_path


def enrolled(workdir: Path, smtp: CaptureServer, extra: str = "") -> None:
    (workdir / "sequencer.toml").write_text(CONFIG.format(port=smtp.port) + extra)
    assert cli(workdir, "import", "leads.csv").returncode == 0
    assert cli(workdir, "enroll", "--sequence", "always").returncode == 0


def test_idle_worker_names_the_next_send_and_its_address(workdir: Path) -> None:
    with CaptureServer() as smtp:
        enrolled(workdir, smtp)
        lines = worker_lines(workdir)
    sent = next(line for line in lines if line["event"] == "send.sent")
    assert sent["address"] == "alice@x.example"
    idle = [x for x in lines if x["event"] == "worker.idle" and x.get("step") == "bump"]
    assert len(idle) == 1, idle  # once per change, not once per idle tick
    with sqlite3.connect(workdir / "db.sqlite") as db:
        (due,) = db.execute("select due_at from sends where step_key = 'bump'").fetchone()
    assert str(idle[0]["next_due"]).startswith(due.replace(" ", "T")[:19])
    assert idle[0]["address"] == "alice@x.example" and idle[0]["step"] == "bump"
    assert idle[0]["summary"] == (
        f"next send due at {due[:19]} UTC for alice@x.example (sender jane, step bump)"
    )


@pytest.mark.parametrize("how", ["option", "config"])
def test_mask_addresses_masks_every_line(workdir: Path, how: str) -> None:
    with CaptureServer() as smtp:
        if how == "option":
            enrolled(workdir, smtp)
            lines = worker_lines(workdir, "--mask-addresses")
        else:
            # [worker] must come before [senders.smtp]: append it as its own table at the end
            enrolled(workdir, smtp, "\n[worker]\nmask_addresses = true\n")
            lines = worker_lines(workdir)
    assert "alice@x.example" not in json.dumps(lines)
    idle = next(line for line in lines if line["event"] == "worker.idle" and "address" in line)
    assert idle["address"] == "a***@x.example"
    assert "for a***@x.example (sender jane, step bump)" in str(idle["summary"])
    assert next(line for line in lines if line["event"] == "send.sent")["address"] == (
        "a***@x.example"
    )
