"""PostgreSQL: a group that fits is written in one statement on the event loop, through the
writer's own asynchronous connection (``Store.write_group_on_loop``, ``sequencer/store/single.py``),
all of it or nothing. Each mark still takes its slot or says why not; a failed statement leaves
nothing written; the statement never waits on a row lock (so it cannot read an older database
than the pipeline would, nor deadlock with a stop); a dropped connection fails its group alone,
and the writer's fallback then records every result; a cancelled group still tells its lanes.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
import structlog
from test_group_marks import beginning, statuses
from test_sender_days import NOW, claimed_sends, quota

from sequencer.status import EnrollmentStatus, SendStatus
from sequencer.store import Beginning, BeginStatus, Begun, Quota, SentRecord, Store, groups
from sequencer.store.sends import NewChain, NewSend
from sequencer.store.tables import ENROLLMENTS, SENDER_DAYS, SENDS
from sequencer.writer import GroupWriter


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    """The SQL of every statement the store's engine sends while inside."""
    seen: list[str] = []

    def one(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        seen.append(" ".join(sql.split()))

    sa.event.listen(store.engine, "before_cursor_execute", one)
    try:
        yield seen
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", one)


def other(q: Quota, sender: str) -> Quota:
    return replace(q, sender=sender)


def days(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return dict(conn.execute(sa.select(SENDER_DAYS.c.sender, SENDER_DAYS.c.sent)).all())


class Db:
    """A store on a fresh PostgreSQL database with 6 claimed sends, and one event loop for the
    test (as a worker has), on which its groups are written."""

    def __init__(self, store: Store, ids: list[int], runner: asyncio.Runner) -> None:
        self.store, self.ids, self.runner = store, ids, runner
        self.sends = [s for s in (store.send(i) for i in ids) if s is not None]

    def on_loop(self, records: list[SentRecord], marks: list[Beginning]) -> list[Begun] | None:
        return self.runner.run(self.store.write_group_on_loop(records, marks))


@pytest.fixture
def db(pg_url: str, tmp_path: Path) -> Iterator[Db]:
    ids = claimed_sends(pg_url, tmp_path, 6)
    store = Store(pg_url)
    runner = asyncio.Runner()
    try:
        yield Db(store, ids, runner)
    finally:
        runner.close()
        store.close()


def test_a_fitting_group_is_one_statement_and_does_what_the_pipeline_does(db: Db) -> None:
    s = db.sends
    jane, bob = quota(cap=10), other(quota(cap=10), "bob")
    # the first group of a day makes the day's rows first: not in one statement
    assert db.on_loop([], [beginning(s[0], jane), beginning(s[1], bob)]) is None
    first = db.store.write_group([], [beginning(s[0], jane), beginning(s[1], bob)])
    assert [o.status for o in first] == [BeginStatus.STARTED] * 2
    step = NewSend(step_key="bump", step_index=1, channel="email", due_at=NOW + timedelta(days=3))
    records = [
        SentRecord(send=s[0], sent_at=NOW, next_send=step),
        SentRecord(send=s[1], sent_at=NOW, next_send=None),
    ]
    marks = [beginning(s[2], bob), beginning(s[3], jane), beginning(s[4], None)]
    commits = db.store.commits
    with statements(db.store) as seen:
        outcomes = db.on_loop(records, marks)
    assert len(seen) == 1 and seen[0].startswith("WITH sent AS"), seen
    assert outcomes is not None and [o.status for o in outcomes] == [BeginStatus.STARTED] * 3
    assert db.store.commits == commits + 1
    assert statuses(db.store, db.ids[:5]) == [SendStatus.SENT] * 2 + ["sending"] * 3
    assert days(db.store) == {"jane": 2, "bob": 2}
    with db.store.engine.connect() as conn:
        queued = conn.execute(
            sa.select(SENDS.c.enrollment_id, SENDS.c.step_key).where(SENDS.c.step_index == 1)
        ).all()
        ended = conn.execute(
            sa.select(ENROLLMENTS.c.status, ENROLLMENTS.c.anchor_at).where(
                ENROLLMENTS.c.id == s[1].enrollment_id
            )
        ).one()
    assert [tuple(r) for r in queued] == [(s[0].enrollment_id, "bump")]
    assert ended.status == EnrollmentStatus.COMPLETED and ended.anchor_at is not None


def test_refused_marks_in_one_statement_say_why_and_leave_the_rest_written(db: Db) -> None:
    s = db.sends
    jane, bob, ann = quota(cap=10), other(quota(cap=1), "bob"), other(quota(cap=10), "ann")
    db.store.write_group([], [beginning(s[0], jane), beginning(s[1], bob), beginning(s[5], ann)])
    db.store.suppress("blocked@x.example", reason="test", at=NOW)
    marks = [
        beginning(s[2], bob),  # bob's cap of 1 is taken
        beginning(s[3], jane, keys=("blocked@x.example",)),  # suppressed
    ]
    with statements(db.store) as seen:
        outcomes = db.on_loop([SentRecord(send=s[0], sent_at=NOW, next_send=None)], marks)
    assert seen[0].startswith("WITH sent AS")  # then why each mark was refused, read after
    assert outcomes is not None
    assert [o.status for o in outcomes] == [BeginStatus.FULL, BeginStatus.GONE]
    assert statuses(db.store, db.ids[:4]) == [SendStatus.SENT, "sending", "claimed", "claimed"]
    assert days(db.store) == {"jane": 1, "bob": 1, "ann": 1}
    db.store.holds.place("sender", reason="test", detail="", at=NOW, sender="jane")
    held = db.on_loop([], [beginning(s[4], ann)])
    assert held is not None and [o.status for o in held] == [BeginStatus.HELD]
    assert statuses(db.store, [db.ids[4]]) == ["claimed"]


def test_a_failed_statement_writes_nothing_of_its_group(db: Db) -> None:
    s = db.sends
    jane, bob = quota(cap=10), other(quota(cap=10), "bob")
    db.store.write_group([], [beginning(s[0], jane), beginning(s[1], bob)])
    # a next step whose index PostgreSQL's integer cannot hold fails the statement as it runs
    broken = NewSend(step_key="x", step_index=2**40, channel="email", due_at=NOW)
    records = [SentRecord(send=s[0], sent_at=NOW, next_send=broken)]
    with pytest.raises(psycopg.DataError):
        db.on_loop(records, [beginning(s[2], jane), beginning(s[3], bob)])
    assert statuses(db.store, db.ids[:4]) == ["sending", "sending", "claimed", "claimed"]
    assert days(db.store) == {"jane": 1, "bob": 1}
    fine = db.on_loop([], [beginning(s[2], jane)])  # the connection is still good
    assert fine is not None and [o.status for o in fine] == [BeginStatus.STARTED]


@pytest.mark.parametrize("what", ["suppression", "hold"])
def test_the_statement_gives_up_on_a_held_lock_at_once_and_the_pipeline_reads_afresh(
    db: Db, what: str
) -> None:
    """While another transaction holds ann's sender day, a group [ann, jane] is not written in
    one statement (which would read the suppression list and the holds as they were when it
    began, however long it waited): it gives up within its lock timeout (2 ms; well under a
    second here), having written nothing, and the pipeline, whose marks each read afresh, sees
    what was committed meanwhile."""
    s = db.sends
    jane, ann = quota(cap=10), other(quota(cap=10), "ann")
    db.store.write_group([], [beginning(s[0], jane), beginning(s[1], ann)])
    marks = [beginning(s[2], ann), beginning(s[3], jane, keys=("late@x.example",))]
    locker = db.store.engine.connect()
    try:
        locker.execute(
            sa.select(SENDER_DAYS).where(SENDER_DAYS.c.sender == "ann").with_for_update()
        )
        started = time.monotonic()
        waited = db.runner.run(asyncio.wait_for(db.store.write_group_on_loop([], marks), 10))
        assert waited is None
        assert time.monotonic() - started < 1  # the lock is held until the end of the test
        assert statuses(db.store, db.ids[2:4]) == ["claimed", "claimed"]
        if what == "suppression":
            db.store.suppress("late@x.example", reason="test", at=NOW)
        else:
            db.store.holds.place("sender", reason="test", detail="", at=NOW, sender="jane")
        outcome: list[list[Begun]] = []
        writer = threading.Thread(target=lambda: outcome.append(db.store.write_group([], marks)))
        writer.start()  # the pipeline waits for ann's day
        time.sleep(0.2)
    finally:
        locker.rollback()
        locker.close()
    writer.join(timeout=30)
    if what == "suppression":
        assert [o.status for o in outcome[0]] == [BeginStatus.STARTED, BeginStatus.GONE]
        assert statuses(db.store, db.ids[2:4]) == ["sending", "claimed"]
    else:  # the hold is on the sender of both sends (the sender days are the quotas' own)
        assert [o.status for o in outcome[0]] == [BeginStatus.HELD, BeginStatus.HELD]
        assert statuses(db.store, db.ids[2:4]) == ["claimed", "claimed"]


def lock_waits(store: Store) -> int:
    """How many sessions of this database wait for a lock now (a row's, or an advisory one)."""
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND datname = current_database()"
                )
            ).scalar_one()
        )


