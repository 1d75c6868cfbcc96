"""Big actions with a look before they write: enrolling many contacts with the schedule shown
first (a dry run, or a confirmation), and stopping many enrollments at once (by sequence, by a
field's value, or by a list of addresses) through the stop policy, one transaction per batch.
:class:`BigActions` is what ``Engine.bulk`` returns.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sequencer.addresses import contact_key
from sequencer.model import StopReason
from sequencer.services import enrolling
from sequencer.services.contacts import Progress
from sequencer.services.deps import Deps
from sequencer.services.stopping import announce, plan_stop
from sequencer.stops import StopEvent, StopPlan, stop_reason
from sequencer.store import Contact, Enrollment

#: Contacts stopped in one transaction.
STOP_BATCH = 500
#: Addresses looked up at a time.
_LOOKUP = 2000


@dataclass(frozen=True, kw_only=True)
class StopMany:
    """Which open (active or waiting) enrollments a bulk stop ends, and why. Every filter given
    must hold; with none, every open enrollment matches."""

    sequence: str | None = None
    #: Field values (``company=Acme``, or a custom field).
    where: dict[str, str] | None = None
    #: Addresses (from a file).
    emails: list[str] | None = None
    reason: StopReason = StopReason.MANUAL
    #: A note kept with each stop's event.
    detail: str | None = None


@dataclass(frozen=True, kw_only=True)
class BulkStop:
    """What a bulk stop matched and did."""

    #: Open enrollments that match.
    matched: int
    #: How many of them are in each sequence.
    by_sequence: dict[str, int] = field(default_factory=dict)
    #: Addresses given that are no imported contact.
    unknown: list[str] = field(default_factory=list)
    #: Enrollments stopped (the stop policy may record a reply or a goal without a stop).
    stopped: int = 0
    #: False when nothing was written: nothing matched, or the caller did not confirm.
    written: bool = False


#: Asked with what matched before anything is written; False writes nothing.
ConfirmStop = Callable[[BulkStop], bool]


class BigActions:
    """Enrolling and stopping in bulk for one engine: what ``Engine.bulk`` returns."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def enroll(
        self,
        sequence: str,
        *,
        sender: str | Iterable[str] | None = None,
        emails: Iterable[str] | None = None,
        where: dict[str, str] | None = None,
        again: bool = False,
        confirm: enrolling.Confirm | None = None,
        progress: Progress | None = None,
    ) -> enrolling.EnrollReport:
        """:func:`~sequencer.services.enrolling.enroll`, with the schedule shown to ``confirm``
        before anything is written (``lambda report: False`` is a dry run)."""
        return enrolling.enroll(
            self.deps,
            sequence,
            sender=sender,
            emails=emails,
            where=where,
            again=again,
            confirm=confirm,
            progress=progress,
        )

    def stop(self, request: StopMany, *, confirm: ConfirmStop | None = None) -> BulkStop:
        """Stop every open enrollment ``request`` matches, with its reason, through the stop
        policy (:func:`~sequencer.services.stopping.plan_stop`): the same event, suppression and
        company stops a single ``stop`` writes, :data:`STOP_BATCH` contacts per transaction.
        ``confirm`` sees the count first; nothing is written unless it returns True."""
        deps = self.deps
        reason = stop_reason(request.reason)
        ids, unknown = self._contacts(request)
        targets = deps.store.listing.open_enrollments(sequence=request.sequence, contact_ids=ids)
        counts = Counter(enrollment.sequence for _, enrollment in targets)
        report = BulkStop(matched=len(targets), by_sequence=dict(counts), unknown=unknown)
        if not targets or (confirm is not None and not confirm(report)):
            return report
        stopped = 0
        for start in range(0, len(targets), STOP_BATCH):
            batch = targets[start : start + STOP_BATCH]
            stopped += self._stop_batch(batch, StopEvent(reason), request.detail)
        return dataclasses.replace(report, stopped=stopped, written=True)

    def _contacts(self, request: StopMany) -> tuple[set[int] | None, list[str]]:
        """The ids of the contacts ``where`` and ``emails`` select (None: no such filter), and
        the addresses given that are no contact."""
        store = self.deps.store
        ids: set[int] | None = None
        if request.where:
            ids = {c.id for c in store.contacts(where=request.where) if c.id is not None}
        if request.emails is None:
            return ids, []
        found: list[Contact] = []
        for start in range(0, len(request.emails), _LOOKUP):
            found.extend(store.contacts(emails=request.emails[start : start + _LOOKUP]))
        known = {c.email_key for c in found}
        unknown = [e for e in request.emails if contact_key(e) not in known]
        listed = {c.id for c in found if c.id is not None}
        return (listed if ids is None else ids & listed), unknown

    def _stop_batch(
        self, batch: list[tuple[Contact, Enrollment]], event: StopEvent, detail: str | None
    ) -> int:
        """Plan each contact's stop, write the batch in one transaction, then tell the hooks and
        the log; how many contacts' enrollments stopped."""
        deps = self.deps
        plans: dict[int, tuple[Contact, Enrollment, StopPlan]] = {}
        for contact, enrollment in batch:
            assert contact.id is not None
            plan = plan_stop(deps.store, contact, event, deps.sequences, deps.config.free_mail)
            if plan.stops:
                plans[contact.id] = (contact, enrollment, plan)
        now = deps.clock.now()
        deps.store.stop_many([(cid, p) for cid, (_, _, p) in plans.items()], at=now, detail=detail)
        for contact, enrollment, plan in plans.values():
            announce(
                deps.hooks,
                plan.event,
                address=contact.email,
                at=now,
                reason=plan.stop,
                stopped=enrollment.sequence,
                detail=detail or "",
            )
            deps.log.info(
                "enrollment.stopped",
                contact_id=contact.id,
                enrollment_id=enrollment.id,
                reason=event.reason.value,
                company=plan.company,
                bulk=True,
            )
        return len(plans)
