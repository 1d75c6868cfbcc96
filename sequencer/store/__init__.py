"""Storage: SQLModel tables and the one repository that queries them."""

from sequencer.store.repository import BeginStatus, Begun, NewChain, NewEnrollment, NewSend, Quota, Store, UpsertCounts
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
