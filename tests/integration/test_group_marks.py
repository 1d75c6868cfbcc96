"""One group of the writer, written straight through ``Store.write_group`` on either database
(on PostgreSQL through the driver's pipeline): each ``sending`` mark takes its slot or says why
not (the cap, a suppression, a hold, a sender day erased meanwhile), and the results record what
follows each send.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_sender_days import NOW, claimed_sends, quota

from sequencer.status import EnrollmentStatus, SendStatus
from sequencer.store import Beginning, BeginStatus, Begun, Quota, Send, SentRecord, Store, pipeline
from sequencer.store.sends import NewSend
from sequencer.store.tables import ENROLLMENTS, SENDER_DAYS, SENDS


def beginning(
    send: Send, q: Quota | None, *, keys: tuple[str, ...] = ("nobody@x.example",)
) -> Beginning:
    return Beginning(
        send=send,
        worker="w",
        now=NOW,
        suppression_keys=keys,
        message_id=f"<m{send.id}@acme.example>",
        subject="s",
        subject_key="question",
        body_key="short",
        in_reply_to=None,
        references=None,
        quota=q,
    )


def day_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(SENDER_DAYS.c.sent)).scalar_one())


def statuses(store: Store, ids: list[int]) -> list[str]:
    with store.engine.connect() as conn:
        query = sa.select(SENDS.c.id, SENDS.c.status).where(SENDS.c.id.in_(ids))
        rows = {send_id: status for send_id, status in conn.execute(query)}
    return [rows[i] for i in ids]


def test_a_groups_marks_take_slots_up_to_the_cap_and_say_why_not(
    database_url: str, tmp_path: Path
) -> None:
    ids = claimed_sends(database_url, tmp_path, 6)
    store = Store(database_url)
    try:
        sends = [store.send(i) for i in ids]
        assert all(s is not None for s in sends)
        claimed: list[Send] = [s for s in sends if s is not None]
        store.suppress("blocked@x.example", reason="test", at=NOW)
        q = quota(cap=3)
        marks = [beginning(s, q) for s in claimed[:4]]
        marks.append(beginning(claimed[4], q, keys=("blocked@x.example",)))
        marks.append(beginning(claimed[5], None))  # no slot to take (not an email)
        outcomes = store.write_group([], marks)
        assert [o.status for o in outcomes] == [
            BeginStatus.STARTED,
            BeginStatus.STARTED,
            BeginStatus.STARTED,
            BeginStatus.FULL,
            BeginStatus.GONE,
            BeginStatus.STARTED,
        ]
        assert outcomes[3].retry_at == q.until
        assert day_count(store) == 3
        assert statuses(store, ids) == ["sending"] * 3 + ["claimed"] * 2 + ["sending"]

        # the day's row erased meanwhile (by a tool): made again from the sends, then the slot
        with store.engine.begin() as conn:
            conn.execute(sa.delete(SENDER_DAYS))
        again = store.write_group([], [beginning(claimed[3], quota(cap=10))])
        assert [o.status for o in again] == [BeginStatus.STARTED]
        # the 4 emails begun so far counted anew, and this one (on SQLite, whose mark comes before
        # its slot, this one may be counted twice: never fewer than were begun)
        assert day_count(store) >= 5

        # a hold on the sender: the mark is refused and says so
        store.holds.place("sender", reason="test", detail="", at=NOW, sender="jane")
        held = store.write_group([], [beginning(claimed[4], quota(cap=10))])
        assert [o.status for o in held] == [BeginStatus.HELD]
        assert statuses(store, [ids[4]]) == ["claimed"]
    finally:
        store.close()


def test_a_groups_results_mark_sent_anchor_queue_and_complete(
    database_url: str, tmp_path: Path
) -> None:
    ids = claimed_sends(database_url, tmp_path, 3)
    store = Store(database_url)
    try:
        claimed = [s for s in (store.send(i) for i in ids) if s is not None]
        assert [o.status for o in store.write_group([], [beginning(s, None) for s in claimed])] == [
            BeginStatus.STARTED
        ] * 3
        later = NOW + timedelta(days=3)
        with store.engine.begin() as conn:  # the third enrollment was stopped meanwhile
            conn.execute(
                sa.update(ENROLLMENTS)
                .where(ENROLLMENTS.c.id == claimed[2].enrollment_id)
                .values(status=EnrollmentStatus.STOPPED)
            )
        # a key with what an array literal must escape: quotes, a backslash, a comma, braces
        odd = 'bump "2", a\\b {x} NULL'
        step = NewSend(step_key=odd, step_index=1, channel="email", due_at=later)
        sent_at = NOW + timedelta(seconds=5)
        store.write_group(
            [
                SentRecord(send=claimed[0], sent_at=sent_at, next_send=step),
                SentRecord(send=claimed[1], sent_at=sent_at, next_send=None),
                SentRecord(send=claimed[2], sent_at=sent_at, next_send=step),
            ],
            [],
        )
        assert statuses(store, ids) == [SendStatus.SENT] * 3
        with store.engine.connect() as conn:
            enrollments = {
                row.id: row
                for row in conn.execute(
                    sa.select(ENROLLMENTS).where(
                        ENROLLMENTS.c.id.in_([s.enrollment_id for s in claimed])
                    )
                )
            }
            queued = conn.execute(
                sa.select(SENDS.c.enrollment_id, SENDS.c.step_key, SENDS.c.status).where(
                    SENDS.c.step_index == 1
                )
            ).all()
        first, second, third = (enrollments[s.enrollment_id] for s in claimed)
        assert [e.anchor_at is not None for e in (first, second, third)] == [True] * 3
        assert (first.status, second.status, third.status) == ("active", "completed", "stopped")
        assert second.finished_at is not None and first.finished_at is None
        # the next step is queued for the active enrollment only, not for the stopped one
        assert [tuple(r) for r in queued] == [(claimed[0].enrollment_id, odd, "scheduled")]
    finally:
        store.close()


def test_a_failure_after_the_groups_commit_never_writes_the_group_twice(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the group commits inside its pipeline; why a mark was refused is read after.
    A failure there (a dropped connection) must not read as the group failed: the writer would
    write its results again and queue each next step twice. The refused mark's send waits."""
    ids = claimed_sends(database_url, tmp_path, 3)
    store = Store(database_url)
    if not pipeline.usable(store.engine):
        store.close()
        pytest.skip("only the pipelined path reads after its commit")
    try:
        claimed = [s for s in (store.send(i) for i in ids) if s is not None]
        assert store.write_group([], [beginning(claimed[0], None)])[0]

        def dropped(*_: object) -> Begun:
            raise sa.exc.OperationalError("SELECT …", {}, Exception("server closed the connection"))

        monkeypatch.setattr(pipeline, "_refused", dropped)
        step = NewSend(
            step_key="bump", step_index=1, channel="email", due_at=NOW + timedelta(days=3)
        )
        q = quota(cap=2)  # the day's row starts from the email sent above: one slot left
        outcomes = store.write_group(
            [SentRecord(send=claimed[0], sent_at=NOW, next_send=step)],
            [beginning(claimed[1], q), beginning(claimed[2], q)],  # the second is over the cap
        )
        assert [o.status for o in outcomes] == [BeginStatus.STARTED, BeginStatus.TOO_SOON]
        assert outcomes[1].retry_at == NOW + pipeline.UNREAD
        assert statuses(store, ids) == [SendStatus.SENT, "sending", "claimed"]
        with store.engine.connect() as conn:
            queued = conn.execute(sa.select(SENDS.c.id).where(SENDS.c.step_index == 1)).all()
        assert len(queued) == 1  # the next step, once
    finally:
        store.close()


