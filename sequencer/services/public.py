"""Storage rows made into the public values of :mod:`sequencer.results`: what the
:class:`~sequencer.Engine` returns, never a row bound to the database.
"""

from __future__ import annotations

from sequencer import results, store
from sequencer.model import StopReason
from sequencer.status import EnrollmentStatus, TaskStatus


def contact(row: store.Contact) -> results.Contact:
    """The public value of a contact row."""
    assert row.id is not None
    return results.Contact(
        id=row.id,
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        company=row.company,
        title=row.title,
        timezone=row.timezone,
        linkedin_url=row.linkedin_url,
        fields=dict(row.fields),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def enrollment(row: store.Enrollment | None) -> results.Enrollment | None:
    """The public value of an enrollment row (None stays None: nothing was stopped)."""
    if row is None:
        return None
    assert row.id is not None
    return results.Enrollment(
        id=row.id,
        contact_id=row.contact_id,
        sequence=row.sequence,
        sender=row.sender,
        status=EnrollmentStatus(row.status),
        timezone=row.timezone,
        stop_reason=StopReason(row.stop_reason) if row.stop_reason else None,
        stop_detail=row.stop_detail,
        enrolled_at=row.enrolled_at,
        anchor_at=row.anchor_at,
        finished_at=row.finished_at,
        starts_at=row.starts_at,
        previous_id=row.previous_id,
    )


def task(row: store.Task) -> results.Task:
    """The public value of a task row."""
    assert row.id is not None
    return results.Task(
        id=row.id,
        send_id=row.send_id,
        contact_id=row.contact_id,
        enrollment_id=row.enrollment_id,
        sender=row.sender,
        sequence=row.sequence,
        step_key=row.step_key,
        channel=row.channel,
        status=TaskStatus(row.status),
        message=row.message,
        due_at=row.due_at,
        closed_at=row.closed_at,
    )


def suppression(row: store.Suppression) -> results.Suppression:
    """The public value of a suppression row."""
    return results.Suppression(key=row.key, reason=row.reason, created_at=row.created_at)


def stuck_send(row: store.Send) -> results.StuckSend:
    """The public value of a send stuck past its lease."""
    assert row.id is not None
    return results.StuckSend(
        id=row.id,
        contact_id=row.contact_id,
        sequence=row.sequence,
        step_key=row.step_key,
        sender=row.sender,
        status=row.status,
        claimed_by=row.claimed_by,
        lease_until=row.lease_until,
    )


def hold(row: store.Hold) -> results.Hold:
    """The public value of a standing hold."""
    assert row.id is not None
    return results.Hold(
        id=row.id,
        scope=row.scope,
        sender=row.sender,
        sequence=row.sequence,
        step_key=row.step_key,
        variant=row.variant,
        reason=row.reason,
        detail=row.detail,
        since=row.since,
    )


def decision(row: store.Decision) -> results.Decision:
    """The public value of a scoring decision row."""
    return results.Decision(
        look_at=row.look_at,
        sequence=row.sequence,
        step_key=row.step_key,
        factor=row.factor,
        key=row.key,
        sends=row.sends,
        successes=row.successes,
        rate=row.rate,
        z=row.z,
        p=row.p,
        p_holm=row.p_holm,
        decision=row.decision,
        reason=row.reason,
        metric=row.metric,
    )
