"""Storage: SQLModel tables and the one repository that queries them."""

from sequencer.store.repository import NewEnrollment, NewSend, Store, UpsertCounts
from sequencer.store.tables import Contact, Enrollment, Event, Send, Suppression, Task

__all__ = ["Contact", "Enrollment", "Event", "NewEnrollment", "NewSend", "Send", "Store", "Suppression", "Task", "UpsertCounts"]
