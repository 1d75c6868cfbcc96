"""SQLModel tables. Every datetime is timezone-aware UTC on the way in and out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import JSON, Column, Field, SQLModel

from sequencer.status import EnrollmentStatus, SendStatus, TaskStatus, VariantStatus


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC; returns them aware (SQLite keeps no zone itself)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _when(*, index: bool = False, nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), index=index, nullable=nullable))


class Contact(SQLModel, table=True):
    __tablename__ = "contacts"

    id: int | None = Field(default=None, primary_key=True)
    #: Normalised address as it is written on the envelope.
    email: str
    #: Lower-cased address: what makes two rows the same person.
    email_key: str = Field(sa_column=Column(sa.String, unique=True, nullable=False))
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    title: str | None = None
    timezone: str | None = None
    linkedin_url: str | None = None
    #: Custom CSV columns.
    fields: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _when()
    updated_at: datetime = _when()

    @property
    def full_name(self) -> str:
        """First and last name, as far as known ("" when neither is)."""
        return " ".join(p for p in (self.first_name, self.last_name) if p)


#: The partial index's condition; the text is the same as ever (a StrEnum formats as its value).
_ONE_ACTIVE = f"status = '{EnrollmentStatus.ACTIVE}'"


class Enrollment(SQLModel, table=True):
    __tablename__ = "enrollments"
    __table_args__ = (
        # A contact is active in at most one sequence, enforced by the database itself.
        sa.Index(
            "enrollments_one_active",
            "contact_id",
            unique=True,
            sqlite_where=sa.text(_ONE_ACTIVE),
            postgresql_where=sa.text(_ONE_ACTIVE),
        ),
        # the chaining job's scan: deferred enrollments whose start has come
        sa.Index("enrollments_starts", "status", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", index=True)
    sequence: str = Field(index=True)
    sender: str
    #: active | completed | stopped, or deferred (chained, waiting for ``starts_at``) | skipped
    #: (a deferred one whose ``only_if`` did not hold, or whose contact could not start it)
    status: str = EnrollmentStatus.ACTIVE
    #: The recipient's resolved time zone at enrollment.
    timezone: str
    stop_reason: str | None = None
    stop_detail: str | None = None
    enrolled_at: datetime = _when()
    #: When message 1 actually went out (day 0); later steps are timed from it.
    anchor_at: datetime | None = _when(nullable=True)
    finished_at: datetime | None = _when(nullable=True)
    #: A ``deferred`` enrollment (chained from ``previous_id``) starts at this instant.
    starts_at: datetime | None = _when(nullable=True)
    #: The enrollment this one was chained from (``then:``), if any.
    previous_id: int | None = None


class Send(SQLModel, table=True):
    """One step for one recipient: the outbox row that is also the queue."""

    __tablename__ = "sends"
    __table_args__ = (
        sa.Index("sends_due", "status", "due_at"),
        # a sender's load today (cap, gap) and its variant counts, read every tick; the variant
        # key is in the index so counting skips the (unassigned) backlog
        sa.Index("sends_sender_sent", "sender", "sent_at"),
        sa.Index("sends_variant_subjects", "sequence", "step_key", "sender", "subject_key"),
        sa.Index("sends_variant_bodies", "sequence", "step_key", "sender", "body_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollments.id", index=True)
    contact_id: int = Field(foreign_key="contacts.id", index=True)
    sequence: str
    sender: str = Field(index=True)
    step_key: str
    step_index: int
    channel: str
    #: scheduled | claimed | sending | sent | failed | bounced | skipped | cancelled | uncertain
    status: str = SendStatus.SCHEDULED
    due_at: datetime = _when()
    claimed_by: str | None = None
    lease_until: datetime | None = _when(nullable=True)
    attempts: int = 0
    subject_key: str | None = None
    body_key: str | None = None
    subject: str | None = None
    message_id: str | None = Field(
        default=None, sa_column=Column(sa.String, unique=True, nullable=True)
    )
    in_reply_to: str | None = None
    references: str | None = None
    sent_at: datetime | None = _when(index=True, nullable=True)
    error: str | None = None
    created_at: datetime = _when()


class Event(SQLModel, table=True):
    """Something that happened to a contact: reply, goal, bounce, unsubscribe, stop."""

    __tablename__ = "events"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int | None = Field(default=None, foreign_key="contacts.id", index=True)
    enrollment_id: int | None = Field(default=None, foreign_key="enrollments.id", index=True)
    send_id: int | None = Field(default=None, foreign_key="sends.id", index=True)
    kind: str = Field(index=True)
    detail: str | None = None
    #: A reply's intent (positive, not_interested, referral, unsubscribe, auto_reply, other).
    intent: str | None = None
    at: datetime = _when(index=True)


class Task(SQLModel, table=True):
    """A LinkedIn message or a call for a person to do, rendered and ready."""

    __tablename__ = "tasks"

    id: int | None = Field(default=None, primary_key=True)
    send_id: int = Field(foreign_key="sends.id", unique=True)
    contact_id: int = Field(foreign_key="contacts.id", index=True)
    enrollment_id: int = Field(foreign_key="enrollments.id", index=True)
    sender: str
    sequence: str
    step_key: str
    #: linkedin | call
    channel: str
    #: open | done | skipped | cancelled
    status: str = Field(default=TaskStatus.OPEN, index=True)
    message: str
    due_at: datetime = _when(index=True)
    closed_at: datetime | None = _when(nullable=True)


class Suppression(SQLModel, table=True):
    """An address or a whole domain that is never mailed, in any sequence."""

    __tablename__ = "suppressions"

    id: int | None = Field(default=None, primary_key=True)
    #: Lower-cased address, or ``@domain`` for a whole domain.
    key: str = Field(sa_column=Column(sa.String, unique=True, nullable=False))
    reason: str
    created_at: datetime = _when()


class VariantState(SQLModel, table=True):
    """A variant's status. A key the YAML lists but this table lacks is live; retired stays
    retired.
    """

    __tablename__ = "variants"
    __table_args__ = (
        sa.UniqueConstraint("sequence", "step_key", "factor", "key", name="variants_identity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sequence: str
    step_key: str
    #: subject | body
    factor: str
    key: str
    #: live | retired
    status: str = VariantStatus.LIVE
    since: datetime = _when()
    #: Why it has its status (the scoring verdict, or who revived it).
    reason: str = ""


class Decision(SQLModel, table=True):
    """One variant at one look of the scoring job: its numbers and what was decided."""

    __tablename__ = "decisions"

    id: int | None = Field(default=None, primary_key=True)
    #: When the look ran; every row of one look shares it.
    look_at: datetime = _when(index=True)
    sequence: str = Field(index=True)
    step_key: str
    factor: str
    key: str
    sends: int
    successes: int
    rate: float
    z: float | None = None
    p: float | None = None
    p_holm: float | None = None
    #: best | keep | retire | too_few
    decision: str
    reason: str = ""
    #: The metric this row tests (positive_reply, reply, or a guardrail such as unsubscribe).
    metric: str | None = None


class InboxState(SQLModel, table=True):
    """How far a sender's mailbox has been read: a restart never reads a message twice."""

    __tablename__ = "inbox_state"

    sender: str = Field(primary_key=True)
    mailbox: str = Field(primary_key=True)
    #: The folder's UIDVALIDITY; when the server changes it, UIDs start over.
    uidvalidity: int
    #: The highest UID handled.
    last_uid: int = 0
    polled_at: datetime = _when()


