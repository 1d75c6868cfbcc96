"""What the :class:`~sequencer.Engine` hands back about stored things: a contact, an enrollment,
a task, a suppression. Frozen values, detached from the database: a host may keep them, compare
them and pass them between threads; reading a field never runs a query. States are enums
(:mod:`sequencer.status`, :class:`~sequencer.model.StopReason`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sequencer.model import StopReason
from sequencer.status import EnrollmentStatus, TaskStatus


@dataclass(frozen=True, kw_only=True)
class Contact:
    """A person sequences are sent to."""

    id: int
    #: The address as it is written on the envelope.
    email: str
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    title: str | None = None
    #: The contact's own IANA time zone, if the import gave one.
    timezone: str | None = None
    linkedin_url: str | None = None
    #: Custom CSV columns kept with the contact.
    fields: Mapping[str, str]
    created_at: datetime
    updated_at: datetime

    @property
    def full_name(self) -> str:
        """First and last name, as far as they are known ("" when neither is)."""
        return " ".join(p for p in (self.first_name, self.last_name) if p)


@dataclass(frozen=True, kw_only=True)
class Enrollment:
    """One contact's run through one sequence."""

    id: int
    contact_id: int
    sequence: str
    #: The sender's name in the configuration.
    sender: str
    status: EnrollmentStatus
    #: The recipient's time zone, resolved at enrollment.
    timezone: str
    #: Why it stopped (None unless ``status`` is ``stopped``).
    stop_reason: StopReason | None
    stop_detail: str | None
    enrolled_at: datetime
    #: When message 1 actually went out (day 0).
    anchor_at: datetime | None
    finished_at: datetime | None
    #: A chained enrollment (``deferred``) starts at this instant.
    starts_at: datetime | None
    #: The enrollment this one was chained from, if any.
    previous_id: int | None


@dataclass(frozen=True, kw_only=True)
class Task:
    """A LinkedIn or call step for a person to do."""

    id: int
    send_id: int
    contact_id: int
    enrollment_id: int
    sender: str
    sequence: str
    step_key: str
    #: ``linkedin`` or ``call``.
    channel: str
    status: TaskStatus
    #: The rendered message or call notes.
    message: str
    due_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class Suppression:
    """An address, or a whole ``@domain``, that is never mailed."""

    #: A lower-cased address, or ``@domain``.
    key: str
    #: Why: bounce, unsubscribe, manual, import...
    reason: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class StuckSend:
    """A send held in ``claimed`` or ``sending`` past its lease: is a worker running?"""

    id: int
    contact_id: int
    sequence: str
    step_key: str
    sender: str
    #: ``claimed`` or ``sending``.
    status: str
    claimed_by: str | None
    lease_until: datetime | None


@dataclass(frozen=True, kw_only=True)
class Hold:
    """A pause a person lifts: a sender, sequence, step or variant that sends nothing meanwhile."""

    id: int
    #: ``sender``, ``sequence``, ``step`` or ``variant``.
    scope: str
    sender: str | None
    sequence: str | None
    step_key: str | None
    #: With scope ``variant``: the factor and key, as ``body:short``.
    variant: str | None
    #: Why, as a word: policy_refusal, bounce_rate, config_fault...
    reason: str
    #: What happened and what to fix.
    detail: str
    since: datetime


@dataclass(frozen=True, kw_only=True)
class Decision:
    """One variant at one look of the scoring job: its numbers and what was decided."""

    look_at: datetime
    sequence: str
    step_key: str
    #: ``subject`` or ``body``.
    factor: str
    key: str
    sends: int
    successes: int
    rate: float
    z: float | None
    p: float | None
    p_holm: float | None
    #: best, keep, retire or too_few.
    decision: str
    reason: str
    #: The metric the row tests (positive_reply, reply, or a guardrail such as unsubscribe).
    metric: str | None
