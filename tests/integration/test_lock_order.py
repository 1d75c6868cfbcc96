"""PostgreSQL: the send path's transactions take their row locks in one order, so two of them
never wait on each other in a cycle (PostgreSQL would break the cycle after a second by failing
one of them, and the writer would then write that group's items again one by one).

- A group makes the sender days this process has not seen in (sender, day) order, whatever
  order its marks came in: an insert that meets another worker's new row waits for it.
- A company stop locks every colleague's enrollment before it cancels any of their sends (the
  order of every stop: enrollments before their sends), so it never holds a send that a group's
  mark waits for while it waits for an enrollment that group holds.
- Two company stops at one company take turns (an advisory lock per company), so neither holds
  the other's enrollment while it waits for its own; and a company stop locks no enrollment
  sooner than it did, so a bulk stop or a group that locks enrollments in another order still
  ends.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from test_group_marks import beginning
from test_group_statement import lock_waits, waiting_for_locks
from test_sender_days import NOW, claimed_sends, quota

from sequencer.model import StopReason
from sequencer.stops import StopPlan
from sequencer.store import SentRecord, Store, groups, pipeline
from sequencer.store.sends import NewChain, NewSend
from sequencer.store.tables import ENROLLMENTS, SENDER_DAYS, SENDS


@pytest.fixture
def stores(pg_url: str, tmp_path: Path) -> Iterator[tuple[list[int], list[Store]]]:
    """Six claimed sends (contacts p0..p5 at x.example, sender jane) and three stores on them,
    one per transaction of a test."""
    ids = claimed_sends(pg_url, tmp_path, 6)
    opened = [Store(pg_url) for _ in range(3)]
    try:
        yield ids, opened
    finally:
        for store in opened:
            store.close()


def _outcomes(jobs: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run each job in a thread of its own; what each returned, or the error it raised."""
    out: dict[str, Any] = {}

    def run(tag: str, job: Callable[[], Any]) -> None:
        try:
            out[tag] = job()
        except Exception as exc:  # the deadlock PostgreSQL breaks
            out[tag] = exc

    threads = [threading.Thread(target=run, args=item) for item in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return out


@pytest.mark.parametrize("path", ["pipeline", "statements"])
def test_two_groups_make_new_sender_days_in_one_order(
    stores: tuple[list[int], list[Store]], path: str
) -> None:
    """Two groups, each with marks for senders a and b whose days are new, in opposite orders;
    each pauses after its first new day's insert until the other has made one too (or half a
    second has passed). Made in the marks' order, each would then wait for the other's row: a
    deadlock. Made in (sender, day) order, the second waits for the first's row, and both
    groups are written."""
    ids, (store, _, _) = stores
    with store.engine.begin() as conn:
        for send_id, sender in zip(ids[:4], "abab", strict=True):
            conn.execute(sa.update(SENDS).where(SENDS.c.id == send_id).values(sender=sender))
    sends = [s for s in (store.send(i) for i in ids[:4]) if s is not None]
    marks = [beginning(s, replace(quota(cap=10), sender=s.sender)) for s in sends]
    first, second = [marks[0], marks[1]], [marks[3], marks[2]]  # a, b and b, a
    both = threading.Barrier(2, timeout=0.5)
    paused = threading.local()

    def pause(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if sql.lstrip().upper().startswith("INSERT INTO SENDER_DAYS") and not hasattr(
            paused, "once"
        ):
            paused.once = True
            # broken: the other waits for this one's row, as the order has it
            with contextlib.suppress(threading.BrokenBarrierError):
                both.wait()

    def write(group: list[Any]) -> Any:
        with store.engine.begin() as conn:
            if path == "pipeline":
                return pipeline.write(conn, [], group, set())
            return groups.write(conn, [], group, set())

    sa.event.listen(store.engine, "after_cursor_execute", pause)
    try:
        out = _outcomes({"first": lambda: write(first), "second": lambda: write(second)})
    finally:
        sa.event.remove(store.engine, "after_cursor_execute", pause)
    assert not [o for o in out.values() if isinstance(o, Exception)], out
    with store.engine.connect() as conn:
        made = conn.execute(sa.select(SENDER_DAYS.c.sender, SENDER_DAYS.c.sent)).all()
    assert sorted(made) == [("a", 2), ("b", 2)]


def test_a_company_stop_and_two_groups_do_not_deadlock(
    stores: tuple[list[int], list[Store]],
) -> None:
    """A company stop (p5 replied: stop everyone at x.example), held after its first cancel of
    a send; meanwhile a group of one mark (p0's send, jane's day) and a group that records p1's
    first step (so it updates p1's enrollment) and marks p2's send (jane's day). Had the stop
    cancelled p0's send before locking p1's enrollment, the first group would hold jane's day
    waiting for p0's send, the stop would wait for p1's enrollment, and the second group would
    wait for jane's day: a cycle. The stop locks the enrollments first, so all three end, and
    the stop wins: no send of a colleague starts."""
    ids, (one, other, stopping) = stores
    by_contact = sorted(
        (s for s in (one.send(i) for i in ids) if s is not None), key=lambda s: s.contact_id
    )
    jane = quota(cap=10)
    one.write_group([], [beginning(by_contact[4], jane)])  # jane's day is made
    held, release = threading.Event(), threading.Event()

    def hold(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if sql.lstrip().startswith("UPDATE sends") and not held.is_set():
            held.set()
            release.wait(10)

    step = NewSend(step_key="bump", step_index=1, channel="email", due_at=NOW + timedelta(days=3))
    recorded = SentRecord(send=by_contact[1], sent_at=NOW, next_send=step)
    results: dict[str, Any] = {}
    sa.event.listen(stopping.engine, "after_cursor_execute", hold)
    try:
        stop = threading.Thread(
            target=lambda: results.update(
                _outcomes(
                    {
                        "stop": lambda: stopping.stop(
                            by_contact[5].contact_id,
                            kind="reply",
                            reason="replied",
                            at=NOW,
                            company="x.example",
                        )
                    }
                )
            )
        )
        stop.start()
        assert held.wait(5)
        first = threading.Thread(
            target=lambda: results.update(
                _outcomes({"first": lambda: one.write_group([], [beginning(by_contact[0], jane)])})
            )
        )
        first.start()
        waiting_for_locks(one, 1)
        second = threading.Thread(
            target=lambda: results.update(
                _outcomes(
                    {
                        "second": lambda: other.write_group(
                            [recorded], [beginning(by_contact[2], jane)]
                        )
                    }
                )
            )
        )
        second.start()
        waiting_for_locks(one, 2)
    finally:
        release.set()
    for thread in (stop, first, second):
        thread.join(timeout=30)
    sa.event.remove(stopping.engine, "after_cursor_execute", hold)
    assert not [o for o in results.values() if isinstance(o, Exception)], results
    assert [b.status.value for b in results["first"]] == ["gone"]
    assert [b.status.value for b in results["second"]] == ["gone"]


def test_two_company_stops_at_one_company_do_not_deadlock(
    stores: tuple[list[int], list[Store]],
) -> None:
    """p0 and p1, colleagues at x.example, reply at the same moment, and each reply stops the
    whole company. Each stop pauses after its first locking read until the other has come to its
    own too, or is seen waiting for a lock. Each locks its colleagues first and its own
    enrollment last: at once, each would hold the other's enrollment and wait for its own, a
    deadlock, which PostgreSQL breaks after a second by failing one stop. Company stops at one
    company take turns: the second waits for the first, and both end, with every enrollment at
    the company stopped once."""
    ids, (one, other, reader) = stores
    contacts = sorted({s.contact_id for s in (reader.send(i) for i in ids) if s is not None})
    arrived = threading.Semaphore(0)

    def pause(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if "FOR UPDATE" in sql and not getattr(_paused, "once", False):
            _paused.once = True
            arrived.release()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if arrived.acquire(timeout=0.01):  # the other's pause: both hold their locks
                    arrived.release()
                    return
                if lock_waits(reader):
                    return

    def stop(store: Store, contact_id: int) -> Any:
        return store.stop(contact_id, kind="reply", reason="replied", at=NOW, company="x.example")

    for store in (one, other):
        sa.event.listen(store.engine, "after_cursor_execute", pause)
    try:
        out = _outcomes(
            {"p0": lambda: stop(one, contacts[0]), "p1": lambda: stop(other, contacts[1])}
        )
    finally:
        for store in (one, other):
            sa.event.remove(store.engine, "after_cursor_execute", pause)
    assert not [o for o in out.values() if isinstance(o, Exception)], out
    with reader.engine.connect() as conn:
        states = conn.execute(
            sa.text("SELECT status, count(*) FROM enrollments GROUP BY status")
        ).all()
        company_events = conn.execute(
            sa.text("SELECT count(*) FROM events WHERE kind = 'company'")
        ).scalar_one()
    assert dict(states) == {"stopped": len(contacts)}
    # the first stop ends the other five as colleagues; the second finds its own already ended
    assert company_events == len(contacts) - 1


def _held_at(store: Store, starts: str) -> tuple[threading.Event, threading.Event, Any]:
    """A hook that holds ``store``'s first statement starting with ``starts`` after it ran, until
    released: (held, release, hook)."""
    held, release = threading.Event(), threading.Event()

    def hook(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if sql.lstrip().startswith(starts) and not held.is_set():
            held.set()
            release.wait(5)

    sa.event.listen(store.engine, "after_cursor_execute", hook)
    return held, release, hook


def _both(
    store: Store, starts: str, first: Callable[[], Any], second: Callable[[], Any], reader: Store
) -> dict[str, Any]:
    """``first`` held after its first statement starting with ``starts`` until ``second`` waits
    for a lock; what each returned or raised."""
    held, release, hook = _held_at(store, starts)
    out: dict[str, Any] = {}
    one = threading.Thread(target=lambda: out.update(_outcomes({"first": first})))
    one.start()
    try:
        assert held.wait(5)
        two = threading.Thread(target=lambda: out.update(_outcomes({"second": second})))
        two.start()
        waiting_for_locks(reader, 1)
    finally:
        release.set()
    one.join(30)
    two.join(30)
    sa.event.remove(store.engine, "after_cursor_execute", hook)
    return out


def test_a_bulk_stop_and_a_company_stop_do_not_deadlock(
    stores: tuple[list[int], list[Store]],
) -> None:
    """A bulk stop of d then c (contact id order), held after it cancelled d's sends; then c's
    reply stops the company, c's enrollment id below d's (d was enrolled again). A company stop
    that locked c's enrollment before d's would hold c's while waiting for d's, and the bulk stop
    would wait for c's: a cycle. It locks its colleagues (d) first and its own last, so it waits
    for the bulk stop holding nothing the bulk stop needs, and both end."""
    _, (bulk, company, reader) = stores
    with reader.engine.begin() as conn:
        rows = conn.execute(sa.select(ENROLLMENTS).order_by(ENROLLMENTS.c.contact_id)).all()
        d, c = rows[0].contact_id, rows[1].contact_id
        conn.execute(
            sa.update(ENROLLMENTS).where(ENROLLMENTS.c.id == rows[0].id).values(status="completed")
        )
        again = conn.execute(
            sa.insert(ENROLLMENTS)
            .values(
                contact_id=d,
                sequence="cold",
                sender="jane",
                status="active",
                timezone="UTC",
                enrolled_at=NOW,
            )
            .returning(ENROLLMENTS.c.id)
        ).scalar_one()
        conn.execute(
            sa.update(SENDS).where(SENDS.c.enrollment_id == rows[0].id).values(enrollment_id=again)
        )
    assert rows[1].id < again
    plan = StopPlan(event="manual", stop=StopReason.MANUAL)
    out = _both(
        bulk,
        "UPDATE sends",
        lambda: bulk.stop_many([(d, plan), (c, plan)], at=NOW, detail=None),
        lambda: company.stop(c, kind="reply", reason="replied", at=NOW, company="x.example"),
        reader,
    )
    assert not [o for o in out.values() if isinstance(o, Exception)], out


def test_a_group_that_chains_and_a_company_stop_do_not_deadlock(
    stores: tuple[list[int], list[Store]],
) -> None:
    """A group records x's last step (its sequence chains, so x's enrollment is completed first)
    and c's second step (whose next step is queued, a foreign key to c's enrollment), held after
    it completed x's; then c's reply stops the company, c's enrollment id below x's. A company
    stop that locked c's enrollment before x's would block the queued step's key check while
    waiting for x's: a cycle. It locks x's (a colleague's) first, so both end."""
    ids, (writer, stopping, reader) = stores
    with reader.engine.begin() as conn:
        conn.execute(
            sa.update(SENDS).where(SENDS.c.id.in_(ids)).values(status="sending", sent_at=NOW)
        )
    out_now = sorted((s for s in (reader.send(i) for i in ids) if s), key=lambda s: s.contact_id)
    c, x = out_now[0], out_now[3]
    assert c.enrollment_id < x.enrollment_id
    last = SentRecord(
        send=x.model_copy(update={"step_index": 2}),
        sent_at=NOW,
        next_send=NewChain(sequence="cold", starts_at=NOW + timedelta(days=7)),
    )
    second = SentRecord(
        send=c.model_copy(update={"step_index": 1}),
        sent_at=NOW,
        next_send=NewSend(
            step_key="bump", step_index=2, channel="email", due_at=NOW + timedelta(days=3)
        ),
    )
    out = _both(
        writer,
        "UPDATE enrollments",
        lambda: writer.write_group([last, second], []),
        lambda: stopping.stop(
            c.contact_id, kind="reply", reason="replied", at=NOW, company="x.example"
        ),
        reader,
    )
    assert not [o for o in out.values() if isinstance(o, Exception)], out


def test_a_bulk_stop_with_a_company_stop_in_it_and_a_company_stop_do_not_deadlock(
    stores: tuple[list[int], list[Store]],
) -> None:
    """A bulk stop of a (a reply whose sequence stops only the contact) then b (one that stops the
    company), held after it cancelled a's sends; meanwhile c's reply stops the company, which
    waits for a's enrollment. Had the bulk stop waited for the company's turn only when it came
    to b, it would wait for c's stop while holding a's enrollment, which c's stop waits for: a
    cycle. It takes its companies' turns before its first stop, so c's stop waits for it."""
    _, (bulk, company, reader) = stores
    with reader.engine.connect() as conn:
        rows = conn.execute(sa.select(ENROLLMENTS).order_by(ENROLLMENTS.c.id)).all()
    a, b, c = rows[0].contact_id, rows[1].contact_id, rows[5].contact_id
    plain = StopPlan(event="reply", stop=StopReason.REPLY)
    scoped = StopPlan(event="reply", stop=StopReason.REPLY, company="x.example")
    out = _both(
        bulk,
        "UPDATE sends",
        lambda: bulk.stop_many([(a, plain), (b, scoped)], at=NOW, detail=None),
        lambda: company.stop(c, kind="reply", reason="replied", at=NOW, company="x.example"),
        reader,
    )
    assert not [o for o in out.values() if isinstance(o, Exception)], out
    with reader.engine.connect() as conn:
        states = conn.execute(sa.select(ENROLLMENTS.c.status).distinct()).scalars().all()
    assert states == ["stopped"]


_paused = threading.local()
