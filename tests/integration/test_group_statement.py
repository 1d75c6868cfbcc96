"""PostgreSQL: a group that fits is written in one statement on the writer's own connection
(``sequencer/store/single.py``), all of it or nothing. Each mark still takes its slot or says why
not; a failed statement leaves nothing written; a dropped connection is replaced; the pool's
connections never see the writer's session setting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from test_group_marks import beginning, statuses
from test_sender_days import NOW, claimed_sends, quota

from sequencer.status import EnrollmentStatus, SendStatus
from sequencer.store import BeginStatus, Quota, SentRecord, Store
from sequencer.store.sends import NewChain, NewSend
from sequencer.store.tables import ENROLLMENTS, SENDER_DAYS, SENDS


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


@pytest.fixture
def store(pg_url: str, tmp_path: Path) -> Iterator[tuple[Store, list[int]]]:
    ids = claimed_sends(pg_url, tmp_path, 6)
    opened = Store(pg_url)
    try:
        yield opened, ids
    finally:
        opened.close()


def test_a_fitting_group_is_one_statement_and_does_what_the_pipeline_does(
    store: tuple[Store, list[int]],
) -> None:
    db, ids = store
    claimed = [s for s in (db.send(i) for i in ids) if s is not None]
    jane, bob = quota(cap=10), other(quota(cap=10), "bob")
    # the first group of a day makes the day's rows: not in one statement
    with statements(db) as seen:
        first = db.write_group([], [beginning(claimed[0], jane), beginning(claimed[1], bob)])
    assert [o.status for o in first] == [BeginStatus.STARTED] * 2
    assert len(seen) > 1
    step = NewSend(step_key="bump", step_index=1, channel="email", due_at=NOW + timedelta(days=3))
    records = [
        SentRecord(send=claimed[0], sent_at=NOW, next_send=step),
        SentRecord(send=claimed[1], sent_at=NOW, next_send=None),
    ]
    marks = [beginning(claimed[2], bob), beginning(claimed[3], jane), beginning(claimed[4], None)]
    with statements(db) as seen:
        outcomes = db.write_group(records, marks)
    assert len(seen) == 1 and seen[0].startswith("WITH sent AS"), seen
    assert [o.status for o in outcomes] == [BeginStatus.STARTED] * 3
    assert statuses(db, ids[:5]) == [SendStatus.SENT] * 2 + ["sending"] * 3
    assert days(db) == {"jane": 2, "bob": 2}
    with db.engine.connect() as conn:
        queued = conn.execute(
            sa.select(SENDS.c.enrollment_id, SENDS.c.step_key).where(SENDS.c.step_index == 1)
        ).all()
        ended = conn.execute(
            sa.select(ENROLLMENTS.c.status, ENROLLMENTS.c.anchor_at).where(
                ENROLLMENTS.c.id == claimed[1].enrollment_id
            )
        ).one()
    assert [tuple(r) for r in queued] == [(claimed[0].enrollment_id, "bump")]
    assert ended.status == EnrollmentStatus.COMPLETED and ended.anchor_at is not None


def test_refused_marks_in_one_statement_say_why_and_leave_the_rest_written(
    store: tuple[Store, list[int]],
) -> None:
    db, ids = store
    claimed = [s for s in (db.send(i) for i in ids) if s is not None]
    jane, bob, ann = quota(cap=10), other(quota(cap=1), "bob"), other(quota(cap=10), "ann")
    db.write_group([], [beginning(claimed[0], jane), beginning(claimed[1], bob)])  # days made
    db.write_group([], [beginning(claimed[5], ann)])
    db.suppress("blocked@x.example", reason="test", at=NOW)
    marks = [
        beginning(claimed[2], bob),  # bob's cap of 1 is taken
        beginning(claimed[3], jane, keys=("blocked@x.example",)),  # suppressed
    ]
    with statements(db) as seen:
        outcomes = db.write_group([SentRecord(send=claimed[0], sent_at=NOW, next_send=None)], marks)
    assert seen[0].startswith("WITH sent AS")  # then why each mark was refused, read after
    assert [o.status for o in outcomes] == [BeginStatus.FULL, BeginStatus.GONE]
    assert statuses(db, ids[:4]) == [SendStatus.SENT, "sending", "claimed", "claimed"]
    assert days(db) == {"jane": 1, "bob": 1, "ann": 1}
    # a hold on the sender, in one statement too
    db.holds.place("sender", reason="test", detail="", at=NOW, sender="jane")
    with statements(db) as seen:
        held = db.write_group([], [beginning(claimed[4], other(jane, "ann"))])
    assert seen[0].startswith("WITH ok__0")
    assert [o.status for o in held] == [BeginStatus.HELD]
    assert statuses(db, [ids[4]]) == ["claimed"]


def test_a_failed_statement_writes_nothing_of_its_group(store: tuple[Store, list[int]]) -> None:
    db, ids = store
    claimed = [s for s in (db.send(i) for i in ids) if s is not None]
    jane, bob = quota(cap=10), other(quota(cap=10), "bob")
    db.write_group([], [beginning(claimed[0], jane), beginning(claimed[1], bob)])
    # a next step whose index PostgreSQL's integer cannot hold fails the statement as it runs
    broken = NewSend(step_key="x", step_index=2**40, channel="email", due_at=NOW)
    records = [SentRecord(send=claimed[0], sent_at=NOW, next_send=broken)]
    with statements(db) as seen, pytest.raises(psycopg.DataError):
        db.write_group(records, [beginning(claimed[2], jane), beginning(claimed[3], bob)])
    assert len(seen) == 1
    assert statuses(db, ids[:4]) == ["sending", "sending", "claimed", "claimed"]
    assert days(db) == {"jane": 1, "bob": 1}
    # the writer's connection is still good: the next group goes in one statement
    with statements(db) as seen:
        fine = db.write_group([], [beginning(claimed[2], jane)])
    assert len(seen) == 1 and [o.status for o in fine] == [BeginStatus.STARTED]


def test_a_dropped_connection_fails_its_group_alone_and_is_replaced(
    store: tuple[Store, list[int]],
) -> None:
    db, ids = store
    claimed = [s for s in (db.send(i) for i in ids) if s is not None]
    jane = quota(cap=10)
    db.write_group([], [beginning(claimed[0], jane)])
    db.write_group([], [beginning(claimed[1], jane)])  # on the writer's own connection
    with db.engine.connect() as conn:  # the server ends it, as a restart or a timeout would
        ended = conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> "
                "pg_backend_pid() AND datname = current_database() AND query LIKE 'WITH ok__0%'"
            )
        ).all()
    assert ended == [(True,)]
    with pytest.raises(psycopg.OperationalError):
        db.write_group([], [beginning(claimed[2], jane)])
    assert statuses(db, [ids[2]]) == ["claimed"]
    again = db.write_group([], [beginning(claimed[2], jane)])
    assert [o.status for o in again] == [BeginStatus.STARTED]
    assert days(db) == {"jane": 3}


def test_groups_that_do_not_fit_go_through_the_pipeline(store: tuple[Store, list[int]]) -> None:
    """Two slots in one sender day (a statement changes a row once), and a chained enrollment
    (completed, then the next sequence's enrollment made from what that said)."""
    db, ids = store
    claimed = [s for s in (db.send(i) for i in ids) if s is not None]
    jane = quota(cap=10)
    db.write_group([], [beginning(claimed[0], jane)])
    with statements(db) as seen:
        both = db.write_group([], [beginning(claimed[1], jane), beginning(claimed[2], jane)])
    assert [o.status for o in both] == [BeginStatus.STARTED] * 2
    assert seen[0].startswith("SET LOCAL plan_cache_mode") and days(db) == {"jane": 3}
    chain = NewChain(sequence="reminder", starts_at=NOW + timedelta(days=7))
    with statements(db) as seen:
        db.write_group([SentRecord(send=claimed[0], sent_at=NOW, next_send=chain)], [])
    assert any(s.startswith("SET LOCAL plan_cache_mode") for s in seen)
    with db.engine.connect() as conn:
        deferred = conn.execute(
            sa.select(ENROLLMENTS.c.sequence, ENROLLMENTS.c.status).where(
                ENROLLMENTS.c.previous_id == claimed[0].enrollment_id
            )
        ).all()
        setting = conn.execute(sa.text("SHOW plan_cache_mode")).scalar_one()
    assert [tuple(r) for r in deferred] == [("reminder", EnrollmentStatus.DEFERRED)]
    assert setting == "auto"  # the pool's connections plan as the server would


def test_on_the_loop_a_fitting_group_is_one_statement_and_others_are_left_to_a_thread(
    store: tuple[Store, list[int]],
) -> None:
    """``Store.write_group_on_loop``, as the writer calls it on PostgreSQL: a group that fits is
    written without a thread, a refused mark still says why, a group that does not fit is left
    unwritten (None) for ``write_group``, and a new event loop gets a connection of its own."""
    db, ids = store
    claimed = [s for s in (db.send(i) for i in ids) if s is not None]
    jane, bob = quota(cap=10), other(quota(cap=1), "bob")
    db.write_group([], [beginning(claimed[0], jane), beginning(claimed[1], bob)])  # days made
    step = NewSend(step_key="bump", step_index=1, channel="email", due_at=NOW + timedelta(days=3))
    records = [SentRecord(send=claimed[0], sent_at=NOW, next_send=step)]
    marks = [beginning(claimed[2], jane), beginning(claimed[3], bob)]  # bob's one slot is taken
    commits = db.commits
    with statements(db) as seen:
        outcomes = asyncio.run(db.write_group_on_loop(records, marks))
    assert outcomes is not None and [o.status for o in outcomes] == [
        BeginStatus.STARTED,
        BeginStatus.FULL,
    ]
    assert seen[0].startswith("WITH sent AS") and db.commits > commits
    assert statuses(db, ids[:4]) == [SendStatus.SENT, "sending", "sending", "claimed"]
    assert days(db) == {"jane": 2, "bob": 1}
    # two slots in one sender day do not fit: nothing written, for write_group to do
    same_day = [beginning(claimed[3], jane), beginning(claimed[4], jane)]
    assert asyncio.run(db.write_group_on_loop([], same_day)) is None
    assert statuses(db, ids[3:5]) == ["claimed", "claimed"] and days(db)["jane"] == 2
    # another event loop (the first has ended): a connection of its own
    again = asyncio.run(db.write_group_on_loop([], [beginning(claimed[4], jane)]))
    assert again is not None and [o.status for o in again] == [BeginStatus.STARTED]
    assert days(db)["jane"] == 3