def test_a_groups_results_run_on_one_plan_and_leave_the_connection_as_it_was(
    database_url: str, tmp_path: Path
) -> None:
    """On PostgreSQL the results' statement is planned once, not on every group: left to choose,
    the server makes a custom plan for each group's arrays (planning took longer than running it,
    in bench/claim.py). Counted by pg_stat_statements with track_planning. The setting is the
    group's own: the connection's next transaction plans as the server would."""
    n = 12
    ids = claimed_sends(database_url, tmp_path, n)
    store = Store(database_url)
    if not pipeline.usable(store.engine):
        store.close()
        pytest.skip("only the pipelined path sets how its statements are planned")
    try:
        with store.engine.connect() as conn:
            loaded = conn.execute(sa.text("SHOW shared_preload_libraries")).scalar_one()
        if "pg_stat_statements" not in loaded:
            pytest.skip("the server does not load pg_stat_statements")
        with store.engine.begin() as conn:
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
            name = conn.execute(sa.text("SELECT current_database()")).scalar_one()
            conn.execute(
                sa.text(f'ALTER DATABASE "{name}" SET pg_stat_statements.track_planning = on')
            )
        store.engine.dispose()  # new connections take the database's setting
        claimed = [s for s in (store.send(i) for i in ids) if s is not None]
        store.write_group([], [beginning(s, None) for s in claimed])
        before = _results_statement(store)
        for i, send in enumerate(claimed):  # one group per send, each with its own arrays
            sent_at = NOW + timedelta(seconds=i)
            store.write_group([SentRecord(send=send, sent_at=sent_at, next_send=None)], [])
        (calls, plans), (calls_before, plans_before) = _results_statement(store), before
        calls, plans = calls - calls_before, plans - plans_before
        assert calls == n
        # the driver prepares a statement after its 5th run; a prepared one is planned once
        assert plans <= 6, (calls, plans)
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SHOW plan_cache_mode")).scalar_one() == "auto"
    finally:
        store.close()


def _results_statement(store: Store) -> tuple[int, int]:
    """How often this database ran the results' statement, and planned it (pg_stat_statements)."""
    with store.engine.connect() as conn:
        calls, plans = conn.execute(
            sa.text(
                "SELECT coalesce(sum(calls), 0), coalesce(sum(plans), 0) FROM pg_stat_statements"
                " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND query LIKE 'WITH sent AS%'"
            )
        ).one()
    return int(calls), int(plans)


def test_a_result_written_twice_queues_its_next_step_once(
    database_url: str, tmp_path: Path
) -> None:
    """A group's commit can go through with its answer lost (the connection dropped on the way
    back); the writer then writes its items again one by one. The second write of a result must
    not queue its next step a second time."""
    ids = claimed_sends(database_url, tmp_path, 2)
    store = Store(database_url)
    try:
        claimed = [s for s in (store.send(i) for i in ids) if s is not None]
        store.write_group([], [beginning(s, None) for s in claimed])
        step = NewSend(step_key="bump", step_index=1, channel="email", due_at=NOW)
        records = [SentRecord(send=s, sent_at=NOW, next_send=step) for s in claimed]
        store.write_group(records, [])
        store.write_group(records[:1], [])  # the first result again
        with store.engine.connect() as conn:
            queued = conn.execute(
                sa.select(SENDS.c.enrollment_id).where(SENDS.c.step_index == 1)
            ).all()
        assert sorted(r[0] for r in queued) == sorted(s.enrollment_id for s in claimed)
        assert statuses(store, ids) == [SendStatus.SENT] * 2
    finally:
        store.close()
