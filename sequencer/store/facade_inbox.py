"""The store facade's part for the inbox, events, hook signatures, job slots and tasks: each
method one transaction (:class:`sequencer.store.repository.Store` inherits it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa

from sequencer.contacts import ContactRow
from sequencer.status import TaskStatus
from sequencer.store import events, inbox, inbox_reads, jobs, tasks
from sequencer.store.tables import InboundMessage, Task
from sequencer.store.transactions import Transactions


class InboxAndEvents(Transactions):
    """Inbox positions and messages, events, signed hooks, job slots, tasks."""

    def add_event(
        self,
        *,
        kind: str,
        at: datetime,
        contact_id: int | None = None,
        enrollment_id: int | None = None,
        send_id: int | None = None,
        detail: str | None = None,
    ) -> None:
        """Record an event; one about a contact is credited to the latest send to them."""
        self._write(events.add_credited, kind, at, contact_id, enrollment_id, send_id, detail)

    def add_event_once(
        self,
        *,
        kind: str,
        at: datetime,
        since: datetime,
        send_id: int,
        contact_id: int,
        enrollment_id: int | None = None,
    ) -> bool:
        """Record an event on a send unless one of that kind was recorded since ``since``."""
        args = (kind, at, since, send_id, contact_id, enrollment_id)
        return self._write(events.add_once, *args)

    def event_kinds(self, contact_id: int, *, since: datetime) -> set[str]:
        """The kinds of event recorded for a contact at or after ``since``."""
        return self._read(events.kinds, contact_id, since=since)

    def accept_hook(self, signature: str, *, at: datetime, window: timedelta) -> bool:
        """Remember a signed hook request; False if the same signature was accepted before."""
        try:
            return self._write(events.accept_hook, signature, at=at, window=window)
        except sa.exc.IntegrityError:  # the same request, at the same moment, in another process
            return False

    def claim_job(self, job: str, slot: str, *, worker: str, at: datetime) -> bool:
        """True for the one worker that runs ``job`` for ``slot``; every other worker gets False."""
        return self._write(jobs.claim, job, slot, worker=worker, at=at)

    def inbox_position(self, sender: str, mailbox: str) -> tuple[int, int] | None:
        """(UIDVALIDITY, last UID handled) of a sender's folder, or None before its first poll."""
        return self._read(inbox.position, sender, mailbox)

    def set_inbox_position(
        self, sender: str, mailbox: str, *, uidvalidity: int, last_uid: int, at: datetime
    ) -> None:
        self._write(
            inbox.set_position, sender, mailbox, uidvalidity=uidvalidity, last_uid=last_uid, at=at
        )

    def inbound_seen(self, keys: Sequence[str]) -> set[str]:
        """Those of ``keys`` whose message was handled already."""
        return self._read(inbox.seen, keys)

    def inbox_batch_reads(
        self, keys: Sequence[str], message_ids: Sequence[str], email_keys: Sequence[str]
    ) -> inbox_reads.BatchReads:
        """What the poller reads about a batch of messages, in one read transaction: see
        :func:`inbox_reads.read`."""
        return self._read(inbox_reads.read, keys, message_ids, email_keys)

    def record_inbound(
        self,
        message: InboundMessage,
        *,
        mailbox: str,
        uidvalidity: int,
        event: str | None = None,
        stop_reason: str | None = None,
        suppress: str | None = None,
        bounce_send: bool = False,
        pause_until: datetime | None = None,
        company: str | None = None,
        referral: ContactRow | None = None,
    ) -> bool:
        """Apply one inbound message with the mailbox position: see :func:`inbox.record`."""
        effects = inbox.Effects(
            event=event,
            stop_reason=stop_reason,
            suppress=suppress,
            bounce_send=bounce_send,
            pause_until=pause_until,
            company=company,
            referral=referral,
        )
        at = message.at
        done = self.record_inbound_many(
            [(message, effects)],
            mailbox=mailbox,
            uidvalidity=uidvalidity,
            last_uid=message.uid,
            at=at,
        )
        return done[0]

    def record_inbound_many(
        self,
        messages: Sequence[tuple[inbox.Recordable, inbox.Effects]],
        *,
        mailbox: str,
        uidvalidity: int,
        last_uid: int,
        at: datetime,
    ) -> list[bool]:
        """Apply inbound messages of one sender's folder (about different contacts) and move its
        position to ``last_uid``, in one transaction: see :func:`inbox.record`. Whether each was
        new. A message another poller records at the same moment is then taken as handled: the
        others are applied one transaction each."""
        assert all(m.uid >= 0 for m, _ in messages)
        sender = messages[0][0].sender
        try:
            return self._write(
                inbox.record,
                messages,
                sender=sender,
                mailbox=mailbox,
                uidvalidity=uidvalidity,
                last_uid=last_uid,
                at=at,
            )
        except sa.exc.IntegrityError:  # another poller recorded one of them at the same moment
            if len(messages) == 1:
                self.set_inbox_position(
                    sender, mailbox, uidvalidity=uidvalidity, last_uid=last_uid, at=at
                )
                return [False]
        done = [
            self.record_inbound_many(
                [one], mailbox=mailbox, uidvalidity=uidvalidity, last_uid=one[0].uid, at=at
            )[0]
            for one in messages
        ]
        self.set_inbox_position(sender, mailbox, uidvalidity=uidvalidity, last_uid=last_uid, at=at)
        return done

    def inbound(self, *, limit: int = 50) -> list[InboundMessage]:
        """The messages read most recently, newest first."""
        return self._read(inbox.latest, limit=limit)

    def add_task(self, task: Task) -> int:
        return self._write(tasks.add, task)

    def tasks(
        self, *, status: str = TaskStatus.OPEN, due_before: datetime | None = None
    ) -> list[Task]:
        return self._read(tasks.listed, status=status, due_before=due_before)

    def close_task(self, task_id: int, *, status: str, at: datetime) -> Task | None:
        return self._write(tasks.close, task_id, status=status, at=at)
