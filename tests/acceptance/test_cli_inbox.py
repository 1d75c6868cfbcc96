"""The CLI faces of issue 5, as subprocesses: suppress add|import|list, inbox poll, serve."""

from __future__ import annotations

import imaplib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cli_texts import CONFIG, IMAP, REPO, run

from sequencer.testing import free_port


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "sequencer.toml").write_text(CONFIG.format(sequences=REPO / "sequences"))
    return tmp_path


def test_suppress_add_list_and_all_or_nothing(workdir: Path) -> None:
    bad = run(workdir, "suppress", "add", "a@example.com", "not an address@", "@competitor.example")
    assert bad.returncode == 1
    assert "nothing was added" in bad.stderr and "not an address@" in bad.stderr
    assert "0 entries" in run(workdir, "suppress", "list").stdout

    good = run(
        workdir, "suppress", "add", "A@Example.com", "@competitor.example", "partner.example"
    )
    assert good.returncode == 0, good.stderr
    assert "3 added, 0 already on the list" in good.stdout
    again = run(workdir, "suppress", "add", "a@example.com")
    assert "0 added, 1 already on the list" in again.stdout
    listed = run(workdir, "suppress", "list").stdout
    for key in ("a@example.com", "@competitor.example", "@partner.example"):
        assert key in listed
    assert "3 entries" in listed


def test_suppress_import_names_bad_rows_and_adds_nothing(workdir: Path) -> None:
    (workdir / "optouts.csv").write_text(
        "name,email\nAnn,ann@example.com\nBob,bob@@example\nCy,\nDee,@dee.example\n"
    )
    bad = run(workdir, "suppress", "import", "optouts.csv")
    assert bad.returncode == 1
    assert "optouts.csv: row 3" in bad.stderr and "nothing was added" in bad.stderr
    assert "0 entries" in run(workdir, "suppress", "list").stdout

    (workdir / "optouts.csv").write_text(
        "name,email\nAnn,ann@example.com\nCy,\nDee,@dee.example\nAnn again,ANN@example.com\n"
    )
    good = run(workdir, "suppress", "import", "optouts.csv")
    assert good.returncode == 0, good.stderr
    assert "2 added, 0 already on the list" in good.stdout
    missing = run(workdir, "suppress", "import", "nope.csv")
    assert missing.returncode == 1 and "nope.csv: no such file" in missing.stderr


def test_inbox_poll_without_a_mailbox_says_how_to_configure_one(workdir: Path) -> None:
    result = run(workdir, "inbox", "poll")
    assert result.returncode == 1
    assert "[senders.imap]" in result.stderr


def test_inbox_poll_reads_the_real_mailbox(workdir: Path, imap: object) -> None:
    host, port = os.environ["SEQUENCER_TEST_IMAP"].rsplit(":", 1)
    with (workdir / "sequencer.toml").open("a") as fh:
        fh.write(IMAP.format(host=host, port=port))
    conn = imaplib.IMAP4(host, int(port))
    conn.login("sender", "secret")
    conn.append(
        "INBOX",
        None,
        None,
        b"From: someone@example.org\r\nTo: jane@acme.example\r\nSubject: Hello there\r\n"
        b"Message-ID: <cli-1@example.org>\r\n\r\nHi!\r\n",
    )
    conn.logout()

    first = run(workdir, "inbox", "poll")
    assert first.returncode == 0, first.stderr
    assert (
        "unmatched" in first.stdout
        and "someone@example.org" in first.stdout
        and "1 new message(s)" in first.stdout
    )
    second = run(workdir, "inbox", "poll")
    assert "0 new message(s)" in second.stdout
    log = run(workdir, "inbox", "log")
    assert "Hello there" in log.stdout


def test_serve_answers_health_checks_and_stops_on_sigterm(workdir: Path) -> None:
    port = free_port()
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("SEQUENCER_CONFIG", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "sequencer", "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        answer = None
        for _ in range(200):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=2
                ) as response:
                    answer = json.loads(response.read())
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.05)
        assert answer == {"status": "ok"}, (
            server.stdout.read() if server.poll() is not None else "no answer"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    # uvicorn shuts down cleanly, then re-raises the signal it caught (so the exit status says
    # SIGTERM)
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Finished server process" in output


def test_serve_refuses_a_public_url_without_its_secret(workdir: Path) -> None:
    with (workdir / "sequencer.toml").open("a") as fh:
        fh.write('\n[http]\npublic_url = "https://links.acme.example"\n')
    env_free = run(workdir, "serve", "--port", str(free_port()))
    assert env_free.returncode == 1
    assert "SEQUENCER_HTTP_SECRET" in env_free.stderr
