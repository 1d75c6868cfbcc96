"""Every status a row can have, and every outcome of one dispatch, as named values.

Each is a :class:`~enum.StrEnum`: stored in the database as its plain text, and equal to that
text, so a row read back compares equal to the member. No status literal is written anywhere
else in the package.
"""

from __future__ import annotations

import enum


class SendStatus(enum.StrEnum):
    """Where one planned message (or task, or webhook call) stands."""

    #: Waiting for its due time.
    SCHEDULED = "scheduled"
    #: Leased by a worker for this tick.
    CLAIMED = "claimed"
    #: Handed to the channel; the outcome is not written yet.
    SENDING = "sending"
    SENT = "sent"
    #: Given up: a permanent error, or transient ones past ``max_attempts``.
    FAILED = "failed"
    BOUNCED = "bounced"
    #: Not sent, by design (a chained step whose condition did not hold).
    SKIPPED = "skipped"
    #: Not sent because the enrollment stopped or the address is suppressed.
    CANCELLED = "cancelled"
    #: The channel was called and the outcome is unknown: a person decides (``doctor``).
    UNCERTAIN = "uncertain"
    #: Not a stored status: a step of a preview's timeline that is not planned yet.
    PROJECTED = "projected"


class EnrollmentStatus(enum.StrEnum):
    """Where one contact's run through one sequence stands."""

    ACTIVE = "active"
    #: Every step went out.
    COMPLETED = "completed"
    #: A reply, goal, bounce, unsubscribe or a person stopped it.
    STOPPED = "stopped"
    #: Chained (``then:``): waits for ``starts_at``.
    DEFERRED = "deferred"
    #: A deferred one whose ``only_if`` did not hold, or whose contact could not start it.
    SKIPPED = "skipped"


class TaskStatus(enum.StrEnum):
    """A LinkedIn or call step, done by a person."""

    OPEN = "open"
    DONE = "done"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class VariantStatus(enum.StrEnum):
    """A subject or body variant: in rotation, or retired by scoring."""

    LIVE = "live"
    RETIRED = "retired"


class DispatchOutcome(enum.StrEnum):
    """What dispatching one claimed send came to: one counter of a tick's report each."""

    SENT = "sent"
    #: Put back for later: window closed, cap reached, gap not yet over.
    DEFERRED = "deferred"
    #: Not sent because the enrollment stopped or the address is suppressed.
    CANCELLED = "cancelled"
    RETRIED = "retried"
    BOUNCED = "bounced"
    FAILED = "failed"
    #: The channel was called but the outcome is unknown: held for a person.
    UNCERTAIN = "uncertain"
