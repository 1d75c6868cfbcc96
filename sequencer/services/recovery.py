"""Sends that need a person: the uncertain ones (may or may not have gone out) and those stuck
past their lease. ``doctor`` lists them (:class:`Health`); a person either re-sends them as the
same message (:class:`ResendReport`) or marks them sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sequencer import results
from sequencer.booking import new_book, next_step
from sequencer.caps import SenderBook
from sequencer.errors import SequencerError
from sequencer.services import public
from sequencer.services.deps import Deps
from sequencer.store import Send


@dataclass(frozen=True, kw_only=True)
class UncertainSend:
    """A send that may or may not have gone out: what a person needs to decide about it."""

    id: int
    email: str
    sequence: str
    step: str
    sender: str
    message_id: str | None
    subject: str | None
    #: When it was begun: ``sending`` committed just before the server was called.
    begun_at: datetime | None
    #: Why it is uncertain.
    error: str | None


@dataclass(frozen=True, kw_only=True)
class Health:
    """What ``sequencer doctor`` reports."""

    uncertain: list[UncertainSend]
    #: Sends given up as failed in the last 7 days (for information: their enrollments ended).
    failed_recently: int
    #: Sends held in ``claimed`` or ``sending`` past their lease: is a worker running?
    stuck: list[results.StuckSend]
    #: Senders, sequences, steps and variants paused until a person lifts the hold (a refusal of
    #: the sender's domain, the bounce guard, a configuration fault), oldest first.
    holds: list[results.Hold]

    @property
    def needs_decision(self) -> bool:
        return bool(self.uncertain or self.stuck or self.holds)


@dataclass(frozen=True, kw_only=True)
class ResendReport:
    requeued: list[int]
    #: (send id, why) of uncertain sends left alone: their enrollment is no longer active.
    skipped: list[tuple[int, str]]


def uncertain(deps: Deps) -> list[UncertainSend]:
    """Sends that may or may not have gone out (a worker cut off mid-send, no answer after the
    message was handed over). They are never sent again without a person's decision."""
    sends = deps.store.uncertain_sends()
    contacts = deps.store.contacts_by_id({s.contact_id for s in sends})
    return [
        UncertainSend(
            id=s.id or 0,
            email=contacts[s.contact_id].email if s.contact_id in contacts else "?",
            sequence=s.sequence,
            step=s.step_key,
            sender=s.sender,
            message_id=s.message_id,
            subject=s.subject,
            begun_at=s.sent_at,
            error=s.error,
        )
        for s in sends
    ]


def doctor(deps: Deps) -> Health:
    """Uncertain sends, sends stuck past their lease, standing holds, and failures of the last
    7 days."""
    now = deps.clock.now()
    return Health(
        uncertain=uncertain(deps),
        failed_recently=deps.store.failed_since(now - timedelta(days=7)),
        stuck=[
            public.stuck_send(s) for s in deps.store.stuck_sends(now=now, lease=deps.config.lease)
        ],
        holds=[public.hold(h) for h in deps.store.holds.standing()],
    )


def resend_uncertain(deps: Deps, ids: Iterable[int] | None) -> ResendReport:
    """Queue uncertain sends (all, or those of ``ids``) to go out again, due now, as the same
    message: same Message-ID, subject and variants, so a server or client that already has it
    can drop the copy. Sends whose enrollment stopped meanwhile (a reply came) are left alone.
    """
    chosen = _uncertain_sends(deps, ids)
    requeued = deps.store.resend_uncertain(
        [s.id for s in chosen if s.id is not None], now=deps.clock.now()
    )
    enrollments = deps.store.enrollments_by_id({s.enrollment_id for s in chosen})
    skipped = []
    for send in chosen:
        if send.id in requeued:
            deps.log.info(
                "send.requeued",
                send_id=send.id,
                message_id=send.message_id,
                why="uncertain, re-sent by a person",
            )
            continue
        enrollment = enrollments.get(send.enrollment_id)
        status = enrollment.status if enrollment else "gone"
        reason = f" ({enrollment.stop_reason})" if enrollment and enrollment.stop_reason else ""
        skipped.append((send.id or 0, f"its enrollment is {status}{reason}"))
    return ResendReport(requeued=requeued, skipped=skipped)


def mark_sent(deps: Deps, ids: Iterable[int]) -> list[int]:
    """Record uncertain sends a person confirmed went out (found in the Sent folder) as sent,
    as a delivery would: day 0 anchored on message 1, the next step queued. Nothing is sent."""
    chosen = _uncertain_sends(deps, list(ids))
    enrollments = deps.store.enrollments_by_id({s.enrollment_id for s in chosen})
    marked = []
    books: dict[str, SenderBook] = {}
    for send in chosen:
        sent_at = send.sent_at or deps.clock.now()
        sequence = deps.sequences().get(send.sequence)
        enrollment = enrollments.get(send.enrollment_id)
        sender = deps.config.senders.get(send.sender)
        book = (
            books.setdefault(send.sender, new_book(deps.store, sender, now=deps.clock.now()))
            if sender is not None
            else None
        )
        following = (
            next_step(send, sequence, enrollment, sent_at, book=book)
            if sequence and enrollment
            else None
        )
        if deps.store.confirm_sent(send, sent_at=sent_at, next_send=following):
            marked.append(send.id or 0)
            deps.log.info("send.marked_sent", send_id=send.id, message_id=send.message_id)
    return marked


def _uncertain_sends(deps: Deps, ids: Iterable[int] | None) -> list[Send]:
    """The uncertain sends of ``ids`` (all when None); any other id refuses the whole
    request.
    """
    if ids is None:
        return deps.store.uncertain_sends()
    wanted = list(dict.fromkeys(ids))
    found = {s.id: s for s in deps.store.uncertain_sends(wanted)}
    problems = []
    for send_id in wanted:
        if send_id not in found:
            send = deps.store.send(send_id)
            problems.append(
                f"send {send_id} "
                + ("does not exist" if send is None else f"is '{send.status}', not uncertain")
            )
    if problems:
        raise SequencerError("nothing was changed: " + "; ".join(problems))
    return [found[i] for i in wanted]
