"""Storage: SQLModel tables and the one repository that queries them."""

from sequencer.store.repository import NewEnrollment, Store, UpsertCounts
from sequencer.store.tables import Contact, Enrollment, Event, Send

__all__ = ["Contact", "Enrollment", "Event", "NewEnrollment", "Send", "Store", "UpsertCounts"]