class InboundMessage(SQLModel, table=True):
    """One message read from a sender's mailbox, and what was made of it."""

    __tablename__ = "inbound_messages"

    id: int | None = Field(default=None, primary_key=True)
    #: The message's own Message-ID (or a hash of its bytes): the same message is handled once,
    #: even when it reaches two senders' mailboxes or the server renumbers a folder.
    key: str = Field(sa_column=Column(sa.String, unique=True, nullable=False))
    sender: str = Field(index=True)
    uid: int
    #: reply | auto_reply | bounce | soft_bounce | unsubscribe | own | unmatched | other
    kind: str = Field(index=True)
    contact_id: int | None = Field(default=None, foreign_key="contacts.id", index=True)
    send_id: int | None = Field(default=None, foreign_key="sends.id")
    from_address: str | None = None
    subject: str | None = None
    #: Why it was classified so, and what was done.
    detail: str = ""
    #: A reply's intent (positive, not_interested, referral, unsubscribe, auto_reply, other).
    intent: str | None = None
    at: datetime = _when(index=True)


class HookNonce(SQLModel, table=True):
    """A signed hook request already accepted: the same signature is refused within the replay
    window.
    """

    __tablename__ = "hook_nonces"

    signature: str = Field(primary_key=True)
    at: datetime = _when(index=True)


