"""Regressions from the review of the send path: a stop during SMTP login wins, a sender's
pause does not use up a recipient's attempts, and a send left in 'sending' becomes 'uncertain'."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sending_rig import Rig, person
from sqlmodel import select

from sequencer.channels.base import Delivery, Outcome, Result
from sequencer.channels.smtp import SmtpChannel
from sequencer.config import Sender
from sequencer.dispatch import LEASE, MAX_ATTEMPTS
from sequencer.store import Send


def test_a_stop_that_lands_while_the_smtp_login_is_under_way_wins(
    rig_factory: Callable[..., Rig],
) -> None:
    holder: list[Rig] = []

    class SlowLogin(SmtpChannel):
        """The reply is recorded while the connection to the sender's server is being opened."""

        async def warm(self, sender: Sender) -> Result | None:
            holder[0].engine.stop("p0@example.com", reason="reply")
            return await super().warm(sender)

    rig = rig_factory(channels={"email": SlowLogin()})
    holder.append(rig)
    rig.import_rows([person(0)])
    rig.engine.enroll("cold")
    rig.run(days=30)

    assert rig.received("p0@example.com") == []
    assert [(s.step_key, s.status) for s in rig.sends("p0@example.com")] == [("intro", "cancelled")]


def test_pauses_of_the_sender_do_not_use_up_the_recipients_attempts(
    rig_factory: Callable[..., Rig],
) -> None:
    class QuotaThenOk:
        """Answers a quota reply more times than a send has attempts, then accepts."""

        def __init__(self) -> None:
            self.calls = 0
            self.inner = SmtpChannel()

        async def deliver(self, delivery: Delivery) -> Result:
            self.calls += 1
            if self.calls <= MAX_ATTEMPTS + 2:
                return Result(
                    outcome=Outcome.PAUSE_SENDER,
                    detail="452 4.5.3 quota",
                    pause=timedelta(minutes=10),
                )
            return await self.inner.deliver(delivery)

        async def close(self) -> None:
            await self.inner.close()

    channel = QuotaThenOk()
    rig = rig_factory(channels={"email": channel})
    rig.import_rows([person(0)])
    rig.engine.enroll("cold")
    rig.run(days=2)

    assert channel.calls > MAX_ATTEMPTS + 2
    (intro, *_) = rig.sends("p0@example.com")
    assert (intro.step_key, intro.status, intro.attempts) == ("intro", "sent", 1)
    assert len(rig.received("p0@example.com")) == 1


def test_a_send_left_in_sending_becomes_uncertain_and_is_never_resent(rig: Rig) -> None:
    rig.import_rows([person(0)])
    rig.engine.enroll("cold")
    with rig.engine.store.session() as session:  # as a worker killed mid-SMTP leaves it
        send = session.exec(select(Send)).one()
        send.status, send.sent_at, send.message_id = (
            "sending",
            rig.clock.now(),
            "<lost@acme.example>",
        )
        session.add(send)
        session.commit()
    # ticks until just before its lease runs out (a longer run would also tick at the scoring
    # job's look, by then past the lease)
    rig.run(until=rig.clock.now() + LEASE - timedelta(seconds=1))
    assert rig.sends("p0@example.com")[0].status == "sending"  # not before a lease has passed
    rig.clock.advance(LEASE)
    rig.run(days=30)

    assert [s.status for s in rig.sends("p0@example.com")] == ["uncertain"]
    assert rig.received("p0@example.com") == []
