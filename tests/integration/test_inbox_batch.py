"""The inbox handles a fetched batch of messages in one transaction, on a real Dovecot account.

A batch that fails is not lost: its messages are handled again one transaction each, so the
others are recorded and the broken one is recorded as ``error`` (never passed over silently).
The SQL statements a poll runs do not grow with the number of messages it reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from imap_account import ImapAccount
from sending_rig import Rig, person
from sqlmodel import select
from test_inbox import first_messages, reply

import sequencer.store.enrollments
from sequencer.store import Event, InboundMessage


@pytest.fixture
def many_rig(rig_factory: object, imap: ImapAccount) -> Rig:
    rig: Rig = rig_factory(imap=imap.settings())  # type: ignore[operator]
    rig.import_rows([person(i) for i in range(1, 13)])
    rig.engine.enroll("cold", sender="jane")
    rig.run(days=1)
    return rig


def answer(rig: Rig, imap: ImapAccount, numbers: Sequence[int]) -> None:
    """APPEND a reply from p<i> in the thread of message 1 to them, for each i."""
    emails = [f"p{i}@example.com" for i in numbers]
    for address, message_id in first_messages(rig, emails).items():
        imap.append(
            reply(
                address,
                "Re: An idea",
                "Sounds good, let's talk.",
                in_reply_to=message_id,
                message_id=f"<answer-{address}>",
            )
        )


@contextmanager
def statements(rig: Rig) -> Iterator[list[int]]:
    """Counts the SQL statements sent to the database in the block (in ``[0]``)."""
    count = [0]

    def one(*_: object) -> None:
        count[0] += 1

    engine = rig.engine.store.engine
    sa.event.listen(engine, "before_cursor_execute", one)
    try:
        yield count
    finally:
        sa.event.remove(engine, "before_cursor_execute", one)


def test_a_batch_with_a_message_that_breaks_its_transaction_records_the_others(
    many_rig: Rig, imap: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = many_rig
    answer(rig, imap, [1, 2, 3, 4, 5])
    poisoned = rig.contact_id("p3@example.com")
    real = sequencer.store.enrollments.stop_many

    def fragile(conn: sa.Connection, stops: list[object], **kwargs: object) -> None:
        if any(getattr(s, "contact_id", None) == poisoned for s in stops):
            raise RuntimeError("a database failure on hostile input")
        real(conn, stops, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sequencer.store.enrollments, "stop_many", fragile)
    report = rig.engine.poll_inbox_sync()
    assert [h.kind for h in report.handled] == ["reply", "reply", "error", "reply", "reply"]
    assert not report.errors and report.duplicates == 0
    # nothing of the failed batch transaction was kept twice, and nothing of p3's reply applied
    assert rig.enrollment("p3@example.com").status == "active"
    for i in (1, 2, 4, 5):
        assert rig.enrollment(f"p{i}@example.com").stop_reason == "reply"
    with rig.engine.store.session() as s:
        kinds = sorted(m.kind for m in s.exec(select(InboundMessage)))
        replies = [e for e in s.exec(select(Event)) if e.kind == "reply"]
    assert kinds == ["error", "reply", "reply", "reply", "reply"]
    assert len(replies) == 4
    # the position is past all five: the broken one is recorded, not read again
    assert rig.engine.poll_inbox_sync().handled == []


def test_the_statements_of_a_poll_do_not_grow_with_its_messages(
    many_rig: Rig, imap: ImapAccount
) -> None:
    rig = many_rig
    rig.engine.poll_inbox_sync()  # the first poll reads the folder from the sender's first send
    answer(rig, imap, [1, 2, 3, 4])
    with statements(rig) as few:
        assert rig.engine.poll_inbox_sync().count("reply") == 4
    answer(rig, imap, range(5, 13))
    with statements(rig) as more:
        assert rig.engine.poll_inbox_sync().count("reply") == 8
    assert more[0] / 8 <= few[0] / 4, (few[0], more[0])
    # four more messages cost less than one statement each (it was about 18 each, one by one)
    assert more[0] - few[0] < 4, (few[0], more[0])