class SenderDay(SQLModel, table=True):
    """A sender's sends on one of its local days: the daily cap and the min gap, shared by every
    worker.

    A send may start only after its row here is updated (under the cap, after the gap) in the
    same transaction that marks it ``sending``.
    """

    __tablename__ = "sender_days"

    sender: str = Field(primary_key=True)
    #: The sender's local date, ISO format.
    day: str = Field(primary_key=True)
    sent: int = 0
    last_at: datetime | None = _when(nullable=True)
    #: A quota reply paused the sender until then (seen by every worker).
    paused_until: datetime | None = _when(nullable=True)
    #: The sender's daily cap in force that day (from the configuration when the row was made).
    cap: int | None = None


class JobRun(SQLModel, table=True):
    """One run of a scheduled job (scoring...) per slot, whichever worker got there first."""

    __tablename__ = "job_runs"

    job: str = Field(primary_key=True)
    #: The slot the run is for, e.g. the scoring look's local date and time.
    slot: str = Field(primary_key=True)
    worker: str
    at: datetime = _when()


class Hold(SQLModel, table=True):
    """A pause a person must lift: a sender, a sequence, a step or a variant that sends nothing
    while the hold stands (a policy refusal, the bounce guard, a configuration fault).
    """

    __tablename__ = "holds"
    __table_args__ = (sa.Index("holds_standing", "scope", "lifted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    #: sender | sequence | step | variant
    scope: str
    sender: str | None = None
    sequence: str | None = None
    step_key: str | None = None
    #: With scope variant: the factor and key, as ``subject:s2`` or ``body:b1``.
    variant: str | None = None
    #: Why, as a word (policy_refusal, bounce_rate, consecutive_failures, content_refusal,
    #: config_fault...).
    reason: str
    #: What happened and what to fix, for doctor and the report.
    detail: str = ""
    since: datetime = _when()
    lifted_at: datetime | None = _when(nullable=True)
    #: Who or what lifted it (``senders resume``, ...).
    lifted_by: str | None = None


class SuppressionChange(SQLModel, table=True):
    """One change to the suppression list, with its reason: what ``suppress undo`` reverts."""

    __tablename__ = "suppression_changes"

    id: int | None = Field(default=None, primary_key=True)
    #: The suppression's key: a lower-cased address, or ``@domain``.
    key: str = Field(index=True)
    #: added | removed
    action: str
    #: The suppression's reason (bounce, unsubscribe, complaint, manual...) or why it was removed.
    reason: str
    #: Who or what made the change (worker, inbox, cli, undo...).
    source: str = ""
    at: datetime = _when(index=True)


class DomainCheck(SQLModel, table=True):
    """A recipient domain's DNS verdict (``import --verify``), cached until ``checked_at`` + TTL."""

    __tablename__ = "domain_checks"

    domain: str = Field(primary_key=True)
    #: ok | null_mx | no_mail_host | unknown
    verdict: str
    detail: str = ""
    checked_at: datetime = _when()


# -- typed handles on the Core tables: the write path and the aggregate queries use these -------

CONTACTS = SQLModel.metadata.tables["contacts"]
ENROLLMENTS = SQLModel.metadata.tables["enrollments"]
SENDS = SQLModel.metadata.tables["sends"]
EVENTS = SQLModel.metadata.tables["events"]
TASKS = SQLModel.metadata.tables["tasks"]
SUPPRESSIONS = SQLModel.metadata.tables["suppressions"]
VARIANTS = SQLModel.metadata.tables["variants"]
DECISIONS = SQLModel.metadata.tables["decisions"]
INBOX_STATE = SQLModel.metadata.tables["inbox_state"]
INBOUND_MESSAGES = SQLModel.metadata.tables["inbound_messages"]
HOOK_NONCES = SQLModel.metadata.tables["hook_nonces"]
SENDER_DAYS = SQLModel.metadata.tables["sender_days"]
JOB_RUNS = SQLModel.metadata.tables["job_runs"]
HOLDS = SQLModel.metadata.tables["holds"]
SUPPRESSION_CHANGES = SQLModel.metadata.tables["suppression_changes"]
DOMAIN_CHECKS = SQLModel.metadata.tables["domain_checks"]
