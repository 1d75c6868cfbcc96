"""Putting contacts into sequences: enrolling them (:class:`EnrollReport`), placing message 1
for each (sender, time, zone), previewing a recipient's timeline (:class:`Preview`), and
starting chained enrollments (``then:``) when their time comes (:class:`ChainReport`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sequencer import enrollment, results, timing
from sequencer.booking import new_book
from sequencer.caps import SenderBook
from sequencer.config import Sender
from sequencer.contacts import blocking_keys
from sequencer.errors import AlreadyEnrolled, ContactNotFound
from sequencer.model import Sequence, Step
from sequencer.services import public
from sequencer.services.contacts import Progress, find_contact, not_erased
from sequencer.services.deps import Deps
from sequencer.status import EnrollmentStatus, SendStatus
from sequencer.store import Contact, Enrollment, NewEnrollment, Send


@dataclass(frozen=True, kw_only=True)
class EnrollReport:
    sequence: str
    sender: str
    enrolled: int
    #: (address, sequence it is already active in) for each contact refused.
    refused: list[tuple[str, str]] = field(default_factory=list)
    #: Addresses skipped because they have been through this sequence before.
    done_before: list[str] = field(default_factory=list)
    first_due: datetime | None = None
    last_due: datetime | None = None
    #: How many of the enrolled went to each sender.
    by_sender: dict[str, int] = field(default_factory=dict)
    #: Each sender's first and last message 1.
    spans: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)
    #: False when nothing was written: a dry run, or a schedule the caller did not confirm.
    written: bool = True

    @property
    def span(self) -> timedelta:
        """From the first message 1 to the last."""
        if self.first_due is None or self.last_due is None:
            return timedelta(0)
        return self.last_due - self.first_due


#: Asked with the schedule before anything is written; False writes nothing.
Confirm = Callable[[EnrollReport], bool]


@dataclass(frozen=True, kw_only=True)
class PreviewStep:
    step: Step
    due_at: datetime
    local: datetime
    #: Whether the time is the real one (already sent or scheduled) or a projection.
    status: str
    rendered: dict[str, list[enrollment.Rendered]]


@dataclass(frozen=True, kw_only=True)
class PreviewChain:
    """Where a recipient goes after the sequence (``then:``): a projected window, or the deferred
    enrollment already waiting with its exact start."""

    sequence: str
    earliest: datetime
    latest: datetime
    only_if: tuple[str, ...]
    #: ``projected`` (the sequence has not finished) or ``deferred`` (waiting; earliest == latest).
    status: str


@dataclass(frozen=True, kw_only=True)
class Preview:
    sequence: Sequence
    contact: results.Contact
    sender: Sender
    zone: ZoneInfo
    steps: list[PreviewStep]
    then: PreviewChain | None = None

    @property
    def errors(self) -> list[str]:
        return [
            f"{p.step.key}.{factor}[{r.key}]: {r.error}"
            for p in self.steps
            for factor, items in p.rendered.items()
            for r in items
            if r.error
        ]


@dataclass
class ChainReport:
    """What one run of the chaining job did."""

    started: int = 0
    #: (address, sequence, why) of each chained enrollment that will not start.
    skipped: list[tuple[str, str, str]] = field(default_factory=list)


# -- enrolling --------------------------------------------------------------------------------


def enroll(
    deps: Deps,
    sequence: str,
    *,
    sender: str | Iterable[str] | None,
    emails: Iterable[str] | None,
    where: dict[str, str] | None,
    again: bool,
    confirm: Confirm | None = None,
    progress: Progress | None = None,
) -> EnrollReport:
    """Enroll contacts (all, or the given addresses / field matches) in a sequence.

    A contact already active in any sequence is refused and listed, and so is one who has
    been through this sequence before (unless ``again``): nobody gets the same cold email
    twice. The rest are enrolled together, with message 1 placed inside each recipient's
    window and the sender's cap.

    Senders: ``sender`` (one name or several), else the sequence's ``defaults.sender`` list,
    else the first configured. With several, each new contact goes to the sender who can send
    message 1 soonest, so contacts split by free capacity. Unless ``sender`` is given, a contact
    who was enrolled before keeps the sender they had.

    The schedule is worked out first; ``confirm`` sees it (a report with ``written`` False)
    and, unless it returns True, nothing is written (``lambda report: False`` is a dry run).
    Then every enrollment is written in one transaction. ``progress(done, total)`` is called
    while contacts are placed.
    """
    store, config = deps.store, deps.config
    seq = deps.sequence(sequence)
    explicit = [sender] if isinstance(sender, str) else list(sender or [])
    names = explicit or list(seq.senders) or [config.sender(None).name]
    books = {name: _book(deps, config.sender(name)) for name in names}
    emails = list(emails) if emails is not None else None
    contacts = not_erased(store, store.contacts(emails=emails, where=where))
    if emails is not None and not contacts:
        raise ContactNotFound(f"none of {', '.join(emails)} is an imported contact")
    ids = [c.id for c in contacts if c.id is not None]
    active = store.active_enrollments(ids)
    before = set() if again else store.past_enrollments(seq.name, ids)
    now = deps.clock.now()
    kept = {} if explicit else store.last_senders(ids)
    plans: list[NewEnrollment] = []
    refused: list[tuple[str, str]] = []
    done_before: list[str] = []
    for count, contact in enumerate(contacts, start=1):
        assert contact.id is not None
        if progress is not None and count % 500 == 0:
            progress(count, len(contacts))
        if contact.id in active:
            refused.append((contact.email, active[contact.id].sequence))
            continue
        if contact.id in before:
            done_before.append(contact.email)
            continue
        name, due, zone = place(deps, seq, contact, books, names, kept.get(contact.id), now)
        plans.append(_first_step(contact, seq, name, zone, due))
    if emails is not None and len(emails) == 1 and refused and not plans:
        address, current = refused[0]
        raise AlreadyEnrolled(
            f"{address} is already active in the '{current}' sequence; stop that enrollment first"
        )
    if emails is not None and len(emails) == 1 and done_before and not plans:
        raise AlreadyEnrolled(
            f"{done_before[0]} has been through '{seq.name}' before; "
            "use --again to send it to them once more"
        )
    report = _report(seq.name, names, plans, refused, done_before)
    if confirm is not None and not confirm(report):
        return report
    store.enroll(plans, now=now)
    if progress is not None:
        progress(len(contacts), len(contacts))
    return dataclasses.replace(report, written=True)


def _report(
    sequence: str,
    names: list[str],
    plans: list[NewEnrollment],
    refused: list[tuple[str, str]],
    done_before: list[str],
) -> EnrollReport:
    """What enrolling ``plans`` does, before it is written (``written`` False)."""
    spans: dict[str, tuple[datetime, datetime]] = {}
    by_sender: dict[str, int] = {}
    for plan in plans:
        low, high = spans.get(plan.sender, (plan.due_at, plan.due_at))
        spans[plan.sender] = (min(low, plan.due_at), max(high, plan.due_at))
        by_sender[plan.sender] = by_sender.get(plan.sender, 0) + 1
    return EnrollReport(
        sequence=sequence,
        sender=", ".join(names),
        enrolled=len(plans),
        refused=refused,
        done_before=done_before,
        first_due=min((low for low, _ in spans.values()), default=None),
        last_due=max((high for _, high in spans.values()), default=None),
        by_sender={name: by_sender[name] for name in [*names, *by_sender] if name in by_sender},
        spans=spans,
        written=False,
    )


def _first_step(
    contact: Contact, seq: Sequence, sender: str, zone: ZoneInfo, due: datetime
) -> NewEnrollment:
    assert contact.id is not None
    return NewEnrollment(
        contact_id=contact.id,
        sequence=seq.name,
        sender=sender,
        timezone=zone.key,
        step_key=seq.steps[0].key,
        channel=seq.steps[0].channel.value,
        due_at=due,
    )


def place(
    deps: Deps,
    seq: Sequence,
    contact: Contact,
    books: dict[str, SenderBook],
    rotation: list[str],
    keep: str | None,
    now: datetime,
) -> tuple[str, datetime, ZoneInfo]:
    """Message 1 for one contact: (sender, when, the recipient's zone). A contact keeps the
    sender they had before when it is still configured; otherwise the senders rotate by free
    capacity.
    """
    senders = deps.config.senders
    if keep is not None and keep in senders:
        if keep not in books:
            books[keep] = _book(deps, senders[keep])
        zone = zone_for(seq, contact, senders[keep])
        return keep, enrollment.place_first_send(seq, zone=zone, now=now, book=books[keep]), zone
    rotating = {name: books[name] for name in rotation}
    zone = zone_for(seq, contact, deps.config.sender(rotation[0]))
    name, due = enrollment.place_rotating(seq, zone=zone, now=now, books=rotating)
    return name, due, zone


def _book(deps: Deps, sender: Sender) -> SenderBook:
    return new_book(deps.store, sender, now=deps.clock.now())


def zone_for(sequence: Sequence, contact: Contact, sender: Sender) -> ZoneInfo:
    """The zone a contact's messages are timed in (the contact's, the sequence's, the
    sender's)."""
    return timing.resolve_zone(sequence, contact_tz=contact.timezone, sender_tz=sender.timezone.key)


# -- preview ----------------------------------------------------------------------------------


def preview(deps: Deps, sequence: str, email: str, *, sender: str | None) -> Preview:
    """A recipient's timeline and every variant rendered for them.

    Times already fixed (sent or scheduled) are shown as they are; the rest are projected
    from message 1's actual or planned time.
    """
    seq = deps.sequence(sequence)
    contact = find_contact(deps.store, email)
    assert contact.id is not None
    current = next(
        (e for e in reversed(deps.store.enrollments(contact.id)) if e.sequence == seq.name),
        None,
    )
    who = deps.config.sender(sender or (current.sender if current else None) or seq.sender)
    zone = ZoneInfo(current.timezone) if current else zone_for(seq, contact, who)
    known = {s.step_key: s for s in deps.store.sends(current.id)} if current and current.id else {}
    times = _timeline(deps, seq, zone, who, known)
    context = enrollment.template_context(
        contact.model_dump(), contact.fields, who.template_fields()
    )
    steps = [
        PreviewStep(
            step=step,
            due_at=due,
            local=due.astimezone(zone),
            status=status,
            rendered=enrollment.render_step(step, context),
        )
        for step, (due, status) in zip(seq.steps, times, strict=True)
    ]
    return Preview(
        sequence=seq,
        contact=public.contact(contact),
        sender=who,
        zone=zone,
        steps=steps,
        then=_chain_preview(deps, seq, contact, current, times[-1][0] if times else None),
    )


def _chain_preview(
    deps: Deps, seq: Sequence, contact: Contact, current: Enrollment | None, last: datetime | None
) -> PreviewChain | None:
    if seq.then is None or last is None:
        return None
    assert contact.id is not None
    waiting = next(
        (
            e
            for e in deps.store.deferred(contact.id)
            if current is not None and e.previous_id == current.id
        ),
        None,
    )
    if waiting is not None and waiting.starts_at is not None:
        return PreviewChain(
            sequence=waiting.sequence,
            earliest=waiting.starts_at,
            latest=waiting.starts_at,
            only_if=seq.then.only_if,
            status=EnrollmentStatus.DEFERRED,
        )
    low, high = seq.then.after_days
    soonest = last + timedelta(days=1)  # never the day of the last message (booking.next_step)
    return PreviewChain(
        sequence=seq.then.sequence,
        earliest=max(last + timedelta(days=low), soonest),
        latest=max(last + timedelta(days=high), soonest),
        only_if=seq.then.only_if,
        status=SendStatus.PROJECTED,
    )


def _timeline(
    deps: Deps, seq: Sequence, zone: ZoneInfo, who: Sender, known: dict[str, Send]
) -> list[tuple[datetime, str]]:
    first = known.get(seq.steps[0].key)
    if first is not None:
        anchor = first.sent_at or first.due_at
        status: str = first.status
    else:
        now = deps.clock.now()
        anchor = enrollment.place_first_send(seq, zone=zone, now=now, book=_book(deps, who))
        status = SendStatus.PROJECTED
    out = [(anchor, status)]
    for index, step in enumerate(seq.steps[1:], start=1):
        send = known.get(step.key)
        if send is not None:
            out.append((send.sent_at or send.due_at, send.status))
        else:
            after = (index - 1, out[-1][0])  # spaced from the step before, as the worker times it
            due = enrollment.next_step_due(seq, index, anchor=anchor, zone=zone, after=after)
            out.append((due, SendStatus.PROJECTED))
    return out


# -- chains -----------------------------------------------------------------------------------


def advance_chains(deps: Deps, *, limit: int) -> ChainReport:
    """Start the chained enrollments whose time has come (``then:`` after ``after_days``).

    Each starts with the sender the contact had, message 1 placed in their window and that
    sender's cap, unless the finished sequence's ``only_if`` does not hold, the address is
    suppressed, or the contact is active in another sequence: then it is marked skipped, with
    why. What the worker's chaining job runs; safe to run in several workers at once.
    """
    store, log = deps.store, deps.log
    now = deps.clock.now()
    report = ChainReport()
    due = store.due_chains(now=now, limit=limit)
    contacts = store.contacts_by_id({e.contact_id for e in due})
    previous = store.enrollments_by_id({e.previous_id for e in due if e.previous_id is not None})
    books: dict[str, SenderBook] = {}
    for waiting in due:
        assert waiting.id is not None
        contact = contacts[waiting.contact_id]
        why = _chain_refusal(deps, waiting, contact, previous.get(waiting.previous_id or 0))
        if why is None:
            why = _start_chain(deps, waiting, contact, books, now)
        if why is None:
            report.started += 1
            log.info(
                "chain.started",
                enrollment_id=waiting.id,
                contact_id=contact.id,
                sequence=waiting.sequence,
                sender=waiting.sender,
            )
        elif store.skip_chain(waiting.id, why=why, at=now):
            report.skipped.append((contact.email, waiting.sequence, why))
            log.info(
                "chain.skipped",
                enrollment_id=waiting.id,
                contact_id=contact.id,
                sequence=waiting.sequence,
                why=why,
            )
    return report


def _chain_refusal(
    deps: Deps, waiting: Enrollment, contact: Contact, previous: Enrollment | None
) -> str | None:
    """Why a due chained enrollment must not start, or None."""
    sequences = deps.sequences()
    if waiting.sequence not in sequences:
        return f"sequence '{waiting.sequence}' is no longer loaded"
    before = sequences.get(previous.sequence) if previous is not None else None
    if previous is None or before is None or before.then is None:
        return "the sequence it follows no longer chains into it"
    assert contact.id is not None
    events = deps.store.event_kinds(contact.id, since=previous.enrolled_at)
    unmet = enrollment.unmet_conditions(
        before.then, events=events, fields={**contact.fields, **contact.model_dump()}
    )
    if unmet:
        return "only_if not met: " + ", ".join(unmet)
    if deps.store.suppressed(blocking_keys(contact.email_key)):
        return f"the address or @{contact.email_key.rpartition('@')[2]} is suppressed"
    active = deps.store.active_enrollments([contact.id]).get(contact.id)
    if active is not None:
        return f"active in '{active.sequence}'"
    return None


def _start_chain(
    deps: Deps,
    waiting: Enrollment,
    contact: Contact,
    books: dict[str, SenderBook],
    now: datetime,
) -> str | None:
    assert waiting.id is not None
    senders = deps.config.senders
    seq = deps.sequences()[waiting.sequence]
    rotation = list(seq.senders) or [deps.config.sender(None).name]
    for name in {waiting.sender, *rotation} & set(senders):
        if name not in books:
            books[name] = _book(deps, senders[name])
    name, due, zone = place(deps, seq, contact, books, rotation, waiting.sender, now)
    started = deps.store.start_chain(
        waiting.id, _first_step(contact, seq, name, zone, due), now=now
    )
    return None if started else "stopped, or active elsewhere, as it was about to start"
