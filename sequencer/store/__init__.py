"""Storage: SQLModel tables and the one repository that queries them."""

from sequencer.store.repository import NewEnrollment, NewSend, Store, UpsertCounts
from sequencer.store.tables import (
    Contact,
    Decision,
    Enrollment,
    Event,
    HookNonce,
    InboundMessage,
    InboxState,
    Send,
    Suppression,
    Task,
    VariantState,
)

__all__ = [
    "Contact", "Decision", "Enrollment", "Event", "HookNonce", "InboundMessage", "InboxState",
    "NewEnrollment", "NewSend", "Send", "Store", "Suppression", "Task",
    "UpsertCounts", "VariantState",
]
