"""Polling senders' mailboxes: replies, out-of-office answers, bounces, unsubscribe requests and
feedback-loop complaints (ARF: stopped and suppressed as an unsubscribe, recorded as ``complaint``).

For every new message in a sender's folder (INBOX by default; never the Sent folder):

1. classify it (:mod:`sequencer.inbound.classify`);
2. find what it is about: the send whose Message-ID it names (In-Reply-To / References, or the
   returned message inside a bounce), else the contact it comes from (a reply) or the address
   that failed (a bounce), if we sent to them recently;
3. record the event, stop or pause the enrollment, suppress the address, and move the folder's
   position past it, in one transaction for a batch of messages. A DSN whose refusal blames our
   side (:mod:`sequencer.refusals`: the sender's domain or policy, or the content) stops and
   suppresses nobody: as at send time, the sender or the send's body variant is held, in a call
   right after that transaction, and so is the bounce guard's look after a bounce. The host's
   hooks hear of each message once its transaction is committed.

A batch is read with a few ``IN`` look-ups (:mod:`sequencer.inbox_lookups`, which says how a
message about someone an earlier one changes waits for that one's commit).

A message handled once is never handled again: the position survives restarts, and each
message is also remembered by its Message-ID, so a renumbered folder (new UIDVALIDITY) or the
same message in two senders' mailboxes counts once. A first poll (or one after the server
renumbered the folder) reads only mail that arrived since the sender's first send, and a
message matched only by its From address must be newer than what we sent that person.

One message that cannot be handled (a database error on hostile input) is recorded as
``error`` and skipped: when a batch fails, its messages are handled again one transaction each,
so the others are recorded and the broken one is never passed over silently. One mailbox that
cannot be read never stops the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import structlog

from sequencer import refusals, timing
from sequencer.booking import step_of
from sequencer.clock import Clock
from sequencer.config import Config, ImapSettings, Sender
from sequencer.contacts import ContactRow, contact_key
from sequencer.errors import ConfigError
from sequencer.hooks import Hooks
from sequencer.inbound.classify import Inbound, Intent, Kind, classify
from sequencer.inbound.imap import FetchAhead, ImapMailbox, Mailbox, MailboxError
from sequencer.inbox_lookups import MAX_REFERENCES, Lookups, Read, Touched, key_of, written_at
from sequencer.model import Sequence, StopReason
from sequencer.services import holds
from sequencer.services.stopping import announce, plan_stop
from sequencer.stops import StopEvent
from sequencer.store import Contact, InboundMessage, Send, Store
from sequencer.store.inbox import Effects, InboundRow

#: Messages fetched from one folder at a time, and handled in one transaction.
BATCH = 200
#: How much older than our send a message matched only by address may claim to be (clock skew).
SKEW = timedelta(days=1)
#: Refusal classes that blame our side: a DSN of these holds, as at send time, and stops nobody.
_OUR_SIDE = (refusals.Refusal.SENDER, refusals.Refusal.CONTENT)


@dataclass(frozen=True, kw_only=True)
class Handled:
    """One message read, and what was made of it."""

    sender: str
    uid: int
    kind: str
    from_address: str | None
    subject: str
    contact: str | None
    action: str
    #: A reply's intent (positive, not_interested, referral, ...), None for other kinds.
    intent: str | None = None


@dataclass
class PollReport:
    handled: list[Handled] = field(default_factory=list)
    #: Messages skipped because they were handled before (same Message-ID).
    duplicates: int = 0
    #: Sender name → why its mailbox could not be read.
    errors: dict[str, str] = field(default_factory=dict)

    def count(self, kind: str) -> int:
        return sum(1 for h in self.handled if h.kind == kind)


class InboxPoller:
    def __init__(
        self,
        store: Store,
        config: Config,
        sequences: Callable[[], Mapping[str, Sequence]],
        clock: Clock,
        *,
        mailbox: Callable[[ImapSettings], Mailbox] = ImapMailbox,
        log: structlog.typing.FilteringBoundLogger | None = None,
        hooks: Hooks | None = None,
    ) -> None:
        self.store, self.config, self.sequences, self.clock = store, config, sequences, clock
        self.mailbox = mailbox
        self.log = log or structlog.get_logger("sequencer.inbox")
        #: The host's event hooks, told once a message's reply, bounce or stop is committed.
        self.hooks = hooks or Hooks(self.log)

    def senders(self, names: Iterable[str] | None = None) -> list[Sender]:
        chosen = (
            [self.config.sender(n) for n in names] if names else list(self.config.senders.values())
        )
        return [s for s in chosen if s.imap is not None]

    async def poll(self, names: Iterable[str] | None = None) -> PollReport:
        """Read every configured mailbox (or the named senders') once, up to the end of each
        folder.
        """
        report = PollReport()
        for sender in self.senders(names):
            try:
                await self._poll_sender(sender, report)
            except (MailboxError, ConfigError) as exc:
                report.errors[sender.name] = str(exc)
                self.log.warning("inbox.unreadable", sender=sender.name, error=str(exc))
            except Exception as exc:  # one mailbox must never stop the others
                report.errors[sender.name] = f"{type(exc).__name__}: {exc}"
                self.log.exception("inbox.failed", sender=sender.name, error=str(exc))
        return report

    async def _poll_sender(self, sender: Sender, report: PollReport) -> None:
        assert sender.imap is not None
        ahead, folder = FetchAhead(self.mailbox(sender.imap), limit=BATCH), sender.imap.mailbox
        while True:
            position = self.store.inbox_position(sender.name, folder)
            uidvalidity, after = position if position else (None, 0)
            fetched = await ahead.fetch(
                uidvalidity=uidvalidity, after_uid=after, since=self._since(sender)
            )
            if uidvalidity is not None and fetched.uidvalidity != uidvalidity:
                self.log.warning(
                    "inbox.renumbered",
                    sender=sender.name,
                    mailbox=folder,
                    old=uidvalidity,
                    new=fetched.uidvalidity,
                )
            if not fetched.messages:
                self.store.set_inbox_position(
                    sender.name,
                    folder,
                    uidvalidity=fetched.uidvalidity,
                    last_uid=after if uidvalidity == fetched.uidvalidity else 0,
                    at=self.clock.now(),
                )
                return
            if fetched.more:  # the next batch is read while this one is handled
                last, since = fetched.messages[-1][0], self._since(sender)
                ahead.start(uidvalidity=fetched.uidvalidity, after_uid=last, since=since)
            for handled in self._handle_batch(sender, fetched.messages, fetched.uidvalidity):
                if handled is None:
                    report.duplicates += 1
                else:
                    report.handled.append(handled)
            if not fetched.more:
                return

    def _since(self, sender: Sender) -> date:
        """Where a first poll starts: the day before the sender's first send (today if none yet)."""
        first = self.store.first_send_at(sender.name) or self.clock.now()
        return (first - timedelta(days=1)).date()

    # -- a batch of messages -------------------------------------------------------------------

    def _handle_batch(
        self, sender: Sender, messages: list[tuple[int, bytes]], uidvalidity: int
    ) -> list[Handled | None]:
        """Handle fetched messages in as few transactions as they allow; when that fails, the
        messages not committed yet are handled again one transaction each
        (:meth:`_handle_safely`)."""
        done: list[Handled | None] = []
        try:
            now = self.clock.now()
            reads = [self._read(sender, uid, raw, now) for uid, raw in messages]
            while len(done) < len(reads):
                done.extend(self._handle_run(sender, reads[len(done) :], uidvalidity, now))
        except Exception as exc:
            self.log.warning(
                "inbox.batch_failed",
                sender=sender.name,
                error=type(exc).__name__,
                left=len(messages) - len(done),
            )
            for uid, raw in messages[len(done) :]:
                done.append(self._handle_safely(sender, raw, uid=uid, uidvalidity=uidvalidity))
        return done

    def _handle_safely(
        self, sender: Sender, raw: bytes, *, uid: int, uidvalidity: int
    ) -> Handled | None:
        """:meth:`handle`, but a message that breaks it is recorded as ``error`` and skipped."""
        assert sender.imap is not None
        try:
            return self.handle(sender, raw, uid=uid, uidvalidity=uidvalidity)
        except Exception as exc:
            self.log.exception(
                "inbox.message_failed", sender=sender.name, uid=uid, error=type(exc).__name__
            )
            row = _failed(sender, uid, uidvalidity, exc, self.clock.now())
            self.store.record_inbound(row, mailbox=sender.imap.mailbox, uidvalidity=uidvalidity)
            return Handled(
                sender=sender.name, uid=uid, kind="error", from_address=None, subject="",
                contact=None, action=row.detail,
            )  # fmt: skip

    def handle(self, sender: Sender, raw: bytes, *, uid: int, uidvalidity: int) -> Handled | None:
        """Classify, match and apply one message in its own transaction; None if it was handled
        before."""
        now = self.clock.now()
        return self._handle_run(sender, [self._read(sender, uid, raw, now)], uidvalidity, now)[0]

    def _read(self, sender: Sender, uid: int, raw: bytes, now: datetime) -> Read:
        """One message classified, with the keys it is remembered by."""
        info = classify(raw, today=now.astimezone(sender.timezone).date())
        return Read.of(sender.name, uid, raw, info)

    def _handle_run(
        self, sender: Sender, reads: list[Read], uidvalidity: int, now: datetime
    ) -> list[Handled | None]:
        """Plan the first of ``reads`` and those after it that touch nothing an earlier one
        changes, write them in one transaction with the folder's position, then do what follows
        each commit. Returns what was made of that leading part (one message at least)."""
        assert sender.imap is not None
        lookups = Lookups.read(self.store, reads)
        touched = Touched()
        planned: list[tuple[Read, _Plan, str | None] | None] = []
        for read in reads:
            if planned and touched.overlaps(lookups.about(read)):
                break
            if lookups.recorded(read.shared, read.own):
                planned.append(None)
                continue
            plan = self._plan(sender, read.info, now, read.raw, lookups)
            if planned and plan.company is not None:  # it stops colleagues the others may be
                break
            touched.add(plan.contact, plan.company, plan.referral)
            lookups.remember(read.shared if plan.contact is not None else read.own)
            planned.append((read, plan, self._stopping_now(plan, lookups)))
        last_uid = reads[len(planned) - 1].uid
        written = _record(self.store, sender, last_uid, planned, uidvalidity, now)
        return [
            self._after_commit(sender, item, now) if item is not None and new else None
            for item, new in zip(planned, written, strict=True)
        ]

    def _after_commit(
        self, sender: Sender, item: tuple[Read, _Plan, str | None], now: datetime
    ) -> Handled:
        """What follows a committed message: its log line, a hold or the bounce guard's look, and
        the host's hooks."""
        read, plan, stopping = item
        info = read.info
        fields = {"sender": sender.name, "uid": read.uid, "kind": plan.kind, "action": plan.action}
        if plan.contact is not None:
            fields["contact_id"] = plan.contact.id
        self.log.info("inbox.message", **fields)
        try:
            self._hold_or_guard(plan, info, now)
        except Exception as exc:  # the message is recorded: it is not handled again
            self.log.exception(
                "inbox.hold_failed", sender=sender.name, uid=read.uid, error=str(exc)
            )
        self._announce(plan, info, stopping, now)
        return Handled(
            sender=sender.name,
            uid=read.uid,
            kind=plan.kind,
            from_address=info.from_address,
            subject=info.subject,
            contact=plan.contact.email if plan.contact else None,
            action=plan.action,
            intent=info.intent,
        )

    def _plan(
        self, sender: Sender, info: Inbound, now: datetime, raw: bytes, lookups: Lookups
    ) -> _Plan:
        own = {sender.email.lower(), (sender.reply_to or sender.email).lower()}
        reports = (Kind.BOUNCE, Kind.COMPLAINT)  # about our message, never a copy of it
        # a message carrying one of our own Message-IDs is a copy of what we sent, never a reply
        ours = bool(info.message_id) and bool(lookups.sends_named((info.message_id or "",)))
        if info.kind not in reports and (info.from_address in own or ours):
            return _Plan(kind="own", action="ignored: a copy of our own message")
        if info.kind is Kind.OTHER:
            return _Plan(kind="other", action="ignored: unreadable")
        match = self._match(info, raw, lookups)
        send, contact, by_reference = match.send, match.contact, match.by_reference
        if contact is None:
            why = match.note or (
                "older than our last message to them"
                if send is not None
                else "not about any contact we wrote to"
            )
            return _Plan(kind="unmatched", action=f"ignored: {why}")
        plan = self._plan_for(info, send, contact, lookups, by_reference=by_reference)
        return replace(plan, action=f"{plan.action} ({match.note})") if match.note else plan

    def _plan_for(
        self,
        info: Inbound,
        send: Send | None,
        contact: Contact,
        lookups: Lookups,
        *,
        by_reference: bool,
    ) -> _Plan:
        sequence = send.sequence if send is not None else None
        if info.kind is Kind.BOUNCE:
            status = info.status or ("5.x.x" if info.hard else "4.x.x")
            if not info.hard:
                return _Plan(
                    kind="soft_bounce",
                    event="soft_bounce",
                    contact=contact,
                    send=send,
                    action=f"recorded a soft bounce ({status}); no suppression",
                )
            refusal = refusals.classify(None, info.diagnostic or "", status)
            if refusal in _OUR_SIDE:  # as on the send path: a hold, not a stop
                return self._refused(info, refusal, contact, send, by_reference=by_reference)
            event = StopEvent(
                StopReason.BOUNCE,
                policy=info.policy,
                names_our_message=by_reference,
                sequence=sequence,
            )
            if info.policy:  # refused for who sent it (blocklist, DMARC), not for the address
                action = (
                    f"policy rejection ({status}): stopped; address "
                    "not suppressed, check the sending setup"
                )
            elif not by_reference:  # names an address we mailed, but none of our messages
                action = (
                    f"hard bounce ({status}): stopped; not suppressed "
                    "(it names none of our messages)"
                )
            else:
                action = f"hard bounce ({status}): stopped and suppressed"
            return self._stopping(event, contact, send, action, lookups, bounce_send=True)
        if info.kind is Kind.AUTO_REPLY:
            until = self._resume_at(contact, info, lookups)
            return _Plan(
                kind="auto_reply",
                event="auto_reply",
                contact=contact,
                send=send,
                pause_until=until,
                action=f"out of office: paused until {info.return_date}"
                if until
                else "out of office: not stopped",
            )
        if info.kind is Kind.UNSUBSCRIBE:
            event = StopEvent(StopReason.UNSUBSCRIBE, sequence=sequence)
            action = "asked to be removed: stopped and suppressed"
            return self._stopping(event, contact, send, action, lookups)
        if info.kind is Kind.COMPLAINT:  # stops as an unsubscribe does, recorded as a complaint
            event = StopEvent(StopReason.UNSUBSCRIBE, sequence=sequence)
            action = "complaint (marked as spam): stopped and suppressed"
            return replace(
                self._stopping(event, contact, send, action, lookups),
                kind="complaint",
                event="complaint",
            )
        event = StopEvent(StopReason.REPLY, sequence=sequence)
        replied = self._stopping(event, contact, send, "replied: stopped", lookups)
        return self._referring(info, contact, replied, lookups)

    def _refused(
        self,
        info: Inbound,
        refusal: refusals.Refusal,
        contact: Contact,
        send: Send | None,
        *,
        by_reference: bool,
    ) -> _Plan:
        """A DSN refusing our side (the sender's domain, authentication or policy; or the
        content): nobody is suppressed and the enrollment goes on. The refusal is recorded on the
        send the DSN returns, and the sender (or that send's body variant) is held right after
        (:meth:`_hold_or_guard`); a DSN naming none of our messages holds nothing."""
        whose = "content" if refusal is refusals.Refusal.CONTENT else "sender"
        said = "; ".join(w for w in (info.status, info.diagnostic) if w) or "no status"
        if not by_reference or send is None:
            held, send = "nothing held (it names none of our messages)", None
        elif refusal is refusals.Refusal.CONTENT:
            held = "the body variant of this send held"
        else:
            held = "the sender held"
        return _Plan(
            kind="refused",
            event=holds.REFUSED_EVENT.format(refusal.value),
            contact=contact,
            send=send,
            refusal=refusal if send is not None else None,
            action=f"refused, {whose} class ({said}): not stopped, not suppressed; {held}",
        )

    def _hold_or_guard(self, plan: _Plan, info: Inbound, now: datetime) -> None:
        """What follows the message's transaction, in calls of its own, as on the send path
        (:mod:`sequencer.services.holds`): the hold a refusal of our side places, or the bounce
        guard's look after a bounce."""
        send = plan.send
        if send is None:
            return
        if plan.refusal is not None:
            sequence = self.sequences().get(send.sequence)
            diagnostic = info.diagnostic or ""
            if info.status and info.status not in diagnostic:
                diagnostic = f"{info.status} {diagnostic}"
            holds.hold_refused(
                self.store,
                self.log,
                send=send,
                step=step_of(sequence, send) if sequence is not None else None,
                refusal=plan.refusal,
                words=f"a delivery report (DSN) says: {diagnostic.strip()}",
                at=now,
            )
        elif plan.bounce_send and (sender := self.config.senders.get(send.sender)) is not None:
            holds.check_guard(self.store, self.log, sender=sender, sequence=send.sequence, at=now)

    def _referring(self, info: Inbound, replier: Contact, plan: _Plan, lookups: Lookups) -> _Plan:
        """A referral's address becomes a contact, flagged ``referred_by`` the replier and never
        enrolled; one already known (or one of our senders, or the replier) is left as it is.
        """
        address = info.referred
        if info.intent is not Intent.REFERRAL or address is None:
            return plan
        key = contact_key(address)
        ours = {contact_key(s.reply_to or s.email) for s in self.config.senders.values()}
        ours |= {contact_key(s.email) for s in self.config.senders.values()}
        if key == replier.email_key or key in ours:
            return plan
        if lookups.contact(address) is not None:
            return replace(plan, action=f"{plan.action}; referred {address}, already a contact")
        row = ContactRow(row=0, email=address, email_key=key, fields={"referred_by": replier.email})
        action = f"{plan.action}; referred {address}: added as a contact, not enrolled"
        return replace(plan, referral=row, action=action)

    def _stopping(
        self,
        event: StopEvent,
        contact: Contact,
        send: Send | None,
        action: str,
        lookups: Lookups,
        *,
        bounce_send: bool = False,
    ) -> _Plan:
        """The inbox's record of ``event``, as the stop policy decides it."""
        free_mail = self.config.free_mail
        plan = plan_stop(
            self.store, contact, event, self.sequences, free_mail, known=lookups.active
        )
        if not plan.stops:
            action = "replied: recorded (sequence keeps going)"
        if plan.company:
            action = f"{action}, and everyone at {plan.company}"
        return _Plan(
            kind=plan.event,
            event=plan.event,
            stop_reason=plan.stop.value if plan.stop is not None else None,
            suppress=plan.suppress,
            bounce_send=bounce_send,
            contact=contact,
            send=send,
            company=plan.company,
            action=action,
        )

    def _stopping_now(self, plan: _Plan, lookups: Lookups) -> str | None:
        """The sequence ``plan`` stops (the contact's active one), read before it is written."""
        contact = plan.contact
        if plan.stop_reason is None or contact is None or contact.id is None:
            return None
        active = lookups.active.get(contact.id)
        return active.sequence if active is not None else None

    def _announce(self, plan: _Plan, info: Inbound, stopped: str | None, now: datetime) -> None:
        """Tell the host's hooks what a committed message did (a reply, a bounce, a stop)."""
        if plan.contact is None or plan.event is None:
            return
        announce(
            self.hooks,
            plan.event,
            address=plan.contact.email,
            at=now,
            reason=StopReason(plan.stop_reason) if plan.stop_reason else None,
            stopped=stopped,
            sequence=plan.send.sequence if plan.send is not None else None,
            code=info.status,
            detail=info.diagnostic or info.reason,
            subject=info.subject,
        )

    def _match(self, info: Inbound, raw: bytes, lookups: Lookups) -> _Match:
        """Who the message is about: the From address decides who replied, and a delivery report
        acts only on the recipient it names."""
        sends = lookups.sends_named(info.references[:MAX_REFERENCES])
        if sends:
            send = sends[0]
            referenced = lookups.contacts_by_id.get(send.contact_id)
            if info.kind is Kind.BOUNCE:
                return self._bounce_by_reference(info, send, referenced)
            if info.kind is Kind.COMPLAINT:  # the report's From is the feedback loop, not them
                return _Match(send=send, contact=referenced, by_reference=True)
            writer = lookups.contact(info.from_address) if info.from_address else None
            if referenced is None or writer is None or writer.id == referenced.id:
                # the contact, or someone we do not know writing in their thread (an alias, an
                # assistant)
                return _Match(send=send, contact=referenced, by_reference=True)
            # another contact answering in this thread: it is about the person who wrote
            return _Match(
                send=self._recent_send(writer),
                contact=writer,
                by_reference=False,
                note=f"written in the thread of send #{send.id} to another contact",
            )
        return self._match_by_address(info, raw, lookups)

    def _bounce_by_reference(self, info: Inbound, send: Send, referenced: Contact | None) -> _Match:
        """A delivery report about our message acts only when it names that message's recipient."""
        if referenced is None or not info.dsn or not info.recipients:
            return _Match(send=send, contact=referenced, by_reference=True)
        for address in info.recipients[:MAX_REFERENCES]:
            if contact_key(address) in (referenced.email_key, contact_key(referenced.email)):
                return _Match(send=send, contact=referenced, by_reference=True)
        return _Match(
            send=None,
            contact=None,
            by_reference=False,
            note="a delivery report naming another recipient than the message it returns",
        )

    def _recent_send(self, contact: Contact) -> Send | None:
        if contact.id is None:
            return None
        return self.store.latest_send_to(
            contact.id, since=self.clock.now() - self.config.reply_window
        )

    def _match_by_address(self, info: Inbound, raw: bytes, lookups: Lookups) -> _Match:
        """A message naming none of our Message-IDs: the contact it comes from (a reply), or the
        address that failed (a bounce), if we wrote to them recently and before it was written."""
        candidates = (
            info.recipients
            if info.kind in (Kind.BOUNCE, Kind.COMPLAINT)
            else ((info.from_address,) if info.from_address else ())
        )
        written = written_at(raw)
        too_old: Send | None = None
        for address in candidates[:MAX_REFERENCES]:
            contact = lookups.contact(address)
            if contact is None or contact.id is None:
                continue
            recent = self._recent_send(contact)
            if recent is None:
                continue
            if (
                written is not None
                and recent.sent_at is not None
                and written < recent.sent_at - SKEW
            ):
                too_old = recent  # mail they wrote before our message: not an answer to it
                continue
            return _Match(send=recent, contact=contact, by_reference=False)
        return _Match(send=too_old, contact=None, by_reference=False)

    def _resume_at(self, contact: Contact, info: Inbound, lookups: Lookups) -> datetime | None:
        if info.return_date is None or contact.id is None:
            return None
        active = lookups.active.get(contact.id)
        if active is None:
            return None
        return timing.local_midnight(info.return_date, ZoneInfo(active.timezone))


def _record(
    store: Store,
    sender: Sender,
    last_uid: int,
    planned: list[tuple[Read, _Plan, str | None] | None],
    uidvalidity: int,
    now: datetime,
) -> list[bool]:
    """One transaction: the planned messages (None: a duplicate) and the folder's position
    after them; whether each was new."""
    assert sender.imap is not None
    folder = sender.imap.mailbox
    rows = [_row(sender, read, plan, now) for read, plan, _ in filter(None, planned)]
    if not rows:
        store.set_inbox_position(
            sender.name, folder, uidvalidity=uidvalidity, last_uid=last_uid, at=now
        )
        return [False] * len(planned)
    new = iter(
        store.record_inbound_many(
            rows, mailbox=folder, uidvalidity=uidvalidity, last_uid=last_uid, at=now
        )
    )
    return [item is not None and next(new) for item in planned]


def _failed(
    sender: Sender, uid: int, uidvalidity: int, exc: Exception, now: datetime
) -> InboundMessage:
    """The row that records a message which could not be handled."""
    return InboundMessage(
        key=key_of(f"error:{sender.name}:{uidvalidity}:{uid}"),
        sender=sender.name,
        uid=uid,
        kind="error",
        detail=f"could not be handled: {type(exc).__name__}",
        at=now,
    )


def _row(sender: Sender, read: Read, plan: _Plan, now: datetime) -> tuple[InboundRow, Effects]:
    """The inbound message's row and what it does, as the store records them."""
    info = read.info
    row = InboundRow(
        key=read.shared if plan.contact is not None else read.own,
        sender=sender.name,
        uid=read.uid,
        kind=plan.kind,
        contact_id=plan.contact.id if plan.contact else None,
        send_id=plan.send.id if plan.send else None,
        from_address=_clean(info.from_address, 320),
        subject=_clean(info.subject, 300),
        detail=_clean(f"{info.reason}; {plan.action}", 500) or "",
        intent=info.intent,
        at=now,
    )
    effects = Effects(
        event=plan.event,
        stop_reason=plan.stop_reason,
        suppress=plan.suppress,
        bounce_send=plan.bounce_send,
        pause_until=plan.pause_until,
        company=plan.company,
        referral=plan.referral,
    )
    return row, effects


def _clean(value: str | None, limit: int) -> str | None:
    """Untrusted text made safe to store: no NUL characters, bounded length."""
    return value.replace("\x00", "")[:limit] if value is not None else None


@dataclass(frozen=True, kw_only=True)
class _Plan:
    kind: str
    action: str
    event: str | None = None
    stop_reason: str | None = None
    suppress: str | None = None
    bounce_send: bool = False
    pause_until: datetime | None = None
    contact: Contact | None = None
    send: Send | None = None
    #: ``stop_scope: company``: the domain whose other contacts are stopped too
    company: str | None = None
    #: A referral's address, to add as a contact (not enrolled).
    referral: ContactRow | None = None
    #: A DSN's refusal of our side (sender or content class): what to hold once it is recorded.
    refusal: refusals.Refusal | None = None


@dataclass(frozen=True, kw_only=True)
class _Match:
    """What a message is about: the send and contact it acts on, and how that was found."""

    send: Send | None
    contact: Contact | None
    #: Matched by one of our Message-IDs (not by an address alone).
    by_reference: bool
    #: Why the message acts on someone other than the thread's contact, or on nobody.
    note: str | None = None
