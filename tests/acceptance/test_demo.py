"""The README's main job, `sequencer demo`, as a new user runs it."""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_demo_prints_the_step_table_and_a_threaded_follow_up(tmp_path: Path) -> None:
    out = tmp_path / "eml"
    result = subprocess.run(
        [sys.executable, "-m", "sequencer", "demo", "--out", str(out)],
        cwd=REPO,
        text=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = result.stdout
    # the report's per-step table of 'cold', under its enrollments line
    assert re.search(
        r"^cold — 50 enrolled · \d+ active · \d+ completed · [1-9]\d* stopped \(reply", text, re.M
    ), text
    for step, channel in (("intro", "email"), ("bump", "email"), ("linkedin", "linkedin")):
        assert re.search(rf"│ {step}\s+│ {channel}\s+│ \d+\s+│ \d+\s+│", text), text
    assert "sent" in text and "replied" in text and "stopped after" in text and "pending" in text
    # the headline counts emails apart from LinkedIn tasks (cold.yaml has no webhook step)
    headline = re.search(
        r"(\d+)\s+emails\s+sent\s+·\s+(\d+)\s+tasks\s+created\s+·\s+\d+\s+replied", text
    )
    assert headline is not None and "webhook calls" not in text, text
    linkedin = re.search(r"│ linkedin\s+│ linkedin\s+│ (\d+)\s+│", text)
    assert linkedin is not None and int(headline.group(2)) == int(linkedin.group(1)) > 0
    # the printed thread: the follow-up answers message 1 and keeps its subject with "Re: "
    ids = re.findall(r"^Message-ID: (<[^>]+>)$", text, re.M)
    subjects = re.findall(r"^Subject: (.+)$", text, re.M)
    in_reply_to = re.findall(r"^In-Reply-To: (<[^>]+>)$", text, re.M)
    assert len(ids) == 2 and len(subjects) == 2 and in_reply_to == [ids[0]]
    assert subjects[1] == "Re: " + subjects[0]
    assert "LinkedIn tasks due" in text
    assert "messages they received after their stop: 0" in text
    assert re.search(r"stopped contacts: [1-9]", text)
    # the recipients' side went through the real inbox poller and the real HTTP app
    for line in (
        "bounce: hard bounce (5.1.1): stopped and suppressed",
        "auto_reply: out of office: paused until",
        "unsubscribe: asked to be removed: stopped and suppressed",
        "POST /hooks/goal: HTTP 200, stopped 'cold'",
        "one-click unsubscribe -> POST /u/",
    ):
        assert line in text, line
    assert "skipped scripted" not in text
    # the .eml files it names are real messages, and threads hold for every follow-up captured
    assert str(out) in text
    messages = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(out.glob("*.eml"))
    ]
    assert len(messages) > 50
    assert int(headline.group(1)) == len(messages)  # every email sent is one the server received
    by_id = {m["Message-ID"]: m for m in messages}
    follow_ups = [m for m in messages if m["In-Reply-To"]]
    assert follow_ups
    for follow in follow_ups:
        first = by_id[follow["In-Reply-To"]]
        assert follow["Subject"] == "Re: " + first["Subject"]
        assert follow["From"] == first["From"] and follow["To"] == first["To"]
    assert all(
        m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        and "/u/" in m["List-Unsubscribe"]
        for m in messages
    )
