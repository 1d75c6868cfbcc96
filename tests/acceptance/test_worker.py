"""The CLI worker as a subprocess: it sends, stops on SIGTERM within the grace period with
nothing half-done, and a second worker on the same SQLite file refuses to start."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sequence_texts import always_open, follow_up

from sequencer.testing import CaptureServer

ALWAYS_OPEN = always_open()

CONFIG = """\
database = "sqlite:///db.sqlite"
sequences = ["seqs"]

[[senders]]
name = "jane"
display_name = "Jane Doe"
email = "jane@acme.example"
timezone = "UTC"
daily_cap = 100000
min_gap = 0
jitter = 0

[senders.smtp]
host = "127.0.0.1"
port = {port}
security = "none"
"""


def cli(cwd: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sequencer", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
        **kwargs,
    )  # type: ignore[call-overload]


def start_worker(cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sequencer", "worker", "--tick", "0.2", "--json"],
        cwd=cwd,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )


def statuses(cwd: Path) -> Counter[str]:
    with sqlite3.connect(cwd / "db.sqlite") as db:
        return Counter(
            dict(db.execute("select status, count(*) from sends group by status").fetchall())
        )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "seqs").mkdir()
    (tmp_path / "seqs" / "always.yaml").write_text(ALWAYS_OPEN)
    (tmp_path / "leads.csv").write_text(
        "email,first_name\n" + "".join(f"p{i}@x.example,P{i}\n" for i in range(40))
    )
    return tmp_path


def test_worker_sends_and_exits_zero_on_sigterm_with_nothing_half_done(workdir: Path) -> None:
    with CaptureServer(
        delay=0.15
    ) as smtp:  # a slow server, so a message is in flight when SIGTERM lands
        (workdir / "sequencer.toml").write_text(CONFIG.format(port=smtp.port))
        assert cli(workdir, "import", "leads.csv").returncode == 0
        assert cli(workdir, "enroll", "--sequence", "always").returncode == 0
        worker = start_worker(workdir)
        deadline = time.monotonic() + 60
        while len(smtp.messages) < 5 and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.05)
        assert len(smtp.messages) >= 5, (
            worker.stderr.read() if worker.poll() is not None else "worker too slow"
        )
        worker.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        _, stderr = worker.communicate(timeout=30)
        waited = time.monotonic() - signalled
        received = len(smtp.messages)

    assert worker.returncode == 0, stderr
    # Within its 8 s grace period by its own account (no wall-clock bound here: machines are noisy).
    assert '"event": "worker.stopped"' in stderr and "worker.grace_exceeded" not in stderr
    print(f"worker stopped {waited:.2f}s after SIGTERM")
    counts = statuses(workdir)
    # nothing half-done: no row is left claimed or sending, and every 'sent' row reached the server
    # once
    assert counts["claimed"] == 0 and counts["sending"] == 0, counts
    assert counts["sent"] == received and 0 < received < 40, (counts, received)
    assert counts["scheduled"] == 40 - received
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == len(set(ids))


def test_second_worker_on_the_same_sqlite_file_refuses(workdir: Path) -> None:
    with CaptureServer() as smtp:
        (workdir / "sequencer.toml").write_text(CONFIG.format(port=smtp.port))
        first = start_worker(workdir)
        try:
            deadline = time.monotonic() + 30
            while not (workdir / "db.sqlite.worker.lock").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)
            second = cli(workdir, "worker", "--tick", "0.2")
            assert second.returncode == 1
            assert f"another worker (pid {first.pid}) is already running" in second.stderr
            assert "Traceback" not in second.stderr
        finally:
            first.send_signal(signal.SIGTERM)
            first.communicate(timeout=30)
        assert first.returncode == 0


def test_stop_from_the_cli_while_the_worker_runs_prevents_later_steps(workdir: Path) -> None:
    two_steps = ALWAYS_OPEN + follow_up(0)
    (workdir / "seqs" / "always.yaml").write_text(two_steps)
    (workdir / "leads.csv").write_text("email\nstopme@x.example\n")
    with CaptureServer() as smtp:
        (workdir / "sequencer.toml").write_text(CONFIG.format(port=smtp.port))
        assert cli(workdir, "import", "leads.csv").returncode == 0
        assert cli(workdir, "enroll", "--sequence", "always").returncode == 0
        stopped = cli(workdir, "stop", "stopme@x.example", "--reason", "reply")
        assert stopped.returncode == 0 and "stopped 'always'" in stopped.stdout
        worker = start_worker(workdir)
        time.sleep(2.0)  # many ticks
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=30)
        assert smtp.to("stopme@x.example") == []
    assert statuses(workdir) == Counter({"cancelled": 1})


def test_the_worker_polls_the_inbox_and_a_reply_cancels_the_next_step(
    workdir: Path, imap: object
) -> None:
    two_days = ALWAYS_OPEN + follow_up(1)
    (workdir / "seqs" / "always.yaml").write_text(two_days)
    (workdir / "leads.csv").write_text("email\nreplier@x.example\n")
    host, port = os.environ["SEQUENCER_TEST_IMAP"].rsplit(":", 1)
    with CaptureServer() as smtp:
        (workdir / "sequencer.toml").write_text(
            CONFIG.format(port=smtp.port)
            + f"""
[senders.imap]
host = "{host}"
port = {port}
security = "none"
username = "sender"
password_env = "SEQUENCER_TEST_IMAP_PASSWORD"

[inbox]
poll_seconds = 0.3
"""
        )
        assert cli(workdir, "import", "leads.csv").returncode == 0
        assert cli(workdir, "enroll", "--sequence", "always").returncode == 0
        worker = start_worker(workdir)
        try:
            deadline = time.monotonic() + 60
            while not smtp.messages and time.monotonic() < deadline and worker.poll() is None:
                time.sleep(0.05)
            assert smtp.messages, "message 1 was not sent"
            first_id = smtp.messages[0]["Message-ID"]
            imap.append(
                f"From: replier@x.example\r\nTo: jane@acme.example\r\nSubject: Re: Hello\r\n"  # type: ignore[attr-defined]
                "Message-ID: <worker-reply@x.example>\r\nIn-Reply-To: "
                f"{first_id}\r\n\r\nYes, let's talk.\r\n".encode()
            )
            with sqlite3.connect(workdir / "db.sqlite") as db:
                while time.monotonic() < deadline and worker.poll() is None:
                    row = db.execute("select status, stop_reason from enrollments").fetchone()
                    if row == ("stopped", "reply"):
                        break
                    time.sleep(0.1)
        finally:
            worker.send_signal(signal.SIGTERM)
            _, stderr = worker.communicate(timeout=30)
    assert worker.returncode == 0, stderr
    assert '"event": "inbox.polled"' in stderr and '"reply": 1' in stderr
    assert statuses(workdir) == Counter({"sent": 1, "cancelled": 1})
    assert len(smtp.messages) == 1
