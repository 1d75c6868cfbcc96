"""Storage: the SQLModel tables (``tables``), connection set-up (``connection``), one module of Core
statements per aggregate (``contacts``, ``enrollments``, ``sends``, ``sender_days``,
``suppressions``, ``inbox``, ``events``, ``tasks``, ``variants``, ``jobs``, ``erasure``,
``reports``), the send path's group commit (``groups``), and the :class:`Store` facade
(``repository``) that runs them in transactions."""

from sequencer.store.groups import Beginning, SentRecord
from sequencer.store.repository import (
    BeginStatus,
    Begun,
    NewChain,
    NewEnrollment,
    NewSend,
    Quota,
    Store,
    UpsertCounts,
)
from sequencer.store.tables import (
    Contact,
    Decision,
    Enrollment,
    Event,
    Hold,
    HookNonce,
    InboundMessage,
    InboxState,
    JobRun,
    Send,
    SenderDay,
    Suppression,
    SuppressionChange,
    Task,
    VariantState,
)

__all__ = [
    "BeginStatus",
    "Beginning",
    "Begun",
    "Contact",
    "Decision",
    "Enrollment",
    "Event",
    "Hold",
    "HookNonce",
    "InboundMessage",
    "InboxState",
    "JobRun",
    "NewChain",
    "NewEnrollment",
    "NewSend",
    "Quota",
    "Send",
    "SenderDay",
    "SentRecord",
    "Store",
    "Suppression",
    "SuppressionChange",
    "Task",
    "UpsertCounts",
    "VariantState",
]
