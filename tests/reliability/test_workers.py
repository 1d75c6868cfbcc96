"""Real worker processes on a real PostgreSQL: SIGKILLed at random moments, and four at once.

The SMTP sink is an aiosmtpd server in this process; the workers are ``python -m sequencer
worker`` subprocesses. Deterministic in what they assert (no wall-clock bounds): every send
ends exactly once, or is honestly 'uncertain'.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from sequence_texts import always_open

from sequencer.testing import CaptureServer

ALWAYS_OPEN = always_open("blast", "one")

SENDER = """
[[senders]]
name = "s{i}"
display_name = "Sender {i}"
email = "s{i}@acme.example"
timezone = "UTC"
daily_cap = {cap}
min_gap = "{gap}"
jitter = 0

[senders.smtp]
host = "127.0.0.1"
port = {port}
security = "none"
"""


def write_config(
    folder: Path,
    *,
    url: str,
    port: int,
    senders: int,
    cap: int,
    gap: str = "0s",
    batch: int = 50,
    lease: str = "1s",
) -> None:
    (folder / "seqs").mkdir(exist_ok=True)
    (folder / "seqs" / "blast.yaml").write_text(ALWAYS_OPEN)
    text = (
        f'database = "{url}"\nsequences = ["seqs"]\n\n[worker]\ntick_seconds '
        f'= 0.05\nbatch = {batch}\nlease = "{lease}"\n'
    )
    text += "".join(SENDER.format(i=i, cap=cap, gap=gap, port=port) for i in range(senders))
    (folder / "sequencer.toml").write_text(text)


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "sequencer", *args],
        cwd=folder,
        text=True,
        capture_output=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def enroll(folder: Path, contacts: int, senders: int) -> None:
    """Import ``contacts`` people and enroll an even share of them under each sender."""
    (folder / "leads.csv").write_text(
        "email,first_name,team\n"
        + "".join(f"p{i}@x.example,P{i},s{i % senders}\n" for i in range(contacts))
    )
    cli(folder, "import", "leads.csv")
    for i in range(senders):
        cli(folder, "enroll", "--sequence", "blast", "--sender", f"s{i}", "--where", f"team=s{i}")


def start(folder: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "sequencer", "worker", "--json"],
            cwd=folder,
            stdout=handle,
            stderr=handle,
            env={**os.environ, "NO_COLOR": "1"},
        )


def statuses(url: str) -> Counter[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return Counter(
                dict(
                    conn.execute(
                        sa.text("select status, count(*) from sends group by status")
                    ).all()
                )
            )
    finally:
        engine.dispose()


def rows(url: str, query: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(query)).all()]
    finally:
        engine.dispose()


def wait_until_settled(
    url: str, deadline: float, workers: list[subprocess.Popen[bytes]]
) -> Counter[str]:
    """Until nothing is scheduled, claimed or sending (rows left 'sending' by a killed worker
    turn 'uncertain' once their lease runs out)."""
    while time.monotonic() < deadline:
        counts = statuses(url)
        if not counts["scheduled"] and not counts["claimed"] and not counts["sending"]:
            return counts
        assert all(w.poll() is None for w in workers), "a worker died on its own"
        time.sleep(0.2)
    return statuses(url)


@pytest.mark.timeout(600)
def test_sigkill_at_random_moments_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path, pg_url: str
) -> None:
    contacts, batch = 2000, 50
    rng = random.Random(20261123)
    kills = 0
    with CaptureServer(delay=0.002) as smtp:
        write_config(tmp_path, url=pg_url, port=smtp.port, senders=2, cap=100_000, batch=batch)
        enroll(tmp_path, contacts, senders=2)
        log = tmp_path / "workers.log"
        # kill the worker at random moments while the campaign is under way, restarting it each time
        while kills < 12 and statuses(pg_url)["scheduled"] > contacts // 10:
            worker = start(tmp_path, log)
            time.sleep(rng.uniform(0.8, 2.5))  # start-up takes most of a second; then it sends
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
            kills += 1
        final = start(tmp_path, log)
        try:
            counts = wait_until_settled(pg_url, time.monotonic() + 300, [final])
        finally:
            final.send_signal(signal.SIGTERM)
            final.wait(timeout=60)
        ids = [m["Message-ID"] for m in smtp.messages]
        recipients = Counter(r for m in smtp.messages for r in m.recipients)

    duplicates = len(ids) - len(set(ids))
    twice = [r for r, n in recipients.items() if n > 1]
    lost = contacts - counts["sent"] - counts["bounced"] - counts["uncertain"]
    print(
        f"\ncrash test: kills={kills}, sent={counts['sent']}, uncertain={counts['uncertain']}, "
        f"duplicates={duplicates}, recipients mailed twice={len(twice)}, lost={lost}, "
        f"messages at the sink={len(ids)}, batch={batch}"
    )
    assert kills >= 3, "the campaign finished before the worker could be killed a few times"
    assert duplicates == 0 and twice == []
    assert lost == 0, counts
    assert counts["uncertain"] <= kills * batch
    # every 'sent' row is at the sink with its own Message-ID; the sink has nothing else but
    # uncertain ones
    sent_ids = {r[0] for r in rows(pg_url, "select message_id from sends where status = 'sent'")}
    uncertain_ids = {
        r[0] for r in rows(pg_url, "select message_id from sends where status = 'uncertain'")
    }
    assert sent_ids <= set(ids)
    assert set(ids) <= sent_ids | uncertain_ids


@pytest.mark.timeout(600)
def test_four_workers_send_each_message_exactly_once_and_hold_the_caps(
    tmp_path: Path, pg_url: str
) -> None:
    contacts, senders, cap = 5000, 5, 960  # 4,800 may go today; 200 must wait for tomorrow
    with CaptureServer() as smtp:
        write_config(
            tmp_path, url=pg_url, port=smtp.port, senders=senders, cap=cap, batch=100, lease="30s"
        )
        enroll(tmp_path, contacts, senders=senders)
        log = tmp_path / "workers.log"
        workers = [start(tmp_path, log) for _ in range(4)]
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and statuses(pg_url)["sent"] < senders * cap:
                assert all(w.poll() is None for w in workers), log.read_text()[-3000:]
                time.sleep(0.2)
            time.sleep(1.0)  # a few more ticks: nothing beyond the caps may go out
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(timeout=60)
        ids = [m["Message-ID"] for m in smtp.messages]
        recipients = Counter(r for m in smtp.messages for r in m.recipients)
        per_sender = Counter(m.mail_from for m in smtp.messages)

    counts = statuses(pg_url)
    claimed_by = rows(pg_url, "select count(distinct claimed_by) from sends where status = 'sent'")[
        0
    ][0]
    print(
        f"\nfour workers: sent={counts['sent']}, waiting={counts['scheduled']}, "
        f"per sender={dict(per_sender)}, "
        f"workers that sent={claimed_by}"
    )
    assert len(ids) == len(set(ids)) == counts["sent"] == senders * cap
    assert max(recipients.values()) == 1
    assert len(per_sender) == senders and all(n == cap for n in per_sender.values()), per_sender
    assert counts["scheduled"] == contacts - senders * cap
    assert claimed_by == 4  # the work was really shared


@pytest.mark.timeout(300)
def test_caps_and_gaps_hold_across_workers_when_every_worker_wants_the_same_sender(
    tmp_path: Path, pg_url: str
) -> None:
    """Four workers each claim a full batch for the same three senders at once: without a
    shared count each would send its own 'cap' and ignore the others' gaps."""
    senders, cap, gap = 3, 25, 0.2
    with CaptureServer() as smtp:
        write_config(
            tmp_path,
            url=pg_url,
            port=smtp.port,
            senders=senders,
            cap=cap,
            gap=f"{gap}s",
            batch=60,
            lease="30s",
        )
        enroll(tmp_path, 600, senders=senders)
        log = tmp_path / "workers.log"
        workers = [start(tmp_path, log) for _ in range(4)]
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and statuses(pg_url)["sent"] < senders * cap:
                assert all(w.poll() is None for w in workers), log.read_text()[-3000:]
                time.sleep(0.2)
            time.sleep(2.0)  # more ticks: nothing beyond the caps may go out
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(timeout=60)
        per_sender = Counter(m.mail_from for m in smtp.messages)
    sent = rows(
        pg_url,
        "select sender, sent_at, claimed_by from sends where "
        "status = 'sent' order by sender, sent_at",
    )
    gaps = [(b[1] - a[1]).total_seconds() for a, b in itertools.pairwise(sent) if a[0] == b[0]]  # type: ignore[operator]
    print(
        f"\ncaps across workers: per sender={dict(per_sender)}, smallest gap={min(gaps):.3f}s, "
        f"workers that sent={len({r[2] for r in sent})}"
    )
    assert len(per_sender) == senders and all(n == cap for n in per_sender.values()), per_sender
    assert min(gaps) >= gap - 0.001