def waiting_for_locks(store: Store, count: int = 1, timeout: float = 10) -> None:
    """Until ``count`` other sessions of this database wait for a row lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock_waits(store) >= count:
            return
        time.sleep(0.01)
    raise AssertionError(f"{count} sessions did not come to wait for a lock")


@pytest.mark.parametrize("path", ["pipeline", "statements"])
@pytest.mark.parametrize("what", ["suppression", "hold"])
def test_a_mark_that_waits_for_its_day_reads_what_was_committed_while_it_waited(
    db: Db, what: str, path: str
) -> None:
    """A pipelined group (and one written statement by statement, where the driver has no
    pipeline) whose mark waits for its sender day, held by another transaction, while a
    suppression of its address or a hold on its sender is committed: the mark sees it once the
    day is free, and does not start. (Before, the mark's own statement waited for the day, and
    read the suppression list and the holds as they were before the wait.)"""
    s = db.sends
    ann = other(quota(cap=10), "ann")
    db.store.write_group([], [beginning(s[0], ann)])  # ann's day is made
    marks = [beginning(s[2], ann, keys=("late@x.example",))]
    outcome: list[list[Begun]] = []

    def write() -> None:
        if path == "pipeline":
            outcome.append(db.store.write_group([], marks))
        else:
            with db.store.engine.begin() as conn:
                outcome.append(groups.write(conn, [], marks, set()))

    locker = db.store.engine.connect()
    try:
        locker.execute(
            sa.select(SENDER_DAYS).where(SENDER_DAYS.c.sender == "ann").with_for_update()
        )
        writer = threading.Thread(target=write)
        writer.start()
        waiting_for_locks(db.store)
        if what == "suppression":
            db.store.suppress("late@x.example", reason="test", at=NOW)
        else:
            # the send's own sender (the sender day is its quota's)
            db.store.holds.place("sender", reason="test", detail="", at=NOW, sender="jane")
    finally:
        locker.rollback()
        locker.close()
    writer.join(timeout=30)
    expected = BeginStatus.GONE if what == "suppression" else BeginStatus.HELD
    assert [o.status for o in outcome[0]] == [expected]
    assert statuses(db.store, db.ids[2:3]) == ["claimed"]
    assert days(db.store)["ann"] == 1


def test_a_dropped_connection_fails_its_group_and_the_writer_records_every_result(
    db: Db,
) -> None:
    """The server drops every connection (a restart, an idle timeout): the group on the writer's
    own connection fails, having written nothing; the pool is renewed with it, so the writer's
    one-by-one retry, in a thread, records every result and takes the mark."""
    s = db.sends
    jane = quota(cap=10)
    db.store.write_group([], [beginning(s[0], jane)])
    writer = GroupWriter(db.store, structlog.get_logger())
    writer.lanes = 1
    first = db.runner.run(writer.begin(beginning(s[1], jane)))
    assert first.status == BeginStatus.STARTED
    admin = sa.create_engine(db.store.engine.url)  # from outside the store's pool
    with admin.connect() as conn:
        ended = conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).all()
    admin.dispose()
    assert len(ended) >= 2  # the writer's own connection and the pool's
    step = NewSend(step_key="bump", step_index=1, channel="email", due_at=NOW + timedelta(days=3))
    recorded: list[int] = []

    async def second() -> Begun:
        for send in (s[0], s[1]):
            writer.record(
                SentRecord(send=send, sent_at=NOW, next_send=step),
                lambda send=send: recorded.append(send.id or 0),
            )
        began = await writer.begin(beginning(s[2], jane))
        await writer.flush()
        return began

    began = db.runner.run(second())
    assert began.status == BeginStatus.STARTED
    assert sorted(recorded) == sorted([s[0].id, s[1].id])
    assert statuses(db.store, db.ids[:3]) == [SendStatus.SENT, SendStatus.SENT, "sending"]


def test_a_cancelled_group_still_answers_its_lanes_and_flush_returns(db: Db) -> None:
    """The group's statement is a task on the loop: cancelled (the loop ending, a grace period
    run out), its mark's lane gets an error instead of waiting for ever, and flush returns."""
    s = db.sends
    jane = quota(cap=10)
    db.store.write_group([], [beginning(s[0], jane)])
    writer = GroupWriter(db.store, structlog.get_logger())
    writer.lanes = 1

    async def cancelled() -> BaseException | Begun:
        lane = asyncio.ensure_future(writer.begin(beginning(s[1], jane)))
        await asyncio.sleep(0)  # the lane hands its mark over; the group starts
        assert writer._writing is not None
        writer._writing.cancel()
        await asyncio.wait_for(writer.flush(), timeout=10)
        try:
            return await asyncio.wait_for(lane, timeout=10)
        except Exception as exc:
            return exc

    outcome = db.runner.run(cancelled())
    assert isinstance(outcome, Exception), outcome
    assert statuses(db.store, [db.ids[1]]) == ["claimed"]  # never sent: its mark was not taken


