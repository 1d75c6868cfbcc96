"""Uncertain sends wait for a person: `doctor` lists them, `resend --uncertain` sends the same
message again (same Message-ID, subject and variants), `mark_sent` records one that went out.

The uncertain row is made the real way: a worker is cut off in the middle of the SMTP call
(the tick is cancelled while the channel has not answered), so the row stays 'sending'; once a
lease has passed, the next tick turns it into 'uncertain'.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest
from sending_rig import HELSINKI, Rig, person

from sequencer.channels.base import Delivery, Result
from sequencer.channels.smtp import SmtpChannel
from sequencer.config import Sender
from sequencer.dispatch import LEASE
from sequencer.errors import SequencerError
from sequencer.store import Send


class CutOff:
    """The SMTP channel, except that while ``cut`` is set a delivery never returns."""

    def __init__(self) -> None:
        self.inner = SmtpChannel()
        self.cut = True
        self.calls = 0

    async def deliver(self, delivery: Delivery) -> Result:
        self.calls += 1
        if self.cut:
            await asyncio.Event().wait()
        return await self.inner.deliver(delivery)

    async def warm(self, sender: Sender) -> Result | None:
        return await self.inner.warm(sender)

    async def close(self) -> None:
        await self.inner.close()


def uncertain_rig(rig_factory: Callable[..., Rig], *emails: str) -> tuple[Rig, Send]:
    """A rig whose first send (to p0) was cut off mid-SMTP and is now 'uncertain'."""
    channel = CutOff()
    rig = rig_factory(channels={"email": channel})
    rig.import_rows([person(0), *(person(i) for i in range(1, len(emails) + 1))])
    first_due = rig.engine.enroll("cold", emails=["p0@example.com"]).first_due
    assert first_due is not None
    rig.clock.set(first_due)

    async def crash() -> None:  # the worker dies while the server has not answered
        try:
            await asyncio.wait_for(rig.engine.tick(), timeout=2)
        except TimeoutError:
            pass
        finally:
            await rig.engine.dispatcher.close()

    asyncio.run(crash())
    (sending,) = rig.sends("p0@example.com")
    assert sending.status == "sending" and sending.message_id is not None and channel.calls == 1
    # a crashed worker's row is reported as stuck once its lease is over, before any tick
    rig.clock.advance(LEASE + timedelta(seconds=1))
    assert [s.id for s in rig.engine.doctor().stuck] == [sending.id]
    channel.cut = False
    report = rig.drain()
    assert (
        report.claimed == 0
    )  # the tick only marked it: an uncertain send is never picked up again
    (send,) = rig.sends("p0@example.com")
    assert send.status == "uncertain" and send.message_id == sending.message_id
    assert rig.received("p0@example.com") == []
    return rig, send


def test_a_send_cut_off_mid_smtp_is_uncertain_listed_and_left_alone(
    rig_factory: Callable[..., Rig],
) -> None:
    rig, send = uncertain_rig(rig_factory)
    health = rig.engine.doctor()
    assert health.needs_decision and health.stuck == [] and health.failed_recently == 0
    (found,) = health.uncertain
    assert (found.id, found.email, found.sequence, found.step, found.sender) == (
        send.id,
        "p0@example.com",
        "cold",
        "intro",
        "jane",
    )
    assert (found.message_id, found.subject, found.begun_at) == (
        send.message_id,
        send.subject,
        send.sent_at,
    )
    assert found.error is not None and "crash" in found.error

    rig.run(days=30)  # weeks pass: nothing goes out without a decision, and nothing is lost
    assert rig.smtp.messages == []
    assert [s.status for s in rig.sends("p0@example.com")] == ["uncertain"]
    assert rig.enrollment("p0@example.com").status == "active"


def test_resend_sends_the_same_message_again_and_queues_the_next_step(
    rig_factory: Callable[..., Rig],
) -> None:
    rig, send = uncertain_rig(rig_factory)
    # the re-send meets a transient fault first: its retry still carries the same Message-ID
    rig.smtp.script = lambda rcpt, attempt: "451 4.3.0 try later" if attempt == 1 else None
    report = rig.engine.resend_uncertain()
    assert (report.requeued, report.skipped) == ([send.id], [])
    queued = rig.sends("p0@example.com")[0]
    assert (queued.status, queued.message_id, queued.due_at) == (
        "scheduled",
        send.message_id,
        rig.clock.now(),
    )
    assert not rig.engine.doctor().needs_decision

    rig.run(days=2)
    (message,) = rig.received("p0@example.com")
    assert message["Message-ID"] == send.message_id
    assert message["Subject"] == send.subject
    intro, bump = rig.sends("p0@example.com")
    assert (intro.status, intro.attempts, intro.message_id) == ("sent", 3, send.message_id)
    assert (intro.subject, intro.subject_key, intro.body_key) == (
        send.subject,
        send.subject_key,
        send.body_key,
    )
    assert intro.sent_at is not None and send.sent_at is not None and intro.sent_at > send.sent_at
    assert (bump.step_key, bump.status) == ("bump", "scheduled")
    assert bump.due_at.astimezone(HELSINKI).date() == intro.sent_at.astimezone(
        HELSINKI
    ).date() + timedelta(days=4)

    rig.run(days=30)
    first, follow_up = rig.received("p0@example.com")
    assert first["Message-ID"] == follow_up["In-Reply-To"] == send.message_id


def test_mark_sent_records_it_and_queues_the_next_step_without_sending(
    rig_factory: Callable[..., Rig],
) -> None:
    rig, send = uncertain_rig(rig_factory)
    assert rig.engine.mark_sent([send.id or 0]) == [send.id]

    intro, bump = rig.sends("p0@example.com")
    assert (intro.status, intro.sent_at, intro.message_id) == (
        "sent",
        send.sent_at,
        send.message_id,
    )
    assert rig.enrollment("p0@example.com").anchor_at == send.sent_at
    assert (bump.step_key, bump.status) == ("bump", "scheduled")
    assert send.sent_at is not None
    assert bump.due_at.astimezone(HELSINKI).date() == send.sent_at.astimezone(
        HELSINKI
    ).date() + timedelta(days=4)
    assert rig.smtp.messages == []
    assert not rig.engine.doctor().needs_decision

    rig.run(days=30)  # the thread continues from the message the person found in the Sent folder
    (follow_up,) = rig.received("p0@example.com")
    assert (
        follow_up["In-Reply-To"] == send.message_id
        and follow_up["Subject"] == f"Re: {send.subject}"
    )


def test_only_uncertain_sends_can_be_resent_or_marked(rig_factory: Callable[..., Rig]) -> None:
    rig, send = uncertain_rig(rig_factory, "p1@example.com")
    assert send.id is not None
    with pytest.raises(SequencerError, match="send 999 does not exist"):
        rig.engine.resend_uncertain([send.id, 999])
    assert rig.sends("p0@example.com")[0].status == "uncertain"  # all or nothing
    rig.engine.enroll("cold", emails=["p1@example.com"])
    rig.run(days=1)
    other = rig.sends("p1@example.com")[0]
    assert other.status == "sent"
    with pytest.raises(SequencerError, match=f"send {other.id} is 'sent', not uncertain"):
        rig.engine.mark_sent([other.id or 0])

    # a reply to the uncertain message arrived: it got there, and the sequence is over; no re-send
    rig.engine.stop("p0@example.com", reason="reply")
    report = rig.engine.resend_uncertain()
    assert report.requeued == [] and report.skipped == [
        (send.id, "its enrollment is stopped (reply)")
    ]
    assert rig.sends("p0@example.com")[0].status == "uncertain"
    assert rig.engine.mark_sent([send.id]) == [send.id]
    assert [s.status for s in rig.sends("p0@example.com")] == [
        "sent"
    ]  # nothing queued after a stop
    assert rig.received("p0@example.com") == []
