"""Storage: the SQLModel tables (``tables``), connection set-up (``connection``), one module of Core
statements per aggregate (``contacts``, ``enrollments``, ``sends``, ``sender_days``,
``suppressions``, ``inbox``, ``events``, ``tasks``, ``variants``, ``jobs``, ``erasure``,
``reports``), and the :class:`Store` facade (``repository``) that runs them in transactions."""

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
    HookNonce,
    InboundMessage,
    InboxState,
    JobRun,
    Send,
    SenderDay,
    Suppression,
    Task,
    VariantState,
)

__all__ = [
    "BeginStatus",
    "Begun",
    "Contact",
    "Decision",
    "Enrollment",
    "Event",
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
    "Store",
    "Suppression",
    "Task",
    "UpsertCounts",
    "VariantState",
]