def test_groups_that_do_not_fit_are_left_to_the_pipeline(db: Db) -> None:
    """Two slots in one sender day (a statement changes a row once), and a chained enrollment
    (completed, then the next sequence's enrollment made from what that said)."""
    s = db.sends
    jane = quota(cap=10)
    db.store.write_group([], [beginning(s[0], jane)])
    assert db.on_loop([], [beginning(s[1], jane), beginning(s[2], jane)]) is None
    chain = NewChain(sequence="reminder", starts_at=NOW + timedelta(days=7))
    assert db.on_loop([SentRecord(send=s[0], sent_at=NOW, next_send=chain)], []) is None
    assert statuses(db.store, db.ids[:3]) == ["sending", "claimed", "claimed"]
    assert days(db.store) == {"jane": 1}
    with db.store.engine.connect() as conn:  # the pool's connections plan as the server would
        assert conn.execute(sa.text("SHOW plan_cache_mode")).scalar_one() == "auto"


def test_another_event_loop_waits_for_the_first_to_end_then_gets_a_connection_of_its_own(
    db: Db,
) -> None:
    """The connection belongs to the loop that made it: while that loop runs (in another thread,
    say), a second loop's group is left to the pipeline; once it has ended, the next loop makes a
    connection of its own."""
    s = db.sends
    jane = quota(cap=10)
    db.store.write_group([], [beginning(s[0], jane)])
    assert db.on_loop([], [beginning(s[1], jane)]) is not None
    declined = asyncio.run(db.store.write_group_on_loop([], [beginning(s[2], jane)]))
    assert declined is None and statuses(db.store, [db.ids[2]]) == ["claimed"]
    db.runner.close()
    again = asyncio.run(db.store.write_group_on_loop([], [beginning(s[2], jane)]))
    assert again is not None and [o.status for o in again] == [BeginStatus.STARTED]
    assert days(db.store) == {"jane": 3}


