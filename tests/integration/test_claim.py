"""The claim on both databases: which sends a worker takes (due and not held, or left by a worker
whose lease ran out), in which order, with every column it returns, and on PostgreSQL, that a
row another transaction has locked is skipped rather than waited for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from sequencer.status import SendStatus
from sequencer.store import Store
from sequencer.store.tables import CONTACTS, ENROLLMENTS, SENDS

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
MINUTE = timedelta(minutes=1)

#: id: (sender, status, due, claimed_by, lease_until)
ROWS = {
    1: ("a", SendStatus.SCHEDULED, NOW - 3 * MINUTE, None, None),
    2: ("a", SendStatus.SCHEDULED, NOW - MINUTE, None, None),
    3: ("a", SendStatus.SCHEDULED, NOW + 60 * MINUTE, None, None),  # not due yet
    4: ("b", SendStatus.CLAIMED, NOW - 2 * MINUTE, "gone", NOW - timedelta(seconds=1)),
    5: ("b", SendStatus.CLAIMED, NOW - 5 * MINUTE, "busy", NOW + MINUTE),  # lease still runs
    6: ("held", SendStatus.SCHEDULED, NOW - 4 * MINUTE, None, None),
    7: ("a", SendStatus.SENT, NOW - 10 * MINUTE, None, None),
    8: ("b", SendStatus.SCHEDULED, NOW - 2 * MINUTE, None, None),  # due with 4: after it, by id
}


def seeded(url: str) -> Store:
    store = Store(url)
    contacts = [
        {
            "id": i,
            "email": f"p{i}@x.example",
            "email_key": f"p{i}@x.example",
            "fields": {},
            "created_at": NOW,
            "updated_at": NOW,
        }
        for i in ROWS
    ]
    enrollments = [
        {
            "id": i,
            "contact_id": i,
            "sequence": "seq",
            "sender": sender,
            "status": "active",
            "timezone": "UTC",
            "enrolled_at": NOW,
        }
        for i, (sender, *_) in ROWS.items()
    ]
    sends = [
        {
            "id": i,
            "enrollment_id": i,
            "contact_id": i,
            "sequence": "seq",
            "sender": sender,
            "step_key": "one",
            "step_index": 0,
            "channel": "email",
            "status": status,
            "due_at": due,
            "claimed_by": by,
            "lease_until": until,
            "attempts": 0,
            "subject": f"subject {i}",
            "created_at": NOW,
        }
        for i, (sender, status, due, by, until) in ROWS.items()
    ]
    with store.engine.begin() as conn:
        conn.execute(sa.insert(CONTACTS), contacts)
        conn.execute(sa.insert(ENROLLMENTS), enrollments)
        conn.execute(sa.insert(SENDS), sends)
    store.holds.place("sender", reason="test", detail="held by a person", at=NOW, sender="held")
    return store


def test_claim_takes_due_and_expired_sends_in_due_order(database_url: str) -> None:
    store = seeded(database_url)
    try:
        claimed = store.claim_due(now=NOW, worker="w", limit=10, lease=LEASE)
        assert [s.id for s in claimed] == [1, 4, 8, 2]
        for send in claimed:
            assert send.status == SendStatus.CLAIMED
            assert send.claimed_by == "w"
            assert send.lease_until == NOW + LEASE
            sender, _, due, _, _ = ROWS[send.id or 0]
            assert (send.sender, send.due_at, send.subject) == (sender, due, f"subject {send.id}")
            assert (send.sequence, send.step_key, send.channel) == ("seq", "one", "email")
        # all taken, leases fresh: nothing more until one runs out or a hold is lifted
        assert store.claim_due(now=NOW, worker="x", limit=10, lease=LEASE) == []
        store.holds.lift("sender", by="test", at=NOW, sender="held")
        assert [s.id for s in store.claim_due(now=NOW, worker="x", limit=10, lease=LEASE)] == [6]
        later = NOW + 2 * MINUTE  # send 5's lease ran out; the others' did not
        assert [s.id for s in store.claim_due(now=later, worker="x", limit=10, lease=LEASE)] == [5]
        with store.engine.connect() as conn:
            rows = conn.execute(sa.select(SENDS.c.id, SENDS.c.claimed_by, SENDS.c.status)).all()
        assert {i: by for i, by, status in rows if status == SendStatus.CLAIMED} == {
            1: "w",
            2: "w",
            4: "w",
            5: "x",
            6: "x",
            8: "w",
        }
    finally:
        store.close()


def test_claim_respects_the_limit_across_both_kinds(database_url: str) -> None:
    store = seeded(database_url)
    try:
        first = store.claim_due(now=NOW, worker="w", limit=2, lease=LEASE)
        second = store.claim_due(now=NOW, worker="w", limit=10, lease=LEASE)
        assert [s.id for s in first] == [1, 4]
        assert [s.id for s in second] == [8, 2]
    finally:
        store.close()


def test_claim_skips_rows_another_worker_has_locked(pg_url: str) -> None:
    store = seeded(pg_url)
    other = sa.create_engine(pg_url)
    try:
        with other.begin() as conn:
            # another worker's claim, still in flight: its rows are locked until it commits
            locked = sa.select(SENDS.c.id).where(SENDS.c.id.in_([1, 4])).with_for_update()
            assert sorted(conn.execute(locked).scalars()) == [1, 4]
            claimed = store.claim_due(now=NOW, worker="w", limit=10, lease=LEASE)
            assert [s.id for s in claimed] == [8, 2]
        # once that transaction ended, the rows it held are free to claim
        assert [s.id for s in store.claim_due(now=NOW, worker="w", limit=10, lease=LEASE)] == [1, 4]
    finally:
        other.dispose()
        store.close()
