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