def test_closing_the_store_while_a_group_is_at_the_server_does_not_hang(db: Db) -> None:
    """A host shutting down closes the store on the loop's own thread while a group may be at the
    server: the close returns at once, the group ends as it would, and the connection is closed
    after it."""
    s = db.sends
    jane = quota(cap=10)
    db.store.write_group([], [beginning(s[0], jane)])
    assert db.on_loop([], [beginning(s[1], jane)]) is not None  # the connection is made
    outcome: list[Any] = []

    async def close_meanwhile() -> None:
        group = asyncio.ensure_future(db.store.write_group_on_loop([], [beginning(s[2], jane)]))
        for _ in range(3):  # the statement goes out; the task waits for its answer
            await asyncio.sleep(0)
        db.store.close()
        outcome.append(await group)

    worker = threading.Thread(target=lambda: db.runner.run(close_meanwhile()), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "closing the store hung"
    assert outcome and outcome[0] is not None
    assert [o.status for o in outcome[0]] == [BeginStatus.STARTED]


def test_a_connection_that_cannot_be_made_leaves_groups_to_the_pipeline(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A URL only SQLAlchemy reads (several hosts), or a server down: the groups go through the
    pipeline, not one by one, and the connection is not tried again for every group."""
    s = db.sends
    jane = quota(cap=10)
    db.store.write_group([], [beginning(s[0], jane)])
    tries: list[str] = []

    async def refused(conninfo: str, **_: Any) -> Any:
        tries.append(conninfo)
        raise psycopg.OperationalError("failed to resolve host")

    monkeypatch.setattr(psycopg.AsyncConnection, "connect", refused)
    assert db.on_loop([], [beginning(s[1], jane)]) is None
    assert db.on_loop([], [beginning(s[1], jane)]) is None
    assert len(tries) == 1
    assert statuses(db.store, [db.ids[1]]) == ["claimed"]


def test_a_result_written_twice_in_one_statement_queues_its_next_step_once(db: Db) -> None:
    s = db.sends
    db.store.write_group([], [beginning(s[0], None)])
    step = NewSend(step_key="bump", step_index=1, channel="email", due_at=NOW)
    record = [SentRecord(send=s[0], sent_at=NOW, next_send=step)]
    assert db.on_loop(record, []) is not None
    assert db.on_loop(record, []) is not None  # its answer lost: written again
    with db.store.engine.connect() as conn:
        queued = conn.execute(sa.select(SENDS.c.id).where(SENDS.c.step_index == 1)).all()
    assert len(queued) == 1
