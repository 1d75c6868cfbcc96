"""The group-commit writer's thread: on PostgreSQL no group's transaction blocks the event loop's
thread (it is written on the loop through an asynchronous connection, or in another thread), so
the lanes go on talking SMTP during its round trip; on SQLite (a file, or in
memory, which another thread would not see) it runs on the loop's own thread. Either way every
message goes out once and is recorded ``sent``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
import structlog
from sending_rig import Rig, person
from test_sender_days import NOW, claimed_sends

from sequencer.store import Beginning, BeginStatus, Begun, SentRecord, Store
from sequencer.writer import GroupWriter


def _watch_threads(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each group the writer writes from now on with ``Store.write_group`` (which blocks its
    thread until the group is committed): whether it ran on the main thread (the one the rig's
    event loop runs on). The groups written without blocking, through
    ``Store.write_group_on_loop``, are counted in ``_watch_loop``."""
    original = rig.engine.store.write_group
    on_main: list[bool] = []

    def watched(records: list[SentRecord], beginnings: list[Beginning], **kw: Any) -> list[Begun]:
        on_main.append(threading.current_thread() is threading.main_thread())
        return original(records, beginnings, **kw)

    monkeypatch.setattr(rig.engine.store, "write_group", watched)
    return on_main


def _watch_loop(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each group offered to ``Store.write_group_on_loop``: whether it wrote it."""
    original = rig.engine.store.write_group_on_loop
    written: list[bool] = []

    async def watched(records: list[SentRecord], beginnings: list[Beginning]) -> Any:
        outcome = await original(records, beginnings)
        written.append(outcome is not None)
        return outcome

    monkeypatch.setattr(rig.engine.store, "write_group_on_loop", watched)
    return written


def _sends_everything(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    rig.import_rows([person(i) for i in range(4)])
    rig.engine.enroll("cold")
    on_main = _watch_threads(rig, monkeypatch)
    rig.run(days=30)
    for i in range(4):
        address = f"p{i}@example.com"
        assert len(rig.received(address)) == 2, address
        emails = [s for s in rig.sends(address) if s.channel == "email"]
        assert [s.status for s in emails] == ["sent", "sent"], address
    return on_main


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_groups_never_block_the_event_loop_thread_on_postgresql(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a group that fits in one statement is written on the loop without blocking
    it (an asynchronous connection); any other (the first of a sender's day, which makes its
    row) in a thread. None is written by a call that blocks the loop's thread."""
    on_loop = _watch_loop(rig, monkeypatch)
    on_main = _sends_everything(rig, monkeypatch)
    assert any(on_loop), "no group was written on the loop"
    assert on_main, "no group was written in a thread"
    assert not any(on_main)
    assert on_loop.count(False) == len(on_main)  # each group left by the loop went to a thread


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_sqlite_file_is_written_on_the_loop_thread(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_main = _sends_everything(rig, monkeypatch)
    assert on_main, "the writer wrote no group"
    assert all(on_main)


@pytest.mark.parametrize("database_url", ["sqlite:///:memory:"])
def test_an_in_memory_database_is_written_on_the_loop_thread(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_main = _sends_everything(rig, monkeypatch)
    assert on_main, "the writer wrote no group"
    assert all(on_main)


@pytest.mark.parametrize("database_url", ["sqlite:///:memory:"])  # any database will do
def test_flush_returns_when_a_group_committed_but_its_callback_has_not_run_yet(
    rig: Rig,
) -> None:
    """The job's result arrives from the thread and its done callback (which clears the writer's
    job) is only scheduled: flush must yield to the loop, not await the done job again and again
    (it once spun there forever, holding the worker at 100% CPU)."""
    writer = GroupWriter(rig.engine.store, rig.engine.log)
    finished: list[bool] = []

    async def flush_after_a_group_committed() -> None:
        job: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        writer._writing = job  # type: ignore[assignment]
        job.add_done_callback(lambda _: setattr(writer, "_writing", None))
        job.set_result(([], []))  # the callback is scheduled, not run
        await writer.flush()
        finished.append(True)

    # a spinning flush never yields, so no timeout inside its loop could fire: watch from outside
    runner = threading.Thread(target=asyncio.run, args=(flush_after_a_group_committed(),))
    runner.daemon = True
    runner.start()
    runner.join(timeout=60)  # a hang guard, not a speed bound: a correct flush returns at once
    assert finished == [True], "flush did not return"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_group_sqlite_holds_for_another_writer_waits_in_a_thread_while_the_loop_runs(
    database_url: str, tmp_path: Path
) -> None:
    """Another process holds the database's write lock: the group, written on the loop's thread,
    gives up within PATIENCE and goes to a thread, which waits for the lock while the loop goes
    on. Here the loop itself releases the lock, after a few beats: a loop blocked by the group
    would never beat, the lock would never go, and the mark would fail after the busy timeout."""
    (send_id,) = claimed_sends(database_url, tmp_path, 1)
    store = Store(database_url)
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        send = store.send(send_id)
        assert send is not None
        writer = GroupWriter(store, structlog.get_logger())
        beats: list[int] = []

        async def mark_while_locked() -> Begun:
            async def heartbeat() -> None:
                while True:
                    await asyncio.sleep(0.01)
                    beats.append(1)
                    if len(beats) == 5:
                        holder.execute("COMMIT")

            holder.execute("BEGIN IMMEDIATE")  # a write under way in "another process"
            beating = asyncio.create_task(heartbeat())
            writer.lanes = 1
            try:
                return await writer.begin(
                    Beginning(
                        send=send,
                        worker="w",
                        now=NOW,
                        suppression_keys=("nobody@x.example",),
                        message_id="<m1@acme.example>",
                        subject="s",
                        subject_key=None,
                        body_key=None,
                        in_reply_to=None,
                        references=None,
                    )
                )
            finally:
                beating.cancel()

        begun = asyncio.run(mark_while_locked())
        assert begun.status is BeginStatus.STARTED
        assert len(beats) >= 5
        current = store.send(send_id)
        assert current is not None and current.status == "sending"
    finally:
        holder.close()
        store.close()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_failed_group_is_logged_without_its_statement_or_addresses(
    rig: Rig, database_url: str
) -> None:
    """A group whose transaction fails is written again item by item, and the warning says why
    in the database's own words: not the statement (several kilobytes on PostgreSQL) and never
    its parameters, which hold the recipients' addresses and suppression keys."""
    rig.import_rows([person(i) for i in range(4)])
    rig.engine.enroll("cold")
    refused = rig.contact_id("p2@example.com")
    with rig.engine.store.engine.begin() as conn:
        if rig.engine.store.dialect == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE UPDATE OF status ON sends "
                f"WHEN NEW.status = 'sending' AND OLD.contact_id = {refused} "
                "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
            )
        else:
            conn.exec_driver_sql(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'refused by a trigger'; END $$"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE UPDATE OF status ON sends FOR EACH ROW "
                f"WHEN (NEW.status = 'sending' AND OLD.contact_id = {refused}) "
                "EXECUTE FUNCTION refuse()"
            )
    with structlog.testing.capture_logs() as logs:
        rig.run(days=1)
    failed = [e for e in logs if e["event"] in ("writer.group_failed", "send.failed")]
    assert any(e["event"] == "writer.group_failed" for e in failed), logs
    for entry in failed:
        error = entry["error"]
        assert "refused by a trigger" in error
        assert "@example.com" not in error and "[SQL" not in error and "\n" not in error, error
    first = next(s for s in rig.sends("p2@example.com") if s.channel == "email")
    assert first.status == "failed" and first.error is not None
    assert "refused by a trigger" in first.error and "[SQL" not in first.error, first.error
    for i in (0, 1, 3):
        assert len(rig.received(f"p{i}@example.com")) == 1
