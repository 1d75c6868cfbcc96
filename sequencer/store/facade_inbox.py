"""The store facade's part for the inbox, events, hook signatures, job slots and tasks: each
method one transaction (:class:`sequencer.store.repository.Store` inherits it)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from sequencer.contacts import ContactRow
from sequencer.status import TaskStatus
from sequencer.store import events, inbox, jobs, tasks
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

    def inbound_seen(self, key: str) -> bool:
        return self._read(inbox.seen, key)

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
        assert message.uid >= 0
        try:
            args = (mailbox, uidvalidity, event, stop_reason, suppress, bounce_send, pause_until)
            return self._write(inbox.record, message, *args, company, referral)
        except sa.exc.IntegrityError:  # another poller recorded the same message at the same moment
            self.set_inbox_position(
                message.sender,
                mailbox,
                uidvalidity=uidvalidity,
                last_uid=message.uid,
                at=message.at,
            )
            return False

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
