"""Real worker processes on a real PostgreSQL: SIGKILLed at random moments, and four at once.

The SMTP sink is an aiosmtpd server in this process; the workers are ``python -m sequencer
worker`` processes (the crash test's are forked from a server that has imported the package,
so that it can kill two dozen of them without paying two dozen start-ups). Deterministic in
what they assert (no wall-clock bounds): every send ends exactly once, or is honestly
'uncertain'.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import random
import runpy
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from multiprocessing.process import BaseProcess
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


def wait_until_settled(url: str, deadline: float, alive: Callable[[], bool]) -> Counter[str]:
    """Until nothing is scheduled, claimed or sending (rows left 'sending' by a killed worker
    turn 'uncertain' once their lease runs out)."""
    while time.monotonic() < deadline:
        counts = statuses(url)
        if not counts["scheduled"] and not counts["claimed"] and not counts["sending"]:
            return counts
        assert alive(), "a worker died on its own"
        time.sleep(0.2)
    return statuses(url)


#: Worker processes forked from a server that has imported the package once, so that starting
#: one costs a fork, not an interpreter's start-up and imports (seconds on a busy 2-core machine).
FORKS = multiprocessing.get_context("forkserver")
FORKS.set_forkserver_preload(["sequencer.cli", "sequencer.worker"])


def _worker_main(folder: str, log: str) -> None:
    """What ``python -m sequencer worker --json`` runs, in ``folder``, its output added to
    ``log``."""
    os.chdir(folder)
    os.environ["NO_COLOR"] = "1"
    out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(out, 1)
    os.dup2(out, 2)
    sys.argv = ["sequencer", "worker", "--json"]
    runpy.run_module("sequencer", run_name="__main__", alter_sys=True)


def fork(folder: Path, log: Path) -> BaseProcess:
    """A worker process (:func:`start`'s, without the start-up)."""
    process = FORKS.Process(target=_worker_main, args=(str(folder), str(log)), daemon=True)
    process.start()
    return process


#: The senders the crash test configures. The dispatcher runs one lane per sender.
CRASH_SENDERS = 2
#: B, the most sends one worker can hold in 'sending' at once, so the most one SIGKILL can leave
#: 'uncertain': with the group-commit writer (sequencer/writer.py), per lane one send at its SMTP
#: server and one whose result waits for the next group.
IN_FLIGHT = 2 * CRASH_SENDERS
#: How many times the crash test kills a worker. It must reach at least 20.
KILLS = 24


@contextlib.contextmanager
def watching(url: str) -> Iterator[sa.Connection]:
    """A connection that sees each commit as soon as it lands (autocommit)."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def owned(conn: sa.Connection, worker: BaseProcess) -> Counter[str]:
    """The statuses of the sends this worker process holds or sent (its id holds its pid)."""
    query = sa.text("select status, count(*) from sends where claimed_by like :me group by status")
    return Counter(dict(conn.execute(query, {"me": f"%:{worker.pid}:%"}).all()))


def wait_for(conn: sa.Connection, worker: BaseProcess, sent: int) -> None:
    """Until ``worker`` holds sends and has marked ``sent`` of them sent, read from the
    database."""
    while not ((mine := owned(conn, worker)).total() and mine["sent"] >= sent):
        assert worker.is_alive(), "a worker died on its own"
        if not mine["claimed"] and not mine["sending"]:
            query = sa.text("select status, count(*) from sends group by status")
            counts = Counter(dict(conn.execute(query).all()))
            assert counts["scheduled"] or counts["claimed"], f"the campaign ran out: {counts}"
        time.sleep(0.01)


@pytest.mark.timeout(600)
def test_sigkill_at_random_moments_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path, pg_url: str
) -> None:
    """A worker is SIGKILLed KILLS times, each once it has claimed sends and then sent a random
    number of them (none to two batches: as it begins, mid-batch, between batches). The next
    worker starts up while the one to be killed sends, so two overlap; the last one is left to
    finish the campaign."""
    # the kills take about a third of the campaign: each worker sends at most 2 * batch of its
    # own, and the next one sends a few before it becomes the one to kill
    contacts, batch = 1200, 20
    rng = random.Random(20261203)
    left: list[int] = []  # per kill: the sends the killed worker left in 'sending'
    with CaptureServer(delay=0.002) as smtp, watching(pg_url) as conn:
        # the lease outlasts any live worker's send even on a busy machine, so another worker
        # never takes a send over mid-send: only the kills leave sends 'uncertain'
        write_config(
            tmp_path,
            url=pg_url,
            port=smtp.port,
            senders=CRASH_SENDERS,
            cap=100_000,
            batch=batch,
            lease="5s",
        )
        enroll(tmp_path, contacts, senders=CRASH_SENDERS)
        log = tmp_path / "workers.log"
        workers = [fork(tmp_path, log)]
        try:
            while len(left) < KILLS:
                victim = workers[-1]
                wait_for(conn, victim, 0)  # it has claimed sends
                workers.append(fork(tmp_path, log))  # the next one starts up meanwhile
                wait_for(conn, victim, rng.randint(0, 2 * batch))
                victim.kill()  # SIGKILL
                victim.join(timeout=30)
                left.append(owned(conn, victim)["sending"])
            counts = wait_until_settled(pg_url, time.monotonic() + 300, workers[-1].is_alive)
        finally:
            for worker in workers:
                worker.terminate()  # SIGTERM
                worker.join(timeout=60)
        ids = [m["Message-ID"] for m in smtp.messages]
        recipients = Counter(r for m in smtp.messages for r in m.recipients)

    kills = len(left)
    duplicates = len(ids) - len(set(ids))
    twice = [r for r, n in recipients.items() if n > 1]
    lost = contacts - counts["sent"] - counts["bounced"] - counts["uncertain"]
    print(
        f"\ncrash test: kills={kills}, sent={counts['sent']}, uncertain={counts['uncertain']}, "
        f"duplicates={duplicates}, lost={lost}, recipients mailed twice={len(twice)}, "
        f"kills that left a send in 'sending'={sum(1 for n in left if n)}, "
        f"messages at the sink={len(ids)}, B={IN_FLIGHT}"
    )
    assert kills >= 20
    assert duplicates == 0 and twice == []
    assert lost == 0, counts
    assert max(left) <= IN_FLIGHT, left
    assert counts["uncertain"] <= kills * IN_FLIGHT
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
