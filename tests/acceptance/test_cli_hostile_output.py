"""What the CLI prints from outside text, and what `serve` logs (issue 15), as subprocesses."""

from __future__ import annotations

import contextlib
import imaplib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cli_texts import CONFIG, IMAP, REPO
from cli_texts import run as run_cli

from sequencer.testing import free_port

# An OSC 8 hyperlink around "click", blinking text, a CSI in its 8-bit form, a bell, a NUL.
HOSTILE = (
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\ \x1b[5mblink\x1b[0m \x9b2J\x07\x00end"
)


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(cwd, *args, columns=250)


def assert_clean(text: str) -> None:
    controls = sorted(
        {
            f"U+{ord(c):04X}"
            for c in text
            if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F
        }
    )
    assert not controls, f"control characters printed: {controls}\n{text!r}"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "sequencer.toml").write_text(CONFIG.format(sequences=REPO / "sequences"))
    return tmp_path


def test_inbox_poll_and_log_print_no_escape_sequences_from_a_subject(
    workdir: Path, imap: object
) -> None:
    host, port = os.environ["SEQUENCER_TEST_IMAP"].rsplit(":", 1)
    with (workdir / "sequencer.toml").open("a") as fh:
        fh.write(IMAP.format(host=host, port=port))
    subject = HOSTILE.replace("\x00", "").encode("utf-8")
    conn = imaplib.IMAP4(host, int(port))
    conn.login("sender", "secret")
    conn.append(
        "INBOX",
        None,
        None,
        b"From: someone@example.org\r\nTo: jane@acme.example\r\nSubject: Hi "
        + subject
        + b"\r\nMessage-ID: <esc-1@example.org>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nHi!\r\n",
    )
    conn.logout()

    poll = run(workdir, "inbox", "poll")
    assert poll.returncode == 0, poll.stderr
    assert "1 new message(s)" in poll.stdout
    log = run(workdir, "inbox", "log")
    assert log.returncode == 0, log.stderr
    for printed in (poll.stdout, log.stdout):
        assert_clean(printed)
        assert "evil.example" not in printed  # the hidden link target went with its sequence
        assert re.search(r"Hi click\s+blink", printed), printed  # the words stay readable


def test_import_errors_print_no_escape_sequences_from_a_csv_cell(workdir: Path) -> None:
    (workdir / "leads.csv").write_text(
        f"email,first_name\nok@example.com,Ann\nnot-an-address{HOSTILE},Bob\n", encoding="utf-8"
    )
    result = run(workdir, "import", "leads.csv")
    assert "row 3" in result.stderr, result.stderr
    assert_clean(result.stdout + result.stderr)


def test_serve_keeps_link_tokens_out_of_its_access_log(workdir: Path) -> None:
    with (workdir / "sequencer.toml").open("a") as fh:
        fh.write('\n[http]\npublic_url = "https://links.acme.example"\n')
    port = free_port()
    env = {**os.environ, "NO_COLOR": "1", "SEQUENCER_HTTP_SECRET": "s" * 32}
    env.pop("SEQUENCER_CONFIG", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "sequencer", "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    token = "1a." + "Q" * 21 + "w"  # token-shaped: what a real link's path carries
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.05)
        for path in (
            f"/u/{token}",
            f"/o/{token}.gif",
            f"/c/{token}?u=https%3A%2F%2Facme.example%2F",
        ):
            # not genuine: an error page, but the request line is logged all the same
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5).close()
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "GET /u/" in output and "GET /o/" in output, output  # the access log is on
    assert "Q" * 21 not in output, output
